//! The shared vocabulary of Rampart: areas, severities, sources and findings.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One of the seven areas of the best-practice document that Rampart grades.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    Build,
    Containers,
    Network,
    Secrets,
    Identity,
    Monitoring,
    Compliance,
}

impl Area {
    /// Every area in the order the seed document presents them.
    pub const ALL: [Area; 7] = [
        Area::Build,
        Area::Containers,
        Area::Network,
        Area::Secrets,
        Area::Identity,
        Area::Monitoring,
        Area::Compliance,
    ];

    /// The heading a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Area::Build => "Build and supply chain",
            Area::Containers => "Containers",
            Area::Network => "Network",
            Area::Secrets => "Secrets",
            Area::Identity => "Identity and access",
            Area::Monitoring => "Monitoring and incident response",
            Area::Compliance => "Compliance and governance",
        }
    }

    /// The stable machine name used in JSON and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Area::Build => "build",
            Area::Containers => "containers",
            Area::Network => "network",
            Area::Secrets => "secrets",
            Area::Identity => "identity",
            Area::Monitoring => "monitoring",
            Area::Compliance => "compliance",
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// How much a failed check matters. Ordered from least to most severe.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Every severity from most to least severe, the order reports list them in.
    pub const DESCENDING: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The lowercase name used in flags, configuration and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err(format!(
                "unknown severity `{s}`: use one of info, low, medium, high, critical"
            )),
        }
    }
}

/// A connector that collects evidence.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Files,
    Kube,
    Docker,
    Github,
}

impl SourceKind {
    /// Every source in the order they are listed to a person.
    pub const ALL: [SourceKind; 4] = [
        SourceKind::Files,
        SourceKind::Kube,
        SourceKind::Docker,
        SourceKind::Github,
    ];

    /// The lowercase name used on the command line and in configuration.
    pub fn key(self) -> &'static str {
        match self {
            SourceKind::Files => "files",
            SourceKind::Kube => "kube",
            SourceKind::Docker => "docker",
            SourceKind::Github => "github",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for SourceKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SourceKind::ALL
            .into_iter()
            .find(|k| k.key().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown source `{s}`: use files, kube, docker or github"))
    }
}

/// A place in a file: path relative to the scanned root, and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    pub line: u32,
}

/// What a finding is about, identified so that the identity survives edits.
///
/// `canonical` names the object (`file/Dockerfile`, or
/// `file/deploy/web.yaml#apps/Deployment/shop/web` for a manifest object) and `part`
/// the piece of it (a container, `jobs.build.steps[2]`, a Dockerfile stage). Neither
/// contains line numbers or messages, so a fingerprint built from them is stable.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Resource {
    pub canonical: String,
    pub part: Option<String>,
    /// How a person would name it: `Deployment shop/web, container app`.
    pub display: String,
}

impl Resource {
    /// The full identity, `canonical` and `part` joined.
    pub fn id(&self) -> String {
        match &self.part {
            Some(part) => format!("{}/{}", self.canonical, part),
            None => self.canonical.clone(),
        }
    }
}

/// One check failing on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub check_id: String,
    pub area: Area,
    /// The severity used for grading, after any override from configuration.
    pub severity: Severity,
    pub source: SourceKind,
    pub resource: Resource,
    pub location: Option<Location>,
    /// One sentence on what is wrong with this resource.
    pub message: String,
    /// A short excerpt of what was observed, redacted of secret values.
    pub evidence: Option<String>,
    /// Stable identity: a hash of the check id, canonical resource and part.
    pub fingerprint: String,
    /// The suppression that matched, when one did (an expired one resurfaces the finding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<SuppressionNote>,
    /// How the finding compares with a baseline report, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
}

/// Where a suppression was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuppressionKind {
    /// A `[[suppress]]` table of the configuration.
    Config,
    /// A `rampart/ignore` annotation on a Kubernetes object.
    Annotation,
    /// A `# rampart:ignore` comment in a file.
    Comment,
}

/// Why a finding was suppressed: who accepted the risk, why, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressionNote {
    pub kind: SuppressionKind,
    /// The reason written next to the suppression.
    pub reason: String,
    /// The last day the suppression holds, as `YYYY-MM-DD`.
    pub expires: Option<String>,
    /// Whether the expiry date is past on the evaluation clock: the finding counts again.
    pub expired: bool,
    /// Where the suppression was written: `rampart.toml [[suppress]] #2`, `Dockerfile:3`.
    pub origin: String,
}

/// A finding's state relative to a baseline report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaselineState {
    /// Not in the baseline.
    New,
    /// In the baseline with the same fingerprint.
    Unchanged,
}

/// Computes the stable fingerprint of a finding from its identity alone.
pub fn fingerprint(check_id: &str, resource: &Resource) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(check_id.as_bytes());
    hasher.update(b"\0");
    hasher.update(resource.canonical.as_bytes());
    hasher.update(b"\0");
    hasher.update(resource.part.as_deref().unwrap_or("").as_bytes());
    let hex = hasher.finalize().to_hex();
    hex[..32].to_string()
}
