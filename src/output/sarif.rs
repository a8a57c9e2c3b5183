//! The sarif output. TODO: not yet written; replaced by the full implementation.

use color_eyre::eyre::Result;

use crate::report::Report;

/// Renders the report.
pub fn render(_report: &Report) -> Result<String> {
    Ok(String::new())
}
