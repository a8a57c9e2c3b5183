//! Compliance and governance checks (seed §7): admission policy, Pod Security Admission,
//! required labels, scanning in CI, code ownership and resource quotas.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::checks::build::escape_pointer;
use crate::checks::context::{file_resource, manifest_location};
use crate::checks::monitoring::{
    WORKLOAD_KINDS, files_unread, github_rank, missing, object_draft, text_files,
};
use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::{Manifest, YamlDocument};
use crate::model::{Area, Location, Severity, SourceKind};

/// Labels every workload must carry unless configuration says otherwise (seed §7.1).
pub const DEFAULT_REQUIRED_LABELS: &[&str] = &["owner", "app", "environment", "security-reviewed"];

/// Namespaces Kubernetes itself owns; their components legitimately run privileged.
const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

const NOT_A_CLUSTER: &str = "the repository holds no cluster-level objects (Namespaces, \
                             cluster roles, CRDs…), so a cluster-wide control is not its concern";

/// How an admission policy object acts on a violation.
enum Mode {
    Enforces,
    /// Present but denies nothing, with why.
    DeniesNothing(String),
}

/// CMP-001: an admission policy engine enforces policy.
pub static CMP_001: Check = Check {
    id: "CMP-001",
    area: Area::Compliance,
    severity: Severity::High,
    title: "No admission policy engine enforcing",
    why: "Admission control is the last gate between a manifest and a running pod. Without \
          an engine that denies violations, every rule the organisation wrote — no \
          privileged pods, signed images only, required labels — is a recommendation that \
          one hurried `kubectl apply` ignores. An engine that only audits records the \
          violation and lets it in.",
    remediation: "Enforce at least one policy set: Gatekeeper constraints with \
                  `enforcementAction: deny`, Kyverno policies with `failureAction: Enforce`, \
                  or a ValidatingAdmissionPolicy bound with `validationActions: [Deny]`. \
                  Move policies from audit to enforce once their audit reports are clean.",
    snippet: Snippet {
        language: "yaml",
        code: "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: disallow-privileged\nspec:\n  rules:\n    - name: privileged\n      match:\n        any:\n          - resources:\n              kinds: [Pod]\n      validate:\n        failureAction: Enforce\n        message: Privileged containers are not allowed.\n        pattern:\n          spec:\n            containers:\n              - =(securityContext):\n                  =(privileged): false\n",
    },
    references: &[
        "seed §7.1",
        "NSA/CISA Kubernetes Hardening: admission control",
    ],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "A ValidatingAdmissionPolicyBinding counts only when the policy it binds is \
                   also in the repository; Kyverno policies without validate rules (mutate or \
                   generate only) are not admission policies for this check.",
    evaluate: admission_engine,
};

fn admission_engine(cx: &Context<'_>) -> Evaluation {
    if !cx.describes_cluster() {
        return Evaluation::NotApplicable(NOT_A_CLUSTER.to_string());
    }
    let policies = admission_policies(cx);
    if policies
        .iter()
        .any(|(_, mode)| matches!(mode, Mode::Enforces))
    {
        return Evaluation::items(1, Vec::new(), "");
    }
    let weak: Vec<String> = policies
        .into_iter()
        .filter_map(|(what, mode)| match mode {
            Mode::DeniesNothing(why) => Some(format!("{what} {why}")),
            Mode::Enforces => None,
        })
        .collect();
    let message = if weak.is_empty() {
        "no admission policy engine enforces policy: no Gatekeeper constraint, Kyverno policy \
         or ValidatingAdmissionPolicy was found"
            .to_string()
    } else {
        format!(
            "admission policies only audit or warn, so nothing is denied: {}",
            weak.join("; ")
        )
    };
    Evaluation::items(1, vec![missing("admission policy", message)], "")
}

