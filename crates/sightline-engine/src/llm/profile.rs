//! Model profiles: the providers Sightline knows ([`Provider`], each with its preset endpoint,
//! default model and wire protocol), the profiles a user names in the settings
//! ([`ModelProfile`]), and their resolution into an [`Endpoint`] the client can call, with the key
//! read from the keychain or, for the command line, the environment.
//!
//! `offline` is not a profile: it is the absence of one. `env` is the profile of CONTRACT.md made
//! from `SIGHTLINE_LLM_BASE_URL`, `SIGHTLINE_LLM_MODEL` and `SIGHTLINE_LLM_API_KEY`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{EngineError, ErrorKind};
use crate::secrets::{Secret, SecretStore};
use crate::settings::Settings;

/// The profile name that means "no model: the embedded planner".
pub const OFFLINE: &str = "offline";
/// The profile made from environment variables.
pub const ENV_PROFILE: &str = "env";

/// The two wire protocols spoken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// `POST {base}/chat/completions`, as OpenAI, Groq, Ollama, LM Studio and OpenRouter serve it.
    OpenAiChat,
    /// `POST {base}/messages`, Anthropic's Messages API.
    AnthropicMessages,
}

/// A provider with a preset; `Custom` is any OpenAI-compatible base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Groq,
    OpenAi,
    Ollama,
    LmStudio,
    OpenRouter,
    Anthropic,
    Custom,
}

/// What a provider brings when the profile leaves a field empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub base_url: &'static str,
    pub model: &'static str,
    pub protocol: Protocol,
    /// Whether calls are refused without a key (local servers need none).
    pub needs_key: bool,
    /// The variable the provider's own tools read the key from, for the command line.
    pub key_variable: Option<&'static str>,
}

impl Provider {
    pub const ALL: [Provider; 7] = [
        Provider::Groq,
        Provider::OpenAi,
        Provider::Ollama,
        Provider::LmStudio,
        Provider::OpenRouter,
        Provider::Anthropic,
        Provider::Custom,
    ];

    /// The name used in `method` (`llm:PROVIDER:MODEL`) and in the settings.
    pub fn code(self) -> &'static str {
        match self {
            Provider::Groq => "groq",
            Provider::OpenAi => "openai",
            Provider::Ollama => "ollama",
            Provider::LmStudio => "lmstudio",
            Provider::OpenRouter => "openrouter",
            Provider::Anthropic => "anthropic",
            Provider::Custom => "custom",
        }
    }

    pub fn preset(self) -> Preset {
        let openai = |base_url, model, needs_key, key_variable| Preset {
            base_url,
            model,
            protocol: Protocol::OpenAiChat,
            needs_key,
            key_variable,
        };
        match self {
            // The seed's provider and model.
            Provider::Groq => openai(
                "https://api.groq.com/openai/v1",
                "llama-3.3-70b-versatile",
                true,
                Some("GROQ_API_KEY"),
            ),
            Provider::OpenAi => openai(
                "https://api.openai.com/v1",
                "gpt-4o-mini",
                true,
                Some("OPENAI_API_KEY"),
            ),
            Provider::Ollama => openai("http://localhost:11434/v1", "llama3.1", false, None),
            Provider::LmStudio => openai("http://localhost:1234/v1", "", false, None),
            Provider::OpenRouter => openai(
                "https://openrouter.ai/api/v1",
                "meta-llama/llama-3.3-70b-instruct",
                true,
                Some("OPENROUTER_API_KEY"),
            ),
            Provider::Anthropic => Preset {
                base_url: "https://api.anthropic.com/v1",
                model: "claude-3-5-haiku-latest",
                protocol: Protocol::AnthropicMessages,
                needs_key: true,
                key_variable: Some("ANTHROPIC_API_KEY"),
            },
            Provider::Custom => openai("", "", false, None),
        }
    }

    fn from_code(code: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// A profile as the user names it in the settings. Empty fields take the provider's preset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ModelProfile {
    pub name: String,
    pub provider: Provider,
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub model: String,
}

/// A profile ready to call: where, which model, how, and the key if one is needed.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub profile: String,
    pub provider: Provider,
    pub protocol: Protocol,
    /// Without a trailing slash.
    pub base_url: String,
    pub model: String,
    pub key: Option<Secret>,
}

impl Endpoint {
    /// `llm:PROVIDER:MODEL`, the answer's `method`.
    pub fn method(&self) -> String {
        format!("llm:{}:{}", self.provider.code(), self.model)
    }
}

