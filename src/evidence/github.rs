//! Evidence from the github source.

use serde::{Deserialize, Serialize};

/// What the github source observed. Objects are kept as their wire JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GithubEvidence {}
