//! The docker source: reads a Docker Engine through its API with bollard.
//!
//! Only `GET` endpoints are called: Rampart never starts, stops, pulls, removes or changes
//! anything. Objects are kept as Engine JSON; secret values are redacted here, before
//! anything is stored (see [`redact`]).

mod redact;

use std::collections::BTreeMap;
use std::time::Instant;

use bollard::Docker;
use bollard::query_parameters::{ListContainersOptions, ListImagesOptions, ListNetworksOptions};
use serde::Serialize;
use serde_json::Value;

use crate::evidence::{DockerEvidence, DockerImage, SourceRecord, SourceStatus};
use crate::model::SourceKind;
use crate::sources::{Progress, ProgressSender, announce};

/// The socket a local daemon listens on when nothing else is named.
pub const DEFAULT_DOCKER_HOST: &str = "unix:///var/run/docker.sock";

/// Seconds any one API request may take before the daemon is taken as unresponsive.
const REQUEST_TIMEOUT_SECS: u64 = 20;

/// How many inspect requests run at once: enough to hide latency, few enough not to load
/// a busy daemon.
const CONCURRENT_INSPECTS: usize = 8;

/// How to reach the docker source, from flags, environment and configuration.
#[derive(Debug, Clone, Default)]
pub struct DockerOptions {
    /// `--docker-host`, else `DOCKER_HOST`; `None` means the default socket.
    pub host: Option<String>,
}

impl DockerOptions {
    /// The endpoint that will be used.
    pub fn endpoint(&self) -> String {
        self.host
            .clone()
            .filter(|h| !h.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_DOCKER_HOST.to_string())
    }
}

/// Collects the docker evidence. Never fails: what could not be read is in the record.
pub async fn collect(
    options: &DockerOptions,
    progress: Option<&ProgressSender>,
) -> (Option<DockerEvidence>, SourceRecord) {
    let started = Instant::now();
    let endpoint = options.endpoint();
    let mut run = Collection {
        record: SourceRecord {
            kind: SourceKind::Docker,
            status: SourceStatus::Connected,
            target: endpoint.clone(),
            attempted: Vec::new(),
            denied: BTreeMap::new(),
            elapsed_ms: 0,
        },
        progress,
    };
    tracing::info!(endpoint = %endpoint, "docker collection started");
    let evidence = match connect(&endpoint).await {
        Ok(docker) => Some(run.read(&docker, &endpoint).await),
        Err(trouble) => {
            run.record.status = trouble.status(&endpoint);
            None
        }
    };
    if let Some(evidence) = &evidence
        && evidence.version.is_null()
    {
        run.record.status = SourceStatus::Unavailable {
            reason: format!("the Docker daemon at `{endpoint}` stopped answering"),
            fix: "check that dockerd is running, then scan again".to_string(),
        };
    } else if !run.record.denied.is_empty() {
        run.record.status = SourceStatus::Partial {
            reason: format!(
                "{} Docker object(s) could not be read",
                run.record.denied.len()
            ),
        };
    }
    run.record.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(
        status = run.record.status.label(),
        "docker collection finished"
    );
    let usable = run.record.status.is_usable();
    (evidence.filter(|_| usable), run.record)
}

/// Why the daemon could not be reached.
struct Unreachable(String);

impl Unreachable {
    fn status(&self, endpoint: &str) -> SourceStatus {
        let cause = &self.0;
        let lower = cause.to_ascii_lowercase();
        let fix = if lower.contains("permission denied") {
            "add your user to the docker group or pass --docker-host"
        } else if lower.contains("no such file") || lower.contains("not found") {
            "start the Docker daemon, or point --docker-host or DOCKER_HOST at a running one"
        } else if lower.contains("scheme") || lower.contains("unsupported") {
            "use a unix:// or tcp:// address in --docker-host or DOCKER_HOST"
        } else {
            "check that dockerd is running and reachable, or pass --docker-host"
        };
        SourceStatus::Unavailable {
            reason: format!("cannot reach the Docker daemon at {endpoint}: {cause}"),
            fix: fix.to_string(),
        }
    }
}

/// Connects to `endpoint` and agrees on the newest API version both sides speak.
async fn connect(endpoint: &str) -> Result<Docker, Unreachable> {
    let version = bollard::API_DEFAULT_VERSION;
    let docker = if let Some(path) = endpoint.strip_prefix("unix://") {
        Docker::connect_with_unix(path, REQUEST_TIMEOUT_SECS, version)
    } else if endpoint.starts_with("tcp://") || endpoint.starts_with("http://") {
        Docker::connect_with_http(endpoint, REQUEST_TIMEOUT_SECS, version)
    } else {
        return Err(Unreachable(format!(
            "unsupported address scheme in `{endpoint}`"
        )));
    }
    .map_err(|e| Unreachable(describe(&e)))?;
    docker
        .negotiate_version()
        .await
        .map_err(|e| Unreachable(describe(&e)))
}

/// The innermost cause of a bollard error, which names what actually went wrong.
fn describe(error: &bollard::errors::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text = cause.to_string();
        source = cause.source();
    }
    crate::sanitize::one_line(&text).to_ascii_lowercase()
}

