//! The kube source against a test API server, through kube-rs's real kubeconfig, TLS,
//! authentication and list code, and through the real binary.

mod harness;
mod kube_server;

use std::time::Duration;

use harness::{Sandbox, random_token};
use kube_server::{Grant, KubeServer, State};
use rampart::checks::Status;
use rampart::evidence::{Evidence, SourceStatus};
use rampart::report::Report;
use rampart::sources::kube::{KubeOptions, KubeconfigSource};
use serde_json::{Value, json};

fn namespace(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "uid": format!("ns-{name}")}})
}

fn pod_spec(privileged: bool) -> Value {
    json!({"containers": [{"name": "app", "image": "registry.example/app:1.2.3",
        "securityContext": {"privileged": privileged}}]})
}

/// A cluster with a privileged Deployment (one ReplicaSet, two replicas), a privileged bare
/// pod, a cluster-admin binding for a person, and a namespace without policies.
fn risky_cluster() -> State {
    let mut state = State::default();
    state.add(namespace("shop"));
    state.add(json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "uid": "dep-web",
            "managedFields": [{"manager": "kubectl"}],
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"big\":true}"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec(true)}}}));
    state.add(json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": "web-5d8f", "namespace": "shop", "uid": "rs-web",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "dep-web", "controller": true}]},
        "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec(true)}}}));
    for replica in ["a", "b"] {
        state.add(json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("web-5d8f-{replica}"), "namespace": "shop", "uid": format!("pod-{replica}"),
                "labels": {"app": "web"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8f", "uid": "rs-web", "controller": true}]},
            "spec": pod_spec(true), "status": {"phase": "Running"}}));
    }
    state.add(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "debug", "namespace": "shop", "uid": "pod-debug"},
        "spec": pod_spec(true), "status": {"phase": "Running"}}));
    state.add(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "dev-admin", "uid": "crb-1"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice@example.com"}]}));
    state.add(json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "db", "namespace": "shop", "uid": "sec-1"},
        "type": "Opaque", "data": {"password": "c2VjcmV0"}}));
    state
}

/// Starts `state` with a fresh token allowed everything but `denied`.
async fn serve(mut state: State, denied: &[&str]) -> (KubeServer, String) {
    let token = random_token(32);
    state.tokens.insert(
        token.clone(),
        Grant {
            denied: denied.iter().map(|d| (*d).to_string()).collect(),
        },
    );
    (KubeServer::start(state).await, token)
}

fn options(kubeconfig: std::path::PathBuf) -> KubeOptions {
    KubeOptions {
        kubeconfig: KubeconfigSource::Files(vec![kubeconfig]),
        read_timeout: Duration::from_secs(5),
        ..KubeOptions::default()
    }
}

async fn evaluate(options: &KubeOptions) -> (Evidence, Report) {
    let (kube, record) = rampart::sources::kube::collect(options, None).await;
    let mut evidence = Evidence::new(time::OffsetDateTime::UNIX_EPOCH);
    evidence.kube = kube;
    evidence.sources.push(record);
    let report = Report::evaluate(&evidence, &Default::default());
    (evidence, report)
}

fn resources(report: &Report, id: &str) -> Vec<String> {
    let outcome = report.outcome(id).expect("check in catalogue");
    outcome
        .findings
        .iter()
        .map(|f| f.resource.canonical.clone())
        .collect()
}

