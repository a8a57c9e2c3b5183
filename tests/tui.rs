//! Snapshots of every screen and overlay of the terminal interface, at 80×24 and 120×40.
//!
//! Snapshots hold text only; `tui_theme.rs` checks colours cell by cell.

mod tui_support;

use rampart::sources::Progress;
use rampart::tui::app::{Action, App};
use rampart::tui::theme::Theme;
use tui_support::{app_at, press, text};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn snapshot(name: &str, build: impl Fn(&mut App)) {
    for (width, height) in SIZES {
        let mut app = app_at(width, height, Theme::default());
        build(&mut app);
        let screen = text(&app);
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("tui_{name}_{width}x{height}"), screen);
        });
    }
}

#[test]
fn overview() {
    snapshot("overview", |_| {});
}

#[test]
fn overview_sources_pane() {
    snapshot("overview_sources_pane", |app| {
        press(app, &[Action::NextPane]);
    });
}

#[test]
fn findings() {
    snapshot("findings", |app| {
        press(app, &[Action::Right, Action::Enter]);
    });
}

#[test]
fn findings_suppressed_on_request() {
    for (width, height) in SIZES {
        let (report, _) = tui_support::report_with_suppression();
        let mut app = tui_support::app_over(report, width, height, Theme::default());
        press(
            &mut app,
            &[
                Action::Right,
                Action::Enter,
                Action::CycleStatus,
                Action::CycleStatus,
            ],
        );
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("tui_findings_suppressed_{width}x{height}"), text(&app));
        });
        press(&mut app, &[Action::Enter]);
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("tui_detail_suppressed_{width}x{height}"), text(&app));
        });
    }
}

#[test]
fn findings_grouped_by_check() {
    snapshot("findings_grouped", |app| {
        press(app, &[Action::Enter, Action::ToggleGroup]);
    });
}

#[test]
fn findings_filtered_and_searched() {
    snapshot("findings_search", |app| {
        let mut actions = vec![Action::Right, Action::Enter, Action::StartSearch];
        actions.extend("root".chars().map(Action::SearchChar));
        press(app, &actions);
    });
}

#[test]
fn findings_severity_filter_and_sort() {
    snapshot("findings_filtered", |app| {
        press(
            app,
            &[
                Action::Right,
                Action::Enter,
                Action::CycleSeverity,
                Action::CycleSeverity,
                Action::CycleSeverity,
                Action::CycleSort,
                Action::CycleSort,
            ],
        );
    });
}

#[test]
fn detail() {
    snapshot("detail", |app| {
        press(app, &[Action::Right, Action::Enter, Action::Enter]);
    });
}

#[test]
fn detail_scrolled_to_the_snippet() {
    snapshot("detail_snippet", |app| {
        press(app, &[Action::Right, Action::Enter, Action::Enter]);
        press(app, &[Action::Down; 14]);
    });
}

#[test]
fn help_overlay() {
    snapshot("help", |app| {
        press(app, &[Action::Help]);
    });
}

#[test]
fn grade_explanation_overlay() {
    snapshot("grade", |app| {
        press(app, &[Action::Right, Action::ExplainGrade]);
    });
}

#[test]
fn grade_explanation_of_an_area_not_assessed() {
    snapshot("grade_not_assessed", |app| {
        press(
            app,
            &[
                Action::Right,
                Action::Right,
                Action::Right,
                Action::ExplainGrade,
            ],
        );
    });
}

#[test]
fn collecting_with_live_progress() {
    snapshot("collecting", |app| {
        use rampart::model::SourceKind;
        app.start_collecting(&[SourceKind::Files, SourceKind::Kube, SourceKind::Docker]);
        app.on_progress(Progress::Step {
            source: SourceKind::Kube,
            message: "listed 120 pods".to_string(),
        });
    });
}

#[test]
fn a_message_in_the_footer() {
    snapshot("message", |app| {
        press(app, &[Action::NextTheme]);
    });
}
