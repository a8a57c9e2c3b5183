//! Baselines: a previous `--json` report classifies this run's findings by fingerprint,
//! through the real binary.

mod harness;

use harness::{
    CLEAN_DOCKERFILE, PRIVILEGED_DEPLOYMENT, ROOT_DOCKERFILE, Sandbox, Tree, UNPINNED_WORKFLOW,
};
use rampart::baseline;
use rampart::evidence::Evidence;
use rampart::report::{EvaluationSettings, Report};
use rampart::sources::files::FilesOptions;
use serde_json::Value;

/// Writes a baseline of `tree` into the sandbox and returns its path.
fn baseline_of(sandbox: &Sandbox, tree: &Tree) -> String {
    let path = sandbox.path().join("baseline.json");
    let path_arg = path.to_str().expect("UTF-8").to_string();
    sandbox
        .run(tree.path(), &[tree.arg(), "--json", "-o", &path_arg])
        .expect_code(0);
    path_arg
}

fn compare(sandbox: &Sandbox, tree: &Tree, baseline: &str, extra: &[&str]) -> (Value, i32) {
    let mut args = vec![tree.arg(), "--json", "--baseline", baseline];
    args.extend_from_slice(extra);
    let outcome = sandbox.run(tree.path(), &args);
    outcome.expect_no_panic();
    let json = serde_json::from_str(&outcome.stdout)
        .unwrap_or_else(|_| panic!("JSON expected:\n{}\n{}", outcome.stdout, outcome.stderr));
    (json, outcome.code)
}

/// The baseline state of the finding of `check`.
fn state(json: &Value, check: &str) -> String {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["check_id"] == check)
        .map(|f| f["baseline"].as_str().unwrap_or("null").to_string())
        .unwrap_or_else(|| "absent".to_string())
}

fn listed(json: &Value, list: &str) -> Vec<String> {
    let mut ids: Vec<String> = json["baseline"][list]
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| e["check_id"].as_str().expect("id").to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn findings_are_new_unchanged_or_fixed() {
    let sandbox = Sandbox::new();
    let before = Tree::new(&[
        ("deploy/web.yaml", PRIVILEGED_DEPLOYMENT),
        ("Dockerfile", ROOT_DOCKERFILE),
    ]);
    let baseline = baseline_of(&sandbox, &before);

    // The Dockerfile is fixed and an unpinned workflow arrives.
    let after = Tree::new(&[
        ("deploy/web.yaml", PRIVILEGED_DEPLOYMENT),
        ("Dockerfile", CLEAN_DOCKERFILE),
        (".github/workflows/ci.yml", UNPINNED_WORKFLOW),
    ]);
    let (json, code) = compare(&sandbox, &after, &baseline, &[]);
    assert_eq!(code, 0);
    assert_eq!(state(&json, "CTR-010"), "unchanged");
    assert_eq!(state(&json, "BLD-001"), "new");
    assert_eq!(state(&json, "CTR-001"), "absent");
    assert!(listed(&json, "fixed").contains(&"CTR-001".to_string()));
    assert!(listed(&json, "unknown").is_empty());
    assert!(json["baseline"]["new"].as_u64().expect("count") >= 1);
}

#[test]
fn a_moved_finding_is_unchanged() {
    let sandbox = Sandbox::new();
    let before = Tree::new(&[("deploy/web.yaml", PRIVILEGED_DEPLOYMENT)]);
    let baseline = baseline_of(&sandbox, &before);

    let moved = format!("# The shop's web tier.\n\n# Reviewed quarterly.\n{PRIVILEGED_DEPLOYMENT}");
    let after = Tree::new(&[("deploy/web.yaml", moved.as_str())]);
    let (json, _) = compare(&sandbox, &after, &baseline, &[]);
    assert_eq!(state(&json, "CTR-010"), "unchanged");
    assert!(listed(&json, "fixed").is_empty());
    assert_eq!(json["baseline"]["new"], 0);

    // The line did move: the location is not part of the identity.
    let old: Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).expect("read")).expect("JSON");
    let line = |j: &Value| {
        j["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["check_id"] == "CTR-010")
            .map(|f| f["location"]["line"].as_u64())
    };
    assert_ne!(line(&old), line(&json));
}

#[test]
fn a_renamed_resource_is_new_and_fixed() {
    let sandbox = Sandbox::new();
    let before = Tree::new(&[("deploy/web.yaml", PRIVILEGED_DEPLOYMENT)]);
    let baseline = baseline_of(&sandbox, &before);

    let renamed =
        PRIVILEGED_DEPLOYMENT.replace("name: web\n  namespace", "name: storefront\n  namespace");
    assert_ne!(renamed, PRIVILEGED_DEPLOYMENT);
    let after = Tree::new(&[("deploy/web.yaml", renamed.as_str())]);
    let (json, _) = compare(&sandbox, &after, &baseline, &[]);
    assert_eq!(state(&json, "CTR-010"), "new");
    assert!(listed(&json, "fixed").contains(&"CTR-010".to_string()));
}

#[test]
fn a_finding_whose_check_was_not_assessed_is_unknown_not_fixed() {
    let sandbox = Sandbox::new();
    let tree = Tree::new(&[("deploy/web.yaml", PRIVILEGED_DEPLOYMENT)]);
    let path = baseline_of(&sandbox, &tree);
    let baseline = baseline::load(std::path::Path::new(&path)).expect("loads");

    // This time the files source was not read: nothing can be judged.
    let (files, record) =
        rampart::sources::files::collect(tree.path(), &FilesOptions::default()).expect("read");
    let mut with_files = Evidence::new(time::OffsetDateTime::UNIX_EPOCH);
    with_files.files = Some(files);
    with_files.sources.push(record);
    let without_files = Evidence::new(time::OffsetDateTime::UNIX_EPOCH);

    let settings = EvaluationSettings {
        baseline: Some(baseline),
        ..EvaluationSettings::default()
    };
    let report = Report::evaluate(&without_files, &settings);
    let comparison = report.baseline.as_ref().expect("compared");
    assert!(comparison.fixed.is_empty());
    assert!(comparison.unknown.iter().any(|e| e.check_id == "CTR-010"));

    let report = Report::evaluate(&with_files, &settings);
    let comparison = report.baseline.as_ref().expect("compared");
    assert!(comparison.unknown.is_empty() && comparison.fixed.is_empty());
    assert_eq!(comparison.new, 0);
}

