//! State transitions of the terminal interface as plain functions: action in, state out.

mod tui_support;

use rampart::evidence::{SourceRecord, SourceStatus};
use rampart::model::{Area, Severity, SourceKind};
use rampart::sources::Progress;
use rampart::tui::app::{self, Action, App, Effect, Overlay, Pane, Row, Screen, SourceLine};
use rampart::tui::keys;
use rampart::tui::theme::Theme;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind,
};
use tui_support::{app_at, press};

fn app() -> App {
    app_at(80, 24, Theme::default())
}

fn containers() -> App {
    let mut app = app();
    press(&mut app, &[Action::Right, Action::Enter]);
    app
}

#[test]
fn enter_opens_the_selected_area_and_escape_returns() {
    let mut app = containers();
    assert_eq!(app.screen, Screen::Findings);
    assert_eq!(app.current_area(), Area::Containers);
    assert_eq!(app.rows.len(), 13);
    assert!(
        app.rows
            .iter()
            .all(|r| app.findings[r.finding()].area == Area::Containers)
    );
    press(&mut app, &[Action::Back]);
    assert_eq!(app.screen, Screen::Overview);
}

#[test]
fn arrows_move_between_tiles_within_the_grid() {
    let mut app = app();
    press(&mut app, &[Action::Down]);
    assert_eq!(app.current_area(), Area::Identity);
    press(
        &mut app,
        &[Action::Down, Action::Right, Action::Right, Action::Right],
    );
    assert_eq!(
        app.current_area(),
        Area::Compliance,
        "clamped to the last tile"
    );
    press(&mut app, &[Action::Up]);
    assert_eq!(app.current_area(), Area::Network);
    press(&mut app, &[Action::Left]);
    assert_eq!(app.current_area(), Area::Containers);
    press(&mut app, &[Action::Top]);
    assert_eq!(app.area, 0);
}

#[test]
fn search_is_live_counts_what_it_hides_and_escape_clears_it() {
    let mut app = containers();
    press(&mut app, &[Action::StartSearch]);
    assert!(app.input.is_some());
    let typed: Vec<Action> = "root".chars().map(Action::SearchChar).collect();
    press(&mut app, &typed);
    assert_eq!(app.rows.len(), 4);
    assert_eq!(app.hidden, 9);
    press(&mut app, &[Action::SearchConfirm]);
    assert_eq!(app.input, None);
    assert_eq!(app.filters.query, "root", "Enter keeps the search");

    press(&mut app, &[Action::StartSearch, Action::SearchCancel]);
    assert_eq!(app.filters.query, "");
    assert_eq!(app.rows.len(), 13);
    assert_eq!(app.hidden, 0);
}

#[test]
fn typing_narrows_the_previous_result_and_backspace_widens_it_again() {
    let mut typed = containers();
    press(&mut typed, &[Action::StartSearch]);
    let mut counts = Vec::new();
    for c in "ro t".chars() {
        press(&mut typed, &[Action::SearchChar(c)]);
        counts.push(typed.rows.len());
    }

    // Each step matches what a fresh search for the same text matches, in the same order.
    for (end, count) in ["r", "ro", "ro ", "ro t"].iter().zip(&counts) {
        let mut fresh = containers();
        fresh.filters.query = (*end).to_string();
        fresh.refilter();
        assert_eq!(fresh.rows.len(), *count, "after `{end}`");
    }
    let mut fresh = containers();
    fresh.filters.query = "ro t".to_string();
    fresh.refilter();
    assert_eq!(fresh.rows, typed.rows);

    press(
        &mut typed,
        &[Action::SearchBackspace, Action::SearchBackspace],
    );
    assert_eq!(typed.filters.query, "ro");
    assert_eq!(
        typed.rows.len(),
        counts[1],
        "a shorter query searches everything again"
    );
    press(&mut typed, &[Action::SearchCancel]);
    assert_eq!(typed.rows.len(), 13);
}

#[test]
fn fuzzy_search_matches_compact_subsequences_only() {
    assert!(app::fuzzy("ctr-010 container runs privileged", "privlgd"));
    assert!(app::fuzzy("ctr-010 container runs privileged", "ctr010"));
    assert!(!app::fuzzy("ctr-010 container runs privileged", "ctrpriv"));
    assert!(!app::fuzzy("abc", "abcd"));
}

