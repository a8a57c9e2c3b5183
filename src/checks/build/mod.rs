//! Build and supply chain checks (seed §1).
//!
//! Every check here reads GitHub Actions workflows as JSON trees. The helpers at the
//! bottom of this module walk jobs and steps once, with the JSON pointer of each node (for
//! its line) and a stable locator such as `jobs.build.steps[2]` (for the finding's part).

pub mod github;
mod injection;
mod permissions;
mod presence;
mod runners;
mod steps;

use github_actions_models::common::Uses;
use serde_json::Value;

use crate::checks::context::file_resource;
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::YamlDocument;
use crate::model::{Area, Location, Severity, SourceKind};

pub use github::{BLD_016, BLD_017, BLD_018, BLD_019, BLD_020, BLD_021, BLD_025};
pub use injection::{ATTACKER_CONTROLLED, BLD_003, BLD_004, UNTRUSTED_CHECKOUT_REFS};
pub use permissions::{BLD_002, BLD_023, CLOUD_KEY_INPUTS, CLOUD_KEY_SECRETS};
pub use presence::{
    BLD_009, BLD_010, BLD_011, BLD_012, BLD_013, BLD_014, BLD_015, BLD_024, IMAGE_BUILDS,
    PUBLISHING, RECOGNISED, Recognised,
};
pub use runners::BLD_022;
pub use steps::{BLD_005, BLD_006, BLD_007, BLD_008};

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
    references: &["zizmor unpinned-uses", "Scorecard Pinned-Dependencies"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "Agrees with zizmor `unpinned-uses` on tags, short SHAs and reusable workflows, \
                   and on the sample project's `actions/checkout@v4`. zizmor reports a `docker://` \
                   image pinned only by tag in its auditor persona alone (`unpinned-images`); \
                   Rampart always does, since a tag can move. checkov 3.3.30 has no pinning rule \
                   for actions: CKV_GHA_7 checks workflow_dispatch inputs.",
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
                    severity: None,
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

/// One job of a workflow, with where it sits.
struct JobRef<'w> {
    id: &'w str,
    /// JSON pointer of the job, `/jobs/build`.
    pointer: String,
    value: &'w Value,
}

impl JobRef<'_> {
    /// The stable locator of the job, `jobs.build`.
    fn part(&self) -> String {
        format!("jobs.{}", self.id)
    }
}

/// One step of a job, with where it sits.
struct StepRef<'w> {
    job: &'w str,
    index: usize,
    /// JSON pointer of the step, `/jobs/build/steps/2`.
    pointer: String,
    value: &'w Value,
}

impl<'w> StepRef<'w> {
    /// The stable locator of the step, `jobs.build.steps[2]`.
    fn part(&self) -> String {
        format!("jobs.{}.steps[{}]", self.job, self.index)
    }

    /// The step's `run:` script, if it has one.
    fn run(&self) -> Option<&'w str> {
        self.value.get("run").and_then(Value::as_str)
    }

    /// The action a step uses, lowercased and without its ref: `actions/checkout`.
    fn action(&self) -> Option<String> {
        self.value
            .get("uses")
            .and_then(Value::as_str)
            .map(action_name)
    }

    /// An input of the step's `with:` as text, whatever YAML type it was written as.
    fn input(&self, name: &str) -> Option<String> {
        self.value.get("with")?.get(name).map(scalar_text)
    }
}

/// The jobs of a workflow in file order.
fn jobs(workflow: &YamlDocument) -> Vec<JobRef<'_>> {
    let Some(jobs) = workflow.value.get("jobs").and_then(Value::as_object) else {
        return Vec::new();
    };
    jobs.iter()
        .map(|(id, value)| JobRef {
            id,
            pointer: format!("/jobs/{}", escape_pointer(id)),
            value,
        })
        .collect()
}

/// The steps of a job in order.
fn job_steps<'w>(job: &JobRef<'w>) -> Vec<StepRef<'w>> {
    let steps = job.value.get("steps").and_then(Value::as_array);
    steps
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(index, value)| StepRef {
            job: job.id,
            index,
            pointer: format!("{}/steps/{index}", job.pointer),
            value,
        })
        .collect()
}

/// Every step of every job of a workflow.
fn steps(workflow: &YamlDocument) -> Vec<StepRef<'_>> {
    jobs(workflow).iter().flat_map(job_steps).collect()
}

