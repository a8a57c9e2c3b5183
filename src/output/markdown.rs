//! The markdown report. TODO: not yet written.

use crate::report::Report;

/// Renders the report.
pub fn render(_report: &Report) -> String {
    String::new()
}
