//! Checks of the kube-apiserver's flags, which only a live cluster shows (MON-003, IAM-008,
//! IAM-011, IAM-012 and the live half of SEC-007), and the table of which live resources
//! each check needs.
//!
//! The flags come from the apiserver's static pod in kube-system. On managed clusters the
//! provider runs the control plane and the pod is not visible: these checks then say
//! *not assessed* and why, never *pass*.

use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::{ControlPlane, KubeEvidence};
use crate::model::{Area, Resource, Severity, SourceKind};

const LIVE: &[SourceKind] = &[SourceKind::Kube];

/// MON-003: the API server writes an audit log.
pub static MON_003: Check = Check {
    id: "MON-003",
    area: Area::Monitoring,
    severity: Severity::High,
    title: "API server audit logging is off",
    why: "The audit log is the only record of who read a Secret, exec'd into a pod or \
          changed a RoleBinding. Without it an intrusion through the API cannot be traced \
          and incident responders start blind.",
    remediation: "Start kube-apiserver with `--audit-policy-file` and `--audit-log-path` (or \
                  `--audit-webhook-config-file`), logging at least Metadata for every request \
                  and RequestResponse for Secrets and RBAC, and ship the log off the node.",
    snippet: Snippet {
        language: "yaml",
        code: "# /etc/kubernetes/manifests/kube-apiserver.yaml\n    - --audit-policy-file=/etc/kubernetes/audit-policy.yaml\n    - --audit-log-path=/var/log/kubernetes/audit.log\n    - --audit-log-maxage=30\n",
    },
    references: &[
        "CIS Kubernetes 1.2.16-1.2.19",
        "kubescape C-0067",
        "Trivy KCV-0019",
    ],
    sources: LIVE,
    differs_from: "",
    evaluate: audit_logging,
};

/// IAM-008: the API server authorizes requests.
pub static IAM_008: Check = Check {
    id: "IAM-008",
    area: Area::Identity,
    severity: Severity::Critical,
    title: "API server authorizes with AlwaysAllow or ABAC alone",
    why: "With `AlwaysAllow` every authenticated request is permitted and RBAC is decoration; \
          ABAC alone is a static file that cannot be reviewed through the API. Either makes \
          every credential an administrator's.",
    remediation: "Run kube-apiserver with `--authorization-mode=Node,RBAC` (or an \
                  authorization configuration file with the Node and RBAC authorizers).",
    snippet: Snippet {
        language: "yaml",
        code: "    - --authorization-mode=Node,RBAC\n",
    },
    references: &[
        "CIS Kubernetes 1.2.7",
        "CIS Kubernetes 1.2.8",
        "CIS Kubernetes 1.2.9",
    ],
    sources: LIVE,
    differs_from: "",
    evaluate: authorization_mode,
};

/// IAM-011: the API server refuses anonymous requests.
pub static IAM_011: Check = Check {
    id: "IAM-011",
    area: Area::Identity,
    severity: Severity::Medium,
    title: "API server allows anonymous requests",
    why: "Anonymous requests reach every endpoint that some binding grants to \
          `system:anonymous` or `system:unauthenticated`; one careless binding then opens \
          the cluster to anyone who can reach the API.",
    remediation: "Start kube-apiserver with `--anonymous-auth=false`, or with an \
                  authentication configuration that limits anonymous access to the health \
                  endpoints.",
    snippet: Snippet {
        language: "yaml",
        code: "    - --anonymous-auth=false\n",
    },
    references: &["CIS Kubernetes 1.2.1", "Trivy KCV-0001"],
    sources: LIVE,
    differs_from: "With structured authentication configuration (`--authentication-config`) \
                   anonymous access is set in that file, which Rampart cannot read; it \
                   reports not assessed then.",
    evaluate: anonymous_auth,
};

/// IAM-012: people sign in through an external identity provider.
pub static IAM_012: Check = Check {
    id: "IAM-012",
    area: Area::Identity,
    severity: Severity::Low,
    title: "No external identity provider for the API server",
    why: "Without OIDC, people reach the cluster with client certificates or static tokens, \
          which cannot be revoked one at a time, carry no group membership from the \
          directory and outlive the people who held them.",
    remediation: "Configure an OIDC issuer (`--oidc-issuer-url`, `--oidc-client-id`) or a \
                  structured authentication configuration with JWT authenticators, and give \
                  people short-lived tokens from your identity provider.",
    snippet: Snippet {
        language: "yaml",
        code: "    - --oidc-issuer-url=https://login.example.com\n    - --oidc-client-id=kubernetes\n",
    },
    references: &["seed §5.2", "CIS Kubernetes 3.1.1"],
    sources: LIVE,
    differs_from: "",
    evaluate: identity_provider,
};

