//! The sandbox's errors: one enum, each variant with a stable kind code that the engine and the
//! shells map onto their `ErrorKind` (`bad_input`, `sandbox_unavailable`, `timeout`, `internal`),
//! and a message a business user can act on.

use crate::guard::Rejection;

/// The stable codes, the same strings as the engine's `ErrorKind::code()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxErrorKind {
    /// The code, the data or a limit cannot be used as given (guard rejections included).
    BadInput,
    /// The requested sandbox cannot run here (no Docker engine, no image, no bubblewrap).
    SandboxUnavailable,
    /// The wall-clock limit passed.
    Timeout,
    /// A fault of Sightline itself.
    Internal,
}

impl SandboxErrorKind {
    pub fn code(self) -> &'static str {
        match self {
            SandboxErrorKind::BadInput => "bad_input",
            SandboxErrorKind::SandboxUnavailable => "sandbox_unavailable",
            SandboxErrorKind::Timeout => "timeout",
            SandboxErrorKind::Internal => "internal",
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum SandboxError {
    /// The static guard refused the code before anything ran.
    #[error("{0}")]
    Rejected(Rejection),
    /// A request value is unusable (a data name, a memory size, a timeout).
    #[error("{0}")]
    BadInput(String),
    /// The code ran and failed: an exception, a result that cannot be sent back.
    #[error("{0}")]
    CodeFailed(String),
    /// The code used more memory than allowed.
    #[error("The code used more than the memory limit of {}; it was stopped. Work on fewer rows or columns, or raise --memory.", human_bytes(*limit))]
    MemoryExceeded { limit: u64 },
    /// The code ran longer than allowed; the whole container or process tree was killed.
    #[error(
        "The code timed out after {secs} s and was stopped. Simplify the analysis or raise --timeout."
    )]
    Timeout { secs: u64 },
    /// The requested sandbox cannot run here.
    #[error("{0}")]
    Unavailable(String),
    /// Too many analyses are running or waiting; the queue refused this one at once.
    #[error("The sandbox is busy ({0} analyses running or waiting); try again in a moment.")]
    Busy(usize),
    /// Sightline's own fault (the runner's reply was malformed, Docker refused a valid request).
    #[error("{0}")]
    Internal(String),
}

impl SandboxError {
    pub fn kind(&self) -> SandboxErrorKind {
        match self {
            SandboxError::Rejected(_)
            | SandboxError::BadInput(_)
            | SandboxError::CodeFailed(_)
            | SandboxError::MemoryExceeded { .. } => SandboxErrorKind::BadInput,
            SandboxError::Timeout { .. } => SandboxErrorKind::Timeout,
            SandboxError::Unavailable(_) | SandboxError::Busy(_) => {
                SandboxErrorKind::SandboxUnavailable
            }
            SandboxError::Internal(_) => SandboxErrorKind::Internal,
        }
    }
}

/// `536870912` → `512 MB` (binary units, as `--memory 512m` means).
pub fn human_bytes(bytes: u64) -> String {
    const MB: u64 = 1 << 20;
    const GB: u64 = 1 << 30;
    if bytes >= GB && bytes.is_multiple_of(GB) {
        format!("{} GB", bytes / GB)
    } else if bytes >= MB {
        format!("{} MB", bytes / MB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_message_names_the_limit() {
        let e = SandboxError::MemoryExceeded { limit: 512 << 20 };
        assert!(
            e.to_string().contains("memory limit of 512 MB"),
            "S2 wants the limit named: {e}"
        );
        assert_eq!(human_bytes(2 << 30), "2 GB");
    }

    #[test]
    fn timeout_message_names_the_seconds() {
        let e = SandboxError::Timeout { secs: 30 };
        assert!(e.to_string().contains("timed out after 30 s"), "{e}");
        assert_eq!(e.kind().code(), "timeout");
    }
}
