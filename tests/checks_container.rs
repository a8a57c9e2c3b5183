//! Container checks driven through the real files source, one fixture folder per check:
//! `tests/fixtures/containers/<check-id>/{fail,pass}/`.

mod harness;

use rampart::checks::{Outcome, Status};

/// Collects one fixture folder and evaluates the catalogue on it.
fn outcome(check: &str, case: &str) -> Outcome {
    let ev = harness::files_evidence(&harness::fixture_path(&format!(
        "containers/{check}/{case}"
    )));
    let skipped = &ev.files.as_ref().expect("files").skipped;
    assert!(skipped.is_empty(), "{check}/{case}: {skipped:?}");
    let settings = rampart::report::EvaluationSettings::default();
    let report = rampart::report::Report::evaluate(&ev, &settings);
    report
        .outcome(check)
        .expect("check is in the catalogue")
        .clone()
}

/// Asserts that `check` fails its `fail` fixture with `failed` findings at `lines`.
fn assert_fails(check: &str, failed: usize, lines: &[u32]) {
    let outcome = outcome(check, "fail");
    let found: Vec<(u32, &str)> = outcome
        .findings
        .iter()
        .map(|f| {
            (
                f.location.as_ref().map_or(0, |l| l.line),
                f.message.as_str(),
            )
        })
        .collect();
    assert_eq!(outcome.status, Status::Fail, "{check}: {found:?}");
    assert_eq!(outcome.failed, failed, "{check}: {found:?}");
    let mut actual: Vec<u32> = found.iter().map(|(line, _)| *line).collect();
    actual.sort_unstable();
    assert_eq!(actual, lines, "{check}: {found:?}");
}

/// Asserts that `check` passes its `pass` fixture, having judged something.
fn assert_passes(check: &str) {
    let outcome = outcome(check, "pass");
    let found: Vec<&str> = outcome
        .findings
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        outcome.status,
        Status::Pass,
        "{check}: {found:?} {:?}",
        outcome.reason
    );
    assert!(outcome.evaluated > 0, "{check} judged nothing");
}

/// The messages of a fixture's findings, for checks whose wording matters.
fn messages(check: &str, case: &str) -> Vec<String> {
    outcome(check, case)
        .findings
        .iter()
        .map(|f| f.message.clone())
        .collect()
}

#[test]
fn ctr_001_final_stage_user() {
    assert_fails("CTR-001", 1, &[4]);
    assert_passes("CTR-001");
}

#[test]
fn ctr_002_unpinned_base_images_but_not_stage_names() {
    // `FROM build` names the `golang:latest` stage; only the pull itself is reported,
    // plus `FROM ${BASE}` whose ARG default is untagged.
    assert_fails("CTR-002", 2, &[2, 6]);
    let messages = messages("CTR-002", "fail");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`${BASE}` defaults to `debian`")),
        "{messages:?}"
    );
    assert_passes("CTR-002");
}

#[test]
fn ctr_003_health_check_inherited_or_disabled() {
    assert_fails("CTR-003", 2, &[4, 4]);
    let messages = messages("CTR-003", "fail");
    assert!(
        messages.iter().any(|m| m.contains("HEALTHCHECK NONE")),
        "{messages:?}"
    );
    assert_passes("CTR-003");
}

#[test]
fn ctr_004_add_of_local_paths() {
    assert_fails("CTR-004", 2, &[2, 3]);
    assert_passes("CTR-004");
}

#[test]
fn ctr_005_sudo_in_heredoc_and_shell_scripts() {
    assert_fails("CTR-005", 3, &[3, 9, 10]);
    assert_passes("CTR-005");
}

#[test]
fn ctr_006_every_way_of_switching_verification_off() {
    assert_fails("CTR-006", 10, &[2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert_passes("CTR-006");
}

#[test]
fn ctr_007_package_hygiene_in_the_final_image_only() {
    // The builder stage's apt-get on line 2 never reaches the final image.
    assert_fails("CTR-007", 6, &[4, 5, 6, 7, 8, 9]);
    assert_passes("CTR-007");
}

#[test]
fn ctr_010_privileged_init_container() {
    assert_fails("CTR-010", 1, &[7]);
    assert_passes("CTR-010");
}

#[test]
fn ctr_011_root_with_pod_level_inheritance_and_overrides() {
    // The pod says runAsNonRoot; `web` inherits it, `sidecar` overrides it, the init
    // container asks for UID 0, and the CronJob's nested container sets nothing.
    assert_fails("CTR-011", 3, &[11, 13, 18]);
    assert_passes("CTR-011");
}

#[test]
fn ctr_012_escalation_including_privileged_and_ephemeral() {
    assert_fails("CTR-012", 3, &[11, 17, 20]);
    assert_passes("CTR-012");
}

#[test]
fn ctr_013_dangerous_capabilities_normalised() {
    assert_fails("CTR-013", 2, &[9, 14]);
    let messages = messages("CTR-013", "fail");
    assert!(
        messages.iter().any(|m| m.contains("`NET_ADMIN`")),
        "{messages:?}"
    );
    assert_passes("CTR-013");
}

#[test]
fn ctr_014_writable_root_filesystem() {
    assert_fails("CTR-014", 2, &[9, 13]);
    assert_passes("CTR-014");
}

#[test]
fn ctr_015_seccomp_and_apparmor() {
    assert_fails("CTR-015", 3, &[12, 17, 32]);
    assert_passes("CTR-015");
}

#[test]
fn ctr_016_host_pid_and_ipc() {
    assert_fails("CTR-016", 1, &[11]);
    assert_passes("CTR-016");
}

#[test]
fn ctr_017_runtime_sockets_and_their_directories() {
    assert_fails("CTR-017", 2, &[9, 15]);
    assert_passes("CTR-017");
}

#[test]
fn ctr_018_sensitive_host_paths() {
    assert_fails("CTR-018", 2, &[9, 17]);
    assert_passes("CTR-018");
}

#[test]
fn ctr_019_limits_with_ephemeral_containers_exempt() {
    assert_fails("CTR-019", 2, &[9, 12]);
    assert_passes("CTR-019");
}

#[test]
fn ctr_020_mutable_image_tags() {
    assert_fails("CTR-020", 2, &[9, 12]);
    assert_passes("CTR-020");
}

#[test]
fn ctr_023_capabilities_not_dropped() {
    assert_fails("CTR-023", 3, &[9, 14, 16]);
    assert_passes("CTR-023");
}

#[test]
fn ctr_024_other_host_paths_not_already_reported() {
    assert_fails("CTR-024", 1, &[9]);
    assert_passes("CTR-024");
}
