//! Suppressions: `[[suppress]]` tables, `rampart/ignore` annotations and `# rampart:ignore`
//! comments, through the real files source and the real binary.

mod harness;

use harness::{CLEAN_DOCKERFILE, PRIVILEGED_DEPLOYMENT, ROOT_DOCKERFILE, Sandbox, Tree};
use rampart::evidence::Evidence;
use rampart::model::{Area, SuppressionKind};
use rampart::report::{EvaluationSettings, Report};
use rampart::sources::files::FilesOptions;
use rampart::suppress::Rule;
use serde_json::Value;
use time::macros::{date, datetime};

fn json_run(tree: &Tree, extra: &[&str]) -> (Value, harness::Outcome) {
    let sandbox = Sandbox::new();
    let mut args = vec![tree.arg(), "--json"];
    args.extend_from_slice(extra);
    let outcome = sandbox.run(tree.path(), &args);
    outcome.expect_no_panic();
    let value = serde_json::from_str(&outcome.stdout).unwrap_or(Value::Null);
    (value, outcome)
}

fn ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> = list
        .as_array()
        .expect("an array")
        .iter()
        .map(|f| f["check_id"].as_str().expect("a check id").to_string())
        .collect();
    ids.sort();
    ids
}

fn has(list: &Value, id: &str) -> bool {
    ids(list).iter().any(|i| i == id)
}

fn suppress_toml(check: &str, resource: &str) -> String {
    format!("[[suppress]]\ncheck = \"{check}\"\nresource = \"{resource}\"\nreason = \"accepted\"\n")
}

#[test]
fn namespace_kind_name_globs_match_kubernetes_objects() {
    for (pattern, matches) in [
        ("shop/Deployment/w*", true),
        ("shop/Deployment/web/web", true),
        ("*/Deployment/*", true),
        ("shop/Deployment/api*", false),
        ("other/Deployment/web", false),
        ("shop/*", false),
    ] {
        let tree = Tree::new(&[
            ("deploy/web.yaml", PRIVILEGED_DEPLOYMENT),
            ("rampart.toml", &suppress_toml("CTR-010", pattern)),
        ]);
        let (json, outcome) = json_run(&tree, &[]);
        outcome.expect_code(0);
        assert_eq!(has(&json["suppressed"], "CTR-010"), matches, "{pattern}");
        assert_eq!(has(&json["findings"], "CTR-010"), !matches, "{pattern}");
    }
}

#[test]
fn file_path_globs_and_full_ids_match() {
    for (pattern, matches) in [
        ("deploy/*.yaml", true),
        ("deploy/**", true),
        ("file/deploy/web.yaml", true),
        ("file/deploy/web.yaml#apps/Deployment/shop/web/web", true),
        ("*.yaml", false),
        ("k8s/**", false),
    ] {
        let tree = Tree::new(&[
            ("deploy/web.yaml", PRIVILEGED_DEPLOYMENT),
            ("rampart.toml", &suppress_toml("CTR-010", pattern)),
        ]);
        let (json, _) = json_run(&tree, &[]);
        assert_eq!(has(&json["suppressed"], "CTR-010"), matches, "{pattern}");
    }
}

#[test]
fn a_suppression_covers_only_its_own_check() {
    let tree = Tree::new(&[
        ("deploy/web.yaml", PRIVILEGED_DEPLOYMENT),
        ("rampart.toml", &suppress_toml("CTR-010", "**")),
    ]);
    let (json, _) = json_run(&tree, &[]);
    assert_eq!(ids(&json["suppressed"]), ["CTR-010"]);
    assert!(has(&json["findings"], "CTR-012"), "other checks still fail");
}

fn evidence_of(tree: &Tree, clock: time::OffsetDateTime) -> Evidence {
    let (files, record) =
        rampart::sources::files::collect(tree.path(), &FilesOptions::default()).expect("readable");
    let mut evidence = Evidence::new(clock);
    evidence.files = Some(files);
    evidence.sources.push(record);
    evidence
}

