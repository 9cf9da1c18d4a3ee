//! The commands the window calls: each converts its arguments, calls the engine (or the
//! keychain, the settings file, the sandbox) and converts the result. Errors cross as the
//! contract's [`AnswerError`] (`{stage, kind, message}`), so the UI branches on `kind`.
//!
//! Names and argument shapes are fixed with the UI (`ui/src/backend/tauri.ts`).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sightline_analytics::AnalysisType;
use sightline_engine::export::{self, ExportFormat};
use sightline_engine::glossary::{self, GlossarySource};
use sightline_engine::llm::profile::{self, NoEnv, ProfileView};
use sightline_engine::llm::{self as model, Check};
use sightline_engine::pipeline::agents::{Analyst, FollowUp};
use sightline_engine::secrets::{Secret, SecretStore};
use sightline_engine::settings::{Author, SandboxMode, Settings};
use sightline_engine::{
    AnalyzeRequest, Answer, AnswerError, AskRequest, CancelToken, EngineError, ErrorKind,
    StageEvent,
};
use sightline_sandbox::{DockerSettings, Mode, SandboxRequest, SandboxResult, SandboxStatus};
use tauri::State;
use tauri::ipc::Channel;

use crate::sink::ChannelSink;
use crate::state::AppState;

type Reply<T> = Result<T, AnswerError>;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AskArgs {
    question: String,
    database: String,
    request_id: String,
    /// The question before this one in the conversation, for follow-ups.
    follow_up: Option<FollowUp>,
}

