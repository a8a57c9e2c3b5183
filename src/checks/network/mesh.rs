//! NET-006: Istio mutual TLS, from PeerAuthentication objects.
//!
//! Istio reads mesh-wide policy from its root namespace, `istio-system` unless the mesh
//! configuration says otherwise; Rampart assumes the default. A PeerAuthentication there
//! without a selector sets the mesh default; one elsewhere without a selector sets its
//! namespace; one with a selector sets matching workloads, and `portLevelMtls` sets ports.

use serde_json::Value;
use std::fmt::Write as _;

use crate::checks::context::{manifest_location, manifest_resource};
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::Manifest;
use crate::model::{Area, Resource, Severity, SourceKind};

/// The namespace whose selector-less PeerAuthentication applies to the whole mesh.
pub const ROOT_NAMESPACE: &str = "istio-system";

/// NET-006: the mesh enforces mTLS everywhere.
pub static NET_006: Check = Check {
    id: "NET-006",
    area: Area::Network,
    severity: Severity::Medium,
    title: "Mesh mTLS is not STRICT everywhere",
    why: "In PERMISSIVE mode an Istio sidecar still accepts plain-text connections, so \
          traffic between services can be read or forged by anyone who reaches a pod, and \
          identity-based authorization policies can be sidestepped. A STRICT mesh default \
          is undone by any namespace, workload or port that overrides it with PERMISSIVE \
          or DISABLE.",
    remediation: "Create a PeerAuthentication named `default` in istio-system with mode \
                  STRICT and no selector, and remove PERMISSIVE or DISABLE overrides once \
                  every client has a sidecar.",
    snippet: Snippet {
        language: "yaml",
        code: "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: istio-system\nspec:\n  mtls:\n    mode: STRICT\n",
    },
    references: &["seed §3.2", "Istio security best practices"],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "Not applicable to an application repository without Istio objects; a \
                   mesh root namespace other than istio-system is not read yet.",
    evaluate: mesh_mtls,
};

fn is_istio(m: &Manifest) -> bool {
    let api = m.api_version();
    api.contains(".istio.io/")
}

fn is_peer_authentication(m: &Manifest) -> bool {
    m.kind() == "PeerAuthentication" && m.api_version().starts_with("security.istio.io/")
}

/// The mode a PeerAuthentication sets, or why it cannot be read.
fn mode(value: Option<&Value>) -> Result<Option<&str>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(mode)) => match mode.as_str() {
            "UNSET" => Ok(None),
            "STRICT" | "PERMISSIVE" | "DISABLE" => Ok(Some(mode.as_str())),
            other => Err(format!("mtls mode `{other}` is not one Istio defines")),
        },
        Some(_) => Err("mtls mode is not a string".to_string()),
    }
}

/// The mode at `pointer`, refusing a parent (`mtls`, a port entry) that is not a mapping,
/// which Istio would reject and Rampart must not read as "unset".
fn mode_at<'v>(object: &'v Value, pointer: &str) -> Result<Option<&'v str>, String> {
    let parent = pointer.strip_suffix("/mode").unwrap_or(pointer);
    match object.pointer(parent) {
        None | Some(Value::Null | Value::Object(_)) => mode(object.pointer(pointer)),
        Some(_) => Err(format!(
            "`{}` is not a mapping",
            parent.trim_start_matches("/spec/")
        )),
    }
}

fn has_selector(object: &Value) -> bool {
    object
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .is_some_and(|l| !l.is_empty())
}

fn mesh_mtls(cx: &Context<'_>) -> Evaluation {
    if !cx.describes_cluster() && !cx.manifests().any(is_istio) {
        return Evaluation::NotApplicable(
            "no Istio objects and no cluster-level objects were found".to_string(),
        );
    }
    let policies: Vec<&Manifest> = cx
        .manifests()
        .filter(|m| is_peer_authentication(m))
        .collect();
    let mut findings: Vec<Draft> = policies.iter().flat_map(|m| weak_modes(m)).collect();

    let mesh_wide = policies
        .iter()
        .find(|m| m.namespace() == Some(ROOT_NAMESPACE) && !has_selector(m.object()));
    let mesh_mode =
        mesh_wide.and_then(|m| mode(m.object().pointer("/spec/mtls/mode")).ok().flatten());
    // A PERMISSIVE or DISABLE mesh-wide mode is already reported on its object above.
    if mesh_mode.is_none() {
        findings.push(missing_mesh_default(mesh_wide.copied()));
    }
    Evaluation::items(policies.len() + 1, findings, "")
}

fn missing_mesh_default(object: Option<&Manifest>) -> Draft {
    let (resource, location) = match object {
        Some(m) => (
            manifest_resource(m, None),
            Some(manifest_location(m, "/spec")),
        ),
        None => (
            Resource {
                canonical: format!("k8s/mesh/{ROOT_NAMESPACE}"),
                part: None,
                display: "Istio mesh".to_string(),
            },
            None,
        ),
    };
    Draft {
        source: SourceKind::Files,
        resource,
        location,
        message: format!(
            "no mesh-wide PeerAuthentication with mode STRICT in `{ROOT_NAMESPACE}`; \
             Istio's default is PERMISSIVE, which accepts plain text"
        ),
        evidence: None,
        severity: None,
    }
}

/// Findings for the PERMISSIVE, DISABLE or unreadable modes of one PeerAuthentication.
fn weak_modes(m: &Manifest) -> Vec<Draft> {
    let object = m.object();
    let scope = if has_selector(object) {
        "workloads it selects"
    } else if m.namespace() == Some(ROOT_NAMESPACE) {
        "whole mesh"
    } else {
        "namespace"
    };
    let mut modes = vec![("/spec/mtls/mode".to_string(), String::new())];
    if let Some(ports) = object
        .pointer("/spec/portLevelMtls")
        .and_then(Value::as_object)
    {
        for port in ports.keys() {
            modes.push((
                format!("/spec/portLevelMtls/{port}/mode"),
                format!(" on port {port}"),
            ));
        }
    }
    let mut findings = Vec::new();
    for (pointer, port) in modes {
        let message = match mode_at(object, &pointer) {
            Ok(Some(weak @ ("PERMISSIVE" | "DISABLE"))) => format!(
                "PeerAuthentication `{}` sets mTLS to {weak} for the {scope}{port}",
                m.name()
            ),
            Ok(_) => continue,
            Err(reason) => format!(
                "PeerAuthentication `{}` could not be read{port}: {reason}",
                m.name()
            ),
        };
        findings.push(Draft {
            source: SourceKind::Files,
            resource: port_resource(m, port.trim()),
            location: Some(manifest_location(m, &pointer)),
            message,
            evidence: None,
            severity: None,
        });
    }
    findings
}

/// The PeerAuthentication as a resource, narrowed to a port when one is named.
fn port_resource(m: &Manifest, port: &str) -> Resource {
    let mut resource = manifest_resource(m, None);
    if !port.is_empty() {
        let _ = write!(resource.display, ", {port}");
        resource.part = Some(port.to_string());
    }
    resource
}
