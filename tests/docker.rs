//! The docker source against a real, private Docker daemon started by
//! `scripts/setup-docker` (its socket at /tmp/rampart-test-docker/docker.sock, or
//! `RAMPART_TEST_DOCKER_HOST`). These tests fail, never skip, when no daemon answers.
//!
//! Images are built `FROM scratch` with the legacy builder and a static busybox, so their
//! config and history are real; containers are created, not started (privileged ones
//! cannot start here), and removed when the test ends.
//!
//! Tests that must stop a daemon, or need one on TLS, start another dockerd of their own
//! ([`OwnDaemon`]). Where the moment matters (a container removed between list and
//! inspect, a daemon stopping mid-scan), a byte relay ([`Relay`]) in front of the real
//! daemon acts at that request; every answer still comes from dockerd.

mod harness;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use harness::{Sandbox, random_token};
use serde_json::Value;

const DEFAULT_HOST: &str = "unix:///tmp/rampart-test-docker/docker.sock";

fn daemon_host() -> String {
    let host = std::env::var("RAMPART_TEST_DOCKER_HOST").unwrap_or_else(|_| DEFAULT_HOST.into());
    let answers = Command::new("docker")
        .args(["-H", &host, "version"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        answers,
        "no private Docker daemon answers at {host}: run scripts/setup-docker first"
    );
    host
}

/// What one test created on the daemon, removed when the test ends even if it fails.
struct Scope {
    host: String,
    prefix: String,
    containers: Vec<String>,
    images: Vec<String>,
    build_dir: tempfile::TempDir,
}

impl Scope {
    fn new(test: &str) -> Self {
        Scope {
            host: daemon_host(),
            prefix: format!("rampart-{test}-{}", random_token(6).to_ascii_lowercase()),
            containers: Vec::new(),
            images: Vec::new(),
            build_dir: tempfile::tempdir().expect("build dir"),
        }
    }

    fn docker(&self, args: &[&str]) -> String {
        let out = Command::new("docker")
            .env("DOCKER_BUILDKIT", "0")
            .args(["-H", &self.host])
            .args(args)
            .output()
            .expect("run docker");
        assert!(
            out.status.success(),
            "docker {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Builds a scratch image with a static busybox and the given extra instructions.
    fn build(&mut self, name: &str, instructions: &str, build_args: &[String]) -> String {
        let tag = format!("{}-{name}:1.0", self.prefix);
        let dir = self.build_dir.path().join(name);
        std::fs::create_dir_all(&dir).expect("context dir");
        std::fs::copy(busybox(), dir.join("busybox")).expect("copy busybox");
        let dockerfile = format!("FROM scratch\nCOPY busybox /bin/busybox\n{instructions}\n");
        std::fs::write(dir.join("Dockerfile"), dockerfile).expect("write Dockerfile");
        let mut args = vec!["build", "--network", "none", "-q", "-t", &tag];
        for arg in build_args {
            args.extend(["--build-arg", arg]);
        }
        let context = dir.display().to_string();
        args.push(&context);
        self.docker(&args);
        self.images.push(tag.clone());
        tag
    }

    /// Creates (does not start) a container named `PREFIX-name`.
    fn create(&mut self, name: &str, flags: &[&str], image: &str) -> String {
        let full = format!("{}-{name}", self.prefix);
        let mut args = vec!["create", "--name", &full];
        args.extend_from_slice(flags);
        args.push(image);
        self.docker(&args);
        self.containers.push(full.clone());
        full
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        for container in &self.containers {
            let _ = Command::new("docker")
                .args(["-H", &self.host, "rm", "-f", container])
                .output();
        }
        for image in &self.images {
            let _ = Command::new("docker")
                .args(["-H", &self.host, "rmi", "-f", image])
                .output();
        }
    }
}

fn busybox() -> PathBuf {
    for candidate in ["/bin/busybox", "/usr/bin/busybox"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!("no static busybox: run scripts/setup-docker (it installs busybox-static)");
}

/// The check ids failing on each resource display that contains `name`.
fn failing(report: &Value, name: &str) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["resource"]["display"]
                .as_str()
                .is_some_and(|d| d.starts_with(&format!("container {name} (")))
        })
        .map(|f| f["check_id"].as_str().expect("id").to_string())
        .collect()
}

fn status_of<'r>(report: &'r Value, id: &str) -> &'r str {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["status"].as_str())
        .unwrap_or("missing")
}

