//! Finding the cluster: kubeconfig or in-cluster configuration, with explicit timeouts.

use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use crate::sources::kube::KubeOptions;

/// Where the kubeconfig comes from. Resolved by the caller from flags and environment, so
/// this module never reads the process environment itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KubeconfigSource {
    /// Files named by `--kubeconfig` or `KUBECONFIG` (merged in order).
    Files(Vec<PathBuf>),
    /// The default `~/.kube/config` (the path, when a home is known).
    Default(Option<PathBuf>),
    /// The service account of the pod Rampart runs in.
    InCluster,
}

/// A connected client and how to name it.
pub struct Cluster {
    pub client: Client,
    pub context: String,
    pub server: String,
}

/// Why the cluster cannot be reached, in the words of the status line.
pub struct Trouble {
    pub target: String,
    pub reason: String,
    pub fix: String,
}

/// Builds the client and proves the server answers (`GET /version`).
pub async fn connect(options: &KubeOptions) -> Result<Cluster, Trouble> {
    let (mut config, context) = config(options).await?;
    config.connect_timeout = Some(options.connect_timeout);
    config.read_timeout = Some(options.read_timeout);
    config.write_timeout = Some(options.read_timeout);
    let server = config.cluster_url.to_string();
    let server = server.trim_end_matches('/').to_string();

    let unreachable = |why: String| Trouble {
        target: server.clone(),
        reason: format!("cannot reach the cluster of context `{context}` at {server}: {why}"),
        fix: "check that the cluster is running and reachable, or pick another context with \
              --context or --kubeconfig"
            .to_string(),
    };
    let client = Client::try_from(config).map_err(|e| unreachable(root_cause(&e)))?;
    client
        .apiserver_version()
        .await
        .map_err(|e| unreachable(root_cause(&e)))?;
    Ok(Cluster {
        client,
        context,
        server,
    })
}

async fn config(options: &KubeOptions) -> Result<(Config, String), Trouble> {
    let paths = match &options.kubeconfig {
        KubeconfigSource::InCluster => {
            let config = Config::incluster().map_err(|e| Trouble {
                target: "in-cluster".to_string(),
                reason: format!("cannot read the in-cluster configuration: {e}"),
                fix: "run Rampart in a pod with a service account, or pass --kubeconfig"
                    .to_string(),
            })?;
            return Ok((config, "in-cluster".to_string()));
        }
        KubeconfigSource::Files(paths) => paths.clone(),
        KubeconfigSource::Default(path) => path.iter().cloned().collect(),
    };
    let shown = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(":");
    let bad = |why: String| Trouble {
        target: shown.clone(),
        reason: why,
        fix: "pass --kubeconfig FILE or set KUBECONFIG, and --context NAME".to_string(),
    };
    let kubeconfig = merged(&paths).map_err(&bad)?;
    let context = options
        .context
        .clone()
        .or_else(|| kubeconfig.current_context.clone())
        .ok_or_else(|| bad(format!("the kubeconfig `{shown}` names no current context")))?;
    let wanted = KubeConfigOptions {
        context: Some(context.clone()),
        ..KubeConfigOptions::default()
    };
    let config = Config::from_custom_kubeconfig(kubeconfig, &wanted)
        .await
        .map_err(|e| bad(format!("cannot use context `{context}` of `{shown}`: {e}")))?;
    Ok((config, context))
}

fn merged(paths: &[PathBuf]) -> Result<Kubeconfig, String> {
    let mut merged: Option<Kubeconfig> = None;
    for path in paths {
        let one = Kubeconfig::read_from(path)
            .map_err(|e| format!("cannot read the kubeconfig `{}`: {e}", path.display()))?;
        merged = Some(match merged {
            None => one,
            Some(before) => before
                .merge(one)
                .map_err(|e| format!("cannot merge `{}`: {e}", path.display()))?,
        });
    }
    merged.ok_or_else(|| "no kubeconfig was found".to_string())
}

/// The innermost cause of an error: "connection refused" rather than a chain of wrappers.
pub fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    let text = current.to_string();
    // Timeouts from the timeout layer say only "deadline has elapsed".
    if text.contains("elapsed") || text.to_lowercase().contains("timed out") {
        return format!("no answer within the timeout ({text})");
    }
    text
}
