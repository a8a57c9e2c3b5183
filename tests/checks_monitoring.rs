//! Monitoring and incident response checks, driven through the real files source.

mod harness;

use rampart::checks::{Outcome, Status};
use rampart::report::{EvaluationSettings, Report};

fn scan(fixture: &str) -> Report {
    let dir = harness::fixture_path(&format!("monitoring/{fixture}"));
    Report::evaluate(
        &harness::files_evidence(&dir),
        &EvaluationSettings::default(),
    )
}

fn outcome<'r>(report: &'r Report, id: &str) -> &'r Outcome {
    report.outcome(id).expect("the check is in the catalogue")
}

/// Asserts a failure with `failed` findings and returns the outcome for closer looks.
fn assert_fails(report: &Report, id: &str, failed: usize) -> Outcome {
    let o = outcome(report, id);
    assert_eq!(o.status, Status::Fail, "{id}: {:?}", o.reason);
    assert_eq!(o.failed, failed, "{id}: {:#?}", o.findings);
    o.clone()
}

fn assert_passes(report: &Report, id: &str) {
    let o = outcome(report, id);
    assert_eq!(
        o.status,
        Status::Pass,
        "{id}: {:#?} {:?}",
        o.findings,
        o.reason
    );
    assert!(o.evaluated > 0);
}

#[test]
fn cluster_wide_controls_do_not_apply_to_an_application_repository() {
    let report = scan("app-only");
    for id in ["MON-001", "MON-002", "MON-004", "MON-005"] {
        let o = outcome(&report, id);
        assert_eq!(o.status, Status::NotApplicable, "{id}");
        assert!(
            o.reason.as_deref().unwrap().contains("cluster-level"),
            "{id}"
        );
    }
    // Repository-level controls still apply.
    assert_passes(&report, "MON-009");
    assert_fails(&report, "MON-008", 1);
}

#[test]
fn mon_001_runtime_detection() {
    let o = assert_fails(&scan("mon-001/fail"), "MON-001", 1);
    assert!(o.findings[0].message.contains("Falco, Tetragon or Tracee"));
    assert_passes(&scan("mon-001/pass"), "MON-001");
}

#[test]
fn mon_002_rules_must_catch_shells_and_sensitive_reads() {
    let report = scan("mon-002/fail");
    // The rules file alone counts as runtime detection.
    assert_passes(&report, "MON-001");
    let o = assert_fails(&report, "MON-002", 1);
    assert_eq!(o.evaluated, 2);
    assert!(
        o.findings[0].message.contains("/etc/shadow"),
        "{}",
        o.findings[0].message
    );
    assert_eq!(
        o.findings[0].location.as_ref().unwrap().path,
        "falco_rules.local.yaml"
    );

    assert_passes(&scan("mon-002/pass"), "MON-002");
}

#[test]
fn mon_002_reads_rules_carried_in_a_config_map() {
    let report = scan("mon-002/pass-configmap");
    assert_passes(&report, "MON-001");
    assert_passes(&report, "MON-002");
}

#[test]
fn tetragon_counts_as_detection_but_its_policies_are_not_judged() {
    let report = scan("mon-001/pass-tetragon");
    assert_passes(&report, "MON-001");
    let o = outcome(&report, "MON-002");
    assert_eq!(o.status, Status::NotAssessed);
    assert!(o.reason.as_deref().unwrap().contains("only Falco rules"));
}

#[test]
fn mon_002_is_not_assessed_when_only_default_rules_can_be_in_use() {
    let o = scan("mon-002/default-rules");
    let o = outcome(&o, "MON-002");
    assert_eq!(o.status, Status::NotAssessed);
    assert!(o.reason.as_deref().unwrap().contains("default rules"));
}

#[test]
fn malformed_falco_rules_are_skipped_with_a_reason() {
    let report = scan("mon-002/malformed");
    let skipped: Vec<_> = report.skipped.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(skipped, ["falco-rules-broken.yaml", "falco_rules.yaml"]);
    assert!(
        report.skipped[1]
            .reason
            .contains("neither a rule, a macro nor a list")
    );
    assert!(report.skipped[0].reason.contains("YAML"));
    assert_eq!(outcome(&report, "MON-002").status, Status::NotAssessed);
    assert_passes(&report, "MON-001");
}

#[test]
fn mon_004_needs_metrics_and_alerting() {
    let o = assert_fails(&scan("mon-004/fail"), "MON-004", 1);
    assert!(
        o.findings[0].message.contains("nothing alerts"),
        "{}",
        o.findings[0].message
    );
    assert_passes(&scan("mon-004/pass"), "MON-004");
}

#[test]
fn mon_005_log_shipping() {
    assert_fails(&scan("mon-005/fail"), "MON-005", 1);
    assert_passes(&scan("mon-005/pass"), "MON-005");
}

#[test]
fn mon_006_probes_on_long_running_containers_only() {
    let report = scan("mon-006/fail");
    let o = assert_fails(&report, "MON-006", 1);
    // The init container and the CronJob are exempt.
    assert_eq!(o.evaluated, 1);
    assert_eq!(o.findings[0].location.as_ref().unwrap().line, 16);
    assert!(o.findings[0].message.ends_with("has no readiness probe"));
    assert_passes(&scan("mon-006/pass"), "MON-006");
}

#[test]
fn mon_008_incident_response_plan_and_its_phases() {
    let o = assert_fails(&scan("mon-008/fail"), "MON-008", 1);
    assert!(o.findings[0].message.contains("no incident response plan"));

    let o = assert_fails(&scan("mon-008/partial"), "MON-008", 1);
    let message = &o.findings[0].message;
    assert!(
        message.ends_with("eradication, recovery, lessons-learned"),
        "{message}"
    );
    assert_eq!(
        o.findings[0].location.as_ref().unwrap().path,
        "docs/incident-response.md"
    );

    assert_passes(&scan("mon-008/pass"), "MON-008");
}

#[test]
fn mon_009_security_policy() {
    let o = assert_fails(&scan("mon-009/fail"), "MON-009", 1);
    assert!(o.findings[0].message.contains("no SECURITY.md"));
    let o = assert_fails(&scan("mon-009/no-contact"), "MON-009", 1);
    assert!(o.findings[0].message.contains("where to report"));
    assert_passes(&scan("mon-009/pass"), "MON-009");
}
