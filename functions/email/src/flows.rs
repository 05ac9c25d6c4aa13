//! The email flows' rules, without I/O: which mails each flow sends and when, what data their
//! mails get, and what a [`FlowEvent`] does to a store's flows. Time comes in as arguments;
//! storing the steps is [`crate::flow_steps`], sending the due ones is [`crate::sweep`].
//!
//! | flow | started by | steps (delay from the trigger) |
//! |---|---|---|
//! | `welcome` | `contact_subscribed` | 1 welcome (0 h), 2 bestsellers (48 h), 3 discount (120 h, only with an offer) |
//! | `abandoned_cart` | `cart_abandoned` | 1 reminder (1 h), 2 discount (24 h, only with an offer), 3 last call (72 h) |
//! | `post_purchase` | `order_placed` | 1 confirmation (0 h), 2 shipping update (when shipped), 3 review request (14 days), 4 cross-sell (30 days) |
//!
//! `cart_purchased` stops the cart's flow; `contact_unsubscribed` stops every marketing step of
//! the address. The order confirmation and the shipping update are transactional (no unsubscribe,
//! sent to suppressed addresses); every other step is marketing.
//!
//! Each flow runs once per subject: the contact's address for `welcome`, the cart for
//! `abandoned_cart`, the order for `post_purchase`.
//!
//! The mails' data, built here from the event; the email function adds the brand, the accent
//! colour and, for marketing, the unsubscribe link, and reads the fields each mail needs (see
//! [`crate::mails`]):
//!
//! | flow | fields |
//! |---|---|
//! | `welcome` | `greeting`, `store_url`; with an offer `discount_code`, `discount_percent` |
//! | `abandoned_cart` | `items_summary`, `item_count`, `cart_url`, `store_url`; with an offer `discount_code`, `discount_percent` |
//! | `post_purchase` | `greeting`, `order_number`, `items_summary`, `item_count`, `total`, `order_url`, `review_url`, `store_url`; the shipping update adds `tracking_url` |

use crate::http_url::{is_https_or_loopback_url, HttpUrl};
use domain::accounts::Email;
use domain::StoreId;
use queues::email_api::FlowSettings;
use queues::messages::{
    Branding, EmailCategory, EmailRequested, EmailTemplate, FlowEvent, FlowTrigger, LineItem, Offer, Shop,
};
use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};

/// A marketing step found this late is not sent: a day-old reminder is worse than none.
/// Transactional steps are never too late.
pub const MAX_LATENESS: Duration = Duration::hours(24);
/// Longest cart or order id.
const ID_MAX_CHARS: usize = 128;
/// Longest first name put into a greeting.
const NAME_MAX_CHARS: usize = 50;
/// Line items named in a summary before `and N more`.
const SUMMARY_ITEMS: usize = 3;

/// One of the automated flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flow {
    /// A new subscriber's welcome series.
    Welcome,
    /// Reminders of a cart left unbought.
    AbandonedCart,
    /// Confirmation, shipping, review and cross-sell after an order.
    PostPurchase,
}

/// When a step is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// This long after the flow's trigger.
    After(Duration),
    /// When the order ships (`order_shipped`).
    WhenShipped,
}

/// One mail of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepRule {
    /// The step's number in its flow, from 1.
    pub number: u8,
    /// The mail it sends.
    pub template: EmailTemplate,
    /// When it is due.
    pub due: Due,
    /// Marketing (unsubscribable, skipped for suppressed addresses) or transactional.
    pub marketing: bool,
    /// Sent only when the trigger carries the store's [`Offer`].
    pub needs_offer: bool,
}

const fn rule(number: u8, template: EmailTemplate, due: Due, marketing: bool, needs_offer: bool) -> StepRule {
    StepRule { number, template, due, marketing, needs_offer }
}

