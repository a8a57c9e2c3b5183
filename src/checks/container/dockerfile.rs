//! Checks of how images are built, read from Dockerfiles (CTR-001 to CTR-007).
//!
//! Every check here is multi-stage aware: a `FROM` that names an earlier stage is not an
//! image pull, and what an earlier stage sets is inherited by the stages built on it.

use std::collections::BTreeMap;

use crate::checks::container::image_pin;
use crate::checks::container::shell::{self, Command};
use crate::checks::context::file_resource;
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::{DockerInstruction, DockerStage, Dockerfile};
use crate::model::{Area, Location, Severity, SourceKind};

/// CTR-001: the image's final stage runs as a non-root user.
pub static CTR_001: Check = Check {
    id: "CTR-001",
    area: Area::Containers,
    severity: Severity::High,
    title: "Image runs as root",
    why: "A process running as root inside a container is root on the host's kernel with only \
          namespaces in between; one container escape or a writable host mount turns it into \
          root on the node. Without a USER instruction the image runs as root unless every \
          place that starts it remembers to override the user.",
    remediation: "Create an unprivileged user in the final stage and switch to it with USER, \
                  by numeric id so that Kubernetes can verify runAsNonRoot.",
    snippet: Snippet {
        language: "dockerfile",
        code: "RUN addgroup -g 10001 app && adduser -D -u 10001 -G app app\nUSER 10001:10001\n",
    },
    references: &["DS-0002", "CKV_DOCKER_3", "DL3002", "CIS Docker 4.1"],
    sources: &[SourceKind::Files],
    differs_from: "hadolint DL3002 only flags an explicit `USER root`, so it passed the fail \
                   fixture and the sample project; Rampart also fails a final stage with no USER \
                   at all, as Trivy DS-0002 does. checkov CKV_DOCKER_3 fails a Dockerfile with no \
                   USER anywhere (the sample project) but accepted the fail fixture, whose only \
                   USER is in a builder stage that never reaches the image.",
    evaluate: image_runs_as_root,
};

fn image_runs_as_root(cx: &Context<'_>) -> Evaluation {
    let mut findings = Vec::new();
    let mut evaluated = 0;
    for dockerfile in cx.dockerfiles() {
        let Some(last) = dockerfile.final_stage() else {
            continue;
        };
        evaluated += 1;
        let problem = match effective_user(dockerfile, last, 0) {
            Some((user, line)) if is_root(&user) => Some((format!("runs as `{user}`"), line)),
            Some(_) => None,
            None => Some(("sets no USER, so it runs as root".to_string(), last.line)),
        };
        if let Some((message, line)) = problem {
            let stage = stage_label(last, dockerfile.stages.len() - 1);
            findings.push(Draft {
                source: SourceKind::Files,
                resource: file_resource(&dockerfile.path, Some(&stage)),
                location: Some(Location {
                    path: dockerfile.path.clone(),
                    line,
                }),
                message: format!("the final stage ({stage}) {message}"),
                evidence: Some(format!("FROM {}", last.base)),
                severity: None,
            });
        }
    }
    Evaluation::items(evaluated, findings, "no Dockerfile was found")
}

/// The last `USER` in effect for a stage, following `FROM <earlier stage>` chains.
fn effective_user(file: &Dockerfile, stage: &DockerStage, depth: usize) -> Option<(String, u32)> {
    let own = stage
        .instructions
        .iter()
        .rev()
        .find(|i| i.keyword == "USER");
    if let Some(user) = own {
        return Some((user.arguments.trim().to_string(), user.line));
    }
    // A stage built on an earlier stage inherits its user; bound the chain in case a file
    // names stages in a cycle, which Docker rejects but a parser may not.
    let parent = file.stage_named(&stage.base)?;
    if depth > file.stages.len() || std::ptr::eq(parent, stage) {
        return None;
    }
    effective_user(file, parent, depth + 1)
}

fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or("").trim();
    name.is_empty() || name == "root" || name == "0"
}

/// `stage build` for a named stage, `stage 2` (its index) otherwise.
fn stage_label(stage: &DockerStage, index: usize) -> String {
    match &stage.name {
        Some(name) => format!("stage {name}"),
        None => format!("stage {index}"),
    }
}

/// The index of the earlier stage that `base` names in stage `index`, if it names one.
fn earlier_stage(file: &Dockerfile, index: usize, base: &str) -> Option<usize> {
    let earlier = file.stages.get(..index)?;
    earlier
        .iter()
        .position(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(base))
        })
        .or_else(|| base.parse::<usize>().ok().filter(|i| *i < index))
}

/// The stages whose layers end up in the image a plain `docker build` produces: the last
/// stage and the chain of earlier stages it is built `FROM`.
fn final_image_stages(file: &Dockerfile) -> Vec<usize> {
    let mut chain = Vec::new();
    let mut current = file.stages.len().checked_sub(1);
    while let Some(index) = current {
        chain.push(index);
        current = file
            .stages
            .get(index)
            .and_then(|s| earlier_stage(file, index, &s.base));
    }
    chain
}