#[tauri::command]
pub async fn ask(
    request: AskArgs,
    on_event: Channel<StageEvent>,
    state: State<'_, AppState>,
) -> Reply<Arc<Answer>> {
    let settings = state.settings();
    let model = profile::resolve(&settings.model_profile, &settings, &state.keychain, &NoEnv)?;
    let analyst = match (&model, settings.analysis_author) {
        (Some(_), Author::Model) => state
            .sandboxes()
            .await
            .ok()
            .and_then(|sandboxes| Analyst::from_settings(&settings, sandboxes)),
        _ => None,
    };
    let ask = AskRequest {
        question: request.question,
        glossary: state.glossary_for(&request.database),
        database: request.database,
        model,
        schema_only: settings.schema_only,
        follow_up: request.follow_up,
        chart_author: settings.chart_author,
        analyst,
        max_rows: settings.max_rows,
    };
    let cancel = state.start(&request.request_id);
    let sink = Arc::new(ChannelSink(on_event));
    let answer = state.engine.ask(ask, sink, cancel).await;
    Ok(state.finish(&request.request_id, answer)?)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeArgs {
    analysis: String,
    database: String,
    sql: String,
    target: Option<String>,
    date_column: Option<String>,
    horizon: Option<usize>,
    method: Option<String>,
    threshold: Option<f64>,
    season_length: Option<usize>,
    request_id: String,
}

#[tauri::command]
pub async fn analyze(
    request: AnalyzeArgs,
    on_event: Channel<StageEvent>,
    state: State<'_, AppState>,
) -> Reply<Arc<Answer>> {
    let analysis = AnalysisType::from_str(&request.analysis)
        .map_err(|e| EngineError::new(ErrorKind::BadInput, e.to_string()).at_stage("args"))?;
    let analyze = AnalyzeRequest {
        analysis,
        glossary: state.glossary_for(&request.database),
        database: request.database,
        sql: request.sql,
        target: request.target,
        date_column: request.date_column,
        horizon: request.horizon,
        method: request.method,
        threshold: request.threshold,
        season_length: request.season_length,
        max_rows: state.settings().max_rows,
    };
    let cancel = state.start(&request.request_id);
    let answer = state
        .engine
        .analyze(analyze, Arc::new(ChannelSink(on_event)), cancel)
        .await;
    Ok(state.finish(&request.request_id, answer)?)
}

#[tauri::command]
pub fn cancel(request_id: String, state: State<'_, AppState>) -> bool {
    state.cancel(&request_id)
}

/// Opens a database: its schema, and the file goes first in the recent list.
#[tauri::command]
pub async fn schema(
    database: String,
    state: State<'_, AppState>,
) -> Reply<sightline_engine::db::Schema> {
    let schema = state.engine.schema(&database).await?;
    state.file().remember(&database)?;
    Ok(schema)
}

#[derive(Serialize)]
pub struct Connections {
    recent: Vec<String>,
    sample: Option<String>,
    /// The database named on the command line, for the window to open first.
    open: Option<String>,
    /// Problems met while loading the settings, said once.
    warnings: Vec<String>,
}

#[tauri::command]
pub fn connections(state: State<'_, AppState>) -> Connections {
    Connections {
        recent: state.file().recent(),
        sample: state.sample.as_ref().map(|p| p.display().to_string()),
        open: state
            .open_at_start
            .as_ref()
            .map(|p| p.display().to_string()),
        warnings: state.take_warnings(),
    }
}

#[tauri::command]
pub fn forget_connection(path: String, state: State<'_, AppState>) -> Reply<Connections> {
    let recent = state.file().forget(&path)?;
    Ok(Connections {
        recent,
        sample: state.sample.as_ref().map(|p| p.display().to_string()),
        open: None,
        warnings: Vec::new(),
    })
}

/// The glossary used for a database, as text: the one the app keeps, else `glossary.json`
/// beside the database, else none.
#[derive(Serialize)]
pub struct GlossaryText {
    text: Option<String>,
    source: Option<GlossarySource>,
}

#[tauri::command]
pub async fn glossary_get(database: String, state: State<'_, AppState>) -> Reply<GlossaryText> {
    let kept = state.kept_glossary(&database);
    blocking(move || {
        let found = glossary::text_in_use(&kept, Path::new(&database));
        Ok(GlossaryText {
            source: found.as_ref().map(|(source, _)| *source),
            text: found.map(|(_, text)| text),
        })
    })
    .await
}

/// Checks and keeps the user's glossary for a database in the app's folder (never beside the
/// database); later questions on that database use it.
#[tauri::command]
pub async fn glossary_set(database: String, text: String, state: State<'_, AppState>) -> Reply<()> {
    let kept = state.kept_glossary(&database);
    blocking(move || glossary::Glossary::save(&text, &kept).map(|_| ())).await
}

#[tauri::command]
pub fn settings_get(state: State<'_, AppState>) -> Settings {
    state.settings()
}

#[tauri::command]
pub fn settings_set(settings: Settings, state: State<'_, AppState>) -> Reply<Settings> {
    Ok(state.set_settings(settings)?)
}

/// Saves a key in the keychain; the key never comes back to the window.
#[tauri::command]
pub async fn key_set(profile: String, key: String, state: State<'_, AppState>) -> Reply<bool> {
    let keychain = state.keychain.clone();
    let secret = Secret::new(key);
    blocking(move || {
        keychain.set(&profile, &secret)?;
        keychain.is_set(&profile)
    })
    .await
}

#[tauri::command]
pub async fn key_clear(profile: String, state: State<'_, AppState>) -> Reply<bool> {
    let keychain = state.keychain.clone();
    blocking(move || keychain.clear(&profile).map(|_| false)).await
}

#[tauri::command]
pub async fn key_status(profile: String, state: State<'_, AppState>) -> Reply<bool> {
    let keychain = state.keychain.clone();
    blocking(move || keychain.is_set(&profile)).await
}

/// The model profiles the window can pick (presets and the user's own, with the presets'
/// values filled in), every provider's preset, the active profile, and the models of an Ollama
/// server on this machine when one answers.
#[derive(Serialize)]
pub struct LlmProfiles {
    profiles: Vec<ProfileView>,
    presets: Vec<ProfileView>,
    active: String,
    ollama: Option<Vec<String>>,
}

#[tauri::command]
pub async fn llm_profiles(state: State<'_, AppState>) -> Reply<LlmProfiles> {
    let settings = state.settings();
    Ok(LlmProfiles {
        profiles: profile::views(&settings),
        presets: profile::presets(),
        active: settings.model_profile,
        ollama: model::detect_ollama(OLLAMA).await,
    })
}

const OLLAMA: &str = "http://localhost:11434";

/// Checks a saved profile: lists its models and asks for a one-word reply. The key comes from
/// the keychain only.
#[tauri::command]
pub async fn llm_test(profile: String, state: State<'_, AppState>) -> Reply<Check> {
    let (settings, keychain) = (state.settings(), state.keychain.clone());
    let endpoint = blocking(move || profile::resolve(&profile, &settings, &keychain, &NoEnv))
        .await?
        .ok_or_else(|| {
            EngineError::new(
                ErrorKind::BadInput,
                "Offline uses no model: nothing to test.",
            )
            .at_stage("llm")
        })?;
    model::check(endpoint, &CancelToken::new())
        .await
        .map_err(|e| EngineError::from_stage("llm", &e).into())
}

#[tauri::command]
pub async fn sandbox_status() -> SandboxStatus {
    sightline_sandbox::status(&DockerSettings::default()).await
}

/// Builds the sandbox image from the embedded Dockerfile (needs Docker and internet), streaming
/// the build's lines to the window; returns one sentence saying what was built.
#[tauri::command]
pub async fn sandbox_build_image(on_progress: Channel<String>) -> Reply<String> {
    let mut progress = |line: &str| {
        let _ = on_progress.send(line.to_string());
    };
    let report = sightline_sandbox::image::build_from_dockerfile(&mut progress)
        .await
        .map_err(|e| EngineError::new(e.kind().into(), e.to_string()).at_stage("sandbox"))?;
    Ok(format!(
        "Built {} in {:.0} s.",
        report.image, report.seconds
    ))
}

#[derive(Deserialize)]
pub struct SandboxArgs {
    code: String,
    #[serde(default)]
    data: std::collections::BTreeMap<String, String>,
    mode: Option<String>,
    timeout: Option<u64>,
    memory: Option<String>,
}

#[tauri::command]
pub async fn sandbox_run(request: SandboxArgs, state: State<'_, AppState>) -> Reply<SandboxResult> {
    // First, so "running code is turned off" is what the user hears when it is.
    let sandboxes = state.sandboxes().await?;
    let settings = state.settings();
    let bad = |e: sightline_sandbox::SandboxError| {
        EngineError::new(ErrorKind::BadInput, e.to_string()).at_stage("sandbox")
    };
    let mut run = SandboxRequest::new(request.code);
    run.data = request.data.into_iter().collect();
    run.mode = match request.mode {
        Some(mode) => Mode::from_str(&mode).map_err(bad)?,
        None => match settings.sandbox_mode {
            SandboxMode::Docker => Mode::Docker,
            SandboxMode::Restricted => Mode::Restricted,
            // `Off` was refused by `sandboxes()` above.
            SandboxMode::Auto | SandboxMode::Off => Mode::Auto,
        },
    };
    run.timeout = Duration::from_secs(request.timeout.unwrap_or(settings.sandbox_timeout_s.into()));
    let memory = request.memory.unwrap_or(settings.sandbox_memory);
    run.memory = sightline_sandbox::parse_memory(&memory).map_err(bad)?;
    Ok(sandboxes.run(&run).await)
}

/// Saves a kept answer as CSV or an HTML report at a path the user chose in the save dialog.
#[tauri::command]
pub async fn export_answer(
    request_id: String,
    format: String,
    path: PathBuf,
    state: State<'_, AppState>,
) -> Reply<()> {
    let format = match format.as_str() {
        "csv" => ExportFormat::Csv,
        "html" => ExportFormat::Html,
        other => {
            return Err(bad_export(format!(
                "'{other}' is not an export format: use csv or html."
            ))
            .into());
        }
    };
    check_extension(&path, format.extension())?;
    let answer = state.answer(&request_id)?;
    blocking(move || export::save_answer(&answer, format, &path)).await
}

/// Saves the chart's PNG (made by Plotly in the window) at a path the user chose.
#[tauri::command]
pub async fn save_png(path: PathBuf, base64: String) -> Reply<()> {
    check_extension(&path, "png")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64.trim_start_matches("data:image/png;base64,"))
        .map_err(|_| bad_export("The chart image could not be decoded.".into()))?;
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(bad_export("The chart image is not a PNG.".into()).into());
    }
    blocking(move || export::save_file(&path, &bytes)).await
}

