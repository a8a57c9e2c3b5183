//! The markdown report (`--report FILE`): the grades, what cost the most, every shown
//! finding and how to fix each failing check, for a pull request or a wiki page.
//!
//! Text that came from evidence (names, paths, messages) is cleaned of control characters
//! and, in tables, folded to one line with `|` escaped, so a hostile name cannot break the
//! table or the terminal it is printed to.

use std::fmt::Write as _;

use crate::checks::{Outcome, Status};
use crate::evidence::{SourceRecord, SourceStatus};
use crate::model::{Area, BaselineState, Finding, Severity};
use crate::report::Report;
use crate::sanitize::{clean, one_line};
use crate::score::{AreaScore, Mark};

/// How many of an area's costliest checks "What cost the most" lists.
const TOP_COSTS: usize = 3;

/// Renders the report.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    header(&mut out, report);
    sources(&mut out, report);
    summary(&mut out, report);
    for score in &report.scores.areas {
        area(&mut out, report, score);
    }
    baseline(&mut out, report);
    suppressed(&mut out, report);
    skipped(&mut out, report);
    warnings(&mut out, report);

    // Every section ends with a blank line; the file should end with exactly one newline.
    let end = out.trim_end().len();
    out.truncate(end);
    out.push('\n');
    out
}

fn header(out: &mut String, report: &Report) {
    let _ = writeln!(out, "# Rampart report: {}\n", cell(&report.target));
    let _ = writeln!(
        out,
        "Evaluated at {} by Rampart {}.\n",
        clock(report),
        report.tool_version
    );

    let coverage = percent(report.scores.coverage);
    match &report.scores.overall {
        Mark::Graded { score, grade } => {
            let _ = writeln!(
                out,
                "**Overall grade: {}** ({score:.1} / 100) · coverage {coverage}\n",
                grade.letter()
            );
        }
        Mark::NotAssessed { reason } => {
            let _ = writeln!(out, "**Overall: not assessed**: {}\n", clean(reason));
        }
    }
    if report.scores.capped {
        let _ = writeln!(
            out,
            "> Capped at D: a critical check fails, so no grade can be better than D.\n"
        );
    }
}

fn clock(report: &Report) -> String {
    report
        .clock
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| report.clock.to_string())
}

fn sources(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Sources\n");
    if report.sources.is_empty() {
        let _ = writeln!(out, "No source was read.\n");
        return;
    }
    let _ = writeln!(out, "| Source | Status | Target | Detail |");
    let _ = writeln!(out, "|---|---|---|---|");
    // Sources finish in any order, since they run concurrently; list them in a fixed one.
    let mut records: Vec<&SourceRecord> = report.sources.iter().collect();
    records.sort_by_key(|r| r.kind);
    for source in records {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            source.kind,
            source.status.label(),
            cell(&source.target),
            cell(&source_detail(source))
        );
    }
    let _ = writeln!(out);
}

/// Why a source is partial or unavailable, and what it was denied.
fn source_detail(source: &SourceRecord) -> String {
    let mut parts = Vec::new();
    match &source.status {
        SourceStatus::Connected => {}
        SourceStatus::Partial { reason } => parts.push(reason.clone()),
        SourceStatus::Unavailable { reason, fix } => {
            parts.push(reason.clone());
            parts.push(format!("fix: {fix}"));
        }
    }
    for (resource, why) in &source.denied {
        parts.push(format!("denied {resource}: {why}"));
    }
    parts.join("; ")
}

fn summary(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "| Area | Grade | Score | Coverage | Critical | High | Medium | Low | Info |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for score in &report.scores.areas {
        let counts = Severity::DESCENDING.map(|s| count(report, score.area, s).to_string());
        let _ = writeln!(
            out,
            "| [{}](#{}) | {} | {} | {} | {} |",
            score.area.title(),
            anchor(score.area),
            grade_text(&score.mark),
            score_text(&score.mark),
            coverage_text(score),
            counts.join(" | ")
        );
    }
    let _ = writeln!(out);
}

/// Findings of one area and severity, shown or not: counts are grading data.
fn count(report: &Report, area: Area, severity: Severity) -> usize {
    report
        .each_finding()
        .filter(|f| f.area == area && f.severity == severity)
        .count()
}

