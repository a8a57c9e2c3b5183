//! Network checks (seed §3): NetworkPolicy coverage, Ingress TLS, exposed Services, host
//! networking, Istio mTLS and Express application hardening.
//!
//! A manifest without `metadata.namespace` is counted in the `default` namespace, where
//! `kubectl apply` without `-n` would put it.

pub mod express;
pub mod mesh;
pub mod policy;
pub mod selector;
pub mod workload;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::checks::container::judge_containers;
use crate::checks::context::{manifest_location, manifest_resource};
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::Manifest;
use crate::model::{Area, Location, Resource, Severity, SourceKind};
use policy::{Policy, PolicyIndex};
use workload::{Workload, namespace_of};

pub use express::NET_012;
pub use mesh::NET_006;

const K8S_SOURCES: &[SourceKind] = &[SourceKind::Files, SourceKind::Kube];

/// NET-001: every namespace with workloads has a default-deny ingress policy.
pub static NET_001: Check = Check {
    id: "NET-001",
    area: Area::Network,
    severity: Severity::High,
    title: "Namespace has no default-deny ingress policy",
    why: "Kubernetes lets every pod accept connections from every other pod until some \
          NetworkPolicy selects it. Without a namespace-wide deny, one compromised pod \
          anywhere in the cluster can reach every service of the namespace directly, and \
          any new workload starts out reachable before anyone writes a rule for it.",
    remediation: "Add a NetworkPolicy with an empty podSelector, `policyTypes: [Ingress]` and \
                  no ingress rules to each namespace, then allow the flows each workload \
                  needs with narrower policies.",
    snippet: Snippet {
        language: "yaml",
        code: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny-ingress\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n",
    },
    references: &[
        "kubescape C-0206",
        "kubeaudit MissingDefaultDeny",
        "NSA/CISA hardening",
    ],
    sources: K8S_SOURCES,
    differs_from: "Where CNI-specific (Cilium, Calico) or AdminNetworkPolicy objects exist, \
                   Rampart reports not assessed instead of judging Kubernetes policies alone, \
                   since those objects can deny traffic in ways it does not interpret.",
    evaluate: default_deny_ingress,
};

/// NET-002: every namespace with workloads has a default-deny egress policy.
pub static NET_002: Check = Check {
    id: "NET-002",
    area: Area::Network,
    severity: Severity::Medium,
    title: "Namespace has no default-deny egress policy",
    why: "Unrestricted egress lets a compromised pod download tools, reach the cloud \
          metadata endpoint, talk to internal databases of other teams and send data out. \
          A default-deny egress policy makes every outbound flow a deliberate decision.",
    remediation: "Add a NetworkPolicy with an empty podSelector, `policyTypes: [Egress]` and \
                  no egress rules, then allow DNS and the destinations each workload needs.",
    snippet: Snippet {
        language: "yaml",
        code: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny-egress\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n",
    },
    references: &["kubescape C-0030", "NSA/CISA hardening"],
    sources: K8S_SOURCES,
    differs_from: "A policy without `policyTypes` governs egress only when it has egress \
                   rules (Kubernetes' defaulting), so it never counts as a default deny \
                   for egress.",
    evaluate: default_deny_egress,
};

/// NET-003: every workload is selected by at least one NetworkPolicy.
pub static NET_003: Check = Check {
    id: "NET-003",
    area: Area::Network,
    severity: Severity::High,
    title: "Workload is selected by no NetworkPolicy",
    why: "A pod that no NetworkPolicy selects has no network isolation at all: it accepts \
          traffic from anywhere and may connect anywhere. Policies are additive, so \
          coverage is decided per pod by the labels of its template.",
    remediation: "Select the workload's pod labels with a policy that allows only the \
                  traffic it needs, or add a namespace-wide default deny.",
    snippet: Snippet {
        language: "yaml",
        code: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: web\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app: gateway\n      ports:\n        - port: 8080\n",
    },
    references: &["kubescape C-0260", "Polaris missingNetworkPolicy"],
    sources: K8S_SOURCES,
    differs_from: "A NetworkPolicy whose selector Rampart cannot interpret (an unknown \
                   operator) is never assumed to select anything; a workload left \
                   unselected because of it is reported with that reason.",
    evaluate: unselected_workloads,
};

