//! The JSON output: a frozen, versioned shape of its own.
//!
//! The structs in [`v1`] are the contract with scripts and dashboards. They copy what the
//! [`Report`] holds into plain fields rather than serialising the internal types, so the
//! internals can change without breaking a consumer. A change to [`v1`] that removes or
//! renames a field, or changes its meaning, needs a `v2` and a new `schema_version`; the
//! committed JSON Schema in `docs/json-schema/` is checked against these structs by a test.

use std::collections::BTreeMap;

use color_eyre::eyre::{Context as _, Result};
use time::format_description::well_known::Rfc3339;

use crate::baseline::{Comparison, Entry};
use crate::checks::{Outcome, Status};
use crate::evidence::{SourceRecord, SourceStatus};
use crate::model::{self, Area, Severity, SourceKind};
use crate::report::Report;
use crate::score::{AreaScore, Grade, Mark};

/// The version of the JSON shape this build writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The version 1 shape of the JSON report. Frozen: add a `v2` rather than change it.
pub mod v1 {
    use std::collections::BTreeMap;

    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    /// The whole report. Optional values are always present, as `null` when absent.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[schemars(title = "Rampart report, version 1")]
    pub struct JsonReport {
        /// Always 1 for this shape.
        #[schemars(range(min = 1, max = 1))]
        pub schema_version: u32,
        /// The program that wrote the report.
        pub tool: Tool,
        /// The evaluation clock of the evidence, in RFC 3339.
        #[schemars(extend("format" = "date-time"))]
        pub clock: String,
        /// What was scanned: a directory, or the directory recorded in a bundle.
        pub target: String,
        /// What each source attempted and how it went.
        pub sources: Vec<Source>,
        /// The grade of the whole system.
        pub overall: Overall,
        /// The seven areas, in the order of the best-practice document.
        pub areas: Vec<AreaReport>,
        /// One entry per check of the catalogue, in catalogue order.
        pub checks: Vec<CheckResult>,
        /// Findings below this severity are left out of `findings` (never out of grading,
        /// `areas[].counts` or `checks[].failed`).
        pub min_severity: Severity,
        /// Failing resources at or above `min_severity`, most severe first.
        pub findings: Vec<Finding>,
        /// Files that could not be evaluated, by path.
        pub skipped: Vec<SkippedFile>,
        /// Warnings about configuration and input.
        pub warnings: Vec<String>,
        /// Findings a suppression covers, most severe first: they cost no points and are
        /// not in `findings`, `areas[].counts` or `checks[].failed`. Added within v1.
        #[serde(default)]
        pub suppressed: Vec<Finding>,
        /// The comparison with `--baseline`, or null without one. Added within v1.
        #[serde(default)]
        pub baseline: Option<BaselineReport>,
    }

