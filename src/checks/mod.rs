//! The check catalogue and the engine that evaluates it against evidence.
//!
//! A check is a static record of metadata plus a pure function from a [`Context`] to an
//! [`Evaluation`]. The engine, not the check, turns drafts into findings with their area,
//! severity and fingerprint, so no check can get those wrong.

pub mod build;
pub mod catalogue;
pub mod compliance;
pub mod container;
pub mod context;
pub mod control_plane;
pub mod github_settings;
pub mod identity;
pub mod image_secrets;
pub mod monitoring;
pub mod network;
pub mod network_docker;
pub mod platform;
pub mod profile;
pub mod secrets;

use serde::Serialize;

use crate::model::{Area, Finding, Location, Resource, Severity, SourceKind, fingerprint};

pub use catalogue::{CATALOGUE, find};
pub use context::Context;

/// A remediation snippet and the language to highlight it in.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Snippet {
    /// `yaml`, `dockerfile`, `shell` or `json`.
    pub language: &'static str,
    pub code: &'static str,
}

/// One check of the catalogue.
#[derive(Debug)]
pub struct Check {
    /// Stable id such as `CTR-010`. Never reused for another meaning.
    pub id: &'static str,
    pub area: Area,
    pub severity: Severity,
    /// What fails, in a short phrase: "Container runs privileged".
    pub title: &'static str,
    /// Why it matters, in a few sentences.
    pub why: &'static str,
    /// What to do about it.
    pub remediation: &'static str,
    pub snippet: Snippet,
    /// Ids of the same concern in benchmarks and peer tools.
    pub references: &'static [&'static str],
    /// Sources that can show this control; any one of them suffices.
    pub sources: &'static [SourceKind],
    /// Where this check deliberately differs from a peer tool, if anywhere.
    pub differs_from: &'static str,
    pub evaluate: fn(&Context<'_>) -> Evaluation,
}

/// How the canonical id of every object read from a live cluster begins.
pub const LIVE_PREFIX: &str = "k8s/live/";

/// What a check's function concluded.
#[derive(Debug, Clone, PartialEq)]
pub enum Evaluation {
    /// Nothing of the kind the check judges exists (no Dockerfile, no workflow).
    NotApplicable(String),
    /// The evidence cannot answer the question; the string says why.
    NotAssessed(String),
    /// `evaluated` items were judged and each draft is one failing item.
    Judged {
        evaluated: usize,
        findings: Vec<Draft>,
    },
}

impl Evaluation {
    /// Judged items, or not applicable when there were none.
    pub fn items(evaluated: usize, findings: Vec<Draft>, nothing: &str) -> Self {
        if evaluated == 0 {
            Evaluation::NotApplicable(nothing.to_string())
        } else {
            Evaluation::Judged {
                evaluated,
                findings,
            }
        }
    }
}

/// A failing item before the engine stamps it with the check's identity.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub source: SourceKind,
    pub resource: Resource,
    pub location: Option<Location>,
    pub message: String,
    pub evidence: Option<String>,
    /// A lower severity for this item than the check's own, when the check grades its
    /// items differently (SEC-001: a known credential format is critical, a generic
    /// high-entropy value high). Never raises the check's severity.
    pub severity: Option<Severity>,
}

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    NotAssessed,
    NotApplicable,
}

impl Status {
    /// The words a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotAssessed => "not assessed",
            Status::NotApplicable => "not applicable",
        }
    }
}

/// One check's outcome on this evidence.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub check: &'static Check,
    /// Severity used for grading: the check's own unless configuration overrides it.
    pub severity: Severity,
    pub status: Status,
    /// Why the check was not assessed or not applicable.
    pub reason: Option<String>,
    pub evaluated: usize,
    pub failed: usize,
    pub findings: Vec<Finding>,
}

/// Evaluates one check, stamping its findings. `severity` is the effective severity.
pub fn evaluate(check: &'static Check, cx: &Context<'_>, severity: Severity) -> Outcome {
    let mut outcome = Outcome {
        check,
        severity,
        status: Status::NotAssessed,
        reason: None,
        evaluated: 0,
        failed: 0,
        findings: Vec::new(),
    };

    if !check.sources.iter().any(|s| cx.evidence.has(*s)) {
        let names: Vec<&str> = check.sources.iter().map(|s| s.key()).collect();
        outcome.reason = Some(format!(
            "needs the {} source, which was not read",
            names.join(" or ")
        ));
        return outcome;
    }

    // A live list the check reads was denied: say which permission is missing.
    if let Some(why) = control_plane::denied_reason(check, cx) {
        outcome.reason = Some(why);
        return outcome;
    }

    match (check.evaluate)(cx) {
        Evaluation::NotApplicable(why) => {
            outcome.status = Status::NotApplicable;
            outcome.reason = Some(why);
        }
        Evaluation::NotAssessed(why) => outcome.reason = Some(why),
        Evaluation::Judged {
            evaluated,
            findings,
        } => {
            outcome.findings = findings
                .into_iter()
                .map(|d| stamp(check, severity, d))
                .collect();
            outcome.findings.sort_by(|a, b| a.resource.cmp(&b.resource));
            outcome
                .findings
                .dedup_by(|a, b| a.fingerprint == b.fingerprint);
            outcome.failed = outcome.findings.len();
            outcome.evaluated = evaluated.max(outcome.failed);
            outcome.status = if outcome.failed == 0 {
                Status::Pass
            } else {
                Status::Fail
            };
            platform::grade_apart(cx, &mut outcome);
        }
    }
    outcome
}

fn stamp(check: &Check, severity: Severity, mut draft: Draft) -> Finding {
    // Checks written for manifests build their drafts the same way for a live object; its
    // identity says where it came from, and it has no file location to point at.
    if draft.resource.canonical.starts_with(LIVE_PREFIX) {
        draft.source = SourceKind::Kube;
        draft.location = None;
    }
    // An item may be graded below its check, never above it (nor above an override).
    let severity = draft.severity.map_or(severity, |own| own.min(severity));
    Finding {
        check_id: check.id.to_string(),
        area: check.area,
        severity,
        source: draft.source,
        fingerprint: fingerprint(check.id, &draft.resource),
        resource: draft.resource,
        location: draft.location,
        message: crate::sanitize::clean(&draft.message),
        evidence: draft.evidence.map(|e| crate::sanitize::clean(&e)),
        suppression: None,
        baseline: None,
    }
}
