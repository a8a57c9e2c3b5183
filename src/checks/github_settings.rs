//! Checks of a GitHub repository's settings outside the build area: webhooks, deploy
//! keys, collaborators, secret scanning and open alerts. Shared helpers for reading the
//! github evidence live here too.

use serde_json::Value;

use crate::checks::{Check, Context, Draft, Evaluation, Snippet};
use crate::evidence::{Answer, GithubEvidence};
use crate::model::{Area, Resource, Severity, SourceKind};

/// The github evidence, or why a check cannot be assessed without it.
pub fn github<'e>(cx: &Context<'e>) -> Result<&'e GithubEvidence, Evaluation> {
    cx.evidence
        .github
        .as_ref()
        .ok_or_else(|| Evaluation::NotAssessed("the github source did not run".to_string()))
}

/// An endpoint's value: `Ok(Some)` when read, `Ok(None)` when GitHub said it is not set
/// up, and a not-assessed evaluation naming the missing permission when it was denied.
pub fn answer<'e>(cx: &Context<'e>, key: &str) -> Result<Option<&'e Value>, Evaluation> {
    match github(cx)?.answer(key) {
        Some(Answer::Read { value }) => Ok(Some(value)),
        Some(Answer::Absent { .. }) => Ok(None),
        Some(Answer::Denied { permission, reason }) => {
            Err(Evaluation::NotAssessed(if permission.is_empty() {
                format!("GitHub `{key}` could not be read: {reason}")
            } else {
                format!("GitHub `{key}` could not be read; the token needs {permission}: {reason}")
            }))
        }
        None => Err(Evaluation::NotAssessed(format!(
            "GitHub `{key}` was not read in this evidence"
        ))),
    }
}

/// A setting or object of the repository, as a finding's resource.
pub fn repo_resource(gh: &GithubEvidence, what: &str, part: Option<&str>) -> Resource {
    let display = match part {
        Some(part) => format!("{} {what} {part}", gh.repository),
        None => format!("{} {what}", gh.repository),
    };
    Resource {
        canonical: format!("github/{}#{what}", gh.repository),
        part: part.map(str::to_string),
        display,
    }
}

/// A failing item about the repository's settings.
pub fn setting_draft(
    gh: &GithubEvidence,
    what: &str,
    part: Option<&str>,
    message: String,
) -> Draft {
    Draft {
        source: SourceKind::Github,
        resource: repo_resource(gh, what, part),
        location: None,
        message,
        evidence: None,
        severity: None,
    }
}

fn items(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn text<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
    value.pointer(pointer).and_then(Value::as_str)
}

/// NET-011: webhooks deliver over TLS, verify certificates and sign their payloads.
pub static NET_011: Check = Check {
    id: "NET-011",
    area: Area::Network,
    severity: Severity::High,
    title: "Webhook without TLS, certificate checks or a secret",
    why: "A webhook carries repository events (and often code or tokens in them) to another \
          server. Over http:// or with certificate checks off, anyone on the path reads and \
          alters them; without a secret the receiver cannot tell GitHub's deliveries from \
          forged ones.",
    remediation: "Use an https:// URL, keep SSL verification on, and set a random secret \
                  that the receiver checks against the X-Hub-Signature-256 header.",
    snippet: Snippet {
        language: "shell",
        code: "gh api -X PATCH repos/OWNER/REPO/hooks/HOOK_ID/config \\\n  -f url=https://hooks.example.com/github -f insecure_ssl=0 -f secret=\"$(openssl rand -hex 32)\"\n",
    },
    references: &["Scorecard Webhooks", "CKV_GITHUB_7"],
    sources: &[SourceKind::Github],
    differs_from: "",
    evaluate: webhooks,
};

fn webhooks(cx: &Context<'_>) -> Evaluation {
    let gh = match github(cx) {
        Ok(gh) => gh,
        Err(e) => return e,
    };
    let hooks = match answer(cx, "hooks") {
        Ok(v) => items(v),
        Err(e) => return e,
    };
    let mut findings = Vec::new();
    for hook in hooks {
        let id = hook
            .get("id")
            .map_or_else(|| "?".to_string(), Value::to_string);
        let url = text(hook, "/config/url").unwrap_or("");
        let mut problems = Vec::new();
        if url.to_ascii_lowercase().starts_with("http://") {
            problems.push("delivers over plain http://");
        }
        if hook
            .pointer("/config/insecure_ssl")
            .and_then(Value::as_bool)
            == Some(true)
        {
            problems.push("skips TLS certificate verification");
        }
        if hook.pointer("/config/has_secret").and_then(Value::as_bool) != Some(true) {
            problems.push("has no secret, so deliveries cannot be verified");
        }
        if !problems.is_empty() {
            let mut draft = setting_draft(
                gh,
                "webhook",
                Some(&id),
                format!("webhook to {url} {}", problems.join(", ")),
            );
            draft.evidence = Some(format!("url: {url}"));
            findings.push(draft);
        }
    }
    Evaluation::items(hooks.len(), findings, "the repository has no webhooks")
}

