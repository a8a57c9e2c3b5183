//! The secrets checks, driven through the real files source on trees written at test time.
//!
//! Every credential-shaped string is generated here by concatenation and a deterministic
//! generator, so the repository itself holds none and does not trip secret scanners.

// Helpers of a test file panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

mod harness;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rampart::checks::Status;
use rampart::cli::Format;
use rampart::evidence::Evidence;
use rampart::report::{EvaluationSettings, Report};
use rampart::secrets::KNOWN_FORMATS;

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &str = "0123456789abcdef";
const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Deterministic random text: a different `seed` gives a different value.
fn random(alphabet: &str, len: usize, seed: u64) -> String {
    let chars: Vec<char> = alphabet.chars().collect();
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(17);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            chars[usize::try_from(state >> 33).unwrap() % chars.len()]
        })
        .collect()
}

/// One credential of a known format: the text to plant and the secret part of it that must
/// never appear in evidence or output.
struct Planted {
    kind: &'static str,
    text: String,
    secret: String,
}

fn planted(kind: &'static str, prefix: &str, secret: String, suffix: &str) -> Planted {
    Planted {
        kind,
        text: format!("{prefix}{secret}{suffix}"),
        secret,
    }
}

/// One credential of every known format.
fn every_format() -> Vec<Planted> {
    let body = format!("{}\n{}", random(B64, 64, 1), random(B64, 64, 2));
    let uuid = format!(
        "{}-{}-{}-{}-{}",
        random(HEX, 8, 40),
        random(HEX, 4, 41),
        random(HEX, 4, 42),
        random(HEX, 4, 43),
        random(HEX, 12, 44)
    );
    let dash5 = "-".repeat(5);
    vec![
        planted(
            "private-key",
            &format!("{dash5}BEGIN RSA PRIVATE KEY{dash5}\n"),
            body,
            &format!("\n{dash5}END RSA PRIVATE KEY{dash5}"),
        ),
        planted(
            "aws-access-key-id",
            "",
            format!("{}{}", "AK", "IA") + &random(UPPER, 16, 3),
            "",
        ),
        planted(
            "aws-secret-access-key",
            "aws_secret_access_key = ",
            random(B64, 40, 4),
            "",
        ),
        planted(
            "gcp-service-account-key",
            "\"private_key_id\": \"",
            random(HEX, 40, 5),
            "\"",
        ),
        planted(
            "google-api-key",
            "",
            format!("{}{}", "AI", "za") + &random(ALNUM, 35, 6),
            "",
        ),
        planted(
            "google-oauth-client-secret",
            "",
            format!("{}{}", "GOC", "SPX-") + &random(ALNUM, 28, 7),
            "",
        ),
        planted(
            "azure-storage-key",
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=",
            random(B64, 86, 8) + "==",
            ";EndpointSuffix=core.windows.net",
        ),
        planted(
            "github-token",
            "",
            format!("{}{}", "gh", "p_") + &random(ALNUM, 36, 9),
            "",
        ),
        planted(
            "github-fine-grained-token",
            "",
            format!("{}{}", "github", "_pat_") + &random(ALNUM, 82, 10),
            "",
        ),
        planted(
            "gitlab-token",
            "",
            format!("{}{}", "gl", "pat-") + &random(ALNUM, 20, 11),
            "",
        ),
        planted(
            "slack-webhook",
            &format!("{}{}", "https://hooks.slack", ".com/services/"),
            format!(
                "T{}/B{}/{}",
                random(UPPER, 8, 12),
                random(UPPER, 8, 13),
                random(ALNUM, 24, 14)
            ),
            "",
        ),
        planted(
            "slack-token",
            "",
            format!("{}{}", "xo", "xb-") + &random(HEX, 12, 15) + "-" + &random(ALNUM, 24, 16),
            "",
        ),
        planted(
            "stripe-secret-key",
            "",
            format!("{}{}", "sk_", "live_") + &random(ALNUM, 24, 17),
            "",
        ),
        planted(
            "jwt",
            "",
            format!(
                "{}{}.{}{}.{}",
                "ey",
                "J".to_string() + &random(ALNUM, 20, 18),
                "ey",
                "J".to_string() + &random(ALNUM, 30, 19),
                random(ALNUM, 30, 20)
            ),
            "",
        ),
        planted(
            "connection-string-password",
            "postgres://app:",
            random(ALNUM, 16, 21),
            "@db.internal:5432/app",
        ),
        planted(
            "npm-token",
            "",
            format!("{}{}", "np", "m_") + &random(ALNUM, 36, 22),
            "",
        ),
        planted(
            "pypi-token",
            "",
            format!("{}{}", "pypi-AgEI", "cHlwaS5vcmc") + &random(ALNUM, 60, 23),
            "",
        ),
        planted(
            "sendgrid-api-key",
            "",
            format!("{}{}{}", "S", "G.", random(ALNUM, 22, 24)) + "." + &random(ALNUM, 43, 25),
            "",
        ),
        planted(
            "twilio-api-key",
            "",
            format!("{}{}", "S", "K") + &random(HEX, 32, 26),
            "",
        ),
        planted("heroku-api-key", "HEROKU_API_KEY=", uuid, ""),
        planted(
            "digitalocean-token",
            "",
            format!("{}{}", "dop", "_v1_") + &random(HEX, 64, 27),
            "",
        ),
        planted(
            "openai-api-key",
            "",
            format!("{}{}", "sk-", "proj-")
                + &random(ALNUM, 24, 28)
                + "T3BlbkFJ"
                + &random(ALNUM, 24, 29),
            "",
        ),
        planted(
            "anthropic-api-key",
            "",
            format!("{}{}", "sk-ant-", "api03-") + &random(ALNUM, 90, 30),
            "",
        ),
    ]
}

