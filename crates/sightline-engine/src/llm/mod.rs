//! Language models: profiles and presets ([`profile`]), the HTTP client with its fault handling
//! ([`client`]), the two wire protocols ([`wire`]) and their errors ([`error`]). The agents that
//! use a model live in `pipeline::agents`; everything here is about talking to one.

pub mod client;
pub mod error;
pub mod profile;
pub mod wire;

pub use client::{CallLimits, LlmClient, block_on};
pub use error::LlmError;
pub use profile::{Endpoint, ModelProfile, Protocol, Provider};
pub use wire::{ChatRequest, Reply, Turn};

use std::time::Duration;

use crate::progress::CancelToken;

/// What `sightline llm test` reports: the endpoint answered, which models it lists, and whether a
/// one-line chat worked.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct Check {
    pub profile: String,
    pub method: String,
    pub base_url: String,
    pub models: Vec<String>,
    /// Milliseconds the one-line chat took.
    pub chat_ms: f64,
    /// The model's reply, cut to 80 characters (text from a server: shown as text only).
    pub reply: String,
}

/// Lists the endpoint's models (when it lists them) and asks for a one-word reply.
pub async fn check(endpoint: Endpoint, cancel: &CancelToken) -> Result<Check, LlmError> {
    let limits = CallLimits {
        total: Duration::from_secs(60),
        ..CallLimits::default()
    };
    let client = LlmClient::new(endpoint, limits)?;
    // Some servers do not list models; that alone does not fail the check.
    let models = client.models(cancel).await.unwrap_or_default();
    let started = std::time::Instant::now();
    let reply = client
        .chat(
            &ChatRequest {
                system: "You are a connectivity check. Reply with the single word: ready".into(),
                turns: vec![Turn::user("Are you there?")],
                json: false,
                max_tokens: 16,
                stream: false,
            },
            cancel,
        )
        .await?;
    let endpoint = client.endpoint();
    Ok(Check {
        profile: endpoint.profile.clone(),
        method: endpoint.method(),
        base_url: endpoint.base_url.clone(),
        models,
        chat_ms: started.elapsed().as_secs_f64() * 1000.0,
        reply: reply.text.chars().take(80).collect(),
    })
}

/// The models of an Ollama server at `base` (`http://localhost:11434` by default), or `None`
/// when none answers within half a second: how the app offers Ollama when it runs.
pub async fn detect_ollama(base: &str) -> Option<Vec<String>> {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_millis(500))
        .timeout(Duration::from_secs(2))
        .build()
        .ok()?;
    let url = format!("{}/api/tags", base.trim_end_matches('/'));
    let reply: serde_json::Value = http.get(url).send().await.ok()?.json().await.ok()?;
    let models = reply.get("models")?.as_array()?;
    Some(
        models
            .iter()
            .filter_map(|m| m.get("name").and_then(|n| n.as_str()))
            .map(str::to_string)
            .collect(),
    )
}
