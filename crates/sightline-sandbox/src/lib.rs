//! Runs untrusted Python analytics code (SECURITY.md S1–S4, S10): the static guard, the hardened
//! Docker runner, the image builder, and the types of CONTRACT.md's sandbox result.
//!
//! One call in, one result back: [`run`] checks the request, runs the guard ([`guard`]), picks a
//! sandbox for the requested [`Mode`] and returns a [`SandboxResult`] whatever happens; a failure
//! is data (`success: false`, `error`) with a [`SandboxError`] kept beside it for the exit code.
//! The crate knows nothing of Tauri, HTTP, the command line or polars.

pub mod docker;
pub mod error;
pub mod guard;
pub mod image;
pub mod pool;
pub mod protocol;
pub mod restricted;

use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::docker::{DockerSandbox, DockerSettings};
pub use crate::error::{SandboxError, SandboxErrorKind};
pub use crate::pool::{PoolSettings, WarmPool};
pub use crate::restricted::RestrictedSandbox;

/// Which sandbox to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Docker when the engine answers and the image exists; otherwise a clear error.
    Auto,
    Docker,
    Restricted,
}

impl FromStr for Mode {
    type Err = SandboxError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Mode::Auto),
            "docker" => Ok(Mode::Docker),
            "restricted" => Ok(Mode::Restricted),
            other => Err(SandboxError::BadInput(format!(
                "Unknown sandbox mode '{other}': use auto, docker or restricted."
            ))),
        }
    }
}

/// The sandbox that actually ran the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModeUsed {
    Docker,
    Restricted,
}

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const MAX_TIMEOUT: Duration = Duration::from_secs(600);
pub const DEFAULT_MEMORY: u64 = 512 << 20;
pub const MIN_MEMORY: u64 = 128 << 20;
pub const MAX_MEMORY: u64 = 16 << 30;
/// All `--data` files together.
pub const MAX_DATA_BYTES: usize = 100 << 20;
/// Caps on what comes back (S2); going over is reported, never silent.
pub const OUTPUT_CAP: usize = 64 << 10;
pub const RESULT_CAP: usize = 4 << 20;
pub const FIGURE_CAP: usize = 8 << 20;

/// What a caller asks for: CONTRACT.md's `POST /sandbox/run` body and `sandbox run` flags.
#[derive(Debug, Clone)]
pub struct SandboxRequest {
    pub code: String,
    /// `(name, csv text)`: the code sees `/workspace/NAME.csv` and a DataFrame `NAME`.
    pub data: Vec<(String, String)>,
    pub mode: Mode,
    pub timeout: Duration,
    /// Bytes.
    pub memory: u64,
}

impl SandboxRequest {
    /// A request with the contract's defaults: auto mode, 30 s, 512 MB, no data.
    pub fn new(code: impl Into<String>) -> Self {
        SandboxRequest {
            code: code.into(),
            data: Vec::new(),
            mode: Mode::Auto,
            timeout: DEFAULT_TIMEOUT,
            memory: DEFAULT_MEMORY,
        }
    }
}

/// CONTRACT.md's sandbox result, field for field.
#[derive(Debug, Clone, Serialize)]
pub struct SandboxResult {
    pub success: bool,
    pub result: Value,
    pub output: String,
    pub error: Option<String>,
    pub visualization: Value,
    /// Null when nothing ran (the guard or the request was refused first).
    pub mode_used: Option<ModeUsed>,
    pub duration_ms: f64,
    /// Why `success` is false, for exit codes and error kinds; not part of the JSON.
    #[serde(skip)]
    pub failure: Option<SandboxError>,
}

impl SandboxResult {
    /// A failed result carrying `error` (its message becomes `error`).
    pub fn failed(error: SandboxError, mode_used: Option<ModeUsed>, started: Instant) -> Self {
        SandboxResult {
            success: false,
            result: Value::Null,
            output: String::new(),
            error: Some(error.to_string()),
            visualization: Value::Null,
            mode_used,
            duration_ms: elapsed_ms(started),
            failure: Some(error),
        }
    }
}

pub(crate) fn elapsed_ms(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1000.0 * 10.0).round() / 10.0
}

/// The limits a job runs under.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    pub memory: u64,
}

/// A request that passed the checks: only [`Job::checked`] (or the test-only bypass) makes one,
/// so no sandbox can be handed code the guard has not seen.
#[derive(Debug, Clone)]
pub struct Job {
    code: String,
    data: Vec<(String, String)>,
    limits: Limits,
}

impl Job {
    /// Validates the request and runs the static guard.
    pub fn checked(request: &SandboxRequest) -> Result<Job, SandboxError> {
        let job = Job::validated(request)?;
        guard::check(&job.code).map_err(SandboxError::Rejected)?;
        Ok(job)
    }

