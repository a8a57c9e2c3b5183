//! Identity and access checks (seed §5): RBAC through bindings, and service accounts.
//!
//! Every RBAC check judges resolved bindings (see [`rbac`]): what a role could do matters
//! only once a binding hands it to someone. Subjects that are Kubernetes components and
//! the bindings Kubernetes creates itself are left alone. A binding to `cluster-admin` is
//! reported once, by IAM-001, rather than again by every check its wildcard would trip.

pub mod accounts;
pub mod rbac;

use std::fmt::Write as _;

use crate::checks::context::manifest_resource;
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::Manifest;
use crate::model::{Area, Location, Resource, Severity, SourceKind};
use rbac::{Binding, Rbac, Resolution, Role, Rule, Subject};

pub use accounts::IAM_007;

const K8S_SOURCES: &[SourceKind] = &[SourceKind::Files, SourceKind::Kube];
const NO_BINDING: &str = "no RoleBinding or ClusterRoleBinding was found";
const KEEP_CLUSTER_ADMIN: &str = "A binding to cluster-admin is reported by IAM-001 only, not \
                                  again here.";

/// The manifests and the RBAC resolved from them.
struct Identity<'m> {
    manifests: Vec<&'m Manifest>,
    rbac: Rbac,
}

impl<'m> Identity<'m> {
    fn new(cx: &Context<'m>) -> Self {
        let manifests: Vec<&Manifest> = cx.manifests().collect();
        let rbac = Rbac::resolve(manifests.iter().map(|m| m.object()));
        Identity { manifests, rbac }
    }

    /// The finding for one subject of one binding.
    fn draft(&self, binding: &Binding, subject: &Subject, message: &str, rules: &[&Rule]) -> Draft {
        let manifest = self.manifests.get(binding.origin).copied();
        let mut resource = manifest.map_or_else(
            || Resource {
                canonical: format!("k8s/{}", binding.label()),
                part: None,
                display: binding.label(),
            },
            |m| manifest_resource(m, None),
        );
        let _ = write!(resource.display, ", subject {}", subject.label());
        resource.part = Some(subject.label());
        let evidence: Vec<String> = rules.iter().map(|r| r.describe()).collect();
        Draft {
            source: SourceKind::Files,
            resource,
            location: manifest.map(|m| Location {
                path: m.doc.path.clone(),
                line: m.line_of(&format!("/subjects/{}", subject.index)),
            }),
            message: format!("{} grants {} {message}", binding.label(), subject.label()),
            evidence: (!evidence.is_empty()).then(|| evidence.join("; ")),
            severity: None,
        }
    }
}

/// Judges every non-system subject of every binding whose rules `offending` picks out;
/// `message` says what the rules allow. Bindings to cluster-admin are skipped.
fn judge_rules(
    cx: &Context<'_>,
    offending: impl Fn(&Binding, &Rule) -> bool,
    message: impl Fn(&Binding, &[&Rule]) -> String,
) -> Evaluation {
    let id = Identity::new(cx);
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for binding in id.rbac.bindings.iter().filter(|b| !b.is_cluster_admin()) {
        let rules: Vec<&Rule> = binding
            .rules()
            .iter()
            .filter(|r| offending(binding, r))
            .collect();
        for subject in binding.people() {
            evaluated += 1;
            if let Some(first) = rules.first() {
                let mut text = format!("{} through {}", message(binding, &rules), first.describe());
                if rules.len() > 1 {
                    let _ = write!(text, " and {} more rules", rules.len() - 1);
                }
                findings.push(id.draft(binding, subject, &text, &rules));
            }
        }
    }
    judged(&id, evaluated, findings)
}

/// Judged subjects; when bindings exist but none names a person or application, not
/// applicable with that reason rather than the reason for having no binding at all.
fn judged(id: &Identity<'_>, evaluated: usize, findings: Vec<Draft>) -> Evaluation {
    if evaluated == 0 && !id.rbac.bindings.is_empty() {
        return Evaluation::NotApplicable(
            "every binding found is Kubernetes' own or names only system subjects".to_string(),
        );
    }
    Evaluation::items(evaluated, findings, NO_BINDING)
}