/// The apiserver's flags, or why they cannot be judged.
fn plane<'e>(cx: &Context<'e>) -> Result<(&'e KubeEvidence, &'e ControlPlane), String> {
    let Some(kube) = cx.evidence.kube.as_ref() else {
        return Err("needs a live cluster (the kube source)".to_string());
    };
    match &kube.control_plane {
        Some(plane) => Ok((kube, plane)),
        None => Err(kube
            .control_plane_unknown
            .clone()
            .unwrap_or_else(|| "the kube-apiserver's flags were not read".to_string())),
    }
}

/// One judgement of the apiserver: a finding when `failure` says so.
fn judge(cx: &Context<'_>, failure: impl Fn(&ControlPlane) -> Option<String>) -> Evaluation {
    let (kube, plane) = match plane(cx) {
        Ok(found) => found,
        Err(why) => return Evaluation::NotAssessed(why),
    };
    let findings = failure(plane)
        .map(|message| Draft {
            source: SourceKind::Kube,
            resource: apiserver(kube, plane),
            location: None,
            evidence: Some(format!("flags read from pod {}", plane.pod)),
            message,
            severity: None,
        })
        .into_iter()
        .collect();
    Evaluation::Judged {
        evaluated: 1,
        findings,
    }
}

fn apiserver(kube: &KubeEvidence, plane: &ControlPlane) -> Resource {
    Resource {
        canonical: "k8s/live/control-plane/kube-apiserver".to_string(),
        part: None,
        display: format!("kube-apiserver of {} ({})", kube.server, plane.pod),
    }
}

/// SEC-007's live half: whether the API server was started with an encryption
/// configuration. `Ok(None)` when it was, `Ok(Some(finding))` when not, and `Err(why)`
/// when the flags cannot be seen. The file the flag names lives on the control-plane
/// node, out of the API's reach, so its providers are judged only when the repository
/// holds it.
pub(crate) fn encryption_flag(cx: &Context<'_>) -> Result<Option<Draft>, String> {
    let (kube, plane) = plane(cx)?;
    if plane
        .flag("encryption-provider-config")
        .is_some_and(|p| !p.is_empty())
    {
        return Ok(None);
    }
    Ok(Some(Draft {
        source: SourceKind::Kube,
        resource: apiserver(kube, plane),
        location: None,
        evidence: Some(format!("flags read from pod {}", plane.pod)),
        message: "the API server has no `--encryption-provider-config`, so it writes \
                  Secrets to etcd unencrypted"
            .to_string(),
        severity: None,
    }))
}

fn audit_logging(cx: &Context<'_>) -> Evaluation {
    judge(cx, |plane| {
        let sink = plane
            .flag("audit-log-path")
            .filter(|p| !p.is_empty())
            .or_else(|| plane.flag("audit-webhook-config-file"));
        match (sink, plane.flag("audit-policy-file")) {
            (None, _) => Some(
                "the API server writes no audit log (no `--audit-log-path` or \
                               `--audit-webhook-config-file`)"
                    .to_string(),
            ),
            (Some(_), None) => Some(
                "an audit log is configured but no `--audit-policy-file`, \
                                     so no event is recorded"
                    .to_string(),
            ),
            _ => None,
        }
    })
}

fn authorization_mode(cx: &Context<'_>) -> Evaluation {
    if let Ok((_, plane)) = plane(cx)
        && plane.flag("authorization-mode").is_none()
        && plane.flag("authorization-config").is_some()
    {
        return Evaluation::NotAssessed(
            "the API server reads its authorizers from `--authorization-config`, a file \
             Rampart cannot see"
                .to_string(),
        );
    }
    judge(cx, |plane| {
        // Since Kubernetes 1.x the flag defaults to AlwaysAllow when absent.
        let mode = plane.flag("authorization-mode").unwrap_or("AlwaysAllow");
        let modes: Vec<&str> = mode.split(',').map(str::trim).collect();
        if modes.contains(&"AlwaysAllow") {
            Some(format!(
                "`--authorization-mode={mode}` allows every request"
            ))
        } else if modes == ["ABAC"] {
            Some("`--authorization-mode=ABAC` authorizes from a static policy file alone".into())
        } else {
            None
        }
    })
}

