//! Evidence from the kube source.

use serde::{Deserialize, Serialize};

/// What the kube source observed. Objects are kept as their wire JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KubeEvidence {}
