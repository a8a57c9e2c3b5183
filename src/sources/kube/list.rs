//! Paginated, concurrent lists of the resources checks read.

use std::collections::BTreeMap;

use futures::StreamExt as _;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use serde_json::Value;

use crate::evidence::{KubeEvidence, Manifest, Origin, SourceRecord, YamlDocument};
use crate::model::SourceKind;
use crate::sources::kube::connect::{Cluster, root_cause};
use crate::sources::kube::{KubeOptions, access, owners};
use crate::sources::{Progress, ProgressSender, announce};

/// One kind of object Rampart lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceSpec {
    /// API group; empty for the core group.
    pub group: String,
    pub version: String,
    pub kind: String,
    /// Plural resource name, as RBAC names it.
    pub plural: String,
    pub namespaced: bool,
}

const fn spec(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
) -> (&'static str, &'static str, &'static str, &'static str, bool) {
    (group, version, kind, plural, namespaced)
}

/// The built-in resources listed on every run (Secrets only on request, metadata only).
pub const RESOURCES: &[(&str, &str, &str, &str, bool)] = &[
    spec("", "v1", "Namespace", "namespaces", false),
    spec("", "v1", "Pod", "pods", true),
    spec("apps", "v1", "ReplicaSet", "replicasets", true),
    spec("apps", "v1", "Deployment", "deployments", true),
    spec("apps", "v1", "StatefulSet", "statefulsets", true),
    spec("apps", "v1", "DaemonSet", "daemonsets", true),
    spec("batch", "v1", "Job", "jobs", true),
    spec("batch", "v1", "CronJob", "cronjobs", true),
    spec(
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
    ),
    spec("", "v1", "Service", "services", true),
    spec("networking.k8s.io", "v1", "Ingress", "ingresses", true),
    spec("", "v1", "ServiceAccount", "serviceaccounts", true),
    spec("", "v1", "ConfigMap", "configmaps", true),
    spec("", "v1", "ResourceQuota", "resourcequotas", true),
    spec("", "v1", "LimitRange", "limitranges", true),
    spec("rbac.authorization.k8s.io", "v1", "Role", "roles", true),
    spec(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
    ),
    spec(
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
    ),
    spec(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
    ),
];

/// The Secrets list: metadata only, and only with `--include-secrets`.
const SECRETS: (&str, &str, &str, &str, bool) = spec("", "v1", "Secret", "secrets", true);

/// Custom resources whose presence or content checks read, by group, found by discovery.
const CUSTOM_GROUPS: &[&str] = &[
    "security.istio.io",
    "templates.gatekeeper.sh",
    "constraints.gatekeeper.sh",
    "kyverno.io",
    "falco.org",
    "secrets-store.csi.x-k8s.io",
    "external-secrets.io",
];

impl ResourceSpec {
    fn from_row(row: &(&str, &str, &str, &str, bool)) -> Self {
        ResourceSpec {
            group: row.0.to_string(),
            version: row.1.to_string(),
            kind: row.2.to_string(),
            plural: row.3.to_string(),
            namespaced: row.4,
        }
    }

    fn api_resource(&self) -> ApiResource {
        let api_version = if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        };
        ApiResource {
            group: self.group.clone(),
            version: self.version.clone(),
            api_version,
            kind: self.kind.clone(),
            plural: self.plural.clone(),
        }
    }

    /// How the record and `denied` name it: `pods`, `clusterroles.rbac.authorization.k8s.io`.
    pub fn key(&self) -> String {
        self.plural.clone()
    }

    /// The RBAC permission its list needs, in words.
    pub fn permission(&self) -> String {
        let group = if self.group.is_empty() {
            "core".to_string()
        } else {
            self.group.clone()
        };
        format!("`list {}` in API group `{group}`", self.plural)
    }
}

/// What one list produced.
enum Listed {
    Objects(Vec<Value>),
    Denied(String),
    Failed(String),
}

