//! A test Kubernetes API server: HTTPS with a generated CA, bearer tokens, discovery, lists
//! with `limit`/`continue`, metadata-only and Table answers chosen by the `Accept` header,
//! `Status` bodies on errors, and a log of every request.
//!
//! It answers as kube-apiserver does for the reads Rampart and `kubectl get` make, so
//! kube-rs's real kubeconfig, TLS, authentication and list code runs in the tests.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub target: String,
    pub accept: String,
}

/// What a token may do: every list except the plurals in `denied`.
#[derive(Debug, Clone, Default)]
pub struct Grant {
    pub denied: BTreeSet<String>,
}

/// The server's state, shared with its connections.
#[derive(Default)]
pub struct State {
    /// Objects by `(group, plural)`; group empty for core.
    pub objects: BTreeMap<(String, String), Vec<Value>>,
    pub tokens: BTreeMap<String, Grant>,
    pub seen: Vec<Seen>,
    /// Delay before every answer.
    pub delay: Duration,
    /// Answer the next `continue` request with 410 Gone.
    pub expire_next_continue: bool,
    /// Access reviews say yes to everything, so only the lists answer 403.
    pub reviews_allow_all: bool,
}

/// A running server; it stops when the test's runtime ends.
pub struct KubeServer {
    pub url: String,
    pub ca_pem: String,
    pub state: Arc<Mutex<State>>,
}

/// Built-in resources: (group, version, kind, plural, namespaced).
pub const BUILTIN: &[(&str, &str, &str, &str, bool)] = &[
    ("", "v1", "Namespace", "namespaces", false),
    ("", "v1", "Pod", "pods", true),
    ("", "v1", "Service", "services", true),
    ("", "v1", "ServiceAccount", "serviceaccounts", true),
    ("", "v1", "ConfigMap", "configmaps", true),
    ("", "v1", "Secret", "secrets", true),
    ("", "v1", "ResourceQuota", "resourcequotas", true),
    ("", "v1", "LimitRange", "limitranges", true),
    ("apps", "v1", "ReplicaSet", "replicasets", true),
    ("apps", "v1", "Deployment", "deployments", true),
    ("apps", "v1", "StatefulSet", "statefulsets", true),
    ("apps", "v1", "DaemonSet", "daemonsets", true),
    ("batch", "v1", "Job", "jobs", true),
    ("batch", "v1", "CronJob", "cronjobs", true),
    (
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
    ),
    ("networking.k8s.io", "v1", "Ingress", "ingresses", true),
    ("rbac.authorization.k8s.io", "v1", "Role", "roles", true),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
    ),
    (
        "security.istio.io",
        "v1",
        "PeerAuthentication",
        "peerauthentications",
        true,
    ),
];

impl State {
    /// Adds an object under the resource its `apiVersion` and `kind` name.
    pub fn add(&mut self, object: Value) {
        let api_version = object["apiVersion"].as_str().unwrap_or("v1");
        let group = api_version
            .rsplit_once('/')
            .map_or("", |(g, _)| g)
            .to_string();
        let kind = object["kind"].as_str().unwrap_or("");
        let plural = BUILTIN
            .iter()
            .find(|r| r.2 == kind)
            .map(|r| r.3.to_string())
            .unwrap_or_else(|| format!("{}s", kind.to_lowercase()));
        self.objects
            .entry((group, plural))
            .or_default()
            .push(object);
    }
}

impl KubeServer {
    /// Starts a server on a free local port with the given state.
    pub async fn start(state: State) -> KubeServer {
        rampart::install_crypto_provider();
        let ca_key = rcgen::KeyPair::generate().expect("ca key");
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("ca");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "rampart test CA");
        let ca_cert = ca_params.self_signed(&ca_key).expect("ca cert");
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let key = rcgen::KeyPair::generate().expect("server key");
        let params =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
                .expect("server params");
        let cert = params.signed_by(&key, &issuer).expect("server cert");