/// A finding on one instruction, located by its stage and position for a stable identity.
fn instruction_draft(
    file: &Dockerfile,
    (stage_index, stage): (usize, &DockerStage),
    (index, instruction): (usize, &DockerInstruction),
    message: &str,
) -> Draft {
    let part = format!(
        "{}, instruction {}",
        stage_label(stage, stage_index),
        index + 1
    );
    Draft {
        source: SourceKind::Files,
        resource: file_resource(&file.path, Some(&part)),
        location: Some(Location {
            path: file.path.clone(),
            line: instruction.line,
        }),
        message: message.to_string(),
        evidence: Some(excerpt(instruction)),
        severity: None,
    }
}

/// The instruction as written, shortened so a finding stays one line.
fn excerpt(instruction: &DockerInstruction) -> String {
    const LIMIT: usize = 160;
    let text = format!("{} {}", instruction.keyword, instruction.arguments);
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Judges instructions with `judge` over the stages `stages_of` picks, one finding per
/// failing instruction. Only instructions for which `judge` returns `Some` are counted.
fn judge_instructions(
    cx: &Context<'_>,
    stages_of: fn(&Dockerfile) -> Vec<usize>,
    judge: impl Fn(&Dockerfile, &DockerInstruction) -> Option<Vec<String>>,
) -> Evaluation {
    let files = cx.dockerfiles();
    if files.is_empty() {
        return Evaluation::NotApplicable("no Dockerfile was found".to_string());
    }
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for file in files {
        for stage_index in stages_of(file) {
            let Some(stage) = file.stages.get(stage_index) else {
                continue;
            };
            for (index, instruction) in stage.instructions.iter().enumerate() {
                let Some(problems) = judge(file, instruction) else {
                    continue;
                };
                evaluated += 1;
                if !problems.is_empty() {
                    findings.push(instruction_draft(
                        file,
                        (stage_index, stage),
                        (index, instruction),
                        &problems.join("; "),
                    ));
                }
            }
        }
    }
    // A Dockerfile without any instruction of the kind passes: there is nothing to fix.
    Evaluation::Judged {
        evaluated,
        findings,
    }
}

fn all_stages(file: &Dockerfile) -> Vec<usize> {
    (0..file.stages.len()).collect()
}

/// CTR-002: every `FROM` that pulls an image names a tag other than `latest`.
pub static CTR_002: Check = Check {
    id: "CTR-002",
    area: Area::Containers,
    severity: Severity::Medium,
    title: "Base image not pinned",
    why: "A base image named without a tag, or as `latest`, is whatever the registry serves on \
          the day of the build. Two builds of the same commit can ship different operating \
          systems, and a compromised or broken upstream push flows straight into the image \
          without any change in the repository to review.",
    remediation: "Name a specific version tag for every base image, and preferably pin it by \
                  digest as well so the exact bytes are fixed; let a bot such as Dependabot or \
                  Renovate propose the updates.",
    snippet: Snippet {
        language: "dockerfile",
        code: "FROM python:3.12-slim@sha256:<digest> AS build\n# …\nFROM build\n",
    },
    references: &["DL3006", "DL3007", "DS-0001", "CKV_DOCKER_7"],
    sources: &[SourceKind::Files],
    differs_from: "A `FROM ${BASE}` is judged on the default of the `ARG` declared before the \
                   first FROM; with no default the value comes from the build command, which \
                   Rampart cannot see, so it is not reported. hadolint DL3006 and DL3007 do not \
                   read the default, so they missed `FROM ${BASE}` with `BASE=debian`; checkov \
                   CKV_DOCKER_7 reports it, but also an `ARG` with no default (pass fixture), \
                   which may well be pinned on the command line.",
    evaluate: unpinned_base_images,
};

fn unpinned_base_images(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for file in cx.dockerfiles() {
        let args = preamble_defaults(file);
        for (index, stage) in file.stages.iter().enumerate() {
            let message = match judge_base(file, index, stage, &args) {
                BaseImage::NoPull => continue,
                BaseImage::Pinned => None,
                BaseImage::Floating(message) => Some(message),
            };
            evaluated += 1;
            if let Some(message) = message {
                let part = stage_label(stage, index);
                findings.push(Draft {
                    source: SourceKind::Files,
                    resource: file_resource(&file.path, Some(&part)),
                    location: Some(Location {
                        path: file.path.clone(),
                        line: stage.line,
                    }),
                    message,
                    evidence: Some(format!("FROM {}", stage.base)),
                    severity: None,
                });
            }
        }
    }
    Evaluation::items(evaluated, findings, "no Dockerfile pulls a base image")
}

/// What a stage's `FROM` pulls.
enum BaseImage {
    /// Nothing: `scratch` or an earlier stage.
    NoPull,
    /// A pinned image, or one named through a build argument without a default.
    Pinned,
    /// A floating image, with why.
    Floating(String),
}

fn judge_base(
    file: &Dockerfile,
    index: usize,
    stage: &DockerStage,
    args: &BTreeMap<String, String>,
) -> BaseImage {
    let Some(resolved) = expand_args(&stage.base, args) else {
        return BaseImage::Pinned;
    };
    if resolved.eq_ignore_ascii_case("scratch") || earlier_stage(file, index, &resolved).is_some() {
        return BaseImage::NoPull;
    }
    let pin = image_pin(&resolved);
    if !pin.is_floating() {
        return BaseImage::Pinned;
    }
    let via = if resolved == stage.base {
        String::new()
    } else {
        format!(" (`{}` defaults to `{resolved}`)", stage.base)
    };
    BaseImage::Floating(format!("base image `{resolved}`{via} {}", pin.describe()))
}

/// Defaults of the `ARG`s declared before the first `FROM`.
fn preamble_defaults(file: &Dockerfile) -> BTreeMap<String, String> {
    let mut defaults = BTreeMap::new();
    for arg in file.preamble.iter().filter(|i| i.keyword == "ARG") {
        for word in shell::commands(&format!("ARG {}", arg.arguments))
            .into_iter()
            .flat_map(|c| c.assignments.into_iter().chain(c.words.into_iter().skip(1)))
        {
            if let Some((name, value)) = word.split_once('=') {
                defaults.insert(name.to_string(), value.to_string());
            }
        }
    }
    defaults
}

/// Substitutes `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME-default}`; `None` when a
/// variable has no value that the Dockerfile states.
fn expand_args(text: &str, args: &BTreeMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        let (expression, consumed) = if let Some(braced) = after.strip_prefix('{') {
            let end = braced.find('}')?;
            (&braced[..end], end + 2)
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        let (name, fallback) = match expression.split_once('-') {
            Some((name, fallback)) => (name.trim_end_matches(':'), Some(fallback)),
            None => (expression, None),
        };
        let value = args
            .get(name)
            .filter(|v| !v.is_empty())
            .map(String::as_str)
            .or(fallback)?;
        out.push_str(value);
        rest = &after[consumed..];
    }
    out.push_str(rest);
    Some(out)
}

/// CTR-003: the image declares a health check.
pub static CTR_003: Check = Check {
    id: "CTR-003",
    area: Area::Containers,
    severity: Severity::Low,
    title: "Image has no health check",
    why: "Without a HEALTHCHECK the engine only knows whether the process exists, not whether \
          it still answers. A hung service keeps receiving traffic and is never restarted, \
          which turns a fault or a resource-exhaustion attack into a lasting outage.",
    remediation: "Add a HEALTHCHECK to the final stage that exercises the service cheaply. \
                  On Kubernetes, liveness and readiness probes serve the same purpose and \
                  take precedence.",
    snippet: Snippet {
        language: "dockerfile",
        code: "HEALTHCHECK --interval=30s --timeout=3s --retries=3 \\\n  CMD [\"/app/healthcheck\"]\n",
    },
    references: &["DS-0026", "CKV_DOCKER_2", "CIS Docker 4.6"],
    sources: &[SourceKind::Files],
    differs_from: "A HEALTHCHECK in an earlier stage counts when the final stage is built FROM \
                   that stage, and `HEALTHCHECK NONE` counts as none. checkov CKV_DOCKER_2 accepts \
                   any HEALTHCHECK in the file, so it passed both fail files: one declares it in a \
                   builder stage the final image does not inherit, the other switches it off. \
                   hadolint DL3057, off by default, agrees on the first but accepts \
                   `HEALTHCHECK NONE`, and also reports builder stages, which never ship (sample \
                   project).",
    evaluate: missing_health_checks,
};

fn missing_health_checks(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for file in cx.dockerfiles() {
        let Some(last) = file.final_stage() else {
            continue;
        };
        evaluated += 1;
        let index = file.stages.len() - 1;
        let (message, line) = match effective_healthcheck(file) {
            Some(check) if !is_healthcheck_none(check) => continue,
            Some(check) => (
                "switches the health check off with `HEALTHCHECK NONE`",
                check.line,
            ),
            None => ("declares no HEALTHCHECK", last.line),
        };
        let part = stage_label(last, index);
        findings.push(Draft {
            source: SourceKind::Files,
            resource: file_resource(&file.path, Some(&part)),
            location: Some(Location {
                path: file.path.clone(),
                line,
            }),
            message: format!("the final stage ({part}) {message}"),
            evidence: Some(format!("FROM {}", last.base)),
            severity: None,
        });
    }
    Evaluation::items(evaluated, findings, "no Dockerfile was found")
}

/// The last HEALTHCHECK in effect for the final stage, following its chain of stages.
fn effective_healthcheck(file: &Dockerfile) -> Option<&DockerInstruction> {
    final_image_stages(file).into_iter().find_map(|index| {
        file.stages
            .get(index)?
            .instructions
            .iter()
            .rev()
            .find(|i| i.keyword == "HEALTHCHECK")
    })
}

fn is_healthcheck_none(instruction: &DockerInstruction) -> bool {
    instruction
        .arguments
        .split_whitespace()
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("NONE"))
}

