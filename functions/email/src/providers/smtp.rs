//! SMTP through `lettre`: a `multipart/alternative` message (text, then HTML) with the mail's
//! extra headers and a Message-ID derived from the idempotency key, so every retry of one mail
//! carries the same id.
//!
//! TLS is required (STARTTLS, or implicit TLS) for any host but loopback, where maildev listens
//! in plain text.
//!
//! Connections are pooled ([`POOL_SIZE`] at most) and reused across mails and batches: one
//! greeting, `EHLO`, TLS handshake and login per connection instead of per mail. A pooled
//! connection is checked before reuse (`NOOP`), so one the relay closed while the function was
//! frozen is replaced, not failed on.

use super::{Accepted, BoxFuture, MailProvider, SendError};
use crate::mail::OutgoingMail;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// Connections held open to the relay at most: one per mail a batch handles at once.
pub const POOL_SIZE: u32 = crate::handler::MAIL_CONCURRENCY as u32;

/// How the connection to the relay is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text: only allowed to a loopback host.
    None,
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Implicit,
}

/// Where and how to reach the relay.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// Relay host name.
    pub host: String,
    /// Relay port.
    pub port: u16,
    /// Transport security.
    pub tls: SmtpTls,
    /// User name and password, when the relay wants them.
    pub credentials: Option<(String, SecretString)>,
}

/// The SMTP adapter.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp").finish_non_exhaustive()
    }
}

impl Smtp {
    /// A transport to the relay, with a pool of connections opened as mails need them.
    pub fn new(settings: &SmtpSettings) -> anyhow::Result<Self> {
        let tls = match settings.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::StartTls => Tls::Required(TlsParameters::new(settings.host.clone())?),
            SmtpTls::Implicit => Tls::Wrapper(TlsParameters::new(settings.host.clone())?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
            .port(settings.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(20)))
            .pool_config(PoolConfig::new().max_size(POOL_SIZE).idle_timeout(Duration::from_secs(60)));
        if let Some((user, password)) = &settings.credentials {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose_secret().to_owned()));
        }
        Ok(Self { transport: builder.build() })
    }
}

/// The Message-ID of a mail: the same for every attempt at it.
pub fn message_id(mail: &OutgoingMail) -> String {
    let digest = hex::encode(Sha256::digest(mail.key.as_bytes()));
    format!("<{}@{}>", &digest[..32], mail.from.email.domain())
}

/// The MIME message for `mail`.
pub fn message(mail: &OutgoingMail) -> Result<Message, SendError> {
    let refused = |detail: String| SendError::Refused { provider: "smtp", detail };
    let mut builder = Message::builder()
        .from(mail.from.clone())
        .to(Mailbox::new(None, mail.to.clone()))
        .subject(mail.subject.clone())
        .message_id(Some(message_id(mail)));
    if let Some(reply_to) = &mail.reply_to {
        builder = builder.reply_to(Mailbox::new(None, reply_to.clone()));
    }
    for (name, value) in &mail.headers {
        let name = HeaderName::new_from_ascii(name.clone())
            .map_err(|_| refused(format!("`{name}` is not a header name")))?;
        builder = builder.raw_header(HeaderValue::new(name, value.clone()));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
        .map_err(|e| refused(format!("building the message: {e}")))
}

impl MailProvider for Smtp {
    fn name(&self) -> &'static str {
        "smtp"
    }

    fn send<'a>(&'a self, mail: &'a OutgoingMail) -> BoxFuture<'a, Result<Accepted, SendError>> {
        Box::pin(async move {
            let message = message(mail)?;
            match self.transport.send(message).await {
                Ok(response) => {
                    let reply = response.message().collect::<Vec<_>>().join(" ");
                    Ok(Accepted { provider_id: Some(reply).filter(|r| !r.is_empty()) })
                }
                // 5yz: the relay will not take this mail, whenever we try.
                Err(e) if e.is_permanent() => {
                    Err(SendError::Refused { provider: "smtp", detail: e.to_string() })
                }
                Err(e) => Err(SendError::Unavailable { provider: "smtp", detail: e.to_string() }),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::{LIST_UNSUBSCRIBE, LIST_UNSUBSCRIBE_POST, ONE_CLICK};

    fn mail(headers: Vec<(String, String)>) -> OutgoingMail {
        OutgoingMail {
            key: "research_report:run-1".into(),
            from: "Cozy Paws <no-reply@dropship.localhost>".parse().unwrap(),
            to: "ada@example.com".parse().unwrap(),
            reply_to: Some("owner@cozypaws.example".parse().unwrap()),
            subject: "5 new products".into(),
            html: "<p>Hello <b>Ada</b></p>".into(),
            text: "Hello Ada".into(),
            headers,
        }
    }

    fn formatted(mail: &OutgoingMail) -> String {
        String::from_utf8(message(mail).unwrap().formatted()).unwrap()
    }

    #[test]
    fn an_smtp_message_has_both_parts_the_addresses_and_a_stable_message_id() {
        let mail = mail(Vec::new());
        let text = formatted(&mail);
        assert!(text.contains("From: \"Cozy Paws\" <no-reply@dropship.localhost>\r\n"), "{text}");
        assert!(text.contains("To: ada@example.com\r\n"));
        assert!(text.contains("Reply-To: owner@cozypaws.example\r\n"));
        assert!(text.contains("Subject: 5 new products\r\n"));
        assert!(text.contains("Content-Type: multipart/alternative;"));
        assert!(text.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(text.contains("Content-Type: text/html; charset=utf-8"));
        assert!(
            text.find("Hello Ada").unwrap() < text.find("<p>Hello <b>Ada</b></p>").unwrap(),
            "text before HTML"
        );
        let id = message_id(&mail);
        assert!(text.contains(&format!("Message-ID: {id}\r\n")));
        assert_eq!(id, message_id(&mail.clone()), "the same mail gets the same id");
        assert!(id.ends_with("@dropship.localhost>"));
        assert!(!text.contains("List-Unsubscribe"));
    }

    #[test]
    fn a_marketing_smtp_message_carries_the_unsubscribe_headers() {
        let mail = mail(vec![
            (LIST_UNSUBSCRIBE.into(), "<https://demo.example.com/unsubscribe/tok>".into()),
            (LIST_UNSUBSCRIBE_POST.into(), ONE_CLICK.into()),
        ]);
        let text = formatted(&mail);
        assert!(text.contains("List-Unsubscribe: <https://demo.example.com/unsubscribe/tok>\r\n"), "{text}");
        assert!(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    }
}