        let config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(
                vec![
                    cert.der().clone(),
                    CertificateDer::from(ca_cert.der().to_vec()),
                ],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .expect("tls config");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!(
            "https://127.0.0.1:{}",
            listener.local_addr().expect("addr").port()
        );
        let state = Arc::new(Mutex::new(state));
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let state = shared.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |request| {
                        let state = state.clone();
                        async move { Ok::<_, std::convert::Infallible>(answer(&state, request).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        KubeServer {
            url,
            ca_pem: ca_cert.pem(),
            state,
        }
    }

    /// Writes a kubeconfig for `token` with context `context`, returning its path.
    pub fn kubeconfig(&self, dir: &Path, context: &str, token: &str) -> PathBuf {
        kubeconfig_for(dir, &self.url, &self.ca_pem, context, token)
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().expect("state").seen.clone()
    }
}

/// A kubeconfig naming `url`, trusting `ca_pem`, and sending `token`.
pub fn kubeconfig_for(dir: &Path, url: &str, ca_pem: &str, context: &str, token: &str) -> PathBuf {
    use std::fmt::Write as _;
    let ca = base64(ca_pem.as_bytes());
    let mut text = String::new();
    let _ = write!(
        text,
        "apiVersion: v1\nkind: Config\ncurrent-context: {context}\nclusters:\n- name: test\n  \
         cluster:\n    server: {url}\n    certificate-authority-data: {ca}\nusers:\n- name: \
         reader\n  user:\n    token: {token}\ncontexts:\n- name: {context}\n  context:\n    \
         cluster: test\n    user: reader\n"
    );
    let path = dir.join(format!("kubeconfig-{context}"));
    std::fs::write(&path, text).expect("write kubeconfig");
    path
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

type Answer = Response<Full<Bytes>>;

async fn answer(state: &Arc<Mutex<State>>, request: Request<Incoming>) -> Answer {
    let method = request.method().to_string();
    let target = request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_string(), ToString::to_string);
    let accept = header(&request, "accept");
    let token = header(&request, "authorization")
        .strip_prefix("Bearer ")
        .map(str::to_string);
    let delay = {
        let mut state = state.lock().expect("state");
        state.seen.push(Seen {
            method: method.clone(),
            target: target.clone(),
            accept: accept.clone(),
        });
        state.delay
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();

    let mut state = state.lock().expect("state");
    let Some(grant) = token.and_then(|t| state.tokens.get(&t).cloned()) else {
        return status(401, "Unauthorized", "Unauthorized");
    };
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = parse_query(query);
    match (method.as_str(), path) {
        ("GET", "/version") => json_answer(
            200,
            &json!({"major": "1", "minor": "34", "gitVersion": "v1.34.0", "platform": "linux/amd64"}),
        ),
        ("GET", "/api") => json_answer(
            200,
            &json!({"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}),
        ),
        ("GET", "/apis") => json_answer(200, &group_list(&state)),
        ("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews") => {
            let grant = if state.reviews_allow_all {
                Grant::default()
            } else {
                grant
            };
            access_review(&grant, &body)
        }
        ("GET", _) => read(&mut state, &grant, path, &query, &accept),
        _ => status(405, "MethodNotAllowed", "the test server only reads"),
    }
}

fn header(request: &Request<Incoming>, name: &str) -> String {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn parse_query(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), unescape(v)))
        .collect()
}

fn unescape(value: &str) -> String {
    let mut out = Vec::new();
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&value[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn groups(state: &State) -> BTreeMap<String, String> {
    let mut groups: BTreeMap<String, String> = BUILTIN
        .iter()
        .filter(|r| !r.0.is_empty())
        .filter(|r| r.0 != "security.istio.io" || state.objects.keys().any(|k| k.0 == r.0))
        .map(|r| (r.0.to_string(), r.1.to_string()))
        .collect();
    groups.insert("authorization.k8s.io".to_string(), "v1".to_string());
    groups
}

fn group_list(state: &State) -> Value {
    let groups: Vec<Value> = groups(state)
        .into_iter()
        .map(|(name, version)| {
            let gv = json!({"groupVersion": format!("{name}/{version}"), "version": version});
            json!({"name": name, "versions": [gv.clone()], "preferredVersion": gv})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn resource_list(group_version: &str) -> Value {
    let resources: Vec<Value> = BUILTIN
        .iter()
        .filter(|r| {
            let gv = if r.0.is_empty() {
                r.1.to_string()
            } else {
                format!("{}/{}", r.0, r.1)
            };
            gv == group_version
        })
        .map(|r| {
            json!({"name": r.3, "singularName": r.2.to_lowercase(), "namespaced": r.4,
                   "kind": r.2, "verbs": ["get", "list", "watch"]})
        })
        .collect();
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
           "resources": resources})
}

fn access_review(grant: &Grant, body: &[u8]) -> Answer {
    let mut review: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let resource = review
        .pointer("/spec/resourceAttributes/resource")
        .and_then(Value::as_str)
        .unwrap_or("");
    let allowed = !grant.denied.contains(resource);
    review["status"] = json!({"allowed": allowed});
    review["apiVersion"] = json!("authorization.k8s.io/v1");
    review["kind"] = json!("SelfSubjectAccessReview");
    json_answer(201, &review)
}

/// A parsed list path: `/api/v1/namespaces/ns/pods` or `/apis/apps/v1/deployments`.
struct ListPath {
    group: String,
    group_version: String,
    namespace: Option<String>,
    plural: String,
}

fn parse_path(path: &str) -> Option<Result<ListPath, String>> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match parts.as_slice() {
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return None,
    };
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    let (namespace, plural) = match rest {
        [] => return Some(Err(group_version)),
        ["namespaces", ns, plural] => (Some(ns.to_string()), plural.to_string()),
        [plural] => (None, plural.to_string()),
        _ => return None,
    };
    Some(Ok(ListPath {
        group: group.to_string(),
        group_version,
        namespace,
        plural,
    }))
}

fn read(
    state: &mut State,
    grant: &Grant,
    path: &str,
    query: &BTreeMap<String, String>,
    accept: &str,
) -> Answer {
    let list = match parse_path(path) {
        None => {
            return status(
                404,
                "NotFound",
                &format!("the server could not find {path}"),
            );
        }
        Some(Err(group_version)) => return json_answer(200, &resource_list(&group_version)),
        Some(Ok(list)) => list,
    };
    if grant.denied.contains(&list.plural) {
        let scope = list
            .namespace
            .as_ref()
            .map_or("at the cluster scope".to_string(), |n| {
                format!("in the namespace \"{n}\"")
            });
        return status(
            403,
            "Forbidden",
            &format!(
                "{} is forbidden: User \"reader\" cannot list resource \"{}\" in API group \"{}\" {scope}",
                list.plural, list.plural, list.group
            ),
        );
    }
    let Some(spec) = BUILTIN
        .iter()
        .find(|r| r.3 == list.plural && r.0 == list.group)
    else {
        return status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        );
    };
    let mut items: Vec<Value> = state
        .objects
        .get(&(list.group.clone(), list.plural.clone()))
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|o| {
            list.namespace.as_deref().is_none_or(|ns| {
                o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(ns)
            })
        })
        .filter(|o| matches_labels(o, query.get("labelSelector")))
        .collect();

    // Pagination: the continue token is the offset, as opaque to clients as the real one.
    let limit: usize = query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .filter(|l| *l > 0)
        .unwrap_or(usize::MAX);
    let offset = match query.get("continue") {
        Some(token) => {
            if state.expire_next_continue {
                state.expire_next_continue = false;
                return status(410, "Expired", "The provided continue parameter is too old");
            }
            token
                .strip_prefix("off-")
                .and_then(|o| o.parse().ok())
                .unwrap_or(0)
        }
        None => 0,
    };
    let total = items.len();
    items = items.into_iter().skip(offset).take(limit).collect();
    let next = (offset + items.len() < total).then(|| format!("off-{}", offset + items.len()));
    let mut metadata = json!({"resourceVersion": "1000"});
    if let Some(next) = &next {
        metadata["continue"] = json!(next);
        metadata["remainingItemCount"] = json!(total - offset - items.len());
    }

    if accept.contains("as=Table") {
        return json_answer(200, &table(spec.2, &items, metadata));
    }
    if accept.contains("as=PartialObjectMetadataList") {
        let items: Vec<Value> = items
            .iter()
            .map(|o| json!({"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata", "metadata": o["metadata"]}))
            .collect();
        return json_answer(
            200,
            &json!({"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadataList", "metadata": metadata, "items": items}),
        );
    }
    // Real list items carry no apiVersion or kind; clients must not rely on them.
    let items: Vec<Value> = items
        .into_iter()
        .map(|mut o| {
            if let Value::Object(map) = &mut o {
                map.remove("apiVersion");
                map.remove("kind");
            }
            o
        })
        .collect();
    json_answer(
        200,
        &json!({"apiVersion": list.group_version, "kind": format!("{}List", spec.2), "metadata": metadata, "items": items}),
    )
}

fn matches_labels(object: &Value, selector: Option<&String>) -> bool {
    let Some(selector) = selector.filter(|s| !s.is_empty()) else {
        return true;
    };
    selector.split(',').all(|term| {
        let Some((key, value)) = term.split_once('=') else {
            return false;
        };
        object
            .pointer("/metadata/labels")
            .and_then(|l| l.get(key))
            .and_then(Value::as_str)
            == Some(value)
    })
}

fn table(kind: &str, items: &[Value], metadata: Value) -> Value {
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let name = o.pointer("/metadata/name").cloned().unwrap_or(json!(""));
            let phase = o.pointer("/status/phase").cloned().unwrap_or(json!("Running"));
            json!({"cells": [name, phase],
                   "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]}})
        })
        .collect();
    json!({
        "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
        "columnDefinitions": [
            {"name": "Name", "type": "string", "format": "name", "description": "name", "priority": 0},
            {"name": "Status", "type": "string", "format": "", "description": format!("{kind} status"), "priority": 0}
        ],
        "rows": rows
    })
}

fn json_answer(code: u16, body: &Value) -> Answer {
    Response::builder()
        .status(StatusCode::from_u16(code).expect("status code"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("response")
}

fn status(code: u16, reason: &str, message: &str) -> Answer {
    json_answer(
        code,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": message, "reason": reason, "code": code}),
    )
}
