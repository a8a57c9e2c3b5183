//! Checks of how containers run (CTR-010 onwards), judged on the normalised
//! [`ContainerProfile`] so one rule serves manifests, live workloads and Docker alike.
//!
//! Init and ephemeral containers run with the same kernel and host access as the main
//! containers, so every rule judges them too unless its documentation says otherwise.

use crate::checks::container::{image_pin, judge_containers, judge_containers_where};
use crate::checks::profile::{ContainerProfile, ContainerRole, HostMount, Setting};
use crate::checks::{Check, Context, Evaluation, Snippet};
use crate::model::{Area, Severity, SourceKind};

/// Evidence in the words of the container's source: the Kubernetes field for manifests
/// and live workloads, the Docker inspect field (or `docker run` flag) for Docker.
fn field(c: &ContainerProfile, kubernetes: &str, docker: &str) -> String {
    if c.source == SourceKind::Docker {
        docker.to_string()
    } else {
        kubernetes.to_string()
    }
}

/// Sources that can show a container's runtime settings.
const RUNTIME_SOURCES: &[SourceKind] = &[SourceKind::Files, SourceKind::Kube, SourceKind::Docker];

/// CTR-010: no container runs privileged.
pub static CTR_010: Check = Check {
    id: "CTR-010",
    area: Area::Containers,
    severity: Severity::Critical,
    title: "Container runs privileged",
    why: "A privileged container gets every capability and every device of the host and is \
          not confined by seccomp or AppArmor. Anyone who controls the process controls the \
          node: mounting the host's disk or loading a kernel module is one command away.",
    remediation: "Remove `privileged: true`. If the workload needs one specific power, grant \
                  that capability alone and drop the rest.",
    snippet: Snippet {
        language: "yaml",
        code: "securityContext:\n  privileged: false\n  allowPrivilegeEscalation: false\n  capabilities:\n    drop: [\"ALL\"]\n    # add: [\"NET_BIND_SERVICE\"]  # only what the process needs\n",
    },
    references: &[
        "CIS Docker 5.5",
        "Polaris runAsPrivileged",
        "kubescape C-0057",
        "KSV-0017",
        "CKV_K8S_16",
    ],
    sources: RUNTIME_SOURCES,
    differs_from: "Agrees with checkov CKV_K8S_16 on the fixtures, including the privileged init \
                   container, and on the sample project. checkov does not read ephemeral \
                   containers, so it passed a pod whose debug container is privileged; Rampart \
                   judges them, since they appear in pods read from a live cluster.",
    evaluate: privileged_containers,
};

fn privileged_containers(cx: &Context<'_>) -> Evaluation {
    judge_containers(cx, |c| {
        (c.privileged == Some(true)).then(|| {
            (
                "runs privileged".to_string(),
                field(
                    c,
                    "securityContext.privileged: true",
                    "HostConfig.Privileged: true",
                ),
            )
        })
    })
}

/// CTR-011: no container may run as root.
pub static CTR_011: Check = Check {
    id: "CTR-011",
    area: Area::Containers,
    severity: Severity::High,
    title: "Container may run as root",
    why: "Unless the runtime is told to refuse root, the user comes from the image, and most \
          images default to root. A root process inside the container owns every file the \
          container can reach, including host mounts, and is one kernel bug away from root \
          on the node.",
    remediation: "Set `runAsNonRoot: true` and a non-zero `runAsUser` in the pod's or the \
                  container's securityContext (for Docker, `--user 10001:10001`), and build \
                  the image with a numeric USER.",
    snippet: Snippet {
        language: "yaml",
        code: "securityContext:\n  runAsNonRoot: true\n  runAsUser: 10001\n  runAsGroup: 10001\n",
    },
    references: &[
        "CIS Docker 4.1",
        "Polaris runAsRootAllowed",
        "kubescape C-0013",
        "KSV-0012",
        "CKV_K8S_23",
    ],
    sources: RUNTIME_SOURCES,
    differs_from: "`runAsUser: 0` fails even when `runAsNonRoot: true` is also set: the kubelet \
                   would refuse to start the container, so the spec is wrong either way. checkov \
                   CKV_K8S_23 agrees on the fixtures and the sample project, but passed that \
                   combination on an init container.",
    evaluate: may_run_as_root,
};

fn may_run_as_root(cx: &Context<'_>) -> Evaluation {
    judge_containers(cx, root_problem)
}

