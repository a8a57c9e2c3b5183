//! Docker checks on recorded Engine JSON: the demo fragment (inspect data in the shape of
//! Engine API 1.47, written from the API reference) fails the daemon checks, and a
//! hardened variant of it passes them. The live-daemon tests are in tests/docker.rs.

use std::collections::BTreeSet;

use rampart::checks::Status;
use rampart::evidence::{DockerEvidence, Evidence, SourceRecord};
use rampart::report::{EvaluationSettings, Report};
use serde_json::{Value, json};
use time::macros::datetime;

const FRAGMENT: &str = include_str!("fixtures/docker/demo-docker.json");

fn fragment() -> Value {
    serde_json::from_str(FRAGMENT).expect("fragment is JSON")
}

fn evaluate(fragment: &Value) -> Report {
    let mut evidence = Evidence::new(datetime!(2026-12-03 12:00 UTC));
    let docker: DockerEvidence =
        serde_json::from_value(fragment["docker"].clone()).expect("DockerEvidence");
    let record: SourceRecord =
        serde_json::from_value(fragment["source"].clone()).expect("SourceRecord");
    evidence.docker = Some(docker);
    evidence.sources.push(record);
    Report::evaluate(&evidence, &EvaluationSettings::default())
}

fn status(report: &Report, id: &str) -> Status {
    report
        .outcomes
        .iter()
        .find(|o| o.check.id == id)
        .unwrap_or_else(|| panic!("{id} is in the catalogue"))
        .status
}

fn failing_on(report: &Report, container: &str) -> BTreeSet<String> {
    report
        .outcomes
        .iter()
        .flat_map(|o| &o.findings)
        .filter(|f| {
            f.resource
                .display
                .starts_with(&format!("container {container} ("))
        })
        .map(|f| f.check_id.clone())
        .collect()
}

#[test]
fn the_demo_daemon_fails_every_daemon_check_it_should() {
    let report = evaluate(&fragment());
    for id in [
        "CTR-030", "CTR-032", "CTR-033", "CTR-034", "MON-007", "NET-009", "NET-010",
    ] {
        assert_eq!(status(&report, id), Status::Fail, "{id}");
    }
    assert_eq!(
        status(&report, "CTR-031"),
        Status::Pass,
        "seccomp builtin is active"
    );
    let finding = report
        .outcomes
        .iter()
        .flat_map(|o| &o.findings)
        .find(|f| f.check_id == "CTR-034")
        .expect("CTR-034 finding");
    assert!(finding.message.contains("24.0.7"), "{}", finding.message);
    assert_eq!(
        finding.resource.display,
        "Docker daemon at tcp://build-host.internal:2375"
    );
}

#[test]
fn a_hardened_daemon_passes_them() {
    let mut f = fragment();
    let d = &mut f["docker"];
    d["endpoint"] = json!("unix:///var/run/docker.sock");
    d["version"]["Version"] = json!("29.1.0");
    let info = &mut d["info"];
    info["SecurityOptions"] = json!(["name=seccomp,profile=builtin", "name=userns"]);
    info["RegistryConfig"]["InsecureRegistryCIDRs"] = json!(["127.0.0.0/8", "::1/128"]);
    info["RegistryConfig"]["IndexConfigs"] = json!({});
    info["LiveRestoreEnabled"] = json!(true);
    info["ExperimentalBuild"] = json!(false);
    info["Plugins"]["Authorization"] = json!(["opa-docker-authz"]);
    info["LoggingDriver"] = json!("syslog");
    info["Warnings"] = json!([]);
    d["networks"][0]["Options"]["com.docker.network.bridge.enable_icc"] = json!("false");
    let report = evaluate(&f);
    for id in [
        "CTR-030", "CTR-031", "CTR-032", "CTR-033", "CTR-034", "MON-007", "NET-009", "NET-010",
    ] {
        assert_eq!(status(&report, id), Status::Pass, "{id}");
    }

    // Without seccomp in the daemon's options, CTR-031 fails.
    f["docker"]["info"]["SecurityOptions"] = json!(["name=userns"]);
    assert_eq!(status(&evaluate(&f), "CTR-031"), Status::Fail);
}

#[test]
fn containers_from_newer_engine_json_are_judged_like_pods() {
    let report = evaluate(&fragment());
    let runner = failing_on(&report, "ci-runner");
    for id in [
        "CTR-010", "CTR-011", "CTR-015", "CTR-016", "CTR-017", "CTR-022",
    ] {
        assert!(
            runner.contains(id),
            "ci-runner should fail {id}: {runner:?}"
        );
    }
    let cache = failing_on(&report, "cache");
    for id in ["CTR-021", "NET-007", "CTR-024"] {
        assert!(cache.contains(id), "cache should fail {id}: {cache:?}");
    }
    let nginx = failing_on(&report, "edge-nginx");
    for id in ["NET-008", "CTR-020", "CTR-022"] {
        assert!(nginx.contains(id), "edge-nginx should fail {id}: {nginx:?}");
    }
    let shop = failing_on(&report, "shop-api");
    let container_checks: BTreeSet<_> = shop.iter().filter(|id| !id.starts_with("SEC-")).collect();
    assert!(
        container_checks.is_empty(),
        "the hardened shop-api container passes every container check: {shop:?}"
    );
    // Its password is a literal environment value: the secrets area judges Docker too.
    assert!(shop.contains("SEC-003"), "{shop:?}");

    // A health check is all Docker has for probes: shop-api has one, the others none.
    assert!(!shop.contains("MON-006"), "{shop:?}");
    assert!(runner.contains("MON-006"), "{runner:?}");
    let message = report
        .outcomes
        .iter()
        .flat_map(|o| &o.findings)
        .find(|f| f.check_id == "MON-006")
        .map(|f| f.message.clone())
        .expect("a MON-006 finding");
    assert!(message.contains("no health check"), "{message}");
    assert!(!message.contains("readiness"), "{message}");
}