/// Every admission policy object of the repository with how it acts.
fn admission_policies(cx: &Context<'_>) -> Vec<(String, Mode)> {
    let template_kinds: BTreeSet<&str> = cx
        .manifests()
        .filter(|m| m.kind() == "ConstraintTemplate")
        .filter_map(|m| m.object().pointer("/spec/crd/spec/names/kind"))
        .filter_map(Value::as_str)
        .collect();
    let vap_names: BTreeSet<&str> = cx
        .manifests()
        .filter(|m| m.kind() == "ValidatingAdmissionPolicy")
        .map(Manifest::name)
        .collect();
    let vap_bound: BTreeSet<&str> = cx
        .manifests()
        .filter(|m| m.kind() == "ValidatingAdmissionPolicyBinding")
        .filter_map(|m| str_at(m.object(), "/spec/policyName"))
        .collect();

    let mut out = Vec::new();
    for m in cx.manifests() {
        let group = m.api_version().split('/').next().unwrap_or("");
        let what = format!("{} {}", m.kind(), m.name());
        let mode = if group == "constraints.gatekeeper.sh" || template_kinds.contains(m.kind()) {
            Some(gatekeeper_mode(m.object()))
        } else if group == "kyverno.io" && matches!(m.kind(), "ClusterPolicy" | "Policy") {
            kyverno_mode(m.object())
        } else if group == "policies.kyverno.io" && m.kind().ends_with("ValidatingPolicy") {
            Some(actions_mode(m.object()))
        } else if m.kind() == "ValidatingAdmissionPolicyBinding" {
            Some(binding_mode(m.object(), &vap_names))
        } else if m.kind() == "ValidatingAdmissionPolicy" && !vap_bound.contains(m.name()) {
            Some(Mode::DeniesNothing(
                "has no binding, so it is never applied".into(),
            ))
        } else {
            None
        };
        if let Some(mode) = mode {
            out.push((what, mode));
        }
    }
    out
}