/// Why a container may run as root, or `None` when something guarantees it does not.
fn root_problem(c: &ContainerProfile) -> Option<(String, String)> {
    if c.run_as_user == Some(0) {
        return Some((
            "runs as UID 0".into(),
            field(c, "runAsUser: 0", "Config.User: 0"),
        ));
    }
    if c.run_as_non_root == Some(true) || c.run_as_user.is_some_and(|u| u > 0) {
        return None;
    }
    match &c.image_user {
        Setting::Set(user) if !is_root_user(user) => None,
        Setting::Set(user) => Some((
            format!("runs as the image's user `{user}`"),
            field(c, &format!("user: {user}"), &format!("Config.User: {user}")),
        )),
        Setting::Unset => Some((
            "runs as root: neither the image nor the runtime names a user".into(),
            field(
                c,
                "no user set",
                "Config.User empty in the container and its image",
            ),
        )),
        Setting::Unknown => Some((
            "may run as root: neither `runAsNonRoot: true` nor a non-zero `runAsUser` is set"
                .into(),
            match c.run_as_non_root {
                Some(false) => "runAsNonRoot: false".into(),
                _ => "runAsNonRoot not set".into(),
            },
        )),
    }
}

fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or("").trim();
    name.is_empty() || name == "root" || name == "0"
}

/// CTR-012: no container may gain privileges beyond those it started with.
pub static CTR_012: Check = Check {
    id: "CTR-012",
    area: Area::Containers,
    severity: Severity::High,
    title: "Privilege escalation allowed",
    why: "While escalation is allowed, a setuid binary or file capability inside the container \
          can raise a process above the user and capabilities it was started with, which \
          undoes a non-root user. Kubernetes allows it unless told otherwise, and a privileged \
          container always allows it.",
    remediation: "Set `allowPrivilegeEscalation: false` on every container (for Docker, \
                  `--security-opt no-new-privileges`), and do not run it privileged.",
    snippet: Snippet {
        language: "yaml",
        code: "securityContext:\n  allowPrivilegeEscalation: false\n",
    },
    references: &[
        "CIS Docker 5.26",
        "Polaris privilegeEscalationAllowed",
        "kubescape C-0016",
        "KSV-0001",
        "CKV_K8S_20",
    ],
    sources: RUNTIME_SOURCES,
    differs_from: "A privileged container fails here even when it sets \
                   `allowPrivilegeEscalation: false`, because the privilege overrides it. checkov \
                   CKV_K8S_20 agrees on the fixtures, the sample project and init containers, but \
                   passed that privileged case and an ephemeral container that allows escalation, \
                   since it does not read ephemeral containers.",
    evaluate: escalation_allowed,
};

fn escalation_allowed(cx: &Context<'_>) -> Evaluation {
    judge_containers(cx, |c| {
        if c.privileged == Some(true) {
            return Some((
                "allows privilege escalation: it runs privileged".into(),
                field(c, "privileged: true", "HostConfig.Privileged: true"),
            ));
        }
        match c.allow_privilege_escalation {
            Some(false) => None,
            Some(true) => Some((
                "allows privilege escalation".into(),
                field(
                    c,
                    "allowPrivilegeEscalation: true",
                    "no-new-privileges not set",
                ),
            )),
            None => Some((
                "allows privilege escalation by default".into(),
                field(
                    c,
                    "allowPrivilegeEscalation not set",
                    "HostConfig.SecurityOpt lacks no-new-privileges",
                ),
            )),
        }
    })
}

/// Capabilities that amount to control of the node, its network or other processes.
///
/// `NET_RAW` is included when added explicitly: it lets a container forge packets on the
/// node's network (ARP and DNS spoofing), and the Kubernetes baseline policy does not allow
/// adding it. It being left in the default set is CTR-023's concern, not this one's.
pub const DANGEROUS_CAPABILITIES: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "DAC_READ_SEARCH",
    "NET_RAW",
    "BPF",
    "PERFMON",
    "SYS_RAWIO",
    "SYS_BOOT",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
];

/// A capability name as the kernel's list spells it: upper case, without `CAP_`.
pub fn normalise_capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map_or(upper.clone(), str::to_string)
}

