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

/// The profile of a Docker container from its inspect data and, when it was read, its
/// image's inspect data.
///
/// Docker merges the image's configuration (user, environment, health check) into the
/// container's `Config` when the container is created, so `Config` is what runs; the
/// image is consulted only where the container's own field is empty.
pub fn from_docker(inspect: &Value, image_inspect: Option<&Value>) -> ContainerProfile {
    let host = inspect.get("HostConfig").unwrap_or(&Value::Null);
    let config = inspect.get("Config").unwrap_or(&Value::Null);
    let name = str_at(inspect, "/Name")
        .unwrap_or("?")
        .trim_start_matches('/')
        .to_string();
    let security_opts = strings_at(host, "/SecurityOpt");
    let mode_is_host = |field: &str| str_at(host, field) == Some("host");
    let (run_as_user, image_user) = docker_user(config, image_inspect);

    ContainerProfile {
        source: SourceKind::Docker,
        resource: docker_resource(inspect, &name),
        location: None,
        role: ContainerRole::Main,
        image: str_at(config, "/Image").map(str::to_string),
        privileged: Some(bool_at(host, "/Privileged")),
        allow_privilege_escalation: no_new_privileges(&security_opts).then_some(false),
        run_as_user,
        run_as_non_root: None,
        image_user,
        read_only_root_fs: Some(bool_at(host, "/ReadonlyRootfs")),
        caps_add: strings_at(host, "/CapAdd"),
        caps_drop: strings_at(host, "/CapDrop"),
        seccomp: Some(docker_seccomp(&security_opts)),
        apparmor: docker_apparmor(inspect, &security_opts),
        host_pid: mode_is_host("/PidMode"),
        host_ipc: mode_is_host("/IpcMode"),
        host_uts: mode_is_host("/UTSMode"),
        host_user_namespace: mode_is_host("/UsernsMode"),
        host_network: mode_is_host("/NetworkMode"),
        // Publishing ports is how Docker exposes any service, unlike a pod's hostPort; which
        // interface and port it binds is judged by NET-008 from the inspect data instead.
        host_ports: Vec::new(),
        host_mounts: docker_mounts(inspect),
        memory_limit: positive(host, "/Memory"),
        cpu_limit: positive(host, "/NanoCpus").or_else(|| positive(host, "/CpuQuota")),
        pids_limit: match host.pointer("/PidsLimit").and_then(Value::as_i64) {
            Some(limit) if limit > 0 => Setting::Set(limit),
            _ => Setting::Unset,
        },
        env: docker_env(config),
        liveness_probe: docker_healthcheck(config),
        readiness_probe: false,
        namespace: None,
        service_account: None,
        automount_token: None,
        workload: ("container".to_string(), name.clone()),
        labels: config
            .get("Labels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        name,
    }
}

/// How a person names a Docker container: `container web (3f2a9c1b7d4e, nginx:1.27)`.
pub fn docker_resource(inspect: &Value, name: &str) -> Resource {
    let id = str_at(inspect, "/Id").unwrap_or("");
    let short: String = id.chars().take(12).collect();
    let image = crate::sanitize::one_line(str_at(inspect, "/Config/Image").unwrap_or("?"));
    let name = crate::sanitize::one_line(name);
    Resource {
        // Named by the container's name, not its id, so a finding keeps its identity when
        // the container is recreated from the same definition.
        canonical: format!("docker/container/{name}"),
        part: None,
        display: format!("container {name} ({short}, {image})"),
    }
}

/// How a person names a Docker image, narrowed to a part such as `ENV API_TOKEN`:
/// `image shop/api:3.8, shop/api:latest (8d9001d32c6a)`, or `image 34fb46c847bb
/// (untagged)`.
pub fn docker_image_resource(inspect: &Value, part: Option<&str>) -> Resource {
    let id = str_at(inspect, "/Id").unwrap_or("");
    let short: String = id.trim_start_matches("sha256:").chars().take(12).collect();
    let mut tags: Vec<String> = strings_at(inspect, "/RepoTags")
        .iter()
        .filter(|t| t.as_str() != "<none>:<none>")
        .map(|t| crate::sanitize::one_line(t))
        .collect();
    tags.sort();
    // Named by its first tag, not its id, so a finding keeps its identity when the image
    // is rebuilt under the same tag; an untagged image has only its id.
    let (canonical, mut display) = match tags.first() {
        Some(tag) => (
            format!("docker/image/{tag}"),
            format!("image {} ({short})", tags.join(", ")),
        ),
        None => (
            format!("docker/image/sha256:{short}"),
            format!("image {short} (untagged)"),
        ),
    };
    if let Some(part) = part {
        display = format!("{display}, {part}");
    }
    Resource {
        canonical,
        part: part.map(str::to_string),
        display,
    }
}

/// The user a container runs as: a numeric UID when one is given, and the user's name as
/// the container (or, failing that, its image) declares it.
fn docker_user(config: &Value, image: Option<&Value>) -> (Option<i64>, Setting<String>) {
    let declared = str_at(config, "/User")
        .filter(|u| !u.trim().is_empty())
        .or_else(|| image.and_then(|i| str_at(i, "/Config/User")))
        .filter(|u| !u.trim().is_empty());
    match declared {
        Some(user) => {
            let uid = user.split(':').next().and_then(|u| u.trim().parse().ok());
            (uid, Setting::Set(user.to_string()))
        }
        None => (None, Setting::Unset),
    }
}

fn no_new_privileges(options: &[String]) -> bool {
    options.iter().any(|o| {
        let o = o.trim();
        o == "no-new-privileges"
            || o.eq_ignore_ascii_case("no-new-privileges:true")
            || o.eq_ignore_ascii_case("no-new-privileges=true")
    })
}

/// Docker applies its default seccomp profile unless told otherwise.
fn docker_seccomp(options: &[String]) -> String {
    match security_opt(options, "seccomp") {
        Some(v) if v.eq_ignore_ascii_case("unconfined") => "Unconfined".to_string(),
        Some(_) => "Localhost".to_string(),
        None => "RuntimeDefault".to_string(),
    }
}

fn docker_apparmor(inspect: &Value, options: &[String]) -> Option<String> {
    let profile = security_opt(options, "apparmor")
        .or_else(|| str_at(inspect, "/AppArmorProfile").filter(|p| !p.is_empty()))?;
    Some(match profile {
        p if p.eq_ignore_ascii_case("unconfined") => "Unconfined".to_string(),
        "docker-default" => "RuntimeDefault".to_string(),
        _ => "Localhost".to_string(),
    })
}

/// The value of `--security-opt key=value` (or the older `key:value`).
fn security_opt<'o>(options: &'o [String], key: &str) -> Option<&'o str> {
    options.iter().find_map(|o| {
        let rest = o.strip_prefix(key)?;
        rest.strip_prefix('=').or_else(|| rest.strip_prefix(':'))
    })
}

