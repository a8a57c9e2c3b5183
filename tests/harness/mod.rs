//! Runs the real `rampart` binary in an isolated environment, and builds trees to scan.
//!
//! Every run clears the environment and points `HOME` and `XDG_CONFIG_HOME` at private
//! temporary folders, so neither the machine's configuration nor a parallel test can change
//! the result, and the test process's own environment is never modified.

#![allow(dead_code)]

use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The longest any one run may take; hostile input must not make Rampart hang.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub stdout_bytes: Vec<u8>,
    pub stderr_bytes: Vec<u8>,
    pub elapsed: Duration,
}

impl Outcome {
    /// Asserts the exit code, printing both streams when it differs.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts that nothing panicked.
    pub fn expect_no_panic(&self) -> &Self {
        assert!(
            !self.stderr.contains("panicked"),
            "rampart panicked:\n{}",
            self.stderr
        );
        self
    }

    /// Both streams, for searching.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// A private `HOME` and `XDG_CONFIG_HOME` for one or more runs.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    /// A fresh sandbox with empty HOME and config folders.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("create sandbox");
        std::fs::create_dir_all(dir.path().join("home")).expect("create home");
        std::fs::create_dir_all(dir.path().join("config")).expect("create config home");
        Sandbox { dir }
    }

    /// The sandbox folder itself, for scratch files.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A command for the binary with the isolated environment, run in `cwd`.
    pub fn command(&self, cwd: &Path) -> Command {
        self.wrapped(cwd, &[])
    }

    /// Like [`Sandbox::command`], with `prefix` (for example `setpriv …`) run first.
    pub fn wrapped(&self, cwd: &Path, prefix: &[&str]) -> Command {
        let binary = env!("CARGO_BIN_EXE_rampart");
        let mut command = match prefix.split_first() {
            Some((program, rest)) => {
                let mut c = Command::new(program);
                c.args(rest).arg(binary);
                c
            }
            None => Command::new(binary),
        };
        command
            .current_dir(cwd)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .stdin(Stdio::null());
        command
    }

    /// Runs `rampart ARGS` in `cwd`.
    pub fn run(&self, cwd: &Path, args: &[&str]) -> Outcome {
        let mut command = self.command(cwd);
        command.args(args);
        run_command(command, self.dir.path())
    }
}

/// Runs a prepared command with its output sent to files (so a large output cannot block
/// the child) and kills it when it outlives [`TIMEOUT`].
pub fn run_command(mut command: Command, scratch: &Path) -> Outcome {
    let unique = random_token(12);
    let out_path = scratch.join(format!("stdout-{unique}"));
    let err_path = scratch.join(format!("stderr-{unique}"));
    command
        .stdout(std::fs::File::create(&out_path).expect("create stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("create stderr file"));

    let started = Instant::now();
    let mut child = command.spawn().expect("spawn rampart");
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for rampart") {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("rampart did not finish within {TIMEOUT:?}: {command:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };

    let stdout_bytes = std::fs::read(&out_path).expect("read stdout");
    let stderr_bytes = std::fs::read(&err_path).expect("read stderr");
    Outcome {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout_bytes).into_owned(),
        stderr: String::from_utf8_lossy(&stderr_bytes).into_owned(),
        stdout_bytes,
        stderr_bytes,
        elapsed: started.elapsed(),
    }
}

/// A random alphanumeric string, made at run time so no credential-shaped value is ever
/// committed. `RandomState` is seeded from the operating system's randomness.
pub fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_usize(out.len());
        let mut bits = hasher.finish();
        for _ in 0..8 {
            if out.len() == len {
                break;
            }
            let index = usize::try_from(bits % 62).expect("below 62");
            out.push(char::from(ALPHABET[index]));
            bits /= 62;
        }
    }
    out
}

/// A directory tree to scan, built from `(relative path, contents)` pairs.
pub struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    /// A tree holding `files`.
    pub fn new(files: &[(&str, &str)]) -> Self {
        let tree = Tree {
            dir: tempfile::tempdir().expect("create tree"),
        };
        for (path, contents) in files {
            tree.write(path, contents.as_bytes());
        }
        tree
    }

    /// The root of the tree.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The root as a `&str` argument.
    pub fn arg(&self) -> &str {
        self.dir.path().to_str().expect("temporary paths are UTF-8")
    }

    /// Writes one file, creating its folders.
    pub fn write(&self, path: &str, contents: &[u8]) -> PathBuf {
        let full = self.dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("a file has a parent")).expect("mkdir");
        std::fs::write(&full, contents).expect("write fixture file");
        full
    }
}

/// A Dockerfile whose final stage runs as a named user: no findings.
pub const CLEAN_DOCKERFILE: &str = "FROM debian:12@sha256:\
0000000000000000000000000000000000000000000000000000000000000000\nUSER 10001\n\
HEALTHCHECK CMD [\"/app\", \"--health\"]\n";

/// A Deployment with one privileged container: a critical CTR-010 finding.
pub const PRIVILEGED_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0.0
          securityContext:
            privileged: true
";

/// A workflow that uses an action by tag: a high BLD-001 finding.
pub const UNPINNED_WORKFLOW: &str = "name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
";

/// A Dockerfile without USER: a high CTR-001 finding.
pub const ROOT_DOCKERFILE: &str = "FROM debian:12\nRUN true\n";

/// `tests/fixtures/<relative>` in the source tree.
pub fn fixture_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// What the real files source collects from `root`, on a clock fixed at the Unix epoch.
pub fn files_evidence(root: &Path) -> rampart::evidence::Evidence {
    let options = rampart::sources::files::FilesOptions::default();
    let (files, record) =
        rampart::sources::files::collect(root, &options).expect("the fixture is readable");
    let mut evidence = rampart::evidence::Evidence::new(time::OffsetDateTime::UNIX_EPOCH);
    evidence.files = Some(files);
    evidence.sources.push(record);
    evidence
}