    /// Why a finding is suppressed, or was until its suppression expired.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Suppression {
        /// Where it was written: `config` (a `[[suppress]]` table), `annotation`
        /// (`rampart/ignore` on a Kubernetes object) or `comment` (`# rampart:ignore`).
        pub kind: SuppressionKind,
        /// Why the risk is accepted.
        pub reason: String,
        /// The last day it holds, `YYYY-MM-DD`, or null for no expiry.
        pub expires: Option<String>,
        /// True when the date is past: the finding counts again and is in `findings`.
        pub expired: bool,
        /// The file and table or line that holds it.
        pub origin: String,
    }

    /// Where a suppression was written.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum SuppressionKind {
        /// A `[[suppress]]` table in configuration.
        Config,
        /// A `rampart/ignore` annotation.
        Annotation,
        /// A `# rampart:ignore` comment.
        Comment,
    }

    /// A finding's state relative to the baseline.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum BaselineState {
        /// Not in the baseline.
        New,
        /// In the baseline with the same fingerprint.
        Unchanged,
    }

    /// How this run compares with the baseline report.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct BaselineReport {
        /// The baseline file as given to `--baseline`.
        pub file: String,
        /// Current findings (counted and suppressed) not in the baseline.
        pub new: u64,
        /// Current findings also in the baseline.
        pub unchanged: u64,
        /// Baseline findings gone from this run, whose check was assessed.
        pub fixed: Vec<BaselineEntry>,
        /// Baseline findings gone from this run whose check was not assessed: not fixed,
        /// just not seen.
        pub unknown: Vec<BaselineEntry>,
    }

    /// A finding of the baseline.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct BaselineEntry {
        /// Its fingerprint.
        pub fingerprint: String,
        /// Its check.
        pub check_id: String,
        /// The check's title, as the baseline wrote it.
        pub title: String,
        /// Its severity in the baseline.
        pub severity: Severity,
        /// The resource identity.
        pub resource: String,
        /// `path:line` in the baseline, or null.
        pub location: Option<String>,
    }

    /// The program that wrote the report.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Tool {
        /// Always `rampart`.
        pub name: String,
        /// The version of Rampart.
        pub version: String,
    }

    /// A source of evidence.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum SourceKind {
        Files,
        Kube,
        Docker,
        Github,
    }

    /// What one source attempted and how it went.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Source {
        /// Which connector.
        pub kind: SourceKind,
        /// Whether it connected, and if not, why and how to fix it.
        pub status: SourceStatus,
        /// What it connected to: a directory, a cluster endpoint, a socket, a repository.
        pub target: String,
        /// Resources it could not read, with why.
        pub denied: BTreeMap<String, String>,
    }

    /// How a source's collection went.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct SourceStatus {
        /// `connected`, `partial` or `unavailable`.
        pub state: SourceState,
        /// Why the source is partial or unavailable.
        pub reason: Option<String>,
        /// What to do to make an unavailable source available.
        pub fix: Option<String>,
    }

    /// The state of a source.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum SourceState {
        /// Everything it attempted was read.
        Connected,
        /// Some resources could not be read; `denied` lists them.
        Partial,
        /// Nothing could be read.
        Unavailable,
    }

    /// A letter grade.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub enum Grade {
        A,
        B,
        C,
        D,
        F,
    }

    /// How much a failed check matters.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum Severity {
        Info,
        Low,
        Medium,
        High,
        Critical,
    }

    /// One of the seven graded areas.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum Area {
        Build,
        Containers,
        Network,
        Secrets,
        Identity,
        Monitoring,
        Compliance,
    }

    /// The grade of the whole system.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Overall {
        /// The letter, or null when no area could be assessed.
        pub grade: Option<Grade>,
        /// The score from 0 to 100, or null when no area could be assessed.
        pub score: Option<f64>,
        /// Mean coverage of the assessed areas, from 0 to 1.
        pub coverage: f64,
        /// Whether a failing critical check capped the grade at D.
        pub capped: bool,
        /// Why there is no grade, when there is none.
        pub not_assessed_reason: Option<String>,
    }

    /// The grade of one area and how it came about.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct AreaReport {
        /// The stable machine name.
        pub key: Area,
        /// The heading a person reads.
        pub title: String,
        /// The letter, or null when the area was not assessed.
        pub grade: Option<Grade>,
        /// The score from 0 to 100, or null when the area was not assessed.
        pub score: Option<f64>,
        /// Assessed share of the applicable weight, from 0 to 1.
        pub coverage: f64,
        /// Whether a failing critical check capped the grade at D.
        pub capped: bool,
        /// Why there is no grade, when there is none.
        pub not_assessed_reason: Option<String>,
        /// Findings in this area by severity, whatever `min_severity` is.
        pub counts: Counts,
        /// Checks that lost points, costliest first.
        pub costs: Vec<Cost>,
    }

    /// Numbers of findings by severity.
    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Counts {
        /// Critical findings.
        pub critical: u64,
        /// High findings.
        pub high: u64,
        /// Medium findings.
        pub medium: u64,
        /// Low findings.
        pub low: u64,
        /// Informational findings, which never cost points.
        pub info: u64,
    }

    /// What one check cost its area.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Cost {
        /// The check that lost points.
        pub check_id: String,
        /// Points of the area's 100 that it took away.
        pub points: f64,
    }

    /// The result of one check.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "kebab-case")]
    pub enum Status {
        Pass,
        Fail,
        /// The evidence could not answer the question; `reason` says why.
        NotAssessed,
        /// Nothing of the kind the check judges exists.
        NotApplicable,
    }

    /// One check's outcome.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct CheckResult {
        /// Stable id such as `CTR-010`.
        pub id: String,
        /// The area it counts towards.
        pub area: Area,
        /// What fails, in a short phrase.
        pub title: String,
        /// The catalogue's severity.
        pub severity: Severity,
        /// The severity used for grading, after configuration.
        pub effective_severity: Severity,
        /// Whether configuration changed the severity.
        pub overridden: bool,
        /// Pass, fail, not assessed or not applicable.
        pub status: Status,
        /// Why the check was not assessed or not applicable.
        pub reason: Option<String>,
        /// How many items were judged.
        pub evaluated: u64,
        /// How many of them failed.
        pub failed: u64,
    }

    /// One check failing on one resource.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Finding {
        /// Stable identity that survives edits; baselines and suppressions use it.
        pub fingerprint: String,
        /// The failing check.
        pub check_id: String,
        /// The failing check's title.
        pub title: String,
        /// The area of the check.
        pub area: Area,
        /// The effective severity.
        pub severity: Severity,
        /// The source whose evidence showed it.
        pub source: SourceKind,
        /// What is failing.
        pub resource: Resource,
        /// Where in a file, when the resource came from a file.
        pub location: Option<Location>,
        /// One sentence on what is wrong with this resource.
        pub message: String,
        /// A short excerpt of what was observed, redacted of secret values.
        pub evidence: Option<String>,
        /// The suppression covering it (or that expired), or null. Added within v1.
        #[serde(default)]
        pub suppression: Option<Suppression>,
        /// New or unchanged since `--baseline`, or null without one. Added within v1.
        #[serde(default)]
        pub baseline: Option<BaselineState>,
    }

    /// What a finding is about.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Resource {
        /// `canonical` and `part` joined.
        pub id: String,
        /// The object, free of line numbers: `file/deploy/web.yaml#apps/Deployment/shop/web`.
        pub canonical: String,
        /// The piece of the object: a container, a workflow step, a Dockerfile stage.
        pub part: Option<String>,
        /// How a person would name it.
        pub display: String,
    }

    /// A place in a file.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Location {
        /// Relative to the scanned directory, with forward slashes.
        pub path: String,
        /// 1-based.
        pub line: u32,
    }

    /// A file that was not evaluated.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct SkippedFile {
        /// Relative to the scanned directory.
        pub path: String,
        /// Why it was skipped.
        pub reason: String,
    }
}

