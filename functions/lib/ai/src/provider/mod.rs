//! Text generation behind one interface, with an adapter per provider.
//!
//! - [`anthropic`]: the Anthropic Messages API.
//! - [`openai`]: any OpenAI-compatible chat completions endpoint (OpenAI, or a self-hosted model).
//! - [`offline`]: a deterministic generator that answers each task from its input facts alone, so
//!   the pipelines run with no account.

pub mod anthropic;
pub mod offline;
pub mod openai;

use secrecy::{ExposeSecret, SecretString};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed future, so the provider can be chosen at start-up.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Who speaks in a turn of the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The pipeline.
    User,
    /// The model.
    Assistant,
}

/// One turn of the conversation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Turn {
    /// Who speaks.
    pub role: Role,
    /// What is said.
    pub content: String,
}

impl Turn {
    /// A turn of the pipeline.
    pub fn user(content: impl Into<String>) -> Self {
        Self { role: Role::User, content: content.into() }
    }

    /// A turn of the model (its earlier answer, sent back in a repair).
    pub fn assistant(content: impl Into<String>) -> Self {
        Self { role: Role::Assistant, content: content.into() }
    }
}

/// One generation asked of a provider.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The task's name, e.g. `product_analysis`.
    pub task: &'static str,
    /// The system prompt.
    pub system: String,
    /// The conversation so far; the last turn is the pipeline's.
    pub turns: Vec<Turn>,
    /// The most output tokens the answer may use.
    pub max_tokens: u32,
    /// Sampling temperature.
    pub temperature: f32,
    /// The task's input as JSON: the facts the prompt was rendered from. Remote providers ignore
    /// it; the offline generator answers from it.
    pub facts: serde_json::Value,
}

impl Request {
    /// All the prompt text, for estimating input tokens.
    pub fn prompt_chars(&self) -> usize {
        self.system.chars().count() + self.turns.iter().map(|t| t.content.chars().count()).sum::<usize>()
    }
}

/// Tokens a generation used, as the provider reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenUsage {
    /// Prompt tokens.
    pub input: u64,
    /// Answer tokens.
    pub output: u64,
}

/// A provider's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    /// The answer's text.
    pub text: String,
    /// The tokens it used.
    pub usage: TokenUsage,
    /// True when the answer stopped at `max_tokens` rather than finishing.
    pub truncated: bool,
}

/// A failed call to a provider. Messages never contain the API key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// 429: too many requests or tokens; `retry_after` is the provider's hint.
    #[error("{provider} rate limited the request")]
    RateLimited {
        /// The provider's name.
        provider: &'static str,
        /// How long the provider asked to wait.
        retry_after: Option<Duration>,
    },
    /// 5xx (or 408): the provider failed or is overloaded.
    #[error("{provider} answered {status}: {message}")]
    Unavailable {
        /// The provider's name.
        provider: &'static str,
        /// HTTP status.
        status: u16,
        /// The provider's message, shortened.
        message: String,
    },
    /// The provider could not be reached or did not answer in time.
    #[error("{provider} unreachable: {message}")]
    Transport {
        /// The provider's name.
        provider: &'static str,
        /// What went wrong.
        message: String,
    },
    /// Any other 4xx: a bad key, a bad request, an unknown model. Retrying cannot help.
    #[error("{provider} refused the request ({status} {kind}): {message}")]
    Refused {
        /// The provider's name.
        provider: &'static str,
        /// HTTP status.
        status: u16,
        /// The provider's error type, e.g. `authentication_error`.
        kind: String,
        /// The provider's message, shortened.
        message: String,
    },
    /// A success status with a body that is not the documented shape.
    #[error("{provider} answered in an unexpected shape: {message}")]
    Malformed {
        /// The provider's name.
        provider: &'static str,
        /// What was wrong with it.
        message: String,
    },
    /// The offline generator was asked for a task it does not know, or given facts that are not
    /// the task's input.
    #[error("the offline generator cannot answer `{task}`: {message}")]
    Offline {
        /// The task.
        task: String,
        /// Why.
        message: String,
    },
}

