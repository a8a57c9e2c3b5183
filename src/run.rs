//! One invocation from validated arguments to an exit code.

use std::path::{Path, PathBuf};

use color_eyre::eyre::{Context as _, Result, eyre};

use crate::checks::CATALOGUE;
use crate::cli::{Cli, Command, Format, ScanArgs};
use crate::config::{Config, ConfigPaths};
use crate::evidence::{Evidence, SourceStatus};
use crate::model::SourceKind;
use crate::output;
use crate::report::{EvaluationSettings, Report};
use crate::sources::files::FilesOptions;
use crate::sources::github::{GithubOptions, Token};
use crate::sources::kube::{KubeOptions, KubeconfigSource};
use crate::sources::{self, CollectRequest};

/// The bundled demonstration evidence, collected from `examples/sample-project`.
pub const DEMO_EVIDENCE: &str = include_str!("../demo/evidence.json");

/// How a run ended, mapped to the process exit code by `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done; nothing at or above `--fail-on`.
    Clean = 0,
    /// Findings at or above `--fail-on`.
    Findings = 1,
    /// Usage or configuration error.
    Usage = 2,
    /// An explicitly requested source could not be reached.
    SourceUnreachable = 3,
}

/// An error that should exit with the usage code (2) rather than a generic failure.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The environment a run reads, passed explicitly so tests need not change the process's.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub xdg_config_home: Option<PathBuf>,
    pub home: Option<PathBuf>,
    /// Whether standard output is a terminal.
    pub stdout_is_terminal: bool,
    /// `DOCKER_HOST`: the Docker daemon to read when `--docker-host` is not given.
    pub docker_host: Option<String>,
    /// `DOCKER_TLS_VERIFY` is set to anything but the empty string, which is how the
    /// docker CLI reads it too: reach a `tcp://` daemon over verified TLS.
    pub docker_tls_verify: bool,
    /// `DOCKER_CERT_PATH`, else `DOCKER_CONFIG`: where the TLS client files are.
    pub docker_cert_path: Option<PathBuf>,
    /// `GITHUB_TOKEN`, else `GH_TOKEN`. Never logged or printed.
    pub github_token: Option<Token>,
    /// `GITHUB_API_URL`, for GitHub Enterprise Server.
    pub github_api_url: Option<String>,
    /// Whether `gh auth token` may be asked when no token is set.
    pub use_gh_cli: bool,
    /// `KUBECONFIG`: kubeconfig files, separated as `PATH` is.
    pub kubeconfig: Option<std::ffi::OsString>,
    /// Whether Rampart runs in a Kubernetes pod (`KUBERNETES_SERVICE_HOST` is set).
    pub in_cluster: bool,
    /// Whether `NO_COLOR` asks for no colour in the terminal interface.
    pub no_color: bool,
}

impl Environment {
    /// Reads the real process environment.
    pub fn from_process() -> Self {
        use std::io::IsTerminal;
        Environment {
            xdg_config_home: std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from),
            home: std::env::var_os("HOME").map(PathBuf::from),
            stdout_is_terminal: std::io::stdout().is_terminal(),
            docker_host: std::env::var("DOCKER_HOST").ok(),
            docker_tls_verify: std::env::var_os("DOCKER_TLS_VERIFY").is_some_and(|v| !v.is_empty()),
            docker_cert_path: ["DOCKER_CERT_PATH", "DOCKER_CONFIG"]
                .iter()
                .find_map(|name| std::env::var_os(name).filter(|v| !v.is_empty()))
                .map(PathBuf::from),
            github_token: ["GITHUB_TOKEN", "GH_TOKEN"]
                .iter()
                .find_map(|name| std::env::var(name).ok().and_then(|t| Token::new(&t))),
            github_api_url: std::env::var("GITHUB_API_URL")
                .ok()
                .filter(|u| !u.trim().is_empty()),
            use_gh_cli: true,
            kubeconfig: std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()),
            in_cluster: std::env::var_os("KUBERNETES_SERVICE_HOST").is_some(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }
}

/// Runs the command line.
pub fn run(cli: &Cli, env: &Environment) -> Result<Exit> {
    match &cli.command {
        Some(Command::Checks { json }) => {
            output::emit(&output::catalogue::render(CATALOGUE, *json)?, None)?;
            Ok(Exit::Clean)
        }
        Some(Command::Explain { id }) => {
            let check = crate::checks::find(id).ok_or_else(|| {
                UsageError(format!(
                    "unknown check `{id}`: run `rampart checks` to list them"
                ))
            })?;
            output::emit(&output::catalogue::explain(check), None)?;
            Ok(Exit::Clean)
        }
        Some(Command::Completions { shell }) => {
            output::completions(*shell)?;
            Ok(Exit::Clean)
        }
        Some(Command::Scan(_)) | None => scan(cli.scan_args(), env),
    }
}