#[test]
fn risky_and_hardened_containers_are_judged_and_no_secret_leaks() {
    let mut scope = Scope::new("judge");
    let env_secret = format!("s3cr{}", random_token(20));
    let arg_secret = format!("tok{}", random_token(20));
    let run_secret = format!("pw{}", random_token(20));

    let image = scope.build(
        "app",
        &format!(
            "ARG BUILD_TOKEN\nENV API_TOKEN={env_secret} MODE=prod\n\
             RUN [\"/bin/busybox\", \"true\"]\nUSER 10001\n\
             HEALTHCHECK CMD [\"/bin/busybox\", \"true\"]\nCMD [\"/bin/busybox\", \"sleep\", \"60\"]"
        ),
        &[format!("BUILD_TOKEN={arg_secret}")],
    );
    let password = format!("DB_PASSWORD={run_secret}");
    let risky = scope.create(
        "risky",
        &[
            "--privileged",
            "--cap-add",
            "SYS_ADMIN",
            "-v",
            "/var/run/docker.sock:/var/run/docker.sock",
            "--pid",
            "host",
            "--network",
            "host",
            "--user",
            "0",
            "--restart",
            "always",
            "-e",
            &password,
        ],
        &image,
    );
    let hardened = scope.create(
        "hardened",
        &[
            "--user",
            "10001:10001",
            "--read-only",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
            "--memory",
            "64m",
            "--cpus",
            "0.5",
            "--pids-limit",
            "64",
            "--network",
            "none",
        ],
        &image,
    );
    let exposed = scope.create(
        "exposed",
        &[
            "-p",
            "8080:80",
            "-p",
            "127.0.0.1:80:81",
            "--device",
            "/dev/zero",
        ],
        &image,
    );

    let sandbox = Sandbox::new();
    let bundle = sandbox.path().join("bundle.json");
    let markdown = sandbox.path().join("report.md");
    let sarif = sandbox.path().join("report.sarif");
    let host = scope.host.clone();
    let out = scan(
        &sandbox,
        &host,
        &[
            "--json",
            "--save-evidence",
            bundle.to_str().expect("utf-8"),
            "--report",
            markdown.to_str().expect("utf-8"),
            "--sarif",
            sarif.to_str().expect("utf-8"),
        ],
    );
    out.expect_no_panic().expect_code(0);
    let report: Value = serde_json::from_str(&out.stdout).expect("json report");
    assert_eq!(
        report["sources"][0]["status"]["state"], "connected",
        "{}",
        out.stdout
    );

    let risky_fails = failing(&report, &risky);
    for id in [
        "CTR-010", "CTR-011", "CTR-012", "CTR-013", "CTR-014", "CTR-016", "CTR-017", "CTR-019",
        "CTR-022", "CTR-023", "NET-007",
    ] {
        assert!(
            risky_fails.contains(id),
            "{risky} should fail {id}: {risky_fails:?}"
        );
    }
    let hardened_fails = failing(&report, &hardened);
    for id in [
        "CTR-010", "CTR-011", "CTR-012", "CTR-013", "CTR-014", "CTR-016", "CTR-017", "CTR-019",
        "CTR-021", "CTR-022", "CTR-023", "NET-007", "NET-008",
    ] {
        assert!(
            !hardened_fails.contains(id),
            "{hardened} should pass {id}: {hardened_fails:?}"
        );
    }
    let exposed_fails = failing(&report, &exposed);
    for id in ["NET-008", "CTR-021", "CTR-012", "CTR-019"] {
        assert!(
            exposed_fails.contains(id),
            "{exposed} should fail {id}: {exposed_fails:?}"
        );
    }
    // The image's `USER 10001` is what the exposed container runs as: not root; its
    // HEALTHCHECK is the health check every container of the image has.
    assert!(!exposed_fails.contains("CTR-011"), "{exposed_fails:?}");
    assert!(!hardened_fails.contains("MON-006"), "{hardened_fails:?}");

    // Findings name the container with its short id and image.
    let display = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["resource"]["display"].as_str())
        .find(|d| d.starts_with(&format!("container {risky} (")))
        .expect("a finding on the risky container");
    assert!(display.ends_with(&format!(", {image})")), "{display}");

    // The daemon: no user remapping, logs on the local driver, the bridge is off.
    assert_eq!(status_of(&report, "CTR-030"), "fail");
    assert_eq!(status_of(&report, "MON-007"), "fail");
    assert_eq!(status_of(&report, "NET-010"), "pass");
    assert_eq!(status_of(&report, "NET-009"), "pass");
    assert_eq!(status_of(&report, "CTR-032"), "pass");

    // No secret value anywhere: outputs, the bundle, the text summary.
    let text = sandbox.run(
        sandbox.path(),
        &[
            "--evidence",
            bundle.to_str().expect("utf-8"),
            "--format",
            "text",
        ],
    );
    let saved = std::fs::read_to_string(&bundle).expect("bundle");
    assert!(
        saved.contains("[redacted generic-secret"),
        "env values are redacted in place"
    );
    for output in [
        out.all(),
        text.all(),
        saved,
        std::fs::read_to_string(&markdown).expect("markdown"),
        std::fs::read_to_string(&sarif).expect("sarif"),
    ] {
        for secret in [&env_secret, &arg_secret, &run_secret] {
            if let Some(at) = output.find(secret.as_str()) {
                let from = at.saturating_sub(120);
                panic!("a secret value leaked: …{}", &output[from..at]);
            }
        }
    }
}

