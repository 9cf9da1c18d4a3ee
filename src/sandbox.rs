//! `sightline sandbox run` and `sightline sandbox image`: adapters over `sightline_sandbox`.
//!
//! `run` reads the code and the `--data` files, hands one request to the sandbox and prints its
//! result (CONTRACT.md) as one JSON object; the exit code follows the failure's kind (2 for a
//! guard rejection, bad input, a timeout or a failed run, 1 for an internal fault).

use std::io::{self, Read};
use std::process::ExitCode;
use std::time::Duration;

use serde::Serialize;
use sightline_engine::{EngineError, ErrorKind};
use sightline_sandbox::{DockerSettings, SandboxRequest};

use crate::args::{CodeSource, SandboxImageOptions, SandboxRunOptions};
use crate::outcome::{self, Context};

fn bad_input(message: String) -> EngineError {
    EngineError::new(ErrorKind::BadInput, message).at_stage("args")
}

pub async fn run(options: SandboxRunOptions, context: &Context) -> io::Result<ExitCode> {
    let code = match &options.code {
        CodeSource::File(path) => std::fs::read_to_string(path).map_err(|e| {
            bad_input(format!(
                "Could not read the code file {}: {e}",
                path.display()
            ))
        }),
        CodeSource::Stdin => {
            let mut code = String::new();
            io::stdin()
                .read_to_string(&mut code)
                .map(|_| code)
                .map_err(|e| bad_input(format!("Could not read the code from standard input: {e}")))
        }
    };
    let code = match code {
        Ok(code) => code,
        Err(error) => return outcome::fail(context, error),
    };
    let mut request = SandboxRequest::new(code);
    request.mode = options.mode;
    if let Some(secs) = options.timeout {
        request.timeout = Duration::from_secs(secs);
    }
    if let Some(memory) = options.memory {
        request.memory = memory;
    }
    for (name, path) in &options.data {
        match std::fs::read_to_string(path) {
            Ok(csv) => request.data.push((name.clone(), csv)),
            Err(e) => {
                let error = bad_input(format!(
                    "Could not read the data file {} for '{name}': {e}",
                    path.display()
                ));
                return outcome::fail(context, error);
            }
        }
    }
    let result = sightline_sandbox::run(&request, &DockerSettings::default()).await;
    outcome::print_json(&result)?;
    Ok(result.failure.as_ref().map_or(ExitCode::SUCCESS, |f| {
        outcome::exit_code(ErrorKind::from(f.kind()))
    }))
}

#[derive(Serialize)]
struct ImageOutcome {
    image: String,
    image_id: String,
    seconds: f64,
    bytes_sent: u64,
    error: Option<sightline_engine::AnswerError>,
}

pub async fn image(options: SandboxImageOptions, context: &Context) -> io::Result<ExitCode> {
    let mut progress = |line: &str| eprintln!("{line}");
    let built = match &options.offline_rootfs {
        Some(dir) => sightline_sandbox::image::import_rootfs(dir, &mut progress).await,
        None => sightline_sandbox::image::build_from_dockerfile(&mut progress).await,
    };
    match built {
        Ok(report) => {
            if options.json {
                outcome::print_json(&ImageOutcome {
                    image: report.image,
                    image_id: report.image_id,
                    seconds: report.seconds,
                    bytes_sent: report.bytes_sent,
                    error: None,
                })?;
            } else {
                eprintln!(
                    "built {} ({}) in {:.1} s, {} MB sent",
                    report.image,
                    report.image_id,
                    report.seconds,
                    report.bytes_sent >> 20
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let error = EngineError::new(e.kind().into(), e.to_string()).at_stage("sandbox");
            outcome::fail(context, error)
        }
    }
}
