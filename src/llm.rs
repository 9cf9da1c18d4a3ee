//! `sightline llm list` and `sightline llm test PROFILE`, and the resolution of `--llm PROFILE`:
//! the profiles are the presets plus those the desktop app saved; keys come from the keychain or,
//! on the command line, from `SIGHTLINE_LLM_API_KEY` or the provider's own variable.

use std::io;
use std::process::ExitCode;

use std::sync::Arc;

use serde::Serialize;
use sightline_engine::llm::profile::{self, ProcessEnv};
use sightline_engine::llm::{self as model, Endpoint};
use sightline_engine::pipeline::agents::Analyst;
use sightline_engine::secrets::Keychain;
use sightline_engine::settings::Author;
use sightline_engine::settings::{self, Settings};
use sightline_engine::{AskRequest, CancelToken, EngineError};
use sightline_sandbox::{DockerSettings, PoolSettings, Sandboxes};

use crate::outcome::{self, Context};

/// The endpoint `--llm PROFILE` names (`None` for offline), and the settings that say what may
/// be sent and what the model writes (the app's, or the defaults: schema only, native parts).
pub fn endpoint(name: &str) -> Result<(Option<Endpoint>, Settings), EngineError> {
    let settings = settings_for(name)?;
    let endpoint = profile::resolve(name, &settings, &Keychain::default(), &ProcessEnv)?;
    Ok((endpoint, settings))
}

/// Sets the model of `request` from `--llm PROFILE` (or the HTTP body's `llm`); model-written
/// analyses run through `sandboxes`.
pub fn use_profile(
    request: &mut AskRequest,
    name: &str,
    sandboxes: impl FnOnce() -> Arc<Sandboxes>,
) -> Result<(), EngineError> {
    let (endpoint, settings) = endpoint(name)?;
    if endpoint.is_some() && settings.analysis_author == Author::Model {
        request.analyst = Analyst::from_settings(&settings, sandboxes());
    }
    request.model = endpoint;
    request.schema_only = settings.schema_only;
    request.chart_author = settings.chart_author;
    Ok(())
}

/// Sandboxes for one command: no warm spares, each job in a fresh container.
pub fn cold_sandboxes() -> Arc<Sandboxes> {
    Arc::new(Sandboxes::new(
        DockerSettings::default(),
        PoolSettings {
            spares: 0,
            ..PoolSettings::default()
        },
    ))
}

/// The app's settings, needed only for a profile that is not a preset.
fn settings_for(name: &str) -> Result<Settings, EngineError> {
    let preset = name == profile::OFFLINE
        || name == profile::ENV_PROFILE
        || model::Provider::ALL.iter().any(|p| p.code() == name);
    match settings::saved_by_app() {
        Ok(settings) => Ok(settings),
        // A broken settings file must not stop a preset from working; it stops its own profiles.
        Err(_) if preset => Ok(Settings::default()),
        Err(error) => Err(error),
    }
}

#[derive(Serialize)]
struct Listing {
    profiles: Vec<Listed>,
    active: String,
    /// Models of an Ollama server on localhost:11434, when one runs.
    ollama: Option<Vec<String>>,
}

#[derive(Serialize)]
struct Listed {
    name: String,
    provider: &'static str,
    base_url: String,
    model: String,
}

pub async fn list(json: bool, context: &Context) -> io::Result<ExitCode> {
    let settings = match settings::saved_by_app() {
        Ok(settings) => settings,
        Err(error) => return outcome::fail(context, error),
    };
    let profiles = profile::available(&settings)
        .into_iter()
        .map(|p| {
            let preset = p.provider.preset();
            let or = |own: String, preset: &str| {
                if own.is_empty() {
                    preset.to_string()
                } else {
                    own
                }
            };
            Listed {
                name: p.name,
                provider: p.provider.code(),
                base_url: or(p.base_url, preset.base_url),
                model: or(p.model, preset.model),
            }
        })
        .collect();
    let listing = Listing {
        profiles,
        active: settings.model_profile,
        ollama: model::detect_ollama("http://localhost:11434").await,
    };
    if json {
        outcome::print_json(&listing)?;
    } else {
        println!(
            "{:<14} {:<11} {:<38} MODEL",
            "PROFILE", "PROVIDER", "BASE URL"
        );
        for p in &listing.profiles {
            let active = if p.name == listing.active {
                " (active)"
            } else {
                ""
            };
            println!(
                "{:<14} {:<11} {:<38} {}{active}",
                p.name, p.provider, p.base_url, p.model
            );
        }
        match &listing.ollama {
            Some(models) => println!("\nOllama runs here with: {}", models.join(", ")),
            None => println!("\nNo Ollama server answers on localhost:11434."),
        }
        println!("offline (the embedded planner) needs no profile; env reads SIGHTLINE_LLM_*.");
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn test(name: &str, json: bool, context: &Context) -> io::Result<ExitCode> {
    let endpoint = match endpoint(name) {
        Ok((Some(endpoint), _)) => endpoint,
        Ok((None, _)) => {
            let error = EngineError::new(
                sightline_engine::ErrorKind::BadInput,
                "offline is the embedded planner: there is no model to test.",
            );
            return outcome::fail(context, error);
        }
        Err(error) => return outcome::fail(context, error),
    };
    match model::check(endpoint, &CancelToken::default()).await {
        Ok(check) if json => {
            outcome::print_json(&check)?;
            Ok(ExitCode::SUCCESS)
        }
        Ok(check) => {
            println!(
                "{} answers at {} ({})",
                check.profile, check.base_url, check.method
            );
            if !check.models.is_empty() {
                let shown: Vec<&str> = check.models.iter().take(12).map(String::as_str).collect();
                println!("models: {}", shown.join(", "));
            }
            println!("chat: {:.0} ms, replied {:?}", check.chat_ms, check.reply);
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => outcome::fail(context, EngineError::from_stage("llm", &error)),
    }
}
