//! Turns an email request into the mail every provider sends: sender, recipient, subject, the
//! HTML and text parts, and the headers a marketing mail must carry.
//!
//! The function fills what every mail shares itself, never from the request's data: the brand
//! name (the store's, else the platform's), the accent colour (the store's, else the platform's)
//! and, for marketing mails, the unsubscribe link. A marketing mail always gets
//! `List-Unsubscribe` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), and an
//! unsubscribe line in both parts (see [`crate::mails`]).

use crate::flows::{INTRO, SUBJECT_OVERRIDE};
use crate::http_url::HttpUrl;
use crate::mails::{self, Accent, Frame, RenderError};
use lettre::message::Mailbox;
use lettre::Address;
use queues::messages::{EmailCategory, EmailRequested};
use serde_json::Value;

/// The brand name when neither the store nor `EMAIL_FROM` names one.
pub const DEFAULT_BRAND: &str = "Dropship";
/// Longest store name put into a sender name or a mail.
const BRAND_MAX_CHARS: usize = 78;
/// Longest subject line.
const SUBJECT_MAX_CHARS: usize = 200;

/// The header that lists how to unsubscribe.
pub const LIST_UNSUBSCRIBE: &str = "List-Unsubscribe";
/// The header that makes the unsubscribe URL one-click (RFC 8058).
pub const LIST_UNSUBSCRIBE_POST: &str = "List-Unsubscribe-Post";
/// The only value [`LIST_UNSUBSCRIBE_POST`] takes.
pub const ONE_CLICK: &str = "List-Unsubscribe=One-Click";

/// Who the platform's mails come from (`EMAIL_FROM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The address and display name, e.g. `Dropship <no-reply@dropship.localhost>`.
    pub from: Mailbox,
}

impl Sender {
    /// A sender from `EMAIL_FROM`.
    pub fn new(from: Mailbox) -> Self {
        Self { from }
    }

    fn platform_name(&self) -> &str {
        self.from.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or(DEFAULT_BRAND)
    }
}

/// A rendered mail, ready for any provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// The envelope's idempotency key: names this mail at the provider where it can.
    pub key: String,
    /// The sender; the store's name as display name when it has one.
    pub from: Mailbox,
    /// The recipient.
    pub to: Address,
    /// Where replies go, when the store set it.
    pub reply_to: Option<Address>,
    /// One line, no control characters.
    pub subject: String,
    /// The HTML part.
    pub html: String,
    /// The text part.
    pub text: String,
    /// Extra headers, in order (the unsubscribe headers of marketing mails).
    pub headers: Vec<(String, String)>,
}

