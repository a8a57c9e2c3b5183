//! Secrets checks (seed §4): credentials in files, images, pod specs, config maps and
//! workflows, and how a cluster stores and delivers its Secrets.
//!
//! Every check here reads evidence that was redacted at collection: it sees the kind,
//! length and keyed hash of a secret, or the `[redacted …]` marker left in its place, and
//! never the value itself.

use serde_json::Value;

use crate::checks::build::escape_pointer;
use crate::checks::container::judge_containers;
use crate::checks::context::{file_resource, manifest_location, manifest_resource};
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::{
    DockerInstruction, DockerStage, Dockerfile, FileRole, Manifest, SecretHit, YamlDocument,
};
use crate::model::{Area, Location, Resource, Severity, SourceKind};
use crate::secrets::{self, Confidence};

/// SEC-001: no credential is committed to the repository.
pub static SEC_001: Check = Check {
    id: "SEC-001",
    area: Area::Secrets,
    severity: Severity::Critical,
    title: "Credential committed to the repository",
    why: "Anything committed stays in the repository's history for good and travels with \
          every clone, fork, CI cache and backup. A cloud key or token found there must be \
          treated as known to strangers: automated scanners harvest public repositories \
          within minutes, and private ones leak through laptops and third-party tools.",
    remediation: "Revoke and rotate the credential first — deleting the line does not \
                  remove it from history. Then load it at run time from a secret manager or \
                  the CI platform's secret store, and add a pre-commit secret scanner.",
    snippet: Snippet {
        language: "shell",
        code: "# rotate the key at its issuer, then keep it out of the tree\necho '.env' >> .gitignore\ngit rm --cached .env\n# read it at run time instead\nexport DB_PASSWORD=\"$(cat /run/secrets/db-password)\"\n",
    },
    references: &["gitleaks", "trufflehog", "kubescape C-0012", "CWE-798"],
    sources: &[SourceKind::Files],
    differs_from: "One check carries both tiers: known formats are critical findings and \
                   generic high-entropy assignments are high ones, which say `generic` in \
                   their message; a generic hit alone neither costs critical points nor caps \
                   the grade at D. Generic hits in test and documentation files are not \
                   reported (known formats there are); gitleaks reports both everywhere. \
                   Files git does not track are not reported: they are not in the \
                   repository.",
    evaluate: committed_credentials,
};

fn committed_credentials(cx: &Context<'_>) -> Evaluation {
    let Some(files) = cx.evidence.files.as_ref() else {
        return Evaluation::NotApplicable("no files were scanned".to_string());
    };
    let findings = files
        .secrets
        .iter()
        .filter(|h| is_committed(h) && counts_in_role(h))
        .map(hit_draft)
        .collect();
    Evaluation::items(files.secrets_scanned, findings, "no text file was scanned")
}

/// A hit counts as committed when git tracks its file, or when there is no git to ask.
fn is_committed(hit: &SecretHit) -> bool {
    hit.tracked != Some(false)
}

/// Generic hits in tests and documentation are sample data far more often than not; a
/// known format is a usable credential wherever it sits.
fn counts_in_role(hit: &SecretHit) -> bool {
    hit.confidence == Confidence::Known || hit.role == FileRole::Code
}

fn hit_draft(hit: &SecretHit) -> Draft {
    let assigned = hit
        .name
        .as_deref()
        .map(|n| format!(" assigned to `{n}`"))
        .unwrap_or_default();
    let message = match hit.confidence {
        Confidence::Known => format!("a {}{assigned} is committed", hit.kind.replace('-', " ")),
        Confidence::Generic => format!(
            "generic: a random-looking value{assigned} ({} chars) is committed",
            hit.length
        ),
    };
    Draft {
        source: SourceKind::Files,
        resource: file_resource(&hit.path, Some(&format!("{} #{}", hit.kind, hit.hash))),
        location: Some(Location {
            path: hit.path.clone(),
            line: hit.line,
        }),
        message,
        evidence: Some(hit.excerpt.clone()),
        // A generic high-entropy value is likelier to be a false alarm than a known format:
        // it is graded high, as CHECKS.md says, under the same check.
        severity: (hit.confidence == Confidence::Generic).then_some(Severity::High),
    }
}

