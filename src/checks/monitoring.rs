//! Monitoring and incident response checks (seed §6).
//!
//! Cluster-wide controls — runtime detection, a metrics and alerting stack, log shipping —
//! are recognised by the components a repository deploys: `DaemonSets` and other workloads
//! by name and image, Helm releases by chart, and the custom objects their operators read.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

use crate::checks::context::{file_resource, manifest_location, manifest_resource};
use crate::checks::profile::ContainerRole;
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::{Manifest, TextFile};
use crate::model::{Area, Location, Resource, Severity, SourceKind};
use crate::sources::files::governance::falco_facts;

/// Kinds that run pods; their names and images say what they are.
pub const WORKLOAD_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Pod",
];

/// Kinds that install a Helm chart (Flux, Argo CD, the k3s/RKE2 Helm controller).
const CHART_KINDS: &[&str] = &["HelmRelease", "Application", "HelmChart"];

const NOT_A_CLUSTER: &str = "the repository holds no cluster-level objects (Namespaces, \
                             cluster roles, CRDs…), so a cluster-wide control is not its concern";

/// Governance files of one kind (`security-policy`, `codeowners`, …) found by the files
/// source.
pub fn text_files<'e>(cx: &Context<'e>, kind: &'e str) -> impl Iterator<Item = &'e TextFile> {
    cx.files()
        .into_iter()
        .flat_map(|f| f.text_files.iter())
        .filter(move |t| t.kind == kind)
}

/// The repository as a whole, for findings about something it lacks.
pub fn repository_resource(what: &str) -> Resource {
    Resource {
        canonical: "repository".to_string(),
        part: Some(what.to_string()),
        display: format!("the repository ({what})"),
    }
}

/// One failing item about something the repository lacks.
pub fn missing(what: &str, message: String) -> Draft {
    Draft {
        source: SourceKind::Files,
        resource: repository_resource(what),
        location: None,
        message,
        evidence: None,
        severity: None,
    }
}

/// Not assessed when the files source, the only one these checks read so far, is absent.
pub fn files_unread(cx: &Context<'_>) -> Option<Evaluation> {
    cx.files().is_none().then(|| {
        Evaluation::NotAssessed(
            "only repository files are read for this check so far, and the files source did \
             not run"
                .to_string(),
        )
    })
}

/// Where GitHub looks for a governance file: `.github/` first, then the root, then `docs/`;
/// it uses the first it finds, so that is the one to judge.
pub fn github_rank(file: &TextFile) -> u8 {
    match file.path.split_once('/') {
        Some((".github", _)) => 0,
        None => 1,
        Some(_) => 2,
    }
}

/// What to look for to recognise one kind of platform component.
struct Recognizer {
    /// Substrings of a name, image or chart (lower case).
    needles: &'static [&'static str],
    /// Substrings that disqualify a name (an exporter is not the stack it exports to).
    unless: &'static [&'static str],
    /// Custom objects by API group suffix and kind (`*` for any kind of the group).
    kinds: &'static [(&'static str, &'static str)],
    /// Plain workloads count only when they are `DaemonSets` (a node agent).
    daemonsets_only: bool,
}

impl Recognizer {
    /// The first component this recognizer matches, with what matched.
    fn find<'e>(&self, cx: &Context<'e>) -> Option<(&'e Manifest, String)> {
        cx.manifests()
            .find_map(|m| self.matches(m).map(|what| (m, what)))
    }

    fn matches(&self, manifest: &Manifest) -> Option<String> {
        let group = manifest.api_version().split('/').next().unwrap_or("");
        let kind = manifest.kind();
        let custom = self
            .kinds
            .iter()
            .any(|(g, k)| group.ends_with(g) && (*k == "*" || *k == kind));
        if custom {
            return Some(format!("{kind} {}", manifest.name()));
        }
        let is_workload = WORKLOAD_KINDS.contains(&kind);
        if !CHART_KINDS.contains(&kind) && !is_workload {
            return None;
        }
        if is_workload && self.daemonsets_only && kind != "DaemonSet" {
            return None;
        }
        component_names(manifest)
            .iter()
            .filter(|n| !self.unless.iter().any(|u| n.contains(u)))
            .find(|n| self.needles.iter().any(|needle| n.contains(needle)))
            .map(|n| format!("{kind} {} ({n})", manifest.name()))
    }
}

