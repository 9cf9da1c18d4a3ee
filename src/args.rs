//! Command-line arguments in two stages, as ripgrep does: [`RawArgs`] is what clap parses, flag
//! for flag; [`resolve`] turns it into [`Options`], the checked values each verb runs with.
//!
//! A usage error must still honour `--json` (one JSON object on stdout), so [`parse`] reports
//! whether `--json` was among the raw words even when clap refuses them.

use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use sightline_analytics::AnalysisType;
use sightline_engine::pipeline::agents::FollowUp;
use sightline_engine::settings::Author;
use sightline_engine::{AnalyzeRequest, AskRequest, DEFAULT_MAX_ROWS, EngineError, ErrorKind};
use sightline_sandbox::{Mode, SandboxError, parse_memory};

use crate::outcome::{Context, Shape};

/// The flags as clap sees them.
#[derive(Debug, Parser)]
#[command(
    name = "sightline",
    version,
    about = "Ask a local SQLite database questions in plain words; get SQL, data, analysis and a chart.",
    propagate_version = true
)]
pub struct RawArgs {
    #[command(subcommand)]
    pub command: RawCommand,
}

#[derive(Debug, Subcommand)]
pub enum RawCommand {
    /// Answer a question: SQL, data, analysis and chart.
    Ask(RawAsk),
    /// Run one analysis (forecast, correlation, anomaly, summary, trend) on the result of SQL.
    Analyze(RawAnalyze),
    /// Show tables, columns, types, keys, row counts and sample values.
    Schema(RawSchema),
    /// Run Python analytics code in the sandbox, or build the sandbox image.
    #[command(subcommand)]
    Sandbox(RawSandbox),
    /// Serve the local HTTP API.
    Serve(RawServe),
    /// Language-model profiles: list them, or test one against its endpoint.
    #[command(subcommand)]
    Llm(RawLlm),
}

