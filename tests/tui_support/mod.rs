//! Builds interfaces over the fixed evidence bundle and renders them with `TestBackend`.

#![allow(dead_code)]

use std::path::Path;

use rampart::evidence::Evidence;
use rampart::report::{EvaluationSettings, Report};
use rampart::tui::app::{self, Action, App, Effect};
use rampart::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// The report of the fixed evidence bundle: files only, every area but one graded.
pub fn report() -> Report {
    let evidence = Evidence::load(Path::new("tests/fixtures/evidence/v1.json")).expect("bundle");
    Report::evaluate(&evidence, &EvaluationSettings::default())
}

/// The bundle's report with every finding of the first container check suppressed by a
/// `[[suppress]]` table, and that check's id.
pub fn report_with_suppression() -> (Report, String) {
    let first = report()
        .findings()
        .into_iter()
        .find(|f| f.area == rampart::model::Area::Containers)
        .expect("a container finding")
        .check_id
        .clone();
    let evidence = Evidence::load(Path::new("tests/fixtures/evidence/v1.json")).expect("bundle");
    let settings = EvaluationSettings {
        suppressions: vec![rampart::suppress::Rule {
            check: first.clone(),
            resource: None,
            reason: "accepted until the rewrite".to_string(),
            expires: None,
            origin: "rampart.toml [[suppress]] #1".to_string(),
        }],
        ..EvaluationSettings::default()
    };
    (Report::evaluate(&evidence, &settings), first)
}

/// An interface over `report` at `width`×`height`.
pub fn app_over(report: Report, width: u16, height: u16, theme: Theme) -> App {
    let mut app = App::new(report, theme);
    app::update(&mut app, Action::Resize { width, height });
    app
}

/// An interface over the bundle at `width`×`height`.
pub fn app_at(width: u16, height: u16, theme: Theme) -> App {
    let mut app = App::new(report(), theme);
    app::update(&mut app, Action::Resize { width, height });
    app
}

/// Applies actions in order and returns the last effect.
pub fn press(app: &mut App, actions: &[Action]) -> Option<Effect> {
    let mut last = None;
    for action in actions {
        last = app::update(app, *action);
    }
    last
}

/// Draws the interface into a buffer of its size.
pub fn buffer(app: &App) -> Buffer {
    let (width, height) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| frame.render_widget(app, frame.area()))
        .expect("draw");
    terminal.backend().buffer().clone()
}

/// The screen as text, one line per row.
pub fn text(app: &App) -> String {
    let buf = buffer(app);
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// The position of the first cell where `needle` starts, searching row by row.
pub fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    for y in 0..buf.area.height {
        let row: Vec<String> = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        let line: String = row.concat();
        if let Some(byte) = line.find(needle) {
            // Cells hold one symbol each; count the symbols before the match.
            let mut seen = 0;
            for (x, symbol) in row.iter().enumerate() {
                if seen == byte {
                    return u16::try_from(x).ok().map(|x| (x, y));
                }
                seen += symbol.len();
            }
        }
    }
    None
}