#[tokio::test]
async fn a_risky_cluster_gets_findings_named_by_namespace_kind_and_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, token) = serve(risky_cluster(), &[]).await;
    let config = server.kubeconfig(dir.path(), "prod", &token);
    let (evidence, report) = evaluate(&options(config)).await;

    let kube = evidence.kube.as_ref().expect("kube evidence");
    assert_eq!(evidence.sources[0].status, SourceStatus::Connected);
    assert_eq!(kube.pods_listed, 3);
    // Replicas collapse to their Deployment; the bare pod stays.
    assert_eq!(
        resources(&report, "CTR-010"),
        [
            "k8s/live/apps/Deployment/shop/web",
            "k8s/live/core/Pod/shop/debug"
        ]
    );
    let finding = &report.outcome("CTR-010").expect("CTR-010").findings[0];
    assert_eq!(finding.source, rampart::model::SourceKind::Kube);
    assert!(finding.location.is_none());
    assert_eq!(
        resources(&report, "IAM-001"),
        ["k8s/live/rbac.authorization.k8s.io/ClusterRoleBinding/-/dev-admin"]
    );
    let net = report.outcome("NET-001").expect("NET-001");
    assert_eq!(net.status, Status::Fail);
    assert!(
        net.findings.iter().any(|f| f.message.contains("`shop`")),
        "{:?}",
        net.findings
    );

    // managedFields and last-applied-configuration never reach the evidence, and
    // Secrets are not listed without --include-secrets.
    let saved = evidence.to_json().expect("json");
    assert!(!saved.contains("managedFields"));
    assert!(!saved.contains("last-applied-configuration"));
    assert!(!server.seen().iter().any(|s| s.target.contains("secrets")));

    // A saved bundle re-evaluates offline to the same findings.
    let replayed = Evidence::from_json(&saved).expect("bundle loads");
    let again = Report::evaluate(&replayed, &Default::default());
    assert_eq!(resources(&again, "CTR-010"), resources(&report, "CTR-010"));
    assert_eq!(resources(&again, "IAM-001"), resources(&report, "IAM-001"));
}

#[tokio::test]
async fn only_reads_and_access_reviews_are_sent_and_secrets_only_as_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, token) = serve(risky_cluster(), &[]).await;
    let mut options = options(server.kubeconfig(dir.path(), "prod", &token));
    options.include_secrets = true;
    let (evidence, _) = evaluate(&options).await;

    let seen = server.seen();
    for request in &seen {
        let path = request.target.split('?').next().unwrap_or("");
        let review = request.method == "POST"
            && path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
        assert!(request.method == "GET" || review, "unexpected {request:?}");
    }
    let secret_reads: Vec<_> = seen
        .iter()
        .filter(|s| s.method == "GET" && s.target.contains("/secrets"))
        .collect();
    assert!(!secret_reads.is_empty());
    for read in secret_reads {
        assert!(
            read.accept.contains("as=PartialObjectMetadataList"),
            "{read:?}"
        );
    }
    let saved = evidence.to_json().expect("json");
    assert!(saved.contains("\"db\""), "the secret's name is kept");
    assert!(!saved.contains("c2VjcmV0"), "its value never is");
}

#[tokio::test]
async fn a_token_denied_rbac_and_secrets_leaves_those_checks_not_assessed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let denied = [
        "clusterrolebindings",
        "rolebindings",
        "roles",
        "clusterroles",
        "secrets",
    ];
    let (server, token) = serve(risky_cluster(), &denied).await;
    let mut options = options(server.kubeconfig(dir.path(), "prod", &token));
    options.include_secrets = true;
    let (evidence, report) = evaluate(&options).await;

    let record = &evidence.sources[0];
    assert!(
        matches!(record.status, SourceStatus::Partial { .. }),
        "{record:?}"
    );
    assert!(record.denied["clusterrolebindings"].contains("`list clusterrolebindings`"));
    let iam = report.outcome("IAM-001").expect("IAM-001");
    assert_eq!(iam.status, Status::NotAssessed);
    let reason = iam.reason.as_deref().unwrap_or("");
    assert!(reason.contains("list clusterrolebindings"), "{reason}");
    assert!(reason.contains("rbac.authorization.k8s.io"), "{reason}");
    // The rest of the audit goes on.
    assert_eq!(
        report.outcome("CTR-010").expect("CTR-010").status,
        Status::Fail
    );
    // The access review said no up front, so no list of RBAC was even tried.
    assert!(
        !server
            .seen()
            .iter()
            .any(|s| s.target.contains("clusterrolebindings"))
    );
}

#[tokio::test]
async fn a_403_on_a_list_degrades_that_resource_only() {
    // The access review answers yes but the list says no (as with a webhook authorizer
    // that changes its mind): the 403's Status body is read and the permission named.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut state = risky_cluster();
    state.reviews_allow_all = true;
    let (server, token) = serve(state, &["ingresses"]).await;
    let (evidence, report) = evaluate(&options(server.kubeconfig(dir.path(), "p", &token))).await;
    assert!(evidence.sources[0].denied["ingresses"].contains("`list ingresses`"));
    let ingress_lists = server
        .seen()
        .into_iter()
        .filter(|s| s.target.contains("ingresses"));
    assert_eq!(
        ingress_lists.count(),
        1,
        "the list was tried once and refused"
    );
    assert_eq!(
        report.outcome("NET-004").expect("NET-004").status,
        Status::NotAssessed
    );
}