#[derive(Debug, Subcommand)]
pub enum RawLlm {
    /// List the profiles (presets and the app's own) and whether Ollama runs on this machine.
    List {
        /// Print the list as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Check a profile: resolve its key, list its models, and ask for a one-word reply.
    Test {
        /// The profile name, such as groq, ollama or env.
        #[arg(value_name = "PROFILE")]
        profile: String,
        /// Print the outcome as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RawSandbox {
    /// Run Python analytics code in the sandbox; prints the sandbox result as JSON.
    Run(RawSandboxRun),
    /// Build the sandbox image (sightline-sandbox:py311).
    Image(RawSandboxImage),
}

#[derive(Debug, Args)]
pub struct RawSandboxRun {
    /// auto (Docker when available), docker or restricted.
    #[arg(long, value_name = "auto|docker|restricted", default_value = "auto")]
    pub mode: String,
    /// Wall-clock limit in seconds.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Memory limit, such as 512m or 1g.
    #[arg(long, value_name = "SIZE")]
    pub memory: Option<String>,
    /// A CSV file the code sees as /workspace/NAME.csv and as the DataFrame NAME.
    #[arg(long, value_name = "NAME=FILE")]
    pub data: Vec<String>,
    /// The Python file to run.
    #[arg(long = "code-file", value_name = "FILE", conflicts_with = "stdin")]
    pub code_file: Option<PathBuf>,
    /// `-` reads the code from standard input.
    #[arg(value_name = "-", required_unless_present = "code_file")]
    pub stdin: Option<String>,
    /// Accepted for symmetry with the other verbs: the result is always one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RawSandboxImage {
    /// Import this root filesystem (made by scripts/sandbox-rootfs) instead of building from
    /// the Dockerfile, for machines without a registry.
    #[arg(long = "offline-rootfs", value_name = "DIR")]
    pub offline_rootfs: Option<PathBuf>,
    /// Print the outcome as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Flags every answering verb shares.
#[derive(Debug, Args)]
pub struct RawOutput {
    /// Print the answer as one JSON object (errors included).
    #[arg(long)]
    pub json: bool,
    /// Also save the answer as a self-contained interactive HTML page.
    #[arg(long, value_name = "FILE.html")]
    pub chart: Option<PathBuf>,
    /// Report each stage on stderr as it finishes.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct RawAsk {
    /// The SQLite database: a file path or a sqlite:///path URL.
    #[arg(long, value_name = "PATH")]
    pub db: String,
    /// A glossary file (default: glossary.json beside the database, if present).
    #[arg(long, value_name = "FILE")]
    pub glossary: Option<PathBuf>,
    /// `offline` (the embedded planner, the default) or a language-model profile: a preset
    /// (groq, openai, ollama, lmstudio, openrouter, anthropic), `env`, or one saved by the app.
    #[arg(long, value_name = "offline|PROFILE")]
    pub llm: Option<String>,
    /// The question this one follows up, e.g. `--follow-up "Monthly revenue last year"` with
    /// the question "now only the West region".
    #[arg(long = "follow-up", value_name = "PREVIOUS")]
    pub follow_up: Option<String>,
    /// Rows to include in the answer (the analysis always uses all of them).
    #[arg(long, value_name = "N")]
    pub max_rows: Option<usize>,
    #[command(flatten)]
    pub output: RawOutput,
    /// The question, in plain words.
    #[arg(value_name = "QUESTION", required = true, num_args = 1..)]
    pub question: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RawAnalyze {
    /// forecast, correlation, anomaly, summary or trend.
    #[arg(value_name = "TYPE")]
    pub analysis: String,
    /// The SQLite database: a file path or a sqlite:///path URL.
    #[arg(long, value_name = "PATH")]
    pub db: String,
    /// A read-only SELECT whose result is analysed.
    #[arg(long, value_name = "SQL")]
    pub sql: String,
    /// The column to analyse.
    #[arg(long, value_name = "COL")]
    pub target: Option<String>,
    /// The date column of a time series.
    #[arg(long = "date-col", value_name = "COL")]
    pub date_column: Option<String>,
    /// Periods to forecast.
    #[arg(long, value_name = "N")]
    pub horizon: Option<usize>,
    /// The method to use (depends on TYPE).
    #[arg(long, value_name = "M")]
    pub method: Option<String>,
    /// Anomaly threshold in standard deviations.
    #[arg(long, value_name = "Z")]
    pub threshold: Option<f64>,
    /// Periods per seasonal cycle (forecast, seasonal anomalies), overriding the detected
    /// one; 1 means no seasonality.
    #[arg(long = "season-length", value_name = "N")]
    pub season_length: Option<usize>,
    /// A glossary file (default: glossary.json beside the database, if present).
    #[arg(long, value_name = "FILE")]
    pub glossary: Option<PathBuf>,
    /// Rows to include in the answer (the analysis always uses all of them).
    #[arg(long, value_name = "N")]
    pub max_rows: Option<usize>,
    #[command(flatten)]
    pub output: RawOutput,
}

#[derive(Debug, Args)]
pub struct RawSchema {
    /// The SQLite database: a file path or a sqlite:///path URL.
    #[arg(long, value_name = "PATH")]
    pub db: String,
    /// Print the schema as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RawServe {
    /// The address to listen on; keep the default unless you know why.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// The port to listen on; 0 picks a free one.
    #[arg(long, value_name = "PORT", default_value_t = 8765)]
    pub port: u16,
    /// Also serve the built web UI (`npm --prefix ui run build` makes `ui/dist`) at `/`.
    #[arg(long, value_name = "DIR")]
    pub ui: Option<PathBuf>,
}

/// What the verbs run with.
#[derive(Debug)]
pub enum Options {
    Ask(AskOptions),
    Analyze(AnalyzeOptions),
    Schema(SchemaOptions),
    SandboxRun(SandboxRunOptions),
    SandboxImage(SandboxImageOptions),
    Serve(ServeOptions),
    LlmList { json: bool },
    LlmTest { profile: String, json: bool },
}

/// Where the code of `sandbox run` comes from.
#[derive(Debug)]
pub enum CodeSource {
    File(PathBuf),
    Stdin,
}

#[derive(Debug)]
pub struct SandboxRunOptions {
    pub mode: Mode,
    pub timeout: Option<u64>,
    pub memory: Option<u64>,
    /// `(NAME, FILE)`.
    pub data: Vec<(String, PathBuf)>,
    pub code: CodeSource,
}

#[derive(Debug)]
pub struct SandboxImageOptions {
    pub offline_rootfs: Option<PathBuf>,
    pub json: bool,
}

/// How an answer is shown.
#[derive(Debug, Clone)]
pub struct Output {
    pub json: bool,
    pub chart: Option<PathBuf>,
    pub verbose: bool,
}

#[derive(Debug)]
pub struct AskOptions {
    pub request: AskRequest,
    /// The model profile named by `--llm`, resolved when the command runs.
    pub llm: Option<String>,
    pub output: Output,
}

#[derive(Debug)]
pub struct AnalyzeOptions {
    pub request: AnalyzeRequest,
    pub output: Output,
}

#[derive(Debug)]
pub struct SchemaOptions {
    pub database: String,
    pub json: bool,
}

#[derive(Debug)]
pub struct ServeOptions {
    pub bind: IpAddr,
    pub port: u16,
    /// A directory holding the built UI's `index.html` and assets.
    pub ui: Option<PathBuf>,
}

impl Options {
    /// Where and how a failure of this command is reported.
    pub fn context(&self) -> Context {
        match self {
            Options::Ask(o) => Context::answer(
                o.output.json,
                Some(o.request.question.clone()),
                o.request.database.clone(),
            ),
            Options::Analyze(o) => Context::answer(o.output.json, None, o.request.database.clone()),
            Options::Schema(o) => Context {
                json: o.json,
                shape: Shape::Bare,
            },
            Options::SandboxRun(_) => Context {
                json: true,
                shape: Shape::Sandbox,
            },
            Options::SandboxImage(o) => Context {
                json: o.json,
                shape: Shape::Bare,
            },
            Options::Serve(_) => Context {
                json: false,
                shape: Shape::Bare,
            },
            Options::LlmList { json } | Options::LlmTest { json, .. } => Context {
                json: *json,
                shape: Shape::Bare,
            },
        }
    }
}

/// Why the command line could not be used.
pub enum ArgsFailure {
    /// clap refused the words (or was asked for help or the version).
    Usage { error: clap::Error, json: bool },
    /// The words parsed but a value makes no sense.
    Invalid {
        context: Context,
        error: EngineError,
    },
}

/// Parses and resolves the command line.
pub fn parse(words: Vec<OsString>) -> Result<Options, ArgsFailure> {
    let json = wants_json(&words);
    let raw = RawArgs::try_parse_from(words).map_err(|error| ArgsFailure::Usage { error, json })?;
    resolve(raw)
}

/// True when `--json` appears before any `--` that ends the flags, or the verb is `sandbox run`
/// (whose only output is one JSON object).
fn wants_json(words: &[OsString]) -> bool {
    let flags = || words.iter().skip(1).take_while(|w| *w != "--");
    flags().any(|w| w == "--json")
        || (words.get(1).is_some_and(|w| w == "sandbox")
            && words.get(2).is_some_and(|w| w == "run"))
}

/// Stage two: checks values clap cannot, and builds the engine's requests.
pub fn resolve(raw: RawArgs) -> Result<Options, ArgsFailure> {
    match raw.command {
        RawCommand::Ask(a) => Ok(Options::Ask(AskOptions {
            request: AskRequest {
                question: a.question.join(" "),
                database: a.db,
                glossary: a.glossary,
                model: None,
                schema_only: true,
                follow_up: a.follow_up.map(|question| FollowUp {
                    question,
                    sql: None,
                }),
                chart_author: Author::Native,
                analyst: None,
                max_rows: a.max_rows.unwrap_or(DEFAULT_MAX_ROWS),
            },
            llm: a.llm,
            output: output(a.output),
        })),
        RawCommand::Analyze(a) => resolve_analyze(a),
        RawCommand::Schema(s) => Ok(Options::Schema(SchemaOptions {
            database: s.db,
            json: s.json,
        })),
        RawCommand::Sandbox(RawSandbox::Run(r)) => resolve_sandbox_run(r),
        RawCommand::Sandbox(RawSandbox::Image(i)) => {
            Ok(Options::SandboxImage(SandboxImageOptions {
                offline_rootfs: i.offline_rootfs,
                json: i.json,
            }))
        }
        RawCommand::Serve(s) => resolve_serve(s),
        RawCommand::Llm(RawLlm::List { json }) => Ok(Options::LlmList { json }),
        RawCommand::Llm(RawLlm::Test { profile, json }) => Ok(Options::LlmTest { profile, json }),
    }
}

fn resolve_serve(s: RawServe) -> Result<Options, ArgsFailure> {
    if let Some(dir) = s.ui.as_ref().filter(|d| !d.join("index.html").is_file()) {
        return Err(ArgsFailure::Invalid {
            context: Context {
                json: false,
                shape: Shape::Bare,
            },
            error: bad_input(format!(
                "--ui {} holds no index.html: build the UI first (`npm --prefix ui ci && npm --prefix ui run build`) and pass ui/dist.",
                dir.display()
            )),
        });
    }
    Ok(Options::Serve(ServeOptions {
        bind: s.bind,
        port: s.port,
        ui: s.ui,
    }))
}

fn resolve_analyze(a: RawAnalyze) -> Result<Options, ArgsFailure> {
    let context = Context::answer(a.output.json, None, a.db.clone());
    let invalid = |message: String| ArgsFailure::Invalid {
        context: context.clone(),
        error: bad_input(message),
    };
    let analysis: AnalysisType = a
        .analysis
        .trim()
        .to_ascii_lowercase()
        .parse()
        .map_err(|_| {
            invalid(format!(
                "Unknown analysis type '{}': use forecast, correlation, anomaly, summary or trend.",
                a.analysis
            ))
        })?;
    if a.horizon == Some(0) {
        return Err(invalid("--horizon must be at least 1 period.".to_string()));
    }
    if let Some(z) = a.threshold.filter(|z| !z.is_finite() || *z <= 0.0) {
        return Err(invalid(format!(
            "--threshold must be a positive number of standard deviations, not {z}."
        )));
    }
    if let Some(m) = a.season_length {
        if m == 0 {
            return Err(invalid(
                "--season-length must be at least 1 period (1 means no seasonality).".to_string(),
            ));
        }
        if !matches!(analysis, AnalysisType::Forecast | AnalysisType::Anomaly) {
            return Err(invalid(format!(
                "--season-length applies to forecast and anomaly, not {analysis}."
            )));
        }
    }
    Ok(Options::Analyze(AnalyzeOptions {
        request: AnalyzeRequest {
            analysis,
            database: a.db,
            sql: a.sql,
            target: a.target,
            date_column: a.date_column,
            horizon: a.horizon,
            method: a.method,
            threshold: a.threshold,
            season_length: a.season_length,
            glossary: a.glossary,
            max_rows: a.max_rows.unwrap_or(DEFAULT_MAX_ROWS),
        },
        output: output(a.output),
    }))
}

fn resolve_sandbox_run(r: RawSandboxRun) -> Result<Options, ArgsFailure> {
    let invalid = |message: String| ArgsFailure::Invalid {
        context: Context {
            json: true,
            shape: Shape::Sandbox,
        },
        error: bad_input(message),
    };
    let mode: Mode = r
        .mode
        .parse()
        .map_err(|e: SandboxError| invalid(e.to_string()))?;
    let memory = r
        .memory
        .as_deref()
        .map(parse_memory)
        .transpose()
        .map_err(|e| invalid(e.to_string()))?;
    let code = match (r.code_file, r.stdin.as_deref()) {
        (Some(file), None) => CodeSource::File(file),
        (None, Some("-")) => CodeSource::Stdin,
        (None, Some(other)) => {
            return Err(invalid(format!(
                "Unexpected argument '{other}': give the code with --code-file FILE, or `-` to read it from standard input."
            )));
        }
        _ => {
            return Err(invalid(
                "Give the code with --code-file FILE, or `-` to read it from standard input."
                    .to_string(),
            ));
        }
    };
    let mut data = Vec::new();
    for item in &r.data {
        let Some((name, file)) = item.split_once('=') else {
            return Err(invalid(format!(
                "--data takes NAME=FILE (for example sales=sales.csv), not '{item}'."
            )));
        };
        data.push((name.trim().to_string(), PathBuf::from(file)));
    }
    Ok(Options::SandboxRun(SandboxRunOptions {
        mode,
        timeout: r.timeout,
        memory,
        data,
        code,
    }))
}

fn output(raw: RawOutput) -> Output {
    Output {
        json: raw.json,
        chart: raw.chart,
        verbose: raw.verbose,
    }
}

fn bad_input(message: String) -> EngineError {
    EngineError::new(ErrorKind::BadInput, message).at_stage("args")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<OsString> {
        line.split(' ').map(OsString::from).collect()
    }

    #[test]
    fn json_is_seen_before_the_end_of_flags_only() {
        for (line, expected) in [
            ("sightline ask --json --db x q", true),
            ("sightline ask --db x q --json", true),
            ("sightline ask --db x -- --json", false),
            ("sightline ask --db x q", false),
        ] {
            assert_eq!(wants_json(&words(line)), expected, "for `{line}`");
        }
    }

    #[test]
    fn question_words_are_joined() {
        let parsed = parse(words("sightline ask --db x.db what correlates with churn"));
        let Ok(Options::Ask(ask)) = parsed else {
            unreachable!("a plain question must parse");
        };
        assert_eq!(ask.request.question, "what correlates with churn");
        assert_eq!(ask.request.max_rows, DEFAULT_MAX_ROWS);
    }

    #[test]
    fn sandbox_run_needs_code_and_always_reports_json() {
        assert!(wants_json(&words("sightline sandbox run --bogus")));
        let parsed = parse(words(
            "sightline sandbox run --data sales=a.csv --memory 1g -",
        ));
        let Ok(Options::SandboxRun(run)) = parsed else {
            unreachable!("a full sandbox run must parse");
        };
        assert_eq!(run.memory, Some(1 << 30));
        assert_eq!(
            run.data,
            vec![("sales".to_string(), PathBuf::from("a.csv"))]
        );
        assert!(matches!(run.code, CodeSource::Stdin));
        let parsed = parse(words("sightline sandbox run --data sales -"));
        let Err(ArgsFailure::Invalid { error, .. }) = parsed else {
            unreachable!("--data without = must be refused");
        };
        assert_eq!(error.kind, ErrorKind::BadInput);
    }

    #[test]
    fn zero_horizon_is_bad_input() {
        let parsed = parse(words(
            "sightline analyze forecast --db x --sql s --horizon 0 --json",
        ));
        let Err(ArgsFailure::Invalid { error, context }) = parsed else {
            unreachable!("horizon 0 must be refused");
        };
        assert_eq!(error.kind, ErrorKind::BadInput);
        assert!(context.json, "--json must be kept for the error report");
    }
}
