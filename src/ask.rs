//! `sightline ask`: one question through the whole pipeline.

use std::io;
use std::process::ExitCode;

use sightline_engine::{Engine, EngineConfig};

use crate::args::AskOptions;
use crate::outcome::{self, Context};
use crate::{cancel, llm, show};

pub async fn run(options: AskOptions, context: &Context) -> io::Result<ExitCode> {
    if let Err(error) = show::check_chart(&options.output) {
        return outcome::fail(context, error);
    }
    let mut request = options.request;
    if let Some(profile) = options.llm.as_deref()
        && let Err(error) = llm::use_profile(&mut request, profile, llm::cold_sandboxes)
    {
        return outcome::fail(context, error);
    }
    let engine = Engine::new(EngineConfig::default());
    let sink = show::sink(&options.output);
    let result = engine.ask(request, sink, cancel::on_ctrl_c()).await;
    show::result(result, context, &options.output)
}