const WELCOME: [StepRule; 3] = [
    rule(1, EmailTemplate::Welcome, Due::After(Duration::ZERO), true, false),
    rule(2, EmailTemplate::WelcomeBestsellers, Due::After(Duration::hours(48)), true, false),
    rule(3, EmailTemplate::WelcomeDiscount, Due::After(Duration::hours(120)), true, true),
];
const ABANDONED_CART: [StepRule; 3] = [
    rule(1, EmailTemplate::CartReminder, Due::After(Duration::hours(1)), true, false),
    rule(2, EmailTemplate::CartDiscount, Due::After(Duration::hours(24)), true, true),
    rule(3, EmailTemplate::CartFinal, Due::After(Duration::hours(72)), true, false),
];
const POST_PURCHASE: [StepRule; 4] = [
    rule(1, EmailTemplate::OrderConfirmation, Due::After(Duration::ZERO), false, false),
    rule(2, EmailTemplate::ShippingUpdate, Due::WhenShipped, false, false),
    rule(3, EmailTemplate::ReviewRequest, Due::After(Duration::days(14)), true, false),
    rule(4, EmailTemplate::CrossSell, Due::After(Duration::days(30)), true, false),
];

impl Flow {
    /// Every flow.
    pub const ALL: [Flow; 3] = [Flow::Welcome, Flow::AbandonedCart, Flow::PostPurchase];

    /// The name in storage keys and mail keys.
    pub fn name(self) -> &'static str {
        match self {
            Flow::Welcome => "welcome",
            Flow::AbandonedCart => "abandoned_cart",
            Flow::PostPurchase => "post_purchase",
        }
    }

    /// The flow named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The flow's steps, in order.
    pub fn steps(self) -> &'static [StepRule] {
        match self {
            Flow::Welcome => &WELCOME,
            Flow::AbandonedCart => &ABANDONED_CART,
            Flow::PostPurchase => &POST_PURCHASE,
        }
    }

    /// Step `number` of the flow.
    pub fn step(self, number: u8) -> Option<&'static StepRule> {
        self.steps().iter().find(|s| s.number == number)
    }
}

/// One scheduled mail of one flow of one subject: everything needed to send it later.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The flow.
    pub flow: Flow,
    /// What the flow is about: the contact's address, the cart or the order.
    pub subject: String,
    /// The step's number in its flow.
    pub number: u8,
    /// When to send it (whole seconds).
    pub due_at: OffsetDateTime,
    /// The mail.
    pub template: EmailTemplate,
    /// Marketing or transactional.
    pub marketing: bool,
    /// The recipient.
    pub to: Email,
    /// The mail's data, by field name (see [`crate::mails`]).
    pub data: Map<String, Value>,
    /// The store's look.
    pub branding: Branding,
    /// Unsubscribes the recipient from the store's marketing mail.
    pub unsubscribe_url: String,
}

impl Step {
    /// The mail this step sends.
    pub fn request(&self) -> EmailRequested {
        EmailRequested {
            template: self.template,
            to: self.to.clone(),
            category: if self.marketing {
                EmailCategory::Marketing { unsubscribe_url: self.unsubscribe_url.clone() }
            } else {
                EmailCategory::Transactional
            },
            data: self.data.clone(),
            branding: self.branding.clone(),
        }
    }

    /// The idempotency key of this step's mail in `store`; see [`mail_key`].
    pub fn mail_key(&self, store: StoreId) -> String {
        mail_key(store, self.flow, &self.subject, self.number)
    }
}

/// The idempotency key of a step's mail, `flow:<store>:<subject>:<flow>:<step>`: however often
/// the step is enqueued, the email function sends it once.
pub fn mail_key(store: StoreId, flow: Flow, subject: &str, number: u8) -> String {
    format!("flow:{store}:{subject}:{}:{number}", flow.name())
}