/// IAM-001: no person or application is bound to cluster-admin.
pub static IAM_001: Check = Check {
    id: "IAM-001",
    area: Area::Identity,
    severity: Severity::Critical,
    title: "Non-system subject bound to cluster-admin",
    why: "cluster-admin can do anything to every object of the cluster, including reading \
          every Secret and granting itself more. A person or application holding it turns \
          one stolen credential or one compromised pod into the loss of the whole cluster.",
    remediation: "Bind a role limited to what the subject needs, scoped to its namespaces \
                  with RoleBindings; keep cluster-admin for break-glass access.",
    snippet: Snippet {
        language: "shell",
        code: "kubectl get clusterrolebindings -o wide | grep cluster-admin\nkubectl create rolebinding alice-edit --clusterrole=edit --user=alice -n shop\n",
    },
    references: &[
        "Polaris clusterrolebindingClusterAdmin",
        "kubescape C-0035",
        "CIS Kubernetes 5.1.1",
    ],
    sources: K8S_SOURCES,
    differs_from: "Also fails RoleBindings to cluster-admin, which grant it within a \
                   namespace; the public groups (system:authenticated, …) count as people.",
    evaluate: cluster_admin_bindings,
};

fn cluster_admin_bindings(cx: &Context<'_>) -> Evaluation {
    let id = Identity::new(cx);
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for binding in &id.rbac.bindings {
        for subject in binding.people() {
            evaluated += 1;
            if binding.is_cluster_admin() {
                let scope = if binding.cluster {
                    "cluster-wide"
                } else {
                    "in its namespace"
                };
                findings.push(id.draft(binding, subject, &format!("cluster-admin {scope}"), &[]));
            }
        }
    }
    judged(&id, evaluated, findings)
}

/// IAM-002: bound roles do not use wildcards.
pub static IAM_002: Check = Check {
    id: "IAM-002",
    area: Area::Identity,
    severity: Severity::High,
    title: "Bound role uses wildcard verbs or resources",
    why: "A `*` grants every verb or every resource, including those added later by new \
          API versions and custom resources. Nobody reviewing the role can tell what it \
          really allows, and it usually allows far more than the subject needs.",
    remediation: "List the resources and verbs the subject needs explicitly.",
    snippet: Snippet {
        language: "yaml",
        code: "rules:\n  - apiGroups: [apps]\n    resources: [deployments]\n    verbs: [get, list, watch, patch]\n",
    },
    references: &["kubescape C-0187", "KSV-0044", "KSV-0045", "KSV-0046"],
    sources: K8S_SOURCES,
    differs_from: KEEP_CLUSTER_ADMIN,
    evaluate: wildcard_rules,
};

fn wildcard_rules(cx: &Context<'_>) -> Evaluation {
    judge_rules(
        cx,
        |_, r| r.has_wildcard(),
        |_, _| "a role with wildcard verbs or resources".to_string(),
    )
}

/// IAM-003: secrets are not readable cluster-wide or wholesale.
pub static IAM_003: Check = Check {
    id: "IAM-003",
    area: Area::Identity,
    severity: Severity::High,
    title: "Bound role can read secrets broadly",
    why: "Secrets hold service-account tokens, database passwords and cloud keys. Reading \
          them across the cluster, or every one of a namespace, lets a subject become any \
          workload whose credentials it reads. `list` and `watch` return contents too, not \
          only names.",
    remediation: "Bind secret access with a RoleBinding in the one namespace that needs it \
                  and name the secrets in `resourceNames`; better, mount secrets into the pods \
                  that need them instead of reading them through the API.",
    snippet: Snippet {
        language: "yaml",
        code: "rules:\n  - apiGroups: [\"\"]\n    resources: [secrets]\n    resourceNames: [shop-db]\n    verbs: [get]\n",
    },
    references: &["kubescape C-0015", "KSV-0041"],
    sources: K8S_SOURCES,
    differs_from: KEEP_CLUSTER_ADMIN,
    evaluate: secret_readers,
};