/// CTR-013: no container adds a dangerous capability.
pub static CTR_013: Check = Check {
    id: "CTR-013",
    area: Area::Containers,
    severity: Severity::High,
    title: "Dangerous capability added",
    why: "Capabilities such as SYS_ADMIN, SYS_MODULE or SYS_PTRACE are most of root's power: \
          mounting file systems, loading kernel modules, reading other processes' memory. A \
          container that holds one can usually break out to the node; NET_ADMIN and NET_RAW \
          let it rewrite or spoof the node's traffic.",
    remediation: "Remove the capability from `capabilities.add` (for Docker, `--cap-add`). \
                  If the process needs one narrow power, grant that one, such as \
                  NET_BIND_SERVICE, and drop all others.",
    snippet: Snippet {
        language: "yaml",
        code: "securityContext:\n  capabilities:\n    drop: [\"ALL\"]\n    add: [\"NET_BIND_SERVICE\"]\n",
    },
    references: &[
        "CIS Docker 5.4",
        "Polaris dangerousCapabilities",
        "kubescape C-0046",
        "KSV-0022",
        "CKV_K8S_39",
    ],
    sources: RUNTIME_SOURCES,
    differs_from: "NET_RAW, BPF, PERFMON, SYS_RAWIO, SYS_BOOT and the MAC capabilities count as \
                   dangerous too; `CAP_` prefixes and lower case are normalised first. checkov \
                   CKV_K8S_39 looks only for SYS_ADMIN and missed `cap_sys_admin`, CKV_K8S_28 \
                   missed NET_RAW added back after dropping ALL, and CKV_K8S_25 fails any added \
                   capability, even NET_BIND_SERVICE and CHOWN (pass fixture), which are in the \
                   runtime's default set anyway.",
    evaluate: dangerous_capabilities,
};

fn dangerous_capabilities(cx: &Context<'_>) -> Evaluation {
    judge_containers(cx, |c| {
        let mut found: Vec<String> = c
            .caps_add
            .iter()
            .map(|cap| normalise_capability(cap))
            .filter(|cap| DANGEROUS_CAPABILITIES.contains(&cap.as_str()))
            .collect();
        found.sort();
        found.dedup();
        (!found.is_empty()).then(|| {
            (
                format!("adds {}", backticked(&found)),
                field(
                    c,
                    &format!("capabilities.add: [{}]", found.join(", ")),
                    &format!("HostConfig.CapAdd: [{}]", found.join(", ")),
                ),
            )
        })
    })
}

