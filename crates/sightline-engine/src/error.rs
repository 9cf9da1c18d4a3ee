//! Errors that cross the engine's boundary: a stable [`ErrorKind`] code every shell can branch on,
//! and a message written for the business user who will read it.
//!
//! Each stage keeps its own error enum (`DbError`, `PlanError`, ...) and maps it to one kind here;
//! shells never parse message text.

use serde::Serialize;
use ts_rs::TS;

/// The stable error codes of the contract. Renaming one is a breaking change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input cannot be used as given: a missing file, not a database, an unknown column.
    BadInput,
    /// The question could not be understood well enough to plan a query.
    NotUnderstood,
    /// The SQL was refused by the validator (writes, escapes, several statements).
    SqlRejected,
    /// SQLite reported an error while running an accepted query.
    Database,
    /// A language model was asked for but cannot be reached.
    LlmUnavailable,
    /// A language model answered, but its reply could not be used (malformed, cut off, too large,
    /// or wrong after every repair attempt).
    LlmFailed,
    /// The Python sandbox was asked for but cannot run.
    SandboxUnavailable,
    /// The operating system's keychain cannot be reached or refused the request.
    KeychainUnavailable,
    /// A deadline passed.
    Timeout,
    /// The user cancelled.
    Cancelled,
    /// A fault of Sightline itself.
    Internal,
}

impl ErrorKind {
    /// The wire code, as it appears in `error.kind`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::BadInput => "bad_input",
            ErrorKind::NotUnderstood => "not_understood",
            ErrorKind::SqlRejected => "sql_rejected",
            ErrorKind::Database => "database",
            ErrorKind::LlmUnavailable => "llm_unavailable",
            ErrorKind::LlmFailed => "llm_failed",
            ErrorKind::SandboxUnavailable => "sandbox_unavailable",
            ErrorKind::KeychainUnavailable => "keychain_unavailable",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Internal => "internal",
        }
    }

    /// True when the fault lies in what the user gave us (exit code 2), false for our own (exit 1).
    pub fn is_user_fault(self) -> bool {
        !matches!(self, ErrorKind::Internal)
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl From<sightline_sandbox::SandboxErrorKind> for ErrorKind {
    fn from(kind: sightline_sandbox::SandboxErrorKind) -> Self {
        use sightline_sandbox::SandboxErrorKind as Sandbox;
        match kind {
            Sandbox::BadInput => ErrorKind::BadInput,
            Sandbox::SandboxUnavailable => ErrorKind::SandboxUnavailable,
            Sandbox::Timeout => ErrorKind::Timeout,
            Sandbox::Internal => ErrorKind::Internal,
        }
    }
}

/// Implemented by every stage error so the pipeline can record it uniformly.
pub trait HasKind: std::error::Error {
    fn kind(&self) -> ErrorKind;
}

/// An error that stops the engine before it can produce an answer (for example, the database file
/// cannot be opened). Failures after that point are recorded inside the answer instead.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct EngineError {
    pub kind: ErrorKind,
    pub stage: Option<String>,
    pub message: String,
}

impl EngineError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        EngineError {
            kind,
            stage: None,
            message: message.into(),
        }
    }

    pub fn at_stage(mut self, stage: &str) -> Self {
        self.stage = Some(stage.to_string());
        self
    }

    /// Wraps any stage error, keeping its kind and message.
    pub fn from_stage<E: HasKind>(stage: &str, err: &E) -> Self {
        EngineError {
            kind: err.kind(),
            stage: Some(stage.to_string()),
            message: err.to_string(),
        }
    }
}