/// A log writer that keeps everything written to it.
#[derive(Clone, Default)]
struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl CapturedLog {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLog {
    type Writer = CapturedLog;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn write(root: &Path, files: &[(&str, String)]) {
    for (path, text) in files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
}

fn collect(root: &Path) -> Evidence {
    harness::files_evidence(root)
}

/// The status of one check and its findings' messages, over a tree of `files`.
fn outcome(files: &[(&str, String)], id: &str) -> (Status, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    let evidence = collect(dir.path());
    let report = Report::evaluate(&evidence, &EvaluationSettings::default());
    let outcome = report.outcome(id).unwrap();
    let messages = outcome.findings.iter().map(|f| f.message.clone()).collect();
    (outcome.status, messages)
}

fn fails(files: &[(&str, String)], id: &str) -> Vec<String> {
    let (status, messages) = outcome(files, id);
    assert_eq!(status, Status::Fail, "{id} should fail: {messages:?}");
    messages
}

fn passes(files: &[(&str, String)], id: &str) {
    let (status, messages) = outcome(files, id);
    assert_eq!(status, Status::Pass, "{id} should pass: {messages:?}");
}

fn token() -> String {
    format!("{}{}", "gh", "p_") + &random(ALNUM, 36, 99)
}

fn generic() -> String {
    random(ALNUM, 28, 98)
}

const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n";

fn deployment(env: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: web@sha256:{}\n{env}",
        "0".repeat(64)
    )
}

#[test]
fn every_known_format_is_found_and_never_stored_or_shown() {
    let formats = every_format();
    let listed: BTreeSet<&str> = KNOWN_FORMATS.iter().map(|f| f.kind).collect();
    let planted_kinds: BTreeSet<&str> = formats.iter().map(|p| p.kind).collect();
    assert_eq!(listed, planted_kinds, "every format needs a planted sample");

    // Each in a file of its own, and all of them again inside a manifest, a Dockerfile
    // and a workflow, which are parsed and stored as structured evidence.
    let mut files: Vec<(String, String)> = formats
        .iter()
        .map(|p| {
            (
                format!("config/{}.env", p.kind),
                format!("VALUE={}\n", p.text),
            )
        })
        .collect();
    let joined: Vec<String> = formats
        .iter()
        .map(|p| p.text.replace('\n', "\\n"))
        .collect();
    files.push((
        "deploy/cm.yaml".into(),
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n{}",
            joined
                .iter()
                .enumerate()
                .map(|(i, t)| format!("  k{i}: \"{t}\"\n"))
                .collect::<String>()
        ),
    ));
    files.push((
        "Dockerfile".into(),
        format!(
            "FROM alpine:3.20\n{}",
            joined
                .iter()
                .map(|t| format!("RUN echo \"{t}\"\n"))
                .collect::<String>()
        ),
    ));
    files.push((
        ".github/workflows/ci.yml".into(),
        format!(
            "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n{}",
            joined
                .iter()
                .map(|t| format!("      - run: echo \"{t}\"\n"))
                .collect::<String>()
        ),
    ));
    let dir = tempfile::tempdir().unwrap();
    let borrowed: Vec<(&str, String)> =
        files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    write(dir.path(), &borrowed);

    // Collect and evaluate under a subscriber that records every log event, to prove logs
    // carry no value either.
    let log = CapturedLog::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(log.clone())
        .finish();
    let (evidence, report) = tracing::subscriber::with_default(subscriber, || {
        let evidence = collect(dir.path());
        let report = Report::evaluate(&evidence, &EvaluationSettings::default());
        (evidence, report)
    });
    let hits = &evidence.files.as_ref().unwrap().secrets;
    for p in &formats {
        let path = format!("config/{}.env", p.kind);
        assert!(
            hits.iter().any(|h| h.path == path && h.kind == p.kind),
            "{} not found: {:?}",
            p.kind,
            hits.iter().filter(|h| h.path == path).collect::<Vec<_>>()
        );
    }

    let mut texts = vec![
        ("evidence", serde_json::to_string(&evidence).unwrap()),
        ("log", log.text()),
    ];
    for format in [Format::Text, Format::Json, Format::Markdown, Format::Sarif] {
        texts.push(("output", rampart::output::render(&report, format).unwrap()));
    }
    for p in &formats {
        for line in p.secret.lines() {
            for (what, text) in &texts {
                assert!(!text.contains(line), "{} leaked into {what}", p.kind);
            }
        }
    }
    assert_eq!(report.outcome("SEC-001").unwrap().status, Status::Fail);
}

