//! Resend: `POST {base}/emails` with a bearer key and a JSON body (`from`, `to`, `subject`,
//! `html`, `text`, `headers`, `reply_to`); a success answers `{"id": "..."}`.
//!
//! The envelope's idempotency key is sent as `Idempotency-Key` (Resend keeps it 24 hours), so a
//! request repeated after a lost answer does not send twice.

use super::{display_mailbox, http_error, transport_error, Accepted, BoxFuture, MailProvider, SendError};
use crate::mail::OutgoingMail;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// Where the Resend API lives.
pub const DEFAULT_BASE_URL: &str = "https://api.resend.com";
/// Resend takes idempotency keys of at most this many characters.
pub const MAX_IDEMPOTENCY_KEY: usize = 256;

/// The Resend adapter.
pub struct Resend {
    http: reqwest::Client,
    base_url: String,
    api_key: SecretString,
}

impl std::fmt::Debug for Resend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resend").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl Resend {
    /// A client of the API at `base_url` ([`DEFAULT_BASE_URL`] in production).
    pub fn new(http: reqwest::Client, base_url: impl Into<String>, api_key: SecretString) -> Self {
        Self { http, base_url: base_url.into().trim_end_matches('/').to_owned(), api_key }
    }
}

/// The JSON body Resend expects for `mail`.
pub fn request_body(mail: &OutgoingMail) -> Value {
    let mut body = json!({
        "from": display_mailbox(&mail.from),
        "to": [mail.to.to_string()],
        "subject": mail.subject,
        "html": mail.html,
        "text": mail.text,
    });
    if !mail.headers.is_empty() {
        let headers: Map<String, Value> =
            mail.headers.iter().map(|(name, value)| (name.clone(), Value::String(value.clone()))).collect();
        body["headers"] = Value::Object(headers);
    }
    if let Some(reply_to) = &mail.reply_to {
        body["reply_to"] = json!([reply_to.to_string()]);
    }
    body
}

/// The `Idempotency-Key` for an envelope key: the key itself when Resend takes it, else its hash.
pub fn idempotency_key(key: &str) -> String {
    if key.len() <= MAX_IDEMPOTENCY_KEY && key.chars().all(|c| c.is_ascii_graphic()) {
        key.to_owned()
    } else {
        format!("sha256-{}", hex::encode(Sha256::digest(key.as_bytes())))
    }
}

impl MailProvider for Resend {
    fn name(&self) -> &'static str {
        "resend"
    }

    fn send<'a>(&'a self, mail: &'a OutgoingMail) -> BoxFuture<'a, Result<Accepted, SendError>> {
        Box::pin(async move {
            let response = self
                .http
                .post(format!("{}/emails", self.base_url))
                .bearer_auth(self.api_key.expose_secret())
                .header("idempotency-key", idempotency_key(&mail.key))
                .json(&request_body(mail))
                .send()
                .await
                .map_err(|e| transport_error("resend", e))?;
            let status = response.status();
            // A failed read of a success answer still means the mail was accepted.
            let text = response.text().await.unwrap_or_default();
            if !status.is_success() {
                return Err(http_error("resend", status.as_u16(), &text));
            }
            let id = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned));
            Ok(Accepted { provider_id: id })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_printable_keys_are_sent_as_they_are_and_others_hashed() {
        assert_eq!(idempotency_key("verify_email:u1:t1"), "verify_email:u1:t1");
        let long = idempotency_key(&"k".repeat(300));
        assert!(long.starts_with("sha256-") && long.len() == 71, "{long}");
        assert!(idempotency_key("has space").starts_with("sha256-"));
    }

    #[test]
    fn the_api_key_is_not_in_the_debug_output() {
        let resend = Resend::new(reqwest::Client::new(), DEFAULT_BASE_URL, SecretString::from("re_secret"));
        assert!(!format!("{resend:?}").contains("re_secret"));
    }
}