impl OutgoingMail {
    /// The value of header `name`, if set (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Why a request could not become a mail. Retrying does not help: the message is bad.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// The mail and the request's data do not fit.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The recipient or reply-to passed the platform's check but is no valid mailbox.
    #[error("the {0} address cannot be used in a mail")]
    Address(&'static str),
    /// A marketing mail's unsubscribe URL is not one a mail client can POST to.
    #[error("the unsubscribe URL must be https:// (http:// only on a loopback host)")]
    UnsubscribeUrl,
}

/// Renders `request` as sent by `sender`; `key` is the envelope's idempotency key.
pub fn compose(sender: &Sender, key: &str, request: &EmailRequested) -> Result<OutgoingMail, ComposeError> {
    let store_name = request
        .branding
        .store_name
        .as_deref()
        .map(|n| clean_line(n, BRAND_MAX_CHARS))
        .filter(|n| !n.is_empty());
    let brand = store_name.clone().unwrap_or_else(|| sender.platform_name().to_owned());
    let accent = Accent::or_default(request.branding.accent_color.as_deref());
    let unsubscribe = match &request.category {
        EmailCategory::Transactional => None,
        EmailCategory::Marketing { unsubscribe_url } => Some(
            HttpUrl::parse(unsubscribe_url)
                .ok()
                .filter(HttpUrl::is_https_or_loopback)
                .ok_or(ComposeError::UnsubscribeUrl)?,
        ),
    };
    // A merchant's own subject and intro (flow settings) are plain text.
    let intro = request.data.get(INTRO).and_then(Value::as_str).map(str::trim).filter(|i| !i.is_empty());
    let frame = Frame { brand: &brand, accent: &accent, intro };
    let rendered = mails::render(request.template, &frame, unsubscribe.as_ref(), &request.data)?;
    let subject = match request.data.get(SUBJECT_OVERRIDE).and_then(Value::as_str) {
        Some(own) if !own.trim().is_empty() => clean_line(own, SUBJECT_MAX_CHARS),
        _ => clean_line(&rendered.subject, SUBJECT_MAX_CHARS),
    };

    let mut headers = Vec::new();
    if let Some(url) = &unsubscribe {
        headers.push((LIST_UNSUBSCRIBE.to_owned(), format!("<{url}>")));
        headers.push((LIST_UNSUBSCRIBE_POST.to_owned(), ONE_CLICK.to_owned()));
    }

    let to = request.to.as_str().parse::<Address>().map_err(|_| ComposeError::Address("recipient"))?;
    let reply_to = match &request.branding.reply_to {
        Some(address) => {
            Some(address.as_str().parse::<Address>().map_err(|_| ComposeError::Address("reply-to"))?)
        }
        None => None,
    };
    let from_name = store_name.or_else(|| sender.from.name.clone());
    Ok(OutgoingMail {
        key: key.to_owned(),
        from: Mailbox::new(from_name, sender.from.email.clone()),
        to,
        reply_to,
        subject,
        html: rendered.html,
        text: rendered.text,
        headers,
    })
}

/// One line of text: control characters (newlines included) become spaces, so data cannot add
/// a header; trimmed and bounded.
fn clean_line(value: &str, max_chars: usize) -> String {
    let line: String = value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    line.trim().chars().take(max_chars).collect::<String>().trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mails::DEFAULT_ACCENT;
    use domain::accounts::Email;
    use queues::messages::{Branding, EmailTemplate};
    use serde_json::json;

    fn sender() -> Sender {
        Sender::new("Dropship <no-reply@dropship.localhost>".parse().unwrap())
    }

    fn request(template: EmailTemplate, category: EmailCategory, data: Value) -> EmailRequested {
        EmailRequested {
            template,
            to: Email::parse("ada@example.com").unwrap(),
            category,
            data: data.as_object().cloned().unwrap(),
            branding: Branding::default(),
        }
    }

    fn verify(category: EmailCategory) -> EmailRequested {
        request(
            EmailTemplate::VerifyEmail,
            category,
            json!({"verify_url": "https://app.dropship.localhost/verify?token=abc&u=1"}),
        )
    }

    fn marketing() -> EmailCategory {
        EmailCategory::Marketing { unsubscribe_url: "https://demo.example.com/unsubscribe/tok123".into() }
    }

    #[test]
    fn a_transactional_mail_has_no_unsubscribe_headers_or_link() {
        let mail = compose(&sender(), "k1", &verify(EmailCategory::Transactional)).unwrap();
        assert!(mail.headers.is_empty());
        assert!(!mail.html.contains("Unsubscribe"));
        assert!(!mail.text.contains("Unsubscribe"));
        assert_eq!(mail.subject, "Confirm your email address for Dropship");
        assert!(mail.html.contains("href=\"https://app.dropship.localhost/verify?token=abc&amp;u=1\""));
        assert!(mail.text.contains("https://app.dropship.localhost/verify?token=abc&u=1"));
        assert_eq!(mail.to.to_string(), "ada@example.com");
        assert_eq!(mail.from.to_string(), "Dropship <no-reply@dropship.localhost>");
    }

    #[test]
    fn a_marketing_mail_carries_one_click_unsubscribe_headers_and_a_link_in_both_parts() {
        let mail = compose(&sender(), "k1", &verify(marketing())).unwrap();
        assert_eq!(mail.header("list-unsubscribe"), Some("<https://demo.example.com/unsubscribe/tok123>"));
        assert_eq!(mail.header("List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
        let link =
            "<a href=\"https://demo.example.com/unsubscribe/tok123\" style=\"color:#71717a\">Unsubscribe</a>";
        let at = mail.html.find(link).expect("unsubscribe link in the HTML part");
        assert!(at < mail.html.find("</body>").unwrap(), "the link is inside the body");
        assert!(mail.text.ends_with("Unsubscribe: https://demo.example.com/unsubscribe/tok123\n"));
    }

    #[test]
    fn a_marketing_mail_needs_an_https_unsubscribe_url() {
        for url in ["http://shop.example.com/u", "mailto:u@example.com", "javascript:alert(1)"] {
            let category = EmailCategory::Marketing { unsubscribe_url: url.into() };
            assert!(
                matches!(compose(&sender(), "k", &verify(category)), Err(ComposeError::UnsubscribeUrl)),
                "{url}"
            );
        }
        for url in ["http://127.0.0.1:8787/u/1", "http://demo.localhost:8788/u", "http://[::1]/u"] {
            let category = EmailCategory::Marketing { unsubscribe_url: url.into() };
            assert!(compose(&sender(), "k", &verify(category)).is_ok(), "{url}");
        }
    }

    #[test]
    fn missing_template_data_fails_with_the_field_named() {
        let request = request(
            EmailTemplate::PasswordReset,
            EmailCategory::Transactional,
            json!({"reset_url": "https://x.example/r"}),
        );
        let err = compose(&sender(), "k", &request).unwrap_err();
        assert_eq!(
            err.to_string(),
            "template `password_reset` needs `expires_in_minutes`, which the mail's data does not have"
        );
    }

    #[test]
    fn store_branding_names_the_sender_and_colours_the_mail_but_keeps_the_platform_address() {
        let mut request = verify(EmailCategory::Transactional);
        request.branding = Branding {
            store_name: Some("Cozy <Paws>\r\nBcc: evil@example.com".into()),
            accent_color: Some("#ff6600".into()),
            reply_to: Some(Email::parse("owner@cozypaws.example").unwrap()),
        };
        let mail = compose(&sender(), "k", &request).unwrap();
        assert_eq!(mail.from.name.as_deref(), Some("Cozy <Paws>  Bcc: evil@example.com"));
        assert_eq!(mail.from.email.to_string(), "no-reply@dropship.localhost");
        assert_eq!(mail.reply_to.unwrap().to_string(), "owner@cozypaws.example");
        assert!(!mail.subject.contains('\n') && !mail.subject.contains('\r'));
        assert!(mail.html.contains("Cozy &lt;Paws&gt;"));
        assert!(mail.html.contains("background:#ff6600"));
    }

    #[test]
    fn an_invalid_accent_colour_falls_back_to_the_platform_colour() {
        let mut request = verify(EmailCategory::Transactional);
        request.branding.accent_color = Some("red;background:url(https://evil.example)".into());
        let mail = compose(&sender(), "k", &request).unwrap();
        assert!(mail.html.contains(&format!("background:{DEFAULT_ACCENT}")));
        assert!(!mail.html.contains("evil.example"));
    }

    #[test]
    fn data_cannot_override_what_the_function_fills() {
        let mut request = verify(marketing());
        request.data.insert("unsubscribe_url".into(), json!("https://evil.example/keep-mailing"));
        request.data.insert("brand_name".into(), json!("Not the store"));
        let mail = compose(&sender(), "k", &request).unwrap();
        assert!(!mail.html.contains("evil.example") && !mail.html.contains("Not the store"));
    }

    #[test]
    fn every_template_renders_with_its_documented_data() {
        let cases = [
            (EmailTemplate::VerifyEmail, json!({"verify_url": "https://a.example/v"})),
            (
                EmailTemplate::Invitation,
                json!({"company": "Cozy Paws Ltd", "role": "staff", "accept_url": "https://a.example/i", "expires_in_days": 7}),
            ),
            (
                EmailTemplate::PasswordReset,
                json!({"reset_url": "https://a.example/r", "expires_in_minutes": 30}),
            ),
            (
                EmailTemplate::ResearchReport,
                json!({"niche": "pet grooming", "candidates": 40, "imported": 5, "watchlisted": 3, "top_opportunities": "Laser Toy (92, import)", "sources_used": "aliexpress (20)", "report_url": "https://a.example/runs/1"}),
            ),
        ];
        for (template, data) in cases {
            let mail =
                compose(&sender(), "k", &request(template, EmailCategory::Transactional, data)).unwrap();
            assert!(!mail.html.contains("{{") && !mail.text.contains("{{"), "{}", template.name());
        }
    }

    #[test]
    fn a_merchants_subject_and_intro_are_shown_as_text() {
        let mut request = verify(marketing());
        request.data.insert(SUBJECT_OVERRIDE.into(), json!("Hello\r\nBcc: x@example.com"));
        request.data.insert(INTRO.into(), json!("We <3 you.\nSecond line."));
        let mail = compose(&sender(), "k", &request).unwrap();
        assert_eq!(mail.subject, "Hello  Bcc: x@example.com");
        let heading = mail.html.find("</h1>").unwrap();
        let intro = mail.html.find("<p style=\"margin:0 0 16px\">We &lt;3 you.</p>").unwrap();
        assert!(intro > heading, "the intro follows the heading");
        assert!(mail.html.contains("Second line.</p>"));
        assert!(mail.text.contains("\n\nWe <3 you.\nSecond line.\n\n"), "{}", mail.text);
    }
}
