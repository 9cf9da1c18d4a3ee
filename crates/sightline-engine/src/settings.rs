//! The user's settings: one type with its defaults and its checks, shared by every shell. The
//! desktop app keeps them in its store; a value that does not pass [`Settings::validated`] is
//! refused with a message naming the field, never stored half-way.
//!
//! Secrets are not settings: API keys live in the keychain ([`crate::secrets`]), and this type has
//! no field that could hold one.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{EngineError, ErrorKind};
use crate::llm::profile::{self, ModelProfile};

/// Where analysis code written for the user (the "Python" tab) runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum SandboxMode {
    /// Docker when it answers and the image exists, otherwise the restricted mode after consent.
    Auto,
    Docker,
    Restricted,
    /// Never run code.
    Off,
}

/// Who writes a part of the answer when a model profile is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Author {
    /// Sightline's own code: the native statistics or the native chart.
    Native,
    /// The language model; anything it returns is checked, and a failure falls back to native.
    Model,
}

/// Light, dark, or whatever the operating system says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    System,
    Light,
    Dark,
}

/// Everything the user can change, with the defaults of a fresh install.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `offline` (the embedded planner) or the name of a model profile: a preset (`groq`,
    /// `openai`, `ollama`, `lmstudio`, `openrouter`, `anthropic`) or one of `profiles`.
    pub model_profile: String,
    /// The user's own profiles; one named like a preset replaces it.
    pub profiles: Vec<ModelProfile>,
    /// Who writes the analysis: the native statistics (default) or the model, as Python run in
    /// the sandbox.
    pub analysis_author: Author,
    /// Who draws the chart: the native figure (default) or the model, checked and sanitised.
    pub chart_author: Author,
    /// Send only the schema to a model, never sample rows (on by default: nothing of the data
    /// leaves the machine unless the user allows it).
    pub schema_only: bool,
    pub sandbox_mode: SandboxMode,
    pub sandbox_timeout_s: u32,
    /// A size like `512m` or `1g`.
    pub sandbox_memory: String,
    /// Warm containers kept ready.
    pub sandbox_pool_size: u32,
    pub theme: Theme,
    /// Rows of an answer sent to the window (the full count is always reported).
    #[ts(type = "number")]
    pub max_rows: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            model_profile: "offline".to_string(),
            profiles: Vec::new(),
            analysis_author: Author::Native,
            chart_author: Author::Native,
            schema_only: true,
            sandbox_mode: SandboxMode::Auto,
            sandbox_timeout_s: 30,
            sandbox_memory: "512m".to_string(),
            sandbox_pool_size: 2,
            theme: Theme::System,
            max_rows: 10_000,
        }
    }
}

/// Limits a setting may take; the UI shows the same ranges.
pub const TIMEOUT_RANGE: std::ops::RangeInclusive<u32> = 1..=600;
pub const POOL_RANGE: std::ops::RangeInclusive<u32> = 0..=8;
pub const MAX_ROWS_RANGE: std::ops::RangeInclusive<usize> = 1..=1_000_000;

impl Settings {
    /// The settings with surrounding blanks trimmed, or a `bad_input` error naming the first field
    /// that cannot be used and what would be accepted.
    pub fn validated(mut self) -> Result<Settings, EngineError> {
        self.model_profile = self.model_profile.trim().to_string();
        for profile in &mut self.profiles {
            profile.name = profile.name.trim().to_string();
            profile.base_url = profile.base_url.trim().to_string();
            profile.model = profile.model.trim().to_string();
        }
        self.sandbox_memory = self.sandbox_memory.trim().to_ascii_lowercase();
        if !profile::is_profile_name(&self.model_profile) {
            return Err(refused(
                "model profile",
                "use up to 64 letters, digits, '-', '_' or '.', for example offline or groq",
            ));
        }
        if let Err(why) = profile::check_profiles(&self.profiles) {
            return Err(refused("model profiles", &why));
        }
        let known = self.model_profile == profile::OFFLINE
            || self.model_profile == profile::ENV_PROFILE
            || profile::available(&self)
                .iter()
                .any(|p| p.name == self.model_profile);
        if !known {
            return Err(refused(
                "model profile",
                &format!(
                    "there is no profile named '{}'; choose offline or one of the listed profiles",
                    self.model_profile
                ),
            ));
        }
        if !TIMEOUT_RANGE.contains(&self.sandbox_timeout_s) {
            return Err(refused(
                "sandbox timeout",
                &format!(
                    "choose between {} and {} seconds",
                    TIMEOUT_RANGE.start(),
                    TIMEOUT_RANGE.end()
                ),
            ));
        }
        if !is_memory_size(&self.sandbox_memory) {
            return Err(refused(
                "sandbox memory",
                "write a size like 512m or 2g, between 128m and 16g",
            ));
        }
        if !POOL_RANGE.contains(&self.sandbox_pool_size) {
            return Err(refused(
                "warm containers",
                &format!(
                    "choose between {} and {}",
                    POOL_RANGE.start(),
                    POOL_RANGE.end()
                ),
            ));
        }
        if !MAX_ROWS_RANGE.contains(&self.max_rows) {
            return Err(refused(
                "rows shown",
                &format!(
                    "choose between {} and {}",
                    MAX_ROWS_RANGE.start(),
                    MAX_ROWS_RANGE.end()
                ),
            ));
        }
        Ok(self)
    }
}

fn refused(field: &str, how: &str) -> EngineError {
    EngineError::new(
        ErrorKind::BadInput,
        format!("The {field} cannot be saved as given: {how}."),
    )
    .at_stage("settings")
}