/// Gatekeeper denies unless a constraint says `dryrun` or `warn` (the default is `deny`).
fn gatekeeper_mode(object: &Value) -> Mode {
    let action = str_at(object, "/spec/enforcementAction").unwrap_or("deny");
    let scoped_deny = object
        .pointer("/spec/scopedEnforcementActions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|a| str_at(a, "/action").is_some_and(|x| x.eq_ignore_ascii_case("deny")));
    if action.eq_ignore_ascii_case("deny") || (action == "scoped" && scoped_deny) {
        Mode::Enforces
    } else {
        Mode::DeniesNothing(format!("has enforcementAction `{action}`"))
    }
}

/// Kyverno enforces a validate rule when its own `failureAction`, or else the policy's
/// `validationFailureAction`, is `Enforce`; the default is `Audit`.
fn kyverno_mode(object: &Value) -> Option<Mode> {
    let policy_action = str_at(object, "/spec/validationFailureAction")
        .or_else(|| str_at(object, "/spec/failureAction"))
        .unwrap_or("Audit");
    let actions: Vec<&str> = object
        .pointer("/spec/rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("validate"))
        .map(|v| str_at(v, "/failureAction").unwrap_or(policy_action))
        .collect();
    if actions.is_empty() {
        return None;
    }
    Some(
        if actions.iter().any(|a| a.eq_ignore_ascii_case("enforce")) {
            Mode::Enforces
        } else {
            Mode::DeniesNothing(format!("validates in `{policy_action}` mode"))
        },
    )
}

fn actions_mode(object: &Value) -> Mode {
    let actions = strings_at(object, "/spec/validationActions");
    if actions.iter().any(|a| a == "Deny") {
        Mode::Enforces
    } else {
        Mode::DeniesNothing(format!("has validationActions [{}]", actions.join(", ")))
    }
}

fn binding_mode(object: &Value, policies: &BTreeSet<&str>) -> Mode {
    let policy = str_at(object, "/spec/policyName").unwrap_or("");
    if !policies.contains(policy) {
        return Mode::DeniesNothing(format!(
            "binds policy `{policy}`, which is not in the repository"
        ));
    }
    actions_mode(object)
}

/// CMP-002: every namespace enforces a Pod Security Standard.
pub static CMP_002: Check = Check {
    id: "CMP-002",
    area: Area::Compliance,
    severity: Severity::High,
    title: "Namespace without an enforced Pod Security Standard",
    why: "Pod Security Admission is built into every cluster and costs nothing, but it only \
          acts on namespaces that ask for it. Without an `enforce` label of `baseline` or \
          `restricted`, a namespace accepts privileged pods, host mounts and host networking \
          from anyone allowed to create a pod there.",
    remediation: "Label every namespace with `pod-security.kubernetes.io/enforce: restricted` \
                  (or `baseline` where restricted is not yet possible), and try the level \
                  first with the `warn` and `audit` labels.",
    snippet: Snippet {
        language: "yaml",
        code: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/enforce-version: latest\n    pod-security.kubernetes.io/warn: restricted\n",
    },
    references: &["kubescape C-0192", "CIS Kubernetes 5.2.1"],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "kube-system, kube-public and kube-node-lease are exempt: Kubernetes' own \
                   node components need privileges there. A namespace without the label \
                   passes when the repository's PodSecurity admission configuration sets a \
                   default `enforce` of baseline or restricted.",
    evaluate: pod_security_labels,
};

const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";

fn pod_security_labels(cx: &Context<'_>) -> Evaluation {
    let default = cluster_default_enforce(cx);
    let mut evaluated = 0;
    let mut findings = Vec::new();
    let namespaces = cx
        .manifests()
        .filter(|m| m.kind() == "Namespace" && !SYSTEM_NAMESPACES.contains(&m.name()));
    for ns in namespaces {
        evaluated += 1;
        let pointer = format!("/metadata/labels/{}", escape_pointer(ENFORCE_LABEL));
        let level = str_at(ns.object(), &pointer);
        let problem = match level {
            Some("baseline" | "restricted") => None,
            Some("privileged") => {
                Some("enforces the `privileged` level, which allows everything".to_string())
            }
            Some(other) => Some(format!(
                "has the enforce level `{other}`, which the API server does not know"
            )),
            None if default.is_some() => None,
            None => Some(
                "has no `pod-security.kubernetes.io/enforce` label, so nothing is enforced"
                    .to_string(),
            ),
        };
        if let Some(problem) = problem {
            let mut draft = object_draft(ns, format!("namespace `{}` {problem}", ns.name()));
            draft.location = Some(manifest_location(ns, &pointer));
            draft.evidence = level.map(|l| format!("{ENFORCE_LABEL}: {l}"));
            findings.push(draft);
        }
    }
    Evaluation::items(
        evaluated,
        findings,
        "no Namespace object is defined in the repository",
    )
}

/// A cluster-wide default `enforce` level of baseline or restricted, from a `PodSecurity`
/// admission configuration in the repository.
fn cluster_default_enforce(cx: &Context<'_>) -> Option<String> {
    cx.manifests().find_map(|m| {
        let config = match m.kind() {
            "PodSecurityConfiguration" => Some(m.object()),
            "AdmissionConfiguration" => m
                .object()
                .get("plugins")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|p| str_at(p, "/name") == Some("PodSecurity"))
                .and_then(|p| p.get("configuration")),
            _ => None,
        }?;
        str_at(config, "/defaults/enforce")
            .filter(|l| matches!(*l, "baseline" | "restricted"))
            .map(str::to_string)
    })
}

/// CMP-003: workloads carry the labels the organisation requires.
pub static CMP_003: Check = Check {
    id: "CMP-003",
    area: Area::Compliance,
    severity: Severity::Low,
    title: "Workload lacks required labels",
    why: "When an alert fires on a pod, the first questions are whose it is, which \
          application and which environment. Labels answer them in seconds and let policies \
          and cost reports select workloads; without them, incident response starts with an \
          investigation into ownership.",
    remediation: "Add the required labels to every workload's metadata or pod template. The \
                  list is configurable with `required-labels` in rampart.toml.",
    snippet: Snippet {
        language: "yaml",
        code: "metadata:\n  labels:\n    app: web\n    owner: team-shop\n    environment: production\n    security-reviewed: \"2026-01-15\"\n",
    },
    references: &[
        "seed §7.1",
        "Kubernetes recommended labels (app.kubernetes.io/*)",
    ],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "`app.kubernetes.io/<label>` satisfies `<label>`, and \
                   `app.kubernetes.io/name` satisfies `app`.",
    evaluate: required_labels,
};

fn required_labels(cx: &Context<'_>) -> Evaluation {
    if cx.required_labels.is_empty() {
        return Evaluation::NotApplicable("configuration requires no labels".to_string());
    }
    let mut evaluated = 0;
    let mut findings = Vec::new();
    for workload in cx
        .manifests()
        .filter(|m| WORKLOAD_KINDS.contains(&m.kind()))
    {
        evaluated += 1;
        let labels = workload_labels(workload);
        let absent: Vec<&str> = cx
            .required_labels
            .iter()
            .map(String::as_str)
            .filter(|l| !has_label(&labels, l))
            .collect();
        if !absent.is_empty() {
            let message = format!(
                "{} `{}` lacks required labels: {}",
                workload.kind(),
                workload.name(),
                absent.join(", ")
            );
            findings.push(object_draft(workload, message));
        }
    }
    Evaluation::items(evaluated, findings, "no workload manifest was found")
}

/// Label keys of a workload's own metadata and of its pod template.
fn workload_labels(workload: &Manifest) -> BTreeSet<&str> {
    [
        "/metadata/labels",
        "/spec/template/metadata/labels",
        "/spec/jobTemplate/metadata/labels",
        "/spec/jobTemplate/spec/template/metadata/labels",
    ]
    .iter()
    .filter_map(|p| workload.object().pointer(p).and_then(Value::as_object))
    .flat_map(|labels| labels.keys().map(String::as_str))
    .collect()
}

fn has_label(labels: &BTreeSet<&str>, required: &str) -> bool {
    labels.contains(required)
        || labels.contains(format!("app.kubernetes.io/{required}").as_str())
        || (required == "app" && labels.contains("app.kubernetes.io/name"))
}

/// One step (or reusable-workflow call) of a workflow, as scanners are recognised in it.
struct Step<'w> {
    uses: String,
    with: Option<&'w Value>,
    run: &'w str,
}

