//! Controls that are satisfied when any workflow shows them: dependency review (BLD-009),
//! SBOMs (BLD-010), image, code and dependency scanning (BLD-011 to BLD-013), an update
//! tool (BLD-014), scheduled scans (BLD-015) and signed or attested releases (BLD-024).
//!
//! Each is judged once per repository: one item, the repository's workflows, failing with
//! one finding on the workflows folder when no workflow shows the control.

use super::{StepRef, is_action, jobs, script_lines, steps, triggers};
use crate::checks::context::file_resource;
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::YamlDocument;
use crate::model::{Area, Severity, SourceKind};

/// The tools that show one control, as they appear in a workflow.
#[derive(Debug)]
pub struct Recognised {
    /// The check the tools satisfy.
    pub check: &'static str,
    /// Actions as `owner/repo[/path]` (a trailing `/` takes every action of an owner or
    /// repository), optionally followed by a condition on an input: `input` (set and not
    /// `false`), `input=value` (starts with the value) or `input?=value` (unset, or starts
    /// with the value, for inputs whose default is that value).
    pub actions: &'static [&'static str],
    /// Commands as words that must appear in this order on one line of a `run:` script;
    /// a word ending in `*` matches any word it begins.
    pub commands: &'static [&'static str],
}

/// Every recognised tool, by check. Documentation lists this table.
pub static RECOGNISED: &[Recognised] = &[
    Recognised {
        check: "BLD-009",
        actions: &["actions/dependency-review-action"],
        commands: &[],
    },
    Recognised {
        check: "BLD-010",
        actions: &[
            "anchore/sbom-action",
            "aquasecurity/trivy-action format=cyclonedx",
            "aquasecurity/trivy-action format=spdx",
            "docker/build-push-action sbom",
            "cyclonedx/",
            "advanced-security/sbom-generator-action",
            "actions/attest-sbom",
        ],
        commands: &[
            "syft",
            "cyclonedx*",
            "cdxgen",
            "trivy --format cyclonedx",
            "trivy --format spdx*",
            "trivy -f cyclonedx",
            "trivy -f spdx*",
            "docker buildx --sbom",
            "docker sbom",
            "docker scout sbom",
            "sbom-tool generate",
            "spdx-sbom-generator",
        ],
    },
    Recognised {
        check: "BLD-011",
        actions: &[
            "aquasecurity/trivy-action scan-type?=image",
            "anchore/scan-action",
            "snyk/actions/docker",
            "docker/scout-action",
            "crazy-max/ghaction-container-scan",
            "azure/container-scan",
            "sysdiglabs/scan-action",
            "lacework/lw-scanner-action",
        ],
        commands: &[
            "trivy image",
            "grype",
            "snyk container",
            "docker scout cves",
            "docker scout quickview",
            "clair-scanner",
        ],
    },
    Recognised {
        check: "BLD-012",
        actions: &[
            "github/codeql-action/init",
            "github/codeql-action/analyze",
            "semgrep/",
            "returntocorp/semgrep-action",
            "sonarsource/",
            "securego/gosec",
            "pycqa/bandit-action",
            "snyk/actions/ command=code",
            "checkmarx/ast-github-action",
            "bearer/bearer-action",
        ],
        commands: &[
            "semgrep",
            "bandit",
            "gosec",
            "snyk code",
            "sonar-scanner",
            "mvn sonar",
            "gradle sonar",
            "gradlew sonar",
            "codeql database",
            "brakeman",
            "njsscan",
            "bearer scan",
        ],
    },
    Recognised {
        check: "BLD-013",
        actions: &[
            "aquasecurity/trivy-action scan-type=fs",
            "aquasecurity/trivy-action scan-type=repo",
            "dependency-check/dependency-check_action",
            "google/osv-scanner-action",
            "snyk/actions/node command?=test",
            "snyk/actions/python command?=test",
            "snyk/actions/golang command?=test",
            "snyk/actions/maven command?=test",
            "snyk/actions/gradle command?=test",
            "snyk/actions/dotnet command?=test",
            "snyk/actions/php command?=test",
            "snyk/actions/ruby command?=test",
            "pypa/gh-action-pip-audit",
            "rustsec/audit-check",
            "actions-rust-lang/audit",
            "embarkstudios/cargo-deny-action",
            "golang/govulncheck-action",
        ],
        commands: &[
            "dependency-check*",
            "osv-scanner",
            "npm audit",
            "yarn audit",
            "yarn npm audit",
            "pnpm audit",
            "pip-audit",
            "safety check",
            "safety scan",
            "cargo audit",
            "cargo deny",
            "snyk test",
            "trivy fs",
            "trivy repo",
            "grype dir",
            "govulncheck",
            "bundle audit",
            "bundler-audit",
            "composer audit",
            "dotnet list --vulnerable",
            "audit-ci",
        ],
    },
    Recognised {
        check: "BLD-014",
        actions: &["renovatebot/github-action"],
        commands: &["renovate"],
    },
    Recognised {
        check: "BLD-024",
        actions: &[
            "sigstore/cosign-installer",
            "sigstore/gh-action-sigstore-python",
            "actions/attest-build-provenance",
            "actions/attest",
            "slsa-framework/slsa-github-generator/",
            "docker/build-push-action provenance",
            "docker/build-push-action attests",
            "pypa/gh-action-pypi-publish attestations",
        ],
        commands: &[
            "cosign sign",
            "cosign sign-blob",
            "cosign attest",
            "npm publish --provenance",
            "notation sign",
            "gpg --detach-sign",
        ],
    },
];

