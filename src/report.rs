//! The Report: what every output and the TUI read.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::baseline::{self, Baseline, Comparison};
use crate::checks::{self, CATALOGUE, Context, Outcome, Status};
use crate::evidence::{Evidence, SkippedFile, SourceRecord};
use crate::model::{BaselineState, Finding, Severity};
use crate::score::{self, Scorecard};
use crate::suppress::{self, Rule};

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
    /// Findings a suppression covers: out of the score, still listed as suppressed.
    pub suppressed: Vec<Finding>,
    /// The comparison with `--baseline`, when one was given.
    pub baseline: Option<Comparison>,
    /// Text and markdown list only findings new since the baseline (`--only-new`).
    pub only_new: bool,
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
    /// `[[suppress]]` tables of the configuration.
    pub suppressions: Vec<Rule>,
    /// Ignore every suppression, of configuration and inline (`--no-suppressions`).
    pub no_suppressions: bool,
    /// A previous report to compare with (`--baseline`).
    pub baseline: Option<Baseline>,
    /// Show only new findings in text and markdown (`--only-new`).
    pub only_new: bool,
}

/// Every check's outcome in catalogue order, at the severity given for it. Checks are pure
/// and independent, so they run on every core, each worker taking every n-th check; on a
/// large tree evaluation is a third of a scan.
fn evaluate_catalogue(cx: &Context<'_>, severities: &[Severity]) -> Vec<Outcome> {
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(4);
    let one = |index: usize| checks::evaluate(CATALOGUE[index], cx, severities[index]);
    if workers < 2 {
        return (0..CATALOGUE.len()).map(one).collect();
    }
    let mut slots: Vec<Option<Outcome>> = (0..CATALOGUE.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|first| {
                scope.spawn(move || {
                    (first..CATALOGUE.len())
                        .step_by(workers)
                        .map(|i| (i, one(i)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            for (index, outcome) in handle.join().unwrap_or_default() {
                slots[index] = Some(outcome);
            }
        }
    });
    // A worker that panicked left its checks empty; evaluating them again here lets the
    // panic surface as it would without threads.
    slots
        .into_iter()
        .enumerate()
        .map(|(index, slot)| slot.unwrap_or_else(|| one(index)))
        .collect()
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
        let mut severities = Vec::with_capacity(CATALOGUE.len());
        for check in CATALOGUE {
            let severity = match settings.severity_overrides.get(check.id) {
                Some(s) if *s != check.severity => {
                    overrides.insert(check.id.to_string(), (check.severity, *s));
                    *s
                }
                _ => check.severity,
            };
            severities.push(severity);
        }
        let mut outcomes = evaluate_catalogue(&cx, &severities);

        // Suppressions act before grading, so suppressed findings leave the score.
        let mut warnings = settings.warnings.clone();
        let mut suppressed = Vec::new();
        if !settings.no_suppressions {
            let (found, notes) = suppress::apply(
                &mut outcomes,
                evidence,
                &settings.suppressions,
                evidence.clock,
            );
            suppressed = found;
            warnings.extend(notes);
        }
        let scores = score::grade(&outcomes);
        let comparison = settings
            .baseline
            .as_ref()
            .map(|b| baseline_comparison(b, &mut outcomes, &mut suppressed, &mut warnings));

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
            warnings,
            evaluation_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            suppressed,
            baseline: comparison,
            only_new: settings.only_new,
        }
    }

    /// The findings text and markdown list: those shown, and with `--only-new` only the
    /// new ones.
    pub fn listed_findings(&self) -> Vec<&Finding> {
        self.findings()
            .into_iter()
            .filter(|f| !self.only_new || f.baseline == Some(BaselineState::New))
            .collect()
    }

    /// Suppressed findings, most severe first.
    pub fn suppressed_findings(&self) -> Vec<&Finding> {
        let mut all: Vec<&Finding> = self.suppressed.iter().collect();
        all.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.check_id.cmp(&b.check_id))
                .then_with(|| a.resource.cmp(&b.resource))
        });
        all
    }

    /// Whether any new finding (by the baseline) is at or above `threshold`. Without a
    /// baseline every finding is new.
    pub fn has_new_findings_at(&self, threshold: Severity) -> bool {
        self.each_finding()
            .filter(|f| f.baseline != Some(BaselineState::Unchanged))
            .any(|f| f.severity >= threshold)
    }

    /// Every finding, graded or not, in catalogue order: for counting, where the sort of
    /// [`Report::all_findings`] would be wasted.
    pub fn each_finding(&self) -> impl Iterator<Item = &Finding> {
        self.outcomes.iter().flat_map(|o| &o.findings)
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
        self.each_finding().any(|f| f.severity >= threshold)
    }

    /// Counts of findings by severity (all of them, not only those shown).
    pub fn counts(&self) -> BTreeMap<Severity, usize> {
        let mut counts = BTreeMap::new();
        for finding in self.each_finding() {
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

/// Compares with the baseline, warning when the baseline left out low findings (they would
/// all look new).
fn baseline_comparison(
    baseline: &Baseline,
    outcomes: &mut [Outcome],
    suppressed: &mut [Finding],
    warnings: &mut Vec<String>,
) -> Comparison {
    if baseline.min_severity > Severity::Info {
        warnings.push(format!(
            "the baseline `{}` lists only findings at or above {}, so lower ones all count as \
             new; write baselines without --min-severity",
            baseline.file, baseline.min_severity
        ));
    }
    baseline::classify(baseline, outcomes, suppressed)
}