/// CTR-004: `ADD` is kept for what only it does.
pub static CTR_004: Check = Check {
    id: "CTR-004",
    area: Area::Containers,
    severity: Severity::Low,
    title: "ADD used where COPY serves",
    why: "ADD silently unpacks archives and fetches URLs, so a file that is one day replaced by \
          a tarball, or a path that turns out to be a link, changes what lands in the image \
          without anyone asking for it. COPY does only what it says, which keeps a review of \
          the Dockerfile honest.",
    remediation: "Use COPY for local files and directories. Keep ADD only to unpack a local \
                  archive, or to fetch a URL with `--checksum` so the download is verified.",
    snippet: Snippet {
        language: "dockerfile",
        code: "COPY --chown=10001:10001 ./app /app\n",
    },
    references: &["DL3020", "DS-0005", "CKV_DOCKER_4"],
    sources: &[SourceKind::Files],
    differs_from: "Sources named through a build variable are not reported, since they may be \
                   archives or URLs; hadolint DL3020 does report `ADD ${PAYLOAD}` (pass fixture). \
                   checkov CKV_DOCKER_4 fails every ADD, including a local archive it unpacks and \
                   a URL fetched with `--checksum`, which COPY cannot replace; Rampart is right to \
                   pass those.",
    evaluate: add_where_copy_serves,
};

