//! Colours of chosen cells under each theme, and a screen unharmed by hostile names.
//!
//! Snapshots hold text only, so these tests read the styles of the cells that matter: a
//! grade, a critical badge, the selected row, the not-assessed tile.

mod tui_support;

use rampart::tui::app::{Action, App};
use rampart::tui::theme::{self, Theme};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use tui_support::{app_at, buffer, find, press, text};

fn themes() -> Vec<Theme> {
    theme::BUILT_IN
        .iter()
        .map(|(name, _)| Theme::builtin(name).expect("built-in theme"))
        .collect()
}

fn cell_at<'a>(buf: &'a Buffer, needle: &str) -> &'a ratatui::buffer::Cell {
    let (x, y) = find(buf, needle).unwrap_or_else(|| panic!("`{needle}` is not on screen"));
    &buf[(x, y)]
}

fn containers(theme: Theme) -> App {
    let mut app = app_at(80, 24, theme);
    // Select the second row so the critical badge on the first is drawn unselected.
    press(&mut app, &[Action::Right, Action::Enter, Action::Down]);
    app
}

#[test]
fn the_three_themes_differ() {
    let all = themes();
    assert_ne!(all[0].critical, all[1].critical);
    assert_ne!(all[0].selected_bg, all[2].selected_bg);
    assert_ne!(all[1].grade_f, all[2].grade_f);
}

#[test]
fn a_grade_takes_its_themes_colour() {
    for theme in themes() {
        let app = app_at(80, 24, theme.clone());
        let buf = buffer(&app);
        let grade = cell_at(&buf, "F  36.8");
        assert_eq!(grade.fg, theme.grade_f, "{}", theme.name);
        assert!(grade.modifier.contains(Modifier::BOLD), "{}", theme.name);
    }
}

#[test]
fn a_not_assessed_tile_looks_different_from_a_grade() {
    for theme in themes() {
        let app = app_at(80, 24, theme.clone());
        let buf = buffer(&app);
        let cell = cell_at(&buf, "– not assessed");
        assert_eq!(cell.fg, theme.not_assessed, "{}", theme.name);
        assert!(cell.modifier.contains(Modifier::ITALIC), "{}", theme.name);
        // Its frame is dashed where graded tiles have solid ones.
        assert!(text(&app).contains("┌Identity and ac…╌"));
    }
}

#[test]
fn a_critical_badge_takes_its_themes_colour() {
    for theme in themes() {
        let app = containers(theme.clone());
        let buf = buffer(&app);
        let badge = cell_at(&buf, "critical");
        assert_eq!(badge.fg, theme.critical, "{}", theme.name);
        assert!(badge.modifier.contains(Modifier::BOLD), "{}", theme.name);
    }
}

#[test]
fn the_selected_row_is_highlighted_across_its_width() {
    for theme in themes() {
        let app = containers(theme.clone());
        let buf = buffer(&app);
        let (_, y) = find(&buf, "CTR-001").expect("selected row");
        for x in [1, 20, 60] {
            assert_eq!(buf[(x, y)].bg, theme.selected_bg, "{} at {x}", theme.name);
            assert_eq!(buf[(x, y)].fg, theme.selected_fg, "{} at {x}", theme.name);
        }
    }
}

#[test]
fn no_color_leaves_every_cell_uncoloured_but_keeps_the_selection_visible() {
    let app = containers(Theme::default().without_colour());
    let buf = buffer(&app);
    for cell in buf.content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset));
    }
    let (_, y) = find(&buf, "CTR-001").expect("selected row");
    assert!(buf[(5, y)].modifier.contains(Modifier::REVERSED));
    let (theme, message) = theme::choose(Some("light"), true);
    assert!(!theme.colour);
    assert_eq!(message, None);
}

#[test]
fn a_bad_theme_file_falls_back_with_a_message_in_the_footer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mine.toml");
    std::fs::write(&path, "name = \"mine\"\nselected-bg = \"not-a-colour\"\n").expect("write");
    let (theme, message) = theme::choose(path.to_str(), false);
    assert_eq!(theme, Theme::default());
    let mut app = app_at(120, 40, theme);
    app.message = message;
    let screen = text(&app);
    assert!(screen.contains("`selected-bg`"), "{screen}");
    assert!(screen.contains("using the default theme"), "{screen}");
}

/// A name carrying an OSC title change, a bell and a clear-screen sequence.
const HOSTILE: &str = "web\u{1b}]0;pwned\u{7}\u{1b}[2J";

#[test]
fn a_resource_named_with_an_escape_sequence_leaves_the_screen_unharmed() {
    let mut report = tui_support::report();
    for outcome in &mut report.outcomes {
        for finding in &mut outcome.findings {
            finding.resource.display = format!("Pod shop/{HOSTILE}");
            finding.message = format!("container `{HOSTILE}` runs privileged\n\u{1b}[31mred");
            finding.evidence = Some(format!("name: {HOSTILE}"));
        }
    }
    report.sources[0].target = HOSTILE.to_string();
    let mut app = App::new(report, Theme::default());
    press(
        &mut app,
        &[Action::Resize {
            width: 80,
            height: 24,
        }],
    );

    let mut screens = vec![buffer(&app)];
    press(&mut app, &[Action::Right, Action::Enter]);
    screens.push(buffer(&app));
    press(&mut app, &[Action::ToggleGroup]);
    screens.push(buffer(&app));
    press(&mut app, &[Action::ToggleGroup, Action::Enter]);
    screens.push(buffer(&app));

    for buf in &screens {
        for cell in buf.content() {
            assert!(
                !cell.symbol().chars().any(char::is_control),
                "a control character reached the screen: {:?}",
                cell.symbol()
            );
        }
    }
    // The names are shown, defused, and the table's frame still closes every row.
    let table = &screens[1];
    assert!(find(table, "Pod shop/web\\u{1b}").is_some());
    for y in 3..15 {
        assert_eq!(table[(79, y)].symbol(), "│", "row {y} lost its border");
    }
    assert!(find(&screens[3], "web\\u{1b}]0;pwned\\u{7}").is_some());
}