    /// Skips the static guard, so tests can prove the sandbox holds on its own. Compiled only
    /// with the `test-support` feature, which nothing but this crate's tests enables; the CLI and
    /// the engine cannot reach it.
    #[cfg(feature = "test-support")]
    pub fn without_guard_for_tests(request: &SandboxRequest) -> Result<Job, SandboxError> {
        Job::validated(request)
    }

    fn validated(request: &SandboxRequest) -> Result<Job, SandboxError> {
        if request.timeout.is_zero() || request.timeout > MAX_TIMEOUT {
            return Err(SandboxError::BadInput(format!(
                "The timeout must be between 1 and {} seconds.",
                MAX_TIMEOUT.as_secs()
            )));
        }
        if !(MIN_MEMORY..=MAX_MEMORY).contains(&request.memory) {
            return Err(SandboxError::BadInput(format!(
                "The memory limit must be between {} and {}.",
                error::human_bytes(MIN_MEMORY),
                error::human_bytes(MAX_MEMORY)
            )));
        }
        let mut total = 0;
        for (i, (name, csv)) in request.data.iter().enumerate() {
            check_data_name(name)?;
            if request.data[..i].iter().any(|(other, _)| other == name) {
                return Err(SandboxError::BadInput(format!(
                    "The data name '{name}' is given twice."
                )));
            }
            total += csv.len();
        }
        if total > MAX_DATA_BYTES {
            return Err(SandboxError::BadInput(format!(
                "The data is {} in total, more than the {} the sandbox accepts; filter or aggregate it first.",
                error::human_bytes(total as u64),
                error::human_bytes(MAX_DATA_BYTES as u64)
            )));
        }
        Ok(Job {
            code: request.code.clone(),
            data: request.data.clone(),
            limits: Limits {
                timeout: request.timeout,
                memory: request.memory,
            },
        })
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn data_bytes(&self) -> usize {
        self.data.iter().map(|(_, csv)| csv.len()).sum()
    }

    /// The runner's job message, with a nonce that marks the real reply.
    pub(crate) fn message<'a>(
        &'a self,
        nonce: &'a str,
        workspace: &'a str,
    ) -> protocol::JobMessage<'a> {
        protocol::JobMessage {
            nonce,
            code: &self.code,
            data: self
                .data
                .iter()
                .map(|(name, csv)| protocol::JobData { name, csv })
                .collect(),
            workspace,
            output_cap: OUTPUT_CAP,
            result_cap: RESULT_CAP,
            figure_cap: FIGURE_CAP,
        }
    }
}

/// Names the code sees as DataFrames: Python identifiers that shadow nothing we inject.
fn check_data_name(name: &str) -> Result<(), SandboxError> {
    const RESERVED: &[&str] = &[
        "pd", "np", "result", "fig", "print", "len", "range", "sum", "min", "max", "abs", "round",
        "list", "dict", "set", "str", "int", "float", "bool", "type", "object",
    ];
    const KEYWORDS: &[&str] = &[
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
        "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
        "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return",
        "try", "while", "with", "yield", "match", "case",
    ];
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !first_ok || !rest_ok || name.len() > 64 {
        return Err(SandboxError::BadInput(format!(
            "The data name '{name}' cannot be used: use letters, digits and _ (starting with a letter, at most 64), such as sales or orders_2025."
        )));
    }
    if RESERVED.contains(&name) || KEYWORDS.contains(&name) {
        return Err(SandboxError::BadInput(format!(
            "The data name '{name}' is reserved; pick another, such as {name}_data."
        )));
    }
    Ok(())
}

