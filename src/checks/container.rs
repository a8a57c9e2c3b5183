//! Container checks (seed §2): Dockerfiles and the normalised container profile.

use crate::checks::context::file_resource;
use crate::checks::profile::ContainerProfile;
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::{DockerStage, Dockerfile};
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
    differs_from: "hadolint DL3002 only flags an explicit `USER root`; Rampart also fails a \
                   final stage with no USER at all, as Trivy DS-0002 and Checkov do.",
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
            let stage = stage_label(dockerfile, last);
            findings.push(Draft {
                source: SourceKind::Files,
                resource: file_resource(&dockerfile.path, Some(&stage)),
                location: Some(Location {
                    path: dockerfile.path.clone(),
                    line,
                }),
                message: format!("the final stage ({stage}) {message}"),
                evidence: Some(format!("FROM {}", last.base)),
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

fn stage_label(file: &Dockerfile, stage: &DockerStage) -> String {
    match &stage.name {
        Some(name) => format!("stage {name}"),
        None => format!("stage {}", file.stages.len().saturating_sub(1)),
    }
}

/// CTR-010: no container runs privileged.
pub static CTR_010: Check = Check {
    id: "CTR-010",
    area: Area::Containers,
    severity: Severity::Critical,
    title: "Container runs privileged",
    why: "A privileged container gets every capability and every device of the host and is \
          not confined by seccomp or AppArmor. Anyone who controls the process controls the \
          node: mounting the host's disk or loading a kernel module is one command away.",
    remediation: "Remove `privileged: true`. If the workload needs one specific power, grant \
                  that capability alone and drop the rest.",
    snippet: Snippet {
        language: "yaml",
        code: "securityContext:\n  privileged: false\n  allowPrivilegeEscalation: false\n  capabilities:\n    drop: [\"ALL\"]\n    # add: [\"NET_BIND_SERVICE\"]  # only what the process needs\n",
    },
    references: &[
        "CIS Docker 5.5",
        "Polaris runAsPrivileged",
        "kubescape C-0057",
        "KSV-0017",
        "CKV_K8S_16",
    ],
    sources: &[SourceKind::Files, SourceKind::Kube, SourceKind::Docker],
    differs_from: "",
    evaluate: privileged_containers,
};

fn privileged_containers(cx: &Context<'_>) -> Evaluation {
    judge_containers(cx, |c| {
        (c.privileged == Some(true)).then(|| {
            (
                "runs privileged".to_string(),
                "securityContext.privileged: true".to_string(),
            )
        })
    })
}

/// Judges every container profile with `fails`, which returns the message and evidence of
/// a failure.
pub fn judge_containers(
    cx: &Context<'_>,
    fails: impl Fn(&ContainerProfile) -> Option<(String, String)>,
) -> Evaluation {
    let findings: Vec<Draft> = cx
        .containers
        .iter()
        .filter_map(|c| {
            let (message, evidence) = fails(c)?;
            Some(Draft {
                source: c.source,
                resource: c.resource.clone(),
                location: c.location.clone(),
                message: format!("container `{}` {message}", c.name),
                evidence: Some(evidence),
            })
        })
        .collect();
    Evaluation::items(cx.containers.len(), findings, "no container spec was found")
}
