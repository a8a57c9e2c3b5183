//! The markdown, JSON and SARIF outputs on the bundled sample project: snapshots of each,
//! structural checks that do not depend on wording, and freshness of the JSON Schema.

use std::collections::BTreeMap;
use std::path::Path;

use rampart::evidence::{Evidence, SkippedFile, SourceRecord, SourceStatus};
use rampart::model::{Severity, SourceKind};
use rampart::output::json::{self, v1};
use rampart::output::{markdown, sarif};
use rampart::report::{EvaluationSettings, Report};
use rampart::sources::files::FilesOptions;
use serde_json::Value;
use time::macros::datetime;

const SCHEMA_PATH: &str = "docs/json-schema/report-v1.json";

/// The sample project evaluated at a fixed clock, with timings zeroed for determinism.
fn sample_report(settings: &EvaluationSettings) -> Report {
    let (files, mut record) = rampart::sources::files::collect(
        Path::new("examples/sample-project"),
        &FilesOptions::default(),
    )
    .expect("the sample project is readable");
    record.elapsed_ms = 0;

    let mut evidence = Evidence::new(datetime!(2026-01-15 09:30:00 UTC));
    evidence.files = Some(files);
    evidence.sources.push(record);

    let mut report = Report::evaluate(&evidence, settings);
    report.evaluation_ms = 0;
    report
}

fn default_report() -> Report {
    sample_report(&EvaluationSettings::default())
}

macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

#[test]
fn markdown_snapshot() {
    snapshot!("report.md", markdown::render(&default_report()));
}

#[test]
fn json_snapshot() {
    snapshot!("report.json", json::render(&default_report()).unwrap());
}

#[test]
fn sarif_snapshot() {
    snapshot!("report.sarif", sarif::render(&default_report()).unwrap());
}

