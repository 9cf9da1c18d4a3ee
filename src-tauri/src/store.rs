//! The settings file: the user's [`Settings`] and recent databases, kept with tauri-plugin-store
//! in the app's data folder (or `$SIGHTLINE_HOME/settings.json`, so tests write only into a temp
//! folder). No key is ever written here (S9): keys go to the keychain.
//!
//! The plugin writes the file in place and silently starts empty when it cannot read it, which
//! would let one crash mid-write lose every setting at the next save. So a good copy is kept as
//! `settings.json.bak` before each save, and an unreadable file is set aside (never deleted) and
//! replaced by that copy when the app starts.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use sightline_engine::settings::{Settings, remember_recent};
use sightline_engine::{EngineError, ErrorKind};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::{Store, StoreExt};

const SETTINGS: &str = "settings";
const RECENT: &str = "recent_databases";

/// Where the settings file lives: `$SIGHTLINE_HOME/settings.json` when set, else the plugin's
/// default folder (the app's data folder).
pub fn settings_path() -> PathBuf {
    match std::env::var_os("SIGHTLINE_HOME") {
        Some(home) if !home.is_empty() => PathBuf::from(home).join("settings.json"),
        _ => PathBuf::from("settings.json"),
    }
}

pub struct SettingsFile<R: Runtime> {
    store: Arc<Store<R>>,
    path: PathBuf,
}

impl<R: Runtime> SettingsFile<R> {
    /// The app's own folder (where the settings file lives): kept glossaries go here too.
    pub fn folder(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }
}

/// What was read at start, and what the user should be told about it.
pub struct Loaded<R: Runtime> {
    pub file: SettingsFile<R>,
    pub settings: Settings,
    pub warnings: Vec<String>,
}

impl<R: Runtime> SettingsFile<R> {
    pub fn open(app: &AppHandle<R>) -> Result<Loaded<R>, EngineError> {
        let path = tauri_plugin_store::resolve_store_path(app, settings_path()).map_err(failed)?;
        let mut warnings = recover(&path);
        let store = app
            .store_builder(&path)
            .disable_auto_save()
            .build()
            .map_err(failed)?;
        let settings = match store.get(SETTINGS) {
            None => Settings::default(),
            Some(value) => match serde_json::from_value::<Settings>(value)
                .map_err(|e| e.to_string())
                .and_then(|s| s.validated().map_err(|e| e.message))
            {
                Ok(settings) => settings,
                Err(why) => {
                    warnings.push(format!(
                        "Your saved settings could not be used ({why}); the defaults are shown until you save again."
                    ));
                    Settings::default()
                }
            },
        };
        Ok(Loaded {
            file: SettingsFile { store, path },
            settings,
            warnings,
        })
    }

    pub fn save_settings(&self, settings: &Settings) -> Result<(), EngineError> {
        let value = serde_json::to_value(settings).map_err(failed)?;
        self.store.set(SETTINGS, value);
        self.save()
    }

    /// Puts `path` first in the recent list and saves; returns the new list.
    pub fn remember(&self, path: &str) -> Result<Vec<String>, EngineError> {
        let mut recent = self.recent();
        remember_recent(&mut recent, path);
        self.save_recent(recent)
    }

    pub fn forget(&self, path: &str) -> Result<Vec<String>, EngineError> {
        let mut recent = self.recent();
        recent.retain(|p| p != path);
        self.save_recent(recent)
    }

    pub fn recent(&self) -> Vec<String> {
        self.store
            .get(RECENT)
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    fn save_recent(&self, recent: Vec<String>) -> Result<Vec<String>, EngineError> {
        self.store.set(RECENT, Value::from(recent.clone()));
        self.save()?;
        Ok(recent)
    }

    fn save(&self) -> Result<(), EngineError> {
        if readable(&self.path) {
            // Best effort: the copy is a safety net, its failure must not block the save.
            let _ = fs::copy(&self.path, backup(&self.path));
        }
        self.store.save().map_err(failed)
    }
}

fn backup(path: &Path) -> PathBuf {
    path.with_extension("json.bak")
}

fn readable(path: &Path) -> bool {
    fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .is_some_and(|v| v.is_object())
}

/// Before the plugin reads the file: an unreadable file is renamed `settings.json.broken` and the
/// last good copy takes its place. Returns what to tell the user.
fn recover(path: &Path) -> Vec<String> {
    if !path.exists() || readable(path) {
        return Vec::new();
    }
    let broken = path.with_extension("json.broken");
    if fs::rename(path, &broken).is_err() {
        return vec![format!(
            "The settings file {} cannot be read; the defaults are used.",
            path.display()
        )];
    }
    let restored = readable(&backup(path)) && fs::copy(backup(path), path).is_ok();
    vec![if restored {
        format!(
            "The settings file was damaged; the last good copy was restored (the damaged file is kept as {}).",
            broken.display()
        )
    } else {
        format!(
            "The settings file was damaged and no good copy was found; the defaults are used (the damaged file is kept as {}).",
            broken.display()
        )
    }]
}

fn failed(e: impl std::fmt::Display) -> EngineError {
    EngineError::new(
        ErrorKind::Internal,
        format!("The settings file could not be read or written: {e}"),
    )
    .at_stage("settings")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_file_is_set_aside_and_the_last_good_copy_restored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(backup(&path), r#"{"settings":{"theme":"dark"}}"#).unwrap();
        fs::write(&path, r#"{"settings":{"theme":"da"#).unwrap();
        let warnings = recover(&path);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("restored"), "{warnings:?}");
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            r#"{"settings":{"theme":"dark"}}"#
        );
        assert_eq!(
            fs::read_to_string(path.with_extension("json.broken")).unwrap(),
            r#"{"settings":{"theme":"da"#,
            "the damaged file is kept, never deleted"
        );
    }

    #[test]
    fn a_good_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(&path, r#"{"settings":{}}"#).unwrap();
        assert!(recover(&path).is_empty());
        assert!(!path.with_extension("json.broken").exists());
    }
}