/// Tools that publish images, packages or releases: BLD-024 applies only where a
/// workflow publishes something.
pub static PUBLISHING: Recognised = Recognised {
    check: "BLD-024",
    actions: &[
        "docker/build-push-action push=true",
        "docker/bake-action push=true",
        "softprops/action-gh-release",
        "ncipollo/release-action",
        "actions/create-release",
        "goreleaser/goreleaser-action",
        "pypa/gh-action-pypi-publish",
        "js-devtools/npm-publish",
        "katyo/publish-crates",
    ],
    commands: &[
        "docker push",
        "podman push",
        "buildah push",
        "docker buildx --push",
        "crane push",
        "helm push",
        "ko build",
        "npm publish",
        "pnpm publish",
        "yarn npm publish",
        "cargo publish",
        "twine upload",
        "poetry publish",
        "uv publish",
        "gem push",
        "dotnet nuget push",
        "mvn deploy",
        "gradle publish",
        "gradlew publish",
        "gh release create",
        "gh release upload",
        "goreleaser release",
    ],
};

/// Tools that build container images: BLD-011 applies only where a workflow builds one or
/// the repository holds a Dockerfile.
pub static IMAGE_BUILDS: Recognised = Recognised {
    check: "BLD-011",
    actions: &[
        "docker/build-push-action",
        "docker/bake-action",
        "redhat-actions/buildah-build",
        "ko-build/setup-ko",
    ],
    commands: &[
        "docker build",
        "docker buildx build",
        "docker buildx bake",
        "docker compose build",
        "podman build",
        "buildah bud",
        "buildah build",
        "ko build",
        "kaniko",
        "executor --destination",
        "pack build",
        "mvn jib",
        "gradle jib",
        "gradlew jib",
    ],
};

/// The tools of the scanning checks whose scheduled runs BLD-015 looks for.
const SCHEDULED_SCANS: &[&str] = &["BLD-011", "BLD-012", "BLD-013"];

/// Why presence checks do not apply to a directory without workflows.
const NO_WORKFLOWS: &str = "no GitHub Actions workflow was found, so there is no CI to judge";

