//! Outputs: each reads the [`Report`] and nothing else. The only module tree allowed to
//! print.
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod catalogue;
pub mod json;
pub mod logging;
pub mod markdown;
pub mod sarif;
pub mod text;

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;
use color_eyre::eyre::{Context as _, Result};

use crate::cli::{Cli, Format};
use crate::report::Report;

/// Renders the report in one format.
pub fn render(report: &Report, format: Format) -> Result<String> {
    Ok(match format {
        Format::Text => text::render(report),
        Format::Json => json::render(report)?,
        Format::Markdown => markdown::render(report),
        Format::Sarif => sarif::render(report)?,
    })
}

/// Writes rendered output to a file, or to standard output when `path` is `None`.
pub fn emit(text: &str, path: Option<&Path>) -> Result<()> {
    match path {
        Some(path) => std::fs::write(path, text).wrap_err_with(|| {
            format!(
                "cannot write `{}`: check the directory exists and is writable",
                path.display()
            )
        }),
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`rampart | head`) is not an error worth a message.
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(e).wrap_err("cannot write to standard output")
                }
                _ => Ok(()),
            }
        }
    }
}

/// Prints an error for the person at the terminal.
pub fn error(message: &str) {
    eprintln!("rampart: error: {}", crate::sanitize::clean(message));
}

/// Prints a warning for the person at the terminal.
pub fn warning(message: &str) {
    eprintln!("rampart: warning: {}", crate::sanitize::clean(message));
}

/// Prints a shell completion script to standard output.
pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut command = Cli::command();
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut command, "rampart", &mut buffer);
    emit(&String::from_utf8_lossy(&buffer), None)
}