/// The lower-case names a workload or release goes by: its own, its images, its charts.
fn component_names(manifest: &Manifest) -> Vec<String> {
    let object = manifest.object();
    let mut names = vec![manifest.name().to_ascii_lowercase()];
    for pointer in [
        "/spec/chart/spec/chart",
        "/spec/chart",
        "/spec/source/chart",
    ] {
        if let Some(chart) = object.pointer(pointer).and_then(Value::as_str) {
            names.push(chart.to_ascii_lowercase());
        }
    }
    let sources = object.pointer("/spec/sources").and_then(Value::as_array);
    for source in sources.into_iter().flatten() {
        if let Some(chart) = source.get("chart").and_then(Value::as_str) {
            names.push(chart.to_ascii_lowercase());
        }
    }
    collect_images(object, &mut names, 0);
    names
}

/// Every `image:` string under a node; bounded in depth because manifests are input.
fn collect_images(value: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > 32 {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match child {
                    Value::String(image) if key == "image" => out.push(image.to_ascii_lowercase()),
                    _ => collect_images(child, out, depth + 1),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_images(i, out, depth + 1)),
        _ => {}
    }
}

/// One judged item about whether a cluster-wide control exists.
fn cluster_control(cx: &Context<'_>, found: bool, what: &str, message: &str) -> Evaluation {
    if !cx.describes_cluster() {
        return Evaluation::NotApplicable(NOT_A_CLUSTER.to_string());
    }
    let findings = if found {
        Vec::new()
    } else {
        vec![missing(what, message.to_string())]
    };
    Evaluation::items(1, findings, "")
}

/// Runtime sensors: Falco, Tetragon and Tracee, as node agents or through their objects.
const RUNTIME_SENSORS: Recognizer = Recognizer {
    needles: &["falco", "tetragon", "tracee"],
    unless: &["falcosidekick", "falco-exporter", "falco-talon"],
    kinds: &[
        ("falcosecurity.dev", "*"),
        ("falcosecurity.org", "*"),
        ("", "FalcoRule"),
        ("", "FalcoRules"),
        ("cilium.io", "TracingPolicy"),
        ("cilium.io", "TracingPolicyNamespaced"),
        ("tracee.aquasec.com", "*"),
    ],
    daemonsets_only: true,
};

/// MON-001: some runtime threat detection watches the cluster's nodes.
pub static MON_001: Check = Check {
    id: "MON-001",
    area: Area::Monitoring,
    severity: Severity::High,
    title: "No runtime threat detection",
    why: "Admission controls and image scans judge what is deployed, not what it does once \
          running. A runtime sensor sees the shell an attacker opens in a compromised pod, the \
          unexpected outbound connection and the read of a credentials file, while it \
          happens; without one, a breach is found from its consequences, weeks later.",
    remediation: "Run a runtime sensor on every node — Falco, Cilium Tetragon or Aqua Tracee — \
                  as a DaemonSet, and route its alerts to people who act on them.",
    snippet: Snippet {
        language: "shell",
        code: "helm repo add falcosecurity https://falcosecurity.github.io/charts\nhelm install falco falcosecurity/falco \\\n  --namespace falco --create-namespace \\\n  --set driver.kind=modern_ebpf \\\n  --set falcosidekick.enabled=true\n",
    },
    references: &[
        "seed §6.1",
        "NSA/CISA Kubernetes Hardening: threat detection",
    ],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "A Deployment alone (falcosidekick, an exporter) does not count: a sensor \
                   must run on every node, so only DaemonSets, Helm releases of the sensor, \
                   its custom objects or a Falco rules file show one.",
    evaluate: runtime_detection,
};

/// Whether runtime detection shows: a sensor component or visible Falco rules.
fn has_runtime_sensor(cx: &Context<'_>) -> bool {
    RUNTIME_SENSORS.find(cx).is_some() || !falco_rule_sets(cx).is_empty()
}

