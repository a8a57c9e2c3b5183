//! The normalised container profile that every container check judges.
//!
//! A Kubernetes container (with its pod and namespace context) and, later, a Docker
//! container's inspect data are both reduced to this one shape, so a privileged pod and a
//! privileged Docker container are judged by the same code. Each setting is known to be
//! set (`Some`), known to be unset (`None`), or — where the evidence cannot say, such as
//! the user baked into an image — [`Setting::Unknown`].

use serde_json::Value;

use crate::checks::context::{manifest_location, manifest_resource};
use crate::evidence::Manifest;
use crate::model::{Location, Resource, SourceKind};

/// A value the evidence may not be able to state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting<T> {
    Set(T),
    Unset,
    Unknown,
}

/// Which list of the pod spec a container came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerRole {
    Main,
    Init,
    Ephemeral,
}

/// A host path or bind mount visible to the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostMount {
    pub host_path: String,
    pub container_path: Option<String>,
    pub read_only: bool,
}

/// One environment variable and where its value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    /// A literal value as written (already redacted at collection when secret-looking).
    pub literal: Option<String>,
    /// Whether the value is taken from a Secret (`secretKeyRef`).
    pub from_secret: bool,
}

/// Everything container checks read about one container.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerProfile {
    pub source: SourceKind,
    pub resource: Resource,
    pub location: Option<Location>,
    pub name: String,
    pub role: ContainerRole,
    pub image: Option<String>,
    pub privileged: Option<bool>,
    pub allow_privilege_escalation: Option<bool>,
    pub run_as_user: Option<i64>,
    pub run_as_non_root: Option<bool>,
    /// The user the image itself declares, when the evidence shows it.
    pub image_user: Setting<String>,
    pub read_only_root_fs: Option<bool>,
    pub caps_add: Vec<String>,
    pub caps_drop: Vec<String>,
    /// Seccomp profile type: `RuntimeDefault`, `Localhost`, `Unconfined`. `None` means no
    /// profile applies, as in Kubernetes when none is asked for; a builder whose runtime
    /// applies its own default profile (Docker) records `RuntimeDefault`.
    pub seccomp: Option<String>,
    /// AppArmor profile: `RuntimeDefault`, `Localhost`, `Unconfined`.
    pub apparmor: Option<String>,
    pub host_pid: bool,
    pub host_ipc: bool,
    /// Shares the host's UTS namespace (hostname). Docker can; Kubernetes cannot.
    pub host_uts: bool,
    /// Runs in the host's user namespace although the runtime could remap it. Docker's
    /// `--userns=host` under a remapping daemon; never set for Kubernetes, whose
    /// `hostUsers` default is the platform's normal, not a choice to flag.
    pub host_user_namespace: bool,
    pub host_network: bool,
    pub host_ports: Vec<i64>,
    pub host_mounts: Vec<HostMount>,
    pub memory_limit: Option<String>,
    pub cpu_limit: Option<String>,
    /// The most processes the container may run. Docker sets it per container
    /// (`--pids-limit`); Kubernetes sets it per node, so a pod spec cannot show it.
    pub pids_limit: Setting<i64>,
    pub env: Vec<EnvVar>,
    pub liveness_probe: bool,
    pub readiness_probe: bool,
    /// Namespace of the workload, when known.
    pub namespace: Option<String>,
    pub service_account: Option<String>,
    pub automount_token: Option<bool>,
    /// Workload kind and name that owns the pod template (`Deployment`, `web`).
    pub workload: (String, String),
    /// Labels of the workload's pod template.
    pub labels: serde_json::Map<String, Value>,
}

/// Where each workload kind keeps its pod spec, relative to the object.
fn pod_spec_pointer(kind: &str) -> Option<&'static str> {
    match kind {
        "Pod" => Some("/spec"),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => Some("/spec/template/spec"),
        "CronJob" => Some("/spec/jobTemplate/spec/template/spec"),
        "PodTemplate" => Some("/template/spec"),
        _ => None,
    }
}