/// SEC-002's findings on the image tagged `tag`, as `(resource display, evidence)`.
fn image_secret_findings(report: &Value, tag: &str) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["check_id"] == "SEC-002")
        .filter(|f| {
            f["resource"]["display"]
                .as_str()
                .is_some_and(|d| d.starts_with(&format!("image {tag} (")))
        })
        .map(|f| {
            assert_eq!(f["source"], "docker", "{f}");
            let display = f["resource"]["display"].as_str().expect("display");
            let evidence = f["evidence"].as_str().unwrap_or_default();
            (display.to_string(), evidence.to_string())
        })
        .collect()
}

#[test]
fn build_arguments_and_env_secrets_in_built_images_fail_sec_002_without_leaking() {
    let mut scope = Scope::new("imgsec");
    let npm_token = format!("npm{}", random_token(24));
    let db_password = format!("pw{}", random_token(18));
    // The busybox applet link gives RUN a /bin/sh, so the step reads the argument as a real
    // build would; the legacy builder records it with its value in the history.
    let shell = "RUN [\"/bin/busybox\", \"ln\", \"-s\", \"/bin/busybox\", \"/bin/sh\"]";
    let leaky = scope.build(
        "leaky",
        &format!(
            "{shell}\nARG NPM_TOKEN\nENV DB_PASSWORD={db_password} MODE=prod\n\
             RUN test -n \"$NPM_TOKEN\" && echo fetched"
        ),
        &[format!("NPM_TOKEN={npm_token}")],
    );
    let clean = scope.build(
        "clean",
        &format!("{shell}\nARG VERSION\nENV MODE=prod\nRUN test -n \"$VERSION\""),
        &["VERSION=1.2.3".to_string()],
    );
    // Rebuilding a tag leaves the previous image untagged, secrets and all.
    let api_key = format!("key{}", random_token(20));
    let orphan_tag = scope.build("orphan", &format!("ENV API_KEY={api_key}"), &[]);
    let orphan = scope.docker(&["inspect", "-f", "{{.Id}}", &orphan_tag]);
    scope.images.push(orphan.clone());
    scope.build("orphan", "ENV MODE=prod", &[]);
    let orphan_short: String = orphan
        .trim_start_matches("sha256:")
        .chars()
        .take(12)
        .collect();

    let sandbox = Sandbox::new();
    let bundle = sandbox.path().join("bundle.json");
    let host = scope.host.clone();
    let out = scan(
        &sandbox,
        &host,
        &["--json", "--save-evidence", bundle.to_str().expect("utf-8")],
    );
    out.expect_no_panic().expect_code(0);
    let report: Value = serde_json::from_str(&out.stdout).expect("json report");
    assert_eq!(status_of(&report, "SEC-002"), "fail");

    let found = image_secret_findings(&report, &leaky);
    let displays: Vec<&str> = found.iter().map(|(d, _)| d.as_str()).collect();
    assert!(
        displays.iter().any(|d| d.ends_with(", ARG NPM_TOKEN")),
        "the build argument recorded in the history: {displays:?}"
    );
    assert!(
        displays.iter().any(|d| d.ends_with(", ENV DB_PASSWORD")),
        "the ENV in the image configuration: {displays:?}"
    );
    for (display, evidence) in &found {
        assert!(
            evidence.contains("[redacted generic-secret"),
            "{display}: {evidence}"
        );
    }
    let arg = found
        .iter()
        .find(|(d, _)| d.ends_with(", ARG NPM_TOKEN"))
        .expect("ARG finding");
    assert!(
        arg.1.starts_with("|1 NPM_TOKEN=[redacted") && arg.1.contains("/bin/sh -c test"),
        "the legacy builder's history line, redacted: {}",
        arg.1
    );
    assert!(
        image_secret_findings(&report, &clean).is_empty(),
        "{:?}",
        image_secret_findings(&report, &clean)
    );
    let untagged = image_secret_findings(&report, &orphan_short);
    assert_eq!(
        untagged.first().map(|(d, _)| d.as_str()),
        Some(format!("image {orphan_short} (untagged), ENV API_KEY").as_str()),
        "{untagged:?}"
    );
    assert!(image_secret_findings(&report, &orphan_tag).is_empty());

    let saved = std::fs::read_to_string(&bundle).expect("bundle");
    for output in [out.all(), saved] {
        for secret in [&npm_token, &db_password, &api_key] {
            if let Some(at) = output.find(secret.as_str()) {
                let from = at.saturating_sub(120);
                panic!("a secret value leaked: …{}", &output[from..at]);
            }
        }
    }
}