/// Renders the report as pretty JSON in the [`v1`] shape.
pub fn render(report: &Report) -> Result<String> {
    let json = serde_json::to_string_pretty(&to_v1(report))
        .wrap_err("cannot serialise the JSON report")?;
    Ok(json + "\n")
}

/// The JSON Schema of the [`v1`] shape, as committed to `docs/json-schema/report-v1.json`.
///
/// It describes what Rampart writes, so optional values, always written as `null`, are
/// required and nullable.
pub fn schema() -> Result<String> {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let schema = generator.into_root_schema_for::<v1::JsonReport>();
    let json =
        serde_json::to_string_pretty(&schema).wrap_err("cannot serialise the JSON Schema")?;
    Ok(json + "\n")
}

/// Copies the report into the [`v1`] shape.
pub fn to_v1(report: &Report) -> v1::JsonReport {
    // A clock that cannot be formatted (a year past 9999) is not worth failing a run over.
    let clock = report.clock.format(&Rfc3339).unwrap_or_default();

    let mut skipped: Vec<v1::SkippedFile> = report
        .skipped
        .iter()
        .map(|s| v1::SkippedFile {
            path: s.path.clone(),
            reason: s.reason.clone(),
        })
        .collect();
    skipped.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.reason.cmp(&b.reason)));

    v1::JsonReport {
        schema_version: SCHEMA_VERSION,
        tool: v1::Tool {
            name: "rampart".to_string(),
            version: report.tool_version.clone(),
        },
        clock,
        target: report.target.clone(),
        sources: sources(report),
        overall: overall(report),
        areas: report
            .scores
            .areas
            .iter()
            .map(|a| area(report, a))
            .collect(),
        checks: report.outcomes.iter().map(|o| check(report, o)).collect(),
        min_severity: severity(report.min_severity),
        findings: report
            .findings()
            .into_iter()
            .map(|f| finding(report, f))
            .collect(),
        skipped,
        warnings: report.warnings.clone(),
        suppressed: report
            .suppressed_findings()
            .into_iter()
            .map(|f| finding(report, f))
            .collect(),
        baseline: report.baseline.as_ref().map(baseline),
    }
}