/// `512m`, `1g`, `1.5g`, `268435456` → bytes.
pub fn parse_memory(text: &str) -> Result<u64, SandboxError> {
    let t = text.trim().to_ascii_lowercase();
    let t = t.strip_suffix('b').unwrap_or(&t);
    let (number, unit) = match t.chars().last() {
        Some('k') => (&t[..t.len() - 1], 1u64 << 10),
        Some('m') => (&t[..t.len() - 1], 1 << 20),
        Some('g') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    let bad = || {
        SandboxError::BadInput(format!(
            "'{text}' is not a memory size: write it like 512m or 1g."
        ))
    };
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    if !value.is_finite() || value <= 0.0 {
        return Err(bad());
    }
    Ok((value * unit as f64) as u64)
}

/// A place code can run: the narrow boundary the engine and the shells see.
pub trait Sandbox: Send + Sync {
    fn mode(&self) -> ModeUsed;
    /// Runs one checked job. `Err` means the sandbox itself failed before or around the run
    /// (unavailable, internal); the code's own failures come back as a failed [`SandboxResult`].
    fn run<'a>(&'a self, job: &'a Job) -> RunFuture<'a>;
}

/// What [`Sandbox::run`] returns: the run, boxed so the trait stays object-safe.
pub type RunFuture<'a> =
    Pin<Box<dyn Future<Output = Result<SandboxResult, SandboxError>> + Send + 'a>>;

/// Builds the result from the runner's reply (the same in every mode).
pub(crate) fn result_from_reply(
    reply: protocol::Reply,
    stray: (String, u64),
    mode: ModeUsed,
    limits: Limits,
    started: Instant,
) -> SandboxResult {
    let mut output = reply.output;
    let (stray_text, stray_dropped) = stray;
    if !stray_text.trim().is_empty() {
        output.push_str(&stray_text);
    }
    let dropped = reply.output_dropped + stray_dropped;
    if dropped > 0 {
        output.push_str(&format!(
            "\n[output truncated: {dropped} more characters were not kept]"
        ));
    }
    let failure = if reply.ok {
        None
    } else {
        Some(match reply.error_kind.as_deref() {
            Some("memory") => SandboxError::MemoryExceeded {
                limit: limits.memory,
            },
            Some("data") | Some("code") | Some("result") => {
                SandboxError::CodeFailed(reply.error.clone().unwrap_or_default())
            }
            _ => SandboxError::Internal(
                reply
                    .error
                    .clone()
                    .unwrap_or_else(|| "The sandbox runner failed without saying why.".into()),
            ),
        })
    };
    SandboxResult {
        success: reply.ok,
        result: reply.result,
        output,
        error: failure.as_ref().map(|f| f.to_string()),
        visualization: reply.visualization,
        mode_used: Some(mode),
        duration_ms: elapsed_ms(started),
        failure,
    }
}

/// Everything a one-shot caller needs (`sightline sandbox run`): check, pick the sandbox, run in
/// a fresh container (or the restricted sandbox), and always return a result.
pub async fn run(request: &SandboxRequest, settings: &DockerSettings) -> SandboxResult {
    let started = Instant::now();
    let job = match Job::checked(request) {
        Ok(job) => job,
        Err(e) => return SandboxResult::failed(e, None, started),
    };
    let docker = match request.mode {
        Mode::Restricted => None,
        Mode::Auto | Mode::Docker => Some(DockerSandbox::connect(settings.clone()).await),
    };
    match (request.mode, docker) {
        (_, Some(Ok(docker))) => finish(docker.run(&job).await, ModeUsed::Docker, started),
        (Mode::Docker, Some(Err(e))) => SandboxResult::failed(e, None, started),
        (_, docker) => run_restricted(&job, docker.and_then(Result::err), started).await,
    }
}

/// Restricted mode, asked for or fallen back to from `auto` (then the output says why, first).
async fn run_restricted(
    job: &Job,
    docker_error: Option<SandboxError>,
    started: Instant,
) -> SandboxResult {
    let restricted = match RestrictedSandbox::detect().await {
        Ok(restricted) => restricted,
        Err(e) => {
            let e = match docker_error {
                Some(docker) => SandboxError::Unavailable(format!("{docker} {e}")),
                None => e,
            };
            return SandboxResult::failed(e, None, started);
        }
    };
    let mut result = finish(restricted.run(job).await, ModeUsed::Restricted, started);
    if let Some(docker) = docker_error {
        result.output = format!(
            "[sightline] Ran in the restricted mode (weaker isolation than Docker) because Docker is not available: {docker}\n{}",
            result.output
        );
    }
    result
}

fn finish(
    outcome: Result<SandboxResult, SandboxError>,
    mode: ModeUsed,
    started: Instant,
) -> SandboxResult {
    match outcome {
        Ok(mut result) => {
            result.duration_ms = elapsed_ms(started);
            result
        }
        Err(e) => SandboxResult::failed(e, Some(mode), started),
    }
}

/// What the app's sandbox panel shows: which sandboxes can run here, and what to do if none can.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SandboxStatus {
    /// A Docker engine answers.
    pub docker: bool,
    /// The sandbox image exists and matches this build's runner.
    pub image: bool,
    /// The restricted mode can run (bubblewrap and a host Python with pandas).
    pub restricted: bool,
    /// One sentence for the user: what works, or what is missing and how to get it.
    pub message: String,
}