#[tokio::test]
async fn every_page_is_read_and_an_expired_token_restarts_the_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut state = State::default();
    state.add(namespace("batch"));
    for i in 0..5 {
        state.add(json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("worker-{i}"), "namespace": "batch", "uid": format!("w{i}")},
            "spec": pod_spec(false)}));
    }
    state.expire_next_continue = true;
    let (server, token) = serve(state, &[]).await;
    let mut options = options(server.kubeconfig(dir.path(), "prod", &token));
    options.page_size = 2;
    let (evidence, _) = evaluate(&options).await;

    assert_eq!(evidence.kube.as_ref().expect("kube").pods_listed, 5);
    let pod_reads: Vec<String> = server
        .seen()
        .into_iter()
        .filter(|s| s.target.starts_with("/api/v1/pods"))
        .map(|s| s.target)
        .collect();
    assert!(
        pod_reads.iter().any(|t| t.contains("continue=off-2")),
        "{pod_reads:?}"
    );
    assert!(
        pod_reads.iter().any(|t| t.contains("continue=off-4")),
        "{pod_reads:?}"
    );
    assert!(
        pod_reads.len() >= 4,
        "a restart after 410 Gone: {pod_reads:?}"
    );
}

#[tokio::test]
async fn a_slow_server_hits_the_read_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut state = risky_cluster();
    state.delay = Duration::from_secs(5);
    let (server, token) = serve(state, &[]).await;
    let mut options = options(server.kubeconfig(dir.path(), "slow", &token));
    options.read_timeout = Duration::from_millis(500);
    let started = std::time::Instant::now();
    let (evidence, _) = evaluate(&options).await;
    assert!(started.elapsed() < Duration::from_secs(4));
    match &evidence.sources[0].status {
        SourceStatus::Unavailable { reason, .. } => {
            assert!(reason.contains("timeout"), "{reason}");
            assert!(reason.contains(&server.url), "{reason}");
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn the_apiserver_flags_are_judged_when_its_pod_is_visible() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut state = risky_cluster();
    state.add(namespace("kube-system"));
    state.add(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "kube-apiserver-node1", "namespace": "kube-system", "uid": "apiserver",
            "labels": {"component": "kube-apiserver", "tier": "control-plane"}},
        "spec": {"hostNetwork": true, "containers": [{"name": "kube-apiserver",
            "image": "registry.k8s.io/kube-apiserver:v1.34.0",
            "command": ["kube-apiserver", "--authorization-mode=AlwaysAllow",
                "--anonymous-auth=false", "--oidc-issuer-url=https://login.example.com",
                "--encryption-provider-config=/etc/kubernetes/enc.yaml"]}]}}));
    let (server, token) = serve(state, &[]).await;
    let (evidence, report) = evaluate(&options(server.kubeconfig(dir.path(), "p", &token))).await;

    let plane = evidence
        .kube
        .as_ref()
        .and_then(|k| k.control_plane.as_ref())
        .expect("flags");
    assert_eq!(
        plane.flag("encryption-provider-config"),
        Some("/etc/kubernetes/enc.yaml")
    );
    let status = |id: &str| report.outcome(id).expect(id).status;
    assert_eq!(status("IAM-008"), Status::Fail);
    assert_eq!(status("MON-003"), Status::Fail);
    assert_eq!(status("IAM-011"), Status::Pass);
    assert_eq!(status("IAM-012"), Status::Pass);
    assert_eq!(
        status("SEC-007"),
        Status::Pass,
        "the flag names a configuration"
    );
}