fn add_where_copy_serves(cx: &Context<'_>) -> Evaluation {
    judge_instructions(cx, all_stages, |_, i| {
        (i.keyword == "ADD").then(|| add_problem(i).into_iter().collect())
    })
}

/// Why an ADD should be a COPY, or `None` when ADD is needed or cannot be judged.
fn add_problem(add: &DockerInstruction) -> Option<String> {
    if add.flags.iter().any(|f| f.starts_with("--checksum")) {
        return None;
    }
    let words: Vec<&str> = add
        .arguments
        .split_whitespace()
        .filter(|w| !w.starts_with("--"))
        .map(|w| w.trim_matches(['[', ']', ',', '"']))
        .collect();
    let (_, sources) = words.split_last()?;
    if sources.is_empty() || sources.iter().any(|s| s.contains('$')) {
        return None;
    }
    if sources.iter().any(|s| is_remote(s) || is_archive(s)) {
        return None;
    }
    Some(format!(
        "ADD copies local {} `{}`; COPY does the same without unpacking or fetching",
        if sources.len() == 1 { "path" } else { "paths" },
        sources.join(" ")
    ))
}

fn is_remote(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    ["http://", "https://", "git://", "ssh://", "git@"]
        .iter()
        .any(|p| lower.starts_with(p))
}

