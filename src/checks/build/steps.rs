//! Risky things single steps and jobs do: keep the token on disk (BLD-005), re-enable
//! workflow commands from output (BLD-006), run downloaded scripts (BLD-007) and pass
//! every secret to a reusable workflow (BLD-008).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::{draft, is_action, jobs, script_draft, script_lines, steps};
use crate::checks::{Check, Context, Evaluation, Snippet};
use crate::model::{Area, Severity, SourceKind};

/// BLD-005: checkout does not leave the token in `.git/config`.
pub static BLD_005: Check = Check {
    id: "BLD-005",
    area: Area::Build,
    severity: Severity::Medium,
    title: "Checkout leaves the workflow token on disk",
    why: "By default `actions/checkout` writes the job's token into the working copy's git \
          configuration so later steps can push. Every later step and action can then read \
          it, and an artefact or cache that includes the working directory carries it out \
          of the job.",
    remediation: "Set `persist-credentials: false` on every checkout, and give the token \
                  explicitly only to the one step that needs to push.",
    snippet: Snippet {
        language: "yaml",
        code: "- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n  with:\n    persist-credentials: false\n",
    },
    references: &["zizmor artipacked"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "zizmor `artipacked` weighs a checkout by whether an artefact upload follows it \
                   (low confidence without one, high with one); Rampart reports every one, since \
                   any later step can read the stored token. zizmor's default persona also accepts \
                   an explicit `persist-credentials: true`, which Rampart reports for the same \
                   reason.",
    evaluate: persisted_credentials,
};

fn persisted_credentials(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for workflow in cx.workflows() {
        for step in steps(workflow) {
            if !step
                .action()
                .is_some_and(|a| is_action(&a, "actions/checkout"))
            {
                continue;
            }
            evaluated += 1;
            let setting = step.input("persist-credentials");
            if setting.as_deref().is_some_and(|s| s.trim() == "false") {
                continue;
            }
            let part = step.part();
            let message = match &setting {
                Some(value) => format!("checkout sets `persist-credentials: {value}`"),
                None => "checkout does not set `persist-credentials: false`".to_string(),
            };
            let pointer = match setting {
                Some(_) => format!("{}/with/persist-credentials", step.pointer),
                None => format!("{}/uses", step.pointer),
            };
            findings.push(draft(workflow, &pointer, Some(&part), message, None));
        }
    }
    Evaluation::items(evaluated, findings, "no workflow uses actions/checkout")
}

/// The variable that turns the deprecated `set-env` and `add-path` commands back on.
const UNSECURE_COMMANDS: &str = "ACTIONS_ALLOW_UNSECURE_COMMANDS";

/// BLD-006: workflow commands cannot be injected through a step's output.
pub static BLD_006: Check = Check {
    id: "BLD-006",
    area: Area::Build,
    severity: Severity::High,
    title: "Insecure workflow commands re-enabled",
    why: "`ACTIONS_ALLOW_UNSECURE_COMMANDS` brings back the `set-env` and `add-path` \
          commands, which any text printed to a step's output can issue. A log line from \
          a dependency, a test name or an issue title can then set variables such as \
          `NODE_OPTIONS` or change `PATH` for every later step.",
    remediation: "Remove the variable and update the actions that still rely on the old \
                  commands; they should write to the files named by `GITHUB_ENV` and \
                  `GITHUB_PATH` instead.",
    snippet: Snippet {
        language: "yaml",
        code: "- run: echo \"VERSION=1.2.3\" >> \"$GITHUB_ENV\"\n",
    },
    references: &["zizmor insecure-commands", "CKV_GHA_1"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "Agrees with zizmor `insecure-commands` on the fixtures and the sample project. \
                   checkov CKV_GHA_1 reads only job and step `env:`, so it passed the fail \
                   fixture, which sets the variable for the whole workflow; Rampart is right that \
                   a workflow-level `env:` reaches every step.",
    evaluate: insecure_commands,
};

fn insecure_commands(cx: &Context<'_>) -> Evaluation {
    let mut findings = Vec::new();
    for workflow in cx.workflows() {
        // Every `env:` that can hold the variable: workflow, job, container and step.
        let mut scopes = vec![("workflow", String::new(), None, &workflow.value)];
        for job in jobs(workflow) {
            scopes.push(("job", job.pointer.clone(), Some(job.part()), job.value));
            if let Some(container) = job.value.get("container") {
                let pointer = format!("{}/container", job.pointer);
                scopes.push(("container", pointer, Some(job.part()), container));
            }
        }
        for step in steps(workflow) {
            scopes.push(("step", step.pointer.clone(), Some(step.part()), step.value));
            if let Some(run) = step.run()
                && let Some(line) = script_lines(run)
                    .into_iter()
                    .find(|l| l.text.contains(UNSECURE_COMMANDS))
            {
                let pointer = format!("{}/run", step.pointer);
                let part = step.part();
                let message = format!("a script sets `{UNSECURE_COMMANDS}`");
                findings.push(script_draft(workflow, &pointer, run, &line, &part, message));
            }
        }
        for (scope, pointer, part, node) in scopes {
            let Some(value) = node.get("env").and_then(|e| e.get(UNSECURE_COMMANDS)) else {
                continue;
            };
            if super::scalar_text(value)
                .trim()
                .eq_ignore_ascii_case("false")
            {
                continue;
            }
            let pointer = format!("{pointer}/env/{UNSECURE_COMMANDS}");
            let message = format!("the {scope} environment sets `{UNSECURE_COMMANDS}`");
            let evidence = format!("{UNSECURE_COMMANDS}: {}", super::scalar_text(value));
            findings.push(draft(
                workflow,
                &pointer,
                part.as_deref(),
                message,
                Some(evidence),
            ));
        }
    }
    let evaluated = cx.workflows().len();
    Evaluation::items(evaluated, findings, "no workflow was found")
}

/// A download piped or substituted into an interpreter, in shell or PowerShell.
static DOWNLOAD_THEN_RUN: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    let interpreter =
        r"(?:sudo\s+(?:-\S+\s+)*)?(?:sh|bash|zsh|dash|ksh|python[0-9.]*|perl|ruby|node)\b";
    [
        format!(r"\b(?:curl|wget)\b.*\|\s*{interpreter}"),
        format!(r"{interpreter}[^|]*<\(\s*(?:curl|wget)\b"),
        format!(r#"{interpreter}\s+-c\s+["']?\$\(\s*(?:curl|wget)\b"#),
        r"(?i)\b(?:iex|invoke-expression)\b.*\b(?:iwr|irm|invoke-webrequest|invoke-restmethod|downloadstring)\b".to_string(),
        r"(?i)\b(?:iwr|irm|invoke-webrequest|invoke-restmethod)\b.*\|\s*(?:iex|invoke-expression)\b".to_string(),
    ]
    .iter()
    .filter_map(|pattern| Regex::new(pattern).ok())
    .collect()
});

/// BLD-007: scripts fetched from the network are not run unchecked.
pub static BLD_007: Check = Check {
    id: "BLD-007",
    area: Area::Build,
    severity: Severity::Medium,
    title: "Downloaded script piped into a shell",
    why: "Piping a download straight into an interpreter runs whatever the server returns \
          at that moment, with the job's secrets and token. Nothing records what ran, and a \
          compromised host or a hijacked domain changes it for every later build.",
    remediation: "Download to a file, verify it against a checksum or signature you keep in \
                  the repository, then run it; or use a pinned action or package instead.",
    snippet: Snippet {
        language: "yaml",
        code: "- run: |\n    curl -fsSLo install.sh https://example.com/install.sh\n    echo \"${INSTALL_SHA256}  install.sh\" | sha256sum -c -\n    sh install.sh\n",
    },
    references: &["Scorecard Pinned-Dependencies (downloadThenRun)"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "zizmor 1.33.1 and checkov 3.3.30 have no rule for a download piped into a \
                   shell: neither reported the fail fixture's `curl | sudo bash`, and checkov \
                   CKV_GHA_3 looks only for curl sending secrets.",
    evaluate: download_then_run,
};

fn download_then_run(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for workflow in cx.workflows() {
        for step in steps(workflow) {
            let Some(run) = step.run() else {
                continue;
            };
            evaluated += 1;
            let lines = script_lines(run);
            let Some(line) = lines
                .iter()
                .find(|l| DOWNLOAD_THEN_RUN.iter().any(|re| re.is_match(&l.text)))
            else {
                continue;
            };
            let part = step.part();
            let message = "runs a downloaded script without verifying it".to_string();
            let pointer = format!("{}/run", step.pointer);
            findings.push(script_draft(workflow, &pointer, run, line, &part, message));
        }
    }
    Evaluation::items(evaluated, findings, "no workflow step runs a script")
}

/// BLD-008: reusable workflows receive only the secrets they need.
pub static BLD_008: Check = Check {
    id: "BLD-008",
    area: Area::Build,
    severity: Severity::Medium,
    title: "Every secret passed to a reusable workflow",
    why: "`secrets: inherit` hands the called workflow every secret the caller can see, \
          including ones added later for unrelated jobs. A flaw or compromise in the called \
          workflow, or in any action it uses, then exposes all of them.",
    remediation: "Declare the secrets the reusable workflow needs under \
                  `on.workflow_call.secrets` and pass exactly those by name.",
    snippet: Snippet {
        language: "yaml",
        code: "jobs:\n  deploy:\n    uses: ./.github/workflows/deploy.yml\n    secrets:\n      DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}\n",
    },
    references: &["zizmor secrets-inherit"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "Agrees with zizmor `secrets-inherit` on the fixtures; checkov 3.3.30 has no \
                   rule for it, and the sample project calls no reusable workflow.",
    evaluate: secrets_inherit,
};

fn secrets_inherit(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for workflow in cx.workflows() {
        for job in jobs(workflow) {
            let Some(called) = job.value.get("uses").and_then(Value::as_str) else {
                continue;
            };
            evaluated += 1;
            if job.value.get("secrets").and_then(Value::as_str) != Some("inherit") {
                continue;
            }
            let pointer = format!("{}/secrets", job.pointer);
            let message = format!("job `{}` passes every secret to `{called}`", job.id);
            let evidence = Some("secrets: inherit".to_string());
            findings.push(draft(
                workflow,
                &pointer,
                Some(&job.part()),
                message,
                evidence,
            ));
        }
    }
    Evaluation::items(evaluated, findings, "no workflow calls a reusable workflow")
}

#[cfg(test)]
mod tests {
    use super::DOWNLOAD_THEN_RUN;

    fn flagged(line: &str) -> bool {
        DOWNLOAD_THEN_RUN.iter().any(|re| re.is_match(line))
    }

    #[test]
    fn download_and_run_forms_are_recognised() {
        assert!(flagged("curl -fsSL https://get.example.com | sh"));
        assert!(flagged(
            "wget -qO- https://x.example/i.sh | sudo -E bash -s -- --yes"
        ));
        assert!(flagged("bash <(curl -s https://x.example/i.sh)"));
        assert!(flagged("sh -c \"$(curl -fsSL https://x.example/i.sh)\""));
        assert!(flagged(
            "iex (iwr https://x.example/i.ps1 -UseBasicParsing)"
        ));
        assert!(flagged("curl -s https://x.example/get.py | python3 -"));
    }

    #[test]
    fn downloads_to_files_are_not() {
        assert!(!flagged(
            "curl -fsSLo install.sh https://x.example/install.sh"
        ));
        assert!(!flagged("curl -s https://api.example.com | jq .version"));
        assert!(!flagged("sh install.sh"));
    }
}