fn rule(expires: Option<time::Date>) -> Rule {
    Rule {
        check: "CTR-010".to_string(),
        resource: Some("shop/Deployment/web".to_string()),
        reason: "raw sockets until the migration".to_string(),
        expires,
        origin: "test [[suppress]] #1".to_string(),
    }
}

#[test]
fn expiry_is_judged_against_the_evidence_clock() {
    let tree = Tree::new(&[("deploy/web.yaml", PRIVILEGED_DEPLOYMENT)]);
    let evidence = evidence_of(&tree, datetime!(2027-03-31 23:00 UTC));

    // The last day named still holds.
    let settings = EvaluationSettings {
        suppressions: vec![rule(Some(date!(2027 - 03 - 31)))],
        ..EvaluationSettings::default()
    };
    let report = Report::evaluate(&evidence, &settings);
    assert_eq!(report.suppressed.len(), 1);
    assert!(
        report
            .outcome("CTR-010")
            .expect("in catalogue")
            .findings
            .is_empty()
    );

    // The day before the clock has passed: the finding resurfaces and says why.
    let settings = EvaluationSettings {
        suppressions: vec![rule(Some(date!(2027 - 03 - 30)))],
        ..EvaluationSettings::default()
    };
    let report = Report::evaluate(&evidence, &settings);
    assert!(report.suppressed.is_empty());
    let outcome = report.outcome("CTR-010").expect("in catalogue");
    assert_eq!(outcome.failed, 1);
    let note = outcome.findings[0].suppression.as_ref().expect("a note");
    assert!(note.expired);
    assert_eq!(note.expires.as_deref(), Some("2027-03-30"));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("expired on 2027-03-30")),
        "{:?}",
        report.warnings
    );
    let text = rampart::output::render(&report, rampart::cli::Format::Text).expect("renders");
    assert!(text.contains("suppression expired 2027-03-30"), "{text}");
}

#[test]
fn expired_suppressions_resurface_through_the_binary() {
    // The clock of a real run is now; a date long past has expired, one far ahead holds.
    for (expires, suppressed) in [("2001-01-01", false), ("2999-12-31", true)] {
        let config = format!(
            "[[suppress]]\ncheck = \"CTR-010\"\nreason = \"accepted\"\nexpires = {expires}\n"
        );
        let tree = Tree::new(&[
            ("deploy/web.yaml", PRIVILEGED_DEPLOYMENT),
            ("rampart.toml", &config),
        ]);
        let (json, outcome) = json_run(&tree, &["--fail-on", "critical"]);
        outcome.expect_code(if suppressed { 0 } else { 1 });
        assert_eq!(has(&json["suppressed"], "CTR-010"), suppressed);
        if !suppressed {
            let finding = json["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .find(|f| f["check_id"] == "CTR-010")
                .expect("resurfaced");
            assert_eq!(finding["suppression"]["expired"], true);
        }
    }
}

#[test]
fn suppressing_raises_the_score_and_outputs_list_it_as_suppressed() {
    let tree = Tree::new(&[
        ("deploy/web.yaml", PRIVILEGED_DEPLOYMENT),
        (
            "rampart.toml",
            &suppress_toml("CTR-010", "shop/Deployment/web"),
        ),
    ]);
    let evidence = evidence_of(&tree, datetime!(2026-06-01 00:00 UTC));
    let plain = Report::evaluate(&evidence, &EvaluationSettings::default());
    let settings = EvaluationSettings {
        suppressions: vec![rule(None)],
        ..EvaluationSettings::default()
    };
    let suppressed = Report::evaluate(&evidence, &settings);
    let score = |r: &Report| {
        r.scores
            .area(Area::Containers)
            .and_then(|a| a.mark.score())
            .expect("containers graded")
    };
    assert!(
        score(&suppressed) > score(&plain),
        "{} vs {}",
        score(&suppressed),
        score(&plain)
    );
    assert!(
        !suppressed.scores.capped,
        "the critical no longer caps the grade"
    );
    assert!(plain.scores.capped);

    // Every output shows it as suppressed.
    let sandbox = Sandbox::new();
    let markdown = sandbox.run(tree.path(), &[tree.arg(), "--format", "markdown"]);
    assert!(
        markdown.stdout.contains("## Suppressed"),
        "{}",
        markdown.stdout
    );
    assert!(markdown.stdout.contains("| critical | CTR-010 |"));
    let text = sandbox.run(tree.path(), &[tree.arg()]);
    assert!(
        text.stdout.contains("[suppressed: accepted]"),
        "{}",
        text.stdout
    );
    let sarif = sandbox.run(tree.path(), &[tree.arg(), "--format", "sarif"]);
    let log: Value = serde_json::from_str(&sarif.stdout).expect("SARIF is JSON");
    let results = log["runs"][0]["results"].as_array().expect("results");
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "CTR-010")
        .expect("suppressed results stay in SARIF");
    assert_eq!(result["suppressions"][0]["kind"], "external");
    assert_eq!(result["suppressions"][0]["justification"], "accepted");
    let (json, _) = json_run(&tree, &[]);
    let entry = &json["suppressed"][0];
    assert_eq!(entry["suppression"]["kind"], "config");
    assert_eq!(entry["suppression"]["reason"], "accepted");
    let checks = json["checks"].as_array().expect("checks");
    let ctr010 = checks
        .iter()
        .find(|c| c["id"] == "CTR-010")
        .expect("listed");
    assert_eq!(ctr010["status"], "pass");
    assert_eq!(ctr010["failed"], 0);
}