/// SEC-002: Dockerfiles and built images pass no secrets through `ENV`, `ARG` or literal
/// values.
pub static SEC_002: Check = Check {
    id: "SEC-002",
    area: Area::Secrets,
    severity: Severity::High,
    title: "Secret in an image ENV, ARG or history",
    why: "An ENV value is stored in the image configuration and shown by `docker inspect` to \
          anyone who can pull the image. A build argument is not stored as such, but every \
          RUN after it records its value in the image history. Either way the secret ships \
          with every copy of the image.",
    remediation: "Pass build-time secrets with BuildKit secret mounts, which never reach a \
                  layer or the history, and give run-time secrets to the container from the \
                  orchestrator's secret store.",
    snippet: Snippet {
        language: "dockerfile",
        code: "# syntax=docker/dockerfile:1\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \\\n    npm ci\n# docker build --secret id=npm_token,env=NPM_TOKEN .\n",
    },
    references: &["DS-0031", "DL3064", "CIS Docker 4.10"],
    sources: &[SourceKind::Files, SourceKind::Docker],
    differs_from: "A build argument with a secret-looking name fails even without a \
                   default value, as Trivy DS-0031 does: whatever value the build passes \
                   lands in the history. An ENV of a secret-looking name fails with any \
                   non-empty value, a copied argument (`ENV TOKEN=$TOKEN`) or a \
                   placeholder included, since the image keeps whatever it was built \
                   with. Built images from the Docker source are judged on what they \
                   actually hold: an ENV in the image configuration, or a build argument, \
                   ENV or known credential format recorded in the history, with a value \
                   that is not empty or a placeholder. A build argument declared but \
                   never given a value leaves nothing in an image and passes there.",
    evaluate: dockerfile_secrets,
};

fn dockerfile_secrets(cx: &Context<'_>) -> Evaluation {
    let (images, mut findings) = cx
        .evidence
        .docker
        .as_ref()
        .map_or((0, Vec::new()), crate::checks::image_secrets::judge);
    for dockerfile in cx.dockerfiles() {
        for (index, stage) in dockerfile.stages.iter().enumerate() {
            for instruction in &stage.instructions {
                for (part, message) in instruction_problems(instruction) {
                    findings.push(dockerfile_draft(
                        dockerfile,
                        stage,
                        index,
                        instruction,
                        &part,
                        message,
                    ));
                }
            }
        }
    }
    Evaluation::items(
        cx.dockerfiles().len() + images,
        findings,
        "no Dockerfile or Docker image was found",
    )
}

/// Every secret an instruction exposes, as a locator and a message.
fn instruction_problems(instruction: &DockerInstruction) -> Vec<(String, String)> {
    let keyword = instruction.keyword.as_str();
    let mut out = Vec::new();
    if matches!(keyword, "ENV" | "ARG") {
        for (name, value) in docker_assignments(keyword, &instruction.arguments) {
            if !secrets::is_secret_name(&name) {
                continue;
            }
            let message = if keyword == "ARG" {
                format!(
                    "build argument `{name}` looks secret; later RUN steps record its value in the image history"
                )
            } else if value
                .as_deref()
                .is_some_and(|v| !v.trim_matches(['"', '\'']).is_empty())
            {
                format!("ENV `{name}` bakes a secret into the image configuration")
            } else {
                continue;
            };
            out.push((format!("{keyword} {name}"), message));
        }
    }
    // A known credential format anywhere else in the file (a token in a RUN line, a key
    // in a heredoc) is in the image history too.
    let texts = std::iter::once(&instruction.arguments).chain(&instruction.heredocs);
    for kind in texts.flat_map(|t| secrets::redacted_kinds(t)) {
        if kind != secrets::GENERIC_KIND && !out.iter().any(|(p, _)| p.ends_with(&kind)) {
            out.push((
                format!("{keyword} {kind}"),
                format!("{keyword} holds a {}", kind.replace('-', " ")),
            ));
        }
    }
    out
}

fn dockerfile_draft(
    dockerfile: &Dockerfile,
    stage: &DockerStage,
    index: usize,
    instruction: &DockerInstruction,
    part: &str,
    message: String,
) -> Draft {
    let stage_name = stage.name.clone().unwrap_or_else(|| index.to_string());
    let part = format!("stage {stage_name}, {part}");
    Draft {
        source: SourceKind::Files,
        resource: file_resource(&dockerfile.path, Some(&part)),
        location: Some(Location {
            path: dockerfile.path.clone(),
            line: instruction.line,
        }),
        message,
        evidence: Some(secrets::redact_text(&format!(
            "{} {}",
            instruction.keyword, instruction.arguments
        ))),
        severity: None,
    }
}

/// The `NAME[=value]` pairs of an `ENV` or `ARG` instruction, with redactions kept whole.
fn docker_assignments(keyword: &str, arguments: &str) -> Vec<(String, Option<String>)> {
    let tokens = shell_words(arguments);
    // `ENV NAME value` is the legacy form: one variable, the rest of the line its value.
    if keyword == "ENV" && tokens.first().is_some_and(|t| !t.contains('=')) {
        let name = tokens[0].clone();
        let value = tokens[1..].join(" ");
        return vec![(name, Some(value))];
    }
    tokens
        .into_iter()
        .map(|t| match t.split_once('=') {
            Some((name, value)) => (name.to_string(), Some(value.to_string())),
            None => (t, None),
        })
        .collect()
}