fn steps(workflow: &YamlDocument) -> Vec<Step<'_>> {
    let jobs = workflow.value.get("jobs").and_then(Value::as_object);
    let mut out = Vec::new();
    for job in jobs.into_iter().flat_map(|j| j.values()) {
        let items = job
            .get("steps")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for step in std::iter::once(job).chain(items) {
            out.push(Step {
                uses: str_at(step, "/uses").unwrap_or("").to_ascii_lowercase(),
                with: step.get("with"),
                run: str_at(step, "/run").unwrap_or(""),
            });
        }
    }
    out
}

impl Step<'_> {
    fn input(&self, key: &str) -> String {
        self.with
            .and_then(|w| w.get(key))
            .map(|v| match v {
                Value::String(s) => s.to_ascii_lowercase(),
                other => other.to_string(),
            })
            .unwrap_or_default()
    }
}

/// The first step of any workflow that `recognise` accepts, named for the message.
fn find_step(cx: &Context<'_>, recognise: fn(&Step<'_>) -> bool) -> Option<String> {
    cx.workflows()
        .iter()
        .find_map(|w| steps(w).iter().any(recognise).then(|| w.path.clone()))
}

/// One judged item on whether CI runs a kind of scan.
fn ci_scan(
    cx: &Context<'_>,
    recognise: fn(&Step<'_>) -> bool,
    what: &str,
    message: &str,
) -> Evaluation {
    if let Some(unread) = files_unread(cx) {
        return unread;
    }
    if cx.workflows().is_empty() {
        return Evaluation::NotApplicable("no GitHub Actions workflow was found".to_string());
    }
    let findings = match find_step(cx, recognise) {
        Some(_) => Vec::new(),
        None => vec![missing(what, message.to_string())],
    };
    Evaluation::items(1, findings, "")
}

/// CMP-004: CI scans configuration and infrastructure code, or runs a dynamic scan.
pub static CMP_004: Check = Check {
    id: "CMP-004",
    area: Area::Compliance,
    severity: Severity::Medium,
    title: "No configuration, IaC or dynamic scan in CI",
    why: "Misconfigurations — a privileged pod, a public bucket, a workflow that leaks its \
          token — are cheapest to fix in the pull request that introduces them. Without a \
          configuration scanner in CI they are found by an audit months later, or by an \
          attacker; a dynamic scan likewise catches what the running application exposes.",
    remediation: "Run a configuration scanner on every pull request (Checkov, Kubescape, \
                  `trivy config`, KICS, Conftest, kube-linter, Hadolint, zizmor) and a DAST \
                  baseline (OWASP ZAP, Nuclei) against a test deployment.",
    snippet: Snippet {
        language: "yaml",
        code: "- name: Scan configuration\n  uses: aquasecurity/trivy-action@<full commit sha>\n  with:\n    scan-type: config\n    exit-code: \"1\"\n    severity: HIGH,CRITICAL\n",
    },
    references: &["seed §7.2"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "",
    evaluate: config_scan,
};

fn config_scan(cx: &Context<'_>) -> Evaluation {
    ci_scan(
        cx,
        runs_config_scan,
        "configuration scan",
        "no workflow runs a configuration/IaC scanner (Checkov, Kubescape, trivy config, \
         KICS, tfsec, Terrascan, Conftest, kube-linter, Polaris, Hadolint, zizmor) or a \
         DAST scan (ZAP, Nuclei)",
    )
}

fn runs_config_scan(step: &Step<'_>) -> bool {
    static RUN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\b(checkov|kubescape|kics|tfsec|terrascan|conftest|kube-linter|hadolint|zizmor|nuclei|zap-baseline\.py|zap-full-scan\.py|zap-api-scan\.py|zap\.sh)\b|\bpolaris\s+audit\b|\btrivy\s+(config|conf)\b|\btrivy\b.*--scanners[= ]\S*misconfig",
        )
        .expect("a valid pattern")
    });
    const ACTIONS: &[&str] = &[
        "bridgecrewio/checkov-action",
        "kubescape/github-action",
        "checkmarx/kics-github-action",
        "aquasecurity/tfsec",
        "tenable/terrascan-action",
        "accurics/terrascan-action",
        "stackrox/kube-linter-action",
        "fairwindsops/polaris",
        "hadolint/hadolint-action",
        "zizmorcore/zizmor-action",
        "instrumenta/conftest-action",
        "zaproxy/action-",
        "projectdiscovery/nuclei-action",
    ];
    let trivy_config = step.uses.starts_with("aquasecurity/trivy-action")
        && (step.input("scan-type") == "config" || step.input("scanners").contains("misconfig"));
    ACTIONS.iter().any(|a| step.uses.starts_with(a)) || trivy_config || RUN.is_match(step.run)
}

