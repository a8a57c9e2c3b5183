//! Compliance and governance checks, driven through the real files source.

mod harness;

use rampart::checks::{Outcome, Status};
use rampart::report::{EvaluationSettings, Report};

fn scan_with(fixture: &str, settings: &EvaluationSettings) -> Report {
    let dir = harness::fixture_path(&format!("compliance/{fixture}"));
    Report::evaluate(&harness::files_evidence(&dir), settings)
}

fn scan(fixture: &str) -> Report {
    scan_with(fixture, &EvaluationSettings::default())
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

fn lines(o: &Outcome) -> Vec<u32> {
    o.findings
        .iter()
        .map(|f| f.location.as_ref().expect("a located finding").line)
        .collect()
}

#[test]
fn cluster_wide_controls_do_not_apply_to_an_application_repository() {
    let report = scan("app-only");
    for id in ["CMP-001", "CMP-007"] {
        assert_eq!(outcome(&report, id).status, Status::NotApplicable, "{id}");
    }
    assert_eq!(outcome(&report, "CMP-002").status, Status::NotApplicable);
}

#[test]
fn cmp_001_audit_only_engines_fail() {
    let o = assert_fails(&scan("cmp-001/fail"), "CMP-001", 1);
    let message = &o.findings[0].message;
    assert!(message.contains("only audit"), "{message}");
    assert!(message.contains("ClusterPolicy require-labels validates in `Audit` mode"));
    assert!(message.contains("has enforcementAction `dryrun`"));
}

#[test]
fn cmp_001_enforcing_engines_pass() {
    assert_passes(&scan("cmp-001/pass-gatekeeper"), "CMP-001");
    assert_passes(&scan("cmp-001/pass-vap"), "CMP-001");
}

#[test]
fn cmp_002_pod_security_labels() {
    let o = assert_fails(&scan("cmp-002/fail"), "CMP-002", 2);
    // kube-system is exempt; `payments` has no label, `shop` enforces privileged.
    assert_eq!(o.evaluated, 2);
    assert_eq!(lines(&o), [10, 6]);
    assert!(o.findings[1].message.contains("`privileged`"));
    assert_passes(&scan("cmp-002/pass"), "CMP-002");
    assert_passes(&scan("cmp-002/pass-default"), "CMP-002");
}

#[test]
fn cmp_003_required_labels() {
    let o = assert_fails(&scan("cmp-003/fail"), "CMP-003", 1);
    assert!(
        o.findings[0]
            .message
            .ends_with("environment, security-reviewed")
    );
    assert_eq!(lines(&o), [3]);
    assert_passes(&scan("cmp-003/pass"), "CMP-003");

    let settings = EvaluationSettings {
        required_labels: Some(vec!["owner".to_string(), "app".to_string()]),
        ..Default::default()
    };
    assert_passes(&scan_with("cmp-003/fail", &settings), "CMP-003");
}

#[test]
fn cmp_004_configuration_scan_in_ci() {
    assert_fails(&scan("cmp-004/fail"), "CMP-004", 1);
    assert_passes(&scan("cmp-004/pass"), "CMP-004");
    assert_passes(&scan("cmp-004/pass-run"), "CMP-004");
    let report = scan("cmp-004/no-workflows");
    assert_eq!(outcome(&report, "CMP-004").status, Status::NotApplicable);
}

#[test]
fn cmp_005_licence_scan_in_ci() {
    assert_fails(&scan("cmp-005/fail"), "CMP-005", 1);
    assert_passes(&scan("cmp-005/pass"), "CMP-005");
    assert_passes(&scan("cmp-005/pass-review"), "CMP-005");
}

#[test]
fn cmp_006_codeowners() {
    let o = assert_fails(&scan("cmp-006/fail"), "CMP-006", 1);
    assert!(o.findings[0].message.contains("no CODEOWNERS"));

    let o = assert_fails(&scan("cmp-006/errors"), "CMP-006", 3);
    assert_eq!(lines(&o), [3, 4, 5]);
    assert!(o.findings[0].message.contains("names no owner"));
    assert!(o.findings[1].message.contains("`alice`"));
    assert_passes(&scan("cmp-006/pass"), "CMP-006");
}

#[test]
fn cmp_007_quotas_per_namespace() {
    let o = assert_fails(&scan("cmp-007/fail"), "CMP-007", 1);
    assert!(o.findings[0].message.contains("`shop`"));
    assert_passes(&scan("cmp-007/pass"), "CMP-007");
}