#[test]
fn fail_on_new_gates_only_new_findings() {
    let sandbox = Sandbox::new();
    let before = Tree::new(&[("deploy/web.yaml", PRIVILEGED_DEPLOYMENT)]);
    let baseline = baseline_of(&sandbox, &before);

    // Only old findings: --fail-on-new passes where --fail-on would not.
    let (_, code) = compare(&sandbox, &before, &baseline, &["--fail-on-new", "low"]);
    assert_eq!(code, 0);
    let (_, code) = compare(&sandbox, &before, &baseline, &["--fail-on", "critical"]);
    assert_eq!(code, 1);

    // A new high finding fails at high but not at critical.
    let after = Tree::new(&[
        ("deploy/web.yaml", PRIVILEGED_DEPLOYMENT),
        (".github/workflows/ci.yml", UNPINNED_WORKFLOW),
    ]);
    let (_, code) = compare(&sandbox, &after, &baseline, &["--fail-on-new", "high"]);
    assert_eq!(code, 1);
    let (_, code) = compare(&sandbox, &after, &baseline, &["--fail-on-new", "critical"]);
    assert_eq!(code, 0);
}

#[test]
fn a_suppressed_new_finding_does_not_fail_the_gate() {
    let sandbox = Sandbox::new();
    let before = Tree::new(&[("Dockerfile", CLEAN_DOCKERFILE)]);
    let baseline = baseline_of(&sandbox, &before);
    let after = Tree::new(&[
        ("Dockerfile", CLEAN_DOCKERFILE),
        ("deploy/web.yaml", PRIVILEGED_DEPLOYMENT),
        (
            "rampart.toml",
            "[[suppress]]\ncheck = \"CTR-010\"\nreason = \"accepted\"\n",
        ),
    ]);
    let (json, code) = compare(&sandbox, &after, &baseline, &["--fail-on-new", "critical"]);
    assert_eq!(code, 0);
    assert_eq!(json["suppressed"][0]["baseline"], "new");
}

#[test]
fn baseline_flags_need_a_baseline_and_a_readable_one() {
    let sandbox = Sandbox::new();
    let tree = Tree::new(&[("Dockerfile", ROOT_DOCKERFILE)]);
    for args in [&["--fail-on-new", "high"][..], &["--only-new"][..]] {
        let mut all = vec![tree.arg()];
        all.extend_from_slice(args);
        let outcome = sandbox.run(tree.path(), &all);
        outcome.expect_code(2);
        assert!(outcome.stderr.contains("--baseline"), "{}", outcome.stderr);
    }

    let missing = sandbox.run(tree.path(), &[tree.arg(), "--baseline", "nowhere.json"]);
    missing.expect_code(2);
    assert!(
        missing.stderr.contains("`nowhere.json`"),
        "{}",
        missing.stderr
    );

    let junk = sandbox.path().join("junk.json");
    std::fs::write(&junk, "{\"not\": \"a report\"}").expect("write");
    let junk = junk.to_str().expect("UTF-8");
    let outcome = sandbox.run(tree.path(), &[tree.arg(), "--baseline", junk]);
    outcome.expect_code(2);
    assert!(
        outcome.stderr.contains("not a Rampart JSON report"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn only_new_lists_only_new_findings_in_text_and_markdown() {
    let sandbox = Sandbox::new();
    let before = Tree::new(&[("deploy/web.yaml", PRIVILEGED_DEPLOYMENT)]);
    let baseline = baseline_of(&sandbox, &before);
    let after = Tree::new(&[
        ("deploy/web.yaml", PRIVILEGED_DEPLOYMENT),
        ("Dockerfile", ROOT_DOCKERFILE),
    ]);

    let text = sandbox.run(
        after.path(),
        &[after.arg(), "--baseline", &baseline, "--only-new"],
    );
    text.expect_code(0);
    assert!(text.stdout.contains("New findings"), "{}", text.stdout);
    assert!(text.stdout.contains("CTR-001"));
    assert!(!text.stdout.contains("CTR-010"), "{}", text.stdout);

    let markdown = sandbox.run(
        after.path(),
        &[
            after.arg(),
            "--baseline",
            &baseline,
            "--only-new",
            "--format",
            "markdown",
        ],
    );
    assert!(markdown.stdout.contains("CTR-001"));
    assert!(
        markdown
            .stdout
            .contains("unchanged since the baseline are not listed")
    );
    assert!(
        !markdown.stdout.contains("| critical | CTR-010"),
        "{}",
        markdown.stdout
    );
    assert!(markdown.stdout.contains("## Since the baseline"));

    // Without --only-new the unchanged finding is listed again.
    let all = sandbox.run(after.path(), &[after.arg(), "--baseline", &baseline]);
    assert!(all.stdout.contains("CTR-010"));
}

#[test]
fn a_report_from_another_schema_version_is_refused() {
    let text = "{\"schema_version\": 2, \"findings\": []}";
    let err = baseline::parse(text, "old.json").unwrap_err();
    assert!(
        err.contains("schema_version 2") && err.contains("`old.json`"),
        "{err}"
    );
}
