//! SendGrid: `POST {base}/v3/mail/send` with a bearer key and the v3 JSON body (one
//! personalization per mail, `content` with `text/plain` before `text/html`); a success answers
//! `202 Accepted` with the message's id in `X-Message-Id`.
//!
//! SendGrid has no idempotency key: the envelope's key travels in `custom_args`, so its event
//! webhooks can be matched to the mail, and this function's own record guards against resending.

use super::{http_error, transport_error, Accepted, BoxFuture, MailProvider, SendError};
use crate::mail::OutgoingMail;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};

/// Where the SendGrid API lives.
pub const DEFAULT_BASE_URL: &str = "https://api.sendgrid.com";

/// The SendGrid adapter.
pub struct SendGrid {
    http: reqwest::Client,
    base_url: String,
    api_key: SecretString,
}

impl std::fmt::Debug for SendGrid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendGrid").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl SendGrid {
    /// A client of the API at `base_url` ([`DEFAULT_BASE_URL`] in production).
    pub fn new(http: reqwest::Client, base_url: impl Into<String>, api_key: SecretString) -> Self {
        Self { http, base_url: base_url.into().trim_end_matches('/').to_owned(), api_key }
    }
}

/// The JSON body SendGrid expects for `mail`.
pub fn request_body(mail: &OutgoingMail) -> Value {
    let mut from = json!({ "email": mail.from.email.to_string() });
    if let Some(name) = mail.from.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        from["name"] = json!(name);
    }
    let mut body = json!({
        "personalizations": [{ "to": [{ "email": mail.to.to_string() }] }],
        "from": from,
        "subject": mail.subject,
        "content": [
            { "type": "text/plain", "value": mail.text },
            { "type": "text/html", "value": mail.html },
        ],
        "custom_args": { "idempotency_key": mail.key },
    });
    if !mail.headers.is_empty() {
        let headers: Map<String, Value> =
            mail.headers.iter().map(|(name, value)| (name.clone(), Value::String(value.clone()))).collect();
        body["headers"] = Value::Object(headers);
    }
    if let Some(reply_to) = &mail.reply_to {
        body["reply_to"] = json!({ "email": reply_to.to_string() });
    }
    body
}

impl MailProvider for SendGrid {
    fn name(&self) -> &'static str {
        "sendgrid"
    }

    fn send<'a>(&'a self, mail: &'a OutgoingMail) -> BoxFuture<'a, Result<Accepted, SendError>> {
        Box::pin(async move {
            let response = self
                .http
                .post(format!("{}/v3/mail/send", self.base_url))
                .bearer_auth(self.api_key.expose_secret())
                .json(&request_body(mail))
                .send()
                .await
                .map_err(|e| transport_error("sendgrid", e))?;
            let status = response.status();
            let id = response.headers().get("x-message-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
            if status.is_success() {
                return Ok(Accepted { provider_id: id });
            }
            let text = response.text().await.unwrap_or_default();
            Err(http_error("sendgrid", status.as_u16(), &text))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_key_is_not_in_the_debug_output() {
        let sendgrid =
            SendGrid::new(reqwest::Client::new(), DEFAULT_BASE_URL, SecretString::from("SG.secret"));
        assert!(!format!("{sendgrid:?}").contains("SG.secret"));
    }
}