/// IAM-009: deploy keys are read-only.
pub static IAM_009: Check = Check {
    id: "IAM-009",
    area: Area::Identity,
    severity: Severity::High,
    title: "Deploy key with write access",
    why: "A deploy key is an SSH key stored on some server, tied to no person and never \
          expiring. With write access, whoever copies it can push to the repository, \
          including to branches that deploy.",
    remediation: "Make deploy keys read-only; give automation that must push a GitHub App \
                  or a fine-grained token with the least permission, which can be scoped \
                  and rotated.",
    snippet: Snippet {
        language: "shell",
        code: "gh repo deploy-key list\ngh repo deploy-key delete KEY_ID\ngh repo deploy-key add key.pub --title ci-read-only   # read-only unless --allow-write\n",
    },
    references: &["Legitify repository_has_deploy_keys_with_write_access"],
    sources: &[SourceKind::Github],
    differs_from: "",
    evaluate: deploy_keys,
};

fn deploy_keys(cx: &Context<'_>) -> Evaluation {
    let gh = match github(cx) {
        Ok(gh) => gh,
        Err(e) => return e,
    };
    let keys = match answer(cx, "deploy_keys") {
        Ok(v) => items(v),
        Err(e) => return e,
    };
    let findings = keys
        .iter()
        .filter(|k| k.get("read_only").and_then(Value::as_bool) != Some(true))
        .map(|k| {
            let title = text(k, "/title").unwrap_or("untitled");
            setting_draft(
                gh,
                "deploy key",
                Some(title),
                format!("deploy key `{title}` can push to the repository"),
            )
        })
        .collect();
    Evaluation::items(keys.len(), findings, "the repository has no deploy keys")
}

/// More admins than this is reported: each is a full-control account to protect.
pub const MAX_ADMINS: usize = 5;

/// IAM-010: outside collaborators hold no write or admin, and admins are few.
pub static IAM_010: Check = Check {
    id: "IAM-010",
    area: Area::Identity,
    severity: Severity::Medium,
    title: "Outside collaborator with write or admin, or too many admins",
    why: "Outside collaborators are not members of the organisation, so its SSO, 2FA \
          requirement and offboarding do not reach them. With push or admin they change \
          code and settings anyway. Every admin can disable every protection, so their \
          number should stay small.",
    remediation: "Give outside collaborators read or triage, make people who need more \
                  members of the organisation, and keep admin to a few named owners.",
    snippet: Snippet {
        language: "shell",
        code: "gh api -X PUT repos/OWNER/REPO/collaborators/LOGIN -f permission=triage\n",
    },
    references: &["Allstar Outside Collaborators", "CKV_GITHUB_9"],
    sources: &[SourceKind::Github],
    differs_from: "More than five admins is reported (Allstar's default is to flag outside \
                   admins only).",
    evaluate: collaborators,
};

