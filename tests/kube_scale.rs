//! Scale harness for the kube source: the test API server holding 10,000 pods across 500
//! namespaces, with policies and RBAC, audited by the real binary under `/usr/bin/time`.
//!
//! Not a timed test (timings on a shared machine are noise); run it by hand and record the
//! figures in docs/performance.md:
//!
//! ```sh
//! cargo test --release --test kube_scale -- --ignored --nocapture
//! ```

mod harness;
mod kube_server;

use harness::{Sandbox, random_token};
use kube_server::{Grant, KubeServer, State};
use serde_json::{Value, json};

const NAMESPACES: usize = 500;
const DEPLOYMENTS_PER_NAMESPACE: usize = 4;
const REPLICAS: usize = 5;

fn cluster() -> State {
    let mut state = State::default();
    for n in 0..NAMESPACES {
        let ns = format!("team-{n:03}");
        state.add(json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": ns, "uid": format!("ns-{n}"),
                "labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}));
        state.add(
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny", "namespace": ns, "uid": format!("np-{n}")},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}),
        );
        state.add(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "dev", "namespace": ns, "uid": format!("role-{n}")},
            "rules": [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]}]}));
        state.add(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "dev", "namespace": ns, "uid": format!("rb-{n}")},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "dev"},
            "subjects": [{"kind": "Group", "name": format!("team-{n}"), "apiGroup": "rbac.authorization.k8s.io"}]}));
        for d in 0..DEPLOYMENTS_PER_NAMESPACE {
            workload(&mut state, &ns, n, d);
        }
    }
    state
}

fn workload(state: &mut State, ns: &str, n: usize, d: usize) {
    let name = format!("svc-{d}");
    let labels = json!({"app": name, "owner": "team", "environment": "prod"});
    let spec = json!({"serviceAccountName": name, "containers": [{"name": "app",
        "image": format!("registry.example/{name}:1.{d}.0"),
        "securityContext": {"runAsNonRoot": true, "allowPrivilegeEscalation": d != 0,
            "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}},
        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
        "env": [{"name": "LOG_LEVEL", "value": "info"}],
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}}}]});
    let (dep_uid, rs_uid) = (format!("dep-{n}-{d}"), format!("rs-{n}-{d}"));
    let owner = |kind: &str, name: &str, uid: &str| -> Value {
        json!([{"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": uid, "controller": true}])
    };
    state.add(json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "uid": dep_uid, "labels": labels},
        "spec": {"replicas": REPLICAS, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": labels}, "spec": spec}}}));
    state.add(json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": format!("{name}-7c9"), "namespace": ns, "uid": rs_uid,
            "ownerReferences": owner("Deployment", &name, &dep_uid)},
        "spec": {"template": {"metadata": {"labels": labels}, "spec": spec}}}));
    for r in 0..REPLICAS {
        state.add(json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("{name}-7c9-{r}"), "namespace": ns,
                "uid": format!("pod-{n}-{d}-{r}"), "labels": labels,
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "name": format!("{name}-7c9"), "uid": rs_uid, "controller": true}]},
            "spec": spec, "status": {"phase": "Running"}}));
    }
}

/// Runs the binary under `/usr/bin/time -v`; returns its JSON output, peak RSS in KiB and
/// wall-clock time as `time` prints it.
fn timed(sandbox: &Sandbox, args: &[&str]) -> (Value, u64, String) {
    let mut command = sandbox.wrapped(sandbox.path(), &["/usr/bin/time", "-v"]);
    command.args(args);
    let outcome = harness::run_command(command, sandbox.path());
    outcome.expect_no_panic();
    let peak = outcome
        .stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .expect("time -v reports the peak");
    let wall = outcome
        .stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Elapsed (wall clock) time (h:mm:ss or m:ss): ")
        })
        .unwrap_or("?")
        .to_string();
    let report = serde_json::from_str(&outcome.stdout).expect("json report");
    (report, peak, wall)
}

#[test]
#[ignore = "scale harness: run by hand with --release, see the module comment"]
fn ten_thousand_pods_across_five_hundred_namespaces() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let token = random_token(32);
    let mut state = cluster();
    state.tokens.insert(token.clone(), Grant::default());
    let server = runtime.block_on(KubeServer::start(state));
    let sandbox = Sandbox::new();
    let config = server.kubeconfig(sandbox.path(), "scale", &token);
    let bundle = sandbox.path().join("bundle.json");
    let config = config.to_str().expect("utf-8");
    let bundle = bundle.to_str().expect("utf-8");

    let (live, live_peak, live_wall) = timed(
        &sandbox,
        &[
            "--sources",
            "kube",
            "--kubeconfig",
            config,
            "--json",
            "--save-evidence",
            bundle,
        ],
    );
    let (_, offline_peak, offline_wall) = timed(&sandbox, &["--evidence", bundle, "--json"]);

    // Evaluation alone, in process: the bundle loaded, then checks and scoring timed.
    let evidence = rampart::evidence::Evidence::load(std::path::Path::new(bundle)).expect("load");
    let started = std::time::Instant::now();
    let report = rampart::report::Report::evaluate(&evidence, &Default::default());
    let evaluation = started.elapsed();

    let kube = evidence.kube.as_ref().expect("kube evidence");
    println!(
        "pods listed: {}; objects kept: {}",
        kube.pods_listed,
        kube.objects.len()
    );
    println!("findings: {}", report.all_findings().len());
    println!(
        "collection: {} ms (source record); live run wall {live_wall}, peak RSS {live_peak} KiB",
        evidence.sources[0].elapsed_ms
    );
    println!("evaluation and scoring in process: {evaluation:?}");
    println!("offline run from the bundle: wall {offline_wall}, peak RSS {offline_peak} KiB");
    println!(
        "bundle size: {} bytes",
        std::fs::metadata(bundle).map(|m| m.len()).unwrap_or(0)
    );
    assert_eq!(
        kube.pods_listed,
        NAMESPACES * DEPLOYMENTS_PER_NAMESPACE * REPLICAS
    );
    assert!(live.get("findings").is_some());
}