#[test]
fn placeholders_and_examples_are_not_findings() {
    let example_id = format!("{}{}", "AKIAIOSFODNN7", "EXAMPLE");
    let example_secret = format!("{}{}", "wJalrXUtnFEMI/K7MDENG/bPxRfiCY", "EXAMPLEKEY");
    let text = format!(
        "DB_PASSWORD=changeme\nAPI_KEY=<base64-encoded-key>\nTOKEN=${{TOKEN}}\nSECRET=$(cat /run/s)\n\
         password: \"{{{{ .Values.password }}}}\"\napi_token: xxxxxxxxxxxxxxxx\nsecret: \"****************\"\n\
         client_secret: your-client-secret-here\naws_access_key_id = {example_id}\n\
         aws_secret_access_key = {example_secret}\npassword = \"aaaaaaaaaaaaaaaa\"\n\
         valueFrom: secretKeyRef\n"
    );
    passes(&[("config/app.env", text)], "SEC-001");
}

#[test]
fn sec_001_committed_credentials() {
    let messages = fails(
        &[
            (".env", format!("GITHUB_TOKEN={}\n", token())),
            ("app/settings.py", format!("API_KEY = \"{}\"\n", generic())),
        ],
        "SEC-001",
    );
    assert!(messages.iter().any(|m| m.contains("github token")));
    assert!(messages.iter().any(|m| m.starts_with("generic:")));
    passes(
        &[
            (
                "app/settings.py",
                "API_KEY = os.environ[\"API_KEY\"]\n".into(),
            ),
            // Generic values in tests and docs are sample data, by rule.
            (
                "tests/fixtures/conf.py",
                format!("API_KEY = \"{}\"\n", generic()),
            ),
            ("docs/setup.md", format!("password: {}\n", generic())),
            (
                "Cargo.lock",
                format!("checksum = \"{}\"\n", random(HEX, 64, 3)),
            ),
        ],
        "SEC-001",
    );
}

