//! The typed payloads, one per queue in `infra/wiring.json`.

use crate::envelope::Message;
use domain::accounts::Email;
use domain::{Money, RunId, StoreId};
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
    /// The research run that chose it; `None` for a page the merchant asked to import.
    #[serde(default)]
    pub run_id: Option<RunId>,
    /// The product to import.
    pub product: SupplierProduct,
    /// Its research score, 0 to 100.
    pub score: f32,
    /// The tenant's plan, whose daily AI budget the import spends; Starter's when left out.
    #[serde(default)]
    pub plan: Option<domain::Plan>,
    /// The store's pricing rules, which set the product's price; the defaults when left out.
    #[serde(default)]
    pub pricing: Option<domain::pricing::PricingRules>,
}

impl Message for ImportRequested {
    const KIND: &'static str = "import.requested";
    const QUEUE: &'static str = "import";
}

/// Read a product page (a supplier's or a competitor's) and import the product it shows (queue
/// `scrape`). The page's price is taken as the store's cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScrapeRequested {
    /// The page, an absolute http(s) URL.
    pub url: String,
    /// The research run the import is counted in; `None` for a page the merchant asked for.
    #[serde(default)]
    pub run_id: Option<RunId>,
    /// The tenant's plan, passed on to the import; Starter's when left out.
    #[serde(default)]
    pub plan: Option<domain::Plan>,
    /// The store's pricing rules, passed on to the import; the defaults when left out.
    #[serde(default)]
    pub pricing: Option<domain::pricing::PricingRules>,
}

impl Message for ScrapeRequested {
    const KIND: &'static str = "scrape.requested";
    const QUEUE: &'static str = "scrape";
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
    /// The mail's data by field name; each mail says which fields it needs (`*_url` fields are
    /// http(s) URLs). Fields a mail does not use are ignored.
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

/// A mail the email function can render: one function each in `functions/email/src/mails/`.
///
/// New mails are added as variants, with their function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailTemplate {
    /// Confirms a merchant's address after sign-up.
    VerifyEmail,
    /// A link to choose a new password.
    PasswordReset,
    /// A research run's summary for the store's owner.
    ResearchReport,
    /// An invitation to join a tenant's team.
    Invitation,
    /// Welcome series, first mail: a new subscriber's welcome (marketing).
    Welcome,
    /// Welcome series, second mail: the store's most popular products (marketing).
    WelcomeBestsellers,
    /// Welcome series, third mail: the store's first-order offer (marketing).
    WelcomeDiscount,
    /// Abandoned cart, first mail: a reminder of what was left in the cart (marketing).
    CartReminder,
    /// Abandoned cart, second mail: the store's offer to complete the order (marketing).
    CartDiscount,
    /// Abandoned cart, last mail: the cart will not be kept much longer (marketing).
    CartFinal,
    /// Post-purchase: the order is confirmed (transactional).
    OrderConfirmation,
    /// Post-purchase: the order has shipped, with its tracking link (transactional).
    ShippingUpdate,
    /// Post-purchase: asks for a review of the order (marketing).
    ReviewRequest,
    /// Post-purchase: points a past customer back to the store (marketing).
    CrossSell,
    /// A new store's launch is done: its products, collections and posts are in, with the links.
    StoreReady,
    /// A merchant refunded an order, whole or in part (transactional).
    OrderRefunded,
    /// A supplier order shipped: its tracking number, and the carrier's page when known
    /// (transactional; sent once per supplier order).
    OrderShipped,
    /// A tenant's subscription payment failed: its paid plan holds until the grace period ends
    /// (transactional, to the owner; once per overdue period).
    PaymentFailed,
    /// The grace period ended unpaid: the tenant is on Starter until it pays (transactional, to
    /// the owner; once per overdue period).
    PlanLapsed,
    /// A shopper signed up to a store's list: the link that confirms the address (double opt-in;
    /// transactional).
    ConfirmSubscription,
    /// A paid order waits for the store owner's approval, with the reason (transactional, to the
    /// owner; once per order).
    OrderHeld,
    /// A supplier did not take a paid order, with the reason (transactional, to the owner; once
    /// per order).
    OrderFailed,
}

