//! What checks read: the evidence plus indexes derived from it once per evaluation.

use serde_json::Value;

use crate::checks::profile::{self, ContainerProfile};
use crate::evidence::{Evidence, FilesEvidence, Manifest, YamlDocument};
use crate::model::{Location, Resource};

/// The evidence, with the views several checks share computed once.
pub struct Context<'e> {
    pub evidence: &'e Evidence,
    /// Every container found in manifests (later also live workloads and Docker), judged
    /// through one normalised profile.
    pub containers: Vec<ContainerProfile>,
    /// Labels every workload must carry (CMP-003), from configuration.
    pub required_labels: Vec<String>,
    /// Policies and workloads of the network checks, built once on first use.
    pub(crate) network: std::sync::OnceLock<crate::checks::network::Network<'e>>,
}

impl<'e> Context<'e> {
    /// Builds the shared views of `evidence`.
    pub fn new(evidence: &'e Evidence) -> Self {
        let containers = manifests(evidence)
            .flat_map(profile::from_manifest)
            .chain(profile::from_docker_evidence(evidence))
            .collect();
        Context {
            evidence,
            containers,
            required_labels: crate::checks::compliance::DEFAULT_REQUIRED_LABELS
                .iter()
                .map(|l| (*l).to_string())
                .collect(),
            network: std::sync::OnceLock::new(),
        }
    }

    /// Kubernetes objects from files and from a live cluster.
    pub fn manifests(&self) -> impl Iterator<Item = &'e Manifest> {
        manifests(self.evidence)
    }

    /// GitHub Actions workflows from files.
    pub fn workflows(&self) -> &'e [YamlDocument] {
        self.files().map_or(&[], |f| f.workflows.as_slice())
    }

    /// The repository's files: the local checkout when the files source ran, else those
    /// the github source fetched through the API (workflows, Dependabot, governance files).
    pub fn files(&self) -> Option<&'e FilesEvidence> {
        self.evidence.files.as_ref().or_else(|| {
            self.evidence
                .github
                .as_ref()
                .and_then(|g| g.repository_files.as_ref())
        })
    }

    /// Whether the evidence describes a cluster rather than one application: a live
    /// cluster was read, or the repository holds Namespaces or cluster-scoped objects.
    /// Checks that ask whether a cluster-wide control exists (runtime detection, an
    /// admission engine, mesh mTLS, an external secret manager, log shipping) apply only
    /// then, and are not applicable to an application repository.
    pub fn describes_cluster(&self) -> bool {
        self.evidence.has(crate::model::SourceKind::Kube)
            || self
                .manifests()
                .any(|m| CLUSTER_SCOPED_KINDS.contains(&m.kind()))
    }

    /// Parsed Dockerfiles.
    pub fn dockerfiles(&self) -> &'e [crate::evidence::Dockerfile] {
        self.evidence
            .files
            .as_ref()
            .map_or(&[], |f| f.dockerfiles.as_slice())
    }
}

/// Kinds whose presence in a repository means it manages a cluster, not just an app.
pub const CLUSTER_SCOPED_KINDS: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PriorityClass",
    "PersistentVolume",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "PodSecurityPolicy",
    "RuntimeClass",
    "IngressClass",
    "APIService",
    "ClusterIssuer",
    "EncryptionConfiguration",
];

/// Kubernetes objects from files, then those a live cluster served: one iterator, so the
/// same checks judge both.
fn manifests(evidence: &Evidence) -> impl Iterator<Item = &Manifest> {
    let files = evidence.files.iter().flat_map(|f| f.manifests.iter());
    let live = evidence.kube.iter().flat_map(|k| k.objects.iter());
    files.chain(live)
}

/// The identity of a Kubernetes object found in a file, optionally narrowed to a part.
pub fn manifest_resource(manifest: &Manifest, part: Option<&str>) -> Resource {
    let object = manifest.object();
    let group = manifest
        .api_version()
        .rsplit_once('/')
        .map_or("core", |(g, _)| g);
    let namespace = manifest.namespace().unwrap_or("-");
    let kind = manifest.kind();
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("?");
    let display_ns = manifest
        .namespace()
        .map(|n| format!("{n}/"))
        .unwrap_or_default();
    let mut display = format!("{kind} {display_ns}{name}");
    if let Some(part) = part {
        display.push_str(&format!(", container {part}"));
    }
    // A live object has no file: its identity is the cluster path DESIGN.md names.
    let canonical = if manifest.is_live() {
        format!("k8s/live/{group}/{kind}/{namespace}/{name}")
    } else {
        format!(
            "file/{}#{group}/{kind}/{namespace}/{name}",
            manifest.doc.path
        )
    };
    Resource {
        canonical,
        part: part.map(str::to_string),
        display,
    }
}

/// The location of a node (pointer relative to the object) of a manifest.
pub fn manifest_location(manifest: &Manifest, relative: &str) -> Location {
    Location {
        path: manifest.doc.path.clone(),
        line: manifest.line_of(relative),
    }
}

/// The identity of a whole file.
pub fn file_resource(path: &str, part: Option<&str>) -> Resource {
    let display = match part {
        Some(part) => format!("{path} ({part})"),
        None => path.to_string(),
    };
    Resource {
        canonical: format!("file/{path}"),
        part: part.map(str::to_string),
        display,
    }
}
