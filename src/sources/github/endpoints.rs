//! The endpoints the github source reads, who may read them, and how their answers are
//! judged and trimmed before they become evidence.

use serde_json::{Map, Value, json};

use crate::evidence::Answer;
use crate::sources::github::client::{Api, Reply};

/// One endpoint of the repository.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// Evidence key.
    pub key: &'static str,
    /// Path under `repos/{owner}/{name}/`; `{branch}` is the default branch.
    pub path: &'static str,
    /// Only repository admins get an answer; others are not even asked.
    pub admin_only: bool,
    /// The fine-grained permission a token needs, named when it is missing.
    pub permission: &'static str,
    /// A 404 means "not set up" rather than "not visible" (for admins).
    pub absent_on_404: bool,
    /// The answer is a list, read across pages.
    pub list: bool,
}

const fn ep(key: &'static str, path: &'static str, admin: bool, perm: &'static str) -> Endpoint {
    Endpoint {
        key,
        path,
        admin_only: admin,
        permission: perm,
        absent_on_404: false,
        list: false,
    }
}

const fn listed(mut e: Endpoint) -> Endpoint {
    e.list = true;
    e
}

const fn absent(mut e: Endpoint) -> Endpoint {
    e.absent_on_404 = true;
    e
}

/// Every endpoint read besides the repository object and files, in reading order.
pub const ENDPOINTS: &[Endpoint] = &[
    absent(ep(
        "branch_protection",
        "branches/{branch}/protection",
        true,
        "administration:read",
    )),
    listed(ep(
        "branch_rules",
        "rules/branches/{branch}?per_page=100",
        false,
        "metadata:read",
    )),
    // The list gives each ruleset's enforcement; who may bypass one is only in the ruleset
    // itself, read afterwards for the rulesets behind the default branch's rules.
    listed(ep(
        "rulesets",
        "rulesets?includes_parents=true&per_page=100",
        false,
        "metadata:read",
    )),
    absent(ep(
        "vulnerability_alerts",
        "vulnerability-alerts",
        true,
        "administration:read",
    )),
    absent(ep(
        "automated_security_fixes",
        "automated-security-fixes",
        true,
        "administration:read",
    )),
    ep(
        "private_vulnerability_reporting",
        "private-vulnerability-reporting",
        false,
        "administration:read",
    ),
    ep(
        "code_scanning_default_setup",
        "code-scanning/default-setup",
        true,
        "administration:read",
    ),
    ep(
        "actions_permissions",
        "actions/permissions",
        true,
        "administration:read",
    ),
    ep(
        "workflow_permissions",
        "actions/permissions/workflow",
        true,
        "administration:read",
    ),
    listed(ep(
        "deploy_keys",
        "keys?per_page=100",
        true,
        "administration:read",
    )),
    listed(ep("hooks", "hooks?per_page=100", true, "webhooks:read")),
    listed(ep(
        "collaborators",
        "collaborators?per_page=100",
        false,
        "metadata:read",
    )),
    listed(ep(
        "outside_collaborators",
        "collaborators?affiliation=outside&per_page=100",
        false,
        "metadata:read",
    )),
    listed(ep(
        "environments",
        "environments?per_page=100",
        false,
        "actions:read",
    )),
    listed(ep(
        "dependabot_alerts",
        "dependabot/alerts?state=open&per_page=100",
        false,
        "vulnerability_alerts:read",
    )),
    listed(ep(
        "code_scanning_alerts",
        "code-scanning/alerts?state=open&per_page=100",
        false,
        "security_events:read",
    )),
    listed(ep(
        "secret_scanning_alerts",
        "secret-scanning/alerts?state=open&per_page=100",
        false,
        "secret_scanning_alerts:read",
    )),
];

/// One ruleset (`rulesets/{id}`), read for each ruleset behind the default branch's rules.
pub const RULESET: Endpoint = ep("ruleset", "rulesets/{id}", false, "metadata:read");

/// What a token needs to see who may bypass a ruleset: GitHub includes `bypass_actors` only
/// for those who may edit the ruleset (repository admins; organization owners for an
/// organization's rulesets).
pub const BYPASS_PERMISSION: &str = "administration:read";

