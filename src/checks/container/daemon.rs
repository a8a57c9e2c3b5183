//! Checks of the Docker daemon's own settings and of Docker-only container settings
//! (CTR-021, CTR-022, CTR-030 to CTR-034, MON-007), read from `GET /info`, `GET /version`
//! and container inspect data.

use serde_json::Value;
use time::{Date, Month, OffsetDateTime};

use crate::checks::profile::docker_resource;
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::DockerEvidence;
use crate::model::{Area, Resource, Severity, SourceKind};

const DOCKER: &[SourceKind] = &[SourceKind::Docker];

/// A Docker Engine release line, `(major, minor)`.
pub type ReleaseLine = (u32, u32);

/// When [`ENGINE_END_OF_LIFE`] was last brought up to date.
pub const ENGINE_TABLE_DATE: &str = "2026-12-01";

/// Docker Engine release lines and the day after which each gets no more fixes, as the
/// Moby project's branch status stood on [`ENGINE_TABLE_DATE`]. Dates err late, so a
/// version fails only once it is surely unmaintained; a line newer than every entry is
/// taken as maintained and one older than every entry as past its end. Add each new
/// release line here, and nowhere else.
pub const ENGINE_END_OF_LIFE: &[(ReleaseLine, (i32, Month, u8))] = &[
    ((20, 10), (2023, Month::December, 10)),
    ((23, 0), (2024, Month::June, 1)),
    ((24, 0), (2024, Month::July, 1)),
    ((25, 0), (2025, Month::January, 31)),
    ((26, 0), (2025, Month::March, 31)),
    ((26, 1), (2025, Month::March, 31)),
    ((27, 0), (2025, Month::June, 30)),
    ((27, 1), (2025, Month::June, 30)),
    ((27, 2), (2025, Month::June, 30)),
    ((27, 3), (2025, Month::June, 30)),
    ((27, 4), (2025, Month::June, 30)),
    ((27, 5), (2025, Month::June, 30)),
    ((28, 0), (2026, Month::February, 28)),
    ((28, 1), (2026, Month::February, 28)),
    ((28, 2), (2026, Month::February, 28)),
    ((28, 3), (2026, Month::February, 28)),
    ((28, 4), (2026, Month::February, 28)),
    ((28, 5), (2026, Month::February, 28)),
];

/// The docker evidence with the daemon's `info`, or why a daemon check cannot judge.
fn daemon_info<'e>(cx: &Context<'e>) -> Result<(&'e DockerEvidence, &'e Value), Evaluation> {
    let docker = cx
        .evidence
        .docker
        .as_ref()
        .ok_or_else(|| Evaluation::NotAssessed("the docker source was not read".to_string()))?;
    if docker.info.is_null() {
        return Err(Evaluation::NotAssessed(
            "the Docker daemon's settings (`GET /info`) could not be read".to_string(),
        ));
    }
    Ok((docker, &docker.info))
}

/// The identity of the daemon, the one resource daemon checks judge.
pub fn daemon_resource(docker: &DockerEvidence) -> Resource {
    Resource {
        canonical: "docker/daemon".to_string(),
        part: None,
        display: format!("Docker daemon at {}", docker.endpoint),
    }
}

/// Judges the daemon: one item, failing with `problem`'s message and evidence.
pub fn judge_daemon(
    cx: &Context<'_>,
    problem: impl Fn(&DockerEvidence, &Value) -> Option<(String, String)>,
) -> Evaluation {
    let (docker, info) = match daemon_info(cx) {
        Ok(found) => found,
        Err(evaluation) => return evaluation,
    };
    let findings = problem(docker, info)
        .map(|(message, evidence)| Draft {
            source: SourceKind::Docker,
            resource: daemon_resource(docker),
            location: None,
            message,
            evidence: Some(evidence),
            severity: None,
        })
        .into_iter()
        .collect();
    Evaluation::Judged {
        evaluated: 1,
        findings,
    }
}

