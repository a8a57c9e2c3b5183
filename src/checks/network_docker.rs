//! Network checks of the Docker daemon and its containers (NET-008 to NET-010). Host
//! networking (NET-007) is judged for Docker containers through their profile.

use serde_json::Value;

use crate::checks::container::daemon::{judge_daemon, judge_docker_containers};
use crate::checks::{Check, Context, Evaluation, Snippet};
use crate::model::{Area, Severity, SourceKind};

const DOCKER: &[SourceKind] = &[SourceKind::Docker];

/// NET-008: published ports are bound to one interface and are not privileged ports.
pub static NET_008: Check = Check {
    id: "NET-008",
    area: Area::Network,
    severity: Severity::Medium,
    title: "Container port published on all interfaces or a privileged host port",
    why: "`-p 8080:80` binds the port on every interface of the host, so a service meant for \
          a reverse proxy or localhost is reachable from any network the host is on, and \
          Docker's own firewall rules put it ahead of the host's firewall. Host ports below \
          1024 are reserved for the host's own privileged services.",
    remediation: "Publish on the one address that needs the port (`-p 127.0.0.1:8080:80`), \
                  and use host ports from 1024 up.",
    snippet: Snippet {
        language: "shell",
        code: "docker run -p 127.0.0.1:8080:8080 image:1.2.3\n",
    },
    references: &[
        "CIS Docker 5.8",
        "CIS Docker 5.14",
        "Docker Bench 5.7",
        "Docker Bench 5.13",
    ],
    sources: DOCKER,
    differs_from: "Containers on the host network are judged by NET-007 instead.",
    evaluate: published_ports,
};

/// The `(host address, host port, container port)` bindings of a container.
fn port_bindings(inspect: &Value) -> Vec<(String, i64, String)> {
    let mut out = Vec::new();
    let Some(bindings) = inspect
        .pointer("/HostConfig/PortBindings")
        .and_then(Value::as_object)
    else {
        return out;
    };
    for (container_port, list) in bindings {
        for binding in list.as_array().into_iter().flatten() {
            let ip = binding.get("HostIp").and_then(Value::as_str).unwrap_or("");
            let port = binding
                .get("HostPort")
                .and_then(Value::as_str)
                .and_then(|p| p.trim().parse().ok())
                .unwrap_or(0);
            out.push((ip.to_string(), port, container_port.clone()));
        }
    }
    out
}

fn published_ports(cx: &Context<'_>) -> Evaluation {
    judge_docker_containers(cx, |inspect| {
        if inspect
            .pointer("/HostConfig/NetworkMode")
            .and_then(Value::as_str)
            == Some("host")
        {
            return None;
        }
        let mut problems = Vec::new();
        for (ip, port, target) in port_bindings(inspect) {
            let shown = if port == 0 {
                "a random port".to_string()
            } else {
                port.to_string()
            };
            if matches!(ip.as_str(), "" | "0.0.0.0" | "::") {
                problems.push(format!("{target} on all interfaces at {shown}"));
            } else if (1..1024).contains(&port) {
                problems.push(format!("{target} on privileged host port {ip}:{port}"));
            }
        }
        (!problems.is_empty()).then(|| {
            (
                "publishes ports on all interfaces or privileged host ports".to_string(),
                problems.join("; "),
            )
        })
    })
}

/// NET-009: the Docker API is not reachable over TCP without TLS.
pub static NET_009: Check = Check {
    id: "NET-009",
    area: Area::Network,
    severity: Severity::Critical,
    title: "Docker API reachable over TCP without TLS",
    why: "The Docker API is root on the host: whoever can reach a plain TCP socket can start \
          a privileged container with the host's disk mounted, without any password. Traffic \
          to it is also readable and forgeable on the way.",
    remediation: "Listen on the Unix socket only, or require TLS with client certificates \
                  (`tlsverify`); reach remote daemons over SSH (`DOCKER_HOST=ssh://host`).",
    snippet: Snippet {
        language: "json",
        code: "{\n  \"hosts\": [\"unix:///var/run/docker.sock\", \"tcp://0.0.0.0:2376\"],\n  \"tlsverify\": true,\n  \"tlscacert\": \"/etc/docker/ca.pem\",\n  \"tlscert\": \"/etc/docker/server-cert.pem\",\n  \"tlskey\": \"/etc/docker/server-key.pem\"\n}\n",
    },
    references: &["CIS Docker 2.7", "Docker Bench 2.6"],
    sources: DOCKER,
    differs_from: "Judged from the daemon's own warnings and from the address Rampart used; a \
                   TCP listener that neither shows cannot be seen.",
    evaluate: plain_tcp_api,
};

fn plain_tcp_api(cx: &Context<'_>) -> Evaluation {
    judge_daemon(cx, |docker, info| {
        let warned: Vec<&str> = info
            .get("Warnings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|w| w.contains("accessible on http://") || w.contains("without encryption"))
            .collect();
        let plain_client = !docker.tls
            && (docker.endpoint.starts_with("tcp://") || docker.endpoint.starts_with("http://"));
        if let Some(warning) = warned.first() {
            return Some((
                "serves its API over TCP without TLS".to_string(),
                crate::sanitize::one_line(warning),
            ));
        }
        plain_client.then(|| {
            (
                "was reached over TCP without TLS".to_string(),
                format!("DOCKER_HOST: {}", docker.endpoint),
            )
        })
    })
}

/// NET-010: containers on the default bridge cannot talk to each other freely.
pub static NET_010: Check = Check {
    id: "NET-010",
    area: Area::Network,
    severity: Severity::Low,
    title: "Inter-container traffic allowed on the default bridge",
    why: "On the default bridge every container can reach every other container's ports, so \
          one compromised container can probe and attack all the rest on the host. User \
          networks, or `icc` off, limit traffic to what is linked on purpose.",
    remediation: "Set `\"icc\": false` in daemon.json and put containers that must talk on a \
                  user-defined network of their own.",
    snippet: Snippet {
        language: "json",
        code: "{\n  \"icc\": false\n}\n",
    },
    references: &["CIS Docker 2.2", "Docker Bench 2.1"],
    sources: DOCKER,
    differs_from: "A daemon without a default bridge (`--bridge=none`) passes.",
    evaluate: bridge_icc,
};

fn bridge_icc(cx: &Context<'_>) -> Evaluation {
    judge_daemon(cx, |docker, _| {
        let bridge = docker.networks.iter().find(|n| {
            n.get("Name").and_then(Value::as_str) == Some("bridge")
                && n.get("Driver").and_then(Value::as_str) == Some("bridge")
        })?;
        let icc = bridge
            .pointer("/Options/com.docker.network.bridge.enable_icc")
            .and_then(Value::as_str)
            .unwrap_or("true");
        (icc != "false").then(|| {
            (
                "lets containers on the default bridge reach each other".to_string(),
                format!("com.docker.network.bridge.enable_icc: {icc}"),
            )
        })
    })
}
