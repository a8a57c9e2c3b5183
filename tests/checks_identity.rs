//! Identity and access checks against real fixtures through the files source.

mod harness;

use rampart::checks::Status;
use rampart::report::Report;

fn report(fixture: &str) -> Report {
    let evidence = harness::files_evidence(&harness::fixture_path(&format!("identity/{fixture}")));
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

fn passes(fixture: &str, id: &str) {
    let (status, failed, places) = outcome(fixture, id);
    assert_eq!((status, failed), (Status::Pass, 0), "{id} {places:?}");
}

/// Every check: its failing fixture fails with these findings, its passing one passes.
#[test]
fn each_check_fails_and_passes_on_its_fixtures() {
    let cases: &[(&str, &[&str])] = &[
        ("IAM-001", &["bindings.yaml:12"]),
        ("IAM-002", &["rbac.yaml:21"]),
        ("IAM-003", &["rbac.yaml:20", "rbac.yaml:44"]),
        ("IAM-004", &["rbac.yaml:19"]),
        ("IAM-005", &["rbac.yaml:21"]),
        ("IAM-006", &["rbac.yaml:10"]),
        ("IAM-007", &["web.yaml:24", "web.yaml:11"]),
        ("IAM-013", &["rbac.yaml:42", "rbac.yaml:21"]),
        ("IAM-014", &["rbac.yaml:6"]),
        ("IAM-015", &["rbac.yaml:6"]),
    ];
    for (id, places) in cases {
        let dir = id.to_ascii_lowercase();
        let (status, failed, found) = outcome(&format!("{dir}/fail"), id);
        assert_eq!((status, failed), (Status::Fail, places.len()), "{id}");
        assert_eq!(found, *places, "{id}");
        passes(&format!("{dir}/pass"), id);
    }
}

#[test]
fn findings_name_binding_subject_and_rule() {
    let msgs = messages("iam-004/fail", "IAM-004");
    assert_eq!(
        msgs,
        [
            "ClusterRoleBinding ci-sudo grants ServiceAccount shop/app a way around RBAC \
          (escalate, bind or impersonate) through ClusterRole sudo rules[0]: impersonate on \
          serviceaccounts"
        ]
    );
    let report = report("iam-004/fail");
    let finding = &report.outcome("IAM-004").unwrap().findings[0];
    assert_eq!(
        finding.resource.part.as_deref(),
        Some("ServiceAccount shop/app")
    );
}

#[test]
fn system_subjects_and_default_bindings_are_left_alone() {
    // system:masters and a system: binding of a kube-system account hold cluster-admin.
    let msgs = messages("iam-001/fail", "IAM-001");
    assert_eq!(
        msgs,
        ["ClusterRoleBinding ops-admin grants User alice cluster-admin cluster-wide"]
    );
}

#[test]
fn secrets_are_judged_by_scope_and_resource_names() {
    let msgs = messages("iam-003/fail", "IAM-003");
    assert!(msgs[0].contains("in every namespace"), "{msgs:?}");
    assert!(
        msgs[1].contains("every secret of namespace `shop`"),
        "{msgs:?}"
    );
}

#[test]
fn an_aggregation_loop_ends_and_still_unions_rules() {
    let (status, failed, places) = outcome("iam-003/aggregation-loop", "IAM-003");
    assert_eq!((status, failed), (Status::Fail, 1));
    assert_eq!(places, ["rbac.yaml:41"]);
    assert!(messages("iam-003/aggregation-loop", "IAM-003")[0].contains("ClusterRole b"));
}

#[test]
fn a_binding_to_a_missing_role_is_listed_not_guessed() {
    let report = report("iam-015/fail");
    for id in [
        "IAM-001", "IAM-002", "IAM-003", "IAM-004", "IAM-005", "IAM-013",
    ] {
        assert_eq!(report.outcome(id).unwrap().status, Status::Pass, "{id}");
    }
    let listed = report.outcome("IAM-015").unwrap();
    assert_eq!(listed.severity, rampart::model::Severity::Info);
    assert_eq!(listed.failed, 1);
}

#[test]
fn bindings_of_only_system_subjects_are_not_applicable() {
    let report = report("system-only");
    let outcome = report.outcome("IAM-001").unwrap();
    assert_eq!(outcome.status, Status::NotApplicable);
    assert!(
        outcome
            .reason
            .as_deref()
            .unwrap()
            .contains("only system subjects")
    );
}

#[test]
fn iam_007_reads_the_service_account_object() {
    let msgs = messages("iam-007/fail", "IAM-007");
    assert_eq!(msgs[0], "Deployment shop/api mounts the API token of `api`");
    assert!(msgs[1].contains("`default` service account"));
}
