//! The bundled `--demo` evidence: built from the sample project and the recorded parts of
//! the other sources, and kept current by this test (`RAMPART_BLESS=1` rewrites it).

use rampart::evidence::{Evidence, SourceRecord};
use rampart::model::{Area, SourceKind};
use rampart::report::{EvaluationSettings, Report};
use rampart::sources::files::{FilesOptions, collect};
use serde_json::Value;
use time::macros::datetime;

/// The recorded part of one source: its evidence under `key` and its record.
fn fragment(path: &str, key: &str) -> (Value, SourceRecord) {
    let text = std::fs::read_to_string(path).expect("the fragment is committed");
    let mut value: Value = serde_json::from_str(&text).expect("the fragment is JSON");
    let evidence = value[key].take();
    let record = serde_json::from_value(value["source"].take()).expect("a source record");
    (evidence, record)
}

fn build_demo() -> Evidence {
    let (files, mut record) = collect(
        std::path::Path::new("examples/sample-project"),
        &FilesOptions::default(),
    )
    .expect("the sample project is readable");
    record.elapsed_ms = 0;
    let mut evidence = Evidence::new(datetime!(2026-12-01 09:00:00 UTC));
    evidence.files = Some(files);
    evidence.sources.push(record);

    let (kube, record) = fragment("tests/fixtures/kube/demo-kube.json", "kube");
    evidence.kube = Some(serde_json::from_value(kube).expect("kube evidence"));
    evidence.sources.push(record);
    let (docker, record) = fragment("tests/fixtures/docker/demo-docker.json", "docker");
    evidence.docker = Some(serde_json::from_value(docker).expect("docker evidence"));
    evidence.sources.push(record);
    let (github, record) = fragment("tests/fixtures/github/demo-github.json", "github");
    evidence.github = Some(serde_json::from_value(github).expect("github evidence"));
    evidence.sources.push(record);
    evidence
}

#[test]
fn demo_bundle_is_current() {
    let generated = build_demo().to_json().expect("serialisable") + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/evidence.json");
    if std::env::var_os("RAMPART_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("the demo bundle can be written");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "demo/evidence.json is stale: run `RAMPART_BLESS=1 cargo test --test demo` and commit it"
    );
}

#[test]
fn demo_shows_every_source_and_grades_every_area() {
    let evidence = Evidence::from_json(rampart::run::DEMO_EVIDENCE).expect("the demo loads");
    for kind in SourceKind::ALL {
        assert!(evidence.has(kind), "the demo lacks the {kind} source");
    }
    let report = Report::evaluate(&evidence, &EvaluationSettings::default());
    for area in Area::ALL {
        let score = report.scores.area(area).expect("every area is scored");
        assert!(
            score.mark.grade().is_some(),
            "{area} is not graded in the demo: {score:?}"
        );
    }
    for kind in SourceKind::ALL {
        assert!(
            report.all_findings().iter().any(|f| f.source == kind),
            "no finding from the {kind} source in the demo"
        );
    }
}