impl EmailTemplate {
    /// Every template, for checks that each has its files.
    pub const ALL: [EmailTemplate; 22] = [
        EmailTemplate::VerifyEmail,
        EmailTemplate::Invitation,
        EmailTemplate::PasswordReset,
        EmailTemplate::ResearchReport,
        EmailTemplate::Welcome,
        EmailTemplate::WelcomeBestsellers,
        EmailTemplate::WelcomeDiscount,
        EmailTemplate::CartReminder,
        EmailTemplate::CartDiscount,
        EmailTemplate::CartFinal,
        EmailTemplate::OrderConfirmation,
        EmailTemplate::ShippingUpdate,
        EmailTemplate::ReviewRequest,
        EmailTemplate::CrossSell,
        EmailTemplate::StoreReady,
        EmailTemplate::OrderRefunded,
        EmailTemplate::OrderShipped,
        EmailTemplate::PaymentFailed,
        EmailTemplate::PlanLapsed,
        EmailTemplate::ConfirmSubscription,
        EmailTemplate::OrderHeld,
        EmailTemplate::OrderFailed,
    ];

    /// The name on the wire and of the template files.
    pub fn name(self) -> &'static str {
        match self {
            EmailTemplate::VerifyEmail => "verify_email",
            EmailTemplate::Invitation => "invitation",
            EmailTemplate::PasswordReset => "password_reset",
            EmailTemplate::ResearchReport => "research_report",
            EmailTemplate::Welcome => "welcome",
            EmailTemplate::WelcomeBestsellers => "welcome_bestsellers",
            EmailTemplate::WelcomeDiscount => "welcome_discount",
            EmailTemplate::CartReminder => "cart_reminder",
            EmailTemplate::CartDiscount => "cart_discount",
            EmailTemplate::CartFinal => "cart_final",
            EmailTemplate::OrderConfirmation => "order_confirmation",
            EmailTemplate::ShippingUpdate => "shipping_update",
            EmailTemplate::ReviewRequest => "review_request",
            EmailTemplate::CrossSell => "cross_sell",
            EmailTemplate::StoreReady => "store_ready",
            EmailTemplate::OrderRefunded => "order_refunded",
            EmailTemplate::OrderShipped => "order_shipped",
            EmailTemplate::PaymentFailed => "payment_failed",
            EmailTemplate::PlanLapsed => "plan_lapsed",
            EmailTemplate::ConfirmSubscription => "confirm_subscription",
            EmailTemplate::OrderHeld => "order_held",
            EmailTemplate::OrderFailed => "order_failed",
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

/// Erase everything the pipelines hold of a tenant (queue `erasure`): DynamoDB items and S3
/// objects of its stores. The edge has already erased its own data (D1, KV) when it sends this;
/// the consumer confirms through `POST /internal/erasures/{erasure_id}/confirm`.
///
/// Pipeline items belong to a store or tenant when their key (`pk` or `sk`) contains the store's
/// or tenant's id, or when they carry a `store_id` or `tenant_id` attribute naming it. Every
/// stage keeps to that so that an erasure finds all of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantErasureRequested {
    /// The erasure, as the edge recorded it.
    pub erasure_id: String,
    /// Every store the tenant had.
    pub store_ids: Vec<StoreId>,
}

impl Message for TenantErasureRequested {
    const KIND: &'static str = "tenant.erasure_requested";
    const QUEUE: &'static str = "erasure";
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

/// A shopper's action that starts, advances or stops a store's email flows (queue `flows`).
///
/// The storefront and the edge send one per action; the email function turns it into scheduled
/// mails (welcome series, abandoned cart, post-purchase) or cancels those not yet sent. Handling
/// is idempotent per action, so producers may resend; the idempotency key still names the action,
/// e.g. `flow:cart_abandoned:<cart id>` or `flow:order_shipped:<order id>`.
///
/// On the wire the trigger's fields sit next to `occurred_at`, named by `event`:
/// `{"occurred_at": "2026-11-26T10:00:00Z", "event": "cart_purchased", "cart_id": "c-1"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowEvent {
    /// When the action happened: the flows' delays count from here, not from delivery.
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: time::OffsetDateTime,
    /// What happened.
    #[serde(flatten)]
    pub trigger: FlowTrigger,
}

impl Message for FlowEvent {
    const KIND: &'static str = "flow.event";
    const QUEUE: &'static str = "flows";
}

/// The actions that drive the email flows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum FlowTrigger {
    /// A shopper opted in to the store's marketing mail: starts the welcome series.
    ContactSubscribed {
        /// The subscriber.
        email: Email,
        /// Their first name, if they gave it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_name: Option<String>,
        /// The store's first-order offer; without one the series skips its discount mail.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offer: Option<Offer>,
        /// The store as its mails show it.
        shop: Shop,
    },
    /// A cart with a known address was left unbought: starts the abandoned-cart flow.
    /// `occurred_at` is the cart's last activity.
    CartAbandoned {
        /// The cart (at most 128 characters, no whitespace).
        cart_id: String,
        /// Who left it.
        email: Email,
        /// What is in it.
        items: Vec<LineItem>,
        /// Where the shopper picks the cart up again.
        cart_url: String,
        /// The store's offer to complete the order; without one the flow skips its discount mail.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offer: Option<Offer>,
        /// The store as its mails show it.
        shop: Shop,
    },
    /// The cart was bought: stops its abandoned-cart flow, even one not yet started.
    CartPurchased {
        /// The cart.
        cart_id: String,
    },
    /// An order was placed: starts the post-purchase flow.
    OrderPlaced {
        /// The order (at most 128 characters, no whitespace).
        order_id: String,
        /// The customer.
        email: Email,
        /// Their first name, if known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_name: Option<String>,
        /// The number the customer sees, e.g. `#1042`.
        order_number: String,
        /// What the customer paid.
        total: Money,
        /// What was ordered.
        items: Vec<LineItem>,
        /// The order's status page.
        order_url: String,
        /// Where the customer reviews what they bought.
        review_url: String,
        /// The store as its mails show it.
        shop: Shop,
    },
    /// The order left the supplier: adds the shipping update to its post-purchase flow.
    OrderShipped {
        /// The order.
        order_id: String,
        /// The carrier's tracking page.
        tracking_url: String,
    },
    /// The shopper unsubscribed: suppresses the address and cancels its marketing mails.
    ContactUnsubscribed {
        /// Who unsubscribed.
        email: Email,
    },
    /// A provider reported that mail to the address bounced for good or was marked as spam:
    /// the address is suppressed for marketing mail on the whole platform. Sent by the edge's
    /// provider webhooks in a tenant-less envelope ([`PLATFORM_TENANT`]).
    AddressSuppressed {
        /// The address.
        email: Email,
        /// Why.
        reason: SuppressionReason,
    },
}