#[tokio::test]
async fn control_plane_checks_pass_on_good_flags_and_are_not_assessed_when_hidden() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut state = risky_cluster();
    state.add(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "kube-apiserver-cp", "namespace": "kube-system", "uid": "api2",
            "labels": {"component": "kube-apiserver"}},
        "spec": {"containers": [{"name": "kube-apiserver", "image": "kube-apiserver",
            "command": ["kube-apiserver", "--authorization-mode=Node,RBAC",
                "--audit-log-path=/var/log/audit.log", "--audit-policy-file=/etc/audit.yaml"]}]}}));
    let (server, token) = serve(state, &[]).await;
    let (_, report) = evaluate(&options(server.kubeconfig(dir.path(), "p", &token))).await;
    assert_eq!(
        report.outcome("IAM-008").expect("IAM-008").status,
        Status::Pass
    );
    assert_eq!(
        report.outcome("MON-003").expect("MON-003").status,
        Status::Pass
    );
    assert_eq!(
        report.outcome("IAM-011").expect("IAM-011").status,
        Status::Fail
    );
    assert_eq!(
        report.outcome("IAM-012").expect("IAM-012").status,
        Status::Fail
    );
    let encryption = report.outcome("SEC-007").expect("SEC-007");
    assert_eq!(encryption.status, Status::Fail, "no encryption flag");
    let finding = report
        .findings()
        .into_iter()
        .find(|f| f.check_id == "SEC-007")
        .expect("a finding on the API server");
    assert!(
        finding.message.contains("--encryption-provider-config"),
        "{}",
        finding.message
    );
    assert!(
        finding.resource.display.contains("kube-apiserver-cp"),
        "{}",
        finding.resource.display
    );

    // A managed cluster: no apiserver pod.
    let (server, token) = serve(risky_cluster(), &[]).await;
    let (_, report) = evaluate(&options(server.kubeconfig(dir.path(), "m", &token))).await;
    for id in ["MON-003", "SEC-007"] {
        let outcome = report.outcome(id).expect(id);
        assert_eq!(outcome.status, Status::NotAssessed, "{id}");
        assert!(
            outcome.reason.as_deref().unwrap_or("").contains("managed"),
            "{id}"
        );
    }
}

#[test]
fn an_unreachable_cluster_exits_3_naming_the_endpoint() {
    let sandbox = Sandbox::new();
    // A port that was free a moment ago: connections are refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let url = format!("https://127.0.0.1:{port}");
    let config = kube_server::kubeconfig_for(sandbox.path(), &url, "", "prod", &random_token(20));
    let outcome = sandbox.run(
        sandbox.path(),
        &[
            "--sources",
            "kube",
            "--kubeconfig",
            config.to_str().expect("utf-8"),
        ],
    );
    outcome.expect_no_panic().expect_code(3);
    assert!(
        outcome.stderr.contains("context `prod`"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains(&url), "{}", outcome.stderr);
}

#[test]
fn the_binary_audits_the_cluster_and_prints_hostile_names_safely() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sandbox = Sandbox::new();
    let mut state = risky_cluster();
    state.add(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "evil\u{1b}]0;owned\u{7}\u{1b}[31mred", "namespace": "shop", "uid": "evil",
            "labels": (0..2000).map(|i| (format!("l{i}"), json!("v"))).collect::<serde_json::Map<_, _>>()},
        "spec": pod_spec(true), "unknownField": {"x": 1}}));
    state.add(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "no-spec", "namespace": "shop", "uid": "nospec"}}));
    let (server, token) = runtime.block_on(serve(state, &[]));
    let config = server.kubeconfig(sandbox.path(), "prod", &token);
    // The server runs on the runtime's worker threads while the binary runs here.
    let outcome = sandbox.run(
        sandbox.path(),
        &[
            "--sources",
            "kube",
            "--kubeconfig",
            config.to_str().expect("utf-8"),
            "--format",
            "text",
        ],
    );
    outcome.expect_no_panic().expect_code(0);
    assert!(!outcome.stdout.contains('\u{1b}'), "{}", outcome.stdout);
    assert!(!outcome.stderr.contains('\u{1b}'), "{}", outcome.stderr);
    assert!(!outcome.all().contains(&token), "the token never appears");
}

#[test]
fn kubectl_reads_the_test_server() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, token) = runtime.block_on(serve(risky_cluster(), &[]));
    let config = server.kubeconfig(dir.path(), "prod", &token);
    // Debian's kubectl, as scripts/setup-kube extracts it; the test fails without it.
    let kubectl =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/kube-tools/usr/bin/kubectl");
    assert!(
        kubectl.is_file(),
        "kubectl from Debian's kubernetes-client is missing: run scripts/setup-kube"
    );
    let output = std::process::Command::new(kubectl)
        .arg("--kubeconfig")
        .arg(&config)
        .arg("--cache-dir")
        .arg(config.with_extension("cache"))
        .args(["get", "pods", "-A"])
        .output()
        .expect("run kubectl");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "kubectl failed: {stderr}\n{stdout}"
    );
    assert!(stdout.contains("web-5d8f-a"), "{stdout}");
    assert!(stdout.contains("debug"), "{stdout}");
    assert!(stdout.contains("shop"), "{stdout}");
}