#[test]
fn the_saved_bundle_keeps_engine_json_and_replays_to_the_same_findings() {
    let mut scope = Scope::new("replay");
    let image = scope.build("plain", "CMD [\"/bin/busybox\", \"true\"]", &[]);
    let name = scope.create("plain", &[], &image);

    let sandbox = Sandbox::new();
    let bundle = sandbox.path().join("bundle.json");
    let host = scope.host.clone();
    let live = scan(
        &sandbox,
        &host,
        &["--json", "--save-evidence", bundle.to_str().expect("utf-8")],
    );
    live.expect_code(0);
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).expect("bundle")).expect("json");
    let docker = &saved["docker"];
    assert!(
        docker["api_version"]
            .as_str()
            .is_some_and(|v| v.starts_with("1."))
    );
    let inspect = docker["containers"]
        .as_array()
        .expect("containers")
        .iter()
        .find(|c| c["Name"] == format!("/{name}"))
        .expect("the container's inspect data");
    assert!(
        inspect["HostConfig"].is_object(),
        "Engine field names are kept"
    );
    assert!(docker["images"][0]["history"].is_array());

    let replay = sandbox.run(
        sandbox.path(),
        &["--evidence", bundle.to_str().expect("utf-8"), "--json"],
    );
    replay.expect_code(0);
    let a: Value = serde_json::from_str(&live.stdout).expect("live");
    let b: Value = serde_json::from_str(&replay.stdout).expect("replay");
    assert_eq!(failing(&a, &name), failing(&b, &name));
    assert!(
        failing(&a, &name).contains("CTR-011"),
        "an image without USER runs as root"
    );
    assert!(
        failing(&a, &name).contains("MON-006"),
        "an image without HEALTHCHECK gives its containers none"
    );
}

#[test]
fn a_missing_daemon_is_unavailable_and_exits_3_when_asked_for() {
    let sandbox = Sandbox::new();
    let socket = sandbox.path().join("absent.sock");
    let host = format!("unix://{}", socket.display());
    let out = scan(&sandbox, &host, &[]);
    out.expect_no_panic().expect_code(3);
    assert!(
        out.all()
            .contains(&format!("cannot reach the Docker daemon at {host}"))
    );
    assert!(out.all().contains("--docker-host"), "{}", out.all());
}

#[test]
fn a_daemon_that_went_away_leaves_a_dead_socket_and_rampart_survives() {
    let sandbox = Sandbox::new();
    let socket = sandbox.path().join("dead.sock");
    // A socket file whose listener has gone, as a crashed dockerd leaves behind.
    drop(std::os::unix::net::UnixListener::bind(&socket).expect("bind"));
    let host = format!("unix://{}", socket.display());
    let out = scan(&sandbox, &host, &["--json"]);
    out.expect_no_panic().expect_code(3);
    let report: Value = serde_json::from_str(&out.stdout).expect("json report");
    assert_eq!(report["sources"][0]["status"]["state"], "unavailable");
    assert_eq!(status_of(&report, "CTR-010"), "not-assessed");
}

#[test]
fn docker_host_comes_from_the_environment_when_no_flag_is_given() {
    let sandbox = Sandbox::new();
    let socket = sandbox.path().join("env.sock");
    let host = format!("unix://{}", socket.display());
    let mut command = sandbox.command(sandbox.path());
    command
        .env("DOCKER_HOST", &host)
        .args(["--sources", "docker"]);
    let out = harness::run_command(command, sandbox.path());
    out.expect_code(3);
    assert!(out.all().contains(&host), "{}", out.all());
}

#[test]
fn a_daemon_that_vanishes_after_answering_once_is_reported_not_fatal() {
    use std::io::{Read, Write};

    let sandbox = Sandbox::new();
    let socket = sandbox.path().join("vanishing.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
    // Answers the version negotiation like dockerd 20.10, then goes away for good.
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let mut request = Vec::new();
        let mut buffer = [0_u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buffer).expect("read");
            if n == 0 {
                break;
            }
            request.extend_from_slice(&buffer[..n]);
        }
        let body = r#"{"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12"}"#;
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Api-Version: 1.41\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(response.as_bytes()).expect("write");
    });

    let host = format!("unix://{}", socket.display());
    let out = scan(&sandbox, &host, &["--json"]);
    server.join().expect("server thread");
    out.expect_no_panic().expect_code(3);
    let report: Value = serde_json::from_str(&out.stdout).expect("json report");
    let status = &report["sources"][0]["status"];
    assert_eq!(status["state"], "unavailable", "{status}");
    assert!(
        status["reason"]
            .as_str()
            .is_some_and(|r| r.contains("stopped answering")),
        "{status}"
    );
}