/// Judges every inspected Docker container with `fails`.
pub fn judge_docker_containers(
    cx: &Context<'_>,
    fails: impl Fn(&Value) -> Option<(String, String)>,
) -> Evaluation {
    let containers: &[Value] = cx
        .evidence
        .docker
        .as_ref()
        .map_or(&[], |d| d.containers.as_slice());
    let findings = containers
        .iter()
        .filter_map(|inspect| {
            let (message, evidence) = fails(inspect)?;
            let name = container_name(inspect);
            Some(Draft {
                source: SourceKind::Docker,
                resource: docker_resource(inspect, &name),
                location: None,
                message: format!("container `{name}` {message}"),
                evidence: Some(evidence),
                severity: None,
            })
        })
        .collect();
    Evaluation::items(containers.len(), findings, "no Docker container was found")
}

/// A container's name without Docker's leading slash.
pub fn container_name(inspect: &Value) -> String {
    inspect
        .get("Name")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .trim_start_matches('/')
        .to_string()
}

fn security_options(info: &Value) -> Vec<&str> {
    info.get("SecurityOptions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Whether `info.SecurityOptions` names the option (`name=seccomp,profile=default`).
fn has_security_option(info: &Value, name: &str) -> bool {
    security_options(info)
        .iter()
        .any(|o| o.split(',').any(|part| part == format!("name={name}")))
}

/// CTR-021: no container gets host devices or shares mount propagation with the host.
pub static CTR_021: Check = Check {
    id: "CTR-021",
    area: Area::Containers,
    severity: Severity::High,
    title: "Host devices or shared mount propagation",
    why: "A host device passed into a container (`--device`) gives its processes direct \
          access to hardware or kernel interfaces such as disks, which is often enough to \
          read or change the host's file systems. A bind mount with shared propagation lets \
          mounts made inside the container appear on the host, and the reverse.",
    remediation: "Remove `--device` unless the workload truly drives that hardware, and then \
                  pass the narrowest device read-only (`:r`). Use private propagation \
                  (the default) on bind mounts.",
    snippet: Snippet {
        language: "shell",
        code: "docker run --mount type=bind,source=/srv/data,target=/data,readonly \\\n  --cap-drop ALL image:1.2.3   # no --device, no bind-propagation=shared\n",
    },
    references: &[
        "CIS Docker 5.18",
        "CIS Docker 5.20",
        "Docker Bench 5.17",
        "Docker Bench 5.19",
    ],
    sources: DOCKER,
    differs_from: "Device cgroup rules (`--device-cgroup-rule`) count as devices passed in.",
    evaluate: devices_and_propagation,
};

fn devices_and_propagation(cx: &Context<'_>) -> Evaluation {
    judge_docker_containers(cx, |inspect| {
        let mut problems = Vec::new();
        let devices: Vec<&str> = inspect
            .pointer("/HostConfig/Devices")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|d| d.get("PathOnHost").and_then(Value::as_str))
            .collect();
        if !devices.is_empty() {
            problems.push(format!("host devices {}", devices.join(", ")));
        }
        let rules = inspect
            .pointer("/HostConfig/DeviceCgroupRules")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if rules > 0 {
            problems.push(format!("{rules} device cgroup rule(s)"));
        }
        let shared: Vec<&str> = inspect
            .get("Mounts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|m| {
                let p = m.get("Propagation").and_then(Value::as_str).unwrap_or("");
                p == "shared" || p == "rshared"
            })
            .filter_map(|m| m.get("Destination").and_then(Value::as_str))
            .collect();
        if !shared.is_empty() {
            problems.push(format!("shared propagation on {}", shared.join(", ")));
        }
        (!problems.is_empty()).then(|| {
            (
                "gets host devices or shares mounts with the host".to_string(),
                problems.join("; "),
            )
        })
    })
}

/// CTR-022: no container restarts without bound.
pub static CTR_022: Check = Check {
    id: "CTR-022",
    area: Area::Containers,
    severity: Severity::Low,
    title: "Unbounded restart policy",
    why: "A container that restarts forever hides a crash loop, and one that an attacker can \
          crash on purpose keeps consuming the host's resources and retrying the exploit. \
          Bounding the retries makes a persistent failure visible.",
    remediation: "Use `--restart on-failure:5` (or leave restarts to an orchestrator) instead \
                  of `always`, `unless-stopped` or `on-failure` without a limit.",
    snippet: Snippet {
        language: "shell",
        code: "docker update --restart on-failure:5 CONTAINER\n",
    },
    references: &["CIS Docker 5.15", "Docker Bench 5.14"],
    sources: DOCKER,
    differs_from: "`always` and `unless-stopped` fail as CIS advises, although some teams use \
                   them for long-running services.",
    evaluate: unbounded_restarts,
};

