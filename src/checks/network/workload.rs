//! Workloads (objects with a pod template) as network and identity checks see them.
//!
//! A manifest without `metadata.namespace` is grouped in `default`, the namespace
//! `kubectl apply` would put it in without `-n`.

use serde_json::{Map, Value};

use crate::evidence::Manifest;

/// The namespace a manifest without one is applied to.
pub const DEFAULT_NAMESPACE: &str = "default";

/// One object that runs pods, with its pod template's labels and spec.
#[derive(Debug, Clone)]
pub struct Workload<'m> {
    pub manifest: &'m Manifest,
    /// Its namespace, `default` when the manifest names none.
    pub namespace: &'m str,
    /// Labels of the pod template (of the pod itself for a bare Pod).
    pub labels: Map<String, Value>,
    /// Pointer to the pod template's metadata, for locations.
    pub meta_pointer: String,
    /// Pointer to the pod spec.
    pub spec_pointer: &'static str,
}

impl<'m> Workload<'m> {
    /// The workload of a manifest, if its kind runs pods.
    pub fn from_manifest(manifest: &'m Manifest) -> Option<Self> {
        let spec_pointer = spec_pointer(manifest.kind())?;
        let meta_pointer = format!(
            "{}/metadata",
            spec_pointer.strip_suffix("/spec").unwrap_or("")
        );
        let labels = manifest
            .object()
            .pointer(&format!("{meta_pointer}/labels"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        Some(Workload {
            manifest,
            namespace: namespace_of(manifest),
            labels,
            meta_pointer,
            spec_pointer,
        })
    }

    /// The pod spec, or null when the manifest has none.
    pub fn spec(&self) -> &'m Value {
        self.manifest
            .object()
            .pointer(self.spec_pointer)
            .unwrap_or(&Value::Null)
    }

    /// `Deployment shop/web`.
    pub fn label(&self) -> String {
        format!(
            "{} {}/{}",
            self.manifest.kind(),
            self.namespace,
            self.manifest.name()
        )
    }
}

/// The namespace of a manifest, `default` when it names none.
pub fn namespace_of(manifest: &Manifest) -> &str {
    manifest.namespace().unwrap_or(DEFAULT_NAMESPACE)
}

fn spec_pointer(kind: &str) -> Option<&'static str> {
    match kind {
        "Pod" => Some("/spec"),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => Some("/spec/template/spec"),
        "CronJob" => Some("/spec/jobTemplate/spec/template/spec"),
        _ => None,
    }
}

/// Every workload of these manifests.
pub fn workloads<'m>(manifests: impl Iterator<Item = &'m Manifest>) -> Vec<Workload<'m>> {
    manifests.filter_map(Workload::from_manifest).collect()
}