#[test]
fn no_suppressions_shows_everything() {
    let tree = Tree::new(&[
        ("deploy/web.yaml", PRIVILEGED_DEPLOYMENT),
        (
            "Dockerfile",
            "# rampart:ignore CTR-001 builder image\nFROM debian:12\n",
        ),
        ("rampart.toml", &suppress_toml("CTR-010", "**")),
    ]);
    let (json, outcome) = json_run(&tree, &["--no-suppressions", "--fail-on", "critical"]);
    outcome.expect_code(1);
    assert!(json["suppressed"].as_array().expect("array").is_empty());
    assert!(has(&json["findings"], "CTR-010"));
    assert!(has(&json["findings"], "CTR-001"));
}

const ANNOTATED: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      annotations:
        rampart/ignore: \"CTR-010, CTR-012 the capture agent needs raw sockets\"
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0.0
          securityContext:
            privileged: true
";

#[test]
fn annotations_suppress_the_object_with_their_reason() {
    let tree = Tree::new(&[("deploy/web.yaml", ANNOTATED)]);
    let evidence = evidence_of(&tree, datetime!(2026-06-01 00:00 UTC));
    let report = Report::evaluate(&evidence, &EvaluationSettings::default());
    let mut suppressed: Vec<&str> = report
        .suppressed
        .iter()
        .map(|f| f.check_id.as_str())
        .collect();
    suppressed.sort_unstable();
    assert_eq!(suppressed, ["CTR-010", "CTR-012"]);
    let note = report.suppressed[0].suppression.as_ref().expect("note");
    assert_eq!(note.kind, SuppressionKind::Annotation);
    assert_eq!(note.reason, "the capture agent needs raw sockets");
    assert!(
        report.outcome("CTR-011").expect("listed").failed > 0,
        "unnamed checks still fail"
    );

    // The same object without the annotation is not suppressed.
    let tree = Tree::new(&[("deploy/web.yaml", PRIVILEGED_DEPLOYMENT)]);
    let report = Report::evaluate(
        &evidence_of(&tree, datetime!(2026-06-01 00:00 UTC)),
        &EvaluationSettings::default(),
    );
    assert!(report.suppressed.is_empty());
}

