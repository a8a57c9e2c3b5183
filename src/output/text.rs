//! The plain summary printed when standard output is not a terminal.

use std::fmt::Write as _;

use crate::model::{Area, BaselineState, Finding, Severity, SuppressionNote};
use crate::report::Report;
use crate::sanitize::one_line;
use crate::score::{AreaScore, Mark};

/// How many findings the summary lists before pointing at the full formats.
const WORST: usize = 10;

/// Renders the summary.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    header(&mut out, report);
    areas(&mut out, report);
    worst(&mut out, report);
    baseline(&mut out, report);
    suppressed(&mut out, report);
    skipped(&mut out, report);
    for warning in &report.warnings {
        let _ = writeln!(out, "warning: {}", one_line(warning));
    }
    out
}

fn header(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "Rampart {} · {}",
        report.tool_version,
        one_line(&report.target)
    );
    for source in &report.sources {
        let _ = writeln!(
            out,
            "source {}: {} ({})",
            source.kind,
            source.status.label(),
            one_line(&source.target)
        );
    }
    let _ = writeln!(out);
    let overall = mark_text(&report.scores.overall);
    let cap = if report.scores.capped {
        "  capped: a critical check fails"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "Overall  {overall}  coverage {:.0}%{cap}",
        report.scores.coverage * 100.0
    );
    let _ = writeln!(out);
}

fn areas(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "{:<34} {:<14} {:>8}  {:>4} {:>4} {:>4} {:>4}",
        "Area", "Grade", "Coverage", "crit", "high", "med", "low"
    );
    for area in Area::ALL {
        let Some(score) = report.scores.area(area) else {
            continue;
        };
        let counts = |s: Severity| {
            report
                .each_finding()
                .filter(|f| f.area == area && f.severity == s)
                .count()
        };
        let _ = writeln!(
            out,
            "{:<34} {:<14} {:>8}  {:>4} {:>4} {:>4} {:>4}",
            area.title(),
            mark_text(&score.mark),
            coverage_text(score),
            counts(Severity::Critical),
            counts(Severity::High),
            counts(Severity::Medium),
            counts(Severity::Low),
        );
    }
    let _ = writeln!(out);
}

fn worst(out: &mut String, report: &Report) {
    let findings = report.listed_findings();
    let new = if report.only_new { "new " } else { "" };
    if findings.is_empty() {
        let _ = writeln!(out, "No {new}findings at or above {}.", report.min_severity);
        return;
    }
    let heading = if report.only_new {
        "New findings"
    } else {
        "Findings"
    };
    let _ = writeln!(out, "{heading} ({}), most severe first:", findings.len());
    for finding in findings.iter().take(WORST) {
        let _ = writeln!(out, "  {}", finding_line(finding));
    }
    if findings.len() > WORST {
        let _ = writeln!(
            out,
            "  … {} more; `--format markdown` or `--json` lists them all",
            findings.len() - WORST
        );
    }
}

fn baseline(out: &mut String, report: &Report) {
    let Some(comparison) = &report.baseline else {
        return;
    };
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Since {}: {} new, {} unchanged, {} fixed, {} unknown (check not assessed)",
        one_line(&comparison.file),
        comparison.new,
        comparison.unchanged,
        comparison.fixed.len(),
        comparison.unknown.len()
    );
    for entry in comparison.fixed.iter().take(WORST) {
        let _ = writeln!(
            out,
            "  fixed    {}  {}",
            entry.check_id,
            one_line(&entry.resource)
        );
    }
}

fn suppressed(out: &mut String, report: &Report) {
    let findings = report.suppressed_findings();
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Suppressed ({}), not graded; `--no-suppressions` counts them:",
        findings.len()
    );
    for finding in findings.iter().take(WORST) {
        let _ = writeln!(out, "  {}", finding_line(finding));
    }
    if findings.len() > WORST {
        let _ = writeln!(out, "  … {} more", findings.len() - WORST);
    }
}

fn finding_line(finding: &Finding) -> String {
    let location = finding
        .location
        .as_ref()
        .map(|l| format!("  {}:{}", one_line(&l.path), l.line))
        .unwrap_or_default();
    let mut line = format!(
        "{:<8} {}  {}  {}{location}",
        finding.severity.key().to_uppercase(),
        finding.check_id,
        one_line(&finding.message),
        one_line(&finding.resource.display),
    );
    if finding.baseline == Some(BaselineState::New) {
        line.insert_str(0, "NEW ");
    }
    if let Some(note) = &finding.suppression {
        line.push_str(&suppression_text(note));
    }
    line
}

/// `  [suppressed: reason]`, or a note that the suppression expired.
pub fn suppression_text(note: &SuppressionNote) -> String {
    if note.expired {
        format!(
            "  [suppression expired {}: {}]",
            note.expires.as_deref().unwrap_or(""),
            one_line(&note.reason)
        )
    } else {
        format!("  [suppressed: {}]", one_line(&note.reason))
    }
}

fn skipped(out: &mut String, report: &Report) {
    if report.skipped.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Skipped files ({}):", report.skipped.len());
    for file in &report.skipped {
        let _ = writeln!(
            out,
            "  {}: {}",
            one_line(&file.path),
            one_line(&file.reason)
        );
    }
}

/// `B  84.5`, or `not assessed`.
pub fn mark_text(mark: &Mark) -> String {
    match mark {
        Mark::Graded { score, grade } => format!("{}  {score:>5.1}", grade.letter()),
        Mark::NotAssessed { .. } => "not assessed".to_string(),
    }
}

fn coverage_text(score: &AreaScore) -> String {
    if score.applicable_weight == 0.0 {
        "-".to_string()
    } else {
        format!("{:.0}%", score.coverage * 100.0)
    }
}