fn backticked(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// CTR-014: every container's root file system is read-only.
pub static CTR_014: Check = Check {
    id: "CTR-014",
    area: Area::Containers,
    severity: Severity::Medium,
    title: "Root filesystem writable",
    why: "A writable root file system lets an intruder drop tools, replace binaries or plant \
          persistence inside the running container, and lets a bug fill the node's disk. With \
          it read-only, whatever the application must write goes to volumes that are declared \
          and visible.",
    remediation: "Set `readOnlyRootFilesystem: true` (for Docker, `--read-only`) and mount an \
                  `emptyDir` or tmpfs at the few paths the application writes to.",
    snippet: Snippet {
        language: "yaml",
        code: "securityContext:\n  readOnlyRootFilesystem: true\nvolumeMounts:\n  - name: tmp\n    mountPath: /tmp\n# volumes: [{name: tmp, emptyDir: {}}]\n",
    },
    references: &[
        "CIS Docker 5.13",
        "Polaris notReadOnlyRootFilesystem",
        "kubescape C-0017",
        "KSV-0014",
        "CKV_K8S_22",
    ],
    sources: RUNTIME_SOURCES,
    differs_from: "Agrees with checkov CKV_K8S_22 on the fixtures, on a container that sets no \
                   securityContext, and on the sample project.",
    evaluate: writable_root_filesystem,
};

fn writable_root_filesystem(cx: &Context<'_>) -> Evaluation {
    judge_containers(cx, |c| match c.read_only_root_fs {
        Some(true) => None,
        Some(false) => Some((
            "has a writable root filesystem".into(),
            field(
                c,
                "readOnlyRootFilesystem: false",
                "HostConfig.ReadonlyRootfs: false",
            ),
        )),
        None => Some((
            "has a writable root filesystem by default".into(),
            field(
                c,
                "readOnlyRootFilesystem not set",
                "HostConfig.ReadonlyRootfs: false",
            ),
        )),
    })
}

/// CTR-015: every container runs under a seccomp profile and is not AppArmor-unconfined.
pub static CTR_015: Check = Check {
    id: "CTR-015",
    area: Area::Containers,
    severity: Severity::Medium,
    title: "Seccomp or AppArmor unconfined",
    why: "Seccomp blocks the rarely needed system calls through which most kernel exploits \
          reach the host, and AppArmor limits which files and mounts a process may touch. \
          Kubernetes runs pods without seccomp unless a profile is asked for, so a container \
          with no profile is as exposed as one marked Unconfined.",
    remediation: "Set `seccompProfile.type: RuntimeDefault` (or a Localhost profile) in the \
                  pod's securityContext, and do not set AppArmor to Unconfined. For Docker, \
                  do not pass `--security-opt seccomp=unconfined` or `apparmor=unconfined`.",
    snippet: Snippet {
        language: "yaml",
        code: "securityContext:\n  seccompProfile:\n    type: RuntimeDefault\n  appArmorProfile:\n    type: RuntimeDefault\n",
    },
    references: &[
        "CIS Docker 5.2",
        "CIS Docker 5.22",
        "CIS Kubernetes 5.7.2",
        "kubescape C-0210",
        "KSV-0104",
        "KSV-0002",
        "CKV_K8S_31",
    ],
    sources: RUNTIME_SOURCES,
    differs_from: "A missing seccomp profile fails, as Trivy KSV-0104 does, even though a kubelet \
                   with SeccompDefault enabled would apply RuntimeDefault: that setting is per \
                   node and cannot be seen from a manifest. checkov CKV_K8S_31 agrees on a pod \
                   with no profile and on the legacy annotation, but passed the fail fixture's \
                   container that sets seccomp `Unconfined` over the pod's RuntimeDefault and the \
                   one with AppArmor `Unconfined`; the container's own setting wins, so Rampart is \
                   right.",
    evaluate: unconfined_containers,
};

fn unconfined_containers(cx: &Context<'_>) -> Evaluation {
    judge_containers(cx, |c| {
        let unconfined = |p: &Option<String>| {
            p.as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("Unconfined"))
        };
        let mut problems = Vec::new();
        let mut evidence = Vec::new();
        match &c.seccomp {
            None => {
                problems.push("runs without a seccomp profile");
                evidence.push("seccompProfile not set".to_string());
            }
            p if unconfined(p) => {
                problems.push("runs seccomp-unconfined");
                evidence.push(field(
                    c,
                    "seccompProfile.type: Unconfined",
                    "HostConfig.SecurityOpt: seccomp=unconfined",
                ));
            }
            _ => {}
        }
        if unconfined(&c.apparmor) {
            problems.push("runs AppArmor-unconfined");
            evidence.push(field(
                c,
                "appArmorProfile.type: Unconfined",
                "AppArmor profile: unconfined",
            ));
        }
        (!problems.is_empty()).then(|| (problems.join(" and "), evidence.join("; ")))
    })
}

/// CTR-016: no container shares the host's process or IPC namespace.
pub static CTR_016: Check = Check {
    id: "CTR-016",
    area: Area::Containers,
    severity: Severity::High,
    title: "Host namespace shared",
    why: "Sharing the host's PID namespace lets a container see and signal every process on \
          the node and read their environment and memory; sharing IPC exposes the host's \
          shared memory segments. Either removes much of the isolation a container is for.",
    remediation: "Remove `hostPID: true` and `hostIPC: true` from the pod spec (for Docker, \
                  `--pid=host`, `--ipc=host`, `--uts=host` and `--userns=host`). Node agents \
                  that truly need them belong in a dedicated, tightly controlled namespace.",
    snippet: Snippet {
        language: "yaml",
        code: "spec:\n  hostPID: false\n  hostIPC: false\n",
    },
    references: &[
        "CIS Docker 5.16",
        "CIS Docker 5.17",
        "CIS Docker 5.21",
        "CIS Docker 5.31",
        "kubescape C-0038",
        "KSV-0008",
        "KSV-0010",
    ],
    sources: RUNTIME_SOURCES,
    differs_from: "Kubernetes' `hostUsers` default is not a finding; host networking is a network \
                   concern and is judged in the Network area. Agrees with checkov CKV_K8S_17 and \
                   CKV_K8S_18 on the fixtures and the sample project.",
    evaluate: host_namespaces,
};