#[test]
fn json_schema_is_current() {
    let generated = json::schema().unwrap();
    if std::env::var_os("RAMPART_BLESS").is_some() {
        std::fs::create_dir_all("docs/json-schema").unwrap();
        std::fs::write(SCHEMA_PATH, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(SCHEMA_PATH).unwrap_or_default();
    assert!(
        committed == generated,
        "`{SCHEMA_PATH}` is out of date with src/output/json.rs: regenerate it with \
         `RAMPART_BLESS=1 cargo test --test outputs json_schema_is_current` and commit it \
         (a change that is not additive needs a new schema version instead)"
    );
}

#[test]
fn json_output_parses_back_into_the_v1_structs() {
    let report = default_report();
    let text = json::render(&report).unwrap();

    // The structs deny unknown fields, so this fails if the output grows a field the
    // frozen shape does not declare.
    let parsed: v1::JsonReport = serde_json::from_str(&text).unwrap();

    assert_eq!(parsed, json::to_v1(&report));
    assert_eq!(parsed.schema_version, 1);
    assert_eq!(parsed.tool.name, "rampart");
    assert_eq!(parsed.clock, "2026-01-15T09:30:00Z");
    assert_eq!(parsed.areas.len(), 7);
    assert_eq!(parsed.checks.len(), report.outcomes.len());
    assert_eq!(parsed.findings.len(), report.findings().len());
}

#[test]
fn json_findings_respect_min_severity_but_grading_data_stays_complete() {
    let all = json::to_v1(&default_report());
    let settings = EvaluationSettings {
        min_severity: Some(Severity::Critical),
        ..Default::default()
    };
    let filtered = json::to_v1(&sample_report(&settings));

    assert!(
        all.findings
            .iter()
            .any(|f| f.severity != v1::Severity::Critical)
    );
    assert!(!filtered.findings.is_empty());
    assert!(
        filtered
            .findings
            .iter()
            .all(|f| f.severity == v1::Severity::Critical)
    );
    assert_eq!(filtered.min_severity, v1::Severity::Critical);

    // Counts, checks and grades do not depend on what is shown.
    assert_eq!(filtered.areas, all.areas);
    assert_eq!(filtered.checks, all.checks);
    assert_eq!(filtered.overall, all.overall);
}

#[test]
fn json_findings_are_most_severe_first() {
    let report = json::to_v1(&default_report());
    let rank = |s: v1::Severity| match s {
        v1::Severity::Critical => 0,
        v1::Severity::High => 1,
        v1::Severity::Medium => 2,
        v1::Severity::Low => 3,
        v1::Severity::Info => 4,
    };
    let ranks: Vec<_> = report.findings.iter().map(|f| rank(f.severity)).collect();
    let mut sorted = ranks.clone();
    sorted.sort_unstable();
    assert_eq!(ranks, sorted);
}

#[test]
fn sarif_has_one_result_per_located_finding() {
    let report = default_report();
    let log: Value = serde_json::from_str(&sarif::render(&report).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["$schema"], sarif::SARIF_SCHEMA);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();

    let located = report
        .findings()
        .iter()
        .filter(|f| f.location.is_some())
        .count();
    assert!(located > 0);
    assert_eq!(results.len(), located);
    assert_eq!(rules.len(), report.outcomes.len());

    for result in results {
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(
            rules[index]["id"], result["ruleId"],
            "ruleIndex points elsewhere"
        );
        let fingerprint = result["partialFingerprints"][sarif::FINGERPRINT_KEY]
            .as_str()
            .unwrap();
        assert_eq!(fingerprint.len(), 32);

        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        let uri = artifact["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/') && !uri.contains('\\'), "{uri}");
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    }
}

#[test]
fn sarif_rules_carry_what_code_scanning_reads() {
    let report = default_report();
    let log = sarif::log(&report);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();

    for (rule, outcome) in rules.iter().zip(&report.outcomes) {
        let check = outcome.check;
        assert_eq!(rule["id"], check.id);
        assert_eq!(rule["shortDescription"]["text"], check.title);
        assert_eq!(rule["fullDescription"]["text"], check.why);
        assert_eq!(rule["help"]["text"], check.remediation);
        let fence = format!("```{}\n", check.snippet.language);
        assert!(rule["help"]["markdown"].as_str().unwrap().contains(&fence));
        assert_eq!(
            rule["defaultConfiguration"]["level"],
            sarif::level(outcome.severity)
        );
        assert_eq!(rule["properties"]["tags"][1], check.area.key());
    }

    let ctr_010 = rules.iter().find(|r| r["id"] == "CTR-010").unwrap();
    assert_eq!(ctr_010["properties"]["security-severity"], "9.5");
    assert_eq!(ctr_010["defaultConfiguration"]["level"], "error");
}

#[test]
fn sarif_omits_findings_without_a_location() {
    let mut report = default_report();
    let before = report.findings().len();
    for outcome in &mut report.outcomes {
        for finding in &mut outcome.findings {
            finding.location = None;
        }
    }

    let log = sarif::log(&report);
    assert!(before > 0);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn markdown_shows_the_dockerfile_remediation_of_ctr_001() {
    let text = markdown::render(&default_report());
    let section = text
        .split("#### ")
        .find(|s| s.starts_with("CTR-001"))
        .expect("a remediation section for the failing CTR-001");
    assert!(section.contains("```dockerfile\n"), "{section}");
}

#[test]
fn markdown_says_why_an_area_is_not_assessed() {
    // A tree holding only a Dockerfile: nothing network-related applies.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.20\nUSER 10001\n",
    )
    .unwrap();
    let (files, record) =
        rampart::sources::files::collect(dir.path(), &FilesOptions::default()).unwrap();
    let mut evidence = Evidence::new(datetime!(2026-01-15 09:30:00 UTC));
    evidence.files = Some(files);
    evidence.sources.push(record);
    let text = markdown::render(&Report::evaluate(&evidence, &EvaluationSettings::default()));
    let network = text
        .split("\n## ")
        .find(|s| s.starts_with("Network"))
        .unwrap();
    assert!(network.contains("**Not assessed**:"), "{network}");
}

#[test]
fn markdown_table_cells_cannot_be_broken_by_evidence() {
    let mut report = default_report();
    let finding = report
        .outcomes
        .iter_mut()
        .flat_map(|o| &mut o.findings)
        .next()
        .unwrap();
    finding.resource.display = "web|evil\n| injected | row |\u{1b}[2J".to_string();

    let text = markdown::render(&report);
    assert!(text.contains("web\\|evil \\| injected \\| row \\|\\u{1b}[2J"));
    assert!(!text.contains('\u{1b}'));
    assert!(!text.lines().any(|l| l.starts_with("| injected")));
}

/// The sample project with an unreachable source, a skipped file, a warning and a
/// severity override, to exercise the parts of each output the plain sample leaves empty.
fn eventful_report() -> Report {
    let (mut files, mut record) = rampart::sources::files::collect(
        Path::new("examples/sample-project"),
        &FilesOptions::default(),
    )
    .expect("the sample project is readable");
    record.elapsed_ms = 0;
    files.skipped.push(SkippedFile {
        path: "deploy/broken|name.yaml".to_string(),
        reason: "not valid YAML: mapping values are not allowed here".to_string(),
    });

    let mut evidence = Evidence::new(datetime!(2026-01-15 09:30:00 UTC));
    evidence.files = Some(files);
    evidence.sources.push(record);
    evidence.sources.push(SourceRecord {
        kind: SourceKind::Kube,
        status: SourceStatus::Unavailable {
            reason: "no kubeconfig found".to_string(),
            fix: "set KUBECONFIG or pass --kubeconfig".to_string(),
        },
        target: String::new(),
        attempted: Vec::new(),
        denied: BTreeMap::new(),
        elapsed_ms: 0,
    });

    let settings = EvaluationSettings {
        severity_overrides: BTreeMap::from([("CTR-001".to_string(), Severity::Critical)]),
        min_severity: None,
        warnings: vec!["unknown key `colour` in rampart.toml: did you mean `theme`?".to_string()],
        ..Default::default()
    };
    let mut report = Report::evaluate(&evidence, &settings);
    report.evaluation_ms = 0;
    report
}

#[test]
fn json_carries_overrides_unavailable_sources_skipped_files_and_warnings() {
    let report = json::to_v1(&eventful_report());

    let ctr_001 = report.checks.iter().find(|c| c.id == "CTR-001").unwrap();
    assert_eq!(ctr_001.severity, v1::Severity::High);
    assert_eq!(ctr_001.effective_severity, v1::Severity::Critical);
    assert!(ctr_001.overridden);
    assert!(
        report
            .checks
            .iter()
            .filter(|c| c.id != "CTR-001")
            .all(|c| !c.overridden)
    );

    let kube = report
        .sources
        .iter()
        .find(|s| s.kind == v1::SourceKind::Kube)
        .unwrap();
    assert_eq!(kube.status.state, v1::SourceState::Unavailable);
    assert_eq!(
        kube.status.fix.as_deref(),
        Some("set KUBECONFIG or pass --kubeconfig")
    );
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.warnings.len(), 1);

    let text = serde_json::to_string(&report).unwrap();
    let parsed: v1::JsonReport = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed, report);
}

#[test]
fn markdown_lists_unavailable_sources_skipped_files_and_warnings() {
    let text = markdown::render(&eventful_report());

    assert!(text.contains(
        "| kube | unavailable |  | no kubeconfig found; fix: set KUBECONFIG or pass --kubeconfig |"
    ));
    assert!(text.contains("## Skipped files"));
    assert!(text.contains("| deploy/broken\\|name.yaml | not valid YAML"));
    assert!(text.contains("## Warnings\n\n- unknown key `colour` in rampart.toml"));
}

#[test]
fn sarif_levels_follow_the_overridden_severity() {
    let log = sarif::log(&eventful_report());
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let ctr_001 = rules.iter().find(|r| r["id"] == "CTR-001").unwrap();
    assert_eq!(ctr_001["properties"]["security-severity"], "9.5");
}