/// Splits on whitespace outside quotes and outside `[redacted …]` markers, so a marker
/// stays one word; brackets inside quotes and quotes inside a marker are plain text.
pub(super) fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let (mut quote, mut bracket) = (None, 0usize);
    for c in text.chars() {
        match c {
            '"' | '\'' if quote.is_none() && bracket == 0 => quote = Some(c),
            c if Some(c) == quote => quote = None,
            '[' if quote.is_none() => bracket += 1,
            ']' if quote.is_none() => bracket = bracket.saturating_sub(1),
            _ => {}
        }
        if c.is_whitespace() && quote.is_none() && bracket == 0 {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// SEC-003: container specs take secrets from Secrets, not literal env values.
pub static SEC_003: Check = Check {
    id: "SEC-003",
    area: Area::Secrets,
    severity: Severity::High,
    title: "Literal secret in a container's environment",
    why: "A value written into a pod spec is stored in plain text in the manifest, in the \
          API server's etcd as part of the workload, and is readable by everyone who may \
          read Deployments or Pods — a far larger group than those who may read Secrets.",
    remediation: "Move the value into a Secret (or an external secret manager) and reference \
                  it, preferably as a mounted file.",
    snippet: Snippet {
        language: "yaml",
        code: "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db\n        key: password\n",
    },
    references: &["Polaris sensitiveContainerEnvVar", "kubescape C-0012"],
    sources: &[SourceKind::Files, SourceKind::Kube, SourceKind::Docker],
    differs_from: "Polaris flags a secret-looking name with any literal value; Rampart \
                   skips placeholders and references (`$(VAR)`, `changeme`, `<token>`) and \
                   also flags a known credential format under any name.",
    evaluate: literal_env_secrets,
};

fn literal_env_secrets(cx: &Context<'_>) -> Evaluation {
    judge_containers(cx, |c| {
        let names: Vec<&str> = c
            .env
            .iter()
            .filter(|e| e.literal.as_deref().is_some_and(secrets::is_redacted))
            .map(|e| e.name.as_str())
            .collect();
        (!names.is_empty()).then(|| {
            (
                format!("sets {} to a literal secret", backticked(&names)),
                format!("env: {}", names.join(", ")),
            )
        })
    })
}

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// SEC-004: no `ConfigMap` holds a secret.
pub static SEC_004: Check = Check {
    id: "SEC-004",
    area: Area::Secrets,
    severity: Severity::High,
    title: "Secret stored in a ConfigMap",
    why: "ConfigMaps are meant to be read widely: they are never encrypted at rest, are \
          readable by many roles and are printed by tooling without a second thought. A \
          password or key in one is exposed to all of them.",
    remediation: "Move the value into a Secret or an external secret manager and keep only \
                  non-sensitive settings in the ConfigMap.",
    snippet: Snippet {
        language: "yaml",
        code: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\n# created by your secret manager, not committed\n",
    },
    references: &["Polaris sensitiveConfigmapContent", "kubescape C-0012"],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "Embedded configuration files in a ConfigMap are read line by line, so \
                   `db.password=…` inside `application.properties` is found too.",
    evaluate: configmap_secrets,
};

fn configmap_secrets(cx: &Context<'_>) -> Evaluation {
    let configmaps: Vec<&Manifest> = cx.manifests().filter(|m| m.kind() == "ConfigMap").collect();
    let mut findings = Vec::new();
    for manifest in &configmaps {
        for field in ["data", "binaryData"] {
            let entries = manifest.object().get(field).and_then(Value::as_object);
            for (key, value) in entries.into_iter().flatten() {
                let text = value.as_str().unwrap_or("");
                let named = secrets::is_secret_name(key) && !secrets::is_placeholder(text);
                if named || secrets::is_redacted(text) {
                    let pointer = format!("/{field}/{}", escape_pointer(key));
                    findings.push(Draft {
                        source: SourceKind::Files,
                        resource: manifest_resource(manifest, None),
                        location: Some(manifest_location(manifest, &pointer)),
                        message: format!("`{field}.{key}` holds a secret"),
                        evidence: Some(format!("{key}: {}", first_redaction(text))),
                        severity: None,
                    });
                }
            }
        }
    }
    Evaluation::items(configmaps.len(), findings, "no ConfigMap was found")
}

/// The first redaction marker of a text, or a note that the value is literal.
fn first_redaction(text: &str) -> String {
    match (text.find("[redacted "), text.find(']')) {
        (Some(start), _) => {
            let end = text[start..]
                .find(']')
                .map_or(text.len(), |e| start + e + 1);
            text[start..end].to_string()
        }
        _ => "[literal value]".to_string(),
    }
}

/// SEC-005: Secrets reach containers as files, not environment variables.
pub static SEC_005: Check = Check {
    id: "SEC-005",
    area: Area::Secrets,
    severity: Severity::Low,
    title: "Secret passed as an environment variable",
    why: "Environment variables are inherited by every child process, dumped by crash \
          reporters and debug endpoints, and shown by `kubectl describe` and `docker \
          inspect`. A Secret mounted as a file stays readable by the process alone and can \
          be rotated without a restart.",
    remediation: "Mount the Secret as a read-only volume and let the application read the \
                  file; many libraries accept a `*_FILE` variable pointing at it.",
    snippet: Snippet {
        language: "yaml",
        code: "volumes:\n  - name: db\n    secret:\n      secretName: db\ncontainers:\n  - name: app\n    env:\n      - name: DB_PASSWORD_FILE\n        value: /run/secrets/db/password\n    volumeMounts:\n      - name: db\n        mountPath: /run/secrets/db\n        readOnly: true\n",
    },
    references: &["kubescape C-0207", "CIS Kubernetes 5.4.1", "CKV_K8S_35"],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "",
    evaluate: secrets_as_env,
};

fn secrets_as_env(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for manifest in cx.manifests() {
        for (pointer, container) in containers_of(manifest.object(), "") {
            evaluated += 1;
            let refs = secret_env_refs(container);
            if refs.is_empty() {
                continue;
            }
            let name = container.get("name").and_then(Value::as_str).unwrap_or("?");
            findings.push(Draft {
                source: SourceKind::Files,
                resource: manifest_resource(manifest, Some(name)),
                location: Some(manifest_location(manifest, &pointer)),
                message: format!(
                    "container `{name}` takes Secrets as environment variables: {}",
                    refs.join(", ")
                ),
                evidence: Some(refs.join(", ")),
                severity: None,
            });
        }
    }
    Evaluation::items(evaluated, findings, "no container spec was found")
}

/// Every container object of a workload, wherever its pod template sits, with its pointer.
fn containers_of<'v>(value: &'v Value, pointer: &str) -> Vec<(String, &'v Value)> {
    let mut out = Vec::new();
    let Value::Object(map) = value else {
        return out;
    };
    for (key, child) in map {
        let child_ptr = format!("{pointer}/{}", escape_pointer(key));
        let is_list = matches!(
            key.as_str(),
            "containers" | "initContainers" | "ephemeralContainers"
        );
        match child {
            Value::Array(items) if is_list => out.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (format!("{child_ptr}/{i}"), c)),
            ),
            Value::Object(_) => out.extend(containers_of(child, &child_ptr)),
            _ => {}
        }
    }
    out
}