#[test]
fn severity_and_source_filters_cycle_and_hide() {
    let mut app = containers();
    press(&mut app, &[Action::CycleSeverity; 3]);
    assert_eq!(app.filters.min_severity, Some(Severity::High));
    assert_eq!(app.rows.len(), 4);
    assert_eq!(app.hidden, 9);
    press(&mut app, &[Action::CycleSeverity; 2]);
    assert_eq!(app.filters.min_severity, None, "wraps back to all");

    press(&mut app, &[Action::CycleSource, Action::CycleSource]);
    assert_eq!(app.filters.source, Some(SourceKind::Kube));
    assert!(app.rows.is_empty(), "the bundle holds files evidence only");
    assert_eq!(app.hidden, 13);
}

#[test]
fn sorting_by_resource_orders_the_rows() {
    let mut app = containers();
    press(&mut app, &[Action::CycleSort, Action::CycleSort]);
    let names: Vec<&str> = app
        .rows
        .iter()
        .map(|r| app.findings[r.finding()].resource.display.as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    assert_eq!(names[0], "Deployment shop/web, container metrics");
}

#[test]
fn grouping_puts_each_checks_resources_under_it() {
    let mut app = containers();
    press(&mut app, &[Action::ToggleGroup]);
    let groups: Vec<(usize, usize)> = app
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r {
            Row::Group { count, .. } => Some((i, *count)),
            Row::Finding(_) => None,
        })
        .collect();
    assert_eq!(groups.len(), 9, "nine distinct checks fail in Containers");
    for (index, count) in groups {
        let id = &app.findings[app.rows[index].finding()].check_id;
        for member in &app.rows[index + 1..=index + count] {
            assert!(matches!(member, Row::Finding(_)));
            assert_eq!(&app.findings[member.finding()].check_id, id);
        }
    }
    press(&mut app, &[Action::ToggleGroup]);
    assert!(app.rows.iter().all(|r| matches!(r, Row::Finding(_))));
}

#[test]
fn enter_on_a_finding_opens_its_detail_and_y_copies_the_snippet() {
    let mut app = containers();
    press(&mut app, &[Action::Down, Action::Enter]);
    assert_eq!(app.screen, Screen::Detail);
    let finding = app.detail.expect("detail");
    assert_eq!(app.findings[finding].check_id, "CTR-001");
    let check = app.check(finding).expect("check");
    assert_eq!(
        app::update(&mut app, Action::Copy),
        Some(Effect::Copy(check.snippet.code.to_string()))
    );
    assert!(app.message.as_deref().unwrap_or("").contains("CTR-001"));
    press(&mut app, &[Action::Down, Action::Down]);
    assert_eq!(app.scroll, 2);
    press(&mut app, &[Action::Back]);
    assert_eq!(app.screen, Screen::Findings);
}

#[test]
fn every_affected_resource_of_the_check_is_listed() {
    let mut app = containers();
    let index = app
        .rows
        .iter()
        .position(|r| app.findings[r.finding()].check_id == "CTR-014")
        .expect("CTR-014 row");
    press(&mut app, &[Action::Top]);
    for _ in 0..index {
        press(&mut app, &[Action::Down]);
    }
    press(&mut app, &[Action::Enter]);
    let affected = app.affected(app.detail.expect("detail"));
    assert_eq!(affected.len(), 2);
}

#[test]
fn overlays_open_and_close_without_leaving_the_screen() {
    let mut app = containers();
    press(&mut app, &[Action::Help]);
    assert_eq!(app.overlay, Some(Overlay::Help));
    press(&mut app, &[Action::Down]);
    assert_eq!(app.selected, 0, "keys go to the overlay, not the table");
    press(&mut app, &[Action::Back]);
    assert_eq!(app.overlay, None);
    assert_eq!(app.screen, Screen::Findings);
    press(&mut app, &[Action::ExplainGrade]);
    assert_eq!(app.overlay, Some(Overlay::Grade));
    press(&mut app, &[Action::ExplainGrade]);
    assert_eq!(app.overlay, None, "the same key closes it");
}

#[test]
fn quit_export_rescan_and_theme_effects() {
    let mut app = app();
    assert_eq!(app::update(&mut app, Action::Quit), Some(Effect::Quit));
    assert_eq!(app::update(&mut app, Action::Export), Some(Effect::Export));
    assert_eq!(
        app::update(&mut app, Action::Rescan),
        None,
        "a bundle cannot be rescanned"
    );
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("nothing to rescan")
    );
    app.can_rescan = true;
    assert_eq!(app::update(&mut app, Action::Rescan), Some(Effect::Rescan));
    app.collecting = true;
    assert_eq!(
        app::update(&mut app, Action::Rescan),
        None,
        "one scan at a time"
    );

    let names: Vec<String> = (0..4)
        .map(|_| {
            press(&mut app, &[Action::NextTheme]);
            app.theme().name.clone()
        })
        .collect();
    assert_eq!(names, ["light", "high-contrast", "default", "light"]);
}