/// Whether the daemon answered that the object does not exist (any more).
fn is_gone(error: &bollard::errors::Error) -> bool {
    matches!(
        error,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// A bollard model as Engine JSON. Its serde names are the API's own.
fn wire<T: Serialize>(object: &T) -> Value {
    serde_json::to_value(object).unwrap_or(Value::Null)
}

struct Collection<'p> {
    record: SourceRecord,
    progress: Option<&'p ProgressSender>,
}

impl Collection<'_> {
    fn step(&self, message: String) {
        announce(
            self.progress,
            Progress::Step {
                source: SourceKind::Docker,
                message,
            },
        );
    }

    fn deny(&mut self, what: String, error: &bollard::errors::Error) {
        let why = if is_gone(error) {
            "removed before it could be read".to_string()
        } else {
            describe(error)
        };
        tracing::warn!(object = %what, "docker object could not be read");
        self.record.denied.insert(what, why);
    }

    async fn read(&mut self, docker: &Docker, endpoint: &str) -> DockerEvidence {
        let api = docker.client_version();
        let mut evidence = DockerEvidence {
            endpoint: endpoint.to_string(),
            tls: false,
            api_version: format!("{}.{}", api.major_version, api.minor_version),
            ..DockerEvidence::default()
        };
        self.step(format!("connected, API {}", evidence.api_version));

        self.record.attempted.push("version".into());
        match docker.version().await {
            Ok(version) => evidence.version = wire(&version),
            Err(e) => self.deny("version".into(), &e),
        }
        self.record.attempted.push("info".into());
        match docker.info().await {
            Ok(info) => evidence.info = wire(&info),
            Err(e) => self.deny("info".into(), &e),
        }
        self.step("read the daemon's version and settings".into());

        evidence.containers = self.containers(docker).await;
        evidence.images = self.images(docker).await;
        evidence.networks = self.networks(docker).await;
        evidence
    }

    async fn containers(&mut self, docker: &Docker) -> Vec<Value> {
        self.record.attempted.push("containers".into());
        let options = ListContainersOptions {
            all: true,
            ..ListContainersOptions::default()
        };
        let listed = match docker.list_containers(Some(options)).await {
            Ok(listed) => listed,
            Err(e) => {
                self.deny("containers".into(), &e);
                return Vec::new();
            }
        };
        let ids: Vec<String> = listed.into_iter().filter_map(|c| c.id).collect();
        self.step(format!("listed {} containers", ids.len()));

        let fetched = fetch_all(docker, ids, |docker, id| async move {
            docker.inspect_container(&id, None).await.map(|c| wire(&c))
        })
        .await;
        let mut containers = Vec::new();
        for (id, result) in fetched {
            match result {
                Ok(mut inspect) => {
                    redact::container(&mut inspect);
                    containers.push(inspect);
                }
                Err(e) => self.deny(format!("container {}", short_id(&id)), &e),
            }
        }
        self.step(format!("inspected {} containers", containers.len()));
        containers
    }

    async fn images(&mut self, docker: &Docker) -> Vec<DockerImage> {
        self.record.attempted.push("images".into());
        let listed = match docker.list_images(None::<ListImagesOptions>).await {
            Ok(listed) => listed,
            Err(e) => {
                self.deny("images".into(), &e);
                return Vec::new();
            }
        };
        let ids: Vec<String> = listed.into_iter().map(|i| i.id).collect();
        self.step(format!("listed {} images", ids.len()));

        let fetched = fetch_all(docker, ids, |docker, id| async move {
            let inspect = docker.inspect_image(&id).await.map(|i| wire(&i))?;
            let history = docker.image_history(&id).await?;
            Ok(DockerImage {
                inspect,
                history: history.iter().map(wire).collect(),
            })
        })
        .await;
        let mut images = Vec::new();
        for (id, result) in fetched {
            match result {
                Ok(mut image) => {
                    redact::image(&mut image);
                    images.push(image);
                }
                Err(e) => self.deny(format!("image {}", short_id(&id)), &e),
            }
        }
        self.step(format!(
            "inspected {} images and their history",
            images.len()
        ));
        images
    }

    async fn networks(&mut self, docker: &Docker) -> Vec<Value> {
        self.record.attempted.push("networks".into());
        match docker.list_networks(None::<ListNetworksOptions>).await {
            Ok(networks) => {
                self.step(format!("listed {} networks", networks.len()));
                networks.iter().map(wire).collect()
            }
            Err(e) => {
                self.deny("networks".into(), &e);
                Vec::new()
            }
        }
    }
}

/// Runs `fetch` for every id, a few at a time, and returns the results in the ids' order.
async fn fetch_all<T, F, Fut>(
    docker: &Docker,
    ids: Vec<String>,
    fetch: F,
) -> Vec<(String, Result<T, bollard::errors::Error>)>
where
    T: Send + 'static,
    F: Fn(Docker, String) -> Fut,
    Fut: Future<Output = Result<T, bollard::errors::Error>> + Send + 'static,
{
    let mut results = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CONCURRENT_INSPECTS) {
        let mut set = tokio::task::JoinSet::new();
        for (index, id) in chunk.iter().enumerate() {
            let work = fetch(docker.clone(), id.clone());
            set.spawn(async move { (index, work.await) });
        }
        let mut done: Vec<(usize, Result<T, bollard::errors::Error>)> = Vec::new();
        while let Some(joined) = set.join_next().await {
            if let Ok(pair) = joined {
                done.push(pair);
            }
        }
        done.sort_by_key(|(index, _)| *index);
        results.extend(done.into_iter().map(|(index, r)| (chunk[index].clone(), r)));
    }
    results
}

/// The first twelve hex digits of an id, as `docker ps` shows them.
pub fn short_id(id: &str) -> String {
    id.trim_start_matches("sha256:").chars().take(12).collect()
}