#[test]
fn comments_suppress_the_line_above_or_the_same_line() {
    let above = "# rampart:ignore CTR-001 a build stage that runs only in CI\nFROM debian:12\n";
    let stacked = "# rampart:ignore CTR-001 a build stage that runs only in CI\n\
                   # rampart:ignore CTR-005 another reason\nFROM debian:12\n";
    let elsewhere = "FROM debian:12\n# rampart:ignore CTR-001 too far away\nRUN true\n";
    // Docker has no trailing comments, so a Dockerfile's are whole lines.
    for (text, suppressed) in [(above, true), (stacked, true), (elsewhere, false)] {
        let tree = Tree::new(&[("Dockerfile", text)]);
        let (json, _) = json_run(&tree, &[]);
        assert_eq!(has(&json["suppressed"], "CTR-001"), suppressed, "{text}");
        if suppressed {
            let note = &json["suppressed"][0]["suppression"];
            assert_eq!(note["kind"], "comment");
            assert_eq!(note["reason"], "a build stage that runs only in CI");
            let sarif = Sandbox::new().run(tree.path(), &[tree.arg(), "--format", "sarif"]);
            assert!(sarif.stdout.contains("\"inSource\""), "{}", sarif.stdout);
        }
    }
}

#[test]
fn comments_work_in_yaml_manifests_above_or_on_the_line() {
    let above = PRIVILEGED_DEPLOYMENT.replace(
        "        - name: web\n",
        "        # rampart:ignore CTR-010 reviewed by security\n        - name: web\n",
    );
    let same = PRIVILEGED_DEPLOYMENT.replace(
        "        - name: web\n",
        "        - name: web # rampart:ignore CTR-010 reviewed by security\n",
    );
    let below = PRIVILEGED_DEPLOYMENT.replace(
        "            privileged: true\n",
        "            privileged: true\n            # rampart:ignore CTR-010 reviewed by security\n",
    );
    for (yaml, suppressed) in [(above, true), (same, true), (below, false)] {
        let tree = Tree::new(&[("deploy/web.yaml", yaml.as_str())]);
        let (json, _) = json_run(&tree, &[]);
        assert_eq!(has(&json["suppressed"], "CTR-010"), suppressed, "{yaml}");
    }
}

#[test]
fn a_suppression_without_reason_is_refused_with_a_warning() {
    let tree = Tree::new(&[("Dockerfile", "# rampart:ignore CTR-001\nFROM debian:12\n")]);
    let (json, _) = json_run(&tree, &[]);
    assert!(has(&json["findings"], "CTR-001"));
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("Dockerfile:1") && warnings.contains("no reason"),
        "{warnings}"
    );

    let yaml = PRIVILEGED_DEPLOYMENT.replace(
        "  namespace: shop\n",
        "  namespace: shop\n  annotations:\n    rampart/ignore: CTR-010\n",
    );
    let tree = Tree::new(&[("deploy/web.yaml", yaml.as_str())]);
    let (json, _) = json_run(&tree, &[]);
    assert!(has(&json["findings"], "CTR-010"));
    assert!(json["warnings"].to_string().contains("no reason"));
}

#[test]
fn unknown_check_ids_are_warnings() {
    let tree = Tree::new(&[
        ("Dockerfile", CLEAN_DOCKERFILE),
        ("rampart.toml", &suppress_toml("XYZ-999", "**")),
    ]);
    let (json, outcome) = json_run(&tree, &[]);
    outcome.expect_code(0);
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("[[suppress]] #1") && warnings.contains("`XYZ-999`"),
        "{warnings}"
    );
}