/// The bundle's interface on the containers area with every finding of the first
/// container check suppressed, and that check's id and number of findings.
fn containers_with_one_check_suppressed() -> (App, String, usize) {
    let (report, first) = tui_support::report_with_suppression();
    let count = tui_support::report()
        .findings()
        .iter()
        .filter(|f| f.check_id == first)
        .count();
    let mut app = tui_support::app_over(report, 80, 24, Theme::default());
    press(&mut app, &[Action::Right, Action::Enter]);
    (app, first, count)
}

#[test]
fn suppressed_findings_are_hidden_until_the_status_filter_asks_for_them() {
    let (mut app, check, count) = containers_with_one_check_suppressed();
    assert!(count > 0);
    assert_eq!(app.filters.status, app::StatusFilter::Open);
    assert_eq!(app.rows.len(), 13 - count);
    assert_eq!(app.hidden, count, "the suppressed findings count as hidden");
    assert!(
        app.rows
            .iter()
            .all(|r| app.findings[r.finding()].check_id != check)
    );
    let open: usize = app.area_counts(Area::Containers).iter().sum();
    assert_eq!(open, 13 - count, "tiles count only what counts");

    press(&mut app, &[Action::CycleStatus]);
    assert_eq!(app.filters.status, app::StatusFilter::New);
    assert_eq!(
        app.rows.len(),
        13 - count,
        "without a baseline every open finding is new"
    );

    press(&mut app, &[Action::CycleStatus]);
    assert_eq!(app.filters.status, app::StatusFilter::Suppressed);
    assert_eq!(app.rows.len(), count);
    assert!(
        app.rows
            .iter()
            .all(|r| app::is_suppressed(&app.findings[r.finding()]))
    );
    let screen = tui_support::text(&app);
    assert!(
        screen.contains("status suppressed") || screen.contains("suppressed ·"),
        "{screen}"
    );

    press(&mut app, &[Action::Enter]);
    assert_eq!(app.screen, Screen::Detail);
    let detail: String =
        rampart::tui::view::detail_lines(&app, app.theme(), app.detail.expect("detail"))
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
    assert!(detail.contains("Suppressed"), "{detail}");
    assert!(detail.contains("accepted until the rewrite"), "{detail}");
    assert!(detail.contains("rampart.toml [[suppress]] #1"), "{detail}");

    press(&mut app, &[Action::Back, Action::CycleStatus]);
    assert_eq!(app.filters.status, app::StatusFilter::All);
    assert_eq!(app.rows.len(), 13);
    assert_eq!(app.hidden, 0);
    press(&mut app, &[Action::CycleStatus]);
    assert_eq!(app.filters.status, app::StatusFilter::Open);
}

#[test]
fn tab_moves_the_focus_between_panes() {
    let mut app = app();
    assert_eq!(app.focus, Pane::Main);
    press(&mut app, &[Action::NextPane]);
    assert_eq!(app.focus, Pane::Side);
    press(&mut app, &[Action::NextPane]);
    assert_eq!(app.focus, Pane::Main);
}

#[test]
fn paging_keeps_the_selection_on_screen() {
    let mut app = app();
    press(
        &mut app,
        &[
            Action::Resize {
                width: 80,
                height: 12,
            },
            Action::Enter,
        ],
    );
    let height = app.table_height();
    assert!(
        height > 0 && height < app.rows.len(),
        "{height} rows of {}",
        app.rows.len()
    );
    press(&mut app, &[Action::Bottom]);
    assert_eq!(app.selected, app.rows.len() - 1);
    assert!(app.selected < app.offset + height && app.selected >= app.offset);
    press(&mut app, &[Action::Top]);
    assert_eq!((app.selected, app.offset), (0, 0));
}