#[tokio::test]
async fn platform_namespaces_are_listed_but_graded_apart_unless_included() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut state = State::default();
    state.add(namespace("kube-system"));
    state.add(json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "kube-proxy", "namespace": "kube-system", "uid": "ds-proxy"},
        "spec": {"template": {"spec": pod_spec(true)}}}));
    let (server, token) = serve(state, &[]).await;
    let mut options = options(server.kubeconfig(dir.path(), "p", &token));
    let (_, report) = evaluate(&options).await;
    let outcome = report.outcome("CTR-010").expect("CTR-010");
    assert_eq!((outcome.status, outcome.failed), (Status::Pass, 0));
    assert_eq!(outcome.findings.len(), 1, "still listed");
    assert!(outcome.findings[0].message.contains("graded apart"));

    options.include_platform = true;
    let (_, report) = evaluate(&options).await;
    let outcome = report.outcome("CTR-010").expect("CTR-010");
    assert_eq!((outcome.status, outcome.failed), (Status::Fail, 1));
}

/// A realistic small cluster for the `--demo` bundle.
fn demo_cluster() -> State {
    let mut state = risky_cluster();
    state.add(namespace("kube-system"));
    state.add(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "payments", "uid": "ns-payments",
        "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}));
    state.add(
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "default-deny", "namespace": "payments", "uid": "np-pay"},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}),
    );
    state.add(json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "ledger", "namespace": "payments", "uid": "sts-ledger",
            "labels": {"app": "ledger", "owner": "payments", "environment": "prod"}},
        "spec": {"serviceName": "ledger", "selector": {"matchLabels": {"app": "ledger"}},
            "template": {"metadata": {"labels": {"app": "ledger", "owner": "payments", "environment": "prod", "security-reviewed": "true"}},
                "spec": {"serviceAccountName": "ledger", "automountServiceAccountToken": false,
                    "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{"name": "ledger", "image": "registry.example/ledger@sha256:4f1c2a9e8b7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170615243a",
                        "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}},
                        "resources": {"limits": {"cpu": "1", "memory": "512Mi"}},
                        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
                        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}}}]}}}}));
    state.add(json!({"apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "nightly-report", "namespace": "shop", "uid": "cj-report"},
        "spec": {"schedule": "0 2 * * *", "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure",
            "containers": [{"name": "report", "image": "registry.example/report:latest",
                "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]}]}}}}}}));
    state.add(json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop", "uid": "svc-web"},
        "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80}]}}));
    state.add(json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "shop", "uid": "ing-web"},
        "spec": {"rules": [{"host": "shop.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix",
            "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}));
    state.add(
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "secret-reader", "namespace": "shop", "uid": "role-sr"},
        "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}]}),
    );
    state.add(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "ci-secret-reader", "namespace": "shop", "uid": "rb-sr"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "secret-reader"},
        "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "shop"}]}));
    state.add(json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "ci", "namespace": "shop", "uid": "sa-ci"}, "secrets": [{"name": "ci-token-x7k2p"}]}));
    state.add(json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "web-config", "namespace": "shop", "uid": "cm-web"},
        "data": {"LOG_LEVEL": "info", "API_TOKEN": format!("ghp_{}", random_token(36))}}));
    state.add(json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "kube-proxy", "namespace": "kube-system", "uid": "ds-proxy"},
        "spec": {"selector": {"matchLabels": {"k8s-app": "kube-proxy"}}, "template": {"metadata": {"labels": {"k8s-app": "kube-proxy"}},
            "spec": {"hostNetwork": true, "containers": [{"name": "kube-proxy", "image": "registry.k8s.io/kube-proxy:v1.34.0",
                "securityContext": {"privileged": true}}]}}}}));
    state.add(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "kube-apiserver-cp1", "namespace": "kube-system", "uid": "api-cp1",
            "labels": {"component": "kube-apiserver", "tier": "control-plane"},
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "cp1", "uid": "node-cp1", "controller": true}]},
        "spec": {"hostNetwork": true, "containers": [{"name": "kube-apiserver", "image": "registry.k8s.io/kube-apiserver:v1.34.0",
            "command": ["kube-apiserver", "--authorization-mode=Node,RBAC", "--anonymous-auth=true",
                "--encryption-provider-config=/etc/kubernetes/encryption.yaml"]}]}}));
    state
}

