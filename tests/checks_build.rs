//! Build and supply chain checks, driven through the real files source on fixture
//! repositories under `tests/fixtures/build/<check>/<case>/`.

mod harness;

use std::path::{Path, PathBuf};

use rampart::checks::{Outcome, Status};
use rampart::report::{EvaluationSettings, Report};

fn fixture(check: &str, case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/build")
        .join(check)
        .join(case)
}

/// The outcome of check `id` on the files under `root`.
fn outcome_at(root: &Path, id: &str) -> Outcome {
    let evidence = harness::files_evidence(root);
    let skipped = &evidence.files.as_ref().expect("files").skipped;
    assert!(
        skipped.is_empty(),
        "fixture files were skipped: {skipped:?}"
    );
    let report = Report::evaluate(&evidence, &EvaluationSettings::default());
    report.outcome(id).expect("the check is catalogued").clone()
}

fn outcome(id: &str, case: &str) -> Outcome {
    outcome_at(&fixture(&id.to_ascii_lowercase(), case), id)
}

/// A readable account of an outcome for assertion messages.
fn describe(outcome: &Outcome) -> String {
    let findings: Vec<String> = outcome
        .findings
        .iter()
        .map(|f| {
            let line = f.location.as_ref().map_or(0, |l| l.line);
            format!(
                "{}:{line} {:?} {} | {:?}",
                f.resource.canonical, f.resource.part, f.message, f.evidence
            )
        })
        .collect();
    format!(
        "{:?} evaluated={} failed={} reason={:?}\n{}",
        outcome.status,
        outcome.evaluated,
        outcome.failed,
        outcome.reason,
        findings.join("\n")
    )
}

/// Asserts that `id` fails `failed` times on its `fail` fixture, with a finding at
/// `(file, line, part)` among them; line 0 means a finding without a location whose
/// resource is `file` (a missing control on the workflows folder).
fn assert_fails(id: &str, failed: usize, at: (&str, u32, Option<&str>)) -> Outcome {
    let outcome = outcome(id, "fail");
    let text = describe(&outcome);
    assert_eq!(outcome.status, Status::Fail, "{text}");
    assert_eq!(outcome.failed, failed, "{text}");
    let (file, line, part) = at;
    let found = outcome.findings.iter().any(|f| {
        let located = match &f.location {
            Some(l) => l.path.ends_with(file) && l.line == line,
            None => line == 0 && f.resource.canonical.ends_with(file),
        };
        located && f.resource.part.as_deref() == part
    });
    assert!(found, "no finding at {file}:{line} {part:?}\n{text}");
    for finding in &outcome.findings {
        let evidence = finding.evidence.as_deref().unwrap_or("");
        assert!(evidence.chars().count() <= 121, "{evidence}");
    }
    outcome
}

fn assert_passes(id: &str, case: &str) {
    let outcome = outcome(id, case);
    let text = describe(&outcome);
    assert_eq!(outcome.status, Status::Pass, "{text}");
    assert!(outcome.evaluated > 0, "{text}");
}

fn assert_not_applicable(id: &str, case: &str) {
    let outcome = outcome(id, case);
    assert_eq!(
        outcome.status,
        Status::NotApplicable,
        "{}",
        describe(&outcome)
    );
}

#[test]
fn bld_002_flags_default_and_top_level_write_permissions() {
    let outcome = assert_fails("BLD-002", 2, ("ci.yml", 4, Some("jobs.build")));
    assert!(outcome.findings.iter().any(|f| {
        f.location
            .as_ref()
            .is_some_and(|l| l.path.ends_with("release.yml") && l.line == 3)
            && f.message.contains("`contents: write`")
    }));
    assert_passes("BLD-002", "pass");
}

#[test]
fn bld_003_flags_privileged_checkout_of_the_head() {
    let outcome = assert_fails(
        "BLD-003",
        3,
        ("preview.yml", 13, Some("jobs.build.steps[0]")),
    );
    // A pull request's head checked out on a comment.
    assert!(outcome.findings.iter().any(|f| {
        f.location
            .as_ref()
            .is_some_and(|l| l.path.ends_with("comment-test.yml") && l.line == 14)
            && f.message.contains("issue_comment")
    }));
    // `gh pr checkout` by hand, on the second line of a literal block.
    assert!(outcome.findings.iter().any(|f| {
        f.location
            .as_ref()
            .is_some_and(|l| l.path.ends_with("after-ci.yml") && l.line == 13)
    }));
    assert_passes("BLD-003", "pass");
}