#[test]
fn hostile_names_and_enormous_environments_do_not_break_evaluation() {
    let mut f = fragment();
    let container = &mut f["docker"]["containers"][1];
    container["Name"] = json!("/evil\u{1b}]0;owned\u{7}\u{1b}[31mname");
    let env: Vec<String> = (0..20_000).map(|i| format!("VAR_{i}=value-{i}")).collect();
    container["Config"]["Env"] = json!(env);
    f["docker"]["images"][3]["inspect"]["RepoTags"] = json!([]);
    let report = evaluate(&f);
    let displays: Vec<&str> = report
        .outcomes
        .iter()
        .flat_map(|o| &o.findings)
        .map(|f| f.resource.display.as_str())
        .collect();
    assert!(displays.iter().any(|d| d.starts_with("container evil")));
    assert!(
        displays
            .iter()
            .all(|d| !d.contains('\u{1b}') && !d.contains('\u{7}'))
    );
}

/// SEC-002's findings on images, as `(resource display, message, evidence)`.
fn image_secrets(report: &Report) -> Vec<(String, String, String)> {
    report
        .outcomes
        .iter()
        .flat_map(|o| &o.findings)
        .filter(|f| f.check_id == "SEC-002")
        .map(|f| {
            assert_eq!(f.source, rampart::model::SourceKind::Docker);
            (
                f.resource.display.clone(),
                f.message.clone(),
                f.evidence.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn secrets_in_an_image_config_and_history_fail_sec_002_by_name() {
    let report = evaluate(&fragment());
    assert_eq!(status(&report, "SEC-002"), Status::Fail);
    let found = image_secrets(&report);
    let runner = "image registry.example.com/ci/runner:2.4 (527aa9f43153)";
    let displays: Vec<&str> = found.iter().map(|(d, _, _)| d.as_str()).collect();
    assert_eq!(
        displays,
        [
            format!("{runner}, ARG NPM_TOKEN"),
            format!("{runner}, ENV RUNNER_TOKEN")
        ],
        "one finding per variable, on the runner image only"
    );
    let (_, arg_message, arg_evidence) = &found[0];
    assert!(
        arg_message.contains("build argument `NPM_TOKEN`"),
        "{arg_message}"
    );
    assert!(
        arg_evidence.starts_with("RUN |1 NPM_TOKEN=[redacted generic-secret, 36 chars, #"),
        "the redacted history line is the evidence: {arg_evidence}"
    );
    let (_, env_message, env_evidence) = &found[1];
    assert!(env_message.contains("ENV `RUNNER_TOKEN`"), "{env_message}");
    assert!(
        env_message.starts_with(runner),
        "messages name the image: {env_message}"
    );
    assert!(env_evidence.starts_with("ENV RUNNER_TOKEN=[redacted generic-secret, 40 chars, #"));
}

#[test]
fn images_without_secrets_pass_sec_002_and_unredacted_values_are_never_shown() {
    let mut f = fragment();
    let runner = &mut f["docker"]["images"][1];
    runner["inspect"]["Config"]["Env"] =
        json!(["RUNNER_TOKEN=", "MODE=prod", "API_TOKEN=changeme"]);
    runner["history"] = json!([
        {"CreatedBy": "RUN |2 MODE=prod VERSION=2.4 /bin/sh -c npm ci # buildkit"},
        {"CreatedBy": "ARG NPM_TOKEN"},
        {"CreatedBy": "ENV RUNNER_TOKEN="}
    ]);
    let report = evaluate(&f);
    assert_eq!(
        status(&report, "SEC-002"),
        Status::Pass,
        "{:?}",
        image_secrets(&report)
    );

    // A bundle written without Rampart's redaction still fails, and still shows no value.
    let value = format!("hunter2-{}", "q7".repeat(8));
    let runner = &mut f["docker"]["images"][1];
    runner["inspect"]["Config"]["Env"] = json!([format!("DB_PASSWORD={value}")]);
    runner["history"] = json!([{"CreatedBy": format!("|1 NPM_TOKEN={value} /bin/sh -c true")}]);
    let report = evaluate(&f);
    let found = image_secrets(&report);
    assert_eq!(found.len(), 2, "{found:?}");
    for (display, message, evidence) in &found {
        for text in [display, message, evidence] {
            assert!(!text.contains(&value), "{text}");
        }
        assert!(evidence.contains("[redacted generic-secret"), "{evidence}");
    }
}

#[test]
fn untagged_images_and_hostile_tags_are_named_safely() {
    let mut f = fragment();
    let untagged = &mut f["docker"]["images"][3];
    untagged["inspect"]["RepoTags"] = json!(["<none>:<none>"]);
    untagged["inspect"]["Config"]["Env"] =
        json!(["API_KEY=[redacted generic-secret, 32 chars, #0123456789ab]"]);
    f["docker"]["images"][1]["inspect"]["RepoTags"] = json!(["ci/run\u{1b}[2Jner:2.4"]);
    let report = evaluate(&f);
    let displays: Vec<String> = image_secrets(&report)
        .into_iter()
        .map(|(d, _, _)| d)
        .collect();
    assert!(
        displays.contains(&"image 34fb46c847bb (untagged), ENV API_KEY".to_string()),
        "{displays:?}"
    );
    assert!(
        displays.iter().all(|d| !d.contains('\u{1b}')),
        "{displays:?}"
    );
}