/// Regenerates tests/fixtures/kube/demo-kube.json, the kube part of the `--demo` bundle:
/// `cargo test --test kube -- --ignored regenerate_demo_fragment`.
#[tokio::test]
#[ignore = "writes the demo fragment; run by hand"]
async fn regenerate_demo_fragment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, token) = serve(demo_cluster(), &[]).await;
    let options = options(server.kubeconfig(dir.path(), "prod", &token));
    let (kube, mut record) = rampart::sources::kube::collect(&options, None).await;
    let mut kube = kube.expect("kube evidence");
    let endpoint = "https://prod-cp.example.internal:6443";
    kube.server = endpoint.to_string();
    record.target = format!("{endpoint} (prod)");
    record.elapsed_ms = 840;
    let fragment = json!({"kube": kube, "source": record});
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kube");
    std::fs::create_dir_all(&path).expect("mkdir");
    let text = serde_json::to_string_pretty(&fragment).expect("json");
    assert!(!text.contains(&token));
    std::fs::write(path.join("demo-kube.json"), text + "\n").expect("write");
}

#[test]
fn the_demo_fragment_loads_and_shows_live_findings() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kube/demo-kube.json");
    let fragment: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    let mut evidence = Evidence::new(time::OffsetDateTime::UNIX_EPOCH);
    evidence.kube = Some(serde_json::from_value(fragment["kube"].clone()).expect("kube"));
    evidence
        .sources
        .push(serde_json::from_value(fragment["source"].clone()).expect("record"));
    let report = Report::evaluate(&evidence, &Default::default());
    for id in ["CTR-010", "IAM-001", "NET-001", "IAM-011", "SEC-004"] {
        if let Some(outcome) = report.outcome(id) {
            assert_eq!(outcome.status, Status::Fail, "{id}: {:?}", outcome.reason);
        }
    }
    assert_eq!(
        report.outcome("IAM-008").expect("IAM-008").status,
        Status::Pass
    );
    let text = fragment.to_string();
    assert!(
        !text.contains("ghp_"),
        "the config map's token was redacted at collection"
    );
}

#[tokio::test]
async fn namespaces_given_with_n_limit_the_audit_to_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut state = risky_cluster();
    state.add(namespace("other"));
    state.add(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "elsewhere", "namespace": "other", "uid": "pod-other"},
        "spec": pod_spec(true)}));
    let (server, token) = serve(state, &[]).await;
    let mut options = options(server.kubeconfig(dir.path(), "p", &token));
    options.namespaces = vec!["shop".to_string()];
    let (evidence, report) = evaluate(&options).await;

    let names: Vec<String> = resources(&report, "CTR-010");
    assert!(names.iter().all(|n| n.contains("/shop/")), "{names:?}");
    let kube = evidence.kube.as_ref().expect("kube");
    let namespaces: Vec<&str> = kube
        .objects
        .iter()
        .filter(|m| m.kind() == "Namespace")
        .map(rampart::evidence::Manifest::name)
        .collect();
    assert_eq!(namespaces, ["shop"]);
    let pod_reads: Vec<String> = server
        .seen()
        .into_iter()
        .filter(|s| s.target.contains("/pods") && !s.target.contains("kube-system"))
        .map(|s| s.target)
        .collect();
    assert!(
        pod_reads
            .iter()
            .all(|t| t.starts_with("/api/v1/namespaces/shop/pods")),
        "{pod_reads:?}"
    );
}

#[test]
fn the_binary_reads_kubeconfig_from_the_environment_and_honours_context() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sandbox = Sandbox::new();
    let (server, token) = runtime.block_on(serve(risky_cluster(), &[]));
    let config = server.kubeconfig(sandbox.path(), "prod", &token);

    let mut command = sandbox.command(sandbox.path());
    command
        .env("KUBECONFIG", &config)
        .args(["--sources", "kube", "--json"]);
    let outcome = harness::run_command(command, sandbox.path());
    outcome.expect_no_panic().expect_code(0);
    let report: Value = serde_json::from_str(&outcome.stdout).expect("json");
    assert_eq!(
        report.pointer("/sources/0/status/state"),
        Some(&json!("connected")),
        "{report:#}"
    );

    let mut command = sandbox.command(sandbox.path());
    command.env("KUBECONFIG", &config).args([
        "--sources",
        "kube",
        "--context",
        "staging",
        "--json",
    ]);
    let outcome = harness::run_command(command, sandbox.path());
    outcome.expect_no_panic().expect_code(3);
    assert!(outcome.stderr.contains("staging"), "{}", outcome.stderr);
}

