//! The typed payloads, one per queue in `infra/wiring.json`.

use crate::envelope::Message;
use domain::accounts::Email;
use domain::{Money, RunId};
use serde::{Deserialize, Serialize};

/// Run product research for a store (queue `research`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResearchRequested {
    /// The run this message starts; recorded by the edge before sending.
    pub run_id: RunId,
    /// The store's niche, which steers the sources' queries.
    pub niche: String,
    /// How many of the best candidates to import at most.
    pub max_imports: u16,
}

impl Message for ResearchRequested {
    const KIND: &'static str = "research.requested";
    const QUEUE: &'static str = "research";
}

/// A product as a supplier lists it: the raw material of research and import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierProduct {
    /// Which source listed it, e.g. `aliexpress`.
    pub source: String,
    /// The product's id at that source.
    pub source_product_id: String,
    /// The supplier's title (untrusted text).
    pub title: String,
    /// What the store pays the supplier.
    pub cost: Money,
    /// The supplier's list price before discount, if shown.
    pub list_price: Option<Money>,
    /// Product images at the supplier.
    pub image_urls: Vec<String>,
    /// The product's page at the supplier.
    pub product_url: String,
    /// The supplier's category name.
    pub category: Option<String>,
    /// Orders in the last 30 days, as the supplier reports.
    pub orders_30d: Option<u64>,
    /// Positive feedback in percent.
    pub rating_pct: Option<f32>,
    /// Typical shipping days to the store's market.
    pub shipping_days: Option<u32>,
}

/// Import one researched product into a store (queue `import`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRequested {
    /// The research run that chose it.
    pub run_id: RunId,
    /// The product to import.
    pub product: SupplierProduct,
    /// Its research score, 0 to 100.
    pub score: f32,
}

impl Message for ImportRequested {
    const KIND: &'static str = "import.requested";
    const QUEUE: &'static str = "import";
}

/// Send one email (queue `email`).
///
/// The idempotency key of the envelope names the mail: two messages with the same key send one
/// mail. Producers derive it from what the mail is about (`verify_email:<user id>:<token id>`), so
/// a retried producer does not mail twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailRequested {
    /// Which of the platform's mails to render.
    pub template: EmailTemplate,
    /// The recipient.
    pub to: Email,
    /// Transactional (always sent) or marketing (unsubscribable, skipped for suppressed
    /// addresses).
    pub category: EmailCategory,
    /// The template's placeholders by name; the template says which it needs.
    #[serde(default)]
    pub data: serde_json::Map<String, serde_json::Value>,
    /// How the store presents itself; platform mails leave it empty.
    #[serde(default)]
    pub branding: Branding,
}

impl Message for EmailRequested {
    const KIND: &'static str = "email.requested";
    const QUEUE: &'static str = "email";
}

/// A mail the email function can render: one `templates/<name>.html` and `.txt` pair each.
///
/// New mails (marketing flows: welcome series, abandoned cart, post-purchase) are added as
/// variants, with their template files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailTemplate {
    /// Confirms a merchant's address after sign-up.
    VerifyEmail,
    /// A link to choose a new password.
    PasswordReset,
    /// A research run's summary for the store's owner.
    ResearchReport,
}

impl EmailTemplate {
    /// Every template, for checks that each has its files.
    pub const ALL: [EmailTemplate; 3] =
        [EmailTemplate::VerifyEmail, EmailTemplate::PasswordReset, EmailTemplate::ResearchReport];

    /// The name on the wire and of the template files.
    pub fn name(self) -> &'static str {
        match self {
            EmailTemplate::VerifyEmail => "verify_email",
            EmailTemplate::PasswordReset => "password_reset",
            EmailTemplate::ResearchReport => "research_report",
        }
    }
}

/// Why a mail is sent, which decides its headers and whether suppression applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EmailCategory {
    /// Sent because of something the recipient did (sign-up, reset, a run they started): sent
    /// even to suppressed addresses, with no unsubscribe headers.
    Transactional,
    /// Promotional: carries `List-Unsubscribe` with one-click unsubscribe (RFC 8058) and an
    /// unsubscribe link, and is skipped for suppressed addresses.
    Marketing {
        /// The HTTPS URL that unsubscribes this recipient; it must accept a `POST` with the body
        /// `List-Unsubscribe=One-Click`.
        unsubscribe_url: String,
    },
}

/// A store's look in its mails; every field is optional and falls back to the platform's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    /// The name shown as the sender and in the mail, e.g. `Cozy Paws`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_name: Option<String>,
    /// The accent colour of buttons and links, as `#rgb` or `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent_color: Option<String>,
    /// Where replies go instead of the platform's no-reply address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<Email>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Envelope;
    use domain::{StoreId, TenantId};
    use serde_json::json;

    fn email_body(payload: serde_json::Value) -> String {
        json!({
            "version": 1,
            "kind": "email.requested",
            "idempotency_key": "verify_email:user-1:token-1",
            "tenant_id": TenantId::from_random_bytes([1; 16]),
            "store_id": StoreId::from_random_bytes([2; 16]),
            "issued_at": "2026-11-26T10:00:00Z",
            "correlation_id": "corr-1",
            "payload": payload,
        })
        .to_string()
    }

    #[test]
    fn an_email_request_survives_the_queue() {
        let mut data = serde_json::Map::new();
        data.insert("verify_url".into(), json!("https://app.example.com/verify?t=abc"));
        let envelope = Envelope::new(
            "verify_email:user-1:token-1",
            TenantId::from_random_bytes([1; 16]),
            StoreId::from_random_bytes([2; 16]),
            time::OffsetDateTime::UNIX_EPOCH,
            "corr-1",
            EmailRequested {
                template: EmailTemplate::VerifyEmail,
                to: Email::parse("Ada@Example.com").unwrap(),
                category: EmailCategory::Transactional,
                data,
                branding: Branding::default(),
            },
        );
        assert_eq!(Envelope::<EmailRequested>::parse(&envelope.to_body()).unwrap(), envelope);
    }

    #[test]
    fn the_wire_form_names_the_template_and_category_in_snake_case() {
        let body = email_body(json!({
            "template": "research_report",
            "to": "owner@example.com",
            "category": {"kind": "marketing", "unsubscribe_url": "https://example.com/u/1"},
            "branding": {"store_name": "Cozy Paws"},
        }));
        let envelope = Envelope::<EmailRequested>::parse(&body).unwrap();
        assert_eq!(envelope.payload.template, EmailTemplate::ResearchReport);
        assert_eq!(
            envelope.payload.category,
            EmailCategory::Marketing { unsubscribe_url: "https://example.com/u/1".into() }
        );
        assert!(envelope.payload.data.is_empty());
        assert_eq!(envelope.payload.branding.store_name.as_deref(), Some("Cozy Paws"));
        for template in EmailTemplate::ALL {
            assert_eq!(serde_json::to_value(template).unwrap(), json!(template.name()));
        }
    }

    #[test]
    fn a_marketing_mail_without_an_unsubscribe_url_is_refused() {
        let body = email_body(json!({
            "template": "verify_email",
            "to": "owner@example.com",
            "category": {"kind": "marketing"},
        }));
        assert!(Envelope::<EmailRequested>::parse(&body).is_err());
    }

    #[test]
    fn a_recipient_that_is_not_an_address_is_refused() {
        let body = email_body(json!({
            "template": "verify_email",
            "to": "not an address",
            "category": {"kind": "transactional"},
        }));
        assert!(Envelope::<EmailRequested>::parse(&body).is_err());
    }
}
