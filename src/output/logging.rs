//! Logging with `tracing`: to a file only, and only when asked for, so that nothing is
//! ever written over a terminal interface.

use std::path::Path;

use tracing_subscriber::EnvFilter;

/// Keeps the log file open for the life of the process.
pub struct LogGuard;

/// Starts logging to `path` when given. Without a path, `RUST_LOG` sends logs to
/// standard error for non-interactive use.
pub fn init(path: Option<&Path>) -> Option<LogGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    match path {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .ok()?;
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(file))
                .try_init()
                .ok()?;
            Some(LogGuard)
        }
        None if std::env::var_os("RUST_LOG").is_some() => {
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .try_init()
                .ok()?;
            Some(LogGuard)
        }
        None => None,
    }
}
