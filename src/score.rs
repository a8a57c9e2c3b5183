//! Grading: check outcomes in, area and overall grades out. Pure; `docs/scoring.md`
//! describes the same arithmetic in words and must stay true to this file.

use serde::Serialize;

use crate::checks::{Outcome, Status};
use crate::model::{Area, Severity};

/// The highest score an area (or the whole) can have while a critical check fails: the
/// top of the D band, so the grade is D at best.
pub const CRITICAL_CAP: f64 = 69.0;

/// Below this share of applicable weight assessed, an area is not graded.
pub const MIN_COVERAGE: f64 = 1.0 / 3.0;

/// The weight a check of this severity carries. Info checks are never scored.
pub fn weight(severity: Severity) -> f64 {
    match severity {
        Severity::Critical => 10.0,
        Severity::High => 7.5,
        Severity::Medium => 5.0,
        Severity::Low => 2.5,
        Severity::Info => 0.0,
    }
}

/// A letter grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
    F,
}

impl Grade {
    /// The grade of a score from 0 to 100.
    pub fn of(score: f64) -> Grade {
        match score {
            s if s >= 90.0 => Grade::A,
            s if s >= 80.0 => Grade::B,
            s if s >= 70.0 => Grade::C,
            s if s >= 60.0 => Grade::D,
            _ => Grade::F,
        }
    }

    /// The letter.
    pub fn letter(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::F => "F",
        }
    }
}

/// A score with its grade, or the reason there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Mark {
    Graded { score: f64, grade: Grade },
    NotAssessed { reason: String },
}

impl Mark {
    /// The score, when graded.
    pub fn score(&self) -> Option<f64> {
        match self {
            Mark::Graded { score, .. } => Some(*score),
            Mark::NotAssessed { .. } => None,
        }
    }

    /// The grade, when graded.
    pub fn grade(&self) -> Option<Grade> {
        match self {
            Mark::Graded { grade, .. } => Some(*grade),
            Mark::NotAssessed { .. } => None,
        }
    }
}

/// What one check cost its area, for explaining a grade.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cost {
    pub check_id: String,
    /// Points of the area's 100 that this check took away.
    pub points: f64,
}

/// The grade of one area and how it came about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaScore {
    pub area: Area,
    pub mark: Mark,
    /// Assessed share of the applicable weight, from 0 to 1.
    pub coverage: f64,
    pub applicable_weight: f64,
    pub assessed_weight: f64,
    /// Whether a failing critical check capped the grade at D.
    pub capped: bool,
    /// Checks that lost points, costliest first.
    pub costs: Vec<Cost>,
}

/// Grades of every area and overall.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub areas: Vec<AreaScore>,
    pub overall: Mark,
    /// Mean coverage of the assessed areas.
    pub coverage: f64,
    pub capped: bool,
}

impl Scorecard {
    /// The score of one area.
    pub fn area(&self, area: Area) -> Option<&AreaScore> {
        self.areas.iter().find(|a| a.area == area)
    }
}

/// The points a failing outcome loses out of its weight: in proportion to the share of its
/// items that fail, but never less than half the weight, so that adding harmless resources
/// cannot dilute a failure away.
pub fn loss(outcome: &Outcome) -> f64 {
    if outcome.status != Status::Fail || outcome.failed == 0 {
        return 0.0;
    }
    let share = outcome.failed as f64 / outcome.evaluated.max(1) as f64;
    weight(worst(outcome)) * share.clamp(0.5, 1.0)
}

/// The severity a failing outcome loses points at: that of its worst finding, which a
/// check may grade below its own (SEC-001's generic hits), or the check's when the
/// outcome carries no findings. The check's own weight still counts in full towards what
/// was assessed, so fixing a finding can only raise a score.
fn worst(outcome: &Outcome) -> Severity {
    outcome
        .findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(outcome.severity)
}

/// Grades every area from the outcomes, and the whole from the areas.
pub fn grade(outcomes: &[Outcome]) -> Scorecard {
    let areas: Vec<AreaScore> = Area::ALL.iter().map(|a| grade_area(*a, outcomes)).collect();

    let graded: Vec<&AreaScore> = areas.iter().filter(|a| a.mark.score().is_some()).collect();
    let capped = graded.iter().any(|a| a.capped);
    let overall = if graded.is_empty() {
        Mark::NotAssessed {
            reason: "no area could be assessed".to_string(),
        }
    } else {
        let mean = graded.iter().filter_map(|a| a.mark.score()).sum::<f64>() / graded.len() as f64;
        let score = if capped { mean.min(CRITICAL_CAP) } else { mean };
        Mark::Graded {
            score: round(score),
            grade: Grade::of(score),
        }
    };
    let coverage = if graded.is_empty() {
        0.0
    } else {
        graded.iter().map(|a| a.coverage).sum::<f64>() / graded.len() as f64
    };
    Scorecard {
        areas,
        overall,
        coverage,
        capped,
    }
}

fn grade_area(area: Area, outcomes: &[Outcome]) -> AreaScore {
    let scored = outcomes
        .iter()
        .filter(|o| o.check.area == area && weight(o.severity) > 0.0)
        .filter(|o| o.status != Status::NotApplicable);

    let mut applicable = 0.0;
    let mut assessed = 0.0;
    let mut lost = 0.0;
    let mut capped = false;
    let mut costs = Vec::new();
    for outcome in scored {
        applicable += weight(outcome.severity);
        if outcome.status == Status::NotAssessed {
            continue;
        }
        assessed += weight(outcome.severity);
        let loss = loss(outcome);
        if loss > 0.0 {
            lost += loss;
            costs.push(outcome.check.id.to_string());
            capped |= worst(outcome) == Severity::Critical;
        }
    }

    let coverage = if applicable > 0.0 {
        assessed / applicable
    } else {
        0.0
    };
    let mark = if applicable == 0.0 {
        Mark::NotAssessed {
            reason: "nothing in the evidence applies to this area".to_string(),
        }
    } else if coverage < MIN_COVERAGE {
        Mark::NotAssessed {
            reason: format!(
                "only {:.0}% of the applicable checks could be assessed",
                coverage * 100.0
            ),
        }
    } else {
        let raw = 100.0 * (assessed - lost) / assessed;
        let score = if capped { raw.min(CRITICAL_CAP) } else { raw };
        Mark::Graded {
            score: round(score),
            grade: Grade::of(round(score)),
        }
    };

    let costs = cost_list(area, outcomes, assessed, &costs);
    AreaScore {
        area,
        mark,
        coverage: round(coverage * 100.0) / 100.0,
        applicable_weight: applicable,
        assessed_weight: assessed,
        capped,
        costs,
    }
}

fn cost_list(area: Area, outcomes: &[Outcome], assessed: f64, ids: &[String]) -> Vec<Cost> {
    let mut costs: Vec<Cost> = outcomes
        .iter()
        .filter(|o| o.check.area == area && ids.iter().any(|id| id == o.check.id))
        .map(|o| Cost {
            check_id: o.check.id.to_string(),
            points: round(100.0 * loss(o) / assessed),
        })
        .collect();
    costs.sort_by(|a, b| {
        b.points
            .total_cmp(&a.points)
            .then(a.check_id.cmp(&b.check_id))
    });
    costs
}

/// Rounds to one decimal, so that reports and JSON do not show float noise.
fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}
