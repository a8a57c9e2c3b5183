//! Where jobs run: self-hosted runners in public repositories (BLD-022).

use serde_json::Value;

use super::{JobRef, draft, jobs};
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::YamlDocument;
use crate::model::{Area, Severity, SourceKind};

/// BLD-022: a public repository's workflows do not run on self-hosted runners.
pub static BLD_022: Check = Check {
    id: "BLD-022",
    area: Area::Build,
    severity: Severity::Medium,
    title: "Self-hosted runner used by a public repository",
    why: "Anyone can open a pull request against a public repository, and a workflow that \
          runs it on a self-hosted runner executes a stranger's code on your machine. \
          Unlike GitHub's hosted runners, self-hosted ones are not wiped between jobs, so \
          what one job leaves behind can persist and reach the next job or your network.",
    remediation: "Use GitHub-hosted runners for public repositories, or ephemeral, isolated \
                  self-hosted runners in a group restricted to private repositories, and \
                  require approval before workflows from outside contributors run.",
    snippet: Snippet {
        language: "shell",
        code: "gh api -X PUT repos/OWNER/REPO/actions/permissions/fork-pr-contributor-approval -f approval_policy=all_external_contributors\n",
    },
    references: &["zizmor self-hosted-runner"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "zizmor reports self-hosted runners whatever the repository's visibility; \
                   Rampart judges them only for public repositories and, since files alone cannot \
                   show visibility, reports them as not assessed until the github source can say. \
                   zizmor 1.33.1 reports them only in its auditor persona, including a \
                   `${{ matrix.runner }}` job that may land on one.",
    evaluate: self_hosted_runners,
};

fn self_hosted_runners(cx: &Context<'_>) -> Evaluation {
    let mut findings = Vec::new();
    for workflow in cx.workflows() {
        for job in jobs(workflow) {
            if let Some(labels) = self_hosted(&job) {
                findings.push(self_hosted_finding(workflow, &job, &labels));
            }
        }
    }
    if findings.is_empty() {
        return Evaluation::NotApplicable("no job runs on a self-hosted runner".to_string());
    }
    match repository_is_public(cx) {
        Some(true) => Evaluation::items(findings.len(), findings, ""),
        Some(false) => Evaluation::NotApplicable(
            "the repository is private, so only its members can run code on its runners"
                .to_string(),
        ),
        None => Evaluation::NotAssessed(format!(
            "{} jobs run on self-hosted runners; needs the github source to know whether \
             the repository is public",
            findings.len()
        )),
    }
}

/// Whether the repository is public, as far as the evidence says.
fn repository_is_public(cx: &Context<'_>) -> Option<bool> {
    cx.evidence
        .github
        .as_ref()
        .and_then(crate::evidence::GithubEvidence::is_public)
}

fn self_hosted_finding(workflow: &YamlDocument, job: &JobRef<'_>, labels: &str) -> Draft {
    let pointer = format!("{}/runs-on", job.pointer);
    let message = format!("job `{}` runs on a self-hosted runner", job.id);
    let evidence = Some(format!("runs-on: {labels}"));
    draft(workflow, &pointer, Some(&job.part()), message, evidence)
}

/// The `runs-on:` of a job that targets a self-hosted runner, as text for evidence.
fn self_hosted(job: &JobRef<'_>) -> Option<String> {
    let runs_on = job.value.get("runs-on")?;
    let text = match runs_on {
        Value::String(label) => label.clone(),
        other => other.to_string(),
    };
    if mentions_self_hosted(runs_on) {
        return Some(text);
    }

    // `runs-on: ${{ matrix.os }}`: the matrix says where the job may land.
    let matrix = job.value.pointer("/strategy/matrix");
    (text.contains("${{") && matrix.is_some_and(mentions_self_hosted)).then_some(text)
}

fn mentions_self_hosted(value: &Value) -> bool {
    match value {
        Value::String(label) => label.trim().eq_ignore_ascii_case("self-hosted"),
        Value::Array(items) => items.iter().any(mentions_self_hosted),
        Value::Object(map) => map.values().any(mentions_self_hosted),
        _ => false,
    }
}
