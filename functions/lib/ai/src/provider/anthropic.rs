//! The Anthropic Messages API: `POST {base}/v1/messages`.
//!
//! Request: `x-api-key`, `anthropic-version: 2023-06-01`, and a JSON body of `model`,
//! `max_tokens`, `system`, `temperature` and `messages`. Answer: text blocks in `content[]`,
//! `usage.input_tokens` and `usage.output_tokens`, and `stop_reason` (`max_tokens` when cut
//! off). Errors come as `{"type": "error", "error": {"type", "message"}}`.

use super::{
    retry_after, scrub, status_error, transport, BoxFuture, Generation, Provider, ProviderError, Request,
    TokenUsage,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

/// The production endpoint.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
/// The API version this adapter speaks.
pub const API_VERSION: &str = "2023-06-01";
/// The model used when `AI_MODEL` is not set.
pub const DEFAULT_MODEL: &str = "claude-sonnet-4-20250514";

const NAME: &str = "anthropic";

/// The Anthropic adapter.
pub struct Anthropic {
    http: reqwest::Client,
    base_url: String,
    key: SecretString,
    model: String,
}

impl std::fmt::Debug for Anthropic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Anthropic")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Answer {
    content: Vec<Block>,
    usage: Usage,
    stop_reason: Option<String>,
}

#[derive(Deserialize)]
struct Block {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct Usage {
    input_tokens: u64,
    output_tokens: u64,
}

#[derive(Deserialize)]
struct ErrorDocument {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(rename = "type")]
    kind: String,
    message: String,
}

impl Anthropic {
    /// An adapter calling `base_url` (without `/v1`) with `key` for `model`.
    pub fn new(http: reqwest::Client, base_url: &str, key: SecretString, model: impl Into<String>) -> Self {
        Self { http, base_url: base_url.trim_end_matches('/').to_owned(), key, model: model.into() }
    }

    /// The HTTP request for one generation.
    pub fn build(&self, request: &Request) -> reqwest::Result<reqwest::Request> {
        let body = json!({
            "model": self.model,
            "max_tokens": request.max_tokens,
            "system": request.system,
            "temperature": request.temperature,
            "messages": request.turns,
        });
        self.http
            .post(format!("{}/v1/messages", self.base_url))
            .header("x-api-key", self.key.expose_secret())
            .header("anthropic-version", API_VERSION)
            .header("content-type", "application/json")
            .body(body.to_string())
            .build()
    }

    async fn call(&self, request: &Request) -> Result<Generation, ProviderError> {
        let http_request = self.build(request).map_err(|e| transport(NAME, &e))?;
        let response = self.http.execute(http_request).await.map_err(|e| transport(NAME, &e))?;
        let status = response.status().as_u16();
        let wait = retry_after(response.headers());
        let body = response.text().await.map_err(|e| transport(NAME, &e))?;
        if !(200..300).contains(&status) {
            let (kind, message) = match serde_json::from_str::<ErrorDocument>(&body) {
                Ok(doc) => (doc.error.kind, doc.error.message),
                Err(_) => ("http_error".to_owned(), body),
            };
            return Err(status_error(NAME, status, wait, kind, scrub(&message, Some(&self.key))));
        }
        let answer: Answer = serde_json::from_str(&body)
            .map_err(|e| ProviderError::Malformed { provider: NAME, message: e.to_string() })?;
        let text: String =
            answer.content.iter().filter(|b| b.kind == "text").map(|b| b.text.as_str()).collect();
        Ok(Generation {
            text,
            usage: TokenUsage { input: answer.usage.input_tokens, output: answer.usage.output_tokens },
            truncated: answer.stop_reason.as_deref() == Some("max_tokens"),
        })
    }
}

impl Provider for Anthropic {
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
            task: "product_analysis",
            system: "Answer in JSON.".into(),
            turns: vec![Turn::user("Analyse this."), Turn::assistant("{"), Turn::user("Fix it.")],
            max_tokens: 1_000,
            temperature: 0.2,
            facts: json!({}),
        }
    }

    #[test]
    fn the_request_carries_the_documented_headers_and_body() {
        let adapter = Anthropic::new(
            reqwest::Client::new(),
            "http://127.0.0.1:1/",
            SecretString::from("sk-test"),
            DEFAULT_MODEL,
        );
        let built = adapter.build(&request()).unwrap();
        assert_eq!(built.url().as_str(), "http://127.0.0.1:1/v1/messages");
        assert_eq!(built.headers()["x-api-key"], "sk-test");
        assert_eq!(built.headers()["anthropic-version"], "2023-06-01");
        assert_eq!(built.headers()["content-type"], "application/json");
        let body: serde_json::Value =
            serde_json::from_slice(built.body().unwrap().as_bytes().unwrap()).unwrap();
        assert_eq!(body["model"], DEFAULT_MODEL);
        assert_eq!(body["max_tokens"], 1_000);
        assert_eq!(body["system"], "Answer in JSON.");
        assert_eq!(body["messages"][0], json!({"role": "user", "content": "Analyse this."}));
        assert_eq!(body["messages"][1]["role"], "assistant");
        assert!(!format!("{adapter:?}").contains("sk-test"));
    }
}