/// Endpoints whose answer is public for a public repository, so they are read without a
/// token; every other one needs a token and is not asked without one.
pub const PUBLIC: &[&str] = &[
    "branch_rules",
    "rulesets",
    "private_vulnerability_reporting",
    "environments",
];

/// Reads one endpoint at `path` and judges its answer. `Err` means GitHub could not be
/// reached.
pub async fn read(api: &Api<'_>, path: &str, endpoint: &Endpoint) -> Result<Answer, String> {
    let path = path.to_string();
    if endpoint.list {
        return Ok(match api.get_all(&path).await? {
            Ok(items) => Answer::Read {
                value: trim(endpoint.key, Value::Array(items)),
            },
            Err(reply) => judge(endpoint, &reply),
        });
    }
    let reply = api.get(&path).await?;
    Ok(match reply.status {
        200 => Answer::Read {
            value: trim(endpoint.key, reply.body),
        },
        204 => Answer::Read { value: json!(true) },
        _ => judge(endpoint, &reply),
    })
}

/// What a non-success answer means.
pub fn judge(endpoint: &Endpoint, reply: &Reply) -> Answer {
    let message = crate::sanitize::one_line(&reply.message());
    if reply.rate_limited() {
        return Answer::Denied {
            permission: String::new(),
            reason: "GitHub's rate limit was exhausted and did not reset in time; run again \
                     later or use a token (authenticated requests get a larger limit)"
                .to_string(),
        };
    }
    // "Branch not protected" is an answer; a bare 404 on the same path may only mean the
    // caller cannot see the protection, so it is not taken as absence.
    let not_protected = message.to_ascii_lowercase().contains("not protected");
    let absent = endpoint.absent_on_404 && endpoint.key != "branch_protection";
    if reply.status == 404 && (not_protected || absent) {
        return Answer::Absent { message };
    }
    let permission = reply.hints.missing_permission(endpoint.permission);
    let said = if message.is_empty() {
        String::new()
    } else {
        format!(": GitHub said \"{message}\"")
    };
    let reason = match reply.status {
        401 => format!("the token was refused (401){said}; check that it is valid and not expired"),
        403 => format!("refused (403){said}; the token needs {permission}"),
        404 => format!(
            "not visible (404){said}; GitHub hides what the token may not read, so it needs \
             {permission}"
        ),
        status => format!("GitHub answered {status}{said}"),
    };
    Answer::Denied { permission, reason }
}

/// Keeps what checks need of an answer and nothing that must not be stored.
pub fn trim(key: &str, value: Value) -> Value {
    match key {
        "hooks" => map_items(value, trim_hook),
        "deploy_keys" => map_items(value, |k| {
            pick(
                k,
                &[
                    "id",
                    "title",
                    "read_only",
                    "verified",
                    "created_at",
                    "last_used",
                    "added_by",
                    "enabled",
                ],
            )
        }),
        "collaborators" | "outside_collaborators" => map_items(value, |c| {
            pick(
                c,
                &["login", "type", "site_admin", "role_name", "permissions"],
            )
        }),
        "environments" => map_items(value, trim_environment),
        "rulesets" => map_items(value, trim_ruleset),
        "dependabot_alerts" | "code_scanning_alerts" | "secret_scanning_alerts" => {
            count_alerts(key, &value)
        }
        _ => value,
    }
}

fn map_items(value: Value, f: impl Fn(&Value) -> Value) -> Value {
    match value {
        Value::Array(items) => {
            Value::Array(items.iter().filter(|i| i.is_object()).map(f).collect())
        }
        _ => Value::Array(Vec::new()),
    }
}

fn pick(object: &Value, keys: &[&str]) -> Value {
    let mut out = Map::new();
    for key in keys {
        if let Some(v) = object.get(*key) {
            out.insert((*key).to_string(), v.clone());
        }
    }
    Value::Object(out)
}

/// A webhook keeps its URL's scheme, host and path — never the query or user info, which
/// often carry a token — and whether a secret is set, never the secret.
fn trim_hook(hook: &Value) -> Value {
    let mut out = pick(hook, &["id", "name", "active", "events"]);
    let config = hook.get("config").cloned().unwrap_or(Value::Null);
    let url = config.get("url").and_then(Value::as_str).map(strip_url);
    let secret = config
        .get("secret")
        .is_some_and(|s| s.as_str().is_some_and(|s| !s.is_empty()));
    let insecure = match config.get("insecure_ssl") {
        Some(Value::String(s)) => s == "1",
        Some(Value::Number(n)) => n.as_u64() == Some(1),
        _ => false,
    };
    if let Value::Object(map) = &mut out {
        map.insert(
            "config".to_string(),
            json!({ "url": url, "has_secret": secret, "insecure_ssl": insecure }),
        );
    }
    out
}