/// `env` entries and `envFrom` sources that come from Secrets, described for a person.
fn secret_env_refs(container: &Value) -> Vec<String> {
    let env = container
        .get("env")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let from_env = env.filter_map(|e| {
        let secret = e.pointer("/valueFrom/secretKeyRef/name")?.as_str()?;
        let name = e.get("name").and_then(Value::as_str).unwrap_or("?");
        Some(format!("`{name}` from Secret `{secret}`"))
    });
    let env_from = container
        .get("envFrom")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let from_all = env_from.filter_map(|e| {
        let secret = e.pointer("/secretRef/name")?.as_str()?;
        Some(format!("every key of Secret `{secret}`"))
    });
    from_env.chain(from_all).collect()
}

/// SEC-006: a cluster fetches its secrets from an external secret manager.
pub static SEC_006: Check = Check {
    id: "SEC-006",
    area: Area::Secrets,
    severity: Severity::Medium,
    title: "No external secret manager",
    why: "Without a secret manager, Secrets are created by hand or from files kept next to \
          the manifests: nobody can tell who read or changed them, rotation is a manual \
          chore that gets skipped, and the values end up in repositories and CI logs.",
    remediation: "Install the Secrets Store CSI driver, External Secrets Operator or the \
                  Vault agent injector, and have workloads read their secrets from your \
                  cloud's secret manager or Vault.",
    snippet: Snippet {
        language: "yaml",
        code: "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: db\nspec:\n  secretStoreRef:\n    kind: ClusterSecretStore\n    name: aws-secrets-manager\n  target:\n    name: db\n  data:\n    - secretKey: password\n      remoteRef:\n        key: prod/db/password\n",
    },
    references: &["seed §4.1", "NSA/CISA Kubernetes Hardening Guide"],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "A SealedSecret is not counted: it keeps encrypted values in git rather \
                   than fetching them from a manager with access logs and rotation.",
    evaluate: external_secret_manager,
};

