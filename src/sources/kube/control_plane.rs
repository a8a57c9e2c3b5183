//! The kube-apiserver's flags, read from its static (mirror) pod in kube-system.

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};

use crate::evidence::{ControlPlane, KubeEvidence};
use crate::sources::kube::KubeOptions;
use crate::sources::kube::connect::{Cluster, root_cause};

/// Flags checks read. Values are kept: they are modes and file paths, never secrets.
const FLAGS: &[&str] = &[
    "encryption-provider-config",
    "audit-log-path",
    "audit-policy-file",
    "audit-webhook-config-file",
    "anonymous-auth",
    "oidc-issuer-url",
    "authentication-config",
    "authorization-mode",
    "authorization-config",
];

/// Reads the apiserver pod's flags into `evidence`, or says why they are unknown.
pub async fn read(cluster: &Cluster, _options: &KubeOptions, evidence: &mut KubeEvidence) {
    let api: Api<Pod> = Api::namespaced(cluster.client.clone(), "kube-system");
    let params = ListParams::default()
        .labels("component=kube-apiserver")
        .limit(50);
    let pods = match api.list(&params).await {
        Ok(pods) => pods.items,
        Err(kube::Error::Api(status)) if status.code == 403 => {
            evidence.control_plane_unknown = Some(
                "the kube-apiserver pod cannot be read: needs `list pods` in namespace \
                 `kube-system`"
                    .to_string(),
            );
            return;
        }
        Err(error) => {
            evidence.control_plane_unknown = Some(format!(
                "the kube-apiserver pod cannot be read: {}",
                root_cause(&error)
            ));
            return;
        }
    };
    let Some(pod) = pods.first() else {
        evidence.control_plane_unknown = Some(
            "no kube-apiserver pod is visible in kube-system, as on managed clusters (EKS, \
             GKE, AKS) whose control plane the provider runs; check its settings there"
                .to_string(),
        );
        return;
    };
    evidence.control_plane = Some(flags_of(pod));
}

fn flags_of(pod: &Pod) -> ControlPlane {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let words = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .filter(|c| {
            c.name == "kube-apiserver"
                || c.image
                    .as_deref()
                    .is_some_and(|i| i.contains("kube-apiserver"))
        })
        .flat_map(|c| c.command.iter().flatten().chain(c.args.iter().flatten()));
    let mut plane = ControlPlane {
        pod: format!("kube-system/{name}"),
        ..ControlPlane::default()
    };
    for word in words {
        let Some(flag) = word.strip_prefix("--") else {
            continue;
        };
        let (key, value) = flag.split_once('=').unwrap_or((flag, "true"));
        if FLAGS.contains(&key) {
            plane.flags.insert(key.to_string(), value.to_string());
        }
    }
    plane
}
