//! The AI layer's configuration, read once at start from the environment.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `AI_PROVIDER` | `offline`, `anthropic` or `openai` | `offline` |
//! | `AI_MODEL` | the model asked for | `claude-sonnet-4-20250514` / `gpt-4o-mini` |
//! | `ANTHROPIC_API_KEY` | required with `anthropic` | |
//! | `ANTHROPIC_BASE_URL` | | `https://api.anthropic.com` |
//! | `OPENAI_API_KEY` | optional: self-hosted servers may need none | |
//! | `OPENAI_BASE_URL` | with or without `/v1` | `https://api.openai.com` |
//! | `OPENAI_JSON_MODE` | `false` for servers that refuse `response_format` | `true` |
//! | `AI_MAX_CONCURRENCY` | calls in flight per process | 4 |
//! | `AI_MAX_ATTEMPTS` | attempts per call, on 429, 5xx and transport errors | 4 |
//! | `AI_TIMEOUT_SECS` | per HTTP call | 60 |
//!
//! The offline generator is chosen unless a provider is named: a key in a developer's shell
//! never sends local runs or tests to a paid API by itself.

use crate::provider::{anthropic, openai};
use crate::retry::RetryPolicy;
use anyhow::{bail, Context};
use secrecy::SecretString;
use std::time::Duration;

/// Which provider generates text, with what it needs.
#[derive(Debug, Clone)]
pub enum ProviderConfig {
    /// The deterministic offline generator.
    Offline,
    /// The Anthropic Messages API.
    Anthropic {
        /// Base URL without `/v1`.
        base_url: String,
        /// The API key.
        key: SecretString,
        /// The model.
        model: String,
    },
    /// An OpenAI-compatible endpoint.
    OpenAi {
        /// Base URL, with or without `/v1`.
        base_url: String,
        /// The bearer key, if the server needs one.
        key: Option<SecretString>,
        /// The model.
        model: String,
        /// Whether to ask for `response_format: json_object`.
        json_mode: bool,
    },
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct AiConfig {
    /// The provider.
    pub provider: ProviderConfig,
    /// Calls in flight at once in this process.
    pub max_concurrency: usize,
    /// How calls are retried.
    pub retry: RetryPolicy,
    /// Per HTTP call.
    pub timeout: Duration,
}

impl Default for AiConfig {
    fn default() -> Self {
        Self {
            provider: ProviderConfig::Offline,
            max_concurrency: 4,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
        }
    }
}

fn number<T: std::str::FromStr>(
    get: &dyn Fn(&str) -> Option<String>,
    name: &str,
    default: T,
) -> anyhow::Result<T> {
    match get(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .ok()
            .with_context(|| format!("`{name}` must be a positive number, got `{raw}`")),
    }
}

impl AiConfig {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_vars(&|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `get`, which returns a variable's value; empty values
    /// count as unset.
    pub fn from_vars(get: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let get = &|name: &str| get(name).filter(|v| !v.trim().is_empty());
        let model = |default: &str| get("AI_MODEL").unwrap_or_else(|| default.to_owned());
        let provider = match get("AI_PROVIDER").as_deref().map(str::trim).unwrap_or("offline") {
            "offline" => ProviderConfig::Offline,
            "anthropic" => ProviderConfig::Anthropic {
                base_url: get("ANTHROPIC_BASE_URL").unwrap_or_else(|| anthropic::DEFAULT_BASE_URL.to_owned()),
                key: SecretString::from(
                    get("ANTHROPIC_API_KEY").context("AI_PROVIDER=anthropic needs `ANTHROPIC_API_KEY`")?,
                ),
                model: model(anthropic::DEFAULT_MODEL),
            },
            "openai" => ProviderConfig::OpenAi {
                base_url: get("OPENAI_BASE_URL").unwrap_or_else(|| openai::DEFAULT_BASE_URL.to_owned()),
                key: get("OPENAI_API_KEY").map(SecretString::from),
                model: model(openai::DEFAULT_MODEL),
                json_mode: match get("OPENAI_JSON_MODE").as_deref() {
                    None | Some("true" | "1") => true,
                    Some("false" | "0") => false,
                    Some(other) => bail!("`OPENAI_JSON_MODE` must be true or false, got `{other}`"),
                },
            },
            other => bail!("`AI_PROVIDER` must be offline, anthropic or openai, got `{other}`"),
        };
        let max_concurrency: usize = number(get, "AI_MAX_CONCURRENCY", 4)?;
        let max_attempts: u32 = number(get, "AI_MAX_ATTEMPTS", 4)?;
        let timeout: u64 = number(get, "AI_TIMEOUT_SECS", 60)?;
        if max_concurrency == 0 || max_attempts == 0 || timeout == 0 {
            bail!("`AI_MAX_CONCURRENCY`, `AI_MAX_ATTEMPTS` and `AI_TIMEOUT_SECS` must be above 0");
        }
        Ok(Self {
            provider,
            max_concurrency,
            retry: RetryPolicy { max_attempts, ..RetryPolicy::default() },
            timeout: Duration::from_secs(timeout),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> anyhow::Result<AiConfig> {
        let vars: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        AiConfig::from_vars(&|name| vars.get(name).cloned())
    }

    #[test]
    fn offline_is_the_default_even_when_a_key_is_present() {
        let config = config(&[("ANTHROPIC_API_KEY", "sk-ant")]).unwrap();
        assert!(matches!(config.provider, ProviderConfig::Offline));
    }

    #[test]
    fn anthropic_needs_its_key_and_the_error_names_it() {
        let error = config(&[("AI_PROVIDER", "anthropic")]).unwrap_err();
        assert!(error.to_string().contains("ANTHROPIC_API_KEY"), "{error}");
        let ok = config(&[("AI_PROVIDER", "anthropic"), ("ANTHROPIC_API_KEY", "sk-ant-secret")]).unwrap();
        assert!(
            matches!(ok.provider, ProviderConfig::Anthropic { ref model, .. } if model == anthropic::DEFAULT_MODEL)
        );
        assert!(!format!("{ok:?}").contains("sk-ant-secret"), "keys never reach the logs");
    }

    #[test]
    fn openai_may_run_without_a_key_against_a_self_hosted_server() {
        let config = config(&[
            ("AI_PROVIDER", "openai"),
            ("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1"),
            ("AI_MODEL", "llama3"),
            ("OPENAI_JSON_MODE", "false"),
        ])
        .unwrap();
        let ProviderConfig::OpenAi { key, model, json_mode, .. } = config.provider else { panic!() };
        assert!(key.is_none());
        assert_eq!((model.as_str(), json_mode), ("llama3", false));
    }

    #[test]
    fn unknown_providers_and_bad_numbers_are_refused() {
        assert!(config(&[("AI_PROVIDER", "gemini")]).unwrap_err().to_string().contains("AI_PROVIDER"));
        assert!(config(&[("AI_MAX_ATTEMPTS", "many")]).unwrap_err().to_string().contains("AI_MAX_ATTEMPTS"));
        assert!(config(&[("AI_MAX_CONCURRENCY", "0")]).is_err());
    }
}