/// Kinds whose presence shows an external secret manager at work.
const SECRET_MANAGER_KINDS: &[&str] = &[
    "SecretProviderClass",
    "ExternalSecret",
    "ClusterExternalSecret",
    "SecretStore",
    "ClusterSecretStore",
    "VaultStaticSecret",
    "VaultDynamicSecret",
    "VaultPKISecret",
    "VaultAuth",
    "VaultConnection",
];

fn external_secret_manager(cx: &Context<'_>) -> Evaluation {
    if !cx.describes_cluster() {
        return Evaluation::NotApplicable(
            "the evidence describes an application, not a cluster".to_string(),
        );
    }
    let found = cx
        .manifests()
        .any(|m| SECRET_MANAGER_KINDS.contains(&m.kind()) || uses_secret_manager(m.object()));
    let findings = if found {
        Vec::new()
    } else {
        vec![Draft {
            source: SourceKind::Files,
            resource: cluster_resource(),
            location: None,
            message: "no Secrets Store CSI driver, External Secrets or Vault object or \
                      annotation was found"
                .to_string(),
            evidence: None,
            severity: None,
        }]
    };
    Evaluation::Judged {
        evaluated: 1,
        findings,
    }
}

/// Whether a workload reads secrets through the CSI driver or the Vault agent injector.
fn uses_secret_manager(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(key, child)| {
            (key == "vault.hashicorp.com/agent-inject" && child.as_str() == Some("true"))
                || (key == "driver" && child.as_str() == Some("secrets-store.csi.k8s.io"))
                || (key == "chart" && child.as_str().is_some_and(is_secret_manager_chart))
                || uses_secret_manager(child)
        }),
        Value::Array(items) => items.iter().any(uses_secret_manager),
        _ => false,
    }
}

/// Helm charts that install a secret manager, as a Flux `HelmRelease` or an Argo CD
/// `Application` names them.
fn is_secret_manager_chart(chart: &str) -> bool {
    let name = chart.rsplit('/').next().unwrap_or(chart);
    matches!(
        name,
        "external-secrets" | "secrets-store-csi-driver" | "vault" | "vault-secrets-operator"
    ) || name.starts_with("csi-secrets-store-provider")
}

fn cluster_resource() -> Resource {
    Resource {
        canonical: "files/cluster".to_string(),
        part: None,
        display: "the cluster described by the repository".to_string(),
    }
}

/// SEC-007: Secrets are encrypted at rest with a strong provider first.
pub static SEC_007: Check = Check {
    id: "SEC-007",
    area: Area::Secrets,
    severity: Severity::High,
    title: "Secrets not encrypted at rest, or weakly",
    why: "Without an encryption configuration the API server writes Secrets to etcd in \
          plain base64, so every etcd backup and every disk snapshot holds them readable. \
          Only the first provider listed encrypts new writes: `identity` first means no \
          encryption, and aescbc or aesgcm first means a weaker cipher than the cluster \
          could use.",
    remediation: "Give the API server an EncryptionConfiguration whose first provider for \
                  `secrets` is KMS v2 (or secretbox where no KMS is available), keep the old \
                  provider after it until every Secret is rewritten, then remove it.",
    snippet: Snippet {
        language: "yaml",
        code: "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [\"secrets\"]\n    providers:\n      - kms:\n          apiVersion: v2\n          name: cloud-kms\n          endpoint: unix:///var/run/kms-plugin/socket.sock\n      - identity: {}\n",
    },
    references: &["seed §4.2", "KCV-0030", "kubescape C-0066"],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "Provider strength follows the Kubernetes documentation: KMS v2 and \
                   secretbox pass, aesgcm (needs rotation every 200k writes), aescbc \
                   (padding-oracle weakness) and KMS v1 (deprecated) fail when first. On a \
                   live cluster Rampart reads the API server's flags: no \
                   `--encryption-provider-config` fails; the file it names sits on the \
                   node, so its providers are judged only when the repository holds it.",
    evaluate: encryption_at_rest,
};

