//! Network checks against real fixtures through the files source.

mod harness;

use rampart::checks::Status;
use rampart::report::Report;

fn report(fixture: &str) -> Report {
    let evidence = harness::files_evidence(&harness::fixture_path(&format!("network/{fixture}")));
    Report::evaluate(&evidence, &Default::default())
}

/// Status, failed count and the `path:line` of each finding.
fn outcome(fixture: &str, id: &str) -> (Status, usize, Vec<String>) {
    let report = report(fixture);
    let outcome = report.outcome(id).expect("the check is in the catalogue");
    let places = outcome
        .findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref().expect("every finding has a location");
            format!("{}:{}", l.path, l.line)
        })
        .collect();
    (outcome.status, outcome.failed, places)
}

fn messages(fixture: &str, id: &str) -> Vec<String> {
    let report = report(fixture);
    let outcome = report.outcome(id).expect("the check is in the catalogue");
    outcome.findings.iter().map(|f| f.message.clone()).collect()
}

#[test]
fn net_001_fails_without_default_deny_ingress() {
    let (status, failed, places) = outcome("net-001/fail", "NET-001");
    assert_eq!((status, failed), (Status::Fail, 1));
    assert_eq!(places, ["namespace.yaml:3"]);
}

#[test]
fn net_001_passes_with_default_deny_ingress() {
    let (status, failed, _) = outcome("net-001/pass", "NET-001");
    assert_eq!((status, failed), (Status::Pass, 0));
}

#[test]
fn net_001_counts_a_manifest_without_namespace_in_default() {
    let msgs = messages("net-001/default-namespace", "NET-001");
    assert_eq!(
        msgs,
        ["namespace `default` has no default-deny ingress policy"]
    );
}

#[test]
fn net_002_fails_when_only_ingress_is_denied() {
    let (status, failed, places) = outcome("net-002/fail", "NET-002");
    assert_eq!((status, failed), (Status::Fail, 1));
    assert_eq!(places, ["web.yaml:3"]);
    // The same policy is a default deny for ingress: no egress rules change that.
    assert_eq!(outcome("net-002/fail", "NET-001").0, Status::Pass);
}

#[test]
fn net_002_passes_with_default_deny_egress() {
    let (status, failed, _) = outcome("net-002/pass", "NET-002");
    assert_eq!((status, failed), (Status::Pass, 0));
}

#[test]
fn net_003_fails_for_the_unselected_workload() {
    let (status, failed, places) = outcome("net-003/fail", "NET-003");
    assert_eq!((status, failed), (Status::Fail, 1));
    assert_eq!(places, ["worker.yaml:11"]);
    assert!(messages("net-003/fail", "NET-003")[0].contains("Deployment shop/worker"));
}

#[test]
fn net_003_passes_when_expressions_select_every_workload() {
    let (status, failed, _) = outcome("net-003/pass", "NET-003");
    assert_eq!((status, failed), (Status::Pass, 0));
}

#[test]
fn net_003_does_not_guess_an_unknown_operator() {
    let (status, failed, _) = outcome("net-003/unknown-operator", "NET-003");
    assert_eq!((status, failed), (Status::Fail, 1));
    let message = &messages("net-003/unknown-operator", "NET-003")[0];
    assert!(message.contains("could not interpret `fuzzy`"), "{message}");
    assert!(message.contains("`Like`"), "{message}");
}

#[test]
fn cni_specific_policies_make_policy_checks_not_assessed() {
    for id in ["NET-001", "NET-002", "NET-003"] {
        let report = report("net-003/cilium");
        let outcome = report.outcome(id).expect("the check is in the catalogue");
        assert_eq!(outcome.status, Status::NotAssessed, "{id}");
        let reason = outcome.reason.as_deref().unwrap();
        assert!(
            reason.contains("does not interpret CiliumNetworkPolicy"),
            "{reason}"
        );
    }
}

