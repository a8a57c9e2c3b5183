//! Rampart audits its own image definition, deployment manifests and CI workflow.
//!
//! The files are copied from the repository into a fresh tree, with the repository's
//! `rampart.toml`, and scanned by the real binary. The manifests are fixed when this
//! fails, not the checks, unless a check is wrong.

mod harness;

use std::path::Path;

use harness::{Sandbox, Tree};
use serde_json::Value;

const DEPLOY: [&str; 4] = [
    "deploy/namespace.yaml",
    "deploy/rbac.yaml",
    "deploy/networkpolicy.yaml",
    "deploy/cronjob.yaml",
];

fn repository_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("read {}: {e}", full.display()))
}

fn audit(paths: &[&str]) -> Value {
    let contents: Vec<(&str, String)> = paths.iter().map(|p| (*p, repository_file(p))).collect();
    let files: Vec<(&str, &str)> = contents.iter().map(|(p, c)| (*p, c.as_str())).collect();
    let tree = Tree::new(&files);
    let outcome = Sandbox::new().run(tree.path(), &[tree.arg(), "--json"]);
    outcome.expect_code(0).expect_no_panic();
    serde_json::from_str(&outcome.stdout).expect("the JSON report parses")
}

fn check_ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|f| f["check_id"].as_str().expect("id").to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn deploy_and_dockerfile_have_no_high_finding_and_an_a_for_containers() {
    let mut paths = DEPLOY.to_vec();
    paths.extend(["Dockerfile", "rampart.toml"]);
    let json = audit(&paths);

    let serious: Vec<String> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "high" || f["severity"] == "critical")
        .map(|f| format!("{} {}", f["check_id"], f["message"]))
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");

    let containers = json["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .find(|a| a["key"] == "containers")
        .expect("the containers area");
    assert_eq!(containers["grade"], "A", "{containers}");
    // Everything the files can show was judged; only the daemon checks wait for Docker.
    for check in json["checks"].as_array().expect("checks") {
        if check["area"] == "containers" && check["status"] == "not-assessed" {
            let reason = check["reason"].as_str().unwrap_or("");
            assert!(reason.contains("docker source"), "{check}");
        }
    }

    // Every suppression is one that is written down with its reason; nothing else hides.
    assert_eq!(
        check_ids(&json["suppressed"]),
        ["CMP-001", "CTR-003", "IAM-007", "MON-001"]
    );
    for finding in json["suppressed"].as_array().expect("suppressed") {
        let reason = finding["suppression"]["reason"].as_str().expect("a reason");
        assert!(reason.len() > 20, "{reason}");
    }
}

#[test]
fn the_container_findings_are_all_gone_without_suppressions_but_one() {
    // With suppressions off, the only container finding is the deliberate HEALTHCHECK NONE.
    let mut paths = DEPLOY.to_vec();
    paths.push("Dockerfile");
    let contents: Vec<(&str, String)> = paths.iter().map(|p| (*p, repository_file(p))).collect();
    let files: Vec<(&str, &str)> = contents.iter().map(|(p, c)| (*p, c.as_str())).collect();
    let tree = Tree::new(&files);
    let outcome = Sandbox::new().run(tree.path(), &[tree.arg(), "--json", "--no-suppressions"]);
    let json: Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    let containers: Vec<String> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["area"] == "containers")
        .map(|f| f["check_id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(containers, ["CTR-003"]);
}

#[test]
fn the_ci_workflow_has_no_finding_of_its_own() {
    let json = audit(&[".github/workflows/rampart.yml"]);
    let own: Vec<String> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["location"]["path"] == ".github/workflows/rampart.yml")
        .map(|f| format!("{} {}", f["check_id"], f["message"]))
        .collect();
    assert!(own.is_empty(), "{own:#?}");
}