/// `scheme://host/path` of a URL, dropping user info, query and fragment.
pub fn strip_url(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = authority.rsplit('@').next().unwrap_or(authority);
            format!("{scheme}://{host}/{path}")
        }
        None => url.to_string(),
    }
}

fn trim_environment(env: &Value) -> Value {
    let mut out = pick(
        env,
        &["name", "can_admins_bypass", "deployment_branch_policy"],
    );
    let rules: Vec<Value> = env
        .get("protection_rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| {
            let mut rule = pick(r, &["type", "wait_timer", "prevent_self_review"]);
            if let (Value::Object(map), Some(reviewers)) =
                (&mut rule, r.get("reviewers").and_then(Value::as_array))
            {
                map.insert("reviewers".to_string(), json!(reviewers.len()));
            }
            rule
        })
        .collect();
    if let Value::Object(map) = &mut out {
        map.insert("protection_rules".to_string(), Value::Array(rules));
    }
    out
}

/// A ruleset keeps who it is, whether it is enforced, and who may bypass it; its rules are
/// known from the branch's active rules already.
pub fn trim_ruleset(ruleset: &Value) -> Value {
    let mut out = pick(
        ruleset,
        &[
            "id",
            "name",
            "target",
            "source_type",
            "source",
            "enforcement",
            "current_user_can_bypass",
        ],
    );
    // Left out, not emptied, when GitHub did not show them (a null is not a list either):
    // "nobody may bypass" and "not shown" must stay apart.
    let actors = ruleset.get("bypass_actors").filter(|a| a.is_array());
    if let (Value::Object(map), Some(actors)) = (&mut out, actors) {
        let actors = map_items(actors.clone(), |a| {
            pick(a, &["actor_id", "actor_type", "bypass_mode"])
        });
        map.insert("bypass_actors".to_string(), actors);
    }
    out
}

/// Open alerts as counts by severity: an alert's body can hold the secret it found.
fn count_alerts(key: &str, value: &Value) -> Value {
    let mut counts = Map::new();
    let mut open = 0u64;
    for alert in value.as_array().into_iter().flatten() {
        if alert
            .get("state")
            .and_then(Value::as_str)
            .is_some_and(|s| s != "open")
        {
            continue;
        }
        open += 1;
        let severity = alert_severity(key, alert);
        let entry = counts.entry(severity).or_insert(json!(0));
        *entry = json!(entry.as_u64().unwrap_or(0) + 1);
    }
    json!({ "open": open, "by_severity": counts })
}

fn alert_severity(key: &str, alert: &Value) -> String {
    let text = |pointer: &str| alert.pointer(pointer).and_then(Value::as_str);
    let severity = match key {
        "dependabot_alerts" => {
            text("/security_advisory/severity").or_else(|| text("/security_vulnerability/severity"))
        }
        "code_scanning_alerts" => text("/rule/security_severity_level").or_else(|| {
            // Rules without a security severity rate themselves error / warning / note.
            text("/rule/severity").map(|s| if s == "error" { "high" } else { "low" })
        }),
        // A leaked credential is always at least high.
        _ => Some("high"),
    };
    severity.unwrap_or("unknown").to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_credentials() {
        assert_eq!(
            strip_url("https://user:pw@hooks.example.com/in?token=abc#x"),
            "https://hooks.example.com/in"
        );
    }

    #[test]
    fn alerts_become_counts_without_bodies() {
        let alerts = json!([
            {"state": "open", "security_advisory": {"severity": "high"}},
            {"state": "dismissed", "security_advisory": {"severity": "critical"}},
            {"state": "open", "secret": "ghp_x"}
        ]);
        let counted = trim("dependabot_alerts", alerts);
        assert_eq!(counted["open"], 2);
        assert_eq!(counted["by_severity"]["high"], 1);
        assert!(!counted.to_string().contains("ghp_"));
    }
}
