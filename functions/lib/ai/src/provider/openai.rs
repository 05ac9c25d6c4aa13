//! Any OpenAI-compatible chat completions endpoint: `POST {base}/v1/chat/completions`.
//!
//! The base URL may be given with or without its `/v1`. The bearer key is optional, since
//! self-hosted servers often need none. JSON mode (`response_format: {"type": "json_object"}`)
//! is asked for unless switched off for servers that refuse it. Answer: `choices[0].message.content`
//! and `usage.prompt_tokens` / `usage.completion_tokens`; `finish_reason: "length"` when cut off.
//! Errors come as `{"error": {"message", "type", "code"}}`.

use super::{
    retry_after, scrub, status_error, transport, BoxFuture, Generation, Provider, ProviderError, Request,
    TokenUsage,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

/// The production endpoint.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com";
/// The model used when `AI_MODEL` is not set.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

const NAME: &str = "openai";

/// The OpenAI-compatible adapter.
pub struct OpenAi {
    http: reqwest::Client,
    url: String,
    key: Option<SecretString>,
    model: String,
    json_mode: bool,
}

impl std::fmt::Debug for OpenAi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAi")
            .field("url", &self.url)
            .field("model", &self.model)
            .field("json_mode", &self.json_mode)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Answer {
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: AnswerMessage,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct AnswerMessage {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    prompt_tokens: u64,
    completion_tokens: u64,
}

#[derive(Deserialize)]
struct ErrorDocument {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

/// The chat completions URL for a base URL given with or without `/v1`.
pub fn completions_url(base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    if base.ends_with("/v1") {
        format!("{base}/chat/completions")
    } else {
        format!("{base}/v1/chat/completions")
    }
}

impl OpenAi {
    /// An adapter calling `base_url` for `model`, with a bearer `key` when there is one.
    pub fn new(
        http: reqwest::Client,
        base_url: &str,
        key: Option<SecretString>,
        model: impl Into<String>,
        json_mode: bool,
    ) -> Self {
        Self { http, url: completions_url(base_url), key, model: model.into(), json_mode }
    }

    /// The HTTP request for one generation.
    pub fn build(&self, request: &Request) -> reqwest::Result<reqwest::Request> {
        let mut messages = vec![json!({"role": "system", "content": request.system})];
        messages.extend(request.turns.iter().map(|t| json!(t)));
        let mut body = json!({
            "model": self.model,
            "messages": messages,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        });
        if self.json_mode {
            body["response_format"] = json!({"type": "json_object"});
        }
        let mut builder =
            self.http.post(&self.url).header("content-type", "application/json").body(body.to_string());
        if let Some(key) = &self.key {
            builder = builder.bearer_auth(key.expose_secret());
        }
        builder.build()
    }

    async fn call(&self, request: &Request) -> Result<Generation, ProviderError> {
        let http_request = self.build(request).map_err(|e| transport(NAME, &e))?;
        let response = self.http.execute(http_request).await.map_err(|e| transport(NAME, &e))?;
        let status = response.status().as_u16();
        let wait = retry_after(response.headers());
        let body = response.text().await.map_err(|e| transport(NAME, &e))?;
        if !(200..300).contains(&status) {
            let (kind, message) = match serde_json::from_str::<ErrorDocument>(&body) {
                Ok(doc) => (doc.error.kind.unwrap_or_else(|| "error".into()), doc.error.message),
                Err(_) => ("http_error".to_owned(), body),
            };
            return Err(status_error(NAME, status, wait, kind, scrub(&message, self.key.as_ref())));
        }
        let answer: Answer = serde_json::from_str(&body)
            .map_err(|e| ProviderError::Malformed { provider: NAME, message: e.to_string() })?;
        let choice = answer
            .choices
            .into_iter()
            .next()
            .ok_or(ProviderError::Malformed { provider: NAME, message: "no choices".into() })?;
        let usage = answer.usage.map_or(TokenUsage::default(), |u| TokenUsage {
            input: u.prompt_tokens,
            output: u.completion_tokens,
        });
        Ok(Generation {
            text: choice.message.content.unwrap_or_default(),
            usage,
            truncated: choice.finish_reason.as_deref() == Some("length"),
        })
    }
}

impl Provider for OpenAi {
    fn name(&self) -> &'static str {
        NAME
    }

    fn model(&self) -> &str {
        &self.model
    }

    fn metered(&self) -> bool {
        true
    }

    fn generate<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Generation, ProviderError>> {
        Box::pin(self.call(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::Turn;

    fn request() -> Request {
        Request {
            task: "product_content",
            system: "Answer in JSON.".into(),
            turns: vec![Turn::user("Write it.")],
            max_tokens: 500,
            temperature: 0.7,
            facts: json!({}),
        }
    }

    fn body(built: &reqwest::Request) -> serde_json::Value {
        serde_json::from_slice(built.body().unwrap().as_bytes().unwrap()).unwrap()
    }

    #[test]
    fn the_base_url_may_end_in_v1_or_not() {
        assert_eq!(completions_url("https://api.openai.com"), "https://api.openai.com/v1/chat/completions");
        assert_eq!(completions_url("http://127.0.0.1:8000/v1/"), "http://127.0.0.1:8000/v1/chat/completions");
    }

    #[test]
    fn the_system_prompt_comes_first_and_json_mode_is_asked_for() {
        let adapter = OpenAi::new(
            reqwest::Client::new(),
            "http://127.0.0.1:1",
            Some(SecretString::from("sk-test")),
            DEFAULT_MODEL,
            true,
        );
        let built = adapter.build(&request()).unwrap();
        assert_eq!(built.headers()["authorization"], "Bearer sk-test");
        let body = body(&built);
        assert_eq!(body["messages"][0], json!({"role": "system", "content": "Answer in JSON."}));
        assert_eq!(body["messages"][1], json!({"role": "user", "content": "Write it."}));
        assert_eq!(body["max_tokens"], 500);
        assert_eq!(body["response_format"], json!({"type": "json_object"}));
        assert!(!format!("{adapter:?}").contains("sk-test"));
    }

    #[test]
    fn a_keyless_server_without_json_mode_gets_neither() {
        let adapter = OpenAi::new(reqwest::Client::new(), "http://127.0.0.1:1/v1", None, "llama3", false);
        let built = adapter.build(&request()).unwrap();
        assert!(built.headers().get("authorization").is_none());
        assert!(body(&built).get("response_format").is_none());
    }
}
