//! What `ask` and `analyze` do with the engine's result: save the chart when asked, then print the
//! answer (one JSON object with `--json`, human text otherwise) and pick the exit code.

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::Arc;

use sightline_engine::{Answer, AnswerError, EngineError, NullSink, StageSink, StderrSink};

use crate::args::Output;
use crate::outcome::{self, Context};
use crate::{chart, render};

/// Stage lines on stderr with `--verbose`, nothing otherwise.
pub fn sink(output: &Output) -> Arc<dyn StageSink> {
    if output.verbose {
        Arc::new(StderrSink)
    } else {
        Arc::new(NullSink)
    }
}

/// Fails early, before any work, when `--chart` was asked of a build without Plotly.js.
pub fn check_chart(output: &Output) -> Result<(), EngineError> {
    match output.chart {
        Some(_) => chart::plotly_js().map(|_| ()),
        None => Ok(()),
    }
}

/// Reports the engine's result and returns the exit code.
pub fn result(
    result: Result<Answer, EngineError>,
    context: &Context,
    output: &Output,
) -> io::Result<ExitCode> {
    match result {
        Ok(answer) => report(answer, output),
        Err(error) => outcome::fail(context, error),
    }
}

fn report(mut answer: Answer, output: &Output) -> io::Result<ExitCode> {
    let saved = match (&output.chart, &answer.error) {
        (Some(path), None) => match chart::save(&answer, path) {
            Ok(()) => Some(path.as_path()),
            Err(error) => {
                answer.error = Some(AnswerError::from(error));
                None
            }
        },
        _ => None,
    };
    if output.json {
        outcome::print_json(&answer)?;
    } else {
        let mut stdout = io::stdout().lock();
        stdout.write_all(render::answer(&answer, saved).as_bytes())?;
        stdout.flush()?;
        if let Some(error) = &answer.error {
            eprintln!("error: {}", render::clean(&error.message));
        }
    }
    Ok(outcome::answer_exit_code(&answer))
}