fn is_archive(source: &str) -> bool {
    // ADD recognises a tar by its content, compressed or not; these are the names such
    // files go by. A `.zip` is not unpacked by ADD, so it is not an archive here.
    const SUFFIXES: &[&str] = &[
        ".tar", ".tgz", ".tbz", ".tbz2", ".txz", ".tzst", ".gz", ".bz2", ".xz", ".zst", ".lz",
        ".lzma",
    ];
    let lower = source.to_ascii_lowercase();
    SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// CTR-005: no `RUN` calls sudo.
pub static CTR_005: Check = Check {
    id: "CTR-005",
    area: Area::Containers,
    severity: Severity::Medium,
    title: "sudo used in RUN",
    why: "Builds already run as whichever USER is in effect, so sudo in a RUN means the image \
          ships sudo and a sudoers rule, which hands any code running as the app user a path \
          back to root. Its terminal and signal handling also makes build steps behave \
          unpredictably.",
    remediation: "Run the privileged steps before switching USER, or switch to root for them \
                  and back to the unprivileged user afterwards; remove sudo from the image.",
    snippet: Snippet {
        language: "dockerfile",
        code: "USER root\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*\nUSER 10001\n",
    },
    references: &["DL3004", "DS-0010", "CKV2_DOCKER_1"],
    sources: &[SourceKind::Files],
    differs_from: "sudo is found where it runs as a command, including in shell heredocs and \
                   `sh -c` scripts; installing the sudo package alone is not reported. hadolint \
                   2.15.1 cannot parse the heredoc fixtures (DL1000), and on a copy without \
                   heredocs DL3004 missed `sh -c 'sudo ...'`; checkov CKV2_DOCKER_1 missed both \
                   the `sh -c` and the exec-form calls but fails installing the package, which by \
                   itself grants nobody root.",
    evaluate: sudo_in_run,
};

fn sudo_in_run(cx: &Context<'_>) -> Evaluation {
    judge_instructions(cx, all_stages, |_, i| {
        (i.keyword == "RUN").then(|| {
            shell::run_commands(i)
                .iter()
                .find(|c| matches!(c.program(), "sudo" | "doas"))
                .map(|c| format!("runs a command through `{}`", c.program()))
                .into_iter()
                .collect()
        })
    })
}

/// CTR-006: no build step switches off TLS or package signature checks.
pub static CTR_006: Check = Check {
    id: "CTR-006",
    area: Area::Containers,
    severity: Severity::High,
    title: "TLS or signature verification disabled in the build",
    why: "Turning off certificate or signature checks lets anyone on the network path between \
          the builder and a registry, mirror or download site substitute what gets installed. \
          The result is baked into every container started from the image, and when set \
          through ENV it also weakens every connection the application makes at run time.",
    remediation: "Remove the flag or variable. If a private mirror uses an internal certificate \
                  authority, add that CA to the image's trust store; if a package repository is \
                  unsigned, sign it or import its key instead of skipping verification.",
    snippet: Snippet {
        language: "dockerfile",
        code: "COPY internal-ca.crt /usr/local/share/ca-certificates/internal-ca.crt\nRUN update-ca-certificates \\\n && curl -fsSL https://mirror.internal/tool.tar.gz -o /tmp/tool.tar.gz\n",
    },
    references: &[
        "CKV2_DOCKER_2",
        "CKV2_DOCKER_3",
        "CKV2_DOCKER_4",
        "CKV2_DOCKER_5",
        "CKV2_DOCKER_6",
        "CKV2_DOCKER_7",
        "CKV2_DOCKER_8",
        "CKV2_DOCKER_9",
        "CKV2_DOCKER_10",
        "CKV2_DOCKER_11",
        "CKV2_DOCKER_12",
        "CKV2_DOCKER_13",
        "CKV2_DOCKER_14",
        "CKV2_DOCKER_15",
        "CKV2_DOCKER_16",
        "CKV2_DOCKER_17",
    ],
    sources: &[SourceKind::Files],
    differs_from: "ENV and ARG instructions that set the variables are reported as well as RUN, \
                   since an ENV value also applies when the container runs. checkov's CKV2_DOCKER \
                   rules caught nine of the ten fail-fixture lines but missed \
                   `git -c http.sslVerify=false`, and CKV2_DOCKER_2 wrongly flagged \
                   `curl -ukey:secret`, where the k belongs to the user argument; hadolint \
                   reported none of them.",
    evaluate: insecure_transport,
};

fn insecure_transport(cx: &Context<'_>) -> Evaluation {
    judge_instructions(cx, all_stages, |_, i| match i.keyword.as_str() {
        "RUN" => Some(run_insecurities(i)),
        "ENV" | "ARG" => Some(
            declared_variables(&i.arguments)
                .iter()
                .filter_map(|(name, value)| insecure_variable(name, value))
                .collect(),
        ),
        _ => None,
    })
}

fn run_insecurities(run: &DockerInstruction) -> Vec<String> {
    let mut problems: Vec<String> = Vec::new();
    for command in shell::run_commands(run) {
        let assigned = command.assignments.iter().chain(exported(&command));
        let from_env = assigned.filter_map(|a| {
            let (name, value) = a.split_once('=')?;
            insecure_variable(name, value)
        });
        for problem in from_env.chain(insecure_command(&command)) {
            if !problems.contains(&problem) {
                problems.push(problem);
            }
        }
    }
    problems
}

/// The `NAME=value` words of `export` and `env`.
fn exported(command: &Command) -> impl Iterator<Item = &String> {
    let exports = matches!(command.program(), "export" | "env" | "declare" | "typeset");
    command
        .args()
        .iter()
        .filter(move |a| exports && a.contains('='))
}

/// `NAME=value` pairs of an ENV or ARG instruction, in either of ENV's two syntaxes.
fn declared_variables(arguments: &str) -> Vec<(String, String)> {
    let words = shell::commands(arguments)
        .into_iter()
        .flat_map(|c| c.assignments.into_iter().chain(c.words))
        .collect::<Vec<_>>();
    match words.first() {
        // `ENV NAME value with spaces`, the legacy form.
        Some(first) if !first.contains('=') => {
            vec![(first.clone(), words.get(1..).unwrap_or(&[]).join(" "))]
        }
        _ => words
            .iter()
            .filter_map(|w| w.split_once('='))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    }
}

/// Environment variables that switch verification off for git, Node.js, Python and pip.
fn insecure_variable(name: &str, value: &str) -> Option<String> {
    let value = value.trim().to_ascii_lowercase();
    let off = matches!(value.as_str(), "0" | "false" | "no" | "off");
    let insecure = match name.to_ascii_uppercase().as_str() {
        "GIT_SSL_NO_VERIFY" => !value.is_empty() && !off,
        "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" | "NPM_CONFIG_STRICT_SSL" => off,
        "PIP_TRUSTED_HOST" | "UV_INSECURE_HOST" => !value.is_empty(),
        _ => false,
    };
    insecure.then(|| format!("sets `{name}={value}`"))
}

/// What a command does to verification, if it switches any off.
fn insecure_command(command: &Command) -> Vec<String> {
    let program = command.program();
    let args = command.args();
    let lower: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
    let mut found = Vec::new();
    let mut note = |what: &str| found.push(format!("`{program}` {what}"));

    if lower
        .iter()
        .any(|a| a.contains("[trusted=yes]") || a.contains(" trusted=yes"))
    {
        note("marks a package source `trusted=yes`");
    }
    match program {
        "curl"
            if args
                .iter()
                .any(|a| a == "--insecure" || curl_cluster_has_k(a)) =>
        {
            note("skips certificate checks (`-k`/`--insecure`)");
        }
        "wget" if command.has_flag("--no-check-certificate") => {
            note("skips certificate checks (`--no-check-certificate`)");
        }
        "apk" if command.has_flag("--allow-untrusted") => {
            note("accepts unsigned packages (`--allow-untrusted`)");
        }
        "apt-get" | "apt" | "aptitude" => apt_insecurities(command, &lower, &mut note),
        "yum" | "dnf" | "microdnf" | "tdnf" | "zypper" | "rpm" => {
            rpm_insecurities(command, &lower, &mut note);
        }
        "npm" | "yarn" | "pnpm" if strict_ssl_off(&lower) => {
            note("turns off `strict-ssl`");
        }
        "git" if git_ssl_verify_off(&lower) => note("sets `http.sslVerify` to false"),
        "uv" if command.has_flag("--allow-insecure-host") => {
            note("trusts a host without TLS (`--allow-insecure-host`)");
        }
        _ if is_pip(command) && lower.iter().any(|a| a.contains("trusted-host")) => {
            note("trusts a host without TLS (`--trusted-host`)");
        }
        _ => {}
    }
    found
}

/// Whether a short-option cluster such as `-fsSLk` includes `-k`, stopping at the first
/// option that takes a value (in `-ukey`, the `k` belongs to the user name).
fn curl_cluster_has_k(word: &str) -> bool {
    const TAKES_VALUE: &str = "AbcCdDeEFHKmoPQrtTuUwxXyYz";
    let Some(cluster) = word.strip_prefix('-').filter(|w| !w.starts_with('-')) else {
        return false;
    };
    for c in cluster.chars() {
        if c == 'k' {
            return true;
        }
        if TAKES_VALUE.contains(c) {
            return false;
        }
    }
    false
}

fn apt_insecurities(command: &Command, lower: &[String], note: &mut impl FnMut(&str)) {
    for flag in [
        "--allow-unauthenticated",
        "--force-yes",
        "--allow-insecure-repositories",
    ] {
        if command.has_flag(flag) {
            note(&format!("accepts unverified packages (`{flag}`)"));
        }
    }
    let option_on = |key: &str, values: &[&str]| {
        lower.iter().any(|a| {
            a.split_once(key)
                .is_some_and(|(_, v)| values.contains(&v.trim_matches(['"', '\'', ';'])))
        })
    };
    if option_on("allowunauthenticated=", &["1", "true", "yes"])
        || option_on("allowinsecurerepositories=", &["1", "true", "yes"])
        || option_on("verify-peer=", &["0", "false", "no"])
    {
        note("turns verification off through `-o`");
    }
}

fn rpm_insecurities(command: &Command, lower: &[String], note: &mut impl FnMut(&str)) {
    for flag in [
        "--nogpgcheck",
        "--no-gpg-checks",
        "--nosignature",
        "--nodigest",
    ] {
        if command.has_flag(flag) {
            note(&format!("skips signature checks (`{flag}`)"));
        }
    }
    let off = [
        "sslverify=0",
        "sslverify=false",
        "gpgcheck=0",
        "gpgcheck=false",
    ];
    if lower.iter().any(|a| off.iter().any(|o| a.ends_with(o))) {
        note("turns verification off through `--setopt`");
    }
}

fn strict_ssl_off(lower: &[String]) -> bool {
    lower
        .iter()
        .any(|a| a == "--strict-ssl=false" || a.ends_with("strict-ssl=false"))
        || lower
            .windows(2)
            .any(|w| matches!(w[0].as_str(), "strict-ssl" | "enablestrictssl") && w[1] == "false")
}

fn git_ssl_verify_off(lower: &[String]) -> bool {
    let falsy = |v: &str| matches!(v, "false" | "0" | "no" | "off");
    lower.iter().any(|a| {
        a.split_once('=')
            .is_some_and(|(k, v)| k.ends_with("sslverify") && falsy(v))
    }) || lower
        .windows(2)
        .any(|w| w[0].ends_with("sslverify") && falsy(&w[1]))
}

fn is_pip(command: &Command) -> bool {
    let program = command.program();
    program.starts_with("pip")
        || (program.starts_with("python")
            && command
                .args()
                .windows(2)
                .any(|w| w[0] == "-m" && w[1].starts_with("pip")))
}

/// CTR-007: package installs leave no cache and no recommended extras behind.
pub static CTR_007: Check = Check {
    id: "CTR-007",
    area: Area::Containers,
    severity: Severity::Low,
    title: "Package install leaves caches or extra packages",
    why: "Package indexes and caches left in a layer bloat the image, and recommended packages \
          pulled in by default add software nobody chose: every extra binary is one more thing \
          to patch, one more finding in a vulnerability scan and one more tool for an intruder. \
          A cache removed in a later RUN still ships in the earlier layer.",
    remediation: "Install with `--no-install-recommends` (apt), `--no-cache` (apk) or \
                  `--no-cache-dir` (pip), and clean the package cache in the same RUN that \
                  installs, or keep the cache in a BuildKit cache mount so it never reaches a \
                  layer.",
    snippet: Snippet {
        language: "dockerfile",
        code: "RUN apt-get update \\\n && apt-get install -y --no-install-recommends ca-certificates \\\n && rm -rf /var/lib/apt/lists/*\nRUN apk add --no-cache curl\nRUN dnf install -y jq && dnf clean all\n",
    },
    references: &[
        "DL3009",
        "DL3015",
        "DL3019",
        "DL3032",
        "DL3036",
        "DL3040",
        "DKL-DI-0005",
    ],
    sources: &[SourceKind::Files],
    differs_from: "Only the stages that end up in the final image are judged: a cache in a builder \
                   stage whose files are copied out selectively never ships. A BuildKit cache \
                   mount on the package cache counts as cleaning it. hadolint DL3009 ties apt \
                   lists to the RUN that runs `apt-get update`, so it did not report an install \
                   that reuses lists an earlier layer left (fail fixture, line 9); Rampart does, \
                   which only repeats that layer's finding, so hadolint is the more precise there.",
    evaluate: package_hygiene,
};

fn package_hygiene(cx: &Context<'_>) -> Evaluation {
    judge_instructions(cx, final_image_stages, |file, i| {
        (i.keyword == "RUN").then(|| package_problems(file, i))
    })
}

/// One package manager's install commands and how its cache gets cleaned.
struct Manager {
    programs: &'static [&'static str],
    installs: &'static [&'static str],
    /// Directories whose removal in the same RUN leaves no cache in the layer.
    removals: &'static [&'static str],
    /// Directories that, kept in a `BuildKit` cache mount, never reach the layer.
    mounts: &'static [&'static str],
    /// A sub-command of the same manager that empties the cache (`clean`).
    cleans: &'static [&'static str],
    /// A flag on the install itself that avoids the cache (`--no-cache`).
    no_cache_flag: Option<&'static str>,
    /// An environment variable that, set by ENV or ARG, avoids the cache for every install.
    no_cache_env: Option<&'static str>,
}