/// The profiles of every container of a manifest's pod template; empty for other kinds.
pub fn from_manifest(manifest: &Manifest) -> Vec<ContainerProfile> {
    let Some(spec_ptr) = pod_spec_pointer(manifest.kind()) else {
        return Vec::new();
    };
    let object = manifest.object();
    let Some(spec) = object.pointer(spec_ptr) else {
        return Vec::new();
    };
    let meta_ptr = spec_ptr
        .strip_suffix("/spec")
        .map(|p| format!("{p}/metadata"));
    let template_meta = meta_ptr.as_deref().and_then(|p| object.pointer(p));

    let mut profiles = Vec::new();
    for (list, role) in [
        ("initContainers", ContainerRole::Init),
        ("containers", ContainerRole::Main),
        ("ephemeralContainers", ContainerRole::Ephemeral),
    ] {
        let Some(items) = spec.get(list).and_then(Value::as_array) else {
            continue;
        };
        for (index, container) in items.iter().enumerate() {
            let pointer = format!("{spec_ptr}/{list}/{index}");
            let pod = PodContext {
                manifest,
                spec,
                template_meta,
            };
            profiles.push(pod.profile(container, role, &pointer));
        }
    }
    profiles
}

struct PodContext<'a> {
    manifest: &'a Manifest,
    spec: &'a Value,
    template_meta: Option<&'a Value>,
}

