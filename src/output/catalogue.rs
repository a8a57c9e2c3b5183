//! `rampart checks` and `rampart explain`.

use std::fmt::Write as _;

use color_eyre::eyre::Result;
use serde_json::json;

use crate::checks::Check;

/// The catalogue as a table, or as JSON.
pub fn render(catalogue: &[&Check], as_json: bool) -> Result<String> {
    if as_json {
        let items: Vec<_> = catalogue.iter().map(|c| check_json(c)).collect();
        return Ok(serde_json::to_string_pretty(&items)? + "\n");
    }
    let mut out = String::new();
    let _ = writeln!(out, "{:<8} {:<10} {:<10} TITLE", "ID", "AREA", "SEVERITY");
    for check in catalogue {
        let _ = writeln!(
            out,
            "{:<8} {:<10} {:<10} {}",
            check.id,
            check.area.key(),
            check.severity.key(),
            check.title
        );
    }
    Ok(out)
}

/// Everything known about one check, for a person.
pub fn explain(check: &Check) -> String {
    let mut out = String::new();
    let sources: Vec<&str> = check.sources.iter().map(|s| s.key()).collect();
    let _ = writeln!(out, "{} · {}", check.id, check.title);
    let _ = writeln!(
        out,
        "area: {} · severity: {} · sources: {}",
        check.area.title(),
        check.severity,
        sources.join(", ")
    );
    let _ = writeln!(out, "\nWhy it matters\n  {}", check.why);
    let _ = writeln!(out, "\nRemediation\n  {}", check.remediation);
    let _ = writeln!(
        out,
        "\n```{}\n{}```",
        check.snippet.language, check.snippet.code
    );
    let _ = writeln!(out, "\nReferences\n  {}", check.references.join("; "));
    if !check.differs_from.is_empty() {
        let _ = writeln!(out, "\nDiffers from peers\n  {}", check.differs_from);
    }
    out
}

/// One check as JSON, for `rampart checks --json` and the JSON report's catalogue.
pub fn check_json(check: &Check) -> serde_json::Value {
    json!({
        "id": check.id,
        "area": check.area.key(),
        "severity": check.severity.key(),
        "title": check.title,
        "why": check.why,
        "remediation": check.remediation,
        "snippet": { "language": check.snippet.language, "code": check.snippet.code },
        "references": check.references,
        "sources": check.sources.iter().map(|s| s.key()).collect::<Vec<_>>(),
    })
}