fn host_namespaces(cx: &Context<'_>) -> Evaluation {
    judge_containers(cx, |c| {
        let shared: Vec<&str> = [
            (c.host_pid, "PID"),
            (c.host_ipc, "IPC"),
            (c.host_uts, "UTS"),
            (c.host_user_namespace, "user"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        (!shared.is_empty()).then(|| {
            (
                format!(
                    "shares the host's {} {}",
                    shared.join(" and "),
                    if shared.len() == 1 {
                        "namespace"
                    } else {
                        "namespaces"
                    }
                ),
                shared
                    .iter()
                    .map(|n| format!("host {n} namespace"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        })
    })
}

/// Which of CTR-017, CTR-018 and CTR-024 reports a host mount. Each mount is reported by
/// exactly one of them, the most severe that applies, so one mount is one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountClass {
    /// A container runtime's API socket, or a directory that holds one (CTR-017).
    RuntimeSocket,
    /// A host path that holds the node's configuration, kernel interfaces or secrets
    /// (CTR-018).
    Sensitive,
    /// Any other host path (CTR-024).
    Other,
}

/// Container runtime API sockets; whoever can reach one can start a privileged container.
const RUNTIME_SOCKETS: &[&str] = &[
    "/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/run/crio/crio.sock",
    "/run/podman/podman.sock",
    "/run/cri-dockerd.sock",
    "/run/dockershim.sock",
    "/run/k3s/containerd/containerd.sock",
];

/// Host directories whose contents (or anything below them) give away the node.
const SENSITIVE_PATHS: &[&str] = &[
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/root",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/kubelet",
    "/var/lib/etcd",
];

/// Classifies a host path. `/var/run` is a link to `/run` on every current distribution,
/// so both spellings are the same place.
pub fn classify_host_path(path: &str) -> MountClass {
    let path = normalise_host_path(path);
    let path = match path.strip_prefix("/var/run") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("/run{rest}"),
        _ => path,
    };
    let holds_socket =
        |socket: &&str| **socket == path || socket.starts_with(&format!("{path}/")) && path != "/";
    if RUNTIME_SOCKETS.iter().any(holds_socket) {
        return MountClass::RuntimeSocket;
    }
    let under = |dir: &&str| path == **dir || path.starts_with(&format!("{dir}/"));
    if path == "/" || SENSITIVE_PATHS.iter().any(under) {
        return MountClass::Sensitive;
    }
    MountClass::Other
}

/// Collapses `//`, `.` and `..` and drops a trailing slash; the result starts with `/`.
fn normalise_host_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.trim().split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Judges the host mounts of each container that fall in `class`; `what` names one such
/// mount and `many` several.
fn judge_mounts(cx: &Context<'_>, class: MountClass, (what, many): (&str, &str)) -> Evaluation {
    judge_containers(cx, |c| {
        let mounts: Vec<&HostMount> = c
            .host_mounts
            .iter()
            .filter(|m| classify_host_path(&m.host_path) == class)
            .collect();
        (!mounts.is_empty()).then(|| {
            let described: Vec<String> = mounts.iter().map(|m| describe_mount(m)).collect();
            let noun = if mounts.len() == 1 { what } else { many };
            (
                format!("mounts {noun}: {}", described.join(", ")),
                mounts
                    .iter()
                    .map(|m| field(c, "hostPath: ", "bind: ") + &m.host_path)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })
    })
}

fn describe_mount(mount: &HostMount) -> String {
    let at = mount
        .container_path
        .as_deref()
        .map(|p| format!(" at `{p}`"))
        .unwrap_or_default();
    let mode = if mount.read_only { " (read-only)" } else { "" };
    format!("`{}`{at}{mode}", mount.host_path)
}

/// CTR-017: no container can reach a container runtime's socket.
pub static CTR_017: Check = Check {
    id: "CTR-017",
    area: Area::Containers,
    severity: Severity::Critical,
    title: "Container runtime socket mounted",
    why: "The Docker, containerd, CRI-O or Podman socket is the runtime's full API: anything \
          that can write to it can start a privileged container with the host's root file \
          system mounted, which is root on the node. Mounting it read-only does not help, \
          since API calls are writes to the socket, not to a file.",
    remediation: "Remove the hostPath (for Docker, the `-v /var/run/docker.sock:…` bind). Build \
                  images with a daemonless builder such as rootless BuildKit or Kaniko, and let \
                  monitoring agents read container metrics from the kubelet instead.",
    snippet: Snippet {
        language: "yaml",
        code: "# Remove volumes like this one, and the volumeMounts that use them:\n# - name: docker-sock\n#   hostPath:\n#     path: /var/run/docker.sock\n",
    },
    references: &[
        "CIS Docker 5.32",
        "kubescape C-0074",
        "kube-linter docker-sock",
        "KSV-0023",
        "CKV_K8S_27",
    ],
    sources: RUNTIME_SOURCES,
    differs_from: "Mounting `/run` or `/var/run`, or a runtime's own directory, counts as mounting \
                   the socket inside it. checkov CKV_K8S_27 agrees on `/var/run/docker.sock` but \
                   passed `/run/containerd/` and `/var/run` mounted whole, which expose the same \
                   sockets.",
    evaluate: runtime_socket_mounts,
};

fn runtime_socket_mounts(cx: &Context<'_>) -> Evaluation {
    judge_mounts(
        cx,
        MountClass::RuntimeSocket,
        (
            "a container runtime socket or the directory holding it",
            "container runtime sockets or the directories holding them",
        ),
    )
}

/// CTR-018: no container mounts a sensitive host path.
pub static CTR_018: Check = Check {
    id: "CTR-018",
    area: Area::Containers,
    severity: Severity::High,
    title: "Sensitive host path mounted",
    why: "The node's /etc holds its credentials and configuration, /proc, /sys and /dev reach \
          straight into the kernel and devices, and the kubelet's and container runtime's \
          directories hold every pod's secrets and file systems. A container that mounts any \
          of them can read other workloads' secrets or take over the node.",
    remediation: "Remove the hostPath volume. Use a ConfigMap, Secret, projected volume or \
                  `emptyDir` for data the application needs; node agents that must read host \
                  state should mount the narrowest path, read-only.",
    snippet: Snippet {
        language: "yaml",
        code: "volumes:\n  - name: config\n    configMap:\n      name: app-config\n# instead of hostPath: {path: /etc}\n",
    },
    references: &["CIS Docker 5.6", "kubescape C-0048", "KSV-0023"],
    sources: RUNTIME_SOURCES,
    differs_from: "Each host mount is reported once: a runtime socket or its directory by CTR-017, \
                   these sensitive paths (and anything under them, and the root `/`) here, and any \
                   other host path by CTR-024. checkov 3.3.30 has no rule for sensitive host \
                   paths: it passed the fail fixture's `/etc`, `/var/lib/kubelet/pods` and `/` \
                   mounts.",
    evaluate: sensitive_host_mounts,
};

fn sensitive_host_mounts(cx: &Context<'_>) -> Evaluation {
    judge_mounts(
        cx,
        MountClass::Sensitive,
        ("a sensitive host path", "sensitive host paths"),
    )
}

/// CTR-019: every container has a memory and a CPU limit.
pub static CTR_019: Check = Check {
    id: "CTR-019",
    area: Area::Containers,
    severity: Severity::Medium,
    title: "No memory or CPU limit",
    why: "A container without limits can take all the memory or CPU of its node, whether \
          through a leak, a traffic spike or an attacker's denial of service, and starve \
          every other workload there, including the node's own agents.",
    remediation: "Set `resources.limits.memory` and `resources.limits.cpu` on every container \
                  (for Docker, `--memory`, `--cpus` and `--pids-limit`); a LimitRange can \
                  supply defaults for a namespace.",
    snippet: Snippet {
        language: "yaml",
        code: "resources:\n  requests:\n    cpu: 100m\n    memory: 128Mi\n  limits:\n    cpu: 500m\n    memory: 256Mi\n",
    },
    references: &[
        "CIS Docker 5.11",
        "CIS Docker 5.12",
        "CIS Docker 5.29",
        "kubescape C-0050",
        "KSV-0011",
        "KSV-0018",
        "CKV_K8S_11",
        "CKV_K8S_13",
    ],
    sources: RUNTIME_SOURCES,
    differs_from: "Ephemeral (debug) containers are not judged: Kubernetes does not allow \
                   resources on them. Agrees with checkov CKV_K8S_11 and CKV_K8S_13 on the \
                   fixtures, an init container without limits and the sample project; checkov's \
                   CKV_K8S_10 and CKV_K8S_12 also ask for requests, which Rampart does not.",
    evaluate: missing_limits,
};

fn missing_limits(cx: &Context<'_>) -> Evaluation {
    judge_containers_where(cx, |c| c.role != ContainerRole::Ephemeral, limits_problem)
}

/// Which limits a container lacks. The PIDs limit is judged only where the source can
/// show it (Docker); for Kubernetes it is a node setting and stays unknown.
fn limits_problem(c: &ContainerProfile) -> Option<(String, String)> {
    let missing: Vec<&str> = [
        (c.memory_limit.is_none(), "memory"),
        (c.cpu_limit.is_none(), "CPU"),
        (c.pids_limit == Setting::Unset, "PIDs"),
    ]
    .into_iter()
    .filter_map(|(gap, name)| gap.then_some(name))
    .collect();
    (!missing.is_empty()).then(|| {
        (
            format!("has no {} limit", missing.join(" or ")),
            field(
                c,
                &format!("limits lack {}", missing.join(" and ")),
                &format!("HostConfig sets no {} limit", missing.join(" or ")),
            ),
        )
    })
}

/// CTR-020: every container's image is pinned to a version or a digest.
pub static CTR_020: Check = Check {
    id: "CTR-020",
    area: Area::Containers,
    severity: Severity::Medium,
    title: "Image referenced by mutable tag",
    why: "An image named without a tag, or as `latest`, is whatever was pushed last: a restart \
          or a new node can silently run different code than was reviewed and tested, and a \
          rollback cannot return to a known version.",
    remediation: "Reference each image by a version tag, and preferably by digest \
                  (`image@sha256:…`) so the exact bytes are fixed; let a bot propose updates.",
    snippet: Snippet {
        language: "yaml",
        code: "containers:\n  - name: app\n    image: registry.example.com/app:1.4.2@sha256:<digest>\n",
    },
    references: &[
        "Polaris tagNotSpecified",
        "kubescape C-0075",
        "KSV-0013",
        "CKV_K8S_14",
        "CKV_K8S_43",
    ],
    sources: RUNTIME_SOURCES,
    differs_from: "Only `latest` and a missing tag fail; a version tag passes, though a digest is \
                   what the remediation recommends. checkov CKV_K8S_14 agrees, while CKV_K8S_43 \
                   fails every image without a digest, such as the sample project's `web:1.4.2`: \
                   stricter, since a version tag can be pushed again. checkov skipped the whole \
                   pass fixture because one image is a `{{ .Values }}` template; Rampart still \
                   judges the other containers.",
    evaluate: mutable_image_tags,
};

fn mutable_image_tags(cx: &Context<'_>) -> Evaluation {
    judge_containers(cx, |c| {
        let image = c.image.as_deref()?;
        // A templated reference (`{{ .Values.image }}`, `${IMAGE}`) is filled in at deploy
        // time; what it becomes cannot be judged here.
        if image.contains("{{") || image.contains('$') {
            return None;
        }
        let pin = image_pin(image);
        pin.is_floating().then(|| {
            (
                format!("image `{image}` {}", pin.describe()),
                format!("image: {image}"),
            )
        })
    })
}

/// CTR-023: every container drops all capabilities it does not add back.
pub static CTR_023: Check = Check {
    id: "CTR-023",
    area: Area::Containers,
    severity: Severity::Medium,
    title: "Capabilities not dropped",
    why: "Runtimes hand every container a default set of capabilities, including NET_RAW, \
          CHOWN, SETUID and DAC_OVERRIDE, that most applications never use. Each one left in \
          place widens what an intruder can do inside the container and the kernel surface \
          open to an escape.",
    remediation: "Drop ALL capabilities and add back only the few the process needs (for \
                  Docker, `--cap-drop ALL --cap-add …`).",
    snippet: Snippet {
        language: "yaml",
        code: "securityContext:\n  capabilities:\n    drop: [\"ALL\"]\n",
    },
    references: &[
        "CIS Docker 5.4",
        "Polaris insecureCapabilities",
        "KSV-0003",
        "KSV-0106",
        "CKV_K8S_28",
        "CKV_K8S_37",
    ],
    sources: RUNTIME_SOURCES,
    differs_from: "Only dropping ALL passes; dropping a list of named capabilities leaves any \
                   capability a runtime adds to its default set in the future. `CAP_ALL` \
                   fails: containerd drops nothing for it and Docker rejects it. Agrees with checkov \
                   CKV_K8S_37 on the fixtures and the sample project; CKV_K8S_28 asks only that \
                   NET_RAW be dropped, so it passed a container dropping NET_RAW and SYS_CHROOT by \
                   name.",
    evaluate: capabilities_not_dropped,
};

fn capabilities_not_dropped(cx: &Context<'_>) -> Evaluation {
    judge_containers(cx, |c| {
        // Only the word ALL drops everything: containerd prefixes every other name with
        // CAP_, so `CAP_ALL` becomes `CAP_CAP_ALL` and drops nothing, and Docker refuses it.
        let drops_all = c
            .caps_drop
            .iter()
            .any(|cap| cap.trim().eq_ignore_ascii_case("ALL"));
        (!drops_all).then(|| {
            let evidence = if c.caps_drop.is_empty() {
                field(c, "capabilities.drop not set", "HostConfig.CapDrop not set")
            } else {
                let list = c.caps_drop.join(", ");
                field(
                    c,
                    &format!("capabilities.drop: [{list}]"),
                    &format!("HostConfig.CapDrop: [{list}]"),
                )
            };
            ("keeps the runtime's default capabilities".into(), evidence)
        })
    })
}

/// CTR-024: no container mounts any other host path.
pub static CTR_024: Check = Check {
    id: "CTR-024",
    area: Area::Containers,
    severity: Severity::Medium,
    title: "Host path mounted",
    why: "A hostPath ties the pod to one node's disk and lets it read or change files the node \
          and other pods rely on; a writable one can plant files that a node process later \
          executes, and symlinks inside it can reach beyond the intended directory.",
    remediation: "Prefer a PersistentVolumeClaim, ConfigMap, Secret or `emptyDir`. If a host \
                  path is unavoidable, mount the narrowest directory, read-only, and restrict \
                  it by admission policy.",
    snippet: Snippet {
        language: "yaml",
        code: "volumes:\n  - name: data\n    persistentVolumeClaim:\n      claimName: app-data\n",
    },
    references: &[
        "Polaris hostPathSet",
        "KSV-0023",
        "kubescape C-0048",
        "CIS Docker 5.6",
    ],
    sources: RUNTIME_SOURCES,
    differs_from: "Host paths already reported by CTR-017 (runtime sockets) or CTR-018 (sensitive \
                   paths) are not reported again here. checkov 3.3.30 has no general hostPath \
                   rule: it passed the fail fixture's `/srv/data` and the sample project's \
                   `/var/log` mounts.",
    evaluate: other_host_mounts,
};

fn other_host_mounts(cx: &Context<'_>) -> Evaluation {
    judge_mounts(cx, MountClass::Other, ("a host path", "host paths"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_paths_are_classified_once() {
        use MountClass::*;
        assert_eq!(classify_host_path("/var/run/docker.sock"), RuntimeSocket);
        assert_eq!(classify_host_path("/run/containerd/"), RuntimeSocket);
        assert_eq!(classify_host_path("/var/run"), RuntimeSocket);
        assert_eq!(classify_host_path("/"), Sensitive);
        assert_eq!(classify_host_path("/etc/kubernetes/pki"), Sensitive);
        assert_eq!(classify_host_path("/var/lib/kubelet/pods"), Sensitive);
        assert_eq!(classify_host_path("/data/../etc"), Sensitive);
        assert_eq!(classify_host_path("/var/log"), Other);
        assert_eq!(classify_host_path("/etcetera"), Other);
    }

    #[test]
    fn capabilities_are_normalised() {
        assert_eq!(normalise_capability("cap_sys_admin"), "SYS_ADMIN");
        assert_eq!(normalise_capability(" NET_RAW "), "NET_RAW");
    }

    fn profile(container: serde_json::Value) -> ContainerProfile {
        let value = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [container]},
        });
        let manifest = crate::evidence::Manifest {
            doc: crate::evidence::YamlDocument {
                path: "pod.yaml".into(),
                document: 0,
                value,
                lines: std::collections::BTreeMap::new(),
            },
            list_item: None,
            origin: crate::evidence::Origin::File,
        };
        crate::checks::profile::from_manifest(&manifest).remove(0)
    }

    #[test]
    fn pids_limit_is_judged_only_where_a_source_states_it() {
        let mut c = profile(serde_json::json!({
            "name": "app",
            "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
        }));
        assert_eq!(limits_problem(&c), None);
        c.pids_limit = Setting::Unset;
        let (message, _) = limits_problem(&c).unwrap();
        assert_eq!(message, "has no PIDs limit");
    }

    #[test]
    fn root_is_judged_on_the_image_user_when_known() {
        let mut c = profile(serde_json::json!({"name": "app"}));
        assert!(root_problem(&c).unwrap().0.starts_with("may run as root"));
        c.image_user = Setting::Set("10001".into());
        assert_eq!(root_problem(&c), None);
        c.image_user = Setting::Set("root".into());
        assert!(root_problem(&c).is_some());
        c.run_as_user = Some(1000);
        assert_eq!(root_problem(&c), None);
    }
}
