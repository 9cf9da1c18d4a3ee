//! The `sightline` command line: `ask`, `analyze`, `schema`, `sandbox`, `llm` and `serve`.
//!
//! Every verb is an adapter of a few lines over `sightline_engine`: arguments are parsed in two
//! stages ([`args`]), the engine does the work, and [`show`]/[`render`] print the answer. The CLI
//! owns stdout: with `--json` it holds exactly one JSON object, whatever happens; exit codes are
//! 0 answered, 2 bad input, 1 an internal fault.

mod analyze;
mod args;
mod ask;
mod cancel;
mod chart;
mod llm;
mod outcome;
mod render;
mod sandbox;
mod schema;
mod serve;
mod show;

use std::io;
use std::process::ExitCode;

use clap::error::ErrorKind as ClapErrorKind;
use sightline_engine::{EngineError, ErrorKind};

use crate::args::{ArgsFailure, Options};
use crate::outcome::{BareError, Context};

fn main() -> ExitCode {
    let options = match args::parse(std::env::args_os().collect()) {
        Ok(options) => options,
        Err(ArgsFailure::Usage { error, json }) => return usage(&error, json),
        Err(ArgsFailure::Invalid { context, error }) => {
            return finish(outcome::fail(&context, error).map_err(Into::into));
        }
    };
    let context = options.context();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let error = EngineError::new(
                ErrorKind::Internal,
                format!("Could not start the runtime: {e}"),
            );
            return finish(outcome::fail(&context, error).map_err(Into::into));
        }
    };
    finish(runtime.block_on(run(options, &context)))
}

async fn run(options: Options, context: &Context) -> anyhow::Result<ExitCode> {
    Ok(match options {
        Options::Ask(options) => ask::run(options, context).await?,
        Options::Analyze(options) => analyze::run(options, context).await?,
        Options::Schema(options) => schema::run(options, context).await?,
        Options::SandboxRun(options) => sandbox::run(options, context).await?,
        Options::SandboxImage(options) => sandbox::image(options, context).await?,
        Options::LlmList { json } => llm::list(json, context).await?,
        Options::LlmTest { profile, json } => llm::test(&profile, json, context).await?,
        Options::Serve(options) => {
            serve::run(options).await?;
            ExitCode::SUCCESS
        }
    })
}

/// A command line clap refused: its usual message, or one JSON error object with `--json`.
fn usage(error: &clap::Error, json: bool) -> ExitCode {
    let informational = matches!(
        error.kind(),
        ClapErrorKind::DisplayHelp | ClapErrorKind::DisplayVersion
    );
    if informational || !json {
        let _ = error.print();
        return if informational {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        };
    }
    let message = error.render().to_string();
    let message = message.trim().trim_start_matches("error: ");
    let error = EngineError::new(ErrorKind::BadInput, message).at_stage("args");
    finish(
        outcome::print_json(&BareError {
            error: error.into(),
        })
        .map(|()| ExitCode::from(2))
        .map_err(Into::into),
    )
}

/// The process's exit code; a closed stdout (`sightline … | head`) is not a failure.
fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e)
            if e.downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
