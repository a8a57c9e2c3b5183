//! The interactive terminal interface.
//!
//! [`app`] holds the state and turns actions into state changes, [`keys`] turns terminal
//! events into actions, [`view`] draws the state, and this module owns the terminal, the
//! background collection and the effects (export, clipboard) that touch the outside world.

pub mod app;
pub mod highlight;
pub mod keys;
pub mod theme;
pub mod view;

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use color_eyre::eyre::{Context as _, Result};
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::{cursor, execute};

use crate::report::{EvaluationSettings, Report};
use crate::sources::{self, CollectRequest, Progress};

use app::{App, Effect};
use theme::Theme;

/// What the interface starts with.
#[derive(Debug)]
pub struct Launch {
    /// The report shown first: final for a bundle, empty while a collection runs.
    pub report: Report,
    /// The collection to run in the background (and again on `r`), when there is one.
    pub collect: Option<(CollectRequest, EvaluationSettings)>,
    pub theme: Theme,
    /// A first message for the footer, such as a theme that fell back.
    pub message: Option<String>,
    /// Where `e` writes the markdown report.
    pub export_path: PathBuf,
}

/// News from the background collection.
enum Message {
    Progress(Progress),
    Collected(Box<Result<Report, String>>),
}

/// Runs the interface until the person quits. The terminal is restored on every exit path.
pub fn run(launch: Launch) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    let (tx, rx) = mpsc::channel();
    let mut app = App::new(launch.report, launch.theme);
    app.message = launch.message;
    app.export_path = launch.export_path;
    app.can_rescan = launch.collect.is_some();
    if let Some((request, settings)) = &launch.collect {
        start_collection(&runtime, &mut app, request, settings, &tx);
    }

    let mut terminal = ratatui::try_init().wrap_err("cannot open the terminal interface")?;
    install_mouse_restoring_hook();
    let result = execute!(std::io::stdout(), EnableMouseCapture)
        .wrap_err("cannot enable the mouse")
        .and_then(|()| {
            event_loop(&mut terminal, &mut app, &rx, &|app| {
                if let Some((request, settings)) = &launch.collect {
                    start_collection(&runtime, app, request, settings, &tx);
                }
            })
        });
    restore();
    tracing::info!("interface closed");
    result
}

/// Leaves the terminal as it was found: mouse off, cursor shown, cooked mode, main screen.
fn restore() {
    let _ = execute!(std::io::stdout(), DisableMouseCapture, cursor::Show);
    ratatui::restore();
}

/// Ratatui's own hook restores raw mode and the screen on panic; this one, installed after
/// it and so run first, also turns the mouse reporting off and shows the cursor.
fn install_mouse_restoring_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(std::io::stdout(), DisableMouseCapture, cursor::Show);
        previous(info);
    }));
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    rx: &mpsc::Receiver<Message>,
    rescan: &dyn Fn(&mut App),
) -> Result<()> {
    let size = terminal.size().wrap_err("cannot read the terminal size")?;
    app.size = (size.width, size.height);
    let mut dirty = true;
    loop {
        if dirty {
            terminal
                .draw(|frame| frame.render_widget(&*app, frame.area()))
                .wrap_err("cannot draw the interface")?;
            dirty = false;
        }
        while let Ok(message) = rx.try_recv() {
            match message {
                Message::Progress(progress) => app.on_progress(progress),
                Message::Collected(result) => app.finish_collecting(*result),
            }
            dirty = true;
        }
        if !event::poll(Duration::from_millis(40)).wrap_err("cannot read the keyboard")? {
            continue;
        }
        let event = event::read().wrap_err("cannot read the keyboard")?;
        let Some(action) = keys::action(app, &event) else {
            continue;
        };
        dirty = true;
        match app::update(app, action) {
            Some(Effect::Quit) => return Ok(()),
            Some(Effect::Rescan) => rescan(app),
            Some(Effect::Export) => export(app),
            Some(Effect::Copy(text)) => copy(terminal, &text),
            None => {}
        }
    }
}

/// Collects in the background, sending progress and then the evaluated report.
fn start_collection(
    runtime: &tokio::runtime::Runtime,
    app: &mut App,
    request: &CollectRequest,
    settings: &EvaluationSettings,
    tx: &mpsc::Sender<Message>,
) {
    app.start_collecting(&request.sources);
    let (request, settings, tx) = (request.clone(), settings.clone(), tx.clone());
    runtime.spawn(async move {
        let (progress_tx, mut progress_rx) = tokio::sync::mpsc::unbounded_channel();
        let forward_tx = tx.clone();
        let forward = tokio::spawn(async move {
            while let Some(progress) = progress_rx.recv().await {
                let _ = forward_tx.send(Message::Progress(progress));
            }
        });
        let collected = sources::collect(&request, Some(progress_tx)).await;
        let _ = forward.await;
        let result = collected
            .map(|evidence| Report::evaluate(&evidence, &settings))
            .map_err(|e| format!("{e}"));
        // The interface may have quit meanwhile; then nobody needs the report.
        let _ = tx.send(Message::Collected(Box::new(result)));
    });
}

/// Writes the markdown report and says where in the footer.
fn export(app: &mut App) {
    let markdown = crate::output::markdown::render(&app.report);
    let path = std::path::absolute(&app.export_path).unwrap_or_else(|_| app.export_path.clone());
    app.message = Some(match std::fs::write(&path, markdown) {
        Ok(()) => format!("wrote the markdown report to {}", path.display()),
        Err(e) => format!(
            "cannot write the report to `{}`: {e}; run from a writable directory",
            path.display()
        ),
    });
}

/// Puts `text` on the clipboard with OSC 52, which terminals relay even over SSH.
fn copy(terminal: &mut DefaultTerminal, text: &str) {
    let sequence = osc52(text);
    let backend = terminal.backend_mut();
    let _ = backend
        .write_all(sequence.as_bytes())
        .and_then(|()| backend.flush());
}

/// The OSC 52 sequence that sets the clipboard to `text`.
pub fn osc52(text: &str) -> String {
    format!("\u{1b}]52;c;{}\u{7}", base64(text.as_bytes()))
}

/// Standard base64 with padding; a dependency for twenty lines would not pay.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn osc52_wraps_the_encoded_text() {
        assert_eq!(osc52("hi"), "\u{1b}]52;c;aGk=\u{7}");
    }
}