fn reads_secrets(rule: &Rule) -> bool {
    ["get", "list", "watch"]
        .iter()
        .any(|verb| rule.grants("", "secrets", verb))
}

fn secret_readers(cx: &Context<'_>) -> Evaluation {
    judge_rules(
        cx,
        |b, r| reads_secrets(r) && (b.cluster || r.resource_names.is_empty()),
        |b, _| {
            if b.cluster {
                "read access to secrets in every namespace".to_string()
            } else {
                format!(
                    "read access to every secret of namespace `{}`",
                    b.namespace.as_deref().unwrap_or("")
                )
            }
        },
    )
}

/// IAM-004: no escalate, bind or impersonate.
pub static IAM_004: Check = Check {
    id: "IAM-004",
    area: Area::Identity,
    severity: Severity::Critical,
    title: "Role grants escalate, bind or impersonate",
    why: "`escalate` lets a subject write roles with permissions it does not hold, `bind` \
          lets it bind roles it does not hold, and `impersonate` lets it act as another \
          user, group or service account. Each one bypasses RBAC's protection against \
          privilege escalation and leads to cluster-admin.",
    remediation: "Remove these verbs (and `*` verbs on roles, bindings, users, groups and \
                  service accounts) from every role not reserved for cluster administrators.",
    snippet: Snippet {
        language: "shell",
        code: "kubectl auth can-i escalate clusterroles --as=alice\nkubectl auth can-i impersonate serviceaccounts --as=alice\n",
    },
    references: &["kubescape C-0191", "KSV-0043", "KSV-0050"],
    sources: K8S_SOURCES,
    differs_from: KEEP_CLUSTER_ADMIN,
    evaluate: escalating_rules,
};

fn escalates(rule: &Rule) -> bool {
    const RBAC: &str = "rbac.authorization.k8s.io";
    let role_verbs = ["roles", "clusterroles"]
        .iter()
        .any(|r| rule.grants(RBAC, r, "escalate") || rule.grants(RBAC, r, "bind"));
    let impersonation = ["users", "groups", "serviceaccounts"]
        .iter()
        .any(|r| rule.grants("", r, "impersonate"))
        || ["uids", "userextras/scopes"]
            .iter()
            .any(|r| rule.grants("authentication.k8s.io", r, "impersonate"));
    role_verbs || impersonation
}

fn escalating_rules(cx: &Context<'_>) -> Evaluation {
    judge_rules(
        cx,
        |_, r| escalates(r),
        |_, _| "a way around RBAC (escalate, bind or impersonate)".to_string(),
    )
}

/// IAM-005: no exec or attach into pods.
pub static IAM_005: Check = Check {
    id: "IAM-005",
    area: Area::Identity,
    severity: Severity::High,
    title: "Role grants exec or attach into pods",
    why: "`pods/exec` and `pods/attach` open a shell in running containers, with the \
          container's service-account token, mounted secrets and network position. It \
          bypasses every control on how code reaches production.",
    remediation: "Remove `create` and `get` on pods/exec and pods/attach from roles of \
                  people and applications; use short-lived, audited break-glass access for \
                  debugging.",
    snippet: Snippet {
        language: "shell",
        code: "kubectl auth can-i create pods/exec --as=alice -n shop\n",
    },
    references: &["kubescape C-0002", "KSV-0053"],
    sources: K8S_SOURCES,
    differs_from: KEEP_CLUSTER_ADMIN,
    evaluate: exec_rules,
};

fn execs(rule: &Rule) -> bool {
    ["pods/exec", "pods/attach"]
        .iter()
        .any(|r| rule.grants("", r, "create") || rule.grants("", r, "get"))
}

