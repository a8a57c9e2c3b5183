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

/// `docs/checks.md`: the whole catalogue as a reference page. Generated; a test fails
/// when the committed page differs from what this function renders.
pub fn reference_doc(catalogue: &[&Check]) -> String {
    let mut out = String::new();
    out.push_str(
        "# Check reference\n\n\
         Generated from the catalogue by `RAMPART_BLESS=1 cargo test --test docs`; do not \
         edit by hand.\nSeverities weigh in grading as `docs/scoring.md` describes.\n\n",
    );
    let _ = writeln!(out, "| id | area | severity | title | sources |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for check in catalogue {
        let sources: Vec<&str> = check.sources.iter().map(|s| s.key()).collect();
        let _ = writeln!(
            out,
            "| [{id}](#{anchor}) | {} | {} | {} | {} |",
            check.area.title(),
            check.severity,
            check.title,
            sources.join(", "),
            id = check.id,
            anchor = check.id.to_ascii_lowercase(),
        );
    }
    for check in catalogue {
        reference_section(&mut out, check);
    }
    recognised_tools(&mut out);
    credential_formats(&mut out);
    out
}

/// What the presence checks of the build area accept as evidence of a control.
fn recognised_tools(out: &mut String) {
    use crate::checks::build::{IMAGE_BUILDS, PUBLISHING, RECOGNISED};

    out.push_str("\n## Recognised tools\n\n");
    out.push_str(
        "The presence checks pass when any workflow uses one of these actions or runs one \
         of these commands (words in this order on one line of a `run:` script).\n\n",
    );
    let _ = writeln!(out, "| check | actions | commands |");
    let _ = writeln!(out, "|---|---|---|");
    for tools in RECOGNISED.iter().chain([&IMAGE_BUILDS, &PUBLISHING]) {
        let quote = |items: &[&str]| {
            items
                .iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let label = if std::ptr::eq(tools, &IMAGE_BUILDS) {
            format!("{} (builds an image)", tools.check)
        } else if std::ptr::eq(tools, &PUBLISHING) {
            format!("{} (publishes)", tools.check)
        } else {
            tools.check.to_string()
        };
        let _ = writeln!(
            out,
            "| {label} | {} | {} |",
            quote(tools.actions),
            quote(tools.commands)
        );
    }
}

/// The credential formats the shared secret detector knows (SEC-001 and friends).
fn credential_formats(out: &mut String) {
    out.push_str("\n## Credential formats\n\n");
    out.push_str(
        "Known formats are reported as critical; generic high-entropy assignments to \
         secret-looking names are reported too, as `docs/secrets.md` explains with the \
         placeholder rules.\n\n",
    );
    let _ = writeln!(out, "| kind | what |");
    let _ = writeln!(out, "|---|---|");
    for format in crate::secrets::KNOWN_FORMATS.iter() {
        let _ = writeln!(out, "| `{}` | {} |", format.kind, format.description);
    }
}

fn reference_section(out: &mut String, check: &Check) {
    let _ = writeln!(
        out,
        "\n## {}\n\n**{}** · {} · {}\n",
        check.id,
        check.title,
        check.area.title(),
        check.severity
    );
    let _ = writeln!(out, "{}\n", check.why);
    let _ = writeln!(out, "**Remediation.** {}\n", check.remediation);
    let _ = writeln!(
        out,
        "```{}\n{}```\n",
        check.snippet.language, check.snippet.code
    );
    let _ = writeln!(out, "**References:** {}", check.references.join("; "));
    if !check.differs_from.is_empty() {
        let _ = writeln!(out, "\n**Differs from peers:** {}", check.differs_from);
    }
}