/// CMP-005: CI checks the licences of dependencies.
pub static CMP_005: Check = Check {
    id: "CMP-005",
    area: Area::Compliance,
    severity: Severity::Low,
    title: "No licence compliance scan",
    why: "One dependency under a licence the organisation cannot accept — copyleft in a \
          proprietary product, or no licence at all — can force a rewrite or a legal \
          dispute. Checked in CI, it is caught in the pull request that adds it.",
    remediation: "Check dependency licences against an allow-list in CI: cargo deny, \
                  dependency-review with `allow-licenses`, FOSSA, ScanCode or \
                  `trivy --scanners license`.",
    snippet: Snippet {
        language: "yaml",
        code: "- uses: actions/dependency-review-action@<full commit sha>\n  with:\n    allow-licenses: MIT, Apache-2.0, BSD-2-Clause, BSD-3-Clause, ISC\n",
    },
    references: &["seed §7.2"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "dependency-review counts only with `allow-licenses` or `deny-licenses` in \
                   the workflow itself; a separate config-file is not read yet.",
    evaluate: license_scan,
};

fn license_scan(cx: &Context<'_>) -> Evaluation {
    ci_scan(
        cx,
        runs_license_scan,
        "licence scan",
        "no workflow checks dependency licences (cargo deny, dependency-review with \
         allow-licenses, FOSSA, licensee, license_finder, ScanCode, trivy --scanners license)",
    )
}

fn runs_license_scan(step: &Step<'_>) -> bool {
    static RUN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\bfossa\s+(analyze|test)\b|\blicensee\b|\blicense[_-]finder\b|\bscancode\b|\btrivy\b.*--scanners[= ]\S*license|\b(pip-licenses|license-checker|go-licenses|cargo-about)\b|\blicensed\s+status\b",
        )
        .expect("a valid pattern")
    });
    const ACTIONS: &[&str] = &[
        "fossas/fossa-action",
        "fossa-contrib/fossa-action",
        "aboutcode-org/scancode-action",
        "nexb/scancode-action",
    ];
    let review = step.uses.starts_with("actions/dependency-review-action")
        && (!step.input("allow-licenses").is_empty() || !step.input("deny-licenses").is_empty());
    let deny_action = step.uses.starts_with("embarkstudios/cargo-deny-action")
        && deny_checks_licenses(&format!(
            "{} {}",
            step.input("command"),
            step.input("arguments")
        ));
    let trivy = step.uses.starts_with("aquasecurity/trivy-action")
        && step.input("scanners").contains("license");
    ACTIONS.iter().any(|a| step.uses.starts_with(a))
        || review
        || deny_action
        || trivy
        || RUN.is_match(step.run)
        || step.run.lines().any(|l| {
            let l = l.to_ascii_lowercase();
            // `check` must be there: `cargo install cargo-deny` alone checks nothing.
            let runs = l.contains("cargo deny") || l.contains("cargo-deny");
            runs && l.split_whitespace().any(|w| w == "check") && deny_checks_licenses(&l)
        })
}