const MANAGERS: &[Manager] = &[
    Manager {
        programs: &["apt-get", "apt", "aptitude"],
        installs: &["install"],
        // apt's own archive cache is emptied by the Debian and Ubuntu images' docker-clean
        // hook; the package lists are what stay behind.
        removals: &["/var/lib/apt/lists", "/var/lib/apt"],
        mounts: &["/var/lib/apt", "/var/cache/apt"],
        cleans: &[],
        no_cache_flag: None,
        no_cache_env: None,
    },
    Manager {
        programs: &["apk"],
        installs: &["add"],
        removals: &["/var/cache/apk", "/etc/apk/cache"],
        mounts: &["/var/cache/apk", "/etc/apk/cache"],
        cleans: &[],
        no_cache_flag: Some("--no-cache"),
        no_cache_env: None,
    },
    Manager {
        programs: &["yum", "dnf", "microdnf", "tdnf"],
        installs: &["install", "groupinstall", "localinstall", "reinstall"],
        removals: &["/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"],
        mounts: &["/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"],
        cleans: &["clean"],
        no_cache_flag: None,
        no_cache_env: None,
    },
    Manager {
        programs: &["zypper"],
        installs: &["install", "in"],
        removals: &["/var/cache/zypp"],
        mounts: &["/var/cache/zypp"],
        cleans: &["clean", "cc"],
        no_cache_flag: None,
        no_cache_env: None,
    },
    Manager {
        programs: &["pip", "pip3"],
        installs: &["install"],
        removals: &["/root/.cache/pip", "/root/.cache"],
        mounts: &["/root/.cache/pip", "/root/.cache"],
        cleans: &["cache"],
        no_cache_flag: Some("--no-cache-dir"),
        no_cache_env: Some("PIP_NO_CACHE_DIR"),
    },
];

