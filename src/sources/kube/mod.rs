//! The kube source.

use crate::evidence::{KubeEvidence, SourceRecord, SourceStatus};
use crate::model::SourceKind;
use crate::sources::ProgressSender;

/// How to reach the kube source, from flags, environment and configuration.
#[derive(Debug, Clone, Default)]
pub struct KubeOptions {}

/// Collects the kube evidence. Never fails: what could not be read is in the record.
pub async fn collect(
    _options: &KubeOptions,
    _progress: Option<&ProgressSender>,
) -> (Option<KubeEvidence>, SourceRecord) {
    let record = SourceRecord {
        kind: SourceKind::Kube,
        status: SourceStatus::Unavailable {
            reason: "this build has no kube source yet".to_string(),
            fix: "use --sources files".to_string(),
        },
        target: String::new(),
        attempted: Vec::new(),
        denied: Default::default(),
        elapsed_ms: 0,
    };
    (None, record)
}