#[test]
fn net_004_fails_without_tls_or_with_uncovered_hosts() {
    let (status, failed, places) = outcome("net-004/fail", "NET-004");
    assert_eq!((status, failed), (Status::Fail, 2));
    assert_eq!(places, ["ingress.yaml:30", "ingress.yaml:6"]);
}

#[test]
fn net_004_passes_with_a_wildcard_certificate() {
    let (status, failed, _) = outcome("net-004/pass", "NET-004");
    assert_eq!((status, failed), (Status::Pass, 0));
}

#[test]
fn net_005_lists_exposed_services() {
    let report = report("net-005/fail");
    let outcome = report.outcome("NET-005").unwrap();
    assert_eq!(
        (outcome.status, outcome.failed, outcome.evaluated),
        (Status::Fail, 1, 2)
    );
    assert_eq!(outcome.findings[0].location.as_ref().unwrap().line, 7);
    assert_eq!(outcome.severity, rampart::model::Severity::Info);
}

#[test]
fn net_005_passes_for_cluster_ip() {
    let (status, failed, _) = outcome("net-005/pass", "NET-005");
    assert_eq!((status, failed), (Status::Pass, 0));
}

#[test]
fn net_006_fails_on_permissive_and_disabled_overrides() {
    let (status, failed, places) = outcome("net-006/fail", "NET-006");
    assert_eq!((status, failed), (Status::Fail, 2));
    assert_eq!(places, ["peer.yaml:17", "peer.yaml:32"]);
}

#[test]
fn net_006_fails_without_a_mesh_default_and_on_malformed_modes() {
    let msgs = messages("net-006/no-mesh-default", "NET-006");
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("`mtls` is not a mapping")));
    assert!(
        msgs.iter()
            .any(|m| m.contains("no mesh-wide PeerAuthentication"))
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("`STRICTEST` is not one Istio defines"))
    );
}

#[test]
fn net_006_passes_with_strict_mesh_default() {
    let (status, failed, _) = outcome("net-006/pass", "NET-006");
    assert_eq!((status, failed), (Status::Pass, 0));
}

#[test]
fn net_006_is_not_applicable_to_an_application_repository() {
    let (status, _, _) = outcome("net-006/app", "NET-006");
    assert_eq!(status, Status::NotApplicable);
}

#[test]
fn net_007_fails_on_host_network_and_host_port() {
    let (status, failed, places) = outcome("net-007/fail", "NET-007");
    assert_eq!((status, failed), (Status::Fail, 2));
    assert_eq!(places, ["pod.yaml:19", "pod.yaml:9"]);
}

#[test]
fn net_007_passes_without_host_networking() {
    let (status, failed, _) = outcome("net-007/pass", "NET-007");
    assert_eq!((status, failed), (Status::Pass, 0));
}

#[test]
fn net_012_fails_on_each_express_problem() {
    let report = report("net-012/fail");
    let outcome = report.outcome("NET-012").unwrap();
    assert_eq!((outcome.status, outcome.failed), (Status::Fail, 4));
    let found: Vec<(String, String)> = outcome
        .findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref().unwrap();
            (
                f.resource.part.clone().unwrap(),
                format!("{}:{}", l.path, l.line),
            )
        })
        .collect();
    let expected = [
        ("cors", "src/app.js:7"),
        ("rate limiting", "package.json:6"),
        ("security headers", "package.json:6"),
        ("token in query", "src/app.js:12"),
    ];
    for (part, place) in expected {
        assert!(
            found.contains(&(part.to_string(), place.to_string())),
            "{found:?}"
        );
    }
}

#[test]
fn net_012_passes_a_hardened_app_and_ignores_other_packages() {
    let (status, failed, places) = outcome("net-012/pass", "NET-012");
    assert_eq!((status, failed), (Status::Pass, 0), "{places:?}");
}

#[test]
fn net_012_is_not_applicable_without_express() {
    let (status, _, _) = outcome("net-012/none", "NET-012");
    assert_eq!(status, Status::NotApplicable);
}
