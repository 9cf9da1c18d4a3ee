//! [`LlmError`]: every way a model call can fail, each with a message a user can act on and no
//! trace of the key (S9, S10).

use crate::error::{ErrorKind, HasKind};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    #[error(
        "The model at {url} cannot be reached ({why}). Check the base URL and that the server is running."
    )]
    Unreachable { url: String, why: String },
    #[error("The model did not answer in time: {what} took longer than {seconds} s.")]
    TimedOut { what: &'static str, seconds: u64 },
    #[error("The model refused the request (HTTP {status}): {why}")]
    Refused { status: u16, why: String },
    #[error("The model's service is rate limiting this key{}; try again later.", retry_in(*.retry_after_s))]
    RateLimited { retry_after_s: Option<u64> },
    #[error(
        "The model's service failed (HTTP {status}) {attempts} times in a row; try again later."
    )]
    ServerFailed { status: u16, attempts: usize },
    #[error("The model's reply could not be used: {0}")]
    BadReply(String),
    #[error("The model's reply is larger than {limit_kib} KiB and was not read further.")]
    TooLarge { limit_kib: usize },
    #[error("The model call was cancelled.")]
    Cancelled,
}

fn retry_in(seconds: Option<u64>) -> String {
    seconds
        .map(|s| format!(" (it asks to wait {s} s)"))
        .unwrap_or_default()
}

impl HasKind for LlmError {
    fn kind(&self) -> ErrorKind {
        match self {
            LlmError::Unreachable { .. }
            | LlmError::Refused { .. }
            | LlmError::RateLimited { .. }
            | LlmError::ServerFailed { .. } => ErrorKind::LlmUnavailable,
            LlmError::TimedOut { .. } => ErrorKind::Timeout,
            LlmError::BadReply(_) | LlmError::TooLarge { .. } => ErrorKind::LlmFailed,
            LlmError::Cancelled => ErrorKind::Cancelled,
        }
    }
}

/// `text` with every occurrence of `key` masked and cut to a readable length, for text that came
/// back from a server (some echo part of the key in their error messages).
pub fn scrub(text: &str, key: Option<&str>) -> String {
    let mut text = text.trim().to_string();
    if let Some(key) = key.filter(|k| k.len() >= 4) {
        text = text.replace(key, "[key]");
    }
    let masked: Vec<String> = text
        .split_whitespace()
        .map(|word| {
            let bare = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            let looks_like_key = bare.len() >= 20
                && ["sk-", "gsk_", "sk_", "or-", "xai-"]
                    .iter()
                    .any(|p| bare.starts_with(p));
            if looks_like_key {
                "[key]".to_string()
            } else {
                word.to_string()
            }
        })
        .collect();
    let text = masked.join(" ");
    if text.chars().count() > 300 {
        format!("{}…", text.chars().take(300).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_loses_the_key_and_its_length() {
        let key = "gsk_live_0123456789abcdefghij";
        let said = format!("Invalid API Key: {key}. Also sk-proj-ABCDEFGHIJKLMNOPQRSTUV is wrong.");
        let clean = scrub(&said, Some(key));
        assert!(!clean.contains("0123456789"), "{clean}");
        assert!(!clean.contains("ABCDEFGHIJ"), "{clean}");
        assert!(clean.contains("Invalid API Key"));
        assert!(scrub(&"x".repeat(1000), None).chars().count() <= 301);
    }

    #[test]
    fn kinds_are_stable() {
        assert_eq!(LlmError::BadReply("x".into()).kind().code(), "llm_failed");
        assert_eq!(
            LlmError::RateLimited {
                retry_after_s: Some(3)
            }
            .kind()
            .code(),
            "llm_unavailable"
        );
        assert!(
            LlmError::RateLimited {
                retry_after_s: Some(3)
            }
            .to_string()
            .contains("wait 3 s")
        );
    }
}