fn encryption_at_rest(cx: &Context<'_>) -> Evaluation {
    if !cx.describes_cluster() {
        return Evaluation::NotApplicable(
            "the evidence describes an application, not a cluster".to_string(),
        );
    }
    let configs: Vec<&Manifest> = cx
        .manifests()
        .filter(|m| {
            m.kind() == "EncryptionConfiguration"
                && m.api_version().starts_with("apiserver.config.k8s.io/")
        })
        .collect();
    let mut findings: Vec<Draft> = configs
        .iter()
        .filter_map(|m| {
            let (pointer, problem) = encryption_problem(m.object())?;
            Some(Draft {
                source: SourceKind::Files,
                resource: manifest_resource(m, None),
                location: Some(manifest_location(m, &pointer)),
                message: problem,
                evidence: None,
                severity: None,
            })
        })
        .collect();
    let mut evaluated = configs.len();

    // A live cluster adds its API server: is it told to encrypt at all?
    let live = cx
        .evidence
        .kube
        .is_some()
        .then(|| crate::checks::control_plane::encryption_flag(cx));
    match live {
        Some(Ok(finding)) => {
            evaluated += 1;
            findings.extend(finding);
        }
        Some(Err(why)) if evaluated == 0 => {
            return Evaluation::NotAssessed(format!(
                "{why}, and the repository holds no EncryptionConfiguration"
            ));
        }
        Some(Err(_)) => {}
        None if evaluated == 0 => {
            return Evaluation::NotAssessed(
                "the repository describes a cluster but holds no EncryptionConfiguration, so \
                 whether the API server encrypts Secrets cannot be known"
                    .to_string(),
            );
        }
        None => {}
    }
    Evaluation::Judged {
        evaluated,
        findings,
    }
}

/// What is wrong with an `EncryptionConfiguration` for Secrets, with the node to point at.
fn encryption_problem(config: &Value) -> Option<(String, String)> {
    let entries = config.get("resources").and_then(Value::as_array);
    let covering = entries.into_iter().flatten().enumerate().find(|(_, e)| {
        e.get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|r| matches!(r, "secrets" | "*.*" | "*."))
    });
    let Some((index, entry)) = covering else {
        return Some((
            "/resources".to_string(),
            "no entry covers `secrets`, so Secrets are stored unencrypted".to_string(),
        ));
    };
    let providers: Vec<Provider> = entry
        .get("providers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(provider)
        .collect();
    let pointer = format!("/resources/{index}/providers/0");
    let first = providers.first()?;
    let strongest = providers.iter().max_by_key(|p| p.strength)?;
    let better = if strongest.strength > first.strength {
        format!(
            "; `{}` is listed later but only the first provider encrypts new writes",
            strongest.name
        )
    } else {
        String::new()
    };
    let weakness = match first.name {
        "identity" => "`identity` is first, so Secrets are written unencrypted",
        "aescbc" => {
            "`aescbc` is first, which Kubernetes no longer recommends (CBC padding-oracle weakness)"
        }
        "aesgcm" => {
            "`aesgcm` is first, which is safe only with automated key rotation every 200,000 writes"
        }
        "kms v1" => "KMS v1 is first, which is deprecated; move to KMS v2",
        _ => return None,
    };
    Some((pointer, format!("{weakness}{better}")))
}

struct Provider {
    name: &'static str,
    strength: u8,
}

/// A provider entry's name and strength, strongest highest.
fn provider(entry: &Value) -> Option<Provider> {
    let (name, strength) = if let Some(kms) = entry.get("kms") {
        if kms.get("apiVersion").and_then(Value::as_str) == Some("v2") {
            ("kms v2", 5)
        } else {
            ("kms v1", 2)
        }
    } else if entry.get("secretbox").is_some() {
        ("secretbox", 4)
    } else if entry.get("aesgcm").is_some() {
        ("aesgcm", 3)
    } else if entry.get("aescbc").is_some() {
        ("aescbc", 1)
    } else if entry.get("identity").is_some() {
        ("identity", 0)
    } else {
        return None;
    };
    Some(Provider { name, strength })
}

/// SEC-009: no long-lived service-account token Secrets.
pub static SEC_009: Check = Check {
    id: "SEC-009",
    area: Area::Secrets,
    severity: Severity::Medium,
    title: "Long-lived service-account token",
    why: "A token stored in a Secret of type `kubernetes.io/service-account-token` never \
          expires and is not bound to a pod; whoever copies it keeps the service account's \
          rights until the Secret is deleted. Projected tokens expire within hours and die \
          with their pod.",
    remediation: "Delete token Secrets and the `secrets:` lists of ServiceAccounts; let pods \
                  use projected tokens, and mint short-lived ones with `kubectl create \
                  token` where something outside the cluster needs access.",
    snippet: Snippet {
        language: "shell",
        code: "kubectl create token deploy-bot --duration=1h\n",
    },
    references: &["kubescape C-0261", "KEP-2799"],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "",
    evaluate: long_lived_tokens,
};

