//! The docker source: reads a Docker Engine through its API with bollard.
//!
//! Only `GET` endpoints are called: Rampart never starts, stops, pulls, removes or changes
//! anything. Objects are kept as Engine JSON; secret values are redacted here, before
//! anything is stored (see [`redact`]).

mod redact;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
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
    /// `DOCKER_TLS_VERIFY` is set: a `tcp://` host is reached over TLS, the daemon's
    /// certificate checked against `ca.pem` and Rampart's own shown from `cert.pem` and
    /// `key.pem`, as the docker CLI does.
    pub tls_verify: bool,
    /// Where `ca.pem`, `cert.pem` and `key.pem` are: `DOCKER_CERT_PATH`, else
    /// `DOCKER_CONFIG`, else `~/.docker`. `None` when none of them is known.
    pub cert_path: Option<PathBuf>,
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
    let evidence = match connect(options, &endpoint).await {
        Ok((docker, tls)) => Some(run.read(&docker, &endpoint, tls).await),
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

/// Why the daemon could not be reached, and the fix when it is known better than the
/// cause's wording can tell.
struct Unreachable {
    cause: String,
    fix: Option<String>,
}

impl Unreachable {
    fn new(cause: String) -> Self {
        Unreachable { cause, fix: None }
    }

    fn status(&self, endpoint: &str) -> SourceStatus {
        let cause = &self.cause;
        let lower = cause.to_ascii_lowercase();
        let fix = if let Some(fix) = &self.fix {
            fix.as_str()
        } else if lower.contains("permission denied") {
            "add your user to the docker group or pass --docker-host"
        } else if lower.contains("https server") {
            "the daemon speaks TLS: set DOCKER_TLS_VERIFY=1 and point DOCKER_CERT_PATH at the \
             directory with ca.pem, cert.pem and key.pem"
        } else if lower.contains("certificate") || lower.contains("tls") {
            "check that ca.pem in DOCKER_CERT_PATH is the CA that signed the daemon's \
             certificate, that the certificate names the host in DOCKER_HOST, and that the \
             daemon trusts cert.pem"
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

/// Connects to `endpoint` and agrees on the newest API version both sides speak. Says
/// whether the connection uses TLS.
async fn connect(options: &DockerOptions, endpoint: &str) -> Result<(Docker, bool), Unreachable> {
    let version = bollard::API_DEFAULT_VERSION;
    let tcp = endpoint.starts_with("tcp://") || endpoint.starts_with("http://");
    let tls = options.tls_verify && endpoint.starts_with("tcp://");
    let docker = if let Some(path) = endpoint.strip_prefix("unix://") {
        Docker::connect_with_unix(path, REQUEST_TIMEOUT_SECS, version)
    } else if tls {
        let files = TlsFiles::find(options.cert_path.as_deref())?;
        // bollard asks rustls for the process's provider while handshaking.
        crate::install_crypto_provider();
        Docker::connect_with_ssl(
            endpoint,
            &files.key,
            &files.cert,
            &files.ca,
            REQUEST_TIMEOUT_SECS,
            version,
        )
    } else if tcp {
        Docker::connect_with_http(endpoint, REQUEST_TIMEOUT_SECS, version)
    } else {
        return Err(Unreachable::new(format!(
            "unsupported address scheme in `{endpoint}`"
        )));
    }
    .map_err(|e| Unreachable::new(describe(&e)))?;
    let docker = docker
        .negotiate_version()
        .await
        .map_err(|e| Unreachable::new(describe(&e)))?;
    Ok((docker, tls))
}

/// The three files of a TLS client, as the docker CLI names them in its cert path.
struct TlsFiles {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl TlsFiles {
    /// Finds and reads the files up front: bollard reads the client key only during the
    /// handshake, and a missing one would show up as the daemon's refusal, not as the
    /// missing file it is.
    fn find(dir: Option<&Path>) -> Result<TlsFiles, Unreachable> {
        let Some(dir) = dir else {
            return Err(Unreachable {
                cause: "DOCKER_TLS_VERIFY is set but no certificate directory is known".to_string(),
                fix: Some(
                    "set DOCKER_CERT_PATH to the directory with ca.pem, cert.pem and key.pem"
                        .to_string(),
                ),
            });
        };
        let files = TlsFiles {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        };
        let fix = |file: &str| {
            Some(format!(
                "put {file} in `{}` or point DOCKER_CERT_PATH at the directory that holds \
                 ca.pem, cert.pem and key.pem; unset DOCKER_TLS_VERIFY if the daemon does \
                 not use TLS",
                dir.display()
            ))
        };
        for (path, what, is_key) in [
            (&files.ca, "CA certificate", false),
            (&files.cert, "client certificate", false),
            (&files.key, "client key", true),
        ] {
            if let Err(problem) = check_pem(path, is_key) {
                let name = path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                return Err(Unreachable {
                    cause: format!("the TLS {what} `{}` {problem}", path.display()),
                    fix: fix(&name),
                });
            }
        }
        Ok(files)
    }
}

/// Whether `path` holds a PEM certificate (or, with `is_key`, a private key); the problem
/// in words otherwise.
fn check_pem(path: &Path, is_key: bool) -> Result<(), String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "is missing".to_string(),
        _ => format!("cannot be read: {}", e.to_string().to_ascii_lowercase()),
    })?;
    let found = if is_key {
        PrivateKeyDer::from_pem_slice(&bytes).is_ok()
    } else {
        CertificateDer::pem_slice_iter(&bytes).any(|c| c.is_ok())
    };
    if found {
        Ok(())
    } else if is_key {
        Err("holds no PEM private key".to_string())
    } else {
        Err("holds no PEM certificate".to_string())
    }
}

/// The innermost cause of a bollard error, which names what actually went wrong.
fn describe(error: &bollard::errors::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text = cause.to_string();
        source = cause.source();
    }
    crate::sanitize::one_line(text.trim()).to_ascii_lowercase()
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

    async fn read(&mut self, docker: &Docker, endpoint: &str, tls: bool) -> DockerEvidence {
        let api = docker.client_version();
        let mut evidence = DockerEvidence {
            endpoint: endpoint.to_string(),
            tls,
            api_version: format!("{}.{}", api.major_version, api.minor_version),
            ..DockerEvidence::default()
        };
        let over = if tls { " over TLS" } else { "" };
        self.step(format!("connected{over}, API {}", evidence.api_version));

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