fn package_problems(file: &Dockerfile, run: &DockerInstruction) -> Vec<String> {
    let commands = shell::run_commands(run);
    let mounts = cache_mounts(run);
    let mut problems = Vec::new();
    for manager in MANAGERS {
        let installs: Vec<&Command> = commands
            .iter()
            .filter(|c| {
                manager.programs.contains(&c.program()) && c.subcommand_is(manager.installs)
            })
            .collect();
        let Some(first) = installs.first() else {
            continue;
        };
        let program = first.program();
        let cleaned = manager
            .no_cache_flag
            .is_some_and(|f| installs.iter().all(|c| c.has_flag(f)))
            || manager.no_cache_env.is_some_and(|v| declares(file, v))
            || cleans_cache(manager, &commands, &mounts);
        if !cleaned {
            problems.push(match manager.no_cache_flag {
                Some(flag) => format!("`{program}` installs without `{flag}`"),
                None => format!("`{program}` installs without cleaning its cache in the same RUN"),
            });
        }
        if manager.programs.contains(&"apt-get")
            && !recommends_configured_off(file)
            && installs.iter().any(|c| !skips_recommends(c))
        {
            problems.push(format!(
                "`{program} install` without `--no-install-recommends`"
            ));
        }
    }
    problems
}

/// Whether the RUN removes the manager's cache, runs its clean command, or keeps the cache
/// in a `BuildKit` cache mount.
fn cleans_cache(manager: &Manager, commands: &[Command], mounts: &[String]) -> bool {
    let under = |dirs: &[&str], path: &str| {
        let path = path.trim_end_matches(['*', '/']);
        dirs.iter().any(|d| path.starts_with(d))
    };
    let removes = commands
        .iter()
        .any(|c| c.program() == "rm" && c.args().iter().any(|a| under(manager.removals, a)));
    let cleans = commands
        .iter()
        .any(|c| manager.programs.contains(&c.program()) && c.subcommand_is(manager.cleans));
    removes || cleans || mounts.iter().any(|m| under(manager.mounts, m))
}