/// Looks at the Docker engine, the image and the restricted mode; never fails, never hangs longer
/// than the engine's connect timeout.
pub async fn status(settings: &DockerSettings) -> SandboxStatus {
    let engine = docker::connect_engine(settings.host.as_deref(), Duration::from_secs(5)).await;
    let docker = engine.is_ok();
    let image = match engine {
        Ok(_) => DockerSandbox::connect(settings.clone()).await,
        Err(e) => Err(e),
    };
    let restricted = RestrictedSandbox::detect().await;
    let message = match (&image, &restricted) {
        (Ok(_), _) => format!("Docker is ready with the image {}.", settings.image),
        (Err(docker), Ok(_)) => format!("{docker} The restricted mode can run instead."),
        (Err(docker), Err(restricted)) => format!("{docker} {restricted}"),
    };
    SandboxStatus {
        docker,
        image: image.is_ok(),
        restricted: restricted.is_ok(),
        message,
    }
}

/// The long-lived sandboxes of a server or the app: one warm pool, made at the first job (and
/// made again after the engine was unreachable), so clients see the pool's latency.
#[derive(Debug)]
pub struct Sandboxes {
    docker: DockerSettings,
    pool_settings: PoolSettings,
    pool: tokio::sync::Mutex<Option<WarmPool>>,
}

impl Sandboxes {
    pub fn new(docker: DockerSettings, pool_settings: PoolSettings) -> Self {
        Sandboxes {
            docker,
            pool_settings,
            pool: tokio::sync::Mutex::new(None),
        }
    }

    async fn pool(&self) -> Result<WarmPool, SandboxError> {
        let mut pool = self.pool.lock().await;
        if let Some(pool) = pool.as_ref() {
            return Ok(pool.clone());
        }
        let sandbox = DockerSandbox::connect(self.docker.clone()).await?;
        let made = WarmPool::new(sandbox, self.pool_settings);
        *pool = Some(made.clone());
        Ok(made)
    }

    /// Runs one request through the warm pool (or the restricted sandbox); always a result.
    pub async fn run(&self, request: &SandboxRequest) -> SandboxResult {
        let started = Instant::now();
        let job = match Job::checked(request) {
            Ok(job) => job,
            Err(e) => return SandboxResult::failed(e, None, started),
        };
        let pool = match request.mode {
            Mode::Restricted => return run_restricted(&job, None, started).await,
            Mode::Auto | Mode::Docker => self.pool().await,
        };
        let pool = match (request.mode, pool) {
            (_, Ok(pool)) => pool,
            (Mode::Docker, Err(e)) => return SandboxResult::failed(e, None, started),
            (_, Err(e)) => return run_restricted(&job, Some(e), started).await,
        };
        let outcome = pool.run_job(&job).await;
        if matches!(&outcome, Err(SandboxError::Unavailable(_))) {
            // The engine went away: connect afresh next time, and leave the spares (which the
            // engine cannot remove now) to be removed at that connect.
            if let Some(pool) = self.pool.lock().await.take() {
                pool.abandon_spares().await;
            }
        }
        finish(outcome, ModeUsed::Docker, started)
    }

    /// Removes the warm spares (at shutdown).
    pub async fn shutdown(&self) {
        if let Some(pool) = self.pool.lock().await.take() {
            pool.drain().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_sizes() {
        for (text, bytes) in [
            ("512m", 512u64 << 20),
            ("512M", 512 << 20),
            ("1g", 1 << 30),
            ("1.5g", 3 << 29),
            ("2048k", 2 << 20),
            ("512mb", 512 << 20),
            ("1000", 1000),
        ] {
            assert_eq!(parse_memory(text).unwrap(), bytes, "for {text}");
        }
        for bad in ["", "m", "-1g", "lots", "nang"] {
            assert!(parse_memory(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn data_names() {
        for ok in ["sales", "orders_2025", "T"] {
            assert!(check_data_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "_x",
            "__builtins__",
            "2x",
            "a-b",
            "pd",
            "result",
            "class",
            "a b",
            "ü",
        ] {
            assert!(check_data_name(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn guard_runs_before_anything() {
        let request = SandboxRequest::new("import os\nresult = os.listdir('/')");
        let err = Job::checked(&request).unwrap_err();
        assert_eq!(err.kind(), SandboxErrorKind::BadInput);
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn result_serializes_as_the_contract() {
        let result = SandboxResult {
            success: true,
            result: serde_json::json!({"mean_y": 5.0}),
            output: String::new(),
            error: None,
            visualization: Value::Null,
            mode_used: Some(ModeUsed::Docker),
            duration_ms: 41.0,
            failure: None,
        };
        assert_eq!(
            serde_json::to_string(&result).unwrap(),
            r#"{"success":true,"result":{"mean_y":5.0},"output":"","error":null,"visualization":null,"mode_used":"docker","duration_ms":41.0}"#
        );
    }
}