#[test]
fn sec_001_reports_only_files_git_tracks() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("tracked.env", format!("GITHUB_TOKEN={}\n", token())),
            ("local.env", format!("GITHUB_TOKEN={}\n", token())),
        ],
    );
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    if !git(&["init", "-q"]).status.success() {
        return; // no git on this machine: the no-git rule is covered above
    }
    assert!(git(&["add", "tracked.env"]).status.success());
    let evidence = collect(dir.path());
    let report = Report::evaluate(&evidence, &EvaluationSettings::default());
    let outcome = report.outcome("SEC-001").unwrap();
    assert_eq!(outcome.failed, 1);
    assert_eq!(
        outcome.findings[0].location.as_ref().unwrap().path,
        "tracked.env"
    );
}

#[test]
fn sec_001_grades_known_formats_critical_and_generic_hits_high() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[("app/settings.py", format!("API_KEY = \"{}\"\n", generic()))],
    );
    let report = Report::evaluate(&collect(dir.path()), &EvaluationSettings::default());
    let outcome = report.outcome("SEC-001").unwrap();
    assert_eq!(outcome.findings.len(), 1);
    assert_eq!(outcome.findings[0].severity, rampart::model::Severity::High);
    // A generic hit alone loses a high check's points and does not cap the grade at D.
    let secrets = report.scores.area(rampart::model::Area::Secrets).unwrap();
    assert!(!secrets.capped, "{secrets:?}");

    write(
        dir.path(),
        &[(".env", format!("GITHUB_TOKEN={}\n", token()))],
    );
    let report = Report::evaluate(&collect(dir.path()), &EvaluationSettings::default());
    let severities: Vec<_> = report
        .outcome("SEC-001")
        .unwrap()
        .findings
        .iter()
        .map(|f| f.severity)
        .collect();
    assert!(
        severities.contains(&rampart::model::Severity::Critical),
        "{severities:?}"
    );
    assert!(
        report
            .scores
            .area(rampart::model::Area::Secrets)
            .unwrap()
            .capped
    );
}

#[test]
fn sec_002_dockerfile_env_and_arg() {
    let messages = fails(
        &[(
            "Dockerfile",
            format!(
                "FROM node:22\nARG NPM_TOKEN\nENV API_KEY={}\nRUN echo {}\n",
                generic(),
                token()
            ),
        )],
        "SEC-002",
    );
    assert_eq!(messages.len(), 3, "{messages:?}");
    passes(
        &[(
            "Dockerfile",
            "FROM node:22\nARG VERSION=1\nENV MODE=prod PASSWORD_FILE=/run/secrets/db\n\
             RUN --mount=type=secret,id=npm npm ci\n"
                .into(),
        )],
        "SEC-002",
    );
}

#[test]
fn sec_003_literal_env_in_pod_specs() {
    let env = format!(
        "          env:\n            - name: DB_PASSWORD\n              value: \"{}\"\n",
        generic()
    );
    fails(&[("k8s/web.yaml", deployment(&env))], "SEC-003");
    let env = "          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef: {name: db, key: password}\n            - name: MODE\n              value: prod\n";
    passes(&[("k8s/web.yaml", deployment(env))], "SEC-003");
}

#[test]
fn sec_004_configmap_secrets() {
    let cm = |data: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n{data}")
    };
    fails(
        &[(
            "k8s/cm.yaml",
            cm(&format!("  db_password: {}\n", generic())),
        )],
        "SEC-004",
    );
    fails(
        &[(
            "k8s/cm.yaml",
            cm(&format!(
                "  app.properties: |\n    mode=prod\n    db.password={}\n",
                generic()
            )),
        )],
        "SEC-004",
    );
    passes(
        &[(
            "k8s/cm.yaml",
            cm("  mode: prod\n  password_file: /run/secrets/db\n"),
        )],
        "SEC-004",
    );
}

#[test]
fn sec_005_secrets_as_environment_variables() {
    let env = "          envFrom:\n            - secretRef: {name: db}\n";
    fails(&[("k8s/web.yaml", deployment(env))], "SEC-005");
    let mounts = "          volumeMounts:\n            - {name: db, mountPath: /run/secrets/db, readOnly: true}\n";
    passes(&[("k8s/web.yaml", deployment(mounts))], "SEC-005");
}