fn scan(args: &ScanArgs, env: &Environment) -> Result<Exit> {
    let root = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let config_root = (args.evidence.is_none() && !args.demo).then_some(root.as_path());
    let paths = ConfigPaths::discover(
        config_root,
        args.config.as_deref(),
        env.xdg_config_home.clone(),
        env.home.clone(),
    );
    let config = Config::load(&paths).map_err(|e| UsageError(e.to_string()))?;
    if opens_tui(args, env) {
        return interactive(&root, args, &config, env);
    }

    let evidence = if args.demo {
        Evidence::from_json(DEMO_EVIDENCE).wrap_err("the bundled demo evidence is damaged")?
    } else if let Some(bundle) = &args.evidence {
        Evidence::load(bundle).map_err(|e| UsageError(format!("{e:#}")))?
    } else {
        collect(&root, args, &config, env)?
    };

    if let Some(path) = &args.save_evidence {
        std::fs::write(path, evidence.to_json()?).wrap_err_with(|| {
            format!("cannot write the evidence bundle to `{}`", path.display())
        })?;
    }

    let settings = evaluation_settings(args, &config)?;
    let report = Report::evaluate(&evidence, &settings);
    write_outputs(&report, args)?;

    let requested = explicitly_requested(args, &config, env);
    let mut unreachable = false;
    for record in report
        .sources
        .iter()
        .filter(|s| requested.contains(&s.kind))
    {
        if let SourceStatus::Unavailable { reason, fix } = &record.status {
            unreachable = true;
            output::warning(&format!(
                "the `{}` source could not be read: {reason}; {fix}",
                record.kind
            ));
        }
    }
    let fail_on = args.fail_on.or(config.fail_on);
    let exit = if unreachable {
        Exit::SourceUnreachable
    } else if fail_on.is_some_and(|t| report.has_findings_at(t))
        || args
            .fail_on_new
            .is_some_and(|t| report.has_new_findings_at(t))
    {
        Exit::Findings
    } else {
        Exit::Clean
    };
    // The process ends next: freeing every parsed object one by one cost a sixth of the
    // time of a 900-file scan, and the operating system takes the memory back at once.
    std::mem::forget(report);
    std::mem::forget(evidence);
    Ok(exit)
}

fn evaluation_settings(args: &ScanArgs, config: &Config) -> Result<EvaluationSettings> {
    let baseline = args
        .baseline
        .as_deref()
        .map(crate::baseline::load)
        .transpose()
        .map_err(UsageError)?;
    Ok(EvaluationSettings {
        severity_overrides: config.severity.clone(),
        min_severity: args.min_severity.or(Some(config.min_severity)),
        warnings: config.warnings.clone(),
        required_labels: Some(config.required_labels.clone()),
        suppressions: config.suppressions.clone(),
        no_suppressions: args.no_suppressions,
        baseline,
        only_new: args.only_new,
    })
}

/// Whether this run opens the terminal interface: standard output is a terminal and no
/// output file was asked for. Without a terminal, `--demo` prints the plain summary.
pub fn opens_tui(args: &ScanArgs, env: &Environment) -> bool {
    env.stdout_is_terminal && !args.wants_file_output()
}

/// Runs the terminal interface: over a bundle at once, or over a background collection
/// whose first screen appears before any source has answered.
fn interactive(root: &Path, args: &ScanArgs, config: &Config, env: &Environment) -> Result<Exit> {
    let settings = evaluation_settings(args, config)?;
    let requested = args.theme.as_deref().or(config.theme.as_deref());
    let (theme, message) = crate::tui::theme::choose(requested, env.no_color);
    let bundle = if args.demo {
        Some(Evidence::from_json(DEMO_EVIDENCE).wrap_err("the bundled demo evidence is damaged")?)
    } else if let Some(path) = &args.evidence {
        Some(Evidence::load(path).map_err(|e| UsageError(format!("{e:#}")))?)
    } else {
        None
    };
    let (report, collect) = match bundle {
        Some(evidence) => (Report::evaluate(&evidence, &settings), None),
        None => {
            let empty = Evidence::new(time::OffsetDateTime::now_utc());
            let request = collect_request(root, args, config, env);
            (
                Report::evaluate(&empty, &settings),
                Some((request, settings)),
            )
        }
    };
    crate::tui::run(crate::tui::Launch {
        report,
        collect,
        theme,
        message,
        export_path: PathBuf::from("rampart-report.md"),
    })?;
    Ok(Exit::Clean)
}

/// Collects evidence from the sources the arguments and configuration ask for.
fn collect(root: &Path, args: &ScanArgs, config: &Config, env: &Environment) -> Result<Evidence> {
    let request = collect_request(root, args, config, env);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    runtime
        .block_on(sources::collect(&request, None))
        .map_err(|e| eyre!(UsageError(e.to_string())))
}

