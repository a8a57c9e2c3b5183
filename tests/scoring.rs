//! Properties of grading that must hold whatever the exact formula.

use proptest::prelude::*;
use rampart::checks::{Check, Evaluation, Outcome, Snippet, Status};
use rampart::model::{Area, Severity};
use rampart::score::{self, Grade, Mark};

fn never(_: &rampart::checks::Context<'_>) -> Evaluation {
    Evaluation::NotApplicable(String::new())
}

/// A check that exists only for the arithmetic; leaked so outcomes can point at it.
fn check(area: Area, severity: Severity) -> &'static Check {
    let id: &'static str = Box::leak(format!("T-{area:?}-{severity:?}").into_boxed_str());
    Box::leak(Box::new(Check {
        id,
        area,
        severity,
        title: "test",
        why: "test",
        remediation: "test",
        snippet: Snippet {
            language: "yaml",
            code: "x",
        },
        references: &[],
        sources: &[],
        differs_from: "",
        evaluate: never,
    }))
}

fn outcome(
    area: Area,
    severity: Severity,
    status: Status,
    evaluated: usize,
    failed: usize,
) -> Outcome {
    Outcome {
        check: check(area, severity),
        severity,
        status,
        reason: None,
        evaluated,
        failed,
        findings: Vec::new(),
    }
}

fn arb_area() -> impl Strategy<Value = Area> {
    prop::sample::select(Area::ALL.to_vec())
}

fn arb_severity() -> impl Strategy<Value = Severity> {
    prop::sample::select(Severity::DESCENDING.to_vec())
}

/// A random outcome: mostly judged, sometimes not assessed or not applicable.
fn arb_outcome() -> impl Strategy<Value = Outcome> {
    (arb_area(), arb_severity(), 0u8..10, 1usize..50, 0usize..50).prop_map(
        |(area, severity, kind, evaluated, failed)| {
            let failed = failed.min(evaluated);
            match kind {
                0 => outcome(area, severity, Status::NotAssessed, 0, 0),
                1 => outcome(area, severity, Status::NotApplicable, 0, 0),
                _ if failed == 0 => outcome(area, severity, Status::Pass, evaluated, 0),
                _ => outcome(area, severity, Status::Fail, evaluated, failed),
            }
        },
    )
}

proptest! {
    /// For a fixed set of evaluated items, fixing one failing item never lowers any score.
    #[test]
    fn fixing_a_finding_never_lowers_a_score(
        outcomes in prop::collection::vec(arb_outcome(), 1..30),
        pick in any::<prop::sample::Index>(),
    ) {
        let failing: Vec<usize> =
            (0..outcomes.len()).filter(|i| outcomes[*i].failed > 0).collect();
        prop_assume!(!failing.is_empty());
        let index = failing[pick.index(failing.len())];

        let before = score::grade(&outcomes);
        let mut fixed = outcomes.clone();
        fixed[index].failed -= 1;
        if fixed[index].failed == 0 {
            fixed[index].status = Status::Pass;
        }
        let after = score::grade(&fixed);

        for (b, a) in before.areas.iter().zip(&after.areas) {
            prop_assert_eq!(b.mark.score().is_some(), a.mark.score().is_some());
            if let (Some(bs), Some(as_)) = (b.mark.score(), a.mark.score()) {
                prop_assert!(as_ >= bs, "area {:?} fell from {} to {}", a.area, bs, as_);
            }
        }
        if let (Some(b), Some(a)) = (before.overall.score(), after.overall.score()) {
            prop_assert!(a >= b, "overall fell from {} to {}", b, a);
        }
    }

    /// Adding passing items to a failing check never removes more than half its loss.
    #[test]
    fn harmless_resources_do_not_dilute_a_failure(
        severity in prop::sample::select(
            vec![Severity::Low, Severity::Medium, Severity::High, Severity::Critical]
        ),
        failed in 1usize..5,
        extra in 0usize..100_000,
    ) {
        let small = outcome(Area::Containers, severity, Status::Fail, failed, failed);
        let diluted = outcome(Area::Containers, severity, Status::Fail, failed + extra, failed);
        prop_assert!(score::loss(&diluted) >= score::weight(severity) / 2.0);
        prop_assert!(score::loss(&diluted) <= score::loss(&small));
    }

    /// A failing critical check caps its area and the overall grade at D.
    #[test]
    fn a_failing_critical_caps_at_d(
        mut outcomes in prop::collection::vec(arb_outcome(), 0..20),
        area in arb_area(),
        evaluated in 1usize..10_000,
    ) {
        outcomes.push(outcome(area, Severity::Critical, Status::Fail, evaluated, 1));
        let card = score::grade(&outcomes);
        let area_score = card.area(area).unwrap();
        if let Mark::Graded { grade, score } = area_score.mark {
            prop_assert!(grade >= Grade::D && score <= score::CRITICAL_CAP, "{:?}", area_score);
        }
        if let Mark::Graded { grade, .. } = card.overall {
            prop_assert!(grade >= Grade::D);
        }
    }
}