pub(crate) fn is_http_url(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !text.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

/// `512m`, `2g`, `131072k`: between 128 MiB and 16 GiB, the sandbox's own limits.
fn is_memory_size(text: &str) -> bool {
    let (digits, unit) = text.split_at(text.len().saturating_sub(1));
    let scale: u64 = match unit {
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        _ => return false,
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .is_some_and(|bytes| ((128 << 20)..=(16 << 30)).contains(&bytes))
}

/// The desktop app's identifier (tauri.conf.json), which names its data folder.
pub const APP_IDENTIFIER: &str = "dev.sightline.desktop";
/// The key under which the app's settings file holds [`Settings`].
pub const SETTINGS_KEY: &str = "settings";

/// The folder the desktop app keeps its settings in: `$SIGHTLINE_HOME` when set, else the
/// platform's data folder (`~/.local/share`, `~/Library/Application Support`, `%APPDATA%`) with
/// the app's identifier, as Tauri resolves it.
pub fn app_folder() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(home) = var("SIGHTLINE_HOME") {
        return Some(home);
    }
    let data = if cfg!(target_os = "windows") {
        var("APPDATA")
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| h.join("Library").join("Application Support"))
    } else {
        var("XDG_DATA_HOME").or_else(|| var("HOME").map(|h| h.join(".local").join("share")))
    };
    data.map(|d| d.join(APP_IDENTIFIER))
}

/// The settings the desktop app saved, for the command line: defaults when the app never ran.
/// A file that cannot be read or holds settings that do not pass the checks is an error naming
/// it, never silently replaced.
pub fn saved_by_app() -> Result<Settings, EngineError> {
    let Some(path) = app_folder().map(|f| f.join("settings.json")) else {
        return Ok(Settings::default());
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
        Err(e) => return Err(unreadable(&path, &e.to_string())),
    };
    let file: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| unreadable(&path, &e.to_string()))?;
    match file.get(SETTINGS_KEY) {
        None => Ok(Settings::default()),
        Some(value) => serde_json::from_value::<Settings>(value.clone())
            .map_err(|e| unreadable(&path, &e.to_string()))?
            .validated(),
    }
}

fn unreadable(path: &Path, why: &str) -> EngineError {
    EngineError::new(
        ErrorKind::BadInput,
        format!(
            "The app's settings file {} cannot be read ({why}); open Sightline to repair it, or set SIGHTLINE_HOME to another folder.",
            path.display()
        ),
    )
    .at_stage("settings")
}

/// The recent databases list: most recent first, no duplicates, at most [`RECENT_LIMIT`].
pub const RECENT_LIMIT: usize = 10;

pub fn remember_recent(recent: &mut Vec<String>, path: &str) {
    recent.retain(|p| p != path);
    recent.insert(0, path.to_string());
    recent.truncate(RECENT_LIMIT);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_refused(change: impl FnOnce(&mut Settings), field: &str) {
        let mut settings = Settings::default();
        change(&mut settings);
        let error = settings.validated().expect_err("must be refused");
        assert_eq!(error.kind, ErrorKind::BadInput);
        assert!(
            error.message.contains(field),
            "the message must name the field {field}: {}",
            error.message
        );
    }

    #[test]
    fn defaults_pass_and_round_trip_through_json() {
        let settings = Settings::default().validated().unwrap();
        let json = serde_json::to_string(&settings).unwrap();
        let back: Settings = serde_json::from_str(&json).unwrap();
        assert_eq!(back, settings);
    }

    #[test]
    fn missing_fields_take_defaults_and_unknown_fields_are_refused() {
        let partial: Settings = serde_json::from_str(r#"{"theme":"dark"}"#).unwrap();
        assert_eq!(partial.theme, Theme::Dark);
        assert_eq!(partial.model_profile, "offline");
        // A key pasted into the store by mistake must not be carried along silently.
        assert!(serde_json::from_str::<Settings>(r#"{"api_key":"sk-123"}"#).is_err());
    }

    #[test]
    fn each_bad_value_names_its_field() {
        check_refused(|s| s.model_profile = "my profile!".into(), "model profile");
        check_refused(|s| s.model_profile = "  ".into(), "model profile");
        check_refused(|s| s.model_profile = "nowhere".into(), "model profile");
        check_refused(
            |s| {
                s.profiles = vec![ModelProfile {
                    name: "work".into(),
                    provider: profile::Provider::Custom,
                    base_url: "ftp://example.com".into(),
                    model: "m".into(),
                }]
            },
            "model profiles",
        );
        check_refused(|s| s.sandbox_timeout_s = 0, "sandbox timeout");
        check_refused(|s| s.sandbox_timeout_s = 601, "sandbox timeout");
        check_refused(|s| s.sandbox_memory = "64m".into(), "sandbox memory");
        check_refused(|s| s.sandbox_memory = "lots".into(), "sandbox memory");
        check_refused(|s| s.sandbox_pool_size = 9, "warm containers");
        check_refused(|s| s.max_rows = 0, "rows shown");
    }

    #[test]
    fn good_values_are_normalised() {
        let settings = Settings {
            model_profile: " groq ".into(),
            sandbox_memory: "2G".into(),
            ..Settings::default()
        }
        .validated()
        .unwrap();
        assert_eq!(settings.model_profile, "groq");
        assert_eq!(settings.sandbox_memory, "2g");
    }

    #[test]
    fn recent_list_is_most_recent_first_without_duplicates() {
        let mut recent = Vec::new();
        for i in 0..12 {
            remember_recent(&mut recent, &format!("/data/{i}.db"));
        }
        remember_recent(&mut recent, "/data/5.db");
        assert_eq!(recent.len(), RECENT_LIMIT);
        assert_eq!(recent[0], "/data/5.db");
        assert_eq!(recent.iter().filter(|p| *p == "/data/5.db").count(), 1);
        assert_eq!(recent[1], "/data/11.db");
    }
}