#[test]
fn collection_reports_progress_per_step() {
    use rampart::sources::Progress;
    use rampart::sources::docker::{DockerOptions, collect};

    let host = daemon_host();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let options = DockerOptions {
        host: Some(host),
        ..DockerOptions::default()
    };
    let (evidence, record) = runtime.block_on(collect(&options, Some(&sender)));
    assert!(evidence.is_some(), "{record:?}");
    let mut steps = Vec::new();
    while let Ok(Progress::Step { message, .. }) = receiver.try_recv() {
        steps.push(message);
    }
    for expected in ["connected, API 1.", "listed ", "inspected ", "networks"] {
        assert!(
            steps.iter().any(|s| s.contains(expected)),
            "{expected}: {steps:?}"
        );
    }
}

/// A CA and the files a docker client and a TLS daemon need, written to `dir`: `ca.pem`,
/// `cert.pem` and `key.pem` for the client, `server-cert.pem` and `server-key.pem`.
fn write_tls_files(dir: &Path, ca_name: &str) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };

    std::fs::create_dir_all(dir).expect("cert dir");
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name.push(DnType::CommonName, ca_name);
    let ca_cert = ca.self_signed(&ca_key).expect("ca cert");
    let issuer = Issuer::new(ca, ca_key);

    let issue = |names: Vec<String>, usage: ExtendedKeyUsagePurpose, cert: &str, key: &str| {
        let pair = KeyPair::generate().expect("key");
        let mut params = CertificateParams::new(names).expect("params");
        params.extended_key_usages = vec![usage];
        params
            .distinguished_name
            .push(DnType::CommonName, "rampart test");
        let signed = params.signed_by(&pair, &issuer).expect("sign");
        std::fs::write(dir.join(cert), signed.pem()).expect("write cert");
        std::fs::write(dir.join(key), pair.serialize_pem()).expect("write key");
    };
    let local = vec!["127.0.0.1".to_string(), "localhost".to_string()];
    issue(
        local,
        ExtendedKeyUsagePurpose::ServerAuth,
        "server-cert.pem",
        "server-key.pem",
    );
    issue(
        Vec::new(),
        ExtendedKeyUsagePurpose::ClientAuth,
        "cert.pem",
        "key.pem",
    );
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).expect("write ca");
}

/// Another private dockerd, started by a test for itself: its own data root, exec root,
/// pid file and address, so a test may stop it, or make it listen on TLS, without
/// touching the daemon the other tests share. Stopped, with everything it stored, when
/// dropped.
struct OwnDaemon {
    dir: tempfile::TempDir,
    child: std::process::Child,
    /// `tcp://127.0.0.1:PORT` with TLS, else `unix://…/docker.sock`.
    host: String,
    tls: bool,
}

impl OwnDaemon {
    /// A daemon that listens only on TCP and requires TLS client certificates, as a remote
    /// daemon set up by the book does.
    fn tls() -> Self {
        Self::start(true)
    }

    /// A daemon on a Unix socket of its own.
    fn unix() -> Self {
        Self::start(false)
    }

    fn start(tls: bool) -> Self {
        let dir = tempfile::tempdir().expect("daemon dir");
        let path = |name: &str| dir.path().join(name).display().to_string();
        let mut command = Command::new("dockerd");
        command.args([
            "--iptables=false",
            "--ip6tables=false",
            "--bridge=none",
            "--storage-driver=vfs",
        ]);
        let host = if tls {
            let certs = dir.path().join("certs");
            write_tls_files(&certs, "rampart daemon CA");
            let cert = |name: &str| certs.join(name).display().to_string();
            command
                .arg("--tlsverify")
                .args(["--tlscacert", &cert("ca.pem")])
                .args(["--tlscert", &cert("server-cert.pem")])
                .args(["--tlskey", &cert("server-key.pem")]);
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("free port")
                .port();
            format!("tcp://127.0.0.1:{port}")
        } else {
            format!("unix://{}", path("docker.sock"))
        };
        let log = std::fs::File::create(dir.path().join("dockerd.log")).expect("log");
        let child = command
            .args(["-H", &host])
            .args(["--data-root", &path("data")])
            .args(["--exec-root", &path("exec")])
            .args(["--pidfile", &path("dockerd.pid")])
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start dockerd: run scripts/setup-docker, which installs docker.io");
        let mut daemon = OwnDaemon {
            dir,
            child,
            host,
            tls,
        };
        daemon.wait_until_it_answers();
        daemon
    }

    fn certs(&self) -> PathBuf {
        self.dir.path().join("certs")
    }

    /// The docker CLI, pointed at this daemon.
    fn cli(&self) -> Command {
        let mut command = Command::new("docker");
        if self.tls {
            command
                .env("DOCKER_TLS_VERIFY", "1")
                .env("DOCKER_CERT_PATH", self.certs());
        }
        command.args(["-H", &self.host]);
        command
    }