/// What one event does to a store's flows.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Start `flow` for `subject` with `steps`; a step already stored (or cancelled before it
    /// started) is left as it is, so a flow runs once per subject.
    Start {
        /// The flow.
        flow: Flow,
        /// Its subject.
        subject: String,
        /// Whom it mails, so that unsubscribing finds the flow.
        contact: Email,
        /// Its steps whose time is known now.
        steps: Vec<Step>,
    },
    /// Cancel every step of `flow` for `subject` that is not sent, including steps not stored
    /// yet (the purchase may overtake the abandonment on the queue).
    Stop {
        /// The flow.
        flow: Flow,
        /// Its subject.
        subject: String,
        /// Why, as recorded on the steps.
        reason: &'static str,
    },
    /// Add the shipping update to the order's post-purchase flow: see [`shipping_step`].
    Shipped {
        /// The order.
        order_id: String,
        /// When it shipped.
        shipped_at: OffsetDateTime,
        /// The carrier's tracking page.
        tracking_url: String,
    },
    /// Suppress the address and cancel its marketing steps.
    Unsubscribe {
        /// Who unsubscribed.
        contact: Email,
    },
    /// Suppress the address for marketing mail everywhere (a hard bounce or a complaint); the
    /// sweep skips its steps in every store.
    Suppress {
        /// The address.
        contact: Email,
        /// Why, as recorded on the suppression.
        reason: &'static str,
    },
}