fn long_lived_tokens(cx: &Context<'_>) -> Evaluation {
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for manifest in cx.manifests() {
        let problem = match manifest.kind() {
            "ServiceAccount" => {
                evaluated += 1;
                let listed = manifest
                    .object()
                    .get("secrets")
                    .and_then(Value::as_array)
                    .is_some_and(|s| !s.is_empty());
                listed.then_some(("/secrets", "lists token Secrets under `secrets:`"))
            }
            "Secret" if is_token_secret(manifest) => {
                evaluated += 1;
                Some(("/type", "is a long-lived service-account token Secret"))
            }
            _ => None,
        };
        if let Some((pointer, message)) = problem {
            findings.push(Draft {
                source: SourceKind::Files,
                resource: manifest_resource(manifest, None),
                location: Some(manifest_location(manifest, pointer)),
                message: format!("{} `{}` {message}", manifest.kind(), manifest.name()),
                evidence: None,
                severity: None,
            });
        }
    }
    Evaluation::items(
        evaluated,
        findings,
        "no ServiceAccount or token Secret was found",
    )
}

fn is_token_secret(manifest: &Manifest) -> bool {
    manifest.object().get("type").and_then(Value::as_str)
        == Some("kubernetes.io/service-account-token")
}

/// SEC-010: workflows take credentials from `secrets.`, never literals.
pub static SEC_010: Check = Check {
    id: "SEC-010",
    area: Area::Secrets,
    severity: Severity::High,
    title: "Literal credential in a workflow",
    why: "A credential written into a workflow file is readable by everyone who can read the \
          repository, is copied into every fork, and is not masked in logs. GitHub's \
          encrypted secrets are masked, scoped to environments and can be rotated without \
          a commit.",
    remediation: "Revoke the credential, store a new one as a repository or environment \
                  secret and reference it with `${{ secrets.NAME }}` — or better, replace it \
                  with OIDC federation.",
    snippet: Snippet {
        language: "yaml",
        code: "env:\n  NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\nsteps:\n  - uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0\n    with:\n      username: ${{ vars.REGISTRY_USER }}\n      password: ${{ secrets.REGISTRY_TOKEN }}\n",
    },
    references: &["CKV_GHA", "gitleaks"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "",
    evaluate: workflow_literals,
};

fn workflow_literals(cx: &Context<'_>) -> Evaluation {
    let mut findings = Vec::new();
    for workflow in cx.workflows() {
        for (pointer, locator) in literal_credentials(&workflow.value) {
            findings.push(workflow_draft(workflow, &pointer, &locator));
        }
    }
    Evaluation::items(cx.workflows().len(), findings, "no workflow was found")
}

fn workflow_draft(workflow: &YamlDocument, pointer: &str, locator: &str) -> Draft {
    let value = workflow
        .value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("");
    Draft {
        source: SourceKind::Files,
        resource: file_resource(&workflow.path, Some(locator)),
        location: Some(Location {
            path: workflow.path.clone(),
            line: workflow.line_of(pointer),
        }),
        message: format!("`{locator}` is a literal credential, not a `secrets.` reference"),
        evidence: Some(first_redaction(value)),
        severity: None,
    }
}

/// The `env:`, `with:` and `secrets:` values of a workflow that hold a redacted literal,
/// as JSON pointers and dotted locators.
fn literal_credentials(workflow: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect_literals(workflow, "", "", &mut out);
    out
}

fn collect_literals(value: &Value, pointer: &str, locator: &str, out: &mut Vec<(String, String)>) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            for (i, item) in items.iter().enumerate() {
                collect_literals(
                    item,
                    &format!("{pointer}/{i}"),
                    &format!("{locator}[{i}]"),
                    out,
                );
            }
        }
        return;
    };
    for (key, child) in map {
        let child_ptr = format!("{pointer}/{}", escape_pointer(key));
        let child_loc = if locator.is_empty() {
            key.clone()
        } else {
            format!("{locator}.{key}")
        };
        let is_slot = matches!(key.as_str(), "env" | "with" | "secrets" | "credentials");
        match child {
            Value::Object(entries) if is_slot => {
                for (name, v) in entries {
                    let text = v.as_str().unwrap_or("");
                    if secrets::is_redacted(text) && !text.contains("${{") {
                        out.push((
                            format!("{child_ptr}/{}", escape_pointer(name)),
                            format!("{child_loc}.{name}"),
                        ));
                    }
                }
            }
            _ => collect_literals(child, &child_ptr, &child_loc, out),
        }
    }
}