fn baseline(comparison: &Comparison) -> v1::BaselineReport {
    let entries = |list: &[Entry]| {
        list.iter()
            .map(|e| v1::BaselineEntry {
                fingerprint: e.fingerprint.clone(),
                check_id: e.check_id.clone(),
                title: e.title.clone(),
                severity: severity(e.severity),
                resource: e.resource.clone(),
                location: e.location.clone(),
            })
            .collect()
    };
    v1::BaselineReport {
        file: comparison.file.clone(),
        new: comparison.new as u64,
        unchanged: comparison.unchanged as u64,
        fixed: entries(&comparison.fixed),
        unknown: entries(&comparison.unknown),
    }
}

fn suppression(note: &model::SuppressionNote) -> v1::Suppression {
    v1::Suppression {
        kind: match note.kind {
            model::SuppressionKind::Config => v1::SuppressionKind::Config,
            model::SuppressionKind::Annotation => v1::SuppressionKind::Annotation,
            model::SuppressionKind::Comment => v1::SuppressionKind::Comment,
        },
        reason: note.reason.clone(),
        expires: note.expires.clone(),
        expired: note.expired,
        origin: note.origin.clone(),
    }
}

/// Sources in a fixed order: they are collected concurrently, so the order in which they
/// finished says nothing.
fn sources(report: &Report) -> Vec<v1::Source> {
    let mut records: Vec<&SourceRecord> = report.sources.iter().collect();
    records.sort_by_key(|r| r.kind);
    records.into_iter().map(source).collect()
}

fn source(record: &SourceRecord) -> v1::Source {
    let (state, reason, fix) = match &record.status {
        SourceStatus::Connected => (v1::SourceState::Connected, None, None),
        SourceStatus::Partial { reason } => (v1::SourceState::Partial, Some(reason.clone()), None),
        SourceStatus::Unavailable { reason, fix } => (
            v1::SourceState::Unavailable,
            Some(reason.clone()),
            Some(fix.clone()),
        ),
    };
    v1::Source {
        kind: source_kind(record.kind),
        status: v1::SourceStatus { state, reason, fix },
        target: record.target.clone(),
        denied: record.denied.clone(),
    }
}

fn overall(report: &Report) -> v1::Overall {
    let scores = &report.scores;
    v1::Overall {
        grade: scores.overall.grade().map(grade),
        score: scores.overall.score(),
        // The mean of rounded coverages can carry float noise; two decimals are plenty.
        coverage: (scores.coverage * 100.0).round() / 100.0,
        capped: scores.capped,
        not_assessed_reason: not_assessed_reason(&scores.overall),
    }
}

fn area(report: &Report, score: &AreaScore) -> v1::AreaReport {
    let costs = score
        .costs
        .iter()
        .map(|c| v1::Cost {
            check_id: c.check_id.clone(),
            points: c.points,
        })
        .collect();
    v1::AreaReport {
        key: area_key(score.area),
        title: score.area.title().to_string(),
        grade: score.mark.grade().map(grade),
        score: score.mark.score(),
        coverage: score.coverage,
        capped: score.capped,
        not_assessed_reason: not_assessed_reason(&score.mark),
        counts: counts(report, score.area),
        costs,
    }
}