/// The action named by a `uses:` clause, lowercased and without its ref.
fn action_name(uses: &str) -> String {
    let name = uses.split('@').next().unwrap_or(uses);
    name.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// Whether `action` is `expected` or one of its sub-actions (`github/codeql-action/init`).
fn is_action(action: &str, expected: &str) -> bool {
    action
        .strip_prefix(expected)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// A scalar as text: strings as they are, booleans and numbers as YAML writes them.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The event names a workflow is triggered by, whichever of the three forms `on:` takes.
fn triggers(workflow: &YamlDocument) -> Vec<&str> {
    match workflow.value.get("on") {
        Some(Value::String(event)) => vec![event.as_str()],
        Some(Value::Array(events)) => events.iter().filter_map(Value::as_str).collect(),
        Some(Value::Object(events)) => events.keys().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

/// One logical line of a script: physical lines joined at backslash continuations.
struct ScriptLine {
    /// Index of its first physical line within the script, from 0.
    offset: usize,
    text: String,
}

/// The logical lines of a script, so that a command split over several lines with
/// backslashes is judged whole.
fn script_lines(script: &str) -> Vec<ScriptLine> {
    let mut out: Vec<ScriptLine> = Vec::new();
    let mut continued = false;
    for (index, physical) in script.lines().enumerate() {
        let (body, has_backslash) = match physical.trim_end().strip_suffix('\\') {
            Some(body) => (body, true),
            None => (physical, false),
        };
        match out.last_mut() {
            Some(last) if continued => {
                last.text.push(' ');
                last.text.push_str(body.trim_start());
            }
            _ => out.push(ScriptLine {
                offset: index,
                text: body.to_string(),
            }),
        }
        continued = has_backslash;
    }
    out
}

/// A failing item at one line of the script held at `pointer`.
///
/// A multi-line script is almost always a literal block (`run: |`) whose content starts
/// on the line after the key, so the script's line offset is added to that; a one-line
/// script sits on the key's own line.
fn script_draft(
    workflow: &YamlDocument,
    pointer: &str,
    script: &str,
    line: &ScriptLine,
    part: &str,
    message: String,
) -> Draft {
    let mut found = draft(
        workflow,
        pointer,
        Some(part),
        message,
        Some(excerpt(&line.text)),
    );
    if script.contains('\n')
        && let Some(location) = found.location.as_mut()
    {
        let offset = u32::try_from(line.offset + 1).unwrap_or(0);
        location.line = location.line.saturating_add(offset);
    }
    found
}

/// The most characters of a script line a finding quotes; enough to recognise the line,
/// too few to carry a whole script into a report.
const EVIDENCE_CHARS: usize = 120;

/// A line trimmed for use as evidence.
fn excerpt(line: &str) -> String {
    let line = line.trim();
    if line.chars().count() <= EVIDENCE_CHARS {
        return line.to_string();
    }
    let cut: String = line.chars().take(EVIDENCE_CHARS - 1).collect();
    format!("{cut}…")
}

/// A failing item at the node `pointer` of a workflow, identified by `part`.
fn draft(
    workflow: &YamlDocument,
    pointer: &str,
    part: Option<&str>,
    message: String,
    evidence: Option<String>,
) -> Draft {
    Draft {
        source: SourceKind::Files,
        resource: file_resource(&workflow.path, part),
        location: Some(Location {
            path: workflow.path.clone(),
            line: workflow.line_of(pointer),
        }),
        message,
        evidence,
        severity: None,
    }
}

#[cfg(test)]
mod tests {
    use super::{action_name, is_action, pin_problem, script_lines};

    #[test]
    fn continued_lines_are_joined_and_keep_their_first_line() {
        let lines = script_lines("set -e\ncurl -fsSL https://x.example \\\n  | sh\necho done\n");
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            ["set -e", "curl -fsSL https://x.example  | sh", "echo done"]
        );
        let offsets: Vec<usize> = lines.iter().map(|l| l.offset).collect();
        assert_eq!(offsets, [0, 1, 3]);
    }

    #[test]
    fn actions_are_named_without_ref_and_case() {
        let name = action_name("GitHub/codeql-action/init@v3");
        assert_eq!(name, "github/codeql-action/init");
        assert!(is_action(&name, "github/codeql-action"));
        assert!(!is_action("actions/checkout-extra", "actions/checkout"));
    }

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