/// SEC-011: no Secret manifest with plain values is committed.
pub static SEC_011: Check = Check {
    id: "SEC-011",
    area: Area::Secrets,
    severity: Severity::Critical,
    title: "Secret manifest committed in plain form",
    why: "The `data` of a Secret is base64, which is an encoding, not encryption: anyone \
          who can read the repository can read every value in it, and the history keeps \
          them after the file is changed.",
    remediation: "Rotate the values, remove the manifest, and commit an encrypted form \
                  instead — a SealedSecret, a SOPS-encrypted file — or an ExternalSecret that \
                  fetches the values from a secret manager.",
    snippet: Snippet {
        language: "shell",
        code: "sops --encrypt --encrypted-regex '^(data|stringData)$' secret.yaml > secret.enc.yaml\n# or\nkubeseal --format yaml < secret.yaml > sealed-secret.yaml\n",
    },
    references: &["kube-linter", "gitleaks", "seed §4"],
    sources: &[SourceKind::Files],
    differs_from: "Values that are template expressions or placeholders (`{{ .Values.x }}`, \
                   `${DB_PASSWORD}`, empty) do not fail, since such a manifest carries no \
                   secret; SOPS files are recognised by their `sops` block.",
    evaluate: committed_secret_manifests,
};

fn committed_secret_manifests(cx: &Context<'_>) -> Evaluation {
    let secrets_found: Vec<&Manifest> = cx
        .manifests()
        .filter(|m| m.kind() == "Secret" && m.api_version() == "v1")
        .collect();
    let findings = secrets_found
        .iter()
        .filter(|m| !is_sops(m.object()))
        .filter_map(|m| {
            let keys = literal_keys(m.object());
            (!keys.is_empty()).then(|| Draft {
                source: SourceKind::Files,
                resource: manifest_resource(m, None),
                location: Some(manifest_location(m, "")),
                message: format!(
                    "Secret `{}` is committed with plain values for {}",
                    m.name(),
                    backticked(&keys.iter().map(String::as_str).collect::<Vec<_>>())
                ),
                evidence: None,
                severity: None,
            })
        })
        .collect();
    Evaluation::items(
        secrets_found.len(),
        findings,
        "no Secret manifest was found",
    )
}

/// Whether a manifest was encrypted by SOPS, which adds a `sops` block with its MAC.
fn is_sops(object: &Value) -> bool {
    object
        .get("sops")
        .is_some_and(|s| s.get("mac").is_some() || s.get("version").is_some())
}

/// Keys of `data` and `stringData` whose values were literal (and so were redacted).
fn literal_keys(object: &Value) -> Vec<String> {
    ["data", "stringData"]
        .iter()
        .filter_map(|f| object.get(*f).and_then(Value::as_object))
        .flatten()
        .filter(|(_, v)| v.as_str().is_some_and(secrets::is_redacted))
        .map(|(k, _)| k.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn env_and_arg_forms_are_split() {
        assert_eq!(
            docker_assignments("ENV", "A=1 B=\"two words\""),
            vec![
                ("A".into(), Some("1".into())),
                ("B".into(), Some("\"two words\"".into()))
            ]
        );
        assert_eq!(
            docker_assignments("ENV", "TOKEN [redacted generic-secret, 9 chars, #abc]"),
            vec![(
                "TOKEN".into(),
                Some("[redacted generic-secret, 9 chars, #abc]".into())
            )]
        );
        assert_eq!(
            docker_assignments("ARG", "NPM_TOKEN"),
            vec![("NPM_TOKEN".into(), None)]
        );
    }

    #[test]
    fn provider_order_decides_encryption() {
        let config = |providers: Value| json!({"resources": [{"resources": ["secrets"], "providers": providers}]});
        let kms2 = json!({"kms": {"apiVersion": "v2", "name": "k"}});
        assert!(encryption_problem(&config(json!([kms2, {"identity": {}}]))).is_none());
        assert!(encryption_problem(&config(json!([{"secretbox": {}}]))).is_none());
        let (_, m) =
            encryption_problem(&config(json!([{"identity": {}}, {"aescbc": {}}]))).unwrap();
        assert!(m.contains("identity") && m.contains("aescbc"));
        assert!(encryption_problem(&config(json!([{"aesgcm": {}}]))).is_some());
        let uncovered =
            json!({"resources": [{"resources": ["configmaps"], "providers": [{"secretbox": {}}]}]});
        assert!(encryption_problem(&uncovered).is_some());
    }

    #[test]
    fn workflow_literals_are_found_in_env_and_with() {
        let wf = json!({"jobs": {"build": {"steps": [
            {"with": {"token": "[redacted generic-secret, 12 chars, #abc]", "ref": "main"}},
            {"env": {"TOKEN": "${{ secrets.T }}"}}
        ]}}});
        let found = literal_credentials(&wf);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, "jobs.build.steps[0].with.token");
    }
}
