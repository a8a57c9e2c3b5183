//! Build and supply chain checks (seed §1).

use github_actions_models::common::Uses;
use serde_json::Value;

use crate::checks::context::file_resource;
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::YamlDocument;
use crate::model::{Area, Location, Severity, SourceKind};

/// BLD-001: every `uses:` names an immutable commit.
pub static BLD_001: Check = Check {
    id: "BLD-001",
    area: Area::Build,
    severity: Severity::High,
    title: "Action not pinned to a commit SHA",
    why: "A tag or branch of an action can be moved to different code at any time, by its \
          owner or by whoever compromises the owner's account; the next run of your workflow \
          then executes that code with your secrets and token. Only a full 40-character \
          commit SHA names immutable code.",
    remediation: "Pin every action and reusable workflow to the full commit SHA of the \
                  release you reviewed, keeping the tag in a comment so update tools can \
                  still propose upgrades.",
    snippet: Snippet {
        language: "yaml",
        code: "steps:\n  # actions/checkout v4.2.2\n  - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n    with:\n      persist-credentials: false\n",
    },
    references: &[
        "zizmor unpinned-uses",
        "Scorecard Pinned-Dependencies",
        "CKV_GHA_7",
    ],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "",
    evaluate: unpinned_uses,
};

fn unpinned_uses(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for workflow in cx.workflows() {
        for (pointer, part, uses) in uses_clauses(workflow) {
            evaluated += 1;
            if let Some(problem) = pin_problem(uses) {
                findings.push(Draft {
                    source: SourceKind::Files,
                    resource: file_resource(&workflow.path, Some(&part)),
                    location: Some(Location {
                        path: workflow.path.clone(),
                        line: workflow.line_of(&pointer),
                    }),
                    message: format!("`{uses}` {problem}"),
                    evidence: Some(format!("uses: {uses}")),
                });
            }
        }
    }
    Evaluation::items(evaluated, findings, "no workflow uses an action")
}

/// Why a `uses:` clause is not pinned, or `None` when it is.
fn pin_problem(uses: &str) -> Option<&'static str> {
    match Uses::parse(uses) {
        Ok(Uses::Local(_)) => None,
        Ok(Uses::Repository(repo)) => {
            let git_ref = repo.git_ref();
            let is_sha = git_ref.len() == 40 && git_ref.bytes().all(|b| b.is_ascii_hexdigit());
            (!is_sha).then_some("is pinned to a tag or branch, not a full commit SHA")
        }
        Ok(Uses::Docker(docker)) => docker
            .hash()
            .is_none()
            .then_some("names a Docker image by tag, not by digest"),
        Err(_) => Some("cannot be parsed, so what it runs cannot be known"),
    }
}

/// Every `uses:` of a workflow: steps' actions and jobs' reusable workflows, with the JSON
/// pointer of the clause and a stable locator such as `jobs.build.steps[2]`.
pub fn uses_clauses(workflow: &YamlDocument) -> Vec<(String, String, &str)> {
    let mut out = Vec::new();
    let Some(jobs) = workflow.value.get("jobs").and_then(Value::as_object) else {
        return out;
    };
    for (job_id, job) in jobs {
        let job_ptr = format!("/jobs/{}", escape_pointer(job_id));
        if let Some(uses) = job.get("uses").and_then(Value::as_str) {
            out.push((format!("{job_ptr}/uses"), format!("jobs.{job_id}"), uses));
        }
        let steps = job
            .get("steps")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for (index, step) in steps.enumerate() {
            if let Some(uses) = step.get("uses").and_then(Value::as_str) {
                out.push((
                    format!("{job_ptr}/steps/{index}/uses"),
                    format!("jobs.{job_id}.steps[{index}]"),
                    uses,
                ));
            }
        }
    }
    out
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::pin_problem;

    #[test]
    fn tags_and_branches_are_unpinned() {
        assert!(pin_problem("actions/checkout@v4").is_some());
        assert!(pin_problem("aquasecurity/trivy-action@master").is_some());
        assert!(pin_problem("actions/checkout@11bd71901bbe5b1630ceea73d2759736").is_some());
        assert!(pin_problem("docker://alpine:3.20").is_some());
        assert!(pin_problem("no-ref").is_some());
    }

    #[test]
    fn shas_digests_and_local_actions_are_pinned() {
        assert!(pin_problem("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683").is_none());
        assert!(pin_problem("./.github/actions/setup").is_none());
        let digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
        assert!(pin_problem(&format!("docker://alpine@{digest}")).is_none());
    }
}