/// Where a key may come from besides the keychain: the process environment for the command line,
/// nothing for the desktop app.
pub trait KeySource {
    fn variable(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl KeySource for ProcessEnv {
    fn variable(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

/// No environment (the desktop app reads keys from the keychain only).
pub struct NoEnv;

impl KeySource for NoEnv {
    fn variable(&self, _name: &str) -> Option<String> {
        None
    }
}

/// The profiles a user can pick: the built-in presets (named after their provider) followed by the
/// ones in the settings, which win over a preset of the same name.
pub fn available(settings: &Settings) -> Vec<ModelProfile> {
    let mut profiles: Vec<ModelProfile> = Provider::ALL
        .into_iter()
        .filter(|p| *p != Provider::Custom)
        .filter(|p| !settings.profiles.iter().any(|s| s.name == p.code()))
        .map(|provider| ModelProfile {
            name: provider.code().to_string(),
            provider,
            base_url: String::new(),
            model: String::new(),
        })
        .collect();
    profiles.extend(settings.profiles.iter().cloned());
    profiles
}

/// A profile as the app shows it: the base URL and model calls go to (the profile's own, else
/// its provider's preset), whether the provider refuses calls without a key, and whether the user
/// saved it (editable) or it is a built-in preset.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ProfileView {
    pub name: String,
    pub provider: Provider,
    pub base_url: String,
    pub model: String,
    pub needs_key: bool,
    pub saved: bool,
}

impl ProfileView {
    fn of(profile: &ModelProfile, saved: bool) -> Self {
        let preset = profile.provider.preset();
        ProfileView {
            name: profile.name.clone(),
            provider: profile.provider,
            base_url: pick(&profile.base_url, preset.base_url),
            model: pick(&profile.model, preset.model),
            needs_key: preset.needs_key,
            saved,
        }
    }
}

/// [`available`] as the app shows it, with the presets' values filled in.
pub fn views(settings: &Settings) -> Vec<ProfileView> {
    available(settings)
        .iter()
        .map(|p| ProfileView::of(p, settings.profiles.iter().any(|s| s.name == p.name)))
        .collect()
}

/// Every provider's preset (`custom` included, with empty values), named after the provider:
/// what an empty field of a profile of that provider takes.
pub fn presets() -> Vec<ProfileView> {
    Provider::ALL
        .into_iter()
        .map(|provider| {
            let profile = ModelProfile {
                name: provider.code().to_string(),
                provider,
                base_url: String::new(),
                model: String::new(),
            };
            ProfileView::of(&profile, false)
        })
        .collect()
}

/// Resolves `name` into an endpoint. `Ok(None)` for `offline`. Keys: the keychain entry of the
/// profile, else (command line only, through `env`) `SIGHTLINE_LLM_API_KEY` or the provider's own
/// variable such as `GROQ_API_KEY`.
pub fn resolve(
    name: &str,
    settings: &Settings,
    keys: &dyn SecretStore,
    env: &dyn KeySource,
) -> Result<Option<Endpoint>, EngineError> {
    let name = name.trim();
    if name.is_empty() || name == OFFLINE {
        return Ok(None);
    }
    if name == ENV_PROFILE {
        return from_environment(env).map(Some);
    }
    let Some(profile) = available(settings).into_iter().find(|p| p.name == name) else {
        let names: Vec<String> = available(settings).into_iter().map(|p| p.name).collect();
        return Err(unavailable(format!(
            "There is no model profile named '{name}'. Use offline, env, or one of: {}.",
            names.join(", ")
        )));
    };
    let preset = profile.provider.preset();
    let base_url = pick(&profile.base_url, preset.base_url);
    let model = pick(&profile.model, preset.model);
    if base_url.is_empty() {
        return Err(unavailable(format!(
            "The profile '{name}' has no base URL; set one in Settings (an OpenAI-compatible endpoint such as http://localhost:11434/v1)."
        )));
    }
    if model.is_empty() {
        return Err(unavailable(format!(
            "The profile '{name}' names no model; set the model in Settings (for LM Studio, the model loaded in it)."
        )));
    }
    let key = match keys.get(name) {
        Ok(Some(key)) => Some(key),
        Ok(None) => environment_key(env, preset.key_variable),
        // The environment is a real alternative for the command line; the keychain error is kept
        // when it has nothing either.
        Err(error) => match environment_key(env, preset.key_variable) {
            Some(key) => Some(key),
            None if preset.needs_key => return Err(error),
            None => None,
        },
    };
    if preset.needs_key && key.is_none() {
        let variable = preset
            .key_variable
            .map(|v| format!(" or set SIGHTLINE_LLM_API_KEY / {v} for the command line"))
            .unwrap_or_default();
        return Err(unavailable(format!(
            "The profile '{name}' needs an API key: save it in Settings (it goes to the system keychain){variable}."
        )));
    }
    Ok(Some(Endpoint {
        profile: name.to_string(),
        provider: profile.provider,
        protocol: preset.protocol,
        base_url,
        model,
        key,
    }))
}

fn from_environment(env: &dyn KeySource) -> Result<Endpoint, EngineError> {
    let base_url = env.variable("SIGHTLINE_LLM_BASE_URL").ok_or_else(|| {
        unavailable(
            "The env profile needs SIGHTLINE_LLM_BASE_URL (an OpenAI-compatible endpoint such as https://api.groq.com/openai/v1) and SIGHTLINE_LLM_MODEL.",
        )
    })?;
    let model = env.variable("SIGHTLINE_LLM_MODEL").ok_or_else(|| {
        unavailable("The env profile needs SIGHTLINE_LLM_MODEL, the model to ask.")
    })?;
    let protocol = match env.variable("SIGHTLINE_LLM_PROTOCOL").as_deref() {
        None | Some("openai") => Protocol::OpenAiChat,
        Some("anthropic") => Protocol::AnthropicMessages,
        Some(other) => {
            return Err(unavailable(format!(
                "SIGHTLINE_LLM_PROTOCOL is '{other}'; use openai or anthropic."
            )));
        }
    };
    let provider = provider_of(&base_url, protocol);
    Ok(Endpoint {
        profile: ENV_PROFILE.to_string(),
        provider,
        protocol,
        base_url: base_url.trim().trim_end_matches('/').to_string(),
        model: model.trim().to_string(),
        key: env.variable("SIGHTLINE_LLM_API_KEY").map(Secret::new),
    })
}

/// The provider a base URL belongs to, for `method`; `custom` when it is none of the presets.
fn provider_of(base_url: &str, protocol: Protocol) -> Provider {
    let url = base_url.trim().trim_end_matches('/');
    Provider::ALL
        .into_iter()
        .filter(|p| *p != Provider::Custom)
        .find(|p| {
            let preset = p.preset();
            preset.protocol == protocol && preset.base_url == url
        })
        .unwrap_or(Provider::Custom)
}

fn environment_key(env: &dyn KeySource, provider_variable: Option<&str>) -> Option<Secret> {
    env.variable("SIGHTLINE_LLM_API_KEY")
        .or_else(|| provider_variable.and_then(|v| env.variable(v)))
        .map(Secret::new)
}

fn pick(chosen: &str, preset: &str) -> String {
    let chosen = chosen.trim();
    if chosen.is_empty() { preset } else { chosen }
        .trim_end_matches('/')
        .to_string()
}

fn unavailable(message: impl Into<String>) -> EngineError {
    EngineError::new(ErrorKind::LlmUnavailable, message).at_stage("plan")
}

/// Checks the profiles of a settings value: names usable as keychain entries, unique, not a
/// reserved name, and a base URL for custom ones.
pub fn check_profiles(profiles: &[ModelProfile]) -> Result<(), String> {
    for (i, profile) in profiles.iter().enumerate() {
        let name = profile.name.as_str();
        if !is_profile_name(name) {
            return Err(format!(
                "'{name}' cannot name a profile: use up to 64 letters, digits, '-', '_' or '.'"
            ));
        }
        if name == OFFLINE || name == ENV_PROFILE {
            return Err(format!("'{name}' is reserved; choose another name"));
        }
        if profiles[..i].iter().any(|p| p.name == name) {
            return Err(format!("two profiles are named '{name}'"));
        }
        if profile.provider == Provider::Custom && profile.base_url.trim().is_empty() {
            return Err(format!(
                "the custom profile '{name}' needs a base URL such as http://localhost:8080/v1"
            ));
        }
        if !profile.base_url.trim().is_empty() && !crate::settings::is_http_url(&profile.base_url) {
            return Err(format!(
                "the base URL of '{name}' must start with http:// or https://"
            ));
        }
    }
    Ok(())
}

/// A name usable as a profile and a keychain entry: the one rule the settings, the profile list
/// and the keychain all check.
pub fn is_profile_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl std::str::FromStr for Provider {
    type Err = String;
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Provider::from_code(code).ok_or_else(|| {
            let codes: Vec<&str> = Provider::ALL.iter().map(|p| p.code()).collect();
            format!("unknown provider '{code}'; use one of {}", codes.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecrets;
    use std::collections::HashMap;

    struct Vars(HashMap<&'static str, &'static str>);
    impl KeySource for Vars {
        fn variable(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| v.to_string())
        }
    }

    #[test]
    fn offline_is_no_profile_and_presets_fill_empty_fields() {
        let settings = Settings::default();
        let keys = MemorySecrets::default();
        assert!(
            resolve("offline", &settings, &keys, &NoEnv)
                .unwrap()
                .is_none()
        );
        keys.set("groq", &Secret::new("gsk-1")).unwrap();
        let groq = resolve("groq", &settings, &keys, &NoEnv).unwrap().unwrap();
        assert_eq!(groq.base_url, "https://api.groq.com/openai/v1");
        assert_eq!(groq.method(), "llm:groq:llama-3.3-70b-versatile");
        assert_eq!(groq.key, Some(Secret::new("gsk-1")));
    }

    #[test]
    fn a_missing_key_is_named_and_local_servers_need_none() {
        let settings = Settings::default();
        let keys = MemorySecrets::default();
        let error = resolve("openai", &settings, &keys, &NoEnv).unwrap_err();
        assert_eq!(error.kind, ErrorKind::LlmUnavailable);
        assert!(
            error.message.contains("needs an API key"),
            "{}",
            error.message
        );
        let ollama = resolve("ollama", &settings, &keys, &NoEnv)
            .unwrap()
            .unwrap();
        assert!(ollama.key.is_none());
        let vars = Vars(HashMap::from([("OPENAI_API_KEY", "sk-env")]));
        let openai = resolve("openai", &settings, &keys, &vars).unwrap().unwrap();
        assert_eq!(openai.key, Some(Secret::new("sk-env")));
    }

    #[test]
    fn settings_profiles_override_presets_and_unknown_names_list_the_choices() {
        let settings = Settings {
            profiles: vec![ModelProfile {
                name: "work".into(),
                provider: Provider::Custom,
                base_url: "http://10.0.0.5:8000/v1/".into(),
                model: "qwen2.5".into(),
            }],
            ..Settings::default()
        };
        let work = resolve("work", &settings, &MemorySecrets::default(), &NoEnv)
            .unwrap()
            .unwrap();
        assert_eq!(work.base_url, "http://10.0.0.5:8000/v1");
        assert_eq!(work.method(), "llm:custom:qwen2.5");
        let error = resolve("nope", &settings, &MemorySecrets::default(), &NoEnv).unwrap_err();
        assert!(error.message.contains("work") && error.message.contains("groq"));
    }

    #[test]
    fn views_fill_in_presets_and_mark_saved_profiles() {
        let settings = Settings {
            profiles: vec![ModelProfile {
                name: "groq".into(),
                provider: Provider::Groq,
                base_url: String::new(),
                model: "llama-3.1-8b-instant".into(),
            }],
            ..Settings::default()
        };
        let views = views(&settings);
        let groq = views.iter().find(|v| v.name == "groq").unwrap();
        assert_eq!(groq.base_url, "https://api.groq.com/openai/v1");
        assert_eq!(groq.model, "llama-3.1-8b-instant");
        assert!(groq.needs_key && groq.saved);
        let ollama = views.iter().find(|v| v.name == "ollama").unwrap();
        assert!(!ollama.needs_key && !ollama.saved);
        assert_eq!(ollama.model, "llama3.1");
        assert_eq!(views.iter().filter(|v| v.name == "groq").count(), 1);
        let presets = presets();
        assert_eq!(presets.len(), Provider::ALL.len());
        let custom = presets
            .iter()
            .find(|p| p.provider == Provider::Custom)
            .unwrap();
        assert!(custom.base_url.is_empty() && custom.model.is_empty());
    }

    #[test]
    fn the_env_profile_reads_the_contract_variables() {
        let vars = Vars(HashMap::from([
            ("SIGHTLINE_LLM_BASE_URL", "https://api.groq.com/openai/v1/"),
            ("SIGHTLINE_LLM_MODEL", "llama-3.3-70b-versatile"),
            ("SIGHTLINE_LLM_API_KEY", "gsk-env"),
        ]));
        let env = resolve(
            "env",
            &Settings::default(),
            &MemorySecrets::default(),
            &vars,
        )
        .unwrap()
        .unwrap();
        assert_eq!(env.provider, Provider::Groq);
        assert_eq!(env.key, Some(Secret::new("gsk-env")));
        let missing = resolve(
            "env",
            &Settings::default(),
            &MemorySecrets::default(),
            &NoEnv,
        )
        .unwrap_err();
        assert!(missing.message.contains("SIGHTLINE_LLM_BASE_URL"));
    }

    #[test]
    fn profile_lists_are_checked() {
        let custom = |name: &str, url: &str| ModelProfile {
            name: name.into(),
            provider: Provider::Custom,
            base_url: url.into(),
            model: "m".into(),
        };
        assert!(check_profiles(&[custom("a", "http://x/v1")]).is_ok());
        assert!(check_profiles(&[custom("a", "")]).is_err());
        assert!(check_profiles(&[custom("env", "http://x")]).is_err());
        assert!(check_profiles(&[custom("a", "http://x"), custom("a", "http://y")]).is_err());
        assert!(check_profiles(&[custom("a b", "http://x")]).is_err());
        assert!(check_profiles(&[custom("a", "file:///etc")]).is_err());
    }
}
