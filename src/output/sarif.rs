//! The SARIF 2.1.0 output, for GitHub code scanning and other SARIF viewers.
//!
//! One run with one rule per check of the catalogue. Results are the shown findings (those
//! at or above `--min-severity`) that have a file location: a finding about a live object
//! (a running container, a repository setting) has no line to annotate, so SARIF omits it
//! and the JSON and markdown reports carry it instead.

use std::fmt::Write as _;

use color_eyre::eyre::{Context as _, Result};
use serde_json::{Value, json};

use crate::checks::Outcome;
use crate::model::{BaselineState, Finding, Location, Severity, SuppressionKind, SuppressionNote};
use crate::report::Report;

/// The JSON Schema of SARIF 2.1.0, named in the `$schema` of the log.
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of the fingerprint in `partialFingerprints`; versioned so that a change to how
/// fingerprints are computed can use a new key instead of silently reopening alerts.
pub const FINGERPRINT_KEY: &str = "rampart/v1";

/// Where the tool's documentation lives, from the `repository` field of Cargo.toml.
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// Renders the report as a SARIF 2.1.0 log.
pub fn render(report: &Report) -> Result<String> {
    let json = serde_json::to_string_pretty(&log(report)).wrap_err("cannot serialise SARIF")?;
    Ok(json + "\n")
}

/// The SARIF log as a JSON value.
pub fn log(report: &Report) -> Value {
    let rules: Vec<Value> = report.outcomes.iter().map(rule).collect();
    // Suppressed findings are results too, with a `suppressions` entry, so code scanning
    // shows them as dismissed rather than losing them.
    let results: Vec<Value> = report
        .findings()
        .into_iter()
        .chain(report.suppressed_findings())
        .filter_map(|f| result(report, f))
        .collect();

    let mut driver = json!({
        "name": "rampart",
        "version": report.tool_version,
        "semanticVersion": report.tool_version,
        "rules": rules,
    });
    // SARIF makes informationUri optional; an empty one would be an invalid URI.
    if !INFORMATION_URI.is_empty() {
        driver["informationUri"] = json!(INFORMATION_URI);
    }

    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "results": results,
        }],
    })
}

/// One rule from one check. Levels and security severities follow the effective severity,
/// so a severity raised in `rampart.toml` shows in code scanning too.
fn rule(outcome: &Outcome) -> Value {
    let check = outcome.check;
    let mut properties = json!({
        "tags": ["security", check.area.key()],
        "references": check.references,
    });
    if let Some(score) = security_severity(outcome.severity) {
        properties["security-severity"] = json!(score);
    }

    json!({
        "id": check.id,
        "name": rule_name(check.title),
        "shortDescription": { "text": check.title },
        "fullDescription": { "text": check.why },
        "help": {
            "text": check.remediation,
            "markdown": help_markdown(outcome),
        },
        "defaultConfiguration": { "level": level(outcome.severity) },
        "properties": properties,
    })
}

fn help_markdown(outcome: &Outcome) -> String {
    let check = outcome.check;
    let snippet = super::markdown::fenced(check.snippet.language, check.snippet.code);
    format!("{}\n\n{snippet}\n", check.remediation)
}

/// One result, or `None` for a finding without a file location.
fn result(report: &Report, finding: &Finding) -> Option<Value> {
    let location = finding.location.as_ref()?;
    let index = report
        .outcomes
        .iter()
        .position(|o| o.check.id == finding.check_id)?;

    let mut result = json!({
        "ruleId": finding.check_id,
        "ruleIndex": index,
        "level": level(finding.severity),
        "message": { "text": message(finding) },
        "locations": [physical_location(location)],
        "partialFingerprints": { FINGERPRINT_KEY: finding.fingerprint },
    });
    if let Some(note) = &finding.suppression {
        if note.expired {
            result["properties"] = json!({ "suppressionExpired": note.expires });
        } else {
            result["suppressions"] = json!([suppression(note)]);
        }
    }
    if let Some(state) = finding.baseline {
        result["baselineState"] = json!(match state {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        });
    }
    Some(result)
}

/// A SARIF suppression: `inSource` for annotations and comments in the scanned files,
/// `external` for configuration.
fn suppression(note: &SuppressionNote) -> Value {
    let kind = match note.kind {
        SuppressionKind::Config => "external",
        SuppressionKind::Annotation | SuppressionKind::Comment => "inSource",
    };
    let mut value = json!({
        "kind": kind,
        "status": "accepted",
        "justification": note.reason,
        "location": { "message": { "text": note.origin } },
    });
    if let Some(expires) = &note.expires {
        value["properties"] = json!({ "expires": expires });
    }
    value
}

/// The message with the resource, since one file can hold several objects.
fn message(finding: &Finding) -> String {
    format!("{} · {}", finding.message, finding.resource.display)
}

fn physical_location(location: &Location) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&location.path), "uriBaseId": "%SRCROOT%" },
            "region": { "startLine": location.line.max(1) },
        }
    })
}

/// A relative URI with forward slashes, as code scanning matches it against the checkout.
/// Bytes outside the unreserved set are percent-encoded so that a space or `#` in a file
/// name cannot end the path.
fn uri(path: &str) -> String {
    let slashed = path.replace('\\', "/");
    let relative = slashed.trim_start_matches("./").trim_start_matches('/');

    let mut out = String::with_capacity(relative.len());
    for byte in relative.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// The score GitHub code scanning turns into critical, high, medium or low. Info has none,
/// so code scanning falls back to the level.
pub fn security_severity(severity: Severity) -> Option<&'static str> {
    // GitHub reads this property as a number written in a string.
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("3.0"),
        Severity::Info => None,
    }
}

/// `Container runs privileged` → `ContainerRunsPrivileged`: SARIF wants an identifier-like
/// name next to the id.
fn rule_name(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_identifiers() {
        assert_eq!(
            rule_name("Container runs privileged"),
            "ContainerRunsPrivileged"
        );
        assert_eq!(
            rule_name("Action not pinned to a SHA"),
            "ActionNotPinnedToASHA"
        );
    }

    #[test]
    fn uris_are_relative_with_forward_slashes() {
        assert_eq!(uri("deploy\\web.yaml"), "deploy/web.yaml");
        assert_eq!(uri("./Dockerfile"), "Dockerfile");
        assert_eq!(uri("my dir/a#1.yaml"), "my%20dir/a%231.yaml");
    }

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
        assert_eq!(level(Severity::Info), "note");
    }
}
