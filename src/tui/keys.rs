//! Terminal events to actions. Pure, so every binding is testable without a terminal.

use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::app::{Action, App};

/// Every key and what it does, for the help overlay.
pub const HELP: &[(&str, &str)] = &[
    ("↑ ↓ ← → / h j k l", "move"),
    ("Enter", "open the area, the finding"),
    ("Esc", "back; close an overlay"),
    ("Tab", "next pane"),
    ("PgUp PgDn / g G", "page; first and last"),
    ("/", "fuzzy search; Enter keeps it, Esc clears it"),
    ("s", "severity filter: all, ≥ low … critical"),
    ("o", "source filter: all, files, kube, docker, github"),
    ("f", "status filter: open, new, suppressed, all"),
    ("S", "sort: severity, check, resource, source"),
    ("c", "group by check, or one row per finding"),
    ("y", "copy the remediation snippet (OSC 52)"),
    ("x", "why the area got its grade"),
    ("r", "rescan with live progress"),
    ("e", "write the markdown report"),
    ("t", "next theme"),
    ("?", "this help"),
    ("q / Ctrl-C", "quit"),
    ("mouse", "wheel scrolls, click selects"),
];

/// The action of a terminal event in the app's current mode, if any.
pub fn action(app: &App, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            if app.input.is_some() {
                search_key(key)
            } else {
                key_action(key)
            }
        }
        Event::Mouse(mouse) => mouse_action(mouse),
        Event::Resize(width, height) => Some(Action::Resize {
            width: *width,
            height: *height,
        }),
        _ => None,
    }
}

fn search_key(key: &KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => Some(Action::Quit),
        KeyCode::Char(c) => Some(Action::SearchChar(c)),
        KeyCode::Backspace => Some(Action::SearchBackspace),
        KeyCode::Enter => Some(Action::SearchConfirm),
        KeyCode::Esc => Some(Action::SearchCancel),
        _ => None,
    }
}

fn key_action(key: &KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') => Some(Action::Quit),
            KeyCode::Char('d') => Some(Action::PageDown),
            KeyCode::Char('u') => Some(Action::PageUp),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Esc | KeyCode::Backspace => Action::Back,
        KeyCode::Enter => Action::Enter,
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::Left | KeyCode::Char('h') => Action::Left,
        KeyCode::Right | KeyCode::Char('l') => Action::Right,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown | KeyCode::Char(' ') => Action::PageDown,
        KeyCode::Home | KeyCode::Char('g') => Action::Top,
        KeyCode::End | KeyCode::Char('G') => Action::Bottom,
        KeyCode::Tab | KeyCode::BackTab => Action::NextPane,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('x') => Action::ExplainGrade,
        KeyCode::Char('r') => Action::Rescan,
        KeyCode::Char('e') => Action::Export,
        KeyCode::Char('y') => Action::Copy,
        KeyCode::Char('t') => Action::NextTheme,
        KeyCode::Char('s') => Action::CycleSeverity,
        KeyCode::Char('o') => Action::CycleSource,
        KeyCode::Char('S') => Action::CycleSort,
        KeyCode::Char('f') => Action::CycleStatus,
        KeyCode::Char('c') => Action::ToggleGroup,
        KeyCode::Char('/') => Action::StartSearch,
        _ => return None,
    })
}

fn mouse_action(mouse: &MouseEvent) -> Option<Action> {
    match mouse.kind {
        MouseEventKind::ScrollDown => Some(Action::ScrollDown),
        MouseEventKind::ScrollUp => Some(Action::ScrollUp),
        MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
            column: mouse.column,
            row: mouse.row,
        }),
        _ => None,
    }
}