impl ProviderError {
    /// Whether the same request may succeed if sent again shortly.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ProviderError::RateLimited { .. }
                | ProviderError::Unavailable { .. }
                | ProviderError::Transport { .. }
        )
    }
}

/// Generates text. Implemented by each provider's adapter.
pub trait Provider: Send + Sync {
    /// The provider's name: `offline`, `anthropic` or `openai`.
    fn name(&self) -> &'static str;
    /// The model asked for, used to price the tokens.
    fn model(&self) -> &str;
    /// Whether calls cost money and count against the tenant's budget.
    fn metered(&self) -> bool;
    /// One generation, without retries.
    fn generate<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Generation, ProviderError>>;
}

/// Longest provider message kept in an error.
const MESSAGE_MAX: usize = 300;

/// A provider's message made safe to log: shortened, and with the key removed should the
/// provider ever echo it.
pub(crate) fn scrub(message: &str, key: Option<&SecretString>) -> String {
    let mut text: String = message.chars().take(MESSAGE_MAX).collect();
    if let Some(key) = key.map(ExposeSecret::expose_secret).filter(|k| !k.is_empty()) {
        text = text.replace(key, "[redacted]");
        // A key cut in half by the shortening must not survive either.
        let head: String = key.chars().take(8).collect();
        if head.len() >= 8 {
            text = text.replace(&head, "[redacted]");
        }
    }
    text
}

/// Classifies an error status and body the way both HTTP providers do. `kind` and `message`
/// come from the provider's error document when it has one.
pub(crate) fn status_error(
    provider: &'static str,
    status: u16,
    retry_after: Option<Duration>,
    kind: String,
    message: String,
) -> ProviderError {
    match status {
        429 => ProviderError::RateLimited { provider, retry_after },
        408 | 500..=599 => ProviderError::Unavailable { provider, status, message },
        _ => ProviderError::Refused { provider, status, kind, message },
    }
}

/// Reads `retry-after` (seconds, possibly fractional) or `retry-after-ms`. HTTP dates are not
/// used by either provider and are ignored.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_millis(ms));
    }
    text("retry-after")
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_millis((s * 1000.0).min(86_400_000.0) as u64))
}

/// Turns a transport error into a [`ProviderError::Transport`]; reqwest's message names the URL,
/// which carries no key.
pub(crate) fn transport(provider: &'static str, error: &reqwest::Error) -> ProviderError {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    ProviderError::Transport { provider, message: format!("{what}: {error}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn retry_after_is_read_in_seconds_or_milliseconds() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert("retry-after", HeaderValue::from_static("0.5"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(500)));
        headers.insert("retry-after-ms", HeaderValue::from_static("120"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(120)));
        let mut dated = HeaderMap::new();
        dated.insert("retry-after", HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
        assert_eq!(retry_after(&dated), None);
    }

    #[test]
    fn statuses_are_classed_for_retry() {
        let error = |status| status_error("openai", status, None, "k".into(), "m".into());
        assert!(error(429).is_retryable());
        assert!(error(500).is_retryable());
        assert!(error(529).is_retryable());
        assert!(!error(400).is_retryable());
        assert!(!error(401).is_retryable());
    }

    #[test]
    fn an_echoed_key_is_scrubbed_from_messages() {
        let key = SecretString::from("sk-ant-very-secret-key-123");
        let text = scrub("invalid x-api-key sk-ant-very-secret-key-123 given", Some(&key));
        assert!(!text.contains("very-secret"), "{text}");
        let cut = scrub(&format!("{}sk-ant-ve", "x".repeat(MESSAGE_MAX - 9)), Some(&key));
        assert!(!cut.contains("sk-ant-v"), "{cut}");
    }
}