/// Lists everything, concurrently, and builds the evidence.
pub async fn collect_all(
    cluster: &Cluster,
    options: &KubeOptions,
    progress: Option<&ProgressSender>,
    record: &mut SourceRecord,
) -> KubeEvidence {
    let mut specs: Vec<ResourceSpec> = RESOURCES.iter().map(ResourceSpec::from_row).collect();
    let mut evidence = KubeEvidence::default();
    let (custom, installed) = discover(cluster).await;
    evidence.installed_apis = installed;
    specs.extend(custom);

    // Ask up front what may not be listed, so a denied resource costs no list request.
    let denied = access::review(cluster, options, &specs).await;
    record.attempted = specs.iter().map(ResourceSpec::key).collect();
    if options.include_secrets {
        record.attempted.push("secrets (metadata only)".to_string());
    }

    let lists = futures::stream::iter(specs.iter().cloned())
        .map(|spec| {
            let refused = denied.get(&spec.key()).cloned();
            async move {
                let listed = match refused {
                    Some(why) => Listed::Denied(why),
                    None => list_everywhere(cluster, options, &spec, false).await,
                };
                (spec, listed)
            }
        })
        .buffer_unordered(4)
        .collect::<Vec<_>>()
        .await;

    let mut objects = Vec::new();
    for (spec, listed) in lists {
        absorb(&spec, listed, &mut objects, &mut evidence, progress);
    }
    if options.include_secrets {
        let spec = ResourceSpec::from_row(&SECRETS);
        let listed = list_everywhere(cluster, options, &spec, true).await;
        absorb(&spec, listed, &mut objects, &mut evidence, progress);
    }

    evidence.pods_listed = objects
        .iter()
        .filter(|o| o.get("kind").and_then(Value::as_str) == Some("Pod"))
        .count();
    let kept = owners::judged_once(objects);
    evidence.objects = kept.into_iter().map(live_manifest).collect();
    evidence
}

fn absorb(
    spec: &ResourceSpec,
    listed: Listed,
    objects: &mut Vec<Value>,
    evidence: &mut KubeEvidence,
    progress: Option<&ProgressSender>,
) {
    let message = match listed {
        Listed::Objects(items) => {
            let message = format!("listed {} {}", items.len(), spec.plural);
            objects.extend(items);
            message
        }
        Listed::Denied(why) => {
            tracing::warn!(resource = %spec.plural, "kube list denied");
            evidence.denied.insert(spec.key(), why);
            format!("may not list {}", spec.plural)
        }
        Listed::Failed(why) => {
            tracing::warn!(resource = %spec.plural, "kube list failed");
            evidence
                .denied
                .insert(spec.key(), format!("the list failed: {why}"));
            format!("could not list {}", spec.plural)
        }
    };
    announce(
        progress,
        Progress::Step {
            source: SourceKind::Kube,
            message,
        },
    );
}

/// Lists one resource in every requested namespace (or cluster-wide).
async fn list_everywhere(
    cluster: &Cluster,
    options: &KubeOptions,
    spec: &ResourceSpec,
    metadata_only: bool,
) -> Listed {
    let resource = spec.api_resource();
    let apis: Vec<Api<DynamicObject>> = if spec.namespaced && !options.namespaces.is_empty() {
        options
            .namespaces
            .iter()
            .map(|ns| Api::namespaced_with(cluster.client.clone(), ns, &resource))
            .collect()
    } else {
        vec![Api::all_with(cluster.client.clone(), &resource)]
    };
    let mut all = Vec::new();
    for api in apis {
        match list_pages(&api, spec, options.page_size, metadata_only).await {
            Listed::Objects(items) => all.extend(items),
            other => return other,
        }
    }
    if !spec.namespaced && spec.kind == "Namespace" && !options.namespaces.is_empty() {
        all.retain(|o| {
            let name = o.pointer("/metadata/name").and_then(Value::as_str);
            name.is_some_and(|n| options.namespaces.iter().any(|w| w == n))
        });
    }
    Listed::Objects(all)
}

