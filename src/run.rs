//! One invocation from validated arguments to an exit code.

use std::path::{Path, PathBuf};

use color_eyre::eyre::{Context as _, Result, eyre};
use time::OffsetDateTime;

use crate::checks::CATALOGUE;
use crate::cli::{Cli, Command, Format, ScanArgs};
use crate::config::{Config, ConfigPaths};
use crate::evidence::Evidence;
use crate::model::SourceKind;
use crate::output;
use crate::report::{EvaluationSettings, Report};
use crate::sources::files::{self, FilesOptions};

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
}

impl Environment {
    /// Reads the real process environment.
    pub fn from_process() -> Self {
        use std::io::IsTerminal;
        Environment {
            xdg_config_home: std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from),
            home: std::env::var_os("HOME").map(PathBuf::from),
            stdout_is_terminal: std::io::stdout().is_terminal(),
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

    let evidence = if args.demo {
        Evidence::from_json(DEMO_EVIDENCE).wrap_err("the bundled demo evidence is damaged")?
    } else if let Some(bundle) = &args.evidence {
        Evidence::load(bundle).map_err(|e| UsageError(format!("{e:#}")))?
    } else {
        collect(&root, args, &config)?
    };

    if let Some(path) = &args.save_evidence {
        std::fs::write(path, evidence.to_json()?).wrap_err_with(|| {
            format!("cannot write the evidence bundle to `{}`", path.display())
        })?;
    }

    let settings = EvaluationSettings {
        severity_overrides: config.severity.clone(),
        min_severity: args.min_severity.or(Some(config.min_severity)),
        warnings: config.warnings.clone(),
        required_labels: Some(config.required_labels.clone()),
    };
    let report = Report::evaluate(&evidence, &settings);
    write_outputs(&report, args)?;

    let requested = args.sources.as_deref().unwrap_or(&[]);
    let unreachable = report
        .sources
        .iter()
        .any(|s| requested.contains(&s.kind) && !s.status.is_usable());
    let fail_on = args.fail_on.or(config.fail_on);
    Ok(if unreachable {
        Exit::SourceUnreachable
    } else if fail_on.is_some_and(|t| report.has_findings_at(t)) {
        Exit::Findings
    } else {
        Exit::Clean
    })
}

/// Collects evidence from the sources the arguments and configuration ask for.
fn collect(root: &Path, args: &ScanArgs, config: &Config) -> Result<Evidence> {
    let sources = args
        .sources
        .clone()
        .unwrap_or_else(|| config.sources.clone());
    // Whole seconds: the clock is shown to people and compared between runs.
    let now = OffsetDateTime::now_utc();
    let mut evidence = Evidence::new(now.replace_nanosecond(0).unwrap_or(now));
    for source in &sources {
        match source {
            SourceKind::Files => {
                let options = FilesOptions {
                    max_file_size: config.max_file_size,
                };
                let (files, record) =
                    files::collect(root, &options).map_err(|e| UsageError(e.to_string()))?;
                evidence.files = Some(files);
                evidence.sources.push(record);
            }
            other => {
                return Err(eyre!(UsageError(format!(
                    "the `{other}` source is not available in this build yet; use --sources files"
                ))));
            }
        }
    }
    Ok(evidence)
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
