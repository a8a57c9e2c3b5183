//! Evidence from the kube source: a live cluster's objects as their wire JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::evidence::Manifest;

/// What the kube source observed. Objects are kept as their wire JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KubeEvidence {
    /// The kubeconfig context that was used (`in-cluster` inside a pod).
    #[serde(default)]
    pub context: String,
    /// The API server's address.
    #[serde(default)]
    pub server: String,
    /// The namespaces that were audited; empty means all of them.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Whether platform namespaces are graded with the team's workloads.
    #[serde(default)]
    pub include_platform: bool,
    /// Every object read, as a manifest of live origin: `managedFields` and the
    /// `last-applied-configuration` annotation removed, secret-looking values redacted,
    /// Secrets as metadata only. Pods owned by a controller are left out: their
    /// controller's template is judged instead, so replicas are reported once.
    #[serde(default)]
    pub objects: Vec<Manifest>,
    /// How many pods were listed, including those left out for their controller.
    #[serde(default)]
    pub pods_listed: usize,
    /// Resource lists that could not be read (`clusterroles`), with the permission that
    /// was missing.
    #[serde(default)]
    pub denied: BTreeMap<String, String>,
    /// Custom resources the cluster serves, as `group/Kind` (`security.istio.io/
    /// PeerAuthentication`), from discovery.
    #[serde(default)]
    pub installed_apis: Vec<String>,
    /// The kube-apiserver's flags, when its static pod is visible in kube-system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane: Option<ControlPlane>,
    /// Why the control plane could not be read, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_unknown: Option<String>,
}

impl KubeEvidence {
    /// The missing permission for a resource list, when it was denied.
    pub fn denied(&self, resource: &str) -> Option<&str> {
        self.denied.get(resource).map(String::as_str)
    }
}

/// The security-relevant flags of the kube-apiserver, read from its static pod.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlPlane {
    /// The pod the flags were read from (`kube-system/kube-apiserver-node1`).
    pub pod: String,
    /// The flags that matter to the checks, name without dashes to value (`true` for a
    /// bare flag). Paths of configuration files are kept; file contents are not visible.
    pub flags: BTreeMap<String, String>,
}

impl ControlPlane {
    /// The value of a flag, if set.
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags.get(name).map(String::as_str)
    }
}