/// BLD-009: pull requests get a dependency review.
pub static BLD_009: Check = Check {
    id: "BLD-009",
    area: Area::Build,
    severity: Severity::Medium,
    title: "Pull requests get no dependency review",
    why: "A pull request can add or upgrade a dependency with a known vulnerability or an \
          unacceptable licence, and a reviewer reading the lockfile diff rarely notices. \
          Reviewing the dependency changes automatically stops them before they merge.",
    remediation: "Run the dependency review action on every pull request and make it a \
                  required status check.",
    snippet: Snippet {
        language: "yaml",
        code: "on: pull_request\npermissions:\n  contents: read\njobs:\n  dependency-review:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/dependency-review-action@<full-commit-sha> # pin the release you reviewed\n        with:\n          fail-on-severity: high\n",
    },
    references: &["seed §1.1"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "zizmor 1.33.1 and checkov 3.3.30 have no rule for dependency review, so there \
                   was nothing to compare on the fixtures or the sample project.",
    evaluate: dependency_review,
};

fn dependency_review(cx: &Context<'_>) -> Evaluation {
    presence(
        cx,
        "BLD-009",
        "no workflow reviews the dependencies a pull request changes",
    )
}

/// BLD-010: CI produces a software bill of materials.
pub static BLD_010: Check = Check {
    id: "BLD-010",
    area: Area::Build,
    severity: Severity::Medium,
    title: "No SBOM produced in CI",
    why: "When a new vulnerability is published, a software bill of materials for each \
          build answers at once which releases contain the affected component. Without \
          one, that answer needs a rebuild or guesswork while the exposure lasts.",
    remediation: "Generate an SBOM (CycloneDX or SPDX) for every released image or \
                  artefact in CI and publish or attest it alongside the release.",
    snippet: Snippet {
        language: "yaml",
        code: "- uses: anchore/sbom-action@<full-commit-sha> # pin the release you reviewed\n  with:\n    image: ghcr.io/${{ github.repository }}:${{ github.sha }}\n    format: cyclonedx-json\n",
    },
    references: &["seed §1.1"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "zizmor 1.33.1 has no rule for it. checkov CKV_GHA_6 (cosign SBOM attestation \
                   after a build) passed the fail fixture, which builds an image with \
                   `docker build` and produces no SBOM; Rampart is right to fail it.",
    evaluate: sbom,
};

fn sbom(cx: &Context<'_>) -> Evaluation {
    presence(cx, "BLD-010", "no workflow produces an SBOM")
}

/// BLD-011: container images are scanned for vulnerabilities in CI.
pub static BLD_011: Check = Check {
    id: "BLD-011",
    area: Area::Build,
    severity: Severity::High,
    title: "No container image vulnerability scan in CI",
    why: "Base images and the packages installed into them carry most of an image's known \
          vulnerabilities, and they change under a fixed tag. Scanning the built image in \
          CI catches them before the image is pushed or deployed.",
    remediation: "Scan every image CI builds, failing the job on fixable critical and high \
                  vulnerabilities, and upload the results to code scanning.",
    snippet: Snippet {
        language: "yaml",
        code: "- uses: aquasecurity/trivy-action@<full-commit-sha> # pin the release you reviewed\n  with:\n    image-ref: ghcr.io/${{ github.repository }}:${{ github.sha }}\n    severity: CRITICAL,HIGH\n    ignore-unfixed: true\n    exit-code: '1'\n",
    },
    references: &["seed §1.1"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "zizmor 1.33.1 and checkov 3.3.30 have no rule for an image scan in CI, so there \
                   was nothing to compare on the fixtures or the sample project.",
    evaluate: image_scan,
};

fn image_scan(cx: &Context<'_>) -> Evaluation {
    let builds = cx.workflows().iter().any(|w| shows_tools(w, &IMAGE_BUILDS));
    if !builds && cx.dockerfiles().is_empty() {
        return Evaluation::NotApplicable(
            "no Dockerfile was found and no workflow builds a container image".to_string(),
        );
    }
    presence(
        cx,
        "BLD-011",
        "no workflow scans a container image for vulnerabilities",
    )
}

/// BLD-012: code is analysed statically in CI.
pub static BLD_012: Check = Check {
    id: "BLD-012",
    area: Area::Build,
    severity: Severity::High,
    title: "No static analysis (SAST) in CI",
    why: "Static analysis finds injection flaws, unsafe deserialisation and similar bugs \
          in the code itself, on every change and before review. Without it, such flaws \
          are found by whoever looks hardest, and that may be an attacker.",
    remediation: "Enable CodeQL (default setup in the repository's code security settings, \
                  or a workflow) or another SAST tool on pushes and pull requests.",
    snippet: Snippet {
        language: "shell",
        code: "gh api -X PATCH repos/OWNER/REPO/code-scanning/default-setup -f state=configured\n",
    },
    references: &["seed §1.3", "Scorecard SAST"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "Scorecard also counts analysis run by apps on past pull requests; from files \
                   Rampart sees only workflows, so default setup needs the github source. zizmor \
                   1.33.1 and checkov 3.3.30 have no rule for it, so there was nothing to compare \
                   on the fixtures or the sample project.",
    evaluate: sast,
};

fn sast(cx: &Context<'_>) -> Evaluation {
    // Default setup analyses the code without any workflow; when it is on, that suffices.
    if crate::checks::build::github::default_setup_configured(cx) {
        return Evaluation::items(1, Vec::new(), NO_WORKFLOWS);
    }
    presence(
        cx,
        "BLD-012",
        "no workflow runs static analysis, and code-scanning default setup cannot be seen \
         from files",
    )
}

/// BLD-013: dependencies are scanned for known vulnerabilities in CI.
pub static BLD_013: Check = Check {
    id: "BLD-013",
    area: Area::Build,
    severity: Severity::Medium,
    title: "No dependency vulnerability scan in CI",
    why: "Most of a modern application's code comes from dependencies, and new \
          vulnerabilities in them are published every day. A scan in CI reports the ones \
          the project already uses, not only the ones a pull request adds.",
    remediation: "Run a dependency scanner such as osv-scanner, Trivy (fs), pip-audit, \
                  npm audit or cargo audit in CI and fail on fixable high-severity issues.",
    snippet: Snippet {
        language: "yaml",
        code: "- uses: google/osv-scanner-action/osv-scanner-action@<full-commit-sha> # pin the release you reviewed\n  with:\n    scan-args: --recursive ./\n",
    },
    references: &["seed §1.3", "Scorecard Vulnerabilities"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "Scorecard asks OSV whether known vulnerabilities are open now; Rampart asks \
                   whether CI looks for them. zizmor 1.33.1 and checkov 3.3.30 have no rule for \
                   it, so there was nothing to compare on the fixtures or the sample project.",
    evaluate: dependency_scan,
};

fn dependency_scan(cx: &Context<'_>) -> Evaluation {
    presence(
        cx,
        "BLD-013",
        "no workflow scans dependencies for known vulnerabilities",
    )
}

/// BLD-014: a tool proposes dependency updates.
pub static BLD_014: Check = Check {
    id: "BLD-014",
    area: Area::Build,
    severity: Severity::Medium,
    title: "No dependency update tool",
    why: "Fixes for vulnerable dependencies only help once the project takes them, and \
          upgrading by hand falls behind. An update tool opens the pull requests as soon \
          as fixed versions exist, including for pinned actions and base images.",
    remediation: "Add `.github/dependabot.yml` covering every package ecosystem in the \
                  repository, including `github-actions` and `docker`, or configure Renovate.",
    snippet: Snippet {
        language: "yaml",
        code: "# .github/dependabot.yml\nversion: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    schedule:\n      interval: weekly\n  - package-ecosystem: docker\n    directory: /\n    schedule:\n      interval: weekly\n",
    },
    references: &["Scorecard Dependency-Update-Tool"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "zizmor `dependabot-cooldown` reads the Dependabot file rather than asking \
                   whether one exists: it flagged the pass fixture and the sample project for \
                   having no cooldown, a concern Rampart does not check. checkov 3.3.30 has no \
                   rule for it.",
    evaluate: update_tool,
};

fn update_tool(cx: &Context<'_>) -> Evaluation {
    let files = cx.files();
    let configured = files.is_some_and(|f| !f.dependabot.is_empty() || !f.renovate.is_empty());
    if configured {
        return Evaluation::items(1, Vec::new(), NO_WORKFLOWS);
    }
    presence(
        cx,
        "BLD-014",
        "no Dependabot or Renovate configuration was found, and no workflow runs Renovate",
    )
}

/// BLD-015: security scans also run on a schedule.
pub static BLD_015: Check = Check {
    id: "BLD-015",
    area: Area::Build,
    severity: Severity::Low,
    title: "Security scans never run on a schedule",
    why: "Scans triggered only by pushes and pull requests stay silent on a quiet \
          repository, while new vulnerabilities keep being published against code that \
          has not changed. A scheduled run reports them without waiting for the next change.",
    remediation: "Add a `schedule:` trigger (for example daily or weekly) to the workflow \
                  that scans images, code or dependencies.",
    snippet: Snippet {
        language: "yaml",
        code: "on:\n  push:\n    branches: [main]\n  schedule:\n    - cron: '17 3 * * 1'   # weekly, Monday 03:17 UTC\n",
    },
    references: &["seed §1.1", "seed §7.2"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "zizmor 1.33.1 and checkov 3.3.30 have no rule for scheduled scans, so there was \
                   nothing to compare on the fixtures or the sample project.",
    evaluate: scheduled_scans,
};

fn scheduled_scans(cx: &Context<'_>) -> Evaluation {
    let workflows = cx.workflows();
    if workflows.is_empty() {
        return Evaluation::NotApplicable(NO_WORKFLOWS.to_string());
    }
    let scheduled = workflows
        .iter()
        .filter(|w| triggers(w).contains(&"schedule"))
        .any(|w| runs_scan(w, workflows));
    let message = "no workflow with a `schedule:` trigger runs an image, code or dependency scan";
    judged(workflows, scheduled, message)
}

/// Whether a workflow, or a local reusable workflow it calls, runs a scanning tool.
fn runs_scan(workflow: &YamlDocument, all: &[YamlDocument]) -> bool {
    let scans = |w: &YamlDocument| SCHEDULED_SCANS.iter().any(|id| shows(w, id));
    if scans(workflow) {
        return true;
    }
    jobs(workflow)
        .iter()
        .filter_map(|j| j.value.get("uses").and_then(serde_json::Value::as_str))
        .filter_map(|uses| uses.strip_prefix("./"))
        .map(|path| path.split('@').next().unwrap_or(path))
        .filter_map(|path| all.iter().find(|w| w.path.ends_with(path)))
        .any(scans)
}

/// BLD-024: released images and artefacts are signed or carry provenance.
pub static BLD_024: Check = Check {
    id: "BLD-024",
    area: Area::Build,
    severity: Severity::Medium,
    title: "Releases are neither signed nor attested",
    why: "Without a signature or a provenance attestation, whoever deploys an image or \
          installs a package cannot tell it came from this repository's CI rather than \
          from someone who stole a registry token. Keyless signing and build provenance \
          bind each artefact to the workflow run that built it.",
    remediation: "Sign released images with cosign and attach build provenance with \
                  `actions/attest-build-provenance` or the SLSA generator; verify them at \
                  deployment with an admission policy.",
    snippet: Snippet {
        language: "yaml",
        code: "permissions:\n  id-token: write\n  attestations: write\n  packages: write\nsteps:\n  - uses: actions/attest-build-provenance@<full-commit-sha> # pin the release you reviewed\n    with:\n      subject-name: ghcr.io/${{ github.repository }}\n      subject-digest: ${{ steps.build.outputs.digest }}\n      push-to-registry: true\n",
    },
    references: &["Scorecard Signed-Releases", "SLSA Build L2"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "Scorecard looks for signature files attached to past GitHub releases; Rampart \
                   looks for signing or attestation in the workflows that publish, and does not \
                   apply where no workflow publishes anything. checkov CKV_GHA_5 (cosign signing \
                   after a build) passed the fail fixture, which builds and pushes an image and \
                   signs nothing; Rampart is right to fail it.",
    evaluate: signed_releases,
};

fn signed_releases(cx: &Context<'_>) -> Evaluation {
    let workflows = cx.workflows();
    let publishes = workflows.iter().any(|w| shows_tools(w, &PUBLISHING));
    if !publishes {
        return Evaluation::NotApplicable(
            "no workflow publishes an image, package or release".to_string(),
        );
    }
    presence(
        cx,
        "BLD-024",
        "workflows publish images, packages or releases but none signs them or attests \
         their provenance",
    )
}

/// One item, the repository's workflows: passing when any shows the control `check`.
fn presence(cx: &Context<'_>, check: &str, missing: &str) -> Evaluation {
    let workflows = cx.workflows();
    if workflows.is_empty() {
        return Evaluation::NotApplicable(NO_WORKFLOWS.to_string());
    }
    let shown = workflows.iter().any(|w| shows(w, check));
    judged(workflows, shown, missing)
}

fn judged(workflows: &[YamlDocument], shown: bool, missing: &str) -> Evaluation {
    let findings = if shown {
        Vec::new()
    } else {
        vec![folder_finding(workflows, missing)]
    };
    Evaluation::items(1, findings, NO_WORKFLOWS)
}

/// The one finding of a missing control, on the folder that holds the workflows. It has no
/// file location: a missing control is fixed by adding a workflow, not by editing a line,
/// and code scanning rejects results that point at a directory.
fn folder_finding(workflows: &[YamlDocument], message: &str) -> Draft {
    let folder = workflows
        .first()
        .and_then(|w| w.path.rsplit_once('/'))
        .map_or(".github/workflows", |(folder, _)| folder)
        .to_string();
    Draft {
        source: SourceKind::Files,
        resource: file_resource(&folder, None),
        location: None,
        message: match workflows.len() {
            1 => format!("{message} (1 workflow read)"),
            n => format!("{message} ({n} workflows read)"),
        },
        evidence: None,
        severity: None,
    }
}

/// Whether a workflow uses one of the tools recognised for `check`.
fn shows(workflow: &YamlDocument, check: &str) -> bool {
    RECOGNISED
        .iter()
        .filter(|r| r.check == check)
        .any(|r| shows_tools(workflow, r))
}

fn shows_tools(workflow: &YamlDocument, tools: &Recognised) -> bool {
    steps(workflow).iter().any(|step| {
        tools.actions.iter().any(|a| uses_action(step, a))
            || (!tools.commands.is_empty()
                && step.run().is_some_and(|run| {
                    // Split each line into words once, not once per recognised command.
                    script_lines(run).iter().any(|line| {
                        let words = line_words(&line.text);
                        tools.commands.iter().any(|c| words_run(&words, c))
                    })
                }))
    })
}

/// Whether a step uses the action described by a [`Recognised::actions`] entry.
fn uses_action(step: &StepRef<'_>, entry: &str) -> bool {
    let (name, condition) = entry.split_once(' ').unwrap_or((entry, ""));
    let Some(action) = step.action() else {
        return false;
    };
    let named = if name.ends_with('/') {
        action.starts_with(name)
    } else {
        is_action(&action, name)
    };
    named && input_condition(step, condition)
}

fn input_condition(step: &StepRef<'_>, condition: &str) -> bool {
    if condition.is_empty() {
        return true;
    }
    let starts =
        |value: &str, expected: &str| value.trim().to_ascii_lowercase().starts_with(expected);
    if let Some((input, expected)) = condition.split_once("?=") {
        return step.input(input).is_none_or(|v| starts(&v, expected));
    }
    if let Some((input, expected)) = condition.split_once('=') {
        return step.input(input).is_some_and(|v| starts(&v, expected));
    }
    step.input(condition)
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("false"))
}

/// Whether a script line runs the command described by a [`Recognised::commands`] entry:
/// its words in order, each matching a whole word of the line.
#[cfg(test)]
fn runs_command(line: &str, command: &str) -> bool {
    words_run(&line_words(line), command)
}

/// Whether the words of a line contain the words of `command`, in order.
fn words_run(words: &[String], command: &str) -> bool {
    let mut rest = words.iter();
    command
        .split_whitespace()
        .all(|wanted| rest.any(|word| word_matches(word, wanted)))
}

/// The words of a shell line, lowercased, split at operators, quotes and `=`, with paths
/// reduced to their last component so that `./bin/syft` reads as `syft`.
fn line_words(line: &str) -> Vec<String> {
    line.split(|c: char| c.is_whitespace() || "'\"();|&`=:,<>".contains(c))
        .filter(|w| !w.is_empty())
        .map(|w| w.rsplit('/').next().unwrap_or(w).to_ascii_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

fn word_matches(word: &str, wanted: &str) -> bool {
    match wanted.strip_suffix('*') {
        Some(prefix) => word.starts_with(prefix),
        None => word == wanted,
    }
}

#[cfg(test)]
mod tests {
    use super::{RECOGNISED, runs_command};

    #[test]
    fn commands_match_words_in_order() {
        assert!(runs_command(
            "trivy image --exit-code 1 app:latest",
            "trivy image"
        ));
        assert!(runs_command("./bin/syft dir:. -o cyclonedx-json", "syft"));
        assert!(runs_command(
            "npx @cyclonedx/cyclonedx-npm --output-file bom.json",
            "cyclonedx*"
        ));
        assert!(runs_command(
            "trivy image --format=cyclonedx app",
            "trivy --format cyclonedx"
        ));
        assert!(runs_command(
            "docker buildx build --sbom=true --push .",
            "docker buildx --sbom"
        ));
        assert!(!runs_command("image trivy", "trivy image"));
        assert!(!runs_command("echo syftly", "syft"));
        assert!(!runs_command("cargo build --release", "cargo audit"));
    }

    #[test]
    fn every_table_entry_is_well_formed() {
        for recognised in RECOGNISED {
            assert!(recognised.check.starts_with("BLD-"));
            for action in recognised.actions {
                assert!(action.contains('/'), "{action}");
                assert_eq!(action.to_ascii_lowercase(), *action, "{action}");
            }
        }
    }
}