#[test]
fn namespaces_and_context_come_from_rampart_toml_unless_flags_say_otherwise() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sandbox = Sandbox::new();
    let mut state = risky_cluster();
    state.add(namespace("other"));
    state.add(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "elsewhere", "namespace": "other", "uid": "pod-other"},
        "spec": pod_spec(true)}));
    let (server, token) = runtime.block_on(serve(state, &[]));
    let config = server.kubeconfig(sandbox.path(), "prod", &token);
    let project = sandbox.path().join("project");
    std::fs::create_dir_all(&project).expect("project");
    std::fs::write(
        project.join("rampart.toml"),
        "[kube]\nnamespaces = [\"other\"]\ncontext = \"prod\"\n",
    )
    .expect("config");
    let privileged = |args: &[&str]| -> Vec<String> {
        let mut command = sandbox.command(&project);
        command.env("KUBECONFIG", &config).args(args);
        let outcome = harness::run_command(command, sandbox.path());
        outcome.expect_no_panic().expect_code(0);
        let report: Value = serde_json::from_str(&outcome.stdout).expect("json");
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["check_id"] == "CTR-010")
            .map(|f| f["resource"]["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };

    let from_config = privileged(&["--sources", "kube", "--json"]);
    assert!(!from_config.is_empty(), "the pod in `other` is privileged");
    assert!(
        from_config.iter().all(|r| r.contains("/other/")),
        "{from_config:?}"
    );
    let from_flag = privileged(&["--sources", "kube", "--json", "-n", "shop"]);
    assert!(!from_flag.is_empty());
    assert!(
        from_flag.iter().all(|r| r.contains("/shop/")),
        "{from_flag:?}"
    );

    std::fs::write(
        project.join("rampart.toml"),
        "[kube]\ncontext = \"staging\"\n",
    )
    .expect("config");
    let mut command = sandbox.command(&project);
    command
        .env("KUBECONFIG", &config)
        .args(["--sources", "kube", "--json"]);
    let outcome = harness::run_command(command, sandbox.path());
    outcome.expect_no_panic().expect_code(3);
    assert!(outcome.stderr.contains("staging"), "{}", outcome.stderr);
}

#[tokio::test]
async fn a_rampart_ignore_annotation_on_a_live_workload_suppresses_its_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut state = risky_cluster();
    state.add(json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "ledger", "namespace": "shop", "uid": "dep-ledger",
            "annotations": {"rampart/ignore": "CTR-010 needs raw sockets until the migration"}},
        "spec": {"selector": {"matchLabels": {"app": "ledger"}},
            "template": {"metadata": {"labels": {"app": "ledger"}}, "spec": pod_spec(true)}}}));
    let (server, token) = serve(state, &[]).await;
    let (_, report) = evaluate(&options(server.kubeconfig(dir.path(), "p", &token))).await;

    let failing = resources(&report, "CTR-010");
    assert!(
        failing.iter().any(|r| r.ends_with("/Deployment/shop/web")),
        "the unannotated Deployment still fails: {failing:?}"
    );
    assert!(!failing.iter().any(|r| r.contains("ledger")), "{failing:?}");
    let suppressed: Vec<_> = report
        .suppressed
        .iter()
        .filter(|f| f.check_id == "CTR-010")
        .collect();
    assert_eq!(suppressed.len(), 1, "{suppressed:?}");
    assert!(
        suppressed[0]
            .resource
            .canonical
            .ends_with("/Deployment/shop/ledger")
    );
    let why = suppressed[0].suppression.as_ref().expect("suppression");
    assert!(why.reason.contains("raw sockets"), "{why:?}");
    assert!(why.origin.contains("k8s/live/"), "{why:?}");
}

