//! Evidence from the docker source: Docker Engine objects as the API serves them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the docker source observed. Objects are kept as Engine API JSON, with the API
/// version they were read with, and with secret values already redacted (environment
/// values under secret-looking names, known credential formats, image history commands).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DockerEvidence {
    /// The endpoint the client used: `unix:///var/run/docker.sock`, `tcp://host:2375`.
    #[serde(default)]
    pub endpoint: String,
    /// Whether the client spoke TLS to the endpoint.
    #[serde(default)]
    pub tls: bool,
    /// The Engine API version negotiated with the daemon, such as `1.41`.
    #[serde(default)]
    pub api_version: String,
    /// `GET /version`.
    #[serde(default)]
    pub version: Value,
    /// `GET /info`.
    #[serde(default)]
    pub info: Value,
    /// `GET /containers/{id}/json` of every container, running or not.
    #[serde(default)]
    pub containers: Vec<Value>,
    /// Every image with its inspect data and history.
    #[serde(default)]
    pub images: Vec<DockerImage>,
    /// `GET /networks`.
    #[serde(default)]
    pub networks: Vec<Value>,
}

/// One image: `GET /images/{id}/json` and `GET /images/{id}/history`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DockerImage {
    pub inspect: Value,
    #[serde(default)]
    pub history: Vec<Value>,
}

impl DockerEvidence {
    /// The inspect data of the image with this id (`sha256:…`), if it was read.
    pub fn image(&self, id: &str) -> Option<&Value> {
        self.images
            .iter()
            .map(|i| &i.inspect)
            .find(|i| i.get("Id").and_then(Value::as_str) == Some(id))
    }
}