/// NET-004: every Ingress serves its hosts over TLS.
pub static NET_004: Check = Check {
    id: "NET-004",
    area: Area::Network,
    severity: Severity::High,
    title: "Ingress serves without TLS",
    why: "An Ingress without a TLS section serves plain HTTP: credentials, session cookies \
          and tokens cross the network readable and modifiable by anyone on the path. A \
          TLS section that leaves some rule hosts out still serves those hosts in clear.",
    remediation: "Add a `tls` entry listing every host of the rules, with a certificate \
                  Secret (for example issued by cert-manager).",
    snippet: Snippet {
        language: "yaml",
        code: "spec:\n  tls:\n    - hosts: [shop.example.com]\n      secretName: shop-tls\n  rules:\n    - host: shop.example.com\n",
    },
    references: &["Polaris tlsSettingsMissing", "CKV_K8S_151"],
    sources: K8S_SOURCES,
    differs_from: "Rampart also fails an Ingress whose tls hosts do not cover every rule \
                   host; wildcard certificates cover one label, as in TLS.",
    evaluate: ingress_without_tls,
};

/// NET-005: Services exposed outside the cluster, listed for review.
pub static NET_005: Check = Check {
    id: "NET-005",
    area: Area::Network,
    severity: Severity::Info,
    title: "Service exposed as LoadBalancer or NodePort",
    why: "A LoadBalancer or NodePort Service opens the workload to networks outside the \
          cluster, often the internet, bypassing the Ingress where TLS and authentication \
          are usually enforced. Each one should be a deliberate, reviewed decision.",
    remediation: "Prefer ClusterIP behind an Ingress or gateway. Where direct exposure is \
                  needed, restrict `loadBalancerSourceRanges` and document why.",
    snippet: Snippet {
        language: "yaml",
        code: "spec:\n  type: ClusterIP\n# or, when exposure is deliberate:\n#  type: LoadBalancer\n#  loadBalancerSourceRanges: [203.0.113.0/24]\n",
    },
    references: &["kubescape C-0256"],
    sources: K8S_SOURCES,
    differs_from: "Listed for review at Info severity; never counts toward the grade.",
    evaluate: exposed_services,
};

/// NET-007: no pod uses the host's network namespace or ports.
pub static NET_007: Check = Check {
    id: "NET-007",
    area: Area::Network,
    severity: Severity::High,
    title: "Pod uses the host network or host ports",
    why: "With hostNetwork a pod sees every interface of the node, can sniff its traffic \
          and reach services bound to localhost; NetworkPolicies no longer apply to it. A \
          hostPort binds the node's own port, exposing the container wherever the node is \
          reachable and pinning the pod to nodes where the port is free.",
    remediation: "Remove `hostNetwork: true` and `hostPort`; expose the container through a \
                  Service instead.",
    snippet: Snippet {
        language: "yaml",
        code: "spec:\n  hostNetwork: false\n  containers:\n    - name: app\n      ports:\n        - containerPort: 8080  # no hostPort\n",
    },
    references: &[
        "CIS Kubernetes 5.2.4",
        "Polaris hostNetworkSet",
        "Polaris hostPortSet",
        "kubescape C-0041",
    ],
    sources: &[SourceKind::Files, SourceKind::Kube, SourceKind::Docker],
    differs_from: "",
    evaluate: host_networking,
};

/// Why NetworkPolicy checks stand back when the tree holds policies they do not read.
fn foreign_policies(index: &PolicyIndex) -> Option<Evaluation> {
    if index.foreign_kinds.is_empty() {
        return None;
    }
    Some(Evaluation::NotAssessed(format!(
        "Rampart does not interpret {}; those objects can allow or deny traffic on their own, \
         so Kubernetes NetworkPolicies alone cannot show which traffic is denied",
        index.foreign_kinds.join(", ")
    )))
}

/// The manifests, their policy index and their workloads, built once per check.
pub(crate) struct Network<'m> {
    manifests: Vec<&'m Manifest>,
    index: PolicyIndex,
    workloads: Vec<Workload<'m>>,
}

