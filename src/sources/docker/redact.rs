//! Redaction of Docker objects before they are stored.
//!
//! Environment entries are `NAME=value` strings, which the generic JSON redaction cannot
//! pair up, so they are judged here: a secret-looking name loses its value, and known
//! credential formats are replaced wherever they appear. Image history commands are
//! shell lines with `ARG`/`ENV` assignments in them.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::evidence::DockerImage;
use crate::secrets::{is_placeholder, is_secret_name, redact_assignments, redact_known};

/// Redacts a container's inspect data in place.
pub fn container(inspect: &mut Value) {
    if let Some(env) = inspect.pointer_mut("/Config/Env") {
        env_list(env);
    }
    crate::secrets::redact_value(inspect);
}

/// Redacts an image's inspect data and history in place.
pub fn image(image: &mut DockerImage) {
    for pointer in ["/Config/Env", "/ContainerConfig/Env"] {
        if let Some(env) = image.inspect.pointer_mut(pointer) {
            env_list(env);
        }
    }
    for pointer in ["/Config/Cmd", "/ContainerConfig/Cmd"] {
        if let Some(Value::Array(parts)) = image.inspect.pointer_mut(pointer) {
            for part in parts.iter_mut() {
                if let Value::String(s) = part {
                    *s = command(s);
                }
            }
        }
    }
    crate::secrets::redact_value(&mut image.inspect);
    for layer in &mut image.history {
        if let Some(Value::String(command)) = layer.get_mut("CreatedBy") {
            *command = self::command(command);
        }
        crate::secrets::redact_value(layer);
    }
}

/// A history or `CMD` line with every `NAME=value` word to a secret-looking name redacted.
///
/// Each word is judged on its own first, because a line like `ENV API_TOKEN=… MODE=prod`
/// would otherwise be read as the assignment `ENV API_TOKEN=…` to a harmless name.
pub fn command(line: &str) -> String {
    static WORD: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::unwrap_used)]
        Regex::new(r#"[A-Za-z_][A-Za-z0-9_.-]*=("[^"]*"|'[^']*'|\S+)"#).unwrap()
    });
    let words = WORD.replace_all(line, |c: &regex::Captures<'_>| {
        let word = &c[0];
        match word.split_once('=') {
            Some((name, value)) => {
                let bare = value.trim_matches(['"', '\'']);
                if is_secret_name(name) && !is_placeholder(bare) {
                    format!(
                        "{name}={}",
                        crate::secrets::redaction("generic-secret", bare)
                    )
                } else {
                    word.to_string()
                }
            }
            None => word.to_string(),
        }
    });
    redact_assignments(&words)
}

/// Redacts every `NAME=value` entry of an environment list.
pub fn env_list(env: &mut Value) {
    let Value::Array(entries) = env else {
        return;
    };
    for entry in entries.iter_mut() {
        if let Value::String(text) = entry {
            *text = env_entry(text);
        }
    }
}

/// One `NAME=value` entry with its value redacted when it is a secret.
pub fn env_entry(entry: &str) -> String {
    let Some((name, value)) = entry.split_once('=') else {
        return redact_known(entry);
    };
    if is_secret_name(name) && !is_placeholder(value) && !value.starts_with("[redacted") {
        format!(
            "{name}={}",
            crate::secrets::redaction("generic-secret", value)
        )
    } else {
        format!("{name}={}", redact_known(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_values_under_secret_names_are_replaced() {
        let value = format!("pw-{}", "9".repeat(14));
        let out = env_entry(&format!("DB_PASSWORD={value}"));
        assert!(!out.contains(&value));
        assert!(out.starts_with("DB_PASSWORD=[redacted generic-secret"));
        assert_eq!(env_entry("MODE=prod"), "MODE=prod");
    }

    #[test]
    fn history_lines_lose_values_after_other_words() {
        let value = format!("tk-{}", "7".repeat(14));
        let line = format!("/bin/sh -c #(nop)  ENV API_TOKEN={value} MODE=prod");
        let out = command(&line);
        assert!(!out.contains(&value), "{out}");
        assert!(out.contains("MODE=prod"));
        let out = command(&format!("|1 BUILD_TOKEN=\"{value}\" /bin/busybox true"));
        assert!(!out.contains(&value), "{out}");
    }
}