/// In a pod, with no kubeconfig, Rampart reads the mounted service account. The binary runs
/// in a private mount namespace with a tmpfs over `/run`, so the account sits at the fixed
/// path kube-rs reads (`/var/run/secrets/kubernetes.io/serviceaccount`) without touching
/// the machine's own `/run`. Needs root, as the whole suite does for its Docker daemon.
#[test]
fn in_a_pod_the_mounted_service_account_is_used_when_there_is_no_kubeconfig() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sandbox = Sandbox::new();
    let (server, token) = runtime.block_on(serve(risky_cluster(), &[]));
    let account = sandbox.path().join("account");
    std::fs::create_dir_all(&account).expect("account");
    std::fs::write(account.join("token"), &token).expect("token");
    std::fs::write(account.join("ca.crt"), &server.ca_pem).expect("ca");
    std::fs::write(account.join("namespace"), "shop").expect("namespace");
    let port = server.url.rsplit(':').next().expect("port").to_string();
    let mounted = "/run/secrets/kubernetes.io/serviceaccount";
    let script = format!(
        "mount -t tmpfs tmpfs /run && mkdir -p {mounted} && cp {}/* {mounted}/ && exec \"$0\" \"$@\"",
        account.display()
    );
    let prefix = [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        script.as_str(),
    ];
    let mut command = sandbox.wrapped(sandbox.path(), &prefix);
    command
        .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .env("KUBERNETES_SERVICE_PORT", &port)
        .args(["--sources", "kube", "--json"]);
    let outcome = harness::run_command(command, sandbox.path());
    outcome.expect_no_panic().expect_code(0);

    let report: Value = serde_json::from_str(&outcome.stdout).expect("json");
    assert_eq!(
        report.pointer("/sources/0/status/state"),
        Some(&json!("connected")),
        "{report:#}"
    );
    let privileged = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["check_id"] == "CTR-010")
        .count();
    assert!(privileged > 0, "the cluster was audited: {report:#}");
    assert!(!outcome.all().contains(&token), "the token never appears");
    assert!(
        server
            .seen()
            .iter()
            .any(|s| s.target.starts_with("/api/v1/")),
        "the server was read"
    );
}

fn peer_authentication(namespace: &str, name: &str, mode: &str) -> Value {
    json!({"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
        "metadata": {"name": name, "namespace": namespace, "uid": format!("pa-{namespace}-{name}")},
        "spec": {"mtls": {"mode": mode}}})
}

#[tokio::test]
async fn istio_objects_found_through_discovery_are_judged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut state = risky_cluster();
    state.add(namespace("istio-system"));
    state.add(peer_authentication("istio-system", "default", "PERMISSIVE"));
    let (server, token) = serve(state, &[]).await;
    let (evidence, report) = evaluate(&options(server.kubeconfig(dir.path(), "p", &token))).await;

    let kube = evidence.kube.as_ref().expect("kube");
    assert!(
        kube.installed_apis
            .iter()
            .any(|a| a.starts_with("security.istio.io")),
        "{:?}",
        kube.installed_apis
    );
    assert!(
        server
            .seen()
            .iter()
            .any(|s| s.method == "GET" && s.target.contains("/apis/security.istio.io/v1/")),
        "the PeerAuthentications were listed"
    );
    assert_eq!(
        report.outcome("NET-006").expect("NET-006").status,
        Status::Fail
    );
    assert!(
        resources(&report, "NET-006")
            .iter()
            .any(|r| r == "k8s/live/security.istio.io/PeerAuthentication/istio-system/default"),
        "{:?}",
        resources(&report, "NET-006")
    );

    let mut state = risky_cluster();
    state.add(namespace("istio-system"));
    state.add(peer_authentication("istio-system", "default", "STRICT"));
    let (server, token) = serve(state, &[]).await;
    let (_, report) = evaluate(&options(server.kubeconfig(dir.path(), "q", &token))).await;
    assert_eq!(
        report.outcome("NET-006").expect("NET-006").status,
        Status::Pass
    );
}

#[tokio::test]
async fn progress_is_reported_per_resource_kind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, token) = serve(risky_cluster(), &["roles"]).await;
    let options = options(server.kubeconfig(dir.path(), "p", &token));
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let _ = rampart::sources::kube::collect(&options, Some(&sender)).await;
    drop(sender);
    let mut steps = Vec::new();
    while let Some(event) = receiver.recv().await {
        if let rampart::sources::Progress::Step { message, .. } = event {
            steps.push(message);
        }
    }
    assert!(steps.contains(&"listed 3 pods".to_string()), "{steps:?}");
    assert!(
        steps.contains(&"listed 1 deployments".to_string()),
        "{steps:?}"
    );
    assert!(
        steps.contains(&"may not list roles".to_string()),
        "{steps:?}"
    );
}