/// Whether a cargo-deny command line includes the licence check: `check` alone runs every
/// check, `check advisories` runs only the ones named.
fn deny_checks_licenses(line: &str) -> bool {
    let named = ["advisories", "bans", "sources", "licenses", "license"];
    let checks: Vec<&str> = line
        .split_whitespace()
        .filter(|w| named.contains(w))
        .collect();
    checks.is_empty() || checks.iter().any(|c| c.starts_with("license"))
}

/// CMP-006: CODEOWNERS exists and GitHub can read all of it.
pub static CMP_006: Check = Check {
    id: "CMP-006",
    area: Area::Compliance,
    severity: Severity::Medium,
    title: "No CODEOWNERS, or it has errors",
    why: "CODEOWNERS decides who must review changes to which paths — the workflows, the \
          deployment manifests, the authentication code. Without it any maintainer approves \
          anything; with a broken line GitHub silently ignores that rule, so the protection \
          is missing exactly where someone thought it was.",
    remediation: "Add .github/CODEOWNERS with an owner for every sensitive path, each owner a \
                  @user, an @org/team or an e-mail address, and require code-owner review in \
                  branch protection.",
    snippet: Snippet {
        language: "text",
        code: "# Default owners, then stricter owners for sensitive paths (last match wins).\n*             @acme/developers\n/.github/     @acme/platform-security\n/deploy/      @acme/platform\n/src/auth/    @acme/security @alice\n",
    },
    references: &["Allstar CODEOWNERS", "Scorecard Code-Review"],
    sources: &[SourceKind::Files, SourceKind::Github],
    differs_from: "A pattern with no owner is reported: GitHub accepts it as \"no owner\", but \
                   it is more often a typo than an intent. Only the file GitHub reads (the \
                   first of .github/, the root and docs/) is judged.",
    evaluate: codeowners,
};

fn codeowners(cx: &Context<'_>) -> Evaluation {
    if let Some(unread) = files_unread(cx) {
        return unread;
    }
    let Some(file) = text_files(cx, "codeowners").min_by_key(|f| github_rank(f)) else {
        let message = "no CODEOWNERS file in .github/, at the root or in docs/";
        return Evaluation::items(1, vec![missing("code owners", message.into())], "");
    };
    let rules = file.facts.get("rules").and_then(Value::as_u64).unwrap_or(0);
    let errors = file.facts.get("errors").and_then(Value::as_array);
    let mut findings: Vec<Draft> = errors
        .into_iter()
        .flatten()
        .map(|e| {
            let line = e.get("line").and_then(Value::as_u64).unwrap_or(1);
            let line = u32::try_from(line).unwrap_or(u32::MAX);
            let message = str_at(e, "/message").unwrap_or("a malformed rule");
            Draft {
                source: SourceKind::Files,
                resource: file_resource(&file.path, Some(&format!("line {line}"))),
                location: Some(Location {
                    path: file.path.clone(),
                    line,
                }),
                message: format!("CODEOWNERS line {line}: {message}"),
                evidence: None,
                severity: None,
            }
        })
        .collect();
    if rules == 0 {
        findings.push(Draft {
            source: SourceKind::Files,
            resource: file_resource(&file.path, None),
            location: Some(Location {
                path: file.path.clone(),
                line: 1,
            }),
            message: "CODEOWNERS has no rules, so nobody owns anything".to_string(),
            evidence: None,
            severity: None,
        });
    }
    let evaluated = usize::try_from(rules).unwrap_or(usize::MAX).max(1);
    Evaluation::items(evaluated, findings, "")
}

