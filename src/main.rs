//! The `rampart` binary: parse arguments, install hooks, run, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;
use rampart::cli::{Cli, Command};
use rampart::run::{self, Environment, Exit};

fn main() -> ExitCode {
    // Clap prints its own usage errors and exits with 2, matching our usage code.
    let cli = Cli::parse();
    if let Err(report) = color_eyre::install() {
        rampart::output::error(&format!("{report:#}"));
    }
    // kube, octocrab and bollard can each enable a rustls crypto provider; with two
    // enabled, the first TLS connection panics unless one is installed up front.
    rampart::install_crypto_provider();
    let env = Environment::from_process();
    let log_file = cli.scan_args().log_file.as_deref();
    // `RUST_LOG` alone logs to standard error, which would write over the interface.
    let interactive = matches!(cli.command, None | Some(Command::Scan(_)))
        && run::opens_tui(cli.scan_args(), &env);
    let _log_guard = (log_file.is_some() || !interactive)
        .then(|| rampart::output::logging::init(log_file))
        .flatten();

    match run::run(&cli, &env) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(error) => {
            // Every error that reaches here is one the user can act on (a path, a file, a
            // configuration key); DESIGN.md gives them all the usage code.
            // Messages quote paths, ids and file contents; none may drive the terminal.
            rampart::output::error(&rampart::sanitize::clean(&format!("{error:#}")));
            ExitCode::from(Exit::Usage as u8)
        }
    }
}
