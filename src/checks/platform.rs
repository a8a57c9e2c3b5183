//! Platform namespaces: audited and listed, but graded apart from a team's workloads unless
//! `--include-platform` is given, as kubescape, Polaris and Popeye users ask for.
//!
//! The cluster's own components (kube-system, the CNI, the mesh, admission engines) often
//! need privileges no application should have; grading them with the team's workloads
//! would bury the team's own findings and cost grades the team cannot fix.

use std::fmt::Write as _;

use crate::checks::{Context, LIVE_PREFIX, Outcome, Status};

/// Namespaces of Kubernetes itself and of well-known platform components.
pub const PLATFORM_NAMESPACES: &[&str] = &[
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "kube-flannel",
    "calico-system",
    "calico-apiserver",
    "tigera-operator",
    "cilium",
    "istio-system",
    "linkerd",
    "gatekeeper-system",
    "kyverno",
    "falco",
    "cert-manager",
    "ingress-nginx",
    "metallb-system",
    "local-path-storage",
    "external-secrets",
    "flux-system",
];

/// Checks of the cluster-wide controls themselves: mesh mTLS, runtime detection and its
/// rules, metrics and log shipping, admission policy, the external secret manager and
/// encryption at rest. Their objects live in platform namespaces by design (a mesh-wide
/// PeerAuthentication in `istio-system`, Falco's rules in `falco`), and a weak setting there
/// weakens every team's workloads, so these findings always count.
const CLUSTER_CONTROL_CHECKS: &[&str] = &[
    "NET-006", "MON-001", "MON-002", "MON-004", "MON-005", "CMP-001", "SEC-006", "SEC-007",
];

/// Whether `namespace` belongs to the platform rather than a team.
pub fn is_platform(namespace: &str) -> bool {
    PLATFORM_NAMESPACES.contains(&namespace)
        || namespace.starts_with("openshift-")
        || namespace.starts_with("gke-")
}

/// The namespace of a live resource's canonical id (`k8s/live/{group}/{kind}/{ns}/{name}`).
fn live_namespace(canonical: &str) -> Option<&str> {
    canonical.strip_prefix(LIVE_PREFIX)?.split('/').nth(2)
}

/// Marks findings on live objects in platform namespaces and takes them out of the grade:
/// they stay listed, say why they are graded apart, and no longer count as failed items.
pub fn grade_apart(cx: &Context<'_>, outcome: &mut Outcome) {
    let Some(kube) = cx.evidence.kube.as_ref() else {
        return;
    };
    if kube.include_platform
        || outcome.status != Status::Fail
        || CLUSTER_CONTROL_CHECKS.contains(&outcome.check.id)
    {
        return;
    }
    let mut apart = 0;
    for finding in &mut outcome.findings {
        let Some(namespace) = live_namespace(&finding.resource.canonical) else {
            continue;
        };
        if is_platform(namespace) {
            apart += 1;
            let namespace = crate::sanitize::clean(namespace);
            let _ = write!(
                finding.message,
                " (platform namespace `{namespace}`: graded apart; --include-platform grades it)"
            );
        }
    }
    if apart == 0 {
        return;
    }
    outcome.failed -= apart;
    outcome.evaluated -= apart;
    if outcome.failed == 0 {
        outcome.status = Status::Pass;
        outcome.reason = Some(format!(
            "{apart} finding(s) in platform namespaces are listed but graded apart"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_namespaces_are_recognised_from_live_ids() {
        assert_eq!(
            live_namespace("k8s/live/apps/DaemonSet/kube-system/kube-proxy"),
            Some("kube-system")
        );
        assert_eq!(
            live_namespace("file/a.yaml#apps/Deployment/kube-system/x"),
            None
        );
        assert!(is_platform("kube-system") && is_platform("openshift-dns"));
        assert!(!is_platform("shop"));
    }
}