impl PodContext<'_> {
    fn profile(&self, container: &Value, role: ContainerRole, pointer: &str) -> ContainerProfile {
        let name = str_at(container, "/name").unwrap_or("?").to_string();
        let csc = container.get("securityContext").unwrap_or(&Value::Null);
        let psc = self.spec.get("securityContext").unwrap_or(&Value::Null);

        // Kubernetes merges these pod-level fields into each container unless the
        // container sets its own.
        let merged = |field: &str| csc.get(field).or_else(|| psc.get(field));
        let seccomp = merged("seccompProfile")
            .and_then(|p| p.get("type"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| self.legacy_seccomp(&name));
        let apparmor = merged("appArmorProfile")
            .and_then(|p| p.get("type"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| self.legacy_apparmor(&name));

        ContainerProfile {
            source: self.manifest.source(),
            resource: manifest_resource(self.manifest, Some(&name)),
            location: (!self.manifest.is_live()).then(|| manifest_location(self.manifest, pointer)),
            role,
            image: str_at(container, "/image").map(str::to_string),
            privileged: csc.get("privileged").and_then(Value::as_bool),
            allow_privilege_escalation: csc
                .get("allowPrivilegeEscalation")
                .and_then(Value::as_bool),
            run_as_user: merged("runAsUser").and_then(Value::as_i64),
            run_as_non_root: merged("runAsNonRoot").and_then(Value::as_bool),
            image_user: Setting::Unknown,
            read_only_root_fs: csc.get("readOnlyRootFilesystem").and_then(Value::as_bool),
            caps_add: strings_at(csc, "/capabilities/add"),
            caps_drop: strings_at(csc, "/capabilities/drop"),
            seccomp,
            apparmor,
            host_pid: bool_at(self.spec, "/hostPID"),
            host_ipc: bool_at(self.spec, "/hostIPC"),
            host_uts: false,
            host_user_namespace: false,
            host_network: bool_at(self.spec, "/hostNetwork"),
            host_ports: host_ports(container),
            host_mounts: self.host_mounts(container),
            memory_limit: scalar_at(container, "/resources/limits/memory"),
            cpu_limit: scalar_at(container, "/resources/limits/cpu"),
            pids_limit: Setting::Unknown,
            env: env_vars(container),
            liveness_probe: container.get("livenessProbe").is_some(),
            readiness_probe: container.get("readinessProbe").is_some(),
            namespace: self.manifest.namespace().map(str::to_string),
            service_account: str_at(self.spec, "/serviceAccountName")
                .or_else(|| str_at(self.spec, "/serviceAccount"))
                .map(str::to_string),
            automount_token: self
                .spec
                .get("automountServiceAccountToken")
                .and_then(Value::as_bool),
            workload: (
                self.manifest.kind().to_string(),
                self.manifest.name().to_string(),
            ),
            labels: self
                .template_meta
                .or_else(|| self.manifest.object().get("metadata"))
                .and_then(|m| m.get("labels"))
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            name,
        }
    }

    fn annotation(&self, key: &str) -> Option<String> {
        self.template_meta
            .or_else(|| self.manifest.object().get("metadata"))
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    fn legacy_seccomp(&self, container: &str) -> Option<String> {
        let value = self
            .annotation(&format!(
                "container.seccomp.security.alpha.kubernetes.io/{container}"
            ))
            .or_else(|| self.annotation("seccomp.security.alpha.kubernetes.io/pod"))?;
        Some(match value.as_str() {
            "runtime/default" | "docker/default" => "RuntimeDefault".to_string(),
            "unconfined" => "Unconfined".to_string(),
            _ => "Localhost".to_string(),
        })
    }

    fn legacy_apparmor(&self, container: &str) -> Option<String> {
        let value = self.annotation(&format!(
            "container.apparmor.security.beta.kubernetes.io/{container}"
        ))?;
        Some(match value.as_str() {
            "runtime/default" => "RuntimeDefault".to_string(),
            "unconfined" => "Unconfined".to_string(),
            _ => "Localhost".to_string(),
        })
    }

    fn host_mounts(&self, container: &Value) -> Vec<HostMount> {
        let volumes = self.spec.get("volumes").and_then(Value::as_array);
        let mounts = container.get("volumeMounts").and_then(Value::as_array);
        let mut out = Vec::new();
        for volume in volumes.into_iter().flatten() {
            let Some(host_path) = str_at(volume, "/hostPath/path") else {
                continue;
            };
            let volume_name = str_at(volume, "/name").unwrap_or("");
            let mount = mounts
                .into_iter()
                .flatten()
                .find(|m| str_at(m, "/name") == Some(volume_name));
            // A hostPath volume that this container does not mount is still visible to the
            // pod's other containers; judge it where it is mounted, or on every container
            // when nobody mounts it (the pod still asks the node for it).
            if mount.is_none() && self.any_container_mounts(volume_name) {
                continue;
            }
            out.push(HostMount {
                host_path: host_path.to_string(),
                container_path: mount
                    .and_then(|m| str_at(m, "/mountPath"))
                    .map(str::to_string),
                read_only: mount.is_some_and(|m| bool_at(m, "/readOnly")),
            });
        }
        out
    }

    fn any_container_mounts(&self, volume: &str) -> bool {
        ["containers", "initContainers", "ephemeralContainers"]
            .iter()
            .any(|list| {
                self.spec
                    .get(*list)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .any(|c| {
                        c.get("volumeMounts")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .any(|m| str_at(m, "/name") == Some(volume))
                    })
            })
    }
}

fn host_ports(container: &Value) -> Vec<i64> {
    container
        .get("ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("hostPort").and_then(Value::as_i64))
        .filter(|p| *p > 0)
        .collect()
}

fn env_vars(container: &Value) -> Vec<EnvVar> {
    container
        .get("env")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| EnvVar {
            name: str_at(e, "/name").unwrap_or("").to_string(),
            literal: scalar_at(e, "/value"),
            from_secret: e.pointer("/valueFrom/secretKeyRef").is_some(),
        })
        .collect()
}

fn str_at<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
    value.pointer(pointer).and_then(Value::as_str)
}

fn bool_at(value: &Value, pointer: &str) -> bool {
    value
        .pointer(pointer)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// A scalar as a string, whether YAML gave it as a string or a number.
fn scalar_at(value: &Value, pointer: &str) -> Option<String> {
    match value.pointer(pointer)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings_at(value: &Value, pointer: &str) -> Vec<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}
