//! `sightline schema`: tables, columns, types, keys, row counts and sample values.

use std::io::{self, Write};
use std::process::ExitCode;

use sightline_engine::{Engine, EngineConfig};

use crate::args::SchemaOptions;
use crate::outcome::{self, Context};
use crate::render;

pub async fn run(options: SchemaOptions, context: &Context) -> io::Result<ExitCode> {
    let schema = match Engine::new(EngineConfig::default())
        .schema(&options.database)
        .await
    {
        Ok(schema) => schema,
        Err(error) => return outcome::fail(context, error),
    };
    if options.json {
        outcome::print_json(&schema)?;
    } else {
        let mut stdout = io::stdout().lock();
        stdout.write_all(render::schema(&schema).as_bytes())?;
        stdout.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}