/// Why an event cannot be applied. Retrying does not help: the event is bad.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    /// A cart or order id that cannot name a flow.
    #[error("`{0}` must be 1 to 128 characters without whitespace")]
    Id(&'static str),
    /// A link that is not an http(s) URL.
    #[error("`{0}` must be an http:// or https:// URL")]
    Url(&'static str),
    /// An unsubscribe link a mail client cannot POST to.
    #[error("`shop.unsubscribe_url` must be https:// (http:// only on a loopback host)")]
    UnsubscribeUrl,
    /// An offer without a usable code or percentage.
    #[error("an offer needs a code of 1 to 32 characters without whitespace and 1 to 100 percent off")]
    Offer,
    /// A cart or order with nothing in it.
    #[error("a `{0}` event needs at least one item")]
    NoItems(&'static str),
}

/// What `event` does to the flows of its store.
pub fn plan(event: &FlowEvent) -> Result<Plan, FlowError> {
    let at = whole_seconds(event.occurred_at);
    match &event.trigger {
        FlowTrigger::ContactSubscribed { email, first_name, offer, shop } => {
            let mut data = shop_data(shop)?;
            data.insert("greeting".into(), greeting(first_name.as_deref()).into());
            insert_offer(&mut data, offer.as_ref())?;
            let subject = email.as_str().to_owned();
            let steps = steps(Flow::Welcome, &subject, at, email, &data, shop, offer.is_some());
            Ok(Plan::Start { flow: Flow::Welcome, subject, contact: email.clone(), steps })
        }
        FlowTrigger::CartAbandoned { cart_id, email, items, cart_url, offer, shop } => {
            check_id("cart_id", cart_id)?;
            let mut data = shop_data(shop)?;
            data.insert("cart_url".into(), url("cart_url", cart_url)?.into());
            insert_items(&mut data, items, "cart_abandoned")?;
            insert_offer(&mut data, offer.as_ref())?;
            let steps = steps(Flow::AbandonedCart, cart_id, at, email, &data, shop, offer.is_some());
            Ok(Plan::Start {
                flow: Flow::AbandonedCart,
                subject: cart_id.clone(),
                contact: email.clone(),
                steps,
            })
        }
        FlowTrigger::CartPurchased { cart_id } => {
            check_id("cart_id", cart_id)?;
            Ok(Plan::Stop { flow: Flow::AbandonedCart, subject: cart_id.clone(), reason: "cart_purchased" })
        }
        FlowTrigger::OrderPlaced {
            order_id,
            email,
            first_name,
            order_number,
            total,
            items,
            order_url,
            review_url,
            shop,
        } => {
            check_id("order_id", order_id)?;
            let mut data = shop_data(shop)?;
            data.insert("greeting".into(), greeting(first_name.as_deref()).into());
            data.insert("order_number".into(), clean_text(order_number, 32).into());
            data.insert("total".into(), total.to_string().into());
            data.insert("order_url".into(), url("order_url", order_url)?.into());
            data.insert("review_url".into(), url("review_url", review_url)?.into());
            insert_items(&mut data, items, "order_placed")?;
            let steps = steps(Flow::PostPurchase, order_id, at, email, &data, shop, false);
            Ok(Plan::Start {
                flow: Flow::PostPurchase,
                subject: order_id.clone(),
                contact: email.clone(),
                steps,
            })
        }
        FlowTrigger::OrderShipped { order_id, tracking_url } => {
            check_id("order_id", order_id)?;
            Ok(Plan::Shipped {
                order_id: order_id.clone(),
                shipped_at: at,
                tracking_url: url("tracking_url", tracking_url)?,
            })
        }
        FlowTrigger::ContactUnsubscribed { email } => Ok(Plan::Unsubscribe { contact: email.clone() }),
        FlowTrigger::AddressSuppressed { email, reason } => {
            Ok(Plan::Suppress { contact: email.clone(), reason: reason.name() })
        }
    }
}

/// The shipping update of an order, from its stored confirmation step: same recipient, store and
/// order data, plus the tracking link; due when the order shipped.
pub fn shipping_step(confirmation: &Step, shipped_at: OffsetDateTime, tracking_url: &str) -> Step {
    let rule = Flow::PostPurchase.step(2).expect("post-purchase has a shipping step");
    let mut data = confirmation.data.clone();
    data.insert("tracking_url".into(), tracking_url.into());
    Step {
        flow: Flow::PostPurchase,
        subject: confirmation.subject.clone(),
        number: rule.number,
        due_at: whole_seconds(shipped_at),
        template: rule.template,
        marketing: rule.marketing,
        to: confirmation.to.clone(),
        data,
        branding: confirmation.branding.clone(),
        unsubscribe_url: confirmation.unsubscribe_url.clone(),
    }
}

/// The data key of a merchant's subject line for a step (see [`customise`]).
pub const SUBJECT_OVERRIDE: &str = "subject_override";
/// The data key of a merchant's intro paragraph for a step.
pub const INTRO: &str = "intro";

/// Applies a store's settings of the flow `plan` starts: a switched-off flow starts no steps;
/// a step's delay counts from the trigger as the merchant set it; its subject and intro go into
/// its data ([`SUBJECT_OVERRIDE`], [`INTRO`]), which the email function renders. Other plans are
/// left as they are.
pub fn customise(plan: &mut Plan, settings: Option<&FlowSettings>) {
    let (Plan::Start { flow, steps, .. }, Some(settings)) = (plan, settings) else { return };
    if settings.flow != flow.name() {
        return;
    }
    if !settings.enabled {
        steps.clear();
        return;
    }
    for step in steps.iter_mut() {
        let Some(changed) = settings.steps.iter().find(|s| s.step == step.number) else { continue };
        if let (Some(hours), Some(Due::After(default))) =
            (changed.delay_hours, flow.step(step.number).map(|r| r.due))
        {
            step.due_at = step.due_at - default + Duration::hours(i64::from(hours));
        }
        if let Some(subject) = &changed.subject {
            step.data.insert(SUBJECT_OVERRIDE.into(), subject.clone().into());
        }
        if let Some(intro) = &changed.intro {
            step.data.insert(INTRO.into(), intro.clone().into());
        }
    }
}

/// Whether a step due at `due_at` is too late to send at `now` (marketing only).
pub fn is_stale(marketing: bool, due_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    marketing && now - due_at > MAX_LATENESS
}

fn steps(
    flow: Flow,
    subject: &str,
    at: OffsetDateTime,
    to: &Email,
    data: &Map<String, Value>,
    shop: &Shop,
    has_offer: bool,
) -> Vec<Step> {
    flow.steps()
        .iter()
        .filter(|rule| has_offer || !rule.needs_offer)
        .filter_map(|rule| match rule.due {
            Due::After(delay) => Some(Step {
                flow,
                subject: subject.to_owned(),
                number: rule.number,
                due_at: at + delay,
                template: rule.template,
                marketing: rule.marketing,
                to: to.clone(),
                data: data.clone(),
                branding: shop.branding.clone(),
                unsubscribe_url: shop.unsubscribe_url.clone(),
            }),
            Due::WhenShipped => None,
        })
        .collect()
}

fn whole_seconds(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).expect("0 is a valid nanosecond")
}

fn shop_data(shop: &Shop) -> Result<Map<String, Value>, FlowError> {
    if !is_https_or_loopback_url(&shop.unsubscribe_url) {
        return Err(FlowError::UnsubscribeUrl);
    }
    let mut data = Map::new();
    data.insert("store_url".into(), url("shop.url", &shop.url)?.into());
    Ok(data)
}

fn url(field: &'static str, value: &str) -> Result<String, FlowError> {
    HttpUrl::parse(value).map(|url| url.as_str().to_owned()).map_err(|_| FlowError::Url(field))
}

fn check_id(field: &'static str, id: &str) -> Result<(), FlowError> {
    let ok = (1..=ID_MAX_CHARS).contains(&id.chars().count())
        && !id.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(FlowError::Id(field))
    }
}