/// Follows `continue` tokens to the end; restarts once when a token expired (410 Gone).
async fn list_pages(
    api: &Api<DynamicObject>,
    spec: &ResourceSpec,
    page_size: u32,
    metadata_only: bool,
) -> Listed {
    let mut restarted = false;
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut params = ListParams::default().limit(page_size);
        if let Some(token) = &token {
            params = params.continue_token(token);
        }
        let page = if metadata_only {
            api.list_metadata(&params)
                .await
                .map(|l| (l.metadata.continue_, to_values(l.items, spec)))
        } else {
            api.list(&params)
                .await
                .map(|l| (l.metadata.continue_, to_values(l.items, spec)))
        };
        match page {
            Ok((next, page_items)) => {
                items.extend(page_items);
                match next.filter(|t| !t.is_empty()) {
                    Some(next) => token = Some(next),
                    None => return Listed::Objects(items),
                }
            }
            Err(kube::Error::Api(status)) if status.code == 410 && !restarted => {
                // The snapshot expired between pages: start again from a fresh one rather
                // than mix two states of the cluster.
                restarted = true;
                items.clear();
                token = None;
            }
            Err(kube::Error::Api(status)) if status.code == 403 => {
                return Listed::Denied(format!("needs {}", spec.permission()));
            }
            Err(kube::Error::Api(status)) if status.code == 404 => {
                return Listed::Objects(Vec::new());
            }
            Err(error) => return Listed::Failed(root_cause(&error)),
        }
    }
}

/// Objects as wire JSON with their `apiVersion` and `kind`, which list items lack.
fn to_values<T: serde::Serialize>(items: Vec<T>, spec: &ResourceSpec) -> Vec<Value> {
    let api_version = spec.api_resource().api_version;
    items
        .into_iter()
        .filter_map(|item| serde_json::to_value(item).ok())
        .map(|mut value| {
            if let Value::Object(map) = &mut value {
                map.insert("apiVersion".into(), Value::String(api_version.clone()));
                map.insert("kind".into(), Value::String(spec.kind.clone()));
            }
            clean(&mut value);
            value
        })
        .collect()
}

/// Drops what can hold a whole Secret or is noise, and redacts secret-looking values.
pub fn clean(value: &mut Value) {
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
        if let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
        }
    }
    // Metadata-only lists never carry data; this guards a server that sends it anyway.
    if value.get("kind").and_then(Value::as_str) == Some("Secret")
        && let Value::Object(map) = value
    {
        map.remove("data");
        map.remove("stringData");
    }
    crate::secrets::redact_value(value);
}

/// Wraps a cleaned object as a manifest of live origin.
fn live_manifest(value: Value) -> Manifest {
    Manifest {
        doc: YamlDocument {
            path: "k8s/live".to_string(),
            document: 0,
            value,
            lines: BTreeMap::new(),
        },
        list_item: None,
        origin: Origin::Live,
    }
}

/// Finds the custom resources of interest the cluster serves.
async fn discover(cluster: &Cluster) -> (Vec<ResourceSpec>, Vec<String>) {
    let Ok(groups) = cluster.client.list_api_groups().await else {
        return (Vec::new(), Vec::new());
    };
    let mut specs = Vec::new();
    let mut installed = Vec::new();
    for group in groups
        .groups
        .iter()
        .filter(|g| CUSTOM_GROUPS.contains(&g.name.as_str()))
    {
        let Some(version) = group
            .preferred_version
            .as_ref()
            .or_else(|| group.versions.first())
        else {
            continue;
        };
        let Ok(resources) = cluster
            .client
            .list_api_group_resources(&version.group_version)
            .await
        else {
            continue;
        };
        for resource in resources.resources.iter().filter(|r| !r.name.contains('/')) {
            installed.push(format!("{}/{}", group.name, resource.kind));
            specs.push(ResourceSpec {
                group: group.name.clone(),
                version: version.version.clone(),
                kind: resource.kind.clone(),
                plural: resource.name.clone(),
                namespaced: resource.namespaced,
            });
        }
    }
    (specs, installed)
}