impl<'m> Network<'m> {
    /// The network model of `cx`, built on first use and shared by the checks after.
    fn of<'c>(cx: &'c Context<'m>) -> &'c Network<'m> {
        cx.network.get_or_init(|| Network::new(cx))
    }

    fn new(cx: &Context<'m>) -> Self {
        let manifests: Vec<&Manifest> = cx.manifests().collect();
        let index = PolicyIndex::build(manifests.iter().map(|m| m.object()));
        let workloads = workload::workloads(manifests.iter().copied());
        Network {
            manifests,
            index,
            workloads,
        }
    }

    /// Namespaces that hold workloads, each with its first workload, in name order.
    fn namespaces(&self) -> BTreeMap<&'m str, &Workload<'m>> {
        let mut namespaces = BTreeMap::new();
        for w in &self.workloads {
            namespaces.entry(w.namespace).or_insert(w);
        }
        namespaces
    }

    /// Namespace objects by name.
    fn namespace_objects(&self) -> HashMap<&'m str, &'m Manifest> {
        self.manifests
            .iter()
            .filter(|m| m.kind() == "Namespace")
            .map(|m| (m.name(), *m))
            .collect()
    }
}

fn default_deny_ingress(cx: &Context<'_>) -> Evaluation {
    default_deny(cx, "ingress", Policy::denies_all_ingress)
}

fn default_deny_egress(cx: &Context<'_>) -> Evaluation {
    default_deny(cx, "egress", Policy::denies_all_egress)
}

/// Judges each namespace that holds workloads for a namespace-wide deny policy.
fn default_deny(cx: &Context<'_>, direction: &str, denies: fn(&Policy) -> bool) -> Evaluation {
    let net = Network::of(cx);
    if let Some(not_assessed) = foreign_policies(&net.index) {
        return not_assessed;
    }
    let namespaces = net.namespaces();
    let objects = net.namespace_objects();
    let mut findings = Vec::new();
    for (namespace, first) in &namespaces {
        let policies = net.index.in_namespace(namespace);
        if policies.iter().any(denies) {
            continue;
        }
        let (resource, location) =
            namespace_identity(objects.get(namespace).copied(), namespace, first);
        let evidence = if policies.is_empty() {
            "no NetworkPolicy in the namespace".to_string()
        } else {
            let names: Vec<&str> = policies.iter().map(|p| p.name.as_str()).collect();
            format!(
                "policies present but none denies all {direction}: {}",
                names.join(", ")
            )
        };
        findings.push(Draft {
            source: SourceKind::Files,
            resource,
            location: Some(location),
            message: format!("namespace `{namespace}` has no default-deny {direction} policy"),
            evidence: Some(evidence),
            severity: None,
        });
    }
    Evaluation::items(namespaces.len(), findings, "no workload was found")
}

/// The namespace as a resource: its Namespace object when the tree has one, otherwise
/// a namespace known only from its workloads, located at the first of them.
fn namespace_identity(
    object: Option<&Manifest>,
    namespace: &str,
    first: &Workload<'_>,
) -> (Resource, Location) {
    if let Some(object) = object {
        return (
            manifest_resource(object, None),
            manifest_location(object, "/metadata"),
        );
    }
    let resource = Resource {
        canonical: format!("k8s/Namespace/{namespace}"),
        part: None,
        display: format!("Namespace {namespace}"),
    };
    (resource, manifest_location(first.manifest, "/metadata"))
}

fn unselected_workloads(cx: &Context<'_>) -> Evaluation {
    let net = Network::of(cx);
    if let Some(not_assessed) = foreign_policies(&net.index) {
        return not_assessed;
    }
    let mut findings = Vec::new();
    for w in &net.workloads {
        if net.index.selecting(w.namespace, &w.labels).next().is_some() {
            continue;
        }
        let mut message = format!("{} is selected by no NetworkPolicy", w.label());
        let unread: Vec<String> = net
            .index
            .not_understood_in(w.namespace)
            .map(|n| match net.manifests.get(n.origin) {
                Some(m) => format!(
                    "`{}` at {}:{} ({})",
                    n.name,
                    m.doc.path,
                    m.line_of(""),
                    n.reason
                ),
                None => format!("`{}` ({})", n.name, n.reason),
            })
            .collect();
        if !unread.is_empty() {
            let _ = write!(
                message,
                "; Rampart could not interpret {} and does not assume it selects the pods",
                unread.join(", ")
            );
        }
        findings.push(Draft {
            source: SourceKind::Files,
            resource: manifest_resource(w.manifest, None),
            location: Some(manifest_location(w.manifest, &w.meta_pointer)),
            message,
            evidence: Some(format!("pod labels: {}", labels_text(&w.labels))),
            severity: None,
        });
    }
    Evaluation::items(net.workloads.len(), findings, "no workload was found")
}

