//! Secret detection and redaction, shared by every source.
//!
//! Sources call this while collecting, before anything is stored, so no evidence bundle,
//! output, log or screen can carry a secret value. A redacted value keeps its kind, its
//! length and a keyed hash, which is enough to tell two occurrences of one secret apart
//! from two different secrets without revealing either.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// A credential format recognisable by its shape alone.
struct KnownFormat {
    kind: &'static str,
    pattern: Regex,
}

fn known(kind: &'static str, pattern: &str) -> KnownFormat {
    // The patterns are literals of this file, covered by tests below.
    #[allow(clippy::unwrap_used)]
    KnownFormat {
        kind,
        pattern: Regex::new(pattern).unwrap(),
    }
}

static KNOWN_FORMATS: LazyLock<Vec<KnownFormat>> = LazyLock::new(|| {
    vec![
        known("aws-access-key-id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
        known("github-token", r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b"),
        known(
            "github-fine-grained-token",
            r"\bgithub_pat_[A-Za-z0-9_]{60,255}\b",
        ),
        known("gitlab-token", r"\bglpat-[A-Za-z0-9_\-]{20,}\b"),
        known("slack-token", r"\bxox[baprs]-[A-Za-z0-9-]{10,}\b"),
        known("stripe-secret-key", r"\b[sr]k_live_[A-Za-z0-9]{20,}\b"),
        known(
            "private-key",
            r"-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----",
        ),
    ]
});

/// Names of variables and keys whose values are secrets by convention.
static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(r"(?i)(passw(or)?d|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential|auth[_-]?key)").unwrap()
});

/// Whether a variable or key name conventionally holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    SECRET_NAME.is_match(name)
}

/// Whether a value is a placeholder or a reference rather than a secret.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    v.is_empty()
        || v.starts_with('$')
        || v.starts_with("{{")
        || v.starts_with('<')
        || v.chars().all(|c| c == 'x' || c == 'X' || c == '*')
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "changeme"
                | "change-me"
                | "password"
                | "secret"
                | "example"
                | "dummy"
                | "test"
                | "none"
                | "null"
                | "true"
                | "false"
                // Workflow keywords under secret-looking keys: `id-token: write`,
                // `secrets: inherit`. Redacting them breaks the workflow's schema.
                | "read"
                | "write"
                | "inherit"
        )
}

/// The text that stands in for a secret value: kind, length and a keyed hash.
pub fn redaction(kind: &str, value: &str) -> String {
    format!(
        "[redacted {kind}, {} chars, #{}]",
        value.chars().count(),
        keyed_hash(value)
    )
}

/// A short keyed hash of a secret value.
///
/// TODO: derive the key from a per-installation random file under the user's data
/// directory, so that a bundle's hashes cannot be checked against guessed values by
/// someone who has the bundle and this source code.
pub fn keyed_hash(value: &str) -> String {
    let key = blake3::derive_key("rampart 2026 secret redaction v1", b"rampart");
    blake3::keyed_hash(&key, value.as_bytes()).to_hex()[..12].to_string()
}

/// Replaces every known credential format in `text` with its redaction.
pub fn redact_known(text: &str) -> String {
    let mut out = text.to_string();
    for format in KNOWN_FORMATS.iter() {
        if format.pattern.is_match(&out) {
            out = format
                .pattern
                .replace_all(&out, |c: &regex::Captures<'_>| {
                    redaction(format.kind, &c[0])
                })
                .into_owned();
        }
    }
    out
}

/// Redacts `NAME=value` and `NAME value` assignments to secret-looking names, then any
/// known formats. Used for Dockerfile `ENV`/`ARG` and similar lines.
pub fn redact_assignments(text: &str) -> String {
    static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::unwrap_used)]
        Regex::new(
            r#"(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)(?P<sep>=|\s+)(?P<value>"[^"]*"|'[^']*'|\S+)"#,
        )
        .unwrap()
    });
    let replaced = ASSIGNMENT.replace_all(text, |c: &regex::Captures<'_>| {
        let (name, sep, value) = (&c["name"], &c["sep"], &c["value"]);
        if is_secret_name(name) && !is_placeholder(value) {
            format!(
                "{name}{sep}{}",
                redaction("generic-secret", value.trim_matches(['"', '\'']))
            )
        } else {
            c[0].to_string()
        }
    });
    redact_known(&replaced)
}

/// Redacts a JSON tree in place: known formats in every string, values under
/// secret-looking keys, `{name, value}` pairs with a secret-looking name (container
/// environment), and every value of a Kubernetes Secret's `data` and `stringData`.
pub fn redact_value(value: &mut Value) {
    let is_secret_object = value.get("kind").and_then(Value::as_str) == Some("Secret");
    if let Value::Object(map) = value
        && is_secret_object
    {
        for field in ["data", "stringData"] {
            if let Some(Value::Object(entries)) = map.get_mut(field) {
                for (_, v) in entries.iter_mut() {
                    let text = scalar_text(v);
                    *v = Value::String(redaction("kubernetes-secret-value", &text));
                }
            }
        }
    }
    redact_walk(value);
}

fn redact_walk(value: &mut Value) {
    match value {
        Value::String(s) => {
            let redacted = redact_known(s);
            if redacted != *s {
                *s = redacted;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_walk),
        Value::Object(map) => {
            let named_secret = map
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(is_secret_name);
            for (key, v) in map.iter_mut() {
                let secret_slot = is_secret_name(key) || (named_secret && key == "value");
                match v {
                    Value::String(s)
                        if secret_slot && !is_placeholder(s) && !s.starts_with("[redacted") =>
                    {
                        *s = redaction("generic-secret", s);
                    }
                    _ => redact_walk(v),
                }
            }
        }
        _ => {}
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Credential-shaped strings are assembled at run time so that this file itself does
    // not trip secret scanners.
    fn fake_aws_key() -> String {
        format!("AKIA{}", "Q".repeat(16))
    }

    #[test]
    fn known_formats_are_replaced() {
        let key = fake_aws_key();
        let out = redact_known(&format!("aws configure set key {key}"));
        assert!(!out.contains(&key));
        assert!(out.contains("[redacted aws-access-key-id, 20 chars, #"));
    }

    #[test]
    fn assignments_to_secret_names_are_replaced_but_references_kept() {
        let out = redact_assignments("DB_PASSWORD=hunter2hunter2 MODE=prod TOKEN=${TOKEN}");
        assert!(!out.contains("hunter2"));
        assert!(out.contains("MODE=prod"));
        assert!(out.contains("TOKEN=${TOKEN}"));
    }

    #[test]
    fn json_trees_lose_secret_values() {
        let mut v = json!({
            "kind": "Secret",
            "data": {"password": "c2VjcmV0"},
            "spec": {"env": [{"name": "API_TOKEN", "value": "abcdef123456"}, {"name": "MODE", "value": "prod"}]}
        });
        redact_value(&mut v);
        let text = v.to_string();
        assert!(!text.contains("c2VjcmV0"));
        assert!(!text.contains("abcdef123456"));
        assert!(text.contains("prod"));
    }

    #[test]
    fn same_value_same_hash() {
        assert_eq!(keyed_hash("a"), keyed_hash("a"));
        assert_ne!(keyed_hash("a"), keyed_hash("b"));
    }
}