/// Why a provider reported an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionReason {
    /// A hard bounce: the mailbox does not exist or refuses mail for good.
    Bounced,
    /// The recipient marked a mail as spam.
    Complained,
}

impl SuppressionReason {
    /// The name on the wire and in the suppression record.
    pub fn name(self) -> &'static str {
        match self {
            SuppressionReason::Bounced => "bounced",
            SuppressionReason::Complained => "complained",
        }
    }
}

/// The tenant id of platform-wide messages that concern no tenant (a provider's bounce report):
/// the nil UUID, which no tenant is ever given (tenant ids are random version-4 UUIDs).
pub const PLATFORM_TENANT: &str = "00000000-0000-0000-0000-000000000000";

/// A store as its flow mails show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shop {
    /// The storefront's home page.
    pub url: String,
    /// The HTTPS URL that unsubscribes this recipient from the store's marketing mail (one-click,
    /// as [`EmailCategory::Marketing`] requires).
    pub unsubscribe_url: String,
    /// Name, colour and reply-to of the store.
    #[serde(default)]
    pub branding: Branding,
}

/// A discount a store offers in its flows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// The code the shopper enters at checkout.
    pub code: String,
    /// The discount in percent, 1 to 100.
    pub percent_off: u8,
}

/// One line of a cart or an order, as a mail lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    /// The product's title.
    pub title: String,
    /// How many.
    pub quantity: u32,
}

#[cfg(test)]
mod flow_event_tests {
    use super::*;
    use crate::Envelope;
    use domain::{Currency, StoreId, TenantId};
    use serde_json::json;

    fn body(payload: serde_json::Value) -> String {
        json!({
            "version": 1,
            "kind": "flow.event",
            "idempotency_key": "flow:test",
            "tenant_id": TenantId::from_random_bytes([1; 16]),
            "store_id": StoreId::from_random_bytes([2; 16]),
            "issued_at": "2026-11-26T10:00:00Z",
            "correlation_id": "corr-1",
            "payload": payload,
        })
        .to_string()
    }

    #[test]
    fn a_flow_event_names_its_trigger_next_to_the_time_it_happened() {
        let envelope = Envelope::<FlowEvent>::parse(&body(json!({
            "occurred_at": "2026-11-26T10:00:00Z",
            "event": "cart_abandoned",
            "cart_id": "cart-1",
            "email": "Ada@Example.com",
            "items": [{"title": "Slicker brush", "quantity": 2}],
            "cart_url": "https://cozy.example.com/cart/cart-1",
            "shop": {"url": "https://cozy.example.com", "unsubscribe_url": "https://cozy.example.com/u/t1"}
        })))
        .unwrap();
        let FlowTrigger::CartAbandoned { email, items, offer, shop, .. } = &envelope.payload.trigger else {
            panic!("not cart_abandoned: {:?}", envelope.payload.trigger);
        };
        assert_eq!(email.as_str(), "ada@example.com");
        assert_eq!(items, &vec![LineItem { title: "Slicker brush".into(), quantity: 2 }]);
        assert_eq!((offer, &shop.branding), (&None, &Branding::default()));
        assert_eq!(envelope.payload.occurred_at, time::macros::datetime!(2026-11-26 10:00 UTC));
    }

