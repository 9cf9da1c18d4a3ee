//! How a command ends: its exit code (0 answered, 2 bad input, 1 an internal fault) and how a
//! failure is reported when no answer exists (one JSON object with `--json`, a line on stderr
//! otherwise).

use std::io::{self, Write};
use std::process::ExitCode;

use serde::Serialize;
use sightline_engine::{Answer, AnswerError, EngineError, ErrorKind};

/// The exit code of the contract for an error of `kind`.
pub fn exit_code(kind: ErrorKind) -> ExitCode {
    if kind.is_user_fault() {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

/// The exit code of an answer: 0 unless a stage failed.
pub fn answer_exit_code(answer: &Answer) -> ExitCode {
    answer.error_kind().map_or(ExitCode::SUCCESS, exit_code)
}

/// The shape a failure takes on stdout with `--json`.
#[derive(Debug, Clone)]
pub enum Shape {
    /// An answer-shaped object (`ask`, `analyze`, HTTP): empty fields and `error`.
    Answer {
        question: Option<String>,
        database: String,
    },
    /// `{"error": {...}}` (`schema`, usage errors).
    Bare,
    /// CONTRACT.md's sandbox result with `success: false` (`sandbox run`).
    Sandbox,
}

/// Where a command's failure goes.
#[derive(Debug, Clone)]
pub struct Context {
    pub json: bool,
    pub shape: Shape,
}

impl Context {
    pub fn answer(json: bool, question: Option<String>, database: String) -> Self {
        Context {
            json,
            shape: Shape::Answer { question, database },
        }
    }
}

/// The answer a shell reports when the engine could not even start: everything empty but `error`.
pub fn failed_answer(question: Option<String>, database: String, error: EngineError) -> Answer {
    let mut answer = Answer::new(question, database);
    answer.error = Some(AnswerError::from(error));
    answer
}

/// `{"error": {"stage", "kind", "message"}}`.
#[derive(Serialize)]
pub struct BareError {
    pub error: AnswerError,
}

/// Reports `error` as the command's only output and returns its exit code.
pub fn fail(context: &Context, error: EngineError) -> io::Result<ExitCode> {
    let code = exit_code(error.kind);
    if !context.json {
        eprintln!("error: {}", crate::render::clean(&error.message));
        return Ok(code);
    }
    match &context.shape {
        Shape::Answer { question, database } => {
            print_json(&failed_answer(question.clone(), database.clone(), error))?
        }
        Shape::Bare => print_json(&BareError {
            error: error.into(),
        })?,
        Shape::Sandbox => print_json(&sightline_sandbox::SandboxResult::failed(
            sightline_sandbox::SandboxError::BadInput(error.message),
            None,
            std::time::Instant::now(),
        ))?,
    }
    Ok(code)
}

/// Writes `value` to stdout as one pretty JSON object and a newline.
pub fn print_json<T: Serialize>(value: &T) -> io::Result<()> {
    // Buffered: stdout is line-buffered, and a pretty answer has a line per value.
    let mut stdout = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    serde_json::to_writer_pretty(&mut stdout, value)?;
    writeln!(stdout)?;
    stdout.flush()
}