fn runtime_detection(cx: &Context<'_>) -> Evaluation {
    cluster_control(
        cx,
        has_runtime_sensor(cx),
        "runtime detection",
        "no runtime threat detection: no Falco, Tetragon or Tracee DaemonSet, Helm release, \
         policy object or rules file was found",
    )
}

/// MON-002: the runtime rules catch a shell in a container and reads of sensitive files.
pub static MON_002: Check = Check {
    id: "MON-002",
    area: Area::Monitoring,
    severity: Severity::Medium,
    title: "Runtime rules miss shells in containers or sensitive file reads",
    why: "A shell started inside a container and a read of /etc/shadow or similar files are \
          the two most common signs of hands-on intrusion. A runtime sensor whose rules were \
          trimmed or replaced without them watches everything except what matters most.",
    remediation: "Keep Falco's default rules loaded (`Terminal shell in container`, `Read \
                  sensitive file untrusted`), or write equivalent rules of your own.",
    snippet: Snippet {
        language: "yaml",
        code: "- rule: Shell spawned in a container\n  desc: An interactive shell started inside a container\n  condition: spawned_process and container and proc.name in (bash, sh, zsh, ash, dash)\n  output: Shell in container (user=%user.name container=%container.name cmd=%proc.cmdline)\n  priority: WARNING\n- rule: Sensitive file opened for reading\n  desc: A process read a credentials file\n  condition: open_read and container and fd.name in (/etc/shadow, /etc/sudoers, /etc/pam.conf)\n  output: Sensitive file read (file=%fd.name proc=%proc.name container=%container.name)\n  priority: WARNING\n",
    },
    references: &["seed §6.1", "Falco rule Terminal shell in container"],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "Only Falco rules are read so far; Tetragon and Tracee policies give \
                   not assessed. Rampart judges the rules files it can see and cannot know \
                   whether the default rules are also loaded.",
    evaluate: runtime_rules,
};

fn runtime_rules(cx: &Context<'_>) -> Evaluation {
    if !cx.describes_cluster() {
        return Evaluation::NotApplicable(NOT_A_CLUSTER.to_string());
    }
    let rule_sets = falco_rule_sets(cx);
    let Some((first, _)) = rule_sets.first() else {
        return rules_not_visible(cx);
    };

    let rules = FalcoRules::merge(rule_sets.iter().map(|(_, facts)| facts.as_ref()));
    let disabled = rules.disabled();
    let mut findings = Vec::new();
    for (part, caught, what) in [
        (
            "shells in containers",
            rules.catch(shell_in_container),
            "a shell started in a container",
        ),
        (
            "sensitive file reads",
            rules.catch(sensitive_read),
            "a read of sensitive files such as /etc/shadow",
        ),
    ] {
        if !caught {
            findings.push(Draft {
                source: SourceKind::Files,
                resource: file_resource(&first.path, Some(part)),
                location: Some(first.clone()),
                message: format!("no enabled rule of the repository's Falco rules catches {what}"),
                evidence: (!disabled.is_empty())
                    .then(|| format!("rules disabled here: {}", disabled.join(", "))),
                severity: None,
            });
        }
    }
    Evaluation::items(2, findings, "")
}

/// Why the runtime rules cannot be judged when none is in the repository.
fn rules_not_visible(cx: &Context<'_>) -> Evaluation {
    match RUNTIME_SENSORS.find(cx) {
        None => Evaluation::NotApplicable(
            "no runtime detection was found (MON-001 reports it)".to_string(),
        ),
        Some((m, what)) if what.contains("falco") || m.api_version().contains("falcosecurity") => {
            Evaluation::NotAssessed(format!(
                "Falco is deployed ({what}) but its rules are not in the repository; Falco's \
                 default rules do catch both shells in containers and sensitive file reads"
            ))
        }
        Some((_, what)) => Evaluation::NotAssessed(format!(
            "runtime detection is deployed ({what}), but only Falco rules are read so far"
        )),
    }
}

type Facts = BTreeMap<String, Value>;

