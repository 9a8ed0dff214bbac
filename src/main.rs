//! The `casepanel` binary: parse the command line, run the verb, set the exit code.

use casepanel::cli::{Failure, Stop};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match casepanel::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match casepanel::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Stop::Failure(Failure(msg))) => {
            eprintln!("casepanel: {msg}");
            ExitCode::from(1)
        }
        Err(Stop::Usage(e)) => {
            let _ = e.print();
            ExitCode::from(2)
        }
    }
}
