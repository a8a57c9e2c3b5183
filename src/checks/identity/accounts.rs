//! IAM-007: which service account a workload runs as, and whether its token is mounted.

use std::collections::HashMap;

use serde_json::Value;

use crate::checks::context::{manifest_location, manifest_resource};
use crate::checks::network::workload::{Workload, namespace_of, workloads};
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::Manifest;
use crate::model::{Area, Severity, SourceKind};

/// IAM-007: workloads run as their own service account and mount no token they do not use.
pub static IAM_007: Check = Check {
    id: "IAM-007",
    area: Area::Identity,
    severity: Severity::Medium,
    title: "Workload uses the default service account or mounts its token",
    why: "Every pod that names no service account runs as `default`, so permissions granted \
          to it for one workload reach every workload of the namespace. And unless token \
          automounting is turned off, each pod carries an API token that an attacker inside \
          the container can use against the API server.",
    remediation: "Give each workload its own ServiceAccount, and set \
                  `automountServiceAccountToken: false` on the pod or the ServiceAccount \
                  unless the workload calls the Kubernetes API.",
    snippet: Snippet {
        language: "yaml",
        code: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  namespace: shop\nautomountServiceAccountToken: false\n---\n# in the pod template\nspec:\n  serviceAccountName: web\n  automountServiceAccountToken: false\n",
    },
    references: &[
        "kubescape C-0034",
        "kubescape C-0189",
        "KSV-0036",
        "CIS Kubernetes 5.1.5",
    ],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "A pod's own automountServiceAccountToken wins over its ServiceAccount's, \
                   as in Kubernetes; a ServiceAccount Rampart cannot see counts as mounting.",
    evaluate: service_account_use,
};

/// `automountServiceAccountToken` of each ServiceAccount, by namespace and name.
fn account_settings<'m>(
    manifests: impl Iterator<Item = &'m Manifest>,
) -> HashMap<(&'m str, &'m str), Option<bool>> {
    manifests
        .filter(|m| m.kind() == "ServiceAccount")
        .map(|m| {
            let automount = m
                .object()
                .get("automountServiceAccountToken")
                .and_then(Value::as_bool);
            ((namespace_of(m), m.name()), automount)
        })
        .collect()
}

fn service_account_use(cx: &Context<'_>) -> Evaluation {
    let accounts = account_settings(cx.manifests());
    let all = workloads(cx.manifests());
    let findings: Vec<Draft> = all.iter().filter_map(|w| judge(w, &accounts)).collect();
    Evaluation::items(all.len(), findings, "no workload was found")
}

fn judge(w: &Workload<'_>, accounts: &HashMap<(&str, &str), Option<bool>>) -> Option<Draft> {
    let spec = w.spec();
    let account = spec
        .get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"))
        .and_then(Value::as_str)
        .unwrap_or("default");
    let pod_setting = spec
        .get("automountServiceAccountToken")
        .and_then(Value::as_bool);
    let account_setting = accounts.get(&(w.namespace, account)).copied().flatten();
    let mounted = pod_setting.or(account_setting) != Some(false);

    let mut problems = Vec::new();
    if account == "default" {
        problems.push("runs as the namespace's `default` service account".to_string());
    }
    if mounted {
        problems.push(format!("mounts the API token of `{account}`"));
    }
    if problems.is_empty() {
        return None;
    }
    let pointer = if spec.get("serviceAccountName").is_some() {
        format!("{}/serviceAccountName", w.spec_pointer)
    } else {
        w.spec_pointer.to_string()
    };
    Some(Draft {
        source: SourceKind::Files,
        resource: manifest_resource(w.manifest, None),
        location: Some(manifest_location(w.manifest, &pointer)),
        message: format!("{} {}", w.label(), problems.join(" and ")),
        evidence: Some(format!(
            "serviceAccountName: {account}; automountServiceAccountToken: pod {}, account {}",
            setting(pod_setting),
            setting(account_setting)
        )),
        severity: None,
    })
}

fn setting(value: Option<bool>) -> String {
    value.map_or_else(|| "unset".to_string(), |v| v.to_string())
}
