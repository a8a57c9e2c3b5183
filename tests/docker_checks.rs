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
