//! Evidence from the github source.
//!
//! Each endpoint's answer is kept as GitHub's REST JSON, trimmed where the wire object
//! carries something that must not be stored (a webhook URL's query, a deploy key's body,
//! an alert's secret): open alerts are kept as counts only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::evidence::FilesEvidence;

/// What the github source observed. Objects are kept as their wire JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GithubEvidence {
    /// The REST API root that answered (`https://api.github.com`, or a GHES `/api/v3`).
    #[serde(default)]
    pub api_url: String,
    /// `owner/name`.
    #[serde(default)]
    pub repository: String,
    /// Whether a token was used. Never the token itself.
    #[serde(default)]
    pub authenticated: bool,
    /// The repository object, including `permissions` and `security_and_analysis` when the
    /// caller may see them.
    #[serde(default)]
    pub repo: Option<Value>,
    /// The answer of each endpoint read, keyed by a stable name (`branch_protection`,
    /// `hooks`, `dependabot_alerts`, …); see `docs/sources-github.md`.
    #[serde(default)]
    pub endpoints: BTreeMap<String, Answer>,
    /// Workflows, Dependabot configuration, SECURITY.md and CODEOWNERS fetched through
    /// the API when no local checkout was scanned, in the files source's own shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_files: Option<FilesEvidence>,
    /// Things worth knowing about the collection that are not a denial.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// How one endpoint answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum Answer {
    /// The endpoint answered; `value` is its (trimmed) JSON, or `true` for a 204.
    Read { value: Value },
    /// GitHub said the thing is not set up (`Branch not protected`, alerts disabled).
    Absent { message: String },
    /// The caller may not read it: `permission` is what was missing (a fine-grained
    /// permission such as `administration:read`, or a classic scope).
    Denied { permission: String, reason: String },
}

impl GithubEvidence {
    /// The answer of an endpoint, if it was asked.
    pub fn answer(&self, key: &str) -> Option<&Answer> {
        self.endpoints.get(key)
    }

    /// Whether the repository is public, when known.
    pub fn is_public(&self) -> Option<bool> {
        let repo = self.repo.as_ref()?;
        if let Some(visibility) = repo.get("visibility").and_then(Value::as_str) {
            return Some(visibility == "public");
        }
        repo.get("private").and_then(Value::as_bool).map(|p| !p)
    }

    /// `security_and_analysis.<feature>.status == "enabled"`, when the object is visible.
    pub fn security_feature(&self, feature: &str) -> Option<bool> {
        let status = self
            .repo
            .as_ref()?
            .get("security_and_analysis")?
            .get(feature)?
            .get("status")?
            .as_str()?;
        Some(status == "enabled")
    }
}