fn area(out: &mut String, report: &Report, score: &AreaScore) {
    let _ = writeln!(out, "## {}\n", score.area.title());
    match &score.mark {
        Mark::Graded {
            score: points,
            grade,
        } => {
            let cap = if score.capped {
                " · capped at D: a critical check fails"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "**Grade {}** ({points:.1} / 100) · coverage {}{cap}\n",
                grade.letter(),
                coverage_text(score)
            );
        }
        Mark::NotAssessed { reason } => {
            let reason = clean(reason);
            let _ = writeln!(out, "**Not assessed**: {}.\n", reason.trim_end_matches('.'));
        }
    }

    costs(out, score);
    area_findings(out, report, score.area);
    not_assessed(out, report, score.area);
    remediations(out, report, score.area);
}

fn costs(out: &mut String, score: &AreaScore) {
    if score.costs.is_empty() {
        return;
    }
    let _ = writeln!(out, "### What cost the most\n");
    for cost in score.costs.iter().take(TOP_COSTS) {
        let _ = writeln!(out, "- {}: {:.1} points", cost.check_id, cost.points);
    }
    let _ = writeln!(out);
}

fn area_findings(out: &mut String, report: &Report, area: Area) {
    let findings: Vec<&Finding> = report
        .listed_findings()
        .into_iter()
        .filter(|f| f.area == area)
        .collect();
    let shown = report.findings().iter().filter(|f| f.area == area).count();
    let unchanged = shown - findings.len();
    let hidden = count_all(report, area) - shown;
    if findings.is_empty() && hidden == 0 && unchanged == 0 {
        return;
    }

    let _ = writeln!(out, "### Findings\n");
    if !findings.is_empty() {
        let _ = writeln!(out, "| Severity | Check | Finding | Resource | Location |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for finding in findings {
            finding_row(out, finding);
        }
        let _ = writeln!(out);
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "{hidden} more below {} are not listed (`--min-severity`).\n",
            report.min_severity
        );
    }
    if unchanged > 0 {
        let _ = writeln!(
            out,
            "{unchanged} unchanged since the baseline are not listed (`--only-new`).\n"
        );
    }
}

fn count_all(report: &Report, area: Area) -> usize {
    report.each_finding().filter(|f| f.area == area).count()
}

fn finding_row(out: &mut String, finding: &Finding) {
    // The message stands alone; the check's title is in the "How to fix" section below.
    let location = finding.location.as_ref().map_or_else(String::new, |l| {
        code_span(&format!("{}:{}", one_line(&l.path), l.line))
    });
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} |",
        finding.severity,
        finding.check_id,
        cell(&format!(
            "{}{}{}",
            new_mark(finding),
            finding.message,
            note(finding)
        )),
        cell(&finding.resource.display),
        location.replace('|', "\\|")
    );
}

fn new_mark(finding: &Finding) -> &'static str {
    match finding.baseline {
        Some(BaselineState::New) => "**new** ",
        _ => "",
    }
}

fn note(finding: &Finding) -> String {
    finding
        .suppression
        .as_ref()
        .map(super::text::suppression_text)
        .unwrap_or_default()
}

fn baseline(out: &mut String, report: &Report) {
    let Some(comparison) = &report.baseline else {
        return;
    };
    let _ = writeln!(
        out,
        "## Since the baseline
"
    );
    let _ = writeln!(
        out,
        "Compared with {}: {} new, {} unchanged, {} fixed, {} unknown (their check was not \
         assessed this time).\n",
        code_span(&one_line(&comparison.file)),
        comparison.new,
        comparison.unchanged,
        comparison.fixed.len(),
        comparison.unknown.len()
    );
    for (label, entries) in [
        ("Fixed", &comparison.fixed),
        ("Unknown", &comparison.unknown),
    ] {
        if entries.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {label}\n");
        let _ = writeln!(out, "| Severity | Check | Resource |");
        let _ = writeln!(out, "|---|---|---|");
        for entry in entries {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                entry.severity,
                cell(&entry.check_id),
                cell(&entry.resource)
            );
        }
        let _ = writeln!(out);
    }
}