fn unbounded_restarts(cx: &Context<'_>) -> Evaluation {
    judge_docker_containers(cx, |inspect| {
        let policy = inspect.pointer("/HostConfig/RestartPolicy");
        let name = policy
            .and_then(|p| p.get("Name"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let retries = policy
            .and_then(|p| p.get("MaximumRetryCount"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let unbounded = match name {
            "always" | "unless-stopped" => true,
            "on-failure" => retries <= 0 || retries > 5,
            _ => false,
        };
        unbounded.then(|| {
            (
                format!("restarts without bound (`{name}`)"),
                format!("RestartPolicy: {name}, MaximumRetryCount: {retries}"),
            )
        })
    })
}

/// CTR-030: the daemon remaps users or runs rootless.
pub static CTR_030: Check = Check {
    id: "CTR-030",
    area: Area::Containers,
    severity: Severity::Medium,
    title: "Daemon without user-namespace remapping and not rootless",
    why: "Without user-namespace remapping, root inside a container is root on the host: a \
          container escape, a writable host mount or a mounted socket hands over the \
          machine. Remapping or a rootless daemon turns that root into an unprivileged user \
          on the host.",
    remediation: "Run the daemon rootless, or enable `userns-remap` in daemon.json and restart \
                  the daemon.",
    snippet: Snippet {
        language: "json",
        code: "{\n  \"userns-remap\": \"default\"\n}\n",
    },
    references: &["CIS Docker 2.1", "CIS Docker 2.9", "Docker Bench 2.8"],
    sources: DOCKER,
    differs_from: "",
    evaluate: no_user_remapping,
};

fn no_user_remapping(cx: &Context<'_>) -> Evaluation {
    judge_daemon(cx, |_, info| {
        let isolated = has_security_option(info, "rootless") || has_security_option(info, "userns");
        (!isolated).then(|| {
            (
                "runs containers in the host's user namespace: neither rootless nor \
                 userns-remap"
                    .to_string(),
                format!("SecurityOptions: [{}]", security_options(info).join("; ")),
            )
        })
    })
}

/// CTR-031: the daemon applies a seccomp profile.
pub static CTR_031: Check = Check {
    id: "CTR-031",
    area: Area::Containers,
    severity: Severity::Medium,
    title: "Daemon seccomp profile not active",
    why: "Docker's default seccomp profile blocks about fifty rarely needed system calls \
          through which many kernel exploits reach the host. A daemon built without seccomp, \
          or told to use an unconfined profile, runs every container without that filter.",
    remediation: "Run a daemon built with seccomp support on a kernel that has it, and do not \
                  set `seccomp-profile` to `unconfined` in daemon.json.",
    snippet: Snippet {
        language: "json",
        code: "{\n  \"seccomp-profile\": \"builtin\"\n}\n",
    },
    references: &["CIS Docker 2.17", "Docker Bench 2.16"],
    sources: DOCKER,
    differs_from: "",
    evaluate: daemon_seccomp,
};

fn daemon_seccomp(cx: &Context<'_>) -> Evaluation {
    judge_daemon(cx, |_, info| {
        let seccomp = security_options(info)
            .into_iter()
            .find(|o| o.split(',').any(|p| p == "name=seccomp"));
        match seccomp {
            Some(option) if option.contains("profile=unconfined") => Some((
                "applies an unconfined seccomp profile to containers".to_string(),
                format!("SecurityOptions: {option}"),
            )),
            Some(_) => None,
            None => Some((
                "does not apply seccomp to containers".to_string(),
                "SecurityOptions lacks name=seccomp".to_string(),
            )),
        }
    })
}

/// CTR-032: the daemon trusts no insecure registry.
pub static CTR_032: Check = Check {
    id: "CTR-032",
    area: Area::Containers,
    severity: Severity::High,
    title: "Insecure registries configured",
    why: "An insecure registry is reached over plain HTTP or with certificate checks off, so \
          anyone on the path can serve a different image than the one asked for, and the \
          daemon will run it.",
    remediation: "Remove `insecure-registries` from daemon.json and give the registry a \
                  certificate the daemon trusts (`/etc/docker/certs.d/HOST/ca.crt`).",
    snippet: Snippet {
        language: "json",
        code: "{\n  \"insecure-registries\": []\n}\n",
    },
    references: &["CIS Docker 2.5", "Docker Bench 2.4"],
    sources: DOCKER,
    differs_from: "The built-in loopback ranges 127.0.0.0/8 and ::1/128 are not findings.",
    evaluate: insecure_registries,
};

fn insecure_registries(cx: &Context<'_>) -> Evaluation {
    judge_daemon(cx, |_, info| {
        let mut insecure: Vec<String> = info
            .pointer("/RegistryConfig/InsecureRegistryCIDRs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|c| !matches!(*c, "127.0.0.0/8" | "::1/128"))
            .map(str::to_string)
            .collect();
        if let Some(indexes) = info
            .pointer("/RegistryConfig/IndexConfigs")
            .and_then(Value::as_object)
        {
            insecure.extend(
                indexes
                    .iter()
                    .filter(|(_, c)| c.get("Secure").and_then(Value::as_bool) == Some(false))
                    .map(|(name, _)| name.clone()),
            );
        }
        (!insecure.is_empty()).then(|| {
            (
                format!("trusts insecure registries: {}", insecure.join(", ")),
                format!("insecure-registries: [{}]", insecure.join(", ")),
            )
        })
    })
}

/// CTR-033: live-restore on, experimental off, an authorization plugin in place.
pub static CTR_033: Check = Check {
    id: "CTR-033",
    area: Area::Containers,
    severity: Severity::Low,
    title: "Daemon hardening settings missing",
    why: "Without live-restore, upgrading or restarting the daemon stops every container; \
          experimental features are not meant for production and change without notice; \
          without an authorization plugin, anyone who can reach the socket may do anything.",
    remediation: "Set `live-restore: true`, leave `experimental` off, and add an \
                  authorization plugin (such as OPA's) where several people share the daemon.",
    snippet: Snippet {
        language: "json",
        code: "{\n  \"live-restore\": true,\n  \"experimental\": false,\n  \"authorization-plugins\": [\"opa-docker-authz\"]\n}\n",
    },
    references: &[
        "CIS Docker 2.12",
        "CIS Docker 2.15",
        "CIS Docker 2.18",
        "Docker Bench 2.11",
        "Docker Bench 2.14",
    ],
    sources: DOCKER,
    differs_from: "The three settings are one finding, listing what is missing.",
    evaluate: daemon_hardening,
};

fn daemon_hardening(cx: &Context<'_>) -> Evaluation {
    judge_daemon(cx, |_, info| {
        let mut missing = Vec::new();
        if info.get("LiveRestoreEnabled").and_then(Value::as_bool) != Some(true) {
            missing.push("live-restore is off");
        }
        if info.get("ExperimentalBuild").and_then(Value::as_bool) == Some(true) {
            missing.push("experimental features are on");
        }
        let authz = info
            .pointer("/Plugins/Authorization")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        if !authz {
            missing.push("no authorization plugin");
        }
        (!missing.is_empty()).then(|| (missing.join("; "), missing.join(", ")))
    })
}

/// CTR-034: the engine is a maintained release.
pub static CTR_034: Check = Check {
    id: "CTR-034",
    area: Area::Containers,
    severity: Severity::Medium,
    title: "Engine version past end of life",
    why: "An engine release line past its end of life gets no security fixes: container \
          escapes and daemon bugs found since then stay open on this host.",
    remediation: "Upgrade Docker Engine to a maintained release line and keep it patched.",
    snippet: Snippet {
        language: "shell",
        code: "docker version --format '{{.Server.Version}}'\nsudo apt-get install --only-upgrade docker-ce\n",
    },
    references: &["CIS Docker 1.2.2", "Docker Bench 1.2.2"],
    sources: DOCKER,
    differs_from: "End-of-life dates come from a table kept in Rampart and dated; they err late.",
    evaluate: engine_end_of_life,
};

/// The `(major, minor)` of a version such as `20.10.24+dfsg1` or `v28.0.1`.
pub fn release_line(version: &str) -> Option<(u32, u32)> {
    let mut parts = version
        .trim()
        .trim_start_matches('v')
        .split(['.', '-', '+']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// The end-of-life date of a release line, `None` while it is maintained.
pub fn end_of_life(line: (u32, u32)) -> Option<Date> {
    let date = |(y, m, d): (i32, Month, u8)| Date::from_calendar_date(y, m, d).ok();
    if let Some((_, eol)) = ENGINE_END_OF_LIFE.iter().find(|(l, _)| *l == line) {
        return date(*eol);
    }
    let (oldest, oldest_eol) = ENGINE_END_OF_LIFE.first()?;
    if line < *oldest {
        return date(*oldest_eol);
    }
    // A line between known ones (say 27.6) ends with the newest known line below it.
    let below = ENGINE_END_OF_LIFE.iter().rev().find(|(l, _)| *l < line)?;
    let newest = ENGINE_END_OF_LIFE.last()?;
    (line.0 <= newest.0.0).then(|| date(below.1)).flatten()
}

fn engine_end_of_life(cx: &Context<'_>) -> Evaluation {
    let clock: OffsetDateTime = cx.evidence.clock;
    judge_daemon(cx, |docker, info| {
        let version = docker
            .version
            .get("Version")
            .or_else(|| info.get("ServerVersion"))
            .and_then(Value::as_str)?;
        let eol = end_of_life(release_line(version)?)?;
        (eol < clock.date()).then(|| {
            (
                format!("runs Docker Engine {version}, whose release line ended on {eol}"),
                format!("ServerVersion: {version} (table of {ENGINE_TABLE_DATE})"),
            )
        })
    })
}

/// MON-007: container logs leave the host.
pub static MON_007: Check = Check {
    id: "MON-007",
    area: Area::Monitoring,
    severity: Severity::Low,
    title: "Docker logs stay on the local default driver",
    why: "With the `json-file` or `local` driver, container logs live only on this host: an \
          intruder who gets root here can erase them, and they are lost with the machine. \
          Shipping them to a central store keeps the record an investigation needs.",
    remediation: "Set a remote logging driver (syslog, journald with forwarding, fluentd, gelf, \
                  awslogs, splunk…) in daemon.json, or run a log shipper that forwards the \
                  local files.",
    snippet: Snippet {
        language: "json",
        code: "{\n  \"log-driver\": \"syslog\",\n  \"log-opts\": {\"syslog-address\": \"tcp+tls://logs.example.com:6514\"}\n}\n",
    },
    references: &["CIS Docker 2.13", "Docker Bench 2.12"],
    sources: DOCKER,
    differs_from: "A log shipper reading the json files cannot be seen from the daemon, so it \
                   does not make this check pass; suppress the finding when one is in place.",
    evaluate: local_logging,
};

fn local_logging(cx: &Context<'_>) -> Evaluation {
    judge_daemon(cx, |_, info| {
        let driver = info.get("LoggingDriver").and_then(Value::as_str)?;
        matches!(driver, "json-file" | "local" | "none").then(|| {
            (
                format!("keeps container logs on this host (`{driver}` driver)"),
                format!("LoggingDriver: {driver}"),
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_lines_and_their_end() {
        assert_eq!(release_line("20.10.24+dfsg1"), Some((20, 10)));
        assert_eq!(release_line("v28.0.1"), Some((28, 0)));
        assert!(end_of_life((20, 10)).is_some());
        assert!(end_of_life((19, 3)).is_some());
        assert!(end_of_life((27, 6)).is_some());
        assert_eq!(end_of_life((29, 1)), None);
        assert_eq!(end_of_life((35, 0)), None);
    }
}
