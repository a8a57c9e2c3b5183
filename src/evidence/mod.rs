//! The data model of what was observed: plain, versioned serde data.
//!
//! Evidence keeps objects as their wire JSON (a Kubernetes manifest as YAML would give it
//! to the API server, a workflow as its YAML tree) rather than as a client library's
//! structs, so a saved bundle outlives a dependency upgrade. Nothing in it is a secret
//! value: sources redact while collecting (see [`crate::secrets`]).

mod docker;
mod files;
mod github;
mod kube;

use std::collections::BTreeMap;
use std::path::Path;

use color_eyre::eyre::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::model::SourceKind;

pub use docker::{DockerEvidence, DockerImage};
pub use files::{
    DockerInstruction, DockerStage, Dockerfile, FileRole, FilesEvidence, InlineIgnore, Manifest,
    Origin, SecretHit, SkippedFile, TextFile, YamlDocument,
};
pub use github::{Answer, GithubEvidence};
pub use kube::{ControlPlane, KubeEvidence};

/// The version of the bundle format that this build writes. Every older version must load.
pub const BUNDLE_VERSION: u32 = 1;

/// Everything one run observed, and the clock it is judged against.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Evidence {
    /// Version of this bundle's format.
    pub version: u32,
    /// The Rampart version that collected it.
    pub collector: String,
    /// When collection happened; expiry dates and end-of-life tables are judged against it.
    #[serde(with = "time::serde::rfc3339")]
    pub clock: OffsetDateTime,
    /// What each source attempted and how it went.
    pub sources: Vec<SourceRecord>,
    /// The files of the scanned directory, when the files source ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<FilesEvidence>,
    /// The live cluster, when the kube source ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube: Option<KubeEvidence>,
    /// The Docker engine, when the docker source ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker: Option<DockerEvidence>,
    /// The GitHub repository's settings, when the github source ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<GithubEvidence>,
}

impl Evidence {
    /// An empty bundle with the given clock.
    pub fn new(clock: OffsetDateTime) -> Self {
        Evidence {
            version: BUNDLE_VERSION,
            collector: env!("CARGO_PKG_VERSION").to_string(),
            clock,
            sources: Vec::new(),
            files: None,
            kube: None,
            docker: None,
            github: None,
        }
    }

    /// The record of one source, if it was asked for.
    pub fn source(&self, kind: SourceKind) -> Option<&SourceRecord> {
        self.sources.iter().find(|s| s.kind == kind)
    }

    /// Whether a source's evidence can be used at all (connected or partial).
    pub fn has(&self, kind: SourceKind) -> bool {
        self.source(kind).is_some_and(|s| s.status.is_usable())
    }

    /// Loads a saved bundle, refusing versions newer than this build understands.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).wrap_err_with(|| {
            format!(
                "cannot read evidence bundle `{}`: check the path",
                path.display()
            )
        })?;
        Self::from_json(&text)
            .wrap_err_with(|| format!("cannot load evidence bundle `{}`", path.display()))
    }

    /// Parses a bundle from its JSON text.
    pub fn from_json(text: &str) -> Result<Self> {
        let probe: VersionProbe = serde_json::from_str(text)
            .wrap_err("not an evidence bundle: expected a JSON object with a `version`")?;
        if probe.version > BUNDLE_VERSION {
            bail!(
                "evidence bundle version {} is newer than this Rampart understands ({}); \
                 upgrade Rampart",
                probe.version,
                BUNDLE_VERSION
            );
        }
        serde_json::from_str(text).wrap_err("evidence bundle does not have the expected shape")
    }

    /// Serialises the bundle as pretty JSON.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).wrap_err("cannot serialise the evidence bundle")
    }
}

#[derive(Deserialize)]
struct VersionProbe {
    version: u32,
}

/// What one source attempted, what it was denied, and its resulting status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRecord {
    pub kind: SourceKind,
    pub status: SourceStatus,
    /// What it connected to: a directory, a cluster endpoint, a socket, a repository.
    pub target: String,
    /// Resources it tried to read.
    #[serde(default)]
    pub attempted: Vec<String>,
    /// Resources it could not read, with why.
    #[serde(default)]
    pub denied: BTreeMap<String, String>,
    /// How long collection took, in milliseconds.
    #[serde(default)]
    pub elapsed_ms: u64,
}

/// How a source's collection went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum SourceStatus {
    /// Everything it attempted was read.
    Connected,
    /// Some resources could not be read; `denied` in the record lists them.
    Partial { reason: String },
    /// Nothing could be read.
    Unavailable { reason: String, fix: String },
}

impl SourceStatus {
    /// Whether any evidence from the source can be evaluated.
    pub fn is_usable(&self) -> bool {
        !matches!(self, SourceStatus::Unavailable { .. })
    }

    /// A short word for status lines.
    pub fn label(&self) -> &'static str {
        match self {
            SourceStatus::Connected => "connected",
            SourceStatus::Partial { .. } => "partial",
            SourceStatus::Unavailable { .. } => "unavailable",
        }
    }
}