fn anonymous_auth(cx: &Context<'_>) -> Evaluation {
    if let Ok((_, plane)) = plane(cx)
        && plane.flag("anonymous-auth").is_none()
        && plane.flag("authentication-config").is_some()
    {
        return Evaluation::NotAssessed(
            "anonymous access is set in the `--authentication-config` file, which Rampart \
             cannot see"
                .to_string(),
        );
    }
    judge(cx, |plane| match plane.flag("anonymous-auth") {
        Some("false") => None,
        Some(value) => Some(format!(
            "`--anonymous-auth={value}` lets anyone call the API"
        )),
        None => Some("`--anonymous-auth` is not set, and it defaults to true".to_string()),
    })
}

fn identity_provider(cx: &Context<'_>) -> Evaluation {
    judge(cx, |plane| {
        let oidc = plane.flag("oidc-issuer-url").is_some_and(|u| !u.is_empty());
        let structured = plane.flag("authentication-config").is_some();
        (!oidc && !structured).then(|| {
            "no `--oidc-issuer-url` or `--authentication-config`: people sign in with \
             certificates or static tokens"
                .to_string()
        })
    })
}

/// Live resource lists each check reads, by check id or id prefix. A check whose list was
/// denied on a live-only evaluation is not assessed, naming the missing permission.
const NEEDS: &[(&str, &[&str])] = &[
    (
        "CTR-",
        &[
            "pods",
            "deployments",
            "statefulsets",
            "daemonsets",
            "jobs",
            "cronjobs",
        ],
    ),
    ("NET-001", &["networkpolicies", "namespaces"]),
    ("NET-002", &["networkpolicies", "namespaces"]),
    ("NET-003", &["networkpolicies", "pods", "deployments"]),
    ("NET-004", &["ingresses"]),
    ("NET-005", &["services"]),
    (
        "NET-007",
        &["pods", "deployments", "statefulsets", "daemonsets"],
    ),
    ("IAM-001", &["clusterrolebindings", "rolebindings"]),
    (
        "IAM-002",
        &[
            "roles",
            "clusterroles",
            "rolebindings",
            "clusterrolebindings",
        ],
    ),
    (
        "IAM-003",
        &[
            "roles",
            "clusterroles",
            "rolebindings",
            "clusterrolebindings",
        ],
    ),
    (
        "IAM-004",
        &[
            "roles",
            "clusterroles",
            "rolebindings",
            "clusterrolebindings",
        ],
    ),
    (
        "IAM-005",
        &[
            "roles",
            "clusterroles",
            "rolebindings",
            "clusterrolebindings",
        ],
    ),
    ("IAM-006", &["clusterrolebindings", "rolebindings"]),
    ("IAM-007", &["serviceaccounts", "pods", "deployments"]),
    (
        "IAM-013",
        &[
            "roles",
            "clusterroles",
            "rolebindings",
            "clusterrolebindings",
        ],
    ),
    ("SEC-004", &["configmaps"]),
    ("SEC-009", &["serviceaccounts"]),
    ("MON-001", &["pods", "daemonsets", "deployments"]),
    ("MON-004", &["pods", "deployments", "statefulsets"]),
    ("MON-005", &["pods", "daemonsets"]),
    (
        "MON-006",
        &["pods", "deployments", "statefulsets", "daemonsets"],
    ),
    ("CMP-002", &["namespaces"]),
    (
        "CMP-003",
        &["pods", "deployments", "statefulsets", "daemonsets"],
    ),
    ("CMP-007", &["namespaces", "resourcequotas", "limitranges"]),
];

/// Why `check` cannot be assessed on this live cluster: a list it needs was denied and no
/// files stand in for it. `None` when nothing it needs is missing.
pub fn denied_reason(check: &Check, cx: &Context<'_>) -> Option<String> {
    let kube = cx.evidence.kube.as_ref()?;
    if kube.denied.is_empty()
        || cx
            .evidence
            .files
            .as_ref()
            .is_some_and(|f| !f.manifests.is_empty())
    {
        return None;
    }
    let needs = NEEDS
        .iter()
        .filter(|(id, _)| check.id.starts_with(id))
        .flat_map(|(_, needs)| needs.iter());
    let missing: Vec<String> = needs
        .filter_map(|resource| {
            kube.denied(resource)
                .map(|why| format!("{resource}: {why}"))
        })
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "the cluster's credentials could not list what this check reads ({})",
            missing.join("; ")
        )
    })
}
