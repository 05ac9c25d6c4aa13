//! Who delivers the mail: one small interface, one adapter per provider, chosen by
//! `EMAIL_PROVIDER` at start-up.
//!
//! - [`smtp`]: any SMTP relay (maildev locally), through `lettre`.
//! - [`resend`]: `POST /emails` of the Resend API; the envelope's idempotency key goes along as
//!   `Idempotency-Key`, so Resend itself drops a repeated request for 24 hours.
//! - [`sendgrid`]: `POST /v3/mail/send` of the SendGrid API.
//!
//! A provider either accepts a mail (and names it) or fails with an error that says whether a
//! retry may succeed: connection errors, timeouts, 429 and 5xx may; other refusals will not.

pub mod resend;
pub mod sendgrid;
pub mod smtp;

use crate::mail::OutgoingMail;
use lettre::message::Mailbox;
use std::future::Future;
use std::pin::Pin;

/// A boxed future, so the provider can be chosen at start-up.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Delivers rendered mails.
pub trait MailProvider: Send + Sync {
    /// The provider's name in logs and records: `smtp`, `resend`, `sendgrid`.
    fn name(&self) -> &'static str;
    /// Hands one mail to the provider.
    fn send<'a>(&'a self, mail: &'a OutgoingMail) -> BoxFuture<'a, Result<Accepted, SendError>>;
}

/// The provider took the mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The provider's id for it (Resend's `id`, SendGrid's `X-Message-Id`, the SMTP server's
    /// queue reply), when it gave one.
    pub provider_id: Option<String>,
}

/// The provider did not take the mail.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The provider could not be reached, timed out, throttled (429) or failed (5xx).
    #[error("{provider} is unavailable, the mail will be retried: {detail}")]
    Unavailable {
        /// Which provider.
        provider: &'static str,
        /// What went wrong (never a credential).
        detail: String,
    },
    /// The provider refused this mail or our credentials (other 4xx, SMTP 5yz).
    #[error("{provider} refused the mail: {detail}")]
    Refused {
        /// Which provider.
        provider: &'static str,
        /// What went wrong (never a credential).
        detail: String,
    },
}

impl SendError {
    /// Whether sending the same mail later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::Unavailable { .. })
    }
}

/// Classifies an HTTP provider's answer that is not a success.
pub(crate) fn http_error(provider: &'static str, status: u16, body: &str) -> SendError {
    let detail = format!("HTTP {status}: {}", shorten(body));
    if status == 429 || status >= 500 {
        SendError::Unavailable { provider, detail }
    } else {
        SendError::Refused { provider, detail }
    }
}

/// Classifies a failed HTTP exchange (no answer).
pub(crate) fn transport_error(provider: &'static str, error: reqwest::Error) -> SendError {
    // Without the URL: the provider's name says where it went.
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    SendError::Unavailable { provider, detail: format!("{kind}: {}", error.without_url()) }
}

fn shorten(body: &str) -> String {
    const MAX: usize = 300;
    let body = body.trim();
    match body.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &body[..at]),
        None => body.to_owned(),
    }
}

/// `"Name" <address>` (or just the address) for the JSON APIs, which take UTF-8 as it is.
pub(crate) fn display_mailbox(mailbox: &Mailbox) -> String {
    match mailbox.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => {
            let quoted: String = name
                .chars()
                .filter(|c| !c.is_control())
                .flat_map(|c| match c {
                    '"' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            format!("\"{quoted}\" <{}>", mailbox.email)
        }
        None => mailbox.email.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_and_server_errors_are_retryable_other_refusals_are_not() {
        assert!(http_error("resend", 429, "slow down").is_retryable());
        assert!(http_error("resend", 503, "").is_retryable());
        assert!(!http_error("resend", 422, "invalid `to`").is_retryable());
        assert!(!http_error("sendgrid", 401, "bad key").is_retryable());
    }

    #[test]
    fn long_error_bodies_are_shortened() {
        let err = http_error("resend", 500, &"x".repeat(1000));
        assert!(err.to_string().len() < 400, "{err}");
    }

    #[test]
    fn a_display_name_is_quoted_for_the_json_apis() {
        let mailbox: Mailbox = "Dropship <no-reply@dropship.localhost>".parse().unwrap();
        assert_eq!(display_mailbox(&mailbox), "\"Dropship\" <no-reply@dropship.localhost>");
        let odd = Mailbox::new(Some("Tom \"T\" Café".into()), "t@example.com".parse().unwrap());
        assert_eq!(display_mailbox(&odd), "\"Tom \\\"T\\\" Café\" <t@example.com>");
        let bare = Mailbox::new(None, "t@example.com".parse().unwrap());
        assert_eq!(display_mailbox(&bare), "t@example.com");
    }
}
