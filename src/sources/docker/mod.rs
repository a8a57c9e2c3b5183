//! The docker source.

use crate::evidence::{DockerEvidence, SourceRecord, SourceStatus};
use crate::model::SourceKind;
use crate::sources::ProgressSender;

/// How to reach the docker source, from flags, environment and configuration.
#[derive(Debug, Clone, Default)]
pub struct DockerOptions {}

/// Collects the docker evidence. Never fails: what could not be read is in the record.
pub async fn collect(
    _options: &DockerOptions,
    _progress: Option<&ProgressSender>,
) -> (Option<DockerEvidence>, SourceRecord) {
    let record = SourceRecord {
        kind: SourceKind::Docker,
        status: SourceStatus::Unavailable {
            reason: "this build has no docker source yet".to_string(),
            fix: "use --sources files".to_string(),
        },
        target: String::new(),
        attempted: Vec::new(),
        denied: Default::default(),
        elapsed_ms: 0,
    };
    (None, record)
}