#[test]
fn clicks_select_tiles_and_rows() {
    let mut app = app();
    let tiles = rampart::tui::view::overview_layout(app.area_rect()).tiles;
    let tile = tiles[5];
    press(
        &mut app,
        &[Action::Click {
            column: tile.x + 1,
            row: tile.y + 1,
        }],
    );
    assert_eq!(app.current_area(), Area::Monitoring);

    let mut app = containers();
    let rows = rampart::tui::view::findings_layout(app.area_rect()).table_rows;
    press(
        &mut app,
        &[Action::Click {
            column: rows.x + 3,
            row: rows.y + 2,
        }],
    );
    assert_eq!(app.selected, 2);
    press(&mut app, &[Action::ScrollDown]);
    assert_eq!(app.selected, 3, "the wheel moves the selection");
}

#[test]
fn progress_events_fill_the_status_lines() {
    let mut app = app();
    app.start_collecting(&[SourceKind::Files, SourceKind::Docker]);
    assert!(app.collecting);
    app.on_progress(Progress::Step {
        source: SourceKind::Docker,
        message: "listed 3 containers".to_string(),
    });
    assert_eq!(
        app.sources[1],
        SourceLine::Collecting(SourceKind::Docker, Some("listed 3 containers".to_string()))
    );
    let record = SourceRecord {
        kind: SourceKind::Docker,
        status: SourceStatus::Unavailable {
            reason: "cannot reach the daemon".to_string(),
            fix: "start it".to_string(),
        },
        target: String::new(),
        attempted: Vec::new(),
        denied: Default::default(),
        elapsed_ms: 1,
    };
    app.on_progress(Progress::Finished(record.clone()));
    assert_eq!(app.sources[1], SourceLine::Done(record));
    app.finish_collecting(Err("the walk failed".to_string()));
    assert!(!app.collecting);
    assert_eq!(app.message.as_deref(), Some("the walk failed"));
}

#[test]
fn a_new_report_replaces_the_old_one_in_place() {
    let mut app = containers();
    let report = tui_support::report();
    app.start_collecting(&[SourceKind::Files]);
    app.finish_collecting(Ok(report));
    assert_eq!(app.screen, Screen::Findings);
    assert_eq!(app.rows.len(), 13);
    assert!(matches!(app.sources[0], SourceLine::Done(_)));
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

#[test]
fn keys_map_to_actions_and_search_mode_takes_every_character() {
    let app = containers();
    let cases = [
        (KeyCode::Char('j'), Action::Down),
        (KeyCode::Down, Action::Down),
        (KeyCode::Char('k'), Action::Up),
        (KeyCode::Char('h'), Action::Left),
        (KeyCode::Char('l'), Action::Right),
        (KeyCode::Enter, Action::Enter),
        (KeyCode::Esc, Action::Back),
        (KeyCode::Tab, Action::NextPane),
        (KeyCode::Char('?'), Action::Help),
        (KeyCode::Char('q'), Action::Quit),
        (KeyCode::Char('/'), Action::StartSearch),
        (KeyCode::Char('y'), Action::Copy),
        (KeyCode::Char('t'), Action::NextTheme),
        (KeyCode::Char('e'), Action::Export),
        (KeyCode::Char('r'), Action::Rescan),
        (KeyCode::Char('x'), Action::ExplainGrade),
    ];
    for (code, action) in cases {
        assert_eq!(keys::action(&app, &key(code)), Some(action), "{code:?}");
    }
    let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(keys::action(&app, &ctrl_c), Some(Action::Quit));

    let mut searching = containers();
    press(&mut searching, &[Action::StartSearch]);
    assert_eq!(
        keys::action(&searching, &key(KeyCode::Char('q'))),
        Some(Action::SearchChar('q'))
    );
    assert_eq!(
        keys::action(&searching, &key(KeyCode::Esc)),
        Some(Action::SearchCancel)
    );

    let wheel = Event::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 0,
        row: 0,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(keys::action(&app, &wheel), Some(Action::ScrollDown));
    assert_eq!(
        keys::action(&app, &Event::Resize(100, 30)),
        Some(Action::Resize {
            width: 100,
            height: 30
        })
    );
}

#[test]
fn every_key_of_the_help_overlay_is_bound() {
    let app = app();
    for (keys_text, _) in keys::HELP {
        let first = keys_text.split_whitespace().next().unwrap_or("");
        let code = match first {
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Tab" => KeyCode::Tab,
            "PgUp" => KeyCode::PageUp,
            "↑" => KeyCode::Up,
            "mouse" => continue,
            single => KeyCode::Char(single.chars().next().unwrap_or(' ')),
        };
        assert!(
            keys::action(&app, &key(code)).is_some(),
            "`{first}` does nothing"
        );
    }
}