#[test]
fn bld_004_flags_each_injecting_step() {
    let outcome = assert_fails(
        "BLD-004",
        4,
        ("triage.yml", 18, Some("jobs.triage.steps[0]")),
    );
    let evidence: Vec<_> = outcome
        .findings
        .iter()
        .filter_map(|f| f.evidence.clone())
        .collect();
    assert!(evidence.contains(&"echo \"Title: ${{ github.event.issue.title }}\"".to_string()));
    assert!(
        evidence.iter().any(|e| e.contains("GITHUB_ENV")),
        "{evidence:?}"
    );
    assert_passes("BLD-004", "pass");
}

#[test]
fn bld_005_flags_checkouts_that_keep_the_token() {
    assert_fails("BLD-005", 2, ("ci.yml", 9, Some("jobs.build.steps[0]")));
    assert_passes("BLD-005", "pass");
}

#[test]
fn bld_006_flags_unsecure_commands() {
    assert_fails("BLD-006", 1, ("legacy.yml", 6, None));
    assert_passes("BLD-006", "pass");
}

#[test]
fn bld_007_flags_download_piped_to_a_shell() {
    let outcome = assert_fails("BLD-007", 1, ("tools.yml", 13, Some("jobs.tools.steps[1]")));
    let evidence = outcome.findings[0].evidence.clone().unwrap_or_default();
    assert!(evidence.contains("| sudo bash"), "{evidence}");
    assert_passes("BLD-007", "pass");
}

#[test]
fn bld_008_flags_secrets_inherit() {
    assert_fails("BLD-008", 1, ("release.yml", 8, Some("jobs.deploy")));
    assert_passes("BLD-008", "pass");
}

#[test]
fn presence_checks_fail_on_the_workflows_folder() {
    for id in [
        "BLD-009", "BLD-010", "BLD-011", "BLD-012", "BLD-013", "BLD-014",
    ] {
        let outcome = assert_fails(id, 1, (".github/workflows", 0, None));
        assert_eq!(outcome.evaluated, 1);
        assert_passes(id, "pass");
    }
}

#[test]
fn bld_011_needs_an_image_to_scan() {
    assert_not_applicable("BLD-011", "no-image");
}

#[test]
fn bld_014_accepts_renovate() {
    assert_passes("BLD-014", "pass-renovate");
}

#[test]
fn bld_015_needs_a_scheduled_scan() {
    assert_fails("BLD-015", 1, (".github/workflows", 0, None));
    // The scheduled workflow calls a local reusable workflow that runs the scanner.
    assert_passes("BLD-015", "pass");
}

#[test]
fn presence_checks_do_not_apply_without_workflows() {
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("README.md"), "nothing here\n").unwrap();
    for id in [
        "BLD-009", "BLD-010", "BLD-011", "BLD-012", "BLD-013", "BLD-014", "BLD-015", "BLD-024",
    ] {
        let outcome = outcome_at(empty.path(), id);
        assert_eq!(outcome.status, Status::NotApplicable, "{id}");
        assert!(outcome.reason.is_some(), "{id}");
    }
}

#[test]
fn bld_022_needs_the_github_source_for_self_hosted_jobs() {
    let outcome = outcome("BLD-022", "self-hosted");
    let text = describe(&outcome);
    assert_eq!(outcome.status, Status::NotAssessed, "{text}");
    let reason = outcome.reason.unwrap_or_default();
    assert!(
        reason.starts_with("2 jobs run on self-hosted runners"),
        "{reason}"
    );
    assert!(reason.contains("github source"), "{reason}");
    assert_not_applicable("BLD-022", "hosted");
}

#[test]
fn bld_023_flags_long_lived_cloud_keys() {
    let outcome = assert_fails("BLD-023", 2, ("deploy.yml", 12, Some("jobs.deploy")));
    assert!(
        outcome
            .findings
            .iter()
            .any(|f| f.message.contains("credentials_json")),
        "{}",
        describe(&outcome)
    );
    assert_passes("BLD-023", "pass");
}

#[test]
fn bld_024_flags_unsigned_releases() {
    assert_fails("BLD-024", 1, (".github/workflows", 0, None));
    assert_passes("BLD-024", "pass");
    assert_not_applicable("BLD-024", "no-release");
}