#[test]
fn malformed_suppress_tables_exit_2_naming_table_and_key() {
    let cases = [
        (
            "[[suppress]]\nresource = \"**\"\nreason = \"x\"\n",
            "`check`",
        ),
        ("[[suppress]]\ncheck = \"CTR-001\"\n", "`reason`"),
        (
            "[[suppress]]\ncheck = \"CTR-001\"\nreason = \"  \"\n",
            "`reason`",
        ),
        (
            "[[suppress]]\ncheck = \"CTR-001\"\nreason = \"x\"\nexpires = \"31/03/2027\"\n",
            "`expires`",
        ),
        (
            "[[suppress]]\ncheck = \"CTR-001\"\nreason = \"x\"\nresource = \"a[\"\n",
            "`resource`",
        ),
    ];
    for (toml, key) in cases {
        let config = format!("[[suppress]]\ncheck = \"CTR-010\"\nreason = \"fine\"\n\n{toml}");
        let tree = Tree::new(&[("Dockerfile", ROOT_DOCKERFILE), ("rampart.toml", &config)]);
        let outcome = Sandbox::new().run(tree.path(), &[tree.arg()]);
        outcome.expect_code(2).expect_no_panic();
        assert!(
            outcome.stderr.contains("[[suppress]] #2") && outcome.stderr.contains(key),
            "{key}: {}",
            outcome.stderr
        );
    }
}

#[test]
fn a_wrongly_typed_key_names_line_and_column() {
    let tree = Tree::new(&[
        ("Dockerfile", ROOT_DOCKERFILE),
        ("rampart.toml", "[[suppress]]\ncheck = 10\nreason = \"x\"\n"),
    ]);
    let outcome = Sandbox::new().run(tree.path(), &[tree.arg()]);
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("line 2"), "{}", outcome.stderr);
}

#[test]
fn inline_comments_survive_a_saved_evidence_bundle() {
    let tree = Tree::new(&[(
        "Dockerfile",
        "# rampart:ignore CTR-001 a build stage that runs only in CI\nFROM debian:12\n",
    )]);
    let sandbox = Sandbox::new();
    let bundle = sandbox.path().join("bundle.json");
    let bundle = bundle.to_str().expect("UTF-8");
    sandbox
        .run(tree.path(), &[tree.arg(), "--save-evidence", bundle])
        .expect_code(0);
    let outcome = sandbox.run(sandbox.path(), &["--evidence", bundle, "--json"]);
    outcome.expect_code(0);
    let json: Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    assert!(has(&json["suppressed"], "CTR-001"), "{json}");
}

#[test]
fn suppressing_any_one_finding_never_lowers_a_score() {
    let tree = Tree::new(&[
        ("deploy/web.yaml", PRIVILEGED_DEPLOYMENT),
        ("Dockerfile", ROOT_DOCKERFILE),
        (".github/workflows/ci.yml", harness::UNPINNED_WORKFLOW),
    ]);
    let evidence = evidence_of(&tree, datetime!(2026-06-01 00:00 UTC));
    let plain = Report::evaluate(&evidence, &EvaluationSettings::default());
    let findings: Vec<_> = plain.all_findings().into_iter().cloned().collect();
    assert!(findings.len() > 5, "a tree with several findings");

    for finding in &findings {
        // The full id is matched exactly even where it holds glob syntax (`steps[0]`).
        let settings = EvaluationSettings {
            suppressions: vec![Rule {
                check: finding.check_id.clone(),
                resource: Some(finding.resource.id()),
                reason: "accepted".to_string(),
                expires: None,
                origin: "test".to_string(),
            }],
            ..EvaluationSettings::default()
        };
        let report = Report::evaluate(&evidence, &settings);
        assert_eq!(report.suppressed.len(), 1, "{}", finding.resource.id());
        for (before, after) in plain.scores.areas.iter().zip(&report.scores.areas) {
            let (b, a) = (before.mark.score(), after.mark.score());
            assert!(a >= b, "{:?} fell from {b:?} to {a:?}", before.area);
        }
        assert!(report.scores.overall.score() >= plain.scores.overall.score());
    }
}