fn insert_offer(data: &mut Map<String, Value>, offer: Option<&Offer>) -> Result<(), FlowError> {
    let Some(offer) = offer else { return Ok(()) };
    let code_ok = (1..=32).contains(&offer.code.chars().count())
        && !offer.code.chars().any(|c| c.is_whitespace() || c.is_control());
    if !code_ok || !(1..=100).contains(&offer.percent_off) {
        return Err(FlowError::Offer);
    }
    data.insert("discount_code".into(), offer.code.clone().into());
    data.insert("discount_percent".into(), offer.percent_off.into());
    Ok(())
}

fn insert_items(
    data: &mut Map<String, Value>,
    items: &[LineItem],
    event: &'static str,
) -> Result<(), FlowError> {
    if items.is_empty() {
        return Err(FlowError::NoItems(event));
    }
    data.insert("items_summary".into(), items_summary(items).into());
    let count: u64 = items.iter().map(|i| u64::from(i.quantity)).sum();
    data.insert("item_count".into(), count.into());
    Ok(())
}

/// `Slicker brush × 2, Dog shampoo and 3 more`: the items on one line, for both parts of a mail.
pub fn items_summary(items: &[LineItem]) -> String {
    let named: Vec<String> = items
        .iter()
        .take(SUMMARY_ITEMS)
        .map(|item| {
            let title = clean_text(&item.title, 80);
            if item.quantity > 1 {
                format!("{title} × {}", item.quantity)
            } else {
                title
            }
        })
        .collect();
    let mut summary = named.join(", ");
    if items.len() > SUMMARY_ITEMS {
        summary.push_str(&format!(" and {} more", items.len() - SUMMARY_ITEMS));
    }
    summary
}

/// `Hi Ada,` or, without a usable name, `Hi there,`.
pub fn greeting(first_name: Option<&str>) -> String {
    match first_name.map(|n| clean_text(n, NAME_MAX_CHARS)).filter(|n| !n.is_empty()) {
        Some(name) => format!("Hi {name},"),
        None => "Hi there,".to_owned(),
    }
}

