//! Rampart audits the security posture of a software delivery system.
//!
//! One run collects evidence from its sources, evaluates the check catalogue against it,
//! grades seven areas and hands the resulting [`report::Report`] to an output. Only the
//! modules under [`sources`] perform I/O; checks and scoring are pure functions.

pub mod baseline;
pub mod checks;
pub mod cli;
pub mod config;
pub mod evidence;
pub mod model;
pub mod output;
pub mod report;
pub mod run;
pub mod sanitize;
pub mod score;
pub mod secrets;
pub mod sources;
pub mod suppress;

/// Installs ring as the process's rustls crypto provider. Several clients can each enable
/// a provider, and rustls then refuses to pick one at the first TLS connection; calling
/// this first (in `main`, and in tests) settles it. A second call is harmless.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
pub mod tui;
