//! The command line: clap definitions, turned once into a validated run configuration.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::{Severity, SourceKind};

/// Audit the security posture of a software delivery system.
#[derive(Debug, Parser)]
#[command(
    name = "rampart",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub scan: ScanArgs,
}

/// What to do.
// Parsed once per run, so the size of the `Scan` variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a directory and the reachable sources (the default).
    Scan(ScanArgs),
    /// List every check of the catalogue.
    Checks {
        /// Print the catalogue as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Explain one check: why it matters and how to fix it.
    Explain {
        /// A check id such as CTR-010.
        id: String,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
    Sarif,
}

/// Options of a scan.
#[derive(Debug, Clone, Default, Args)]
pub struct ScanArgs {
    /// The directory (or single file) to scan.
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,

    /// Output format; `text` is a plain summary.
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write the output to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Shorthand for `--format json`.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Also write a markdown report to FILE (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Also write SARIF 2.1.0 to FILE (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,

    /// Sources to collect from, comma-separated: files, kube, docker, github.
    #[arg(long, value_delimiter = ',', value_parser = parse_source)]
    pub sources: Option<Vec<SourceKind>>,

    /// Exit with 1 when a finding at or above this severity exists.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,

    /// Show only findings at or above this severity (grading is unaffected).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub min_severity: Option<Severity>,

    /// Compare with a previous `--json` report: every finding is new, unchanged or fixed.
    #[arg(long, value_name = "FILE", help_heading = "Baselines and suppressions")]
    pub baseline: Option<PathBuf>,

    /// Exit with 1 when a finding new since `--baseline` is at or above this severity.
    #[arg(
        long,
        value_name = "SEVERITY",
        value_parser = parse_severity,
        requires = "baseline",
        help_heading = "Baselines and suppressions"
    )]
    pub fail_on_new: Option<Severity>,

    /// List only findings new since `--baseline` in text and markdown output.
    #[arg(
        long,
        requires = "baseline",
        help_heading = "Baselines and suppressions"
    )]
    pub only_new: bool,

    /// Ignore every suppression (configuration, annotations and comments): show everything.
    #[arg(long, help_heading = "Baselines and suppressions")]
    pub no_suppressions: bool,

    /// Save the collected evidence to FILE, to re-evaluate it elsewhere.
    #[arg(long, value_name = "FILE")]
    pub save_evidence: Option<PathBuf>,

    /// Evaluate a saved evidence bundle instead of collecting.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["path", "sources", "demo"])]
    pub evidence: Option<PathBuf>,

    /// Evaluate the bundled demonstration evidence; needs nothing connected.
    #[arg(long)]
    pub demo: bool,

    /// Read configuration from FILE instead of `rampart.toml` in the scanned directory.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Kubeconfig file to use instead of KUBECONFIG or ~/.kube/config.
    #[arg(long, value_name = "FILE", help_heading = "Kubernetes")]
    pub kubeconfig: Option<PathBuf>,

    /// Kubeconfig context to use instead of the current one.
    #[arg(long, value_name = "NAME", help_heading = "Kubernetes")]
    pub context: Option<String>,

    /// Namespace to audit (repeatable); all namespaces when absent.
    #[arg(
        short = 'n',
        long = "namespace",
        value_name = "NAME",
        help_heading = "Kubernetes"
    )]
    pub namespaces: Vec<String>,

    /// Grade platform namespaces (kube-system and friends) with the team's workloads.
    #[arg(long, help_heading = "Kubernetes")]
    pub include_platform: bool,

    /// List Secrets (metadata only, never their data); needs `list secrets`.
    #[arg(long, help_heading = "Kubernetes")]
    pub include_secrets: bool,

    /// Docker daemon to audit, e.g. unix:///var/run/docker.sock or tcp://host:2376
    /// (default: DOCKER_HOST). TLS as the docker CLI: DOCKER_TLS_VERIFY, DOCKER_CERT_PATH.
    #[arg(long, value_name = "URL", help_heading = "Docker")]
    pub docker_host: Option<String>,

    /// GitHub repository as owner/name (default: the scanned path's `origin` remote).
    #[arg(long, value_name = "OWNER/NAME", help_heading = "GitHub")]
    pub repo: Option<String>,

    /// Theme of the terminal interface: default, light, high-contrast, or a TOML file.
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,

    /// Write a log to FILE (the level comes from `RUST_LOG`, default `info`).
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
}

fn parse_severity(value: &str) -> Result<Severity, String> {
    value.parse()
}

fn parse_source(value: &str) -> Result<SourceKind, String> {
    value.parse()
}

impl Cli {
    /// The scan options, whether given at top level or after `scan`.
    pub fn scan_args(&self) -> &ScanArgs {
        match &self.command {
            Some(Command::Scan(args)) => args,
            _ => &self.scan,
        }
    }
}

impl ScanArgs {
    /// Whether an output was asked for by flag, which means no interactive interface.
    pub fn wants_file_output(&self) -> bool {
        self.json
            || self.format.is_some()
            || self.output.is_some()
            || self.report.is_some()
            || self.sarif.is_some()
            || self.save_evidence.is_some()
    }

    /// The primary output format.
    pub fn effective_format(&self) -> Format {
        if self.json {
            Format::Json
        } else {
            self.format.unwrap_or(Format::Text)
        }
    }
}