/// One line of shopper-supplied text: control characters become spaces; trimmed and bounded.
fn clean_text(value: &str, max_chars: usize) -> String {
    let line: String = value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    line.trim().chars().take(max_chars).collect::<String>().trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::{compose, Sender};
    use domain::{Currency, Money};
    use time::macros::datetime;

    const AT: OffsetDateTime = datetime!(2026-11-26 10:00:00.5 UTC);
    const AT_SECONDS: OffsetDateTime = datetime!(2026-11-26 10:00 UTC);

    fn ada() -> Email {
        Email::parse("ada@example.com").unwrap()
    }

    fn shop() -> Shop {
        Shop {
            url: "https://cozy.example.com".into(),
            unsubscribe_url: "https://cozy.example.com/unsubscribe/t1".into(),
            branding: Branding { store_name: Some("Cozy Paws".into()), ..Branding::default() },
        }
    }

    fn offer() -> Option<Offer> {
        Some(Offer { code: "HELLO15".into(), percent_off: 15 })
    }

    fn event(trigger: FlowTrigger) -> FlowEvent {
        FlowEvent { occurred_at: AT, trigger }
    }

    fn subscribed(offer: Option<Offer>) -> FlowEvent {
        event(FlowTrigger::ContactSubscribed {
            email: ada(),
            first_name: Some("Ada".into()),
            offer,
            shop: shop(),
        })
    }

    fn abandoned(offer: Option<Offer>) -> FlowEvent {
        event(FlowTrigger::CartAbandoned {
            cart_id: "cart-1".into(),
            email: ada(),
            items: vec![
                LineItem { title: "Slicker brush".into(), quantity: 2 },
                LineItem { title: "Dog shampoo".into(), quantity: 1 },
            ],
            cart_url: "https://cozy.example.com/cart/cart-1".into(),
            offer,
            shop: shop(),
        })
    }

    fn placed() -> FlowEvent {
        event(FlowTrigger::OrderPlaced {
            order_id: "order-1".into(),
            email: ada(),
            first_name: None,
            order_number: "#1042".into(),
            total: Money::from_minor(2_499, Currency::Usd),
            items: vec![LineItem { title: "Slicker brush".into(), quantity: 1 }],
            order_url: "https://cozy.example.com/orders/order-1".into(),
            review_url: "https://cozy.example.com/orders/order-1/review".into(),
            shop: shop(),
        })
    }

    fn started(event: &FlowEvent) -> Vec<Step> {
        match plan(event).unwrap() {
            Plan::Start { steps, .. } => steps,
            other => panic!("not a start: {other:?}"),
        }
    }

    fn timing(steps: &[Step]) -> Vec<(u8, EmailTemplate, Duration)> {
        steps.iter().map(|s| (s.number, s.template, s.due_at - AT_SECONDS)).collect()
    }

    #[test]
    fn the_welcome_series_is_due_at_0_48_and_120_hours() {
        assert_eq!(
            timing(&started(&subscribed(offer()))),
            vec![
                (1, EmailTemplate::Welcome, Duration::ZERO),
                (2, EmailTemplate::WelcomeBestsellers, Duration::hours(48)),
                (3, EmailTemplate::WelcomeDiscount, Duration::hours(120)),
            ]
        );
    }

    #[test]
    fn a_store_without_an_offer_sends_no_discount_mail() {
        let welcome = timing(&started(&subscribed(None)));
        assert_eq!(welcome.iter().map(|s| s.0).collect::<Vec<_>>(), vec![1, 2]);
        let cart = timing(&started(&abandoned(None)));
        assert_eq!(cart.iter().map(|s| s.0).collect::<Vec<_>>(), vec![1, 3]);
    }

    #[test]
    fn the_abandoned_cart_reminders_are_due_at_1_24_and_72_hours() {
        let Plan::Start { flow, subject, contact, steps } = plan(&abandoned(offer())).unwrap() else {
            panic!("not a start")
        };
        assert_eq!((flow, subject.as_str(), contact), (Flow::AbandonedCart, "cart-1", ada()));
        assert_eq!(
            timing(&steps),
            vec![
                (1, EmailTemplate::CartReminder, Duration::hours(1)),
                (2, EmailTemplate::CartDiscount, Duration::hours(24)),
                (3, EmailTemplate::CartFinal, Duration::hours(72)),
            ]
        );
        assert!(steps.iter().all(|s| s.marketing));
    }

    #[test]
    fn buying_the_cart_stops_its_abandoned_cart_flow() {
        let bought = event(FlowTrigger::CartPurchased { cart_id: "cart-1".into() });
        assert_eq!(
            plan(&bought).unwrap(),
            Plan::Stop { flow: Flow::AbandonedCart, subject: "cart-1".into(), reason: "cart_purchased" }
        );
    }

    #[test]
    fn post_purchase_confirms_now_asks_for_a_review_at_14_days_and_cross_sells_at_30() {
        let steps = started(&placed());
        assert_eq!(
            timing(&steps),
            vec![
                (1, EmailTemplate::OrderConfirmation, Duration::ZERO),
                (3, EmailTemplate::ReviewRequest, Duration::days(14)),
                (4, EmailTemplate::CrossSell, Duration::days(30)),
            ]
        );
        let marketing: Vec<bool> = steps.iter().map(|s| s.marketing).collect();
        assert_eq!(marketing, vec![false, true, true], "the confirmation is transactional");
    }

    #[test]
    fn the_shipping_update_is_due_when_the_order_ships_and_keeps_the_order_data() {
        let confirmation = started(&placed()).remove(0);
        let shipped_at = datetime!(2026-11-28 15:30:12.9 UTC);
        let Plan::Shipped { order_id, shipped_at: at, tracking_url } = plan(&FlowEvent {
            occurred_at: shipped_at,
            trigger: FlowTrigger::OrderShipped {
                order_id: "order-1".into(),
                tracking_url: "https://track.example.com/1Z999".into(),
            },
        })
        .unwrap() else {
            panic!("not shipped")
        };
        assert_eq!(order_id, "order-1");
        let step = shipping_step(&confirmation, at, &tracking_url);
        assert_eq!((step.number, step.template, step.marketing), (2, EmailTemplate::ShippingUpdate, false));
        assert_eq!(step.due_at, datetime!(2026-11-28 15:30:12 UTC));
        assert_eq!(step.data["order_number"], "#1042");
        assert_eq!(step.data["tracking_url"], "https://track.example.com/1Z999");
        assert_eq!((step.subject.as_str(), &step.to), ("order-1", &ada()));
    }

    #[test]
    fn unsubscribing_plans_the_suppression_of_the_address() {
        let gone = event(FlowTrigger::ContactUnsubscribed { email: ada() });
        assert_eq!(plan(&gone).unwrap(), Plan::Unsubscribe { contact: ada() });
    }

    #[test]
    fn a_marketing_step_more_than_a_day_late_is_stale_and_a_transactional_one_never_is() {
        let due = AT_SECONDS;
        assert!(!is_stale(true, due, due + Duration::hours(24)));
        assert!(is_stale(true, due, due + Duration::hours(24) + Duration::seconds(1)));
        assert!(!is_stale(false, due, due + Duration::days(30)));
    }

    #[test]
    fn every_planned_step_renders_its_template_as_its_category_requires() {
        let sender = Sender::new("Dropship <no-reply@dropship.localhost>".parse().unwrap());
        let confirmation = started(&placed()).remove(0);
        let shipping = shipping_step(&confirmation, AT, "https://track.example.com/1Z999");
        let mut all = vec![shipping];
        for event in [subscribed(offer()), abandoned(offer()), placed()] {
            all.extend(started(&event));
        }
        assert_eq!(all.len(), 10);
        for step in all {
            let request = step.request();
            let mail = compose(&sender, &step.mail_key(StoreId::from_random_bytes([2; 16])), &request)
                .unwrap_or_else(|e| panic!("{}: {e}", step.template.name()));
            assert!(!mail.html.contains("{{") && !mail.text.contains("{{"), "{}", step.template.name());
            assert_eq!(mail.header("List-Unsubscribe").is_some(), step.marketing, "{}", step.template.name());
            assert!(mail.from.to_string().starts_with("Cozy Paws"));
        }
    }

    #[test]
    fn the_mail_key_names_store_subject_flow_and_step() {
        let store = StoreId::from_random_bytes([2; 16]);
        assert_eq!(
            mail_key(store, Flow::AbandonedCart, "cart-1", 2),
            format!("flow:{store}:cart-1:abandoned_cart:2")
        );
        for flow in Flow::ALL {
            assert_eq!(Flow::parse(flow.name()), Some(flow));
        }
    }

    #[test]
    fn items_are_summarised_on_one_line() {
        let item = |title: &str, quantity| LineItem { title: title.into(), quantity };
        assert_eq!(items_summary(&[item("Brush", 2), item("Shampoo", 1)]), "Brush × 2, Shampoo");
        let many: Vec<LineItem> = (1..=5).map(|i| item(&format!("Toy {i}"), 1)).collect();
        assert_eq!(items_summary(&many), "Toy 1, Toy 2, Toy 3 and 2 more");
        assert_eq!(items_summary(&[item("Line\r\nBcc: x", 1)]), "Line  Bcc: x");
    }

    #[test]
    fn a_greeting_uses_the_first_name_when_there_is_one() {
        assert_eq!(greeting(Some(" Ada ")), "Hi Ada,");
        assert_eq!(greeting(Some("  ")), "Hi there,");
        assert_eq!(greeting(None), "Hi there,");
    }

    #[test]
    fn bad_ids_links_offers_and_empty_carts_are_refused() {
        let purchase = |cart_id: &str| event(FlowTrigger::CartPurchased { cart_id: cart_id.into() });
        assert_eq!(plan(&purchase("")), Err(FlowError::Id("cart_id")));
        assert_eq!(plan(&purchase("a b")), Err(FlowError::Id("cart_id")));
        assert_eq!(plan(&purchase(&"x".repeat(129))), Err(FlowError::Id("cart_id")));

        let mut cart = abandoned(None);
        if let FlowTrigger::CartAbandoned { cart_url, .. } = &mut cart.trigger {
            *cart_url = "javascript:alert(1)".into();
        }
        assert_eq!(plan(&cart), Err(FlowError::Url("cart_url")));

        let mut cart = abandoned(None);
        if let FlowTrigger::CartAbandoned { items, .. } = &mut cart.trigger {
            items.clear();
        }
        assert_eq!(plan(&cart), Err(FlowError::NoItems("cart_abandoned")));

        let mut welcome = subscribed(Some(Offer { code: "TEN".into(), percent_off: 0 }));
        assert_eq!(plan(&welcome), Err(FlowError::Offer));
        if let FlowTrigger::ContactSubscribed { offer, shop, .. } = &mut welcome.trigger {
            *offer = None;
            shop.unsubscribe_url = "http://cozy.example.com/u".into();
        }
        assert_eq!(plan(&welcome), Err(FlowError::UnsubscribeUrl));
    }

    #[test]
    fn a_merchants_settings_change_delays_subject_and_intro_or_switch_the_flow_off() {
        use domain::marketing::StepSettings;
        let at = time::macros::datetime!(2026-11-26 10:00 UTC);
        let event = FlowEvent {
            occurred_at: at,
            trigger: FlowTrigger::ContactSubscribed {
                email: Email::parse("ada@example.com").unwrap(),
                first_name: None,
                offer: None,
                shop: Shop {
                    url: "https://cozy.example.com".into(),
                    unsubscribe_url: "https://cozy.example.com/u/1".into(),
                    branding: Branding::default(),
                },
            },
        };
        let mut plan = super::plan(&event).unwrap();
        let settings = FlowSettings {
            flow: "welcome".into(),
            enabled: true,
            steps: vec![StepSettings {
                step: 2,
                delay_hours: Some(72),
                subject: Some("Our favourites".into()),
                intro: Some("Hand-picked by Ada.".into()),
            }],
        };
        customise(&mut plan, Some(&settings));
        let Plan::Start { steps, .. } = &plan else { panic!("not a start") };
        assert_eq!(steps[0].due_at, at);
        assert_eq!(steps[1].due_at, at + Duration::hours(72));
        assert_eq!(steps[1].data[SUBJECT_OVERRIDE], "Our favourites");
        assert_eq!(steps[1].data[INTRO], "Hand-picked by Ada.");
        assert!(!steps[0].data.contains_key(SUBJECT_OVERRIDE));

        let mut off = super::plan(&event).unwrap();
        customise(&mut off, Some(&FlowSettings { flow: "welcome".into(), enabled: false, steps: vec![] }));
        assert!(matches!(off, Plan::Start { ref steps, .. } if steps.is_empty()));
        let mut other = super::plan(&event).unwrap();
        customise(
            &mut other,
            Some(&FlowSettings { flow: "post_purchase".into(), enabled: false, steps: vec![] }),
        );
        assert!(matches!(other, Plan::Start { ref steps, .. } if steps.len() == 2));
    }
}
