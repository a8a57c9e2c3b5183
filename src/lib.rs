//! Rampart audits the security posture of a software delivery system.
//!
//! One run collects evidence from its sources, evaluates the check catalogue against it,
//! grades seven areas and hands the resulting [`report::Report`] to an output. Only the
//! modules under [`sources`] perform I/O; checks and scoring are pure functions.

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
pub mod tui;
