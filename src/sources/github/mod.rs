//! The github source.

use crate::evidence::{GithubEvidence, SourceRecord, SourceStatus};
use crate::model::SourceKind;
use crate::sources::ProgressSender;

/// How to reach the github source, from flags, environment and configuration.
#[derive(Debug, Clone, Default)]
pub struct GithubOptions {}

/// Collects the github evidence. Never fails: what could not be read is in the record.
pub async fn collect(
    _options: &GithubOptions,
    _progress: Option<&ProgressSender>,
) -> (Option<GithubEvidence>, SourceRecord) {
    let record = SourceRecord {
        kind: SourceKind::Github,
        status: SourceStatus::Unavailable {
            reason: "this build has no github source yet".to_string(),
            fix: "use --sources files".to_string(),
        },
        target: String::new(),
        attempted: Vec::new(),
        denied: Default::default(),
        elapsed_ms: 0,
    };
    (None, record)
}