/// Counts every finding of the area, shown or not, because counts are grading data.
fn counts(report: &Report, area: Area) -> v1::Counts {
    let mut by_severity: BTreeMap<Severity, u64> = BTreeMap::new();
    for finding in report.each_finding().filter(|f| f.area == area) {
        *by_severity.entry(finding.severity).or_insert(0) += 1;
    }
    let n = |s: Severity| by_severity.get(&s).copied().unwrap_or(0);
    v1::Counts {
        critical: n(Severity::Critical),
        high: n(Severity::High),
        medium: n(Severity::Medium),
        low: n(Severity::Low),
        info: n(Severity::Info),
    }
}

fn check(report: &Report, outcome: &Outcome) -> v1::CheckResult {
    let check = outcome.check;
    v1::CheckResult {
        id: check.id.to_string(),
        area: area_key(check.area),
        title: check.title.to_string(),
        severity: severity(check.severity),
        effective_severity: severity(outcome.severity),
        overridden: report.overrides.contains_key(check.id),
        status: status(outcome.status),
        reason: outcome.reason.clone(),
        evaluated: outcome.evaluated as u64,
        failed: outcome.failed as u64,
    }
}

fn finding(report: &Report, finding: &model::Finding) -> v1::Finding {
    let title = report
        .outcome(&finding.check_id)
        .map(|o| o.check.title.to_string())
        .unwrap_or_default();
    v1::Finding {
        fingerprint: finding.fingerprint.clone(),
        check_id: finding.check_id.clone(),
        title,
        area: area_key(finding.area),
        severity: severity(finding.severity),
        source: source_kind(finding.source),
        resource: v1::Resource {
            id: finding.resource.id(),
            canonical: finding.resource.canonical.clone(),
            part: finding.resource.part.clone(),
            display: finding.resource.display.clone(),
        },
        location: finding.location.as_ref().map(|l| v1::Location {
            path: l.path.clone(),
            line: l.line,
        }),
        message: finding.message.clone(),
        evidence: finding.evidence.clone(),
        suppression: finding.suppression.as_ref().map(suppression),
        baseline: finding.baseline.map(|b| match b {
            model::BaselineState::New => v1::BaselineState::New,
            model::BaselineState::Unchanged => v1::BaselineState::Unchanged,
        }),
    }
}

fn not_assessed_reason(mark: &Mark) -> Option<String> {
    match mark {
        Mark::Graded { .. } => None,
        Mark::NotAssessed { reason } => Some(reason.clone()),
    }
}

fn grade(grade: Grade) -> v1::Grade {
    match grade {
        Grade::A => v1::Grade::A,
        Grade::B => v1::Grade::B,
        Grade::C => v1::Grade::C,
        Grade::D => v1::Grade::D,
        Grade::F => v1::Grade::F,
    }
}

fn severity(severity: Severity) -> v1::Severity {
    match severity {
        Severity::Info => v1::Severity::Info,
        Severity::Low => v1::Severity::Low,
        Severity::Medium => v1::Severity::Medium,
        Severity::High => v1::Severity::High,
        Severity::Critical => v1::Severity::Critical,
    }
}

fn area_key(area: Area) -> v1::Area {
    match area {
        Area::Build => v1::Area::Build,
        Area::Containers => v1::Area::Containers,
        Area::Network => v1::Area::Network,
        Area::Secrets => v1::Area::Secrets,
        Area::Identity => v1::Area::Identity,
        Area::Monitoring => v1::Area::Monitoring,
        Area::Compliance => v1::Area::Compliance,
    }
}

fn source_kind(kind: SourceKind) -> v1::SourceKind {
    match kind {
        SourceKind::Files => v1::SourceKind::Files,
        SourceKind::Kube => v1::SourceKind::Kube,
        SourceKind::Docker => v1::SourceKind::Docker,
        SourceKind::Github => v1::SourceKind::Github,
    }
}

fn status(status: Status) -> v1::Status {
    match status {
        Status::Pass => v1::Status::Pass,
        Status::Fail => v1::Status::Fail,
        Status::NotAssessed => v1::Status::NotAssessed,
        Status::NotApplicable => v1::Status::NotApplicable,
    }
}