/// Saves the chart's SVG (made by Plotly in the window) at a path the user chose.
#[tauri::command]
pub async fn save_svg(path: PathBuf, svg: String) -> Reply<()> {
    check_extension(&path, "svg")?;
    if !is_svg(&svg) {
        return Err(bad_export("The chart image is not an SVG.".into()).into());
    }
    blocking(move || export::save_file(&path, svg.as_bytes())).await
}

/// True when `text` is one `<svg>` element (after an optional XML declaration), the shape of
/// Plotly's SVG export; anything else is refused rather than written under a `.svg` name.
fn is_svg(text: &str) -> bool {
    let text = text.trim();
    let body = match text.strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map_or("", |(_, body)| body.trim_start()),
        None => text,
    };
    body.starts_with("<svg") && body.ends_with("</svg>")
}

/// Exports only write files of their own kind, whatever path the window sends.
fn check_extension(path: &Path, extension: &str) -> Result<(), EngineError> {
    let ok = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(extension));
    if ok && path.is_absolute() {
        Ok(())
    } else {
        Err(bad_export(format!(
            "Choose a file ending in .{extension} in the save dialog."
        )))
    }
}

fn bad_export(message: String) -> EngineError {
    EngineError::new(ErrorKind::BadInput, message).at_stage("export")
}

async fn blocking<T, F>(work: F) -> Reply<T>
where
    F: FnOnce() -> Result<T, EngineError> + Send + 'static,
    T: Send + 'static,
{
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| {
            EngineError::new(
                ErrorKind::Internal,
                format!("A background task failed: {e}"),
            )
        })?
        .map_err(AnswerError::from)
}

#[cfg(test)]
mod tests {
    use super::is_svg;

    #[test]
    fn only_an_svg_element_is_saved_as_svg() {
        assert!(is_svg(
            r#"<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>"#
        ));
        assert!(is_svg("<?xml version=\"1.0\"?>\n<svg><g/></svg>\n"));
        for refused in [
            "",
            "<html><svg></svg></html>",
            "<svg><g/>",
            "<?xml version=\"1.0\"?><html/>",
            "data:image/svg+xml,%3Csvg%3E%3C/svg%3E",
        ] {
            assert!(!is_svg(refused), "{refused}");
        }
    }
}