fn labels_text(labels: &serde_json::Map<String, serde_json::Value>) -> String {
    if labels.is_empty() {
        return "none".to_string();
    }
    labels
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                v.as_str().map_or_else(|| v.to_string(), str::to_string)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn ingress_without_tls(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for m in cx.manifests().filter(|m| m.kind() == "Ingress") {
        evaluated += 1;
        if let Some((message, pointer)) = tls_gap(m.object()) {
            findings.push(Draft {
                source: SourceKind::Files,
                resource: manifest_resource(m, None),
                location: Some(manifest_location(m, &pointer)),
                message: format!("Ingress `{}` {message}", m.name()),
                evidence: None,
                severity: None,
            });
        }
    }
    Evaluation::items(evaluated, findings, "no Ingress was found")
}

/// What an Ingress serves without TLS, and where, or `None` when every host is covered.
fn tls_gap(object: &serde_json::Value) -> Option<(String, String)> {
    let tls = object
        .pointer("/spec/tls")
        .and_then(serde_json::Value::as_array)
        .filter(|t| !t.is_empty());
    let Some(tls) = tls else {
        return Some((
            "has no tls section and serves plain HTTP".to_string(),
            "/spec".to_string(),
        ));
    };
    // An entry without hosts serves the controller's default certificate for every host.
    let covered: Vec<&str> = tls
        .iter()
        .flat_map(|t| {
            t.get("hosts")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
        })
        .filter_map(serde_json::Value::as_str)
        .collect();
    if tls.iter().any(|t| {
        t.get("hosts")
            .is_none_or(|h| h.as_array().is_none_or(Vec::is_empty))
    }) {
        return None;
    }
    let rules = object
        .pointer("/spec/rules")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .enumerate();
    for (i, rule) in rules {
        let Some(host) = rule.get("host").and_then(serde_json::Value::as_str) else {
            continue;
        };
        if !covered.iter().any(|c| host_covered(c, host)) {
            return Some((
                format!("serves host `{host}` without TLS: no tls entry lists it"),
                format!("/spec/rules/{i}/host"),
            ));
        }
    }
    None
}

/// Whether a TLS host (possibly `*.example.com`) covers a rule host.
fn host_covered(tls_host: &str, host: &str) -> bool {
    if tls_host.eq_ignore_ascii_case(host) {
        return true;
    }
    match (tls_host.strip_prefix("*."), host.split_once('.')) {
        (Some(suffix), Some((_, rest))) => suffix.eq_ignore_ascii_case(rest),
        _ => false,
    }
}

fn exposed_services(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for m in cx.manifests().filter(|m| m.kind() == "Service") {
        evaluated += 1;
        let kind = m
            .object()
            .pointer("/spec/type")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("ClusterIP");
        if kind != "LoadBalancer" && kind != "NodePort" {
            continue;
        }
        findings.push(Draft {
            source: SourceKind::Files,
            resource: manifest_resource(m, None),
            location: Some(manifest_location(m, "/spec/type")),
            message: format!(
                "Service {}/{} is exposed as {kind}",
                namespace_of(m),
                m.name()
            ),
            evidence: Some(format!("spec.type: {kind}")),
            severity: None,
        });
    }
    Evaluation::items(evaluated, findings, "no Service was found")
}

fn host_networking(cx: &Context<'_>) -> Evaluation {
    judge_containers(cx, |c| {
        let mut problems = Vec::new();
        if c.host_network {
            problems.push("hostNetwork: true".to_string());
        }
        if !c.host_ports.is_empty() {
            let ports: Vec<String> = c.host_ports.iter().map(i64::to_string).collect();
            problems.push(format!("hostPort {}", ports.join(", ")));
        }
        (!problems.is_empty()).then(|| {
            let message = if c.host_network {
                "shares the node's network namespace".to_string()
            } else {
                "binds ports on the node".to_string()
            };
            (message, problems.join("; "))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::host_covered;

    #[test]
    fn wildcard_covers_one_label() {
        assert!(host_covered("*.example.com", "shop.example.com"));
        assert!(!host_covered("*.example.com", "a.shop.example.com"));
        assert!(!host_covered("*.example.com", "example.com"));
        assert!(host_covered("Shop.example.com", "shop.example.com"));
    }
}