    fn answers(&self) -> bool {
        self.cli()
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn wait_until_it_answers(&mut self) {
        for _ in 0..120 {
            if self.answers() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                break_with_log(self.dir.path(), &format!("dockerd exited with {status}"));
            }
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        break_with_log(
            self.dir.path(),
            "the test's own dockerd did not answer within 30 s",
        );
    }

    /// Stops the daemon as an administrator or a crash would, and waits until it is gone.
    /// SIGTERM, so dockerd also stops the containerd it started.
    fn stop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .output();
        for _ in 0..120 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn break_with_log(dir: &Path, why: &str) -> ! {
    let log = std::fs::read_to_string(dir.join("dockerd.log")).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(15).collect();
    panic!(
        "{why}; the end of its log, newest first:\n{}",
        tail.join("\n")
    );
}

impl Drop for OwnDaemon {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs `rampart --sources docker --json` with the given environment.
/// Runs `rampart --sources docker --docker-host HOST ARGS…` in the sandbox.
fn scan(sandbox: &Sandbox, host: &str, args: &[&str]) -> harness::Outcome {
    let mut all = vec!["--sources", "docker", "--docker-host", host];
    all.extend_from_slice(args);
    sandbox.run(sandbox.path(), &all)
}

fn scan_with_env(sandbox: &Sandbox, env: &[(&str, &str)], args: &[&str]) -> harness::Outcome {
    let mut command = sandbox.command(sandbox.path());
    command.envs(env.iter().copied());
    command.args(["--sources", "docker", "--json"]).args(args);
    harness::run_command(command, sandbox.path())
}

fn source_status(out: &harness::Outcome) -> Value {
    let report: Value = serde_json::from_str(&out.stdout).expect("json report");
    report["sources"][0]["status"].clone()
}

#[test]
fn a_remote_daemon_is_read_over_verified_tls_as_the_docker_cli_reaches_it() {
    let daemon = OwnDaemon::tls();
    let host = daemon.host.clone();
    let port = host.rsplit(':').next().expect("port");
    let certs = daemon.certs();
    let certs = certs.to_str().expect("utf-8");
    let sandbox = Sandbox::new();
    let bundle = sandbox.path().join("bundle.json");
    let tls_env = [
        ("DOCKER_HOST", host.as_str()),
        ("DOCKER_TLS_VERIFY", "1"),
        ("DOCKER_CERT_PATH", certs),
    ];

    // DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, as the docker CLI reads them.
    let out = scan_with_env(
        &sandbox,
        &tls_env,
        &["--save-evidence", bundle.to_str().expect("utf-8")],
    );
    out.expect_no_panic().expect_code(0);
    assert_eq!(source_status(&out)["state"], "connected", "{}", out.stdout);
    let report: Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(
        status_of(&report, "NET-009"),
        "pass",
        "a TLS client is not a plain TCP one"
    );
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).expect("bundle")).expect("json");
    assert_eq!(saved["docker"]["tls"], true);
    assert_eq!(saved["docker"]["endpoint"], host.as_str());

    // --docker-host wins over DOCKER_HOST and keeps the TLS settings; the certificate
    // names localhost too.
    let by_name = format!("tcp://localhost:{port}");
    let out = scan_with_env(&sandbox, &tls_env, &["--docker-host", &by_name]);
    out.expect_no_panic().expect_code(0);
    assert_eq!(source_status(&out)["state"], "connected", "{}", out.stdout);

    // A CA that did not sign the daemon's certificate: refused, and the fix names ca.pem.
    let strangers = sandbox.path().join("other-ca");
    write_tls_files(&strangers, "some other CA");
    let out = scan_with_env(
        &sandbox,
        &[
            ("DOCKER_HOST", host.as_str()),
            ("DOCKER_TLS_VERIFY", "1"),
            ("DOCKER_CERT_PATH", strangers.to_str().expect("utf-8")),
        ],
        &[],
    );
    out.expect_no_panic().expect_code(3);
    let status = source_status(&out);
    assert_eq!(status["state"], "unavailable", "{status}");
    assert!(
        status["reason"]
            .as_str()
            .is_some_and(|r| r.contains(&host) && r.contains("certificate")),
        "{status}"
    );
    assert!(
        status["fix"].as_str().is_some_and(|f| f.contains("ca.pem")),
        "{status}"
    );

    // Plain HTTP to the TLS port: the daemon refuses, and the fix says to turn TLS on.
    let out = scan_with_env(&sandbox, &[("DOCKER_HOST", host.as_str())], &[]);
    out.expect_no_panic().expect_code(3);
    let status = source_status(&out);
    assert!(
        status["fix"]
            .as_str()
            .is_some_and(|f| f.contains("DOCKER_TLS_VERIFY")),
        "{status}"
    );
}

#[test]
fn missing_tls_files_are_named_with_the_fix() {
    let sandbox = Sandbox::new();
    let certs = sandbox.path().join("certs");
    std::fs::create_dir_all(&certs).expect("certs");
    // Nothing has to listen: the files are checked before any connection is made.
    let host = "tcp://127.0.0.1:9";
    let tls_env = [
        ("DOCKER_HOST", host),
        ("DOCKER_TLS_VERIFY", "1"),
        ("DOCKER_CERT_PATH", certs.to_str().expect("utf-8")),
    ];
    let out = scan_with_env(&sandbox, &tls_env, &[]);
    out.expect_no_panic().expect_code(3);
    let status = source_status(&out);
    let ca = certs.join("ca.pem").display().to_string();
    assert_eq!(status["state"], "unavailable", "{status}");
    assert!(
        status["reason"]
            .as_str()
            .is_some_and(|r| r.contains(&format!("`{ca}` is missing"))),
        "{status}"
    );
    assert!(
        status["fix"]
            .as_str()
            .is_some_and(|f| f.contains("DOCKER_CERT_PATH") && f.contains("ca.pem")),
        "{status}"
    );

    // With a CA but no client key: the key is named, not the daemon's refusal.
    write_tls_files(&certs, "rampart test CA");
    std::fs::remove_file(certs.join("key.pem")).expect("remove key");
    let out = scan_with_env(&sandbox, &tls_env, &[]);
    out.expect_code(3);
    let status = source_status(&out);
    assert!(
        status["reason"]
            .as_str()
            .is_some_and(|r| r.contains("client key") && r.contains("key.pem")),
        "{status}"
    );

    // A file that is not PEM is named as such.
    std::fs::write(certs.join("key.pem"), "not a key").expect("write");
    let out = scan_with_env(&sandbox, &tls_env, &[]);
    out.expect_code(3);
    assert!(
        source_status(&out)["reason"]
            .as_str()
            .is_some_and(|r| r.contains("holds no PEM private key")),
        "{}",
        out.stdout
    );

    // Without DOCKER_CERT_PATH the docker CLI's default, ~/.docker, is where they are looked for.
    let out = scan_with_env(
        &sandbox,
        &[("DOCKER_HOST", host), ("DOCKER_TLS_VERIFY", "1")],
        &[],
    );
    out.expect_code(3);
    assert!(
        source_status(&out)["reason"]
            .as_str()
            .is_some_and(|r| r.contains("/home/.docker/ca.pem")),
        "{}",
        out.stdout
    );
}

/// What a [`Relay`] does the first time a request it passes on contains its trigger:
/// something done to the real daemon, and whether the request is then forwarded (else the
/// connection is closed).
type Intervention = Box<dyn FnOnce() -> bool + Send>;

/// A byte relay on a Unix socket in front of a real daemon, which lets a test act on the
/// daemon at an exact point of Rampart's collection — after the list and before an
/// inspect — where a race would otherwise decide. Every answer still comes from dockerd.
struct Relay {
    socket: PathBuf,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Relay {
    fn start(dir: &Path, upstream: &str, trigger: String, intervention: Intervention) -> Self {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::{Arc, Mutex};

        let socket = dir.join("relay.sock");
        let upstream = PathBuf::from(upstream.strip_prefix("unix://").expect("unix host"));
        let listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind relay");
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let once = Arc::new(Mutex::new(Some(intervention)));
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).expect("blocking");
                        let (upstream, trigger, once) =
                            (upstream.clone(), trigger.clone(), once.clone());
                        std::thread::spawn(move || relay_one(client, &upstream, &trigger, &once));
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
        });
        Relay {
            socket,
            stop,
            thread: Some(thread),
        }
    }

    fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn relay_one(
    mut client: std::os::unix::net::UnixStream,
    upstream: &Path,
    trigger: &str,
    once: &std::sync::Mutex<Option<Intervention>>,
) {
    use std::io::{Read, Write};
    use std::net::Shutdown;

    let Ok(mut daemon) = std::os::unix::net::UnixStream::connect(upstream) else {
        return; // The daemon is gone: the client sees its connection closed.
    };
    let (mut back, mut to_client) = (
        daemon.try_clone().expect("clone"),
        client.try_clone().expect("clone"),
    );
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut back, &mut to_client);
        let _ = to_client.shutdown(Shutdown::Both);
    });
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        let n = match client.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buffer[..n];
        if String::from_utf8_lossy(chunk).contains(trigger) {
            let act = once.lock().expect("lock").take();
            if let Some(act) = act
                && !act()
            {
                let _ = client.shutdown(Shutdown::Both);
                break;
            }
        }
        if daemon.write_all(chunk).is_err() {
            break;
        }
    }
    let _ = daemon.shutdown(Shutdown::Both);
}