fn collaborators(cx: &Context<'_>) -> Evaluation {
    let gh = match github(cx) {
        Ok(gh) => gh,
        Err(e) => return e,
    };
    let (all, outside) = match (
        answer(cx, "collaborators"),
        answer(cx, "outside_collaborators"),
    ) {
        (Ok(all), Ok(outside)) => (items(all), items(outside)),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let granted = |c: &Value, what: &str| {
        c.pointer(&format!("/permissions/{what}"))
            .and_then(Value::as_bool)
            == Some(true)
    };
    let mut findings: Vec<Draft> = outside
        .iter()
        .filter(|c| granted(c, "admin") || granted(c, "push") || granted(c, "maintain"))
        .map(|c| {
            let login = text(c, "/login").unwrap_or("?");
            let level = if granted(c, "admin") {
                "admin"
            } else {
                "write"
            };
            setting_draft(
                gh,
                "collaborator",
                Some(login),
                format!("outside collaborator `{login}` has {level} access"),
            )
        })
        .collect();
    let admins: Vec<&str> = all
        .iter()
        .filter(|c| granted(c, "admin"))
        .filter_map(|c| text(c, "/login"))
        .collect();
    if admins.len() > MAX_ADMINS {
        findings.push(setting_draft(
            gh,
            "admins",
            None,
            format!(
                "{} people are admins of the repository (more than {MAX_ADMINS}): {}",
                admins.len(),
                admins.join(", ")
            ),
        ));
    }
    Evaluation::items(outside.len() + 1, findings, "")
}

/// SEC-008: secret scanning and push protection are on.
pub static SEC_008: Check = Check {
    id: "SEC-008",
    area: Area::Secrets,
    severity: Severity::High,
    title: "Secret scanning or push protection off",
    why: "Credentials committed by mistake are found by attackers within minutes of a push. \
          Secret scanning reports them to the owners; push protection refuses the push \
          before the secret is ever in the history.",
    remediation: "Turn on secret scanning and push protection in the repository's Code \
                  security settings (free for public repositories).",
    snippet: Snippet {
        language: "shell",
        code: "gh api -X PATCH repos/OWNER/REPO --input - <<'EOF'\n{\"security_and_analysis\": {\"secret_scanning\": {\"status\": \"enabled\"},\n  \"secret_scanning_push_protection\": {\"status\": \"enabled\"}}}\nEOF\n",
    },
    references: &["Legitify secret_scanning_not_enabled", "Scorecard"],
    sources: &[SourceKind::Github],
    differs_from: "",
    evaluate: secret_scanning,
};

fn secret_scanning(cx: &Context<'_>) -> Evaluation {
    let gh = match github(cx) {
        Ok(gh) => gh,
        Err(e) => return e,
    };
    let features = [
        ("secret_scanning", "secret scanning"),
        ("secret_scanning_push_protection", "push protection"),
    ];
    let mut findings = Vec::new();
    for (feature, name) in features {
        match gh.security_feature(feature) {
            Some(true) => {}
            Some(false) => findings.push(setting_draft(
                gh,
                "security setting",
                Some(feature),
                format!("{name} is off"),
            )),
            None => {
                return Evaluation::NotAssessed(
                    "the repository's `security_and_analysis` settings are shown only to \
                     admins; the token needs administration:read and an admin role"
                        .to_string(),
                );
            }
        }
    }
    Evaluation::items(features.len(), findings, "")
}

/// MON-010: no open critical or high alerts.
pub static MON_010: Check = Check {
    id: "MON-010",
    area: Area::Monitoring,
    severity: Severity::High,
    title: "Open critical or high security alerts",
    why: "An open critical or high Dependabot, code-scanning or secret-scanning alert is a \
          known, reported weakness that nobody has acted on; attackers read the same \
          advisories.",
    remediation: "Triage open alerts: update the dependency, fix the code, or revoke and \
                  rotate the leaked credential; dismiss false positives with a reason.",
    snippet: Snippet {
        language: "shell",
        code: "gh api 'repos/OWNER/REPO/dependabot/alerts?state=open&severity=critical,high' --jq '.[].html_url'\n",
    },
    references: &["Scorecard Vulnerabilities"],
    sources: &[SourceKind::Github],
    differs_from: "Every open secret-scanning alert counts as high.",
    evaluate: open_alerts,
};

fn open_alerts(cx: &Context<'_>) -> Evaluation {
    let gh = match github(cx) {
        Ok(gh) => gh,
        Err(e) => return e,
    };
    let kinds = [
        ("dependabot_alerts", "Dependabot"),
        ("code_scanning_alerts", "code-scanning"),
        ("secret_scanning_alerts", "secret-scanning"),
    ];
    let mut evaluated = 0;
    let mut findings = Vec::new();
    let mut denied = Vec::new();
    for (key, name) in kinds {
        let counts = match answer(cx, key) {
            Ok(Some(counts)) => counts,
            Ok(None) => continue,
            Err(Evaluation::NotAssessed(why)) => {
                denied.push(why);
                continue;
            }
            Err(other) => return other,
        };
        evaluated += 1;
        let count = |s: &str| {
            counts
                .pointer(&format!("/by_severity/{s}"))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        let (critical, high) = (count("critical"), count("high"));
        if critical + high > 0 {
            findings.push(setting_draft(
                gh,
                "alerts",
                Some(name),
                format!("{critical} critical and {high} high open {name} alerts"),
            ));
        }
    }
    if evaluated == 0 && !denied.is_empty() {
        return Evaluation::NotAssessed(denied.join("; "));
    }
    Evaluation::items(
        evaluated,
        findings,
        "no alert kind is set up for the repository",
    )
}

/// Whether private vulnerability reporting is known to be off (MON-009).
pub fn private_reporting_off(cx: &Context<'_>) -> Option<Draft> {
    let gh = cx.evidence.github.as_ref()?;
    let Some(Answer::Read { value }) = gh.answer("private_vulnerability_reporting") else {
        return None;
    };
    (value.get("enabled").and_then(Value::as_bool) == Some(false)).then(|| {
        setting_draft(
            gh,
            "security setting",
            Some("private_vulnerability_reporting"),
            "private vulnerability reporting is off, so finders have no private channel on \
             GitHub"
                .to_string(),
        )
    })
}