/// Whether an ENV or ARG anywhere in the file sets `variable`.
fn declares(file: &Dockerfile, variable: &str) -> bool {
    file.stages
        .iter()
        .flat_map(|s| &s.instructions)
        .chain(&file.preamble)
        .filter(|i| matches!(i.keyword.as_str(), "ENV" | "ARG"))
        .any(|i| {
            declared_variables(&i.arguments)
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case(variable))
        })
}

/// Targets of `--mount=type=cache` flags.
fn cache_mounts(run: &DockerInstruction) -> Vec<String> {
    run.flags
        .iter()
        .filter_map(|f| f.strip_prefix("--mount="))
        .filter(|m| m.split(',').any(|kv| kv == "type=cache"))
        .filter_map(|m| {
            m.split(',').find_map(|kv| {
                let (key, value) = kv.split_once('=')?;
                matches!(key, "target" | "dst" | "destination").then(|| value.to_string())
            })
        })
        .collect()
}

fn skips_recommends(command: &Command) -> bool {
    command.has_flag("--no-install-recommends")
        || command.args().iter().any(|a| {
            let lower = a.to_ascii_lowercase();
            lower.contains("install-recommends=false") || lower.contains("install-recommends=0")
        })
}

/// Whether any RUN of the file writes `APT::Install-Recommends "false"` into apt's
/// configuration, which makes the flag unnecessary on each install.
fn recommends_configured_off(file: &Dockerfile) -> bool {
    file.stages
        .iter()
        .flat_map(|s| &s.instructions)
        .filter(|i| i.keyword == "RUN")
        .flat_map(|i| std::iter::once(&i.arguments).chain(&i.heredocs))
        .any(|text| {
            let lower = text.to_ascii_lowercase();
            lower.contains("apt::install-recommends")
                && (lower.contains("\"0\"") || lower.contains("\"false\""))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_arguments_expand_from_their_defaults() {
        let args = BTreeMap::from([("BASE".to_string(), "alpine:3.20".to_string())]);
        assert_eq!(
            expand_args("${BASE}", &args).as_deref(),
            Some("alpine:3.20")
        );
        assert_eq!(expand_args("$BASE", &args).as_deref(), Some("alpine:3.20"));
        assert_eq!(
            expand_args("node:${V:-20}-slim", &args).as_deref(),
            Some("node:20-slim")
        );
        assert_eq!(expand_args("${MISSING}", &args), None);
    }

    #[test]
    fn curl_clusters() {
        assert!(curl_cluster_has_k("-fsSLk"));
        assert!(curl_cluster_has_k("-k"));
        assert!(!curl_cluster_has_k("-ukey:secret"));
        assert!(!curl_cluster_has_k("--keepalive-time"));
    }

    #[test]
    fn variables_in_both_env_syntaxes() {
        assert_eq!(
            declared_variables("A=1 \"B=two words\""),
            vec![("A".into(), "1".into()), ("B".into(), "two words".into())]
        );
        assert_eq!(
            declared_variables("NODE_TLS_REJECT_UNAUTHORIZED 0"),
            vec![("NODE_TLS_REJECT_UNAUTHORIZED".into(), "0".into())]
        );
    }

    #[test]
    fn archives_and_urls_need_add() {
        assert!(is_archive("rootfs.tar.gz") && is_remote("https://x/y"));
        assert!(!is_archive("app.zip") && !is_remote("./src"));
    }
}
