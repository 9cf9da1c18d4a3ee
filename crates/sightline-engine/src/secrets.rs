//! API keys (SECURITY.md S9): a [`Secret`] that never shows itself, and the [`SecretStore`]
//! boundary with its one real implementation, the operating system's keychain ([`Keychain`]:
//! Keychain Services on macOS, Credential Manager on Windows, the Secret Service on Linux).
//!
//! There is no plaintext fallback: when the keychain cannot be reached the error says so and
//! nothing is written anywhere else. Shells can set, clear and ask "is a key set?"; only the
//! engine's model client reads a key back ([`SecretStore::get`]).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::{EngineError, ErrorKind};

/// The keychain service every Sightline key is filed under.
pub const SERVICE: &str = "dev.sightline.app";

/// A secret value. `Debug` prints a placeholder, there is no `Display` or `Serialize`, and the
/// only way to the text is [`Secret::expose`], which is easy to find in a review.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Where keys are kept, one per model profile.
pub trait SecretStore: Send + Sync {
    /// Saves `secret` for `profile`, replacing any earlier one.
    fn set(&self, profile: &str, secret: &Secret) -> Result<(), EngineError>;
    /// Removes the key of `profile`; `Ok(false)` when there was none.
    fn clear(&self, profile: &str) -> Result<bool, EngineError>;
    fn get(&self, profile: &str) -> Result<Option<Secret>, EngineError>;
    fn is_set(&self, profile: &str) -> Result<bool, EngineError> {
        Ok(self.get(profile)?.is_some())
    }
}

/// The operating system's keychain.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Keychain::new(SERVICE)
    }
}

impl Keychain {
    /// A keychain whose entries are filed under `service` (tests use their own service name).
    pub fn new(service: impl Into<String>) -> Self {
        Keychain {
            service: service.into(),
        }
    }

    fn entry(&self, profile: &str) -> Result<keyring::Entry, EngineError> {
        check_profile(profile)?;
        keyring::Entry::new(&self.service, profile).map_err(unavailable)
    }
}

impl SecretStore for Keychain {
    fn set(&self, profile: &str, secret: &Secret) -> Result<(), EngineError> {
        if secret.expose().trim().is_empty() {
            return Err(EngineError::new(
                ErrorKind::BadInput,
                "The key is empty. Paste the whole key, or use Clear to remove the saved one.",
            )
            .at_stage("keychain"));
        }
        self.entry(profile)?
            .set_password(secret.expose())
            .map_err(unavailable)
    }

    fn clear(&self, profile: &str) -> Result<bool, EngineError> {
        match self.entry(profile)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn get(&self, profile: &str) -> Result<Option<Secret>, EngineError> {
        match self.entry(profile)?.get_password() {
            Ok(value) => Ok(Some(Secret(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }
}

/// Keys in memory, for tests of code that takes a [`SecretStore`]; never used by a shell.
#[derive(Debug, Default)]
pub struct MemorySecrets {
    keys: Mutex<HashMap<String, Secret>>,
}

impl SecretStore for MemorySecrets {
    fn set(&self, profile: &str, secret: &Secret) -> Result<(), EngineError> {
        check_profile(profile)?;
        self.keys
            .lock()
            .map_err(|_| poisoned())?
            .insert(profile.to_string(), secret.clone());
        Ok(())
    }

    fn clear(&self, profile: &str) -> Result<bool, EngineError> {
        Ok(self
            .keys
            .lock()
            .map_err(|_| poisoned())?
            .remove(profile)
            .is_some())
    }

    fn get(&self, profile: &str) -> Result<Option<Secret>, EngineError> {
        Ok(self
            .keys
            .lock()
            .map_err(|_| poisoned())?
            .get(profile)
            .cloned())
    }
}

fn poisoned() -> EngineError {
    EngineError::new(
        ErrorKind::Internal,
        "The key store was left in a bad state.",
    )
}

fn check_profile(profile: &str) -> Result<(), EngineError> {
    if crate::llm::profile::is_profile_name(profile) {
        Ok(())
    } else {
        Err(EngineError::new(
            ErrorKind::BadInput,
            format!(
                "'{}' is not a profile name: use letters, digits, '-', '_' or '.'.",
                profile.chars().take(64).collect::<String>()
            ),
        )
        .at_stage("keychain"))
    }
}

/// The keychain's own error, without anything that could echo a key.
fn unavailable(e: keyring::Error) -> EngineError {
    let why = match &e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            inner.to_string()
        }
        keyring::Error::BadEncoding(_) => "a saved key is not valid text".to_string(),
        keyring::Error::TooLong(what, max) => format!("the {what} is longer than {max}"),
        keyring::Error::Invalid(what, why) => format!("invalid {what}: {why}"),
        keyring::Error::Ambiguous(_) => "several keys match this profile".to_string(),
        other => format!("{other:?}").chars().take(120).collect(),
    };
    EngineError::new(
        ErrorKind::KeychainUnavailable,
        format!(
            "The system keychain cannot be used ({why}). Unlock or start it (on Linux a Secret Service such as GNOME Keyring or KWallet); Sightline never keeps keys anywhere else."
        ),
    )
    .at_stage("keychain")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_itself() {
        let secret = Secret::new("sk-live-123456");
        let shown = format!("{secret:?} {:?}", Some(secret.clone()));
        assert!(!shown.contains("sk-live"), "leaked in {shown}");
        assert_eq!(secret.expose(), "sk-live-123456");
    }

    #[test]
    fn memory_store_sets_reads_and_clears() {
        let store = MemorySecrets::default();
        assert!(!store.is_set("groq").unwrap());
        store.set("groq", &Secret::new("k1")).unwrap();
        assert!(store.is_set("groq").unwrap());
        assert_eq!(store.get("groq").unwrap(), Some(Secret::new("k1")));
        assert!(store.clear("groq").unwrap());
        assert!(!store.clear("groq").unwrap());
    }

    #[test]
    fn profile_names_are_checked_before_any_store_is_touched() {
        let error = Keychain::default()
            .set("../etc", &Secret::new("k"))
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::BadInput);
        assert!(error.message.contains("profile name"));
    }
}