/// Every visible Falco rule set with where it is: rules files, and rules carried inside
/// Kubernetes objects — a `Rulesfile`'s `inlineRules` (the Falco operator) or a `ConfigMap`
/// key named like a rules file (the Helm chart's custom rules).
fn falco_rule_sets<'e>(cx: &Context<'e>) -> Vec<(Location, std::borrow::Cow<'e, Facts>)> {
    let mut sets: Vec<(Location, std::borrow::Cow<'e, Facts>)> = text_files(cx, "falco-rules")
        .map(|t| {
            let location = Location {
                path: t.path.clone(),
                line: 1,
            };
            (location, std::borrow::Cow::Borrowed(&t.facts))
        })
        .collect();
    for manifest in cx.manifests() {
        for (pointer, text) in inline_rules(manifest) {
            // Malformed inline rules are left alone here: Falco would refuse them, and the
            // sensor check still sees the object.
            let Ok(facts) = falco_facts(&manifest.doc.path, text) else {
                continue;
            };
            let location = manifest_location(manifest, &pointer);
            sets.push((
                location,
                std::borrow::Cow::Owned(facts.into_iter().collect()),
            ));
        }
    }
    sets
}

/// The texts of Falco rules inside one object, with their pointers.
fn inline_rules(manifest: &Manifest) -> Vec<(String, &str)> {
    let object = manifest.object();
    match manifest.kind() {
        "Rulesfile" => object
            .pointer("/spec/inlineRules")
            .and_then(Value::as_str)
            .map(|t| vec![("/spec/inlineRules".to_string(), t)])
            .unwrap_or_default(),
        "ConfigMap" => {
            let falco_map = manifest.name().to_ascii_lowercase().contains("falco");
            let data = object.get("data").and_then(Value::as_object);
            data.into_iter()
                .flatten()
                .filter(|(key, _)| {
                    let key = key.to_ascii_lowercase();
                    let extension = std::path::Path::new(&key).extension();
                    let yaml = extension.is_some_and(|e| e == "yaml" || e == "yml");
                    yaml && key.contains("rules") && (falco_map || key.contains("falco"))
                })
                .filter_map(|(key, v)| {
                    let pointer = format!("/data/{}", crate::checks::build::escape_pointer(key));
                    v.as_str().map(|t| (pointer, t))
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Every rule, macro and list of the visible rule sets, merged by name the way Falco
/// appends same-named entries.
#[derive(Default)]
struct FalcoRules {
    rules: BTreeMap<String, (bool, String)>,
    macros: HashMap<String, String>,
    lists: HashMap<String, Vec<String>>,
}

impl FalcoRules {
    fn merge<'f>(sets: impl Iterator<Item = &'f Facts>) -> Self {
        let mut merged = FalcoRules::default();
        for facts in sets {
            for rule in entries(facts, "rules") {
                let entry = merged
                    .rules
                    .entry(str_of(rule, "name"))
                    .or_insert((true, String::new()));
                // A later entry with only `enabled:` switches a rule on or off.
                entry.0 = rule
                    .get("enabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(entry.0);
                entry.1.push(' ');
                entry.1.push_str(&str_of(rule, "condition"));
            }
            // Conditions are matched in lower case, so macro and list names are too.
            for mac in entries(facts, "macros") {
                let name = str_of(mac, "name").to_ascii_lowercase();
                let entry = merged.macros.entry(name).or_default();
                entry.push(' ');
                entry.push_str(&str_of(mac, "condition"));
            }
            for list in entries(facts, "lists") {
                let items = list
                    .get("items")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten();
                merged
                    .lists
                    .entry(str_of(list, "name").to_ascii_lowercase())
                    .or_default()
                    .extend(items.filter_map(Value::as_str).map(str::to_ascii_lowercase));
            }
        }
        merged
    }

    /// Names of the rules switched off.
    fn disabled(&self) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|(_, (enabled, _))| !enabled)
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// Whether any enabled rule's condition, with its macros and lists expanded, passes.
    fn catch(&self, test: fn(&HashSet<String>) -> bool) -> bool {
        self.rules
            .values()
            .filter(|(enabled, _)| *enabled)
            .any(|(_, condition)| test(&self.closure(condition)))
    }

    /// The words of a condition and of every macro and list it reaches.
    fn closure(&self, condition: &str) -> HashSet<String> {
        let mut seen = HashSet::new();
        let mut queue: Vec<String> = words(condition);
        while let Some(word) = queue.pop() {
            if !seen.insert(word.clone()) {
                continue;
            }
            if let Some(body) = self.macros.get(&word) {
                queue.extend(words(body));
            }
            if let Some(items) = self.lists.get(&word) {
                queue.extend(items.iter().cloned());
            }
        }
        seen
    }
}

fn entries<'t>(facts: &'t Facts, key: &str) -> impl Iterator<Item = &'t Value> {
    facts
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn str_of(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// The identifiers, paths and literals of a Falco condition.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || "_./-*".contains(c)))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

const SHELLS: &[&str] = &[
    "bash", "sh", "zsh", "ash", "dash", "ksh", "csh", "tcsh", "fish",
];

fn shell_in_container(words: &HashSet<String>) -> bool {
    let has = |w: &str| words.contains(w);
    let spawned = has("spawned_process") || (has("evt.type") && (has("execve") || has("execveat")));
    let in_container = has("container") || words.iter().any(|w| w.starts_with("container."));
    let shell = has("shell_procs") || has("shell_binaries") || SHELLS.iter().any(|s| has(s));
    spawned && in_container && shell
}

fn sensitive_read(words: &HashSet<String>) -> bool {
    let has = |w: &str| words.contains(w);
    let reads = has("open_read")
        || has("evt.is_open_read")
        || (has("evt.type") && ["open", "openat", "openat2"].iter().any(|s| has(s)));
    let sensitive = [
        "sensitive_files",
        "sensitive_file_names",
        "/etc/shadow",
        "/etc/sudoers",
    ]
    .iter()
    .any(|s| has(s));
    reads && sensitive
}

/// Metrics collection: Prometheus and its operator's objects, `VictoriaMetrics`, agents.
const METRICS: Recognizer = Recognizer {
    needles: &[
        "prometheus",
        "victoria-metrics",
        "vmagent",
        "vmsingle",
        "grafana-agent",
        "grafana/alloy",
        "datadog",
    ],
    unless: &["exporter", "adapter", "pushgateway"],
    kinds: &[
        ("monitoring.coreos.com", "Prometheus"),
        ("monitoring.coreos.com", "ServiceMonitor"),
        ("monitoring.coreos.com", "PodMonitor"),
        ("operator.victoriametrics.com", "VMAgent"),
        ("operator.victoriametrics.com", "VMSingle"),
        ("operator.victoriametrics.com", "VMCluster"),
    ],
    daemonsets_only: false,
};

/// Alerting: Alertmanager, alert rules, vmalert.
const ALERTING: Recognizer = Recognizer {
    needles: &[
        "alertmanager",
        "kube-prometheus-stack",
        "vmalert",
        "datadog",
    ],
    unless: &["exporter"],
    kinds: &[
        ("monitoring.coreos.com", "Alertmanager"),
        ("monitoring.coreos.com", "AlertmanagerConfig"),
        ("monitoring.coreos.com", "PrometheusRule"),
        ("operator.victoriametrics.com", "VMAlert"),
        ("operator.victoriametrics.com", "VMRule"),
    ],
    daemonsets_only: false,
};

/// MON-004: a metrics and alerting stack.
pub static MON_004: Check = Check {
    id: "MON-004",
    area: Area::Monitoring,
    severity: Severity::Medium,
    title: "No metrics and alerting stack",
    why: "Resource exhaustion, crash loops and sudden traffic spikes are often the first \
          visible trace of an attack (a cryptominer, a denial of service, data being copied \
          out). Metrics show them only if they are collected, and only reach a person if \
          something turns them into alerts.",
    remediation: "Deploy Prometheus with Alertmanager — kube-prometheus-stack installs both \
                  with sensible rules — and route alerts to an on-call channel.",
    snippet: Snippet {
        language: "shell",
        code: "helm repo add prometheus-community https://prometheus-community.github.io/helm-charts\nhelm install monitoring prometheus-community/kube-prometheus-stack \\\n  --namespace monitoring --create-namespace\n",
    },
    references: &["seed §6.2"],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "Exporters and adapters alone do not count: they feed a stack, they are \
                   not one.",
    evaluate: metrics_stack,
};

fn metrics_stack(cx: &Context<'_>) -> Evaluation {
    if !cx.describes_cluster() {
        return Evaluation::NotApplicable(NOT_A_CLUSTER.to_string());
    }
    let metrics = METRICS.find(cx).map(|(_, w)| w);
    let alerting = ALERTING.find(cx).map(|(_, w)| w);
    let message = match (&metrics, &alerting) {
        (Some(_), Some(_)) => return Evaluation::items(1, Vec::new(), ""),
        (None, None) => "no metrics and alerting stack: no Prometheus, Alertmanager or \
                         equivalent was found"
            .to_string(),
        (Some(m), None) => format!(
            "metrics are collected ({m}) but nothing alerts: no Alertmanager, PrometheusRule \
             or equivalent was found"
        ),
        (None, Some(a)) => format!("alerting ({a}) is configured but no metrics stack feeds it"),
    };
    Evaluation::items(1, vec![missing("metrics and alerting", message)], "")
}

/// Log shippers, as workloads, charts or operator objects.
const LOG_SHIPPERS: Recognizer = Recognizer {
    needles: &[
        "fluent-bit",
        "fluentbit",
        "fluentd",
        "timberio/vector",
        "vector",
        "promtail",
        "opentelemetry-collector",
        "otel-collector",
        "otelcol",
        "logstash",
        "filebeat",
        "alloy",
    ],
    unless: &["exporter"],
    kinds: &[
        ("fluentbit.fluent.io", "*"),
        ("fluentd.fluent.io", "*"),
        ("logging.banzaicloud.io", "*"),
        ("opentelemetry.io", "OpenTelemetryCollector"),
    ],
    daemonsets_only: false,
};

/// MON-005: logs leave the nodes.
pub static MON_005: Check = Check {
    id: "MON-005",
    area: Area::Monitoring,
    severity: Severity::Medium,
    title: "No log shipping",
    why: "Container logs live on the node and vanish when a pod is rescheduled or the node is \
          replaced — or when an intruder cleans up. Shipping them to central storage keeps \
          the record an investigation needs, out of the attacker's reach.",
    remediation: "Run a log shipper as a DaemonSet (Fluent Bit, Vector, Promtail or the \
                  OpenTelemetry Collector) and send logs to storage with a retention period.",
    snippet: Snippet {
        language: "shell",
        code: "helm repo add fluent https://fluent.github.io/helm-charts\nhelm install fluent-bit fluent/fluent-bit --namespace logging --create-namespace\n",
    },
    references: &["seed §6.2"],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "",
    evaluate: log_shipping,
};

fn log_shipping(cx: &Context<'_>) -> Evaluation {
    cluster_control(
        cx,
        LOG_SHIPPERS.find(cx).is_some(),
        "log shipping",
        "no log shipping: no Fluent Bit, Fluentd, Vector, Promtail, OpenTelemetry Collector, \
         Logstash or Filebeat was found",
    )
}

/// MON-006: long-running containers declare liveness and readiness probes.
pub static MON_006: Check = Check {
    id: "MON-006",
    area: Area::Monitoring,
    severity: Severity::Low,
    title: "Container without liveness or readiness probe",
    why: "Without a liveness probe a hung process keeps its pod and serves nothing; without a \
          readiness probe traffic reaches a container before it can answer. Probes are also \
          the cheapest health signal monitoring gets: an outage or a tampered container \
          shows up as failing probes.",
    remediation: "Give every long-running container a readiness probe and a liveness probe \
                  that check the application itself, with a start-up probe for slow starts.",
    snippet: Snippet {
        language: "yaml",
        code: "readinessProbe:\n  httpGet:\n    path: /ready\n    port: 8080\n  periodSeconds: 10\nlivenessProbe:\n  httpGet:\n    path: /healthz\n    port: 8080\n  initialDelaySeconds: 10\n  periodSeconds: 20\n",
    },
    references: &[
        "CKV_K8S_8",
        "CKV_K8S_9",
        "Polaris livenessProbeMissing",
        "CIS Docker 4.6",
    ],
    sources: &[SourceKind::Files, SourceKind::Kube, SourceKind::Docker],
    differs_from: "Init and ephemeral containers, Jobs and CronJobs are exempt: they run to \
                   completion, and Kubernetes ignores probes on init containers. A Docker \
                   container needs only a health check (its image's HEALTHCHECK or \
                   `--health-cmd`, not turned off with `--no-healthcheck`): Docker has no \
                   readiness probe. Dockerfile HEALTHCHECK is judged by CTR-003.",
    evaluate: probes,
};

fn probes(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    let long_running = cx.containers.iter().filter(|c| {
        c.role == ContainerRole::Main && !matches!(c.workload.0.as_str(), "Job" | "CronJob")
    });
    for c in long_running {
        evaluated += 1;
        let message = match (c.liveness_probe, c.readiness_probe) {
            // Docker's one health check is both signals; it has no readiness probe.
            (true, _) if c.source == SourceKind::Docker => continue,
            (false, _) if c.source == SourceKind::Docker => {
                "has no health check (HEALTHCHECK in its image, or --health-cmd)"
            }
            (true, true) => continue,
            (false, false) => "has neither a liveness nor a readiness probe",
            (false, true) => "has no liveness probe",
            (true, false) => "has no readiness probe",
        };
        findings.push(Draft {
            source: c.source,
            resource: c.resource.clone(),
            location: c.location.clone(),
            message: format!("container `{}` {message}", c.name),
            evidence: None,
            severity: None,
        });
    }
    Evaluation::items(
        evaluated,
        findings,
        "no long-running container spec was found",
    )
}

/// MON-008: an incident response plan covering the six phases.
pub static MON_008: Check = Check {
    id: "MON-008",
    area: Area::Monitoring,
    severity: Severity::Medium,
    title: "No incident response plan, or it misses phases",
    why: "During an incident there is no time to decide who leads, who may cut off access or \
          when to restore from backup. A written plan that walks through preparation, \
          detection, containment, eradication, recovery and lessons learned turns a panic \
          into a procedure; a plan that skips a phase leaves exactly that step improvised.",
    remediation: "Write docs/incident-response.md with one section per phase: who is on call \
                  and how to reach them, how incidents are detected and triaged, how to \
                  contain and eradicate, how to recover, and the post-incident review.",
    snippet: Snippet {
        language: "markdown",
        code: "# Incident response plan\n\n## Preparation\nOn-call rota, contacts, access to logs and break-glass accounts.\n\n## Detection and analysis\nAlert sources, severity levels, who triages.\n\n## Containment\nIsolate the workload (NetworkPolicy deny-all), revoke credentials.\n\n## Eradication\nRemove the cause; rebuild images from clean sources.\n\n## Recovery\nRestore from known-good state, watch for recurrence.\n\n## Lessons learned\nBlameless post-incident review within five working days.\n",
    },
    references: &["seed §6.2", "NIST SP 800-61"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "Documents named like incident-response*, *runbook*, IR-plan* or \
                   docs/incident* are read together: a plan split over several files covers \
                   the phases any of them names.",
    evaluate: incident_plan,
};

fn incident_plan(cx: &Context<'_>) -> Evaluation {
    if let Some(unread) = files_unread(cx) {
        return unread;
    }
    let documents: Vec<&TextFile> = text_files(cx, "incident-response").collect();
    let Some(first) = documents.first() else {
        let message = "no incident response plan: no incident-response, runbook or IR-plan \
                       document was found";
        return Evaluation::items(1, vec![missing("incident response", message.into())], "");
    };
    let covered: BTreeSet<&str> = documents
        .iter()
        .flat_map(|d| {
            d.facts
                .get("phases")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .filter_map(Value::as_str)
        .collect();
    let absent: Vec<&str> = crate::sources::files::governance::INCIDENT_PHASES
        .iter()
        .copied()
        .filter(|p| !covered.contains(p))
        .collect();
    let mut findings = Vec::new();
    if !absent.is_empty() {
        findings.push(Draft {
            source: SourceKind::Files,
            resource: file_resource(&first.path, None),
            location: Some(Location {
                path: first.path.clone(),
                line: 1,
            }),
            message: format!(
                "the incident response plan misses phases: {}",
                absent.join(", ")
            ),
            evidence: None,
            severity: None,
        });
    }
    Evaluation::items(1, findings, "")
}

/// MON-009: a security policy tells reporters where to go.
pub static MON_009: Check = Check {
    id: "MON-009",
    area: Area::Monitoring,
    severity: Severity::Medium,
    title: "No security policy",
    why: "Someone who finds a vulnerability needs to know how to report it privately. \
          Without a SECURITY.md they open a public issue, mail a random maintainer or give \
          up — and the flaw is either disclosed to everyone or never fixed.",
    remediation: "Add SECURITY.md (at the root, in .github/ or in docs/) saying which \
                  versions are supported and where to report: a private e-mail address or \
                  GitHub's private vulnerability reporting.",
    snippet: Snippet {
        language: "markdown",
        code: "# Security policy\n\n## Supported versions\nOnly the latest release receives security fixes.\n\n## Reporting a vulnerability\nDo not open a public issue. Report it privately through\nhttps://github.com/OWNER/REPO/security/advisories/new or to security@example.com.\nWe answer within three working days.\n",
    },
    references: &["Scorecard Security-Policy"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "A policy that names no e-mail address or link fails: it must say where \
                   to report. Private vulnerability reporting is judged when the github \
                   source ran.",
    evaluate: security_policy,
};

fn security_policy(cx: &Context<'_>) -> Evaluation {
    if let Some(unread) = files_unread(cx) {
        return unread;
    }
    // The github source adds one item: whether private vulnerability reporting is on.
    let reporting = crate::checks::github_settings::private_reporting_off(cx);
    let judged = 1 + usize::from(cx.evidence.github.is_some());
    let Some(policy) = text_files(cx, "security-policy").min_by_key(|f| github_rank(f)) else {
        let message = "no security policy: no SECURITY.md at the root, in .github/ or in docs/";
        let mut findings = vec![missing("security policy", message.into())];
        findings.extend(reporting);
        return Evaluation::items(judged, findings, "");
    };
    let fact = |key: &str| policy.facts.get(key);
    let problem = if fact("lines").and_then(Value::as_u64) == Some(0) {
        Some("is empty")
    } else if fact("has_contact").and_then(Value::as_bool) == Some(false) {
        Some("does not say where to report: it has no e-mail address or link")
    } else {
        None
    };
    let findings = problem
        .map(|p| Draft {
            source: SourceKind::Files,
            resource: file_resource(&policy.path, None),
            location: Some(Location {
                path: policy.path.clone(),
                line: 1,
            }),
            message: format!("the security policy {p}"),
            evidence: None,
            severity: None,
        })
        .into_iter()
        .chain(reporting)
        .collect();
    Evaluation::items(judged, findings, "")
}

/// A failing item about a whole object, located at its metadata.
pub fn object_draft(manifest: &Manifest, message: String) -> Draft {
    Draft {
        source: SourceKind::Files,
        resource: manifest_resource(manifest, None),
        location: Some(manifest_location(manifest, "/metadata")),
        message,
        evidence: None,
        severity: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(condition: &str) -> HashSet<String> {
        words(condition).into_iter().collect()
    }

    #[test]
    fn shells_in_containers_need_spawn_container_and_shell() {
        assert!(shell_in_container(&set(
            "spawned_process and container and shell_procs"
        )));
        assert!(shell_in_container(&set(
            "evt.type in (execve) and container.id != host and proc.name in (bash, sh)"
        )));
        assert!(!shell_in_container(&set("spawned_process and shell_procs")));
        assert!(!shell_in_container(&set(
            "spawned_process and container and proc.name=nginx"
        )));
    }

    #[test]
    fn sensitive_reads_need_a_read_and_a_sensitive_file() {
        assert!(sensitive_read(&set("open_read and sensitive_files")));
        assert!(sensitive_read(&set(
            "evt.type=openat and fd.name=\"/etc/shadow\""
        )));
        assert!(!sensitive_read(&set("open_write and sensitive_files")));
    }

    #[test]
    fn macros_and_lists_expand_without_looping() {
        let mut rules = FalcoRules::default();
        rules
            .macros
            .insert("a".into(), "b and spawned_process".into());
        rules.macros.insert("b".into(), "a and container".into());
        rules.lists.insert("shells".into(), vec!["bash".into()]);
        let words = rules.closure("a and proc.name in (shells)");
        assert!(shell_in_container(&words));
    }
}
