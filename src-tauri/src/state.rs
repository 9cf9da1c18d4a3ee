//! [`AppState`]: what lives as long as the app. The engine, the settings and their file, the
//! keychain, the questions running now (to cancel them), the last few answers (to export them
//! without the window sending an answer back), and the warm sandbox pool.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use sightline_engine::secrets::Keychain;
use sightline_engine::settings::{SandboxMode, Settings};
use sightline_engine::{Answer, CancelToken, Engine, EngineConfig, EngineError, ErrorKind};
use sightline_sandbox::{DockerSettings, PoolSettings, Sandboxes};
use tauri::path::BaseDirectory;
use tauri::{AppHandle, Manager, Wry};

use crate::store::SettingsFile;

/// Answers kept for export; older ones must be asked again.
const KEPT_ANSWERS: usize = 8;

pub struct AppState {
    pub engine: Engine,
    pub keychain: Keychain,
    file: SettingsFile<Wry>,
    settings: RwLock<Settings>,
    /// Said once to the window, then dropped: what went wrong while loading the settings.
    warnings: Mutex<Vec<String>>,
    running: Mutex<HashMap<String, CancelToken>>,
    answers: Mutex<VecDeque<(String, Arc<Answer>)>>,
    sandboxes: tokio::sync::Mutex<Option<(PoolSettings, Arc<Sandboxes>)>>,
    /// The bundled sample database, when the app was installed with it.
    pub sample: Option<PathBuf>,
    /// A database named on the command line (`sightline-app FILE`), opened at start.
    pub open_at_start: Option<PathBuf>,
}

impl AppState {
    pub fn load(app: &AppHandle) -> Result<Self, EngineError> {
        let loaded = SettingsFile::open(app)?;
        let sample = app
            .path()
            .resolve("sample-data/sample.db", BaseDirectory::Resource)
            .ok()
            .filter(|p| p.is_file());
        Ok(AppState {
            engine: Engine::new(EngineConfig::default()),
            keychain: Keychain::default(),
            file: loaded.file,
            settings: RwLock::new(loaded.settings),
            warnings: Mutex::new(loaded.warnings),
            running: Mutex::new(HashMap::new()),
            answers: Mutex::new(VecDeque::new()),
            sandboxes: tokio::sync::Mutex::new(None),
            sample,
            open_at_start: std::env::args_os()
                .nth(1)
                .map(PathBuf::from)
                .filter(|p| p.is_file()),
        })
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// Validates, saves, then applies: a setting that cannot be saved is not applied either.
    pub fn set_settings(&self, settings: Settings) -> Result<Settings, EngineError> {
        let settings = settings.validated()?;
        self.file.save_settings(&settings)?;
        if let Ok(mut current) = self.settings.write() {
            *current = settings.clone();
        }
        Ok(settings)
    }

    pub fn take_warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }

    pub fn file(&self) -> &SettingsFile<Wry> {
        &self.file
    }

    /// Where the app keeps the glossary the user edited for `database` (it may not exist).
    pub fn kept_glossary(&self, database: &str) -> PathBuf {
        sightline_engine::glossary::kept_path(&self.file.folder(), Path::new(database))
    }

    /// The kept glossary of `database` when there is one; else the engine looks beside the file.
    pub fn glossary_for(&self, database: &str) -> Option<PathBuf> {
        Some(self.kept_glossary(database)).filter(|p| p.is_file())
    }

    /// Registers a question under the window's id and returns its cancel token.
    pub fn start(&self, request_id: &str) -> CancelToken {
        let token = CancelToken::new();
        if let Ok(mut running) = self.running.lock() {
            running.insert(request_id.to_string(), token.clone());
        }
        token
    }

    /// Forgets the running question and keeps its answer for export (shared, not copied: the
    /// window gets the same answer).
    pub fn finish(
        &self,
        request_id: &str,
        answer: Result<Answer, EngineError>,
    ) -> Result<Arc<Answer>, EngineError> {
        if let Ok(mut running) = self.running.lock() {
            running.remove(request_id);
        }
        let answer = Arc::new(answer?);
        if let Ok(mut answers) = self.answers.lock() {
            answers.retain(|(id, _)| id != request_id);
            answers.push_back((request_id.to_string(), answer.clone()));
            while answers.len() > KEPT_ANSWERS {
                answers.pop_front();
            }
        }
        Ok(answer)
    }

    /// True when a running question was told to stop.
    pub fn cancel(&self, request_id: &str) -> bool {
        self.running
            .lock()
            .ok()
            .and_then(|running| running.get(request_id).cloned())
            .map(|token| token.cancel())
            .is_some()
    }

    pub fn answer(&self, request_id: &str) -> Result<Arc<Answer>, EngineError> {
        self.answers
            .lock()
            .ok()
            .and_then(|answers| {
                answers
                    .iter()
                    .find(|(id, _)| id == request_id)
                    .map(|(_, a)| a.clone())
            })
            .ok_or_else(|| {
                EngineError::new(
                    ErrorKind::BadInput,
                    "This answer is no longer kept for export; ask the question again.",
                )
                .at_stage("export")
            })
    }

    /// The warm pool for the current settings, made again when the pool settings changed.
    pub async fn sandboxes(&self) -> Result<Arc<Sandboxes>, EngineError> {
        let settings = self.settings();
        if settings.sandbox_mode == SandboxMode::Off {
            return Err(EngineError::new(
                ErrorKind::SandboxUnavailable,
                "Running code is turned off in Settings → Sandbox.",
            )
            .at_stage("sandbox"));
        }
        let wanted = pool_settings(&settings);
        let mut current = self.sandboxes.lock().await;
        if let Some((made_with, sandboxes)) = current.as_ref() {
            if *made_with == wanted {
                return Ok(sandboxes.clone());
            }
            sandboxes.shutdown().await;
        }
        let sandboxes = Arc::new(Sandboxes::new(DockerSettings::default(), wanted));
        *current = Some((wanted, sandboxes.clone()));
        Ok(sandboxes)
    }

    /// Removes the warm containers when the app quits.
    pub async fn shutdown(&self) {
        if let Some((_, sandboxes)) = self.sandboxes.lock().await.take() {
            sandboxes.shutdown().await;
        }
    }
}

fn pool_settings(settings: &Settings) -> PoolSettings {
    let defaults = PoolSettings::default();
    PoolSettings {
        spares: settings.sandbox_pool_size as usize,
        memory: sightline_sandbox::parse_memory(&settings.sandbox_memory)
            .unwrap_or(defaults.memory),
        ..defaults
    }
}