#[test]
fn a_container_removed_between_list_and_inspect_is_a_note_not_a_failure() {
    let mut scope = Scope::new("gone");
    let image = scope.build("gone", "CMD [\"/bin/busybox\", \"true\"]", &[]);
    let doomed = scope.create("doomed", &[], &image);
    let kept = scope.create("kept", &["--privileged"], &image);
    let id = scope.docker(&["inspect", "-f", "{{.Id}}", &doomed]);

    // The container is listed, then removed for real just before its inspect reaches the
    // daemon, which answers 404 as it would after a `docker rm` at that moment.
    let sandbox = Sandbox::new();
    let (host, victim) = (scope.host.clone(), doomed.clone());
    let relay = Relay::start(
        sandbox.path(),
        &scope.host,
        format!("/containers/{id}/json"),
        Box::new(move || {
            let removed = Command::new("docker")
                .args(["-H", &host, "rm", "-f", &victim])
                .output()
                .is_ok_and(|o| o.status.success());
            assert!(removed, "docker rm -f {victim}");
            true
        }),
    );
    let out = scan(&sandbox, &relay.host(), &["--json"]);
    out.expect_no_panic().expect_code(0);
    let report: Value = serde_json::from_str(&out.stdout).expect("json report");
    let source = &report["sources"][0];
    let short: String = id.chars().take(12).collect();
    assert_eq!(
        source["denied"][format!("container {short}")],
        "removed before it could be read",
        "{source}"
    );
    assert_eq!(source["status"]["state"], "partial", "{source}");
    assert!(
        failing(&report, &kept).contains("CTR-010"),
        "the other containers are still judged"
    );
    assert!(failing(&report, &doomed).is_empty());
}

