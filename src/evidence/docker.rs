//! Evidence from the docker source.

use serde::{Deserialize, Serialize};

/// What the docker source observed. Objects are kept as their wire JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DockerEvidence {}