#[test]
fn empty_input_grades_nothing() {
    let card = score::grade(&[]);
    assert!(
        card.areas
            .iter()
            .all(|a| matches!(a.mark, Mark::NotAssessed { .. }))
    );
    assert!(matches!(card.overall, Mark::NotAssessed { .. }));
}

#[test]
fn not_applicable_checks_leave_the_arithmetic() {
    let outcomes = vec![
        outcome(Area::Build, Severity::High, Status::Pass, 3, 0),
        outcome(Area::Build, Severity::Critical, Status::NotApplicable, 0, 0),
    ];
    let card = score::grade(&outcomes);
    let build = card.area(Area::Build).unwrap();
    assert_eq!(
        build.mark,
        Mark::Graded {
            score: 100.0,
            grade: Grade::A
        }
    );
    assert!((build.coverage - 1.0).abs() < f64::EPSILON);
}

#[test]
fn low_coverage_is_not_assessed_never_a_free_a() {
    let outcomes = vec![
        outcome(Area::Network, Severity::Low, Status::Pass, 3, 0),
        outcome(Area::Network, Severity::Critical, Status::NotAssessed, 0, 0),
        outcome(Area::Network, Severity::High, Status::NotAssessed, 0, 0),
    ];
    let card = score::grade(&outcomes);
    let network = card.area(Area::Network).unwrap();
    assert!(
        matches!(network.mark, Mark::NotAssessed { .. }),
        "{network:?}"
    );
    assert!(network.coverage < 1.0 / 3.0);
}

#[test]
fn info_checks_are_listed_but_never_scored() {
    let outcomes = vec![
        outcome(Area::Network, Severity::Info, Status::Fail, 3, 3),
        outcome(Area::Network, Severity::Medium, Status::Pass, 3, 0),
    ];
    let card = score::grade(&outcomes);
    assert_eq!(card.area(Area::Network).unwrap().mark.score(), Some(100.0));
}

#[test]
fn the_costliest_checks_explain_the_grade() {
    let outcomes = vec![
        outcome(Area::Containers, Severity::Medium, Status::Fail, 10, 10),
        outcome(Area::Containers, Severity::High, Status::Fail, 10, 1),
        outcome(Area::Containers, Severity::Low, Status::Pass, 10, 0),
    ];
    let card = score::grade(&outcomes);
    let costs = &card.area(Area::Containers).unwrap().costs;
    // Medium at full share loses 5 of 15; high at the half floor loses 3.75.
    assert_eq!(costs.len(), 2);
    assert_eq!(costs[0].check_id, "T-Containers-Medium");
    assert!((costs[0].points - 33.3).abs() < 0.05, "{costs:?}");
    assert!((costs[1].points - 25.0).abs() < 0.05, "{costs:?}");
}

#[test]
fn worked_example_matches_docs() {
    // The example of docs/scoring.md: a high check failing on 1 of 4 Dockerfiles and a
    // passing medium check.
    let outcomes = vec![
        outcome(Area::Containers, Severity::High, Status::Fail, 4, 1),
        outcome(Area::Containers, Severity::Medium, Status::Pass, 4, 0),
    ];
    let card = score::grade(&outcomes);
    // loss = 7.5 × max(0.5, 1/4) = 3.75; score = 100 × (12.5 − 3.75) / 12.5 = 70.
    let mark = &card.area(Area::Containers).unwrap().mark;
    assert_eq!(
        *mark,
        Mark::Graded {
            score: 70.0,
            grade: Grade::C
        }
    );
}