    #[test]
    fn every_flow_event_survives_the_queue() {
        let shop = Shop {
            url: "https://cozy.example.com".into(),
            unsubscribe_url: "https://cozy.example.com/u/t1".into(),
            branding: Branding { store_name: Some("Cozy Paws".into()), ..Branding::default() },
        };
        let email = Email::parse("ada@example.com").unwrap();
        let triggers = [
            FlowTrigger::ContactSubscribed {
                email: email.clone(),
                first_name: Some("Ada".into()),
                offer: Some(Offer { code: "HELLO15".into(), percent_off: 15 }),
                shop: shop.clone(),
            },
            FlowTrigger::CartPurchased { cart_id: "cart-1".into() },
            FlowTrigger::OrderPlaced {
                order_id: "order-1".into(),
                email: email.clone(),
                first_name: None,
                order_number: "#1042".into(),
                total: Money::from_minor(2_499, Currency::Usd),
                items: vec![LineItem { title: "Slicker brush".into(), quantity: 1 }],
                order_url: "https://cozy.example.com/orders/order-1".into(),
                review_url: "https://cozy.example.com/orders/order-1/review".into(),
                shop,
            },
            FlowTrigger::OrderShipped {
                order_id: "order-1".into(),
                tracking_url: "https://track.example.com/1Z999".into(),
            },
            FlowTrigger::ContactUnsubscribed { email: email.clone() },
            FlowTrigger::AddressSuppressed { email, reason: SuppressionReason::Complained },
        ];
        for trigger in triggers {
            let envelope = Envelope::new(
                "flow:test",
                TenantId::from_random_bytes([1; 16]),
                StoreId::from_random_bytes([2; 16]),
                time::OffsetDateTime::UNIX_EPOCH,
                "corr-1",
                FlowEvent { occurred_at: time::macros::datetime!(2026-11-26 10:00 UTC), trigger },
            );
            assert_eq!(Envelope::<FlowEvent>::parse(&envelope.to_body()).unwrap(), envelope);
        }
    }

    #[test]
    fn an_unknown_flow_event_is_refused() {
        let payload = json!({"occurred_at": "2026-11-26T10:00:00Z", "event": "cart_admired", "cart_id": "c"});
        assert!(Envelope::<FlowEvent>::parse(&body(payload)).is_err());
    }
}

/// Run the SEO engine for one store (queue `seo`): keyword research, content gaps, blog posts,
/// product SEO refresh, internal links, IndexNow. The edge records the run before sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeoRequested {
    /// The run this message starts.
    pub run_id: RunId,
    /// Most blog posts this run writes, in place of the function's own setting (a new store's
    /// first run asks for its launch's posts).
    #[serde(default)]
    pub posts: Option<u8>,
}

impl Message for SeoRequested {
    const KIND: &'static str = "seo.requested";
    const QUEUE: &'static str = "seo";
}

/// Re-check one store's imported products at their suppliers (queue `sync`): price and stock. The
/// hourly fan-out sends one per active store with the key `sync:{store}:{hour}`; the edge applies
/// what the suppliers answer (`queues::sync_api`), and applying the same answer twice changes
/// nothing, so a redelivery is harmless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierSyncRequested {
    /// Names the sync in each product's change history, e.g. `2026-11-27T03`.
    pub sync_id: String,
}

impl Message for SupplierSyncRequested {
    const KIND: &'static str = "supplier_sync.requested";
    const QUEUE: &'static str = "sync";
}

/// Place the supplier orders of a paid order (queue `fulfilment`). The edge sends one when
/// Stripe's payment webhook records the order, with the key `fulfil:{order}`: a redelivered
/// webhook or message finds the supplier orders already recorded and places none again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPaid {
    /// The order id.
    pub order_id: String,
    /// Sent again once the merchant approved the order (the edge's record decides; this names the
    /// delivery).
    #[serde(default)]
    pub approved: bool,
}

impl Message for OrderPaid {
    const KIND: &'static str = "order.paid";
    const QUEUE: &'static str = "fulfilment";
}
