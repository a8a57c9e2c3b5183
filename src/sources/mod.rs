//! Connectors that collect evidence. Only this module tree performs I/O.
//!
//! Sources run concurrently on tokio and report progress over a channel, so the terminal
//! interface can show the first screen at once and fill it in.

pub mod docker;
pub mod files;
pub mod github;
pub mod kube;

use std::path::PathBuf;

use time::OffsetDateTime;

use crate::evidence::{Evidence, SourceRecord};
use crate::model::SourceKind;

/// What one collection should read.
#[derive(Debug, Clone, Default)]
pub struct CollectRequest {
    /// The directory (or file) of the files source; also where the GitHub remote is read.
    pub root: PathBuf,
    /// The sources to run.
    pub sources: Vec<SourceKind>,
    pub files: files::FilesOptions,
    pub kube: kube::KubeOptions,
    pub docker: docker::DockerOptions,
    pub github: github::GithubOptions,
}

/// A step of collection, for progress lines and the terminal interface.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// A source began.
    Started(SourceKind),
    /// A source read something (`listed 120 pods`).
    Step { source: SourceKind, message: String },
    /// A source finished, with its record.
    Finished(SourceRecord),
}

/// Where sources send their progress.
pub type ProgressSender = tokio::sync::mpsc::UnboundedSender<Progress>;

/// Runs the requested sources concurrently and gathers their evidence.
///
/// Only the files source can fail the whole collection (its path is the user's argument);
/// every other source reports trouble in its record and the run goes on.
pub async fn collect(
    request: &CollectRequest,
    progress: Option<ProgressSender>,
) -> Result<Evidence, files::FilesError> {
    let now = OffsetDateTime::now_utc();
    // Whole seconds: the clock is shown to people and compared between runs.
    let mut evidence = Evidence::new(now.replace_nanosecond(0).unwrap_or(now));
    let wants = |kind| request.sources.contains(&kind);
    let progress = progress.as_ref();

    let files = async {
        if !wants(SourceKind::Files) {
            return None;
        }
        announce(progress, Progress::Started(SourceKind::Files));
        let (root, options) = (request.root.clone(), request.files.clone());
        let collected = tokio::task::spawn_blocking(move || files::collect(&root, &options)).await;
        Some(collected.unwrap_or_else(|e| {
            Err(files::FilesError::Unreadable(
                request.root.display().to_string(),
                format!("the walk stopped unexpectedly: {e}"),
            ))
        }))
    };
    let kube = optional(
        wants(SourceKind::Kube),
        SourceKind::Kube,
        progress,
        kube::collect(&request.kube, progress),
    );
    let docker = optional(
        wants(SourceKind::Docker),
        SourceKind::Docker,
        progress,
        docker::collect(&request.docker, progress),
    );
    let github = optional(
        wants(SourceKind::Github),
        SourceKind::Github,
        progress,
        github::collect(&request.github, progress),
    );
    let (files, kube, docker, github) = tokio::join!(files, kube, docker, github);

    if let Some(files) = files {
        let (files, record) = files?;
        announce(progress, Progress::Finished(record.clone()));
        evidence.files = Some(files);
        evidence.sources.push(record);
    }
    if let Some((kube, record)) = kube {
        evidence.kube = kube;
        evidence.sources.push(record);
    }
    if let Some((docker, record)) = docker {
        evidence.docker = docker;
        evidence.sources.push(record);
    }
    if let Some((github, record)) = github {
        evidence.github = github;
        evidence.sources.push(record);
    }
    Ok(evidence)
}

/// Runs `work` when `wanted`, bracketing it with progress events.
async fn optional<T>(
    wanted: bool,
    kind: SourceKind,
    progress: Option<&ProgressSender>,
    work: impl Future<Output = (Option<T>, SourceRecord)>,
) -> Option<(Option<T>, SourceRecord)> {
    if !wanted {
        return None;
    }
    announce(progress, Progress::Started(kind));
    let (evidence, record) = work.await;
    announce(progress, Progress::Finished(record.clone()));
    Some((evidence, record))
}

/// Sends a progress event; a closed channel only means nobody is listening any more.
pub fn announce(progress: Option<&ProgressSender>, event: Progress) {
    if let Some(sender) = progress {
        let _ = sender.send(event);
    }
}
