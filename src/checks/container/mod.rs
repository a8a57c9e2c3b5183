//! Container checks (seed §2): Dockerfiles and the normalised container profile.
//!
//! [`dockerfile`] judges how images are built (CTR-001 to CTR-007); [`runtime`] judges how
//! containers are run (CTR-010 onwards), through the [`ContainerProfile`] that manifests,
//! live workloads and Docker containers are all reduced to.

pub mod daemon;
pub mod dockerfile;
pub mod runtime;
mod shell;

pub use daemon::{CTR_021, CTR_022, CTR_030, CTR_031, CTR_032, CTR_033, CTR_034, MON_007};
pub use dockerfile::{CTR_001, CTR_002, CTR_003, CTR_004, CTR_005, CTR_006, CTR_007};
pub use runtime::{
    CTR_010, CTR_011, CTR_012, CTR_013, CTR_014, CTR_015, CTR_016, CTR_017, CTR_018, CTR_019,
    CTR_020, CTR_023, CTR_024,
};

use crate::checks::profile::ContainerProfile;
use crate::checks::{Context, Draft, Evaluation};

/// Judges every container profile with `fails`, which returns the message and evidence of
/// a failure.
pub fn judge_containers(
    cx: &Context<'_>,
    fails: impl Fn(&ContainerProfile) -> Option<(String, String)>,
) -> Evaluation {
    judge_containers_where(cx, |_| true, fails)
}

/// Like [`judge_containers`], but only the containers for which `applies` holds are judged
/// and counted.
pub fn judge_containers_where(
    cx: &Context<'_>,
    applies: impl Fn(&ContainerProfile) -> bool,
    fails: impl Fn(&ContainerProfile) -> Option<(String, String)>,
) -> Evaluation {
    let judged: Vec<&ContainerProfile> = cx.containers.iter().filter(|c| applies(c)).collect();
    let findings: Vec<Draft> = judged
        .iter()
        .filter_map(|c| {
            let (message, evidence) = fails(c)?;
            Some(Draft {
                source: c.source,
                resource: c.resource.clone(),
                location: c.location.clone(),
                message: format!("container `{}` {message}", c.name),
                evidence: Some(evidence),
                severity: None,
            })
        })
        .collect();
    Evaluation::items(judged.len(), findings, "no container spec was found")
}

/// How firmly an image reference names one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImagePin {
    /// `name@sha256:…`: immutable.
    Digest,
    /// A tag other than `latest`: mutable, but deliberate.
    Tag(String),
    /// `:latest`.
    Latest,
    /// No tag at all, which pulls `latest`.
    Untagged,
}

impl ImagePin {
    /// Whether the reference floats to whatever was pushed last.
    pub fn is_floating(&self) -> bool {
        matches!(self, ImagePin::Latest | ImagePin::Untagged)
    }

    /// Why a floating reference fails, in a phrase.
    pub fn describe(&self) -> &'static str {
        match self {
            ImagePin::Latest => "uses the `latest` tag",
            ImagePin::Untagged => "has no tag, so it pulls `latest`",
            ImagePin::Digest | ImagePin::Tag(_) => "is pinned",
        }
    }
}

/// Reads the tag or digest of an image reference such as `registry:5000/team/app:1.2`.
pub fn image_pin(reference: &str) -> ImagePin {
    let reference = reference.trim();
    if reference.contains('@') {
        return ImagePin::Digest;
    }
    // A colon before the last slash belongs to a registry's port, not to a tag.
    let last = reference.rsplit('/').next().unwrap_or(reference);
    match last.split_once(':') {
        Some((_, tag)) if tag.eq_ignore_ascii_case("latest") => ImagePin::Latest,
        Some((_, tag)) if !tag.is_empty() => ImagePin::Tag(tag.to_string()),
        _ => ImagePin::Untagged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references() {
        assert_eq!(image_pin("nginx"), ImagePin::Untagged);
        assert_eq!(image_pin("nginx:latest"), ImagePin::Latest);
        assert_eq!(image_pin("registry:5000/team/app"), ImagePin::Untagged);
        assert_eq!(
            image_pin("registry:5000/team/app:1.2"),
            ImagePin::Tag("1.2".into())
        );
        assert_eq!(image_pin("nginx:latest@sha256:abc"), ImagePin::Digest);
        assert!(!image_pin("alpine:3.20").is_floating());
    }
}
