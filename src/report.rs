//! The Report: what every output and the TUI read.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::checks::{self, CATALOGUE, Context, Outcome, Status};
use crate::evidence::{Evidence, SkippedFile, SourceRecord};
use crate::model::{Finding, Severity};
use crate::score::{self, Scorecard};

/// The result of one evaluation, ready to present.
#[derive(Debug, Clone)]
pub struct Report {
    pub tool_version: String,
    /// The evaluation clock of the evidence.
    pub clock: OffsetDateTime,
    /// What was scanned: the directory of the files source, or the bundle's.
    pub target: String,
    pub sources: Vec<SourceRecord>,
    /// One outcome per check of the catalogue, in catalogue order.
    pub outcomes: Vec<Outcome>,
    pub scores: Scorecard,
    /// Files the files source could not evaluate.
    pub skipped: Vec<SkippedFile>,
    /// Severities that configuration overrode: check id → (catalogue, effective).
    pub overrides: BTreeMap<String, (Severity, Severity)>,
    /// Findings below this severity are hidden from presentation (never from grading).
    pub min_severity: Severity,
    /// Warnings about configuration and input, for the person running Rampart.
    pub warnings: Vec<String>,
    /// How long evaluation took, in milliseconds.
    pub evaluation_ms: u64,
}

/// Settings of an evaluation that do not come from evidence.
#[derive(Debug, Clone, Default)]
pub struct EvaluationSettings {
    /// Check id → severity, replacing the catalogue's.
    pub severity_overrides: BTreeMap<String, Severity>,
    pub min_severity: Option<Severity>,
    pub warnings: Vec<String>,
    /// Labels every workload must carry (CMP-003); `None` keeps the built-in list.
    pub required_labels: Option<Vec<String>>,
}

impl Report {
    /// Evaluates the whole catalogue against `evidence` and grades it.
    pub fn evaluate(evidence: &Evidence, settings: &EvaluationSettings) -> Report {
        let started = std::time::Instant::now();
        let mut cx = Context::new(evidence);
        if let Some(labels) = &settings.required_labels {
            cx.required_labels.clone_from(labels);
        }

        let mut overrides = BTreeMap::new();
        let outcomes: Vec<Outcome> = CATALOGUE
            .iter()
            .map(|check| {
                let severity = match settings.severity_overrides.get(check.id) {
                    Some(s) if *s != check.severity => {
                        overrides.insert(check.id.to_string(), (check.severity, *s));
                        *s
                    }
                    _ => check.severity,
                };
                checks::evaluate(check, &cx, severity)
            })
            .collect();
        let scores = score::grade(&outcomes);

        let files = evidence.files.as_ref();
        Report {
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            clock: evidence.clock,
            target: files.map(|f| f.root.clone()).unwrap_or_default(),
            sources: evidence.sources.clone(),
            outcomes,
            scores,
            skipped: files.map(|f| f.skipped.clone()).unwrap_or_default(),
            overrides,
            min_severity: settings.min_severity.unwrap_or(Severity::Info),
            warnings: settings.warnings.clone(),
            evaluation_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// Every finding, graded or not, most severe first.
    pub fn all_findings(&self) -> Vec<&Finding> {
        let mut all: Vec<&Finding> = self.outcomes.iter().flat_map(|o| &o.findings).collect();
        all.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.check_id.cmp(&b.check_id))
                .then_with(|| a.resource.cmp(&b.resource))
        });
        all
    }

    /// Findings at or above the display threshold, most severe first.
    pub fn findings(&self) -> Vec<&Finding> {
        self.all_findings()
            .into_iter()
            .filter(|f| f.severity >= self.min_severity)
            .collect()
    }

    /// Whether any finding is at or above `threshold`.
    pub fn has_findings_at(&self, threshold: Severity) -> bool {
        self.all_findings().iter().any(|f| f.severity >= threshold)
    }

    /// Counts of findings by severity (all of them, not only those shown).
    pub fn counts(&self) -> BTreeMap<Severity, usize> {
        let mut counts = BTreeMap::new();
        for finding in self.all_findings() {
            *counts.entry(finding.severity).or_insert(0) += 1;
        }
        counts
    }

    /// The outcome of a check, by id.
    pub fn outcome(&self, id: &str) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| o.check.id == id)
    }

    /// Outcomes with the given status.
    pub fn with_status(&self, status: Status) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(move |o| o.status == status)
    }
}