/// The sources to run: `--sources`, else every source in a terminal (where whatever is
/// reachable helps), else what configuration names (`files` by default), so that a
/// script's output does not change because a daemon happened to be running.
pub fn selected_sources(args: &ScanArgs, config: &Config, env: &Environment) -> Vec<SourceKind> {
    match &args.sources {
        Some(sources) => sources.clone(),
        None if env.stdout_is_terminal && !args.wants_file_output() => SourceKind::ALL.to_vec(),
        None => config.sources.clone(),
    }
}

/// Whether a source that could not be reached was asked for by name (flag or
/// configuration), which makes the run exit with code 3.
pub fn explicitly_requested(
    args: &ScanArgs,
    config: &Config,
    env: &Environment,
) -> Vec<SourceKind> {
    match &args.sources {
        Some(sources) => sources.clone(),
        None if env.stdout_is_terminal && !args.wants_file_output() => Vec::new(),
        None => config.sources.clone(),
    }
}

/// The collection request of a scan.
pub fn collect_request(
    root: &Path,
    args: &ScanArgs,
    config: &Config,
    env: &Environment,
) -> CollectRequest {
    let sources = selected_sources(args, config, env);
    CollectRequest {
        root: root.to_path_buf(),
        files: FilesOptions {
            max_file_size: config.max_file_size,
        },
        docker: sources::docker::DockerOptions {
            host: args.docker_host.clone().or_else(|| env.docker_host.clone()),
            tls_verify: env.docker_tls_verify,
            cert_path: env
                .docker_cert_path
                .clone()
                .or_else(|| env.home.as_ref().map(|h| h.join(".docker"))),
        },
        github: GithubOptions {
            repo: args.repo.clone(),
            root: root.to_path_buf(),
            token: env.github_token.clone(),
            use_gh_cli: env.use_gh_cli,
            api_url: env.github_api_url.clone(),
            files_scanned: sources.contains(&SourceKind::Files),
        },
        sources,
        kube: kube_options(args, config, env),
    }
}

/// How to reach the cluster: `--kubeconfig`, else `KUBECONFIG`, else `~/.kube/config`,
/// else the pod's own service account when Rampart runs in one. Namespaces, context and
/// platform grading come from the flags, else from the `[kube]` table of configuration.
fn kube_options(args: &ScanArgs, config: &Config, env: &Environment) -> KubeOptions {
    let default_path = env.home.as_ref().map(|h| h.join(".kube").join("config"));
    let kubeconfig = if let Some(path) = &args.kubeconfig {
        KubeconfigSource::Files(vec![path.clone()])
    } else if let Some(list) = &env.kubeconfig {
        KubeconfigSource::Files(std::env::split_paths(list).collect())
    } else if env.in_cluster && !default_path.as_ref().is_some_and(|p| p.exists()) {
        KubeconfigSource::InCluster
    } else {
        KubeconfigSource::Default(default_path)
    };
    KubeOptions {
        kubeconfig,
        context: args.context.clone().or_else(|| config.context.clone()),
        namespaces: if args.namespaces.is_empty() {
            config.namespaces.clone()
        } else {
            args.namespaces.clone()
        },
        include_secrets: args.include_secrets,
        include_platform: args.include_platform || config.include_platform,
        ..KubeOptions::default()
    }
}

fn write_outputs(report: &Report, args: &ScanArgs) -> Result<()> {
    let extras: Vec<(&Path, Format)> = [
        (&args.report, Format::Markdown),
        (&args.sarif, Format::Sarif),
    ]
    .into_iter()
    .filter_map(|(path, format)| path.as_deref().map(|p| (p, format)))
    .collect();
    let to_stdout = |p: &Path| p.as_os_str() == "-";
    let extra_on_stdout = extras.iter().filter(|(p, _)| to_stdout(p)).count();

    // `--report -` asks for the markdown on standard output; the summary then stays out of
    // the way unless a primary format was asked for too, which could not share the stream.
    let primary_explicit = args.json || args.format.is_some() || args.output.is_some();
    let primary_target = args.output.as_deref().filter(|p| !to_stdout(p));
    let primary_on_stdout = primary_target.is_none() && (primary_explicit || extra_on_stdout == 0);
    if extra_on_stdout + usize::from(primary_on_stdout) > 1 {
        return Err(eyre!(UsageError(
            "more than one output is sent to standard output (`-`): send all but one to a \
             file"
                .to_string()
        )));
    }

    if primary_explicit || extra_on_stdout == 0 {
        let text = output::render(report, args.effective_format())?;
        output::emit(&text, primary_target)?;
    }
    for (path, format) in extras {
        let rendered = output::render(report, format)?;
        output::emit(&rendered, (!to_stdout(path)).then_some(path))?;
    }
    Ok(())
}
