//! `sightline analyze`: one analysis on the result of given SQL, no language understanding.

use std::io;
use std::process::ExitCode;

use sightline_engine::{Engine, EngineConfig};

use crate::args::AnalyzeOptions;
use crate::outcome::{self, Context};
use crate::{cancel, show};

pub async fn run(options: AnalyzeOptions, context: &Context) -> io::Result<ExitCode> {
    if let Err(error) = show::check_chart(&options.output) {
        return outcome::fail(context, error);
    }
    let engine = Engine::new(EngineConfig::default());
    let sink = show::sink(&options.output);
    let result = engine
        .analyze(options.request, sink, cancel::on_ctrl_c())
        .await;
    show::result(result, context, &options.output)
}