fn exec_rules(cx: &Context<'_>) -> Evaluation {
    judge_rules(
        cx,
        |_, r| execs(r),
        |_, _| "exec or attach into running pods".to_string(),
    )
}

/// IAM-006: anonymous and all-user groups hold nothing beyond Kubernetes' defaults.
pub static IAM_006: Check = Check {
    id: "IAM-006",
    area: Area::Identity,
    severity: Severity::Critical,
    title: "Anonymous or all-authenticated subjects bound",
    why: "system:anonymous and system:unauthenticated are anyone who can reach the API \
          server; system:authenticated is anyone with any credential, including every \
          service account of every namespace and, on some managed clusters, any account \
          of the cloud provider. A binding to them grants its role to the world.",
    remediation: "Delete the binding or bind a specific group of your identity provider \
                  instead.",
    snippet: Snippet {
        language: "shell",
        code: "kubectl get clusterrolebindings,rolebindings -A -o json | jq -r '.items[] | select(.subjects[]?.name | test(\"^system:(anonymous|unauthenticated|authenticated)$\")) | .metadata.name'\n",
    },
    references: &["kubescape C-0262", "CIS Kubernetes 5.1.x"],
    sources: K8S_SOURCES,
    differs_from: "Kubernetes' own bindings of these groups (system:public-info-viewer, \
                   system:basic-user, system:discovery) are not findings, under any binding \
                   name.",
    evaluate: public_bindings,
};

/// ClusterRoles Kubernetes itself grants to the public groups.
const PUBLIC_DEFAULT_ROLES: &[&str] = &[
    "system:public-info-viewer",
    "system:basic-user",
    "system:discovery",
];

fn public_bindings(cx: &Context<'_>) -> Evaluation {
    let id = Identity::new(cx);
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for binding in &id.rbac.bindings {
        let default_role = binding.role_kind == "ClusterRole"
            && PUBLIC_DEFAULT_ROLES.contains(&binding.role_name.as_str());
        for subject in binding.people() {
            evaluated += 1;
            if subject.is_public() && !default_role {
                let message = format!("{} `{}`", binding.role_kind, binding.role_name);
                let rules: Vec<&Rule> = binding.rules().iter().collect();
                findings.push(id.draft(binding, subject, &message, &rules));
            }
        }
    }
    judged(&id, evaluated, findings)
}

/// IAM-013: people and applications cannot create workloads, tokens or reach nodes.
pub static IAM_013: Check = Check {
    id: "IAM-013",
    area: Area::Identity,
    severity: Severity::High,
    title: "Subject may create workloads, mint tokens or proxy to nodes",
    why: "Whoever can create a pod can run it with any service account of the namespace and \
          mount its secrets, or run it privileged where admission allows. Creating \
          serviceaccounts/token mints credentials for another identity, and nodes/proxy \
          reaches the kubelet API, which can run commands in any pod of the node.",
    remediation: "Let a deployment pipeline with its own narrowly bound identity create \
                  workloads; remove `create` on serviceaccounts/token and any access to \
                  nodes/proxy from people and applications.",
    snippet: Snippet {
        language: "shell",
        code: "kubectl auth can-i create deployments --as=alice -n shop\nkubectl auth can-i get nodes/proxy --as=alice\n",
    },
    references: &["rbac-tool", "KSV-0048", "KSV-0049"],
    sources: K8S_SOURCES,
    differs_from: KEEP_CLUSTER_ADMIN,
    evaluate: workload_creators,
};

/// Workload resources and their API groups.
const WORKLOADS: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

fn creates_workloads(rule: &Rule) -> bool {
    WORKLOADS.iter().any(|(g, r)| rule.grants(g, r, "create"))
        || rule.grants("", "serviceaccounts/token", "create")
        || ["get", "create", "update", "patch"]
            .iter()
            .any(|v| rule.grants("", "nodes/proxy", v))
}

fn workload_creators(cx: &Context<'_>) -> Evaluation {
    judge_rules(
        cx,
        |_, r| creates_workloads(r),
        |_, _| "workload creation, token minting or nodes/proxy".to_string(),
    )
}