#[test]
fn sec_006_external_secret_manager_where_a_cluster_is_described() {
    let (status, _) = outcome(&[("k8s/web.yaml", deployment(""))], "SEC-006");
    assert_eq!(status, Status::NotApplicable);
    fails(&[("cluster/ns.yaml", NAMESPACE.into())], "SEC-006");
    let es = "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: db\n";
    passes(
        &[
            ("cluster/ns.yaml", NAMESPACE.into()),
            ("cluster/es.yaml", es.into()),
        ],
        "SEC-006",
    );
    let release = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: eso\nspec:\n  chart:\n    spec:\n      chart: external-secrets\n";
    passes(
        &[
            ("cluster/ns.yaml", NAMESPACE.into()),
            ("cluster/eso.yaml", release.into()),
        ],
        "SEC-006",
    );
}

#[test]
fn sec_007_encryption_provider_order() {
    let config = |providers: &str| {
        format!(
            "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n{providers}"
        )
    };
    let (status, _) = outcome(&[("k8s/web.yaml", deployment(""))], "SEC-007");
    assert_eq!(status, Status::NotApplicable);
    let (status, _) = outcome(&[("cluster/ns.yaml", NAMESPACE.into())], "SEC-007");
    assert_eq!(status, Status::NotAssessed);
    let key = format!(
        "      - aescbc:\n          keys:\n            - name: k1\n              secret: {}\n",
        random(B64, 44, 7)
    );
    let messages = fails(
        &[(
            "cluster/enc.yaml",
            config(&format!("      - identity: {{}}\n{key}")),
        )],
        "SEC-007",
    );
    assert!(messages[0].contains("identity"));
    fails(&[("cluster/enc.yaml", config(&key))], "SEC-007");
    passes(
        &[(
            "cluster/enc.yaml",
            config(
                "      - kms:\n          apiVersion: v2\n          name: kms\n          endpoint: unix:///kms.sock\n      - identity: {}\n",
            ),
        )],
        "SEC-007",
    );
}

#[test]
fn sec_009_long_lived_service_account_tokens() {
    let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: bot\n";
    fails(
        &[(
            "k8s/sa.yaml",
            format!("{sa}secrets:\n  - name: bot-token\n"),
        )],
        "SEC-009",
    );
    let token = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: bot-token\n  annotations:\n    kubernetes.io/service-account.name: bot\ntype: kubernetes.io/service-account-token\n";
    fails(&[("k8s/token.yaml", token.into())], "SEC-009");
    passes(&[("k8s/sa.yaml", sa.into())], "SEC-009");
}

#[test]
fn sec_010_workflow_literals() {
    let workflow = |with: &str| {
        format!(
            "on: push\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772\n        with:\n          username: bot\n          password: {with}\n"
        )
    };
    let messages = fails(
        &[(".github/workflows/release.yml", workflow(&generic()))],
        "SEC-010",
    );
    assert!(messages[0].contains("jobs.publish.steps[0].with.password"));
    passes(
        &[(
            ".github/workflows/release.yml",
            workflow("${{ secrets.REGISTRY_TOKEN }}"),
        )],
        "SEC-010",
    );
}

#[test]
fn sec_011_plain_secret_manifests() {
    let secret = |body: &str| {
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\n{body}")
    };
    fails(
        &[(
            "k8s/secret.yaml",
            secret(&format!("stringData:\n  password: {}\n", generic())),
        )],
        "SEC-011",
    );
    fails(
        &[(
            "k8s/secret.yaml",
            secret("data:\n  password: aHVudGVyMg==\n"),
        )],
        "SEC-011",
    );
    passes(
        &[(
            "k8s/secret.yaml",
            secret("stringData:\n  password: \"${DB_PASSWORD}\"\n"),
        )],
        "SEC-011",
    );
    let sops = format!(
        "data:\n  password: ENC[AES256_GCM,data:{},iv:x,tag:y,type:str]\nsops:\n  mac: ENC[AES256_GCM,data:z]\n  version: 3.9.0\n",
        random(B64, 16, 8)
    );
    passes(&[("k8s/secret.yaml", secret(&sops))], "SEC-011");
}

#[test]
fn every_known_format_is_documented() {
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/secrets.md")).unwrap();
    for format in KNOWN_FORMATS.iter() {
        assert!(
            docs.contains(&format!("| `{}` |", format.kind)),
            "{} missing from docs/secrets.md",
            format.kind
        );
    }
}