#[test]
fn a_daemon_stopped_in_the_middle_of_a_scan_leaves_a_partial_report() {
    // The test's own daemon, since stopping the shared one would break the other tests.
    let daemon = std::sync::Arc::new(std::sync::Mutex::new(OwnDaemon::unix()));
    let host = daemon.lock().expect("lock").host.clone();
    let sandbox = Sandbox::new();
    let stopped = daemon.clone();
    let relay = Relay::start(
        sandbox.path(),
        &host,
        "/images/json".to_string(),
        Box::new(move || {
            // The daemon answered for its settings and containers; now it goes away.
            let mut daemon = stopped.lock().expect("lock");
            daemon.stop();
            assert!(!daemon.answers(), "the daemon is stopped");
            false
        }),
    );

    let out = scan(&sandbox, &relay.host(), &["--json"]);
    out.expect_no_panic().expect_code(0);
    let report: Value = serde_json::from_str(&out.stdout).expect("json report");
    let source = &report["sources"][0];
    assert_eq!(source["status"]["state"], "partial", "{source}");
    for what in ["images", "networks"] {
        assert!(source["denied"][what].is_string(), "{what}: {source}");
    }
    assert_eq!(
        status_of(&report, "CTR-030"),
        "fail",
        "what was read before the daemon stopped is still judged: {}",
        out.stdout
    );
}

#[test]
fn a_socket_the_user_may_not_open_names_the_docker_group() {
    use std::os::unix::fs::PermissionsExt as _;

    // The shared daemon's socket is root's and the docker group's (0660); CI runs as root,
    // who may open anything, so Rampart runs as `nobody` here.
    let host = daemon_host();
    let sandbox = Sandbox::new();
    for dir in [
        sandbox.path().to_path_buf(),
        sandbox.path().join("home"),
        sandbox.path().join("config"),
    ] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    }
    let nobody = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ];
    let mut command = sandbox.wrapped(sandbox.path(), &nobody);
    command.args(["--sources", "docker", "--docker-host", &host, "--json"]);
    let out = harness::run_command(command, sandbox.path());
    out.expect_no_panic().expect_code(3);
    let status = source_status(&out);
    assert!(
        status["reason"]
            .as_str()
            .is_some_and(|r| r.contains(&host) && r.contains("permission denied")),
        "{status}"
    );
    assert!(
        status["fix"]
            .as_str()
            .is_some_and(|f| f.contains("docker group")),
        "{status}"
    );
}

#[test]
fn an_enormous_environment_is_read_redacted_and_judged() {
    let mut scope = Scope::new("bigenv");
    let image = scope.build("bigenv", "CMD [\"/bin/busybox\", \"true\"]", &[]);
    let secret = format!("pw{}", random_token(20));
    let mut lines: Vec<String> = (0..20_000).map(|i| format!("VAR_{i}=value-{i}")).collect();
    lines.push(format!("DB_PASSWORD={secret}"));
    let env_file = scope.build_dir.path().join("big.env");
    std::fs::write(&env_file, lines.join("\n")).expect("env file");
    let name = scope.create(
        "big",
        &["--env-file", env_file.to_str().expect("utf-8")],
        &image,
    );

    let sandbox = Sandbox::new();
    let host = scope.host.clone();
    let out = scan(&sandbox, &host, &["--json"]);
    out.expect_no_panic().expect_code(0);
    assert!(!out.all().contains(&secret), "the password leaked");
    let report: Value = serde_json::from_str(&out.stdout).expect("json report");
    assert!(
        failing(&report, &name).contains("SEC-003"),
        "{}",
        out.stdout
    );
}