/// IAM-014: custom roles nobody binds but which use wildcards, listed for review.
pub static IAM_014: Check = Check {
    id: "IAM-014",
    area: Area::Identity,
    severity: Severity::Info,
    title: "Unbound custom role uses wildcards",
    why: "A role no binding uses grants nothing today, but a wildcard role waiting in the \
          repository is one binding away from broad access, and such a binding is easy to \
          approve without rereading the role.",
    remediation: "Delete roles nobody uses, or replace their wildcards with explicit verbs \
                  and resources before anyone binds them.",
    snippet: Snippet {
        language: "yaml",
        code: "rules:\n  - apiGroups: [\"\"]\n    resources: [configmaps]\n    verbs: [get, list]\n",
    },
    references: &["kubescape C-0187", "KSV-0046"],
    sources: K8S_SOURCES,
    differs_from: "The Info half of IAM-002 in CHECKS.md: listed for review, never scored.",
    evaluate: unbound_wildcard_roles,
};

fn unbound_wildcard_roles(cx: &Context<'_>) -> Evaluation {
    let id = Identity::new(cx);
    let custom = |r: &&Role| !r.name.starts_with("system:");
    let evaluated = id.rbac.roles.iter().filter(custom).count();
    let findings = id
        .rbac
        .unbound_roles()
        .filter(custom)
        .filter_map(|role| {
            let rule = role.rules.iter().find(|r| r.has_wildcard())?;
            let manifest = id.manifests.get(role.origin)?;
            Some(Draft {
                source: SourceKind::Files,
                resource: manifest_resource(manifest, None),
                location: Some(Location {
                    path: manifest.doc.path.clone(),
                    line: manifest.line_of(&format!("/rules/{}", rule.index)),
                }),
                message: format!("{} is bound by nobody but uses wildcards", role.label()),
                evidence: Some(rule.describe()),
                severity: None,
            })
        })
        .collect();
    Evaluation::items(evaluated, findings, "no Role or ClusterRole was found")
}

/// IAM-015: bindings that name a role the evidence does not hold, listed.
pub static IAM_015: Check = Check {
    id: "IAM-015",
    area: Area::Identity,
    severity: Severity::Info,
    title: "Binding refers to a role that was not found",
    why: "A binding to a role that does not exist grants nothing until someone creates a \
          role of that name, and then grants whatever that role says. Rampart cannot judge \
          what such a binding allows, so it lists it instead of guessing.",
    remediation: "Add the role to the repository next to its binding, or delete the binding.",
    snippet: Snippet {
        language: "shell",
        code: "kubectl get rolebindings,clusterrolebindings -A -o custom-columns=NAME:.metadata.name,ROLE:.roleRef.name\n",
    },
    references: &["Kubernetes RBAC documentation"],
    sources: K8S_SOURCES,
    differs_from: "Built-in roles other than cluster-admin, admin, edit and view are not \
                   modelled, so a binding to another system: role in a repository is listed \
                   here rather than judged.",
    evaluate: dangling_bindings,
};

fn dangling_bindings(cx: &Context<'_>) -> Evaluation {
    let id = Identity::new(cx);
    let findings = id
        .rbac
        .bindings
        .iter()
        .filter(|b| !b.is_default())
        .filter_map(|binding| {
            let Resolution::MissingRole(role) = &binding.resolution else {
                return None;
            };
            let manifest = id.manifests.get(binding.origin)?;
            Some(Draft {
                source: SourceKind::Files,
                resource: manifest_resource(manifest, None),
                location: Some(Location {
                    path: manifest.doc.path.clone(),
                    line: manifest.line_of("/roleRef"),
                }),
                message: format!("{} refers to {role}, which was not found", binding.label()),
                evidence: None,
                severity: None,
            })
        })
        .collect();
    Evaluation::items(id.rbac.bindings.len(), findings, NO_BINDING)
}