/// Bind mounts of host paths, from `Mounts`, or from `HostConfig.Binds` when the daemon
/// has not filled `Mounts` in.
fn docker_mounts(inspect: &Value) -> Vec<HostMount> {
    let mounts: Vec<HostMount> = inspect
        .get("Mounts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|m| str_at(m, "/Type") == Some("bind"))
        .filter_map(|m| {
            Some(HostMount {
                host_path: str_at(m, "/Source")?.to_string(),
                container_path: str_at(m, "/Destination").map(str::to_string),
                read_only: m.get("RW").and_then(Value::as_bool) == Some(false),
            })
        })
        .collect();
    if !mounts.is_empty() {
        return mounts;
    }
    strings_at(inspect, "/HostConfig/Binds")
        .iter()
        .filter(|b| b.starts_with('/'))
        .map(|bind| {
            let mut parts = bind.split(':');
            let host_path = parts.next().unwrap_or("").to_string();
            let container_path = parts.next().map(str::to_string);
            let read_only = parts
                .next()
                .is_some_and(|o| o.split(',').any(|f| f == "ro"));
            HostMount {
                host_path,
                container_path,
                read_only,
            }
        })
        .collect()
}

fn positive(value: &Value, pointer: &str) -> Option<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_i64)
        .filter(|n| *n > 0)
        .map(|n| n.to_string())
}

fn docker_env(config: &Value) -> Vec<EnvVar> {
    strings_at(config, "/Env")
        .into_iter()
        .map(|entry| match entry.split_once('=') {
            Some((name, value)) => EnvVar {
                name: name.to_string(),
                literal: Some(value.to_string()),
                from_secret: false,
            },
            None => EnvVar {
                name: entry,
                literal: None,
                from_secret: false,
            },
        })
        .collect()
}

fn docker_healthcheck(config: &Value) -> bool {
    let test = strings_at(config, "/Healthcheck/Test");
    !test.is_empty() && test.first().map(String::as_str) != Some("NONE")
}

/// The profiles of every container the docker source inspected.
pub fn from_docker_evidence(
    evidence: &crate::evidence::Evidence,
) -> impl Iterator<Item = ContainerProfile> + '_ {
    evidence.docker.iter().flat_map(|docker| {
        docker.containers.iter().map(|inspect| {
            let image = str_at(inspect, "/Image").and_then(|id| docker.image(id));
            from_docker(inspect, image)
        })
    })
}