/// CMP-007: each namespace that runs workloads has a quota or limit range.
pub static CMP_007: Check = Check {
    id: "CMP-007",
    area: Area::Compliance,
    severity: Severity::Low,
    title: "Namespace without ResourceQuota or LimitRange",
    why: "Without a quota or default limits, one namespace's runaway or compromised \
          workload — a fork bomb, a cryptominer, a replica count typo — can take every CPU \
          and byte of memory the cluster has and starve everyone else.",
    remediation: "Give every namespace that runs workloads a ResourceQuota, and a \
                  LimitRange so that containers without limits get sensible defaults.",
    snippet: Snippet {
        language: "yaml",
        code: "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: compute\n  namespace: shop\nspec:\n  hard:\n    requests.cpu: \"8\"\n    requests.memory: 16Gi\n    limits.memory: 32Gi\n    pods: \"50\"\n---\napiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\n  namespace: shop\nspec:\n  limits:\n    - type: Container\n      default: { cpu: 500m, memory: 512Mi }\n      defaultRequest: { cpu: 100m, memory: 128Mi }\n",
    },
    references: &["KSV-0039", "KSV-0040", "CIS Kubernetes 5.7.x"],
    sources: &[SourceKind::Files, SourceKind::Kube],
    differs_from: "Judged only for repositories that manage a cluster; an application's \
                   namespace is the platform team's to constrain. Workloads that name no \
                   namespace are counted in `default`, where kubectl puts them.",
    evaluate: quotas,
};

fn quotas(cx: &Context<'_>) -> Evaluation {
    if !cx.describes_cluster() {
        return Evaluation::NotApplicable(NOT_A_CLUSTER.to_string());
    }
    let namespace_of = |m: &Manifest| m.namespace().unwrap_or("default").to_string();
    let mut workloads: BTreeMap<String, &Manifest> = BTreeMap::new();
    for m in cx
        .manifests()
        .filter(|m| WORKLOAD_KINDS.contains(&m.kind()))
    {
        workloads.entry(namespace_of(m)).or_insert(m);
    }
    let constrained: BTreeSet<String> = cx
        .manifests()
        .filter(|m| matches!(m.kind(), "ResourceQuota" | "LimitRange"))
        .map(namespace_of)
        .collect();
    let namespace_objects: BTreeMap<&str, &Manifest> = cx
        .manifests()
        .filter(|m| m.kind() == "Namespace")
        .map(|m| (m.name(), m))
        .collect();

    let mut evaluated = 0;
    let mut findings = Vec::new();
    for (namespace, first) in &workloads {
        if SYSTEM_NAMESPACES.contains(&namespace.as_str()) {
            continue;
        }
        evaluated += 1;
        if constrained.contains(namespace) {
            continue;
        }
        let anchor = namespace_objects
            .get(namespace.as_str())
            .copied()
            .unwrap_or(first);
        let message = format!(
            "namespace `{namespace}` runs workloads but has no ResourceQuota or LimitRange"
        );
        let mut draft = object_draft(anchor, message);
        draft.resource.part = Some(format!("namespace {namespace}"));
        findings.push(draft);
    }
    Evaluation::items(evaluated, findings, "no namespace runs a workload")
}

fn str_at<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
    value.pointer(pointer).and_then(Value::as_str)
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn enforces(mode: Option<&Mode>) -> bool {
        matches!(mode, Some(Mode::Enforces))
    }

    #[test]
    fn gatekeeper_denies_by_default_and_not_in_dryrun_or_warn() {
        assert!(enforces(Some(&gatekeeper_mode(&json!({"spec": {}})))));
        for action in ["dryrun", "warn"] {
            let constraint = json!({"spec": {"enforcementAction": action}});
            assert!(!enforces(Some(&gatekeeper_mode(&constraint))), "{action}");
        }
        let scoped = json!({"spec": {"enforcementAction": "scoped",
            "scopedEnforcementActions": [{"action": "deny"}]}});
        assert!(enforces(Some(&gatekeeper_mode(&scoped))));
    }

    #[test]
    fn kyverno_rule_action_overrides_the_policy_default() {
        let rule_enforces = json!({"spec": {"validationFailureAction": "Audit",
            "rules": [{"validate": {"failureAction": "Enforce"}}]}});
        assert!(enforces(kyverno_mode(&rule_enforces).as_ref()));
        let default_audit = json!({"spec": {"rules": [{"validate": {}}]}});
        assert!(!enforces(kyverno_mode(&default_audit).as_ref()));
        let mutate_only = json!({"spec": {"validationFailureAction": "Enforce",
            "rules": [{"mutate": {}}]}});
        assert!(kyverno_mode(&mutate_only).is_none());
    }

    #[test]
    fn cargo_deny_runs_the_licence_check_unless_others_are_named() {
        assert!(deny_checks_licenses("cargo deny check"));
        assert!(deny_checks_licenses(
            "cargo deny --all-features check licenses bans"
        ));
        assert!(!deny_checks_licenses("cargo deny check advisories"));
    }
}