fn suppressed(out: &mut String, report: &Report) {
    let findings = report.suppressed_findings();
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Suppressed\n");
    let _ = writeln!(
        out,
        "Accepted on purpose; they cost no points. `--no-suppressions` counts them.\n"
    );
    let _ = writeln!(
        out,
        "| Severity | Check | Resource | Reason | Expires | Where |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for finding in findings {
        let Some(note) = &finding.suppression else {
            continue;
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            finding.severity,
            finding.check_id,
            cell(&finding.resource.display),
            cell(&note.reason),
            note.expires.as_deref().unwrap_or("never"),
            cell(&note.origin)
        );
    }
    let _ = writeln!(out);
}

/// Checks of a graded or partly graded area that could not be assessed, so a reader knows
/// what the grade does not cover.
fn not_assessed(out: &mut String, report: &Report, area: Area) {
    let outcomes: Vec<&Outcome> = report
        .with_status(Status::NotAssessed)
        .filter(|o| o.check.area == area)
        .collect();
    if outcomes.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Not assessed\n");
    for outcome in outcomes {
        let reason = outcome.reason.as_deref().unwrap_or("no reason recorded");
        let _ = writeln!(
            out,
            "- {} {}: {}",
            outcome.check.id,
            outcome.check.title,
            one_line(reason)
        );
    }
    let _ = writeln!(out);
}

fn remediations(out: &mut String, report: &Report, area: Area) {
    let failing: Vec<&Outcome> = report
        .with_status(Status::Fail)
        .filter(|o| o.check.area == area)
        .collect();
    if failing.is_empty() {
        return;
    }
    let _ = writeln!(out, "### How to fix\n");
    for outcome in failing {
        let check = outcome.check;
        let _ = writeln!(out, "#### {} · {}\n", check.id, check.title);
        let _ = writeln!(out, "{}\n", check.remediation);
        let _ = writeln!(
            out,
            "{}\n",
            fenced(check.snippet.language, check.snippet.code)
        );
    }
}

fn skipped(out: &mut String, report: &Report) {
    if report.skipped.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Skipped files\n");
    let _ = writeln!(out, "| Path | Reason |");
    let _ = writeln!(out, "|---|---|");
    for file in &report.skipped {
        let _ = writeln!(out, "| {} | {} |", cell(&file.path), cell(&file.reason));
    }
    let _ = writeln!(out);
}

fn warnings(out: &mut String, report: &Report) {
    if report.warnings.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Warnings\n");
    for warning in &report.warnings {
        let _ = writeln!(out, "- {}", one_line(warning));
    }
    let _ = writeln!(out);
}

/// Text made safe for one table cell: one line, no control characters, `|` escaped.
pub fn cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

/// An inline code span that survives backticks in its content.
fn code_span(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// A fenced code block whose fence is longer than any run of backticks in the code.
pub fn fenced(language: &str, code: &str) -> String {
    let longest = longest_backtick_run(code);
    let fence = "`".repeat(longest.max(2) + 1);
    let code = code.strip_suffix('\n').unwrap_or(code);
    format!("{fence}{language}\n{}\n{fence}", clean(code))
}

fn longest_backtick_run(text: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// The GitHub heading anchor of an area's section.
fn anchor(area: Area) -> String {
    area.title()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn grade_text(mark: &Mark) -> String {
    match mark {
        Mark::Graded { grade, .. } => format!("**{}**", grade.letter()),
        Mark::NotAssessed { .. } => "not assessed".to_string(),
    }
}

fn score_text(mark: &Mark) -> String {
    mark.score()
        .map_or_else(|| "-".to_string(), |s| format!("{s:.1}"))
}

fn coverage_text(score: &AreaScore) -> String {
    if score.applicable_weight == 0.0 {
        "-".to_string()
    } else {
        percent(score.coverage)
    }
}

fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_stay_in_their_column() {
        assert_eq!(cell("a|b\nc\u{1b}[2J"), "a\\|b c\\u{1b}[2J");
    }

    #[test]
    fn fences_outlast_backticks_in_the_code() {
        assert_eq!(fenced("yaml", "a: 1\n"), "```yaml\na: 1\n```");
        assert_eq!(
            fenced("shell", "echo ````x"),
            "`````shell\necho ````x\n`````"
        );
    }

    #[test]
    fn anchors_match_github_headings() {
        assert_eq!(anchor(Area::Build), "build-and-supply-chain");
        assert_eq!(anchor(Area::Monitoring), "monitoring-and-incident-response");
    }
}
