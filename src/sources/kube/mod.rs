//! The kube source: reads a live cluster through kube-rs, and only reads.
//!
//! Every request is a `GET`, apart from the `SelfSubjectAccessReview`s that ask up front
//! what the credentials may list. Objects are kept as the API serves them, cleaned of
//! `managedFields`, the `last-applied-configuration` annotation and secret-looking values.
//! A resource the credentials may not read degrades that resource, not the run.

mod access;
mod connect;
mod control_plane;
mod list;
mod owners;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::evidence::{KubeEvidence, SourceRecord, SourceStatus};
use crate::model::SourceKind;
use crate::sources::{Progress, ProgressSender, announce};

pub use connect::KubeconfigSource;
pub use list::{RESOURCES, ResourceSpec};

/// How to reach the kube source, from flags, environment and configuration.
#[derive(Debug, Clone)]
pub struct KubeOptions {
    /// Where the kubeconfig comes from (flag, `KUBECONFIG`, default path, in-cluster).
    pub kubeconfig: KubeconfigSource,
    /// The context to use instead of the current one.
    pub context: Option<String>,
    /// Namespaces to audit; empty means all.
    pub namespaces: Vec<String>,
    /// List Secrets (as metadata only). Off by default: `list secrets` grants every value.
    pub include_secrets: bool,
    /// Grade platform namespaces with the team's workloads.
    pub include_platform: bool,
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long to wait for an answer to one request.
    pub read_timeout: Duration,
    /// Objects per page of a list.
    pub page_size: u32,
}

impl Default for KubeOptions {
    fn default() -> Self {
        KubeOptions {
            kubeconfig: KubeconfigSource::Default(None),
            context: None,
            namespaces: Vec::new(),
            include_secrets: false,
            include_platform: false,
            connect_timeout: Duration::from_secs(5),
            // kube-rs's own default is minutes; a list page of a large cluster takes
            // seconds at most.
            read_timeout: Duration::from_secs(30),
            page_size: 500,
        }
    }
}

/// Collects the kube evidence. Never fails: what could not be read is in the record.
pub async fn collect(
    options: &KubeOptions,
    progress: Option<&ProgressSender>,
) -> (Option<KubeEvidence>, SourceRecord) {
    let started = Instant::now();
    let mut record = SourceRecord {
        kind: SourceKind::Kube,
        status: SourceStatus::Connected,
        target: String::new(),
        attempted: Vec::new(),
        denied: BTreeMap::new(),
        elapsed_ms: 0,
    };

    let cluster = match connect::connect(options).await {
        Ok(cluster) => cluster,
        Err(trouble) => {
            record.target = trouble.target;
            record.status = SourceStatus::Unavailable {
                reason: trouble.reason,
                fix: trouble.fix,
            };
            record.elapsed_ms = elapsed(started);
            tracing::warn!("kube source unavailable");
            return (None, record);
        }
    };
    record.target = format!("{} ({})", cluster.server, cluster.context);
    tracing::info!(context = %cluster.context, "kube collection started");

    let mut evidence = list::collect_all(&cluster, options, progress, &mut record).await;
    evidence.context.clone_from(&cluster.context);
    evidence.server.clone_from(&cluster.server);
    evidence.namespaces.clone_from(&options.namespaces);
    evidence.include_platform = options.include_platform;
    control_plane::read(&cluster, options, &mut evidence).await;

    record.denied.clone_from(&evidence.denied);
    if !record.denied.is_empty() {
        let names: Vec<&str> = record.denied.keys().map(String::as_str).collect();
        record.status = SourceStatus::Partial {
            reason: format!("could not list {}", names.join(", ")),
        };
    }
    record.elapsed_ms = elapsed(started);
    announce(
        progress,
        Progress::Step {
            source: SourceKind::Kube,
            message: format!("kept {} objects", evidence.objects.len()),
        },
    );
    tracing::info!(objects = evidence.objects.len(), "kube collection finished");
    (Some(evidence), record)
}

fn elapsed(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
