//! The email flows against DynamoDB in moto: events schedule and cancel steps, sweeps at chosen
//! times send what is due through a recording mail queue, and the email handler sends each mail
//! once.

use crate::helpers::{email_body, moto, spawn_app, sqs_event, verify_email, Moto, RecordingQueue};
use domain::accounts::Email;
use domain::{Currency, Money, StoreId, TenantId};
use email::flow_events;
use email::flow_steps::{Applied, FlowSteps, Status};
use email::flows::Flow;
use email::sweep::{self, Summary};
use lambda_runtime::{Context, LambdaEvent};
use queues::idempotency::MemoryStore;
use queues::messages::{
    Branding, EmailCategory, EmailTemplate, FlowEvent, FlowTrigger, LineItem, Offer, Shop,
};
use queues::Envelope;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// When every scenario's first event happens.
const T: OffsetDateTime = datetime!(2026-11-26 10:00 UTC);
const TABLE: &str = "flows-test";

struct Flows {
    _moto: Moto,
    steps: FlowSteps,
    queue: RecordingQueue,
    store: StoreId,
    tenant: TenantId,
}

async fn spawn_flows() -> Flows {
    let moto = moto();
    let dynamo = moto.dynamodb(TABLE).await;
    Flows {
        _moto: moto,
        steps: FlowSteps::new(dynamo, TABLE),
        queue: RecordingQueue::default(),
        store: StoreId::from_random_bytes([2; 16]),
        tenant: TenantId::from_random_bytes([1; 16]),
    }
}

impl Flows {
    fn envelope(&self, occurred_at: OffsetDateTime, trigger: FlowTrigger) -> Envelope<FlowEvent> {
        Envelope::new(
            "flow:test",
            self.tenant,
            self.store,
            occurred_at,
            "corr-flow",
            FlowEvent { occurred_at, trigger },
        )
    }

    /// Applies an event that happened, and is handled, at `at`.
    async fn event(&self, at: OffsetDateTime, trigger: FlowTrigger) -> Applied {
        flow_events::apply(&self.steps, &self.envelope(at, trigger), at).await.unwrap()
    }

    async fn sweep(&self, claim: &str, now: OffsetDateTime) -> Summary {
        sweep::run(&self.steps, &self.queue, claim, now).await.unwrap()
    }

    /// Sweeps at each of `times`, in order.
    async fn sweep_at(&self, times: &[OffsetDateTime]) {
        for (i, now) in times.iter().enumerate() {
            self.sweep(&format!("sweep-{i}"), *now).await;
        }
    }

    fn key(&self, flow: Flow, subject: &str, step: u8) -> String {
        email::flows::mail_key(self.store, flow, subject, step)
    }

    async fn status(&self, flow: Flow, subject: &str, step: u8) -> Option<Status> {
        self.steps.step(self.store, flow, subject, step).await.unwrap().map(|s| s.status)
    }
}

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
    Some(Offer { code: "COMEBACK10".into(), percent_off: 10 })
}

fn subscribed(email: &Email) -> FlowTrigger {
    FlowTrigger::ContactSubscribed {
        email: email.clone(),
        first_name: Some("Ada".into()),
        offer: offer(),
        shop: shop(),
    }
}

fn abandoned(cart_id: &str, email: &Email) -> FlowTrigger {
    FlowTrigger::CartAbandoned {
        cart_id: cart_id.into(),
        email: email.clone(),
        items: vec![LineItem { title: "Slicker brush".into(), quantity: 2 }],
        cart_url: format!("https://cozy.example.com/cart/{cart_id}"),
        offer: offer(),
        shop: shop(),
    }
}

fn purchased(cart_id: &str) -> FlowTrigger {
    FlowTrigger::CartPurchased { cart_id: cart_id.into() }
}

fn placed(order_id: &str, email: &Email) -> FlowTrigger {
    FlowTrigger::OrderPlaced {
        order_id: order_id.into(),
        email: email.clone(),
        first_name: None,
        order_number: "#1042".into(),
        total: Money::from_minor(2_499, Currency::Usd),
        items: vec![LineItem { title: "Slicker brush".into(), quantity: 1 }],
        order_url: format!("https://cozy.example.com/orders/{order_id}"),
        review_url: format!("https://cozy.example.com/orders/{order_id}/review"),
        shop: shop(),
    }
}

fn shipped(order_id: &str) -> FlowTrigger {
    FlowTrigger::OrderShipped {
        order_id: order_id.into(),
        tracking_url: "https://track.example.com/1Z999".into(),
    }
}

fn hours(n: i64) -> Duration {
    Duration::hours(n)
}

#[tokio::test]
async fn an_abandoned_cart_bought_after_the_first_reminder_gets_no_second_or_last_one() {
    let flows = spawn_flows().await;
    let scheduled = flows.event(T, abandoned("cart-1", &ada())).await;
    assert_eq!(scheduled, Applied { scheduled: 3, kept: 0, cancelled: 0 });

    flows.sweep_at(&[T + Duration::minutes(30), T + hours(1)]).await;
    assert_eq!(flows.queue.keys(), vec![flows.key(Flow::AbandonedCart, "cart-1", 1)]);
    let reminder = &flows.queue.mails()[0];
    assert_eq!(reminder.payload.template, EmailTemplate::CartReminder);
    assert_eq!(reminder.payload.to, ada());
    assert_eq!(
        reminder.payload.category,
        EmailCategory::Marketing { unsubscribe_url: "https://cozy.example.com/unsubscribe/t1".into() }
    );
    assert_eq!(reminder.payload.data["items_summary"], "Slicker brush × 2");
    assert_eq!((reminder.store_id, reminder.tenant_id), (Some(flows.store), flows.tenant));
    assert_eq!(reminder.correlation_id, "corr-flow");

    let bought = flows.event(T + hours(2), purchased("cart-1")).await;
    assert_eq!(bought.cancelled, 2, "the two reminders still to come");
    flows.sweep_at(&[T + hours(24), T + hours(25), T + hours(72), T + hours(96)]).await;
    assert_eq!(flows.queue.keys().len(), 1, "nothing after the purchase: {:?}", flows.queue.keys());
    assert_eq!(flows.status(Flow::AbandonedCart, "cart-1", 1).await, Some(Status::Sent));
    assert_eq!(flows.status(Flow::AbandonedCart, "cart-1", 2).await, Some(Status::Cancelled));
    assert_eq!(flows.status(Flow::AbandonedCart, "cart-1", 3).await, Some(Status::Cancelled));
}

#[tokio::test]
async fn a_purchase_that_overtakes_its_abandonment_on_the_queue_still_stops_the_reminders() {
    let flows = spawn_flows().await;
    flows.event(T + hours(2), purchased("cart-1")).await;
    let late = flows.event(T + hours(2), abandoned("cart-1", &ada())).await;
    assert_eq!(late, Applied { scheduled: 0, kept: 3, cancelled: 0 });
    flows.sweep_at(&[T + hours(3), T + hours(24), T + hours(72)]).await;
    assert!(flows.queue.keys().is_empty(), "{:?}", flows.queue.keys());
}

#[tokio::test]
async fn two_overlapping_sweeps_send_each_due_step_once() {
    let flows = spawn_flows().await;
    let contacts: Vec<Email> =
        (1..=4).map(|i| Email::parse(&format!("shopper{i}@example.com")).unwrap()).collect();
    for (i, contact) in contacts.iter().enumerate() {
        flows.event(T, subscribed(contact)).await;
        flows.event(T, abandoned(&format!("cart-{i}"), contact)).await;
        flows.event(T, placed(&format!("order-{i}"), contact)).await;
    }
    // Each moment, two sweeps run at once, as when a tick overlaps a slow one.
    for now in [T, T + hours(1), T + hours(24), T + hours(48), T + hours(72), T + hours(120)] {
        let (a, b) = tokio::join!(flows.sweep("sweep-a", now), flows.sweep("sweep-b", now));
        assert_eq!(a.failed + b.failed, 0);
    }
    let mut keys = flows.queue.keys();
    let enqueued = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), enqueued, "a step was enqueued twice");
    // Per contact: welcome 1, 2 and 3; the cart's three reminders; the order confirmation.
    assert_eq!(enqueued, contacts.len() * 7);
    for i in 0..contacts.len() {
        assert!(keys.contains(&flows.key(Flow::PostPurchase, &format!("order-{i}"), 1)));
        assert!(keys.contains(&flows.key(Flow::AbandonedCart, &format!("cart-{i}"), 3)));
    }
}

#[tokio::test]
async fn an_unsubscribed_contact_gets_no_more_marketing_but_still_its_shipping_update() {
    let flows = spawn_flows().await;
    flows.event(T, subscribed(&ada())).await;
    flows.event(T, abandoned("cart-1", &ada())).await;
    flows.event(T, placed("order-1", &ada())).await;
    flows.sweep_at(&[T, T + hours(1)]).await;
    let before = flows.queue.keys();
    assert_eq!(
        before,
        vec![
            flows.key(Flow::Welcome, "ada@example.com", 1),
            flows.key(Flow::PostPurchase, "order-1", 1),
            flows.key(Flow::AbandonedCart, "cart-1", 1),
        ]
    );

    let gone = flows.event(T + hours(2), FlowTrigger::ContactUnsubscribed { email: ada() }).await;
    // Welcome 2 and 3, the cart's 2 and 3, the review request and the cross-sell.
    assert_eq!(gone.cancelled, 6);
    assert!(flows.steps.is_suppressed(&ada(), flows.store).await.unwrap());
    let other = StoreId::from_random_bytes([3; 16]);
    assert!(!flows.steps.is_suppressed(&ada(), other).await.unwrap(), "another store's list is its own");
    flows.event(T + hours(3), shipped("order-1")).await;
    flows.sweep_at(&[3, 24, 48, 72, 120, 14 * 24, 30 * 24].map(|h| T + hours(h))).await;

    let after: Vec<String> = flows.queue.keys().split_off(before.len());
    assert_eq!(after, vec![flows.key(Flow::PostPurchase, "order-1", 2)], "only the shipping update");
    let shipping = flows.queue.mails().pop().unwrap();
    assert_eq!(shipping.payload.category, EmailCategory::Transactional);
    assert_eq!(shipping.payload.data["tracking_url"], "https://track.example.com/1Z999");
    assert_eq!(flows.status(Flow::PostPurchase, "order-1", 3).await, Some(Status::Cancelled));
    assert_eq!(flows.status(Flow::Welcome, "ada@example.com", 3).await, Some(Status::Cancelled));
}

#[tokio::test]
async fn a_flow_started_after_the_unsubscribe_is_stopped_by_the_suppression_list() {
    let flows = spawn_flows().await;
    flows.event(T, FlowTrigger::ContactUnsubscribed { email: ada() }).await;
    flows.event(T, abandoned("cart-1", &ada())).await;
    let summary = flows.sweep("sweep-a", T + hours(1)).await;
    assert_eq!((summary.enqueued, summary.skipped), (0, 1));
    assert_eq!(flows.status(Flow::AbandonedCart, "cart-1", 1).await, Some(Status::Cancelled));
}

#[tokio::test]
async fn a_providers_bounce_report_suppresses_the_address_for_every_store() {
    let flows = spawn_flows().await;
    let bounce =
        FlowTrigger::AddressSuppressed { email: ada(), reason: queues::messages::SuppressionReason::Bounced };
    let mut report = flows.envelope(T, bounce);
    report.store_id = None;
    report.tenant_id = queues::messages::PLATFORM_TENANT.parse().unwrap();
    flow_events::apply(&flows.steps, &report, T).await.unwrap();
    assert!(flows.steps.is_suppressed(&ada(), flows.store).await.unwrap());
    assert!(flows.steps.is_suppressed(&ada(), StoreId::from_random_bytes([3; 16])).await.unwrap());
    flows.event(T, abandoned("cart-1", &ada())).await;
    let summary = flows.sweep("sweep-a", T + hours(1)).await;
    assert_eq!((summary.enqueued, summary.skipped), (0, 1));
}

#[tokio::test]
async fn a_sweep_that_died_after_taking_a_step_is_relieved_once_its_lease_runs_out() {
    let flows = spawn_flows().await;
    flows.event(T, subscribed(&ada())).await;
    let entry = flows.steps.due(T, T).await.unwrap().remove(0);
    // A sweep takes the step and dies before marking it: the step stays `sending`.
    assert!(matches!(
        flows.steps.take(&entry, "dead-sweep", T).await.unwrap(),
        email::flow_steps::Take::Taken(_)
    ));

    let during_lease = flows.sweep("sweep-b", T + Duration::minutes(5)).await;
    assert_eq!((during_lease.enqueued, during_lease.busy), (0, 1));
    let after_lease = flows.sweep("sweep-c", T + Duration::minutes(11)).await;
    assert_eq!(after_lease.enqueued, 1);
    assert_eq!(flows.queue.keys(), vec![flows.key(Flow::Welcome, "ada@example.com", 1)]);
    assert_eq!(flows.status(Flow::Welcome, "ada@example.com", 1).await, Some(Status::Sent));
}

#[tokio::test]
async fn a_mail_enqueued_twice_after_a_lost_answer_is_sent_once_by_the_email_function() {
    let flows = spawn_flows().await;
    flows.event(T, placed("order-1", &ada())).await;
    flows.queue.lose_next_answer();
    let first = flows.sweep("sweep-a", T).await;
    assert_eq!(first.failed, 1);
    let second = flows.sweep("sweep-b", T + Duration::minutes(5)).await;
    assert_eq!(second.enqueued, 1);
    let mails = flows.queue.mails();
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[0].idempotency_key, mails[1].idempotency_key);

    let app = spawn_app();
    let bodies: Vec<(String, String)> =
        mails.iter().enumerate().map(|(i, m)| (format!("m{i}"), m.to_body())).collect();
    let records: Vec<(&str, String)> = bodies.iter().map(|(id, body)| (id.as_str(), body.clone())).collect();
    assert!(app.deliver(&records).await.is_empty());
    let sent = app.provider.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].subject, "Order #1042 confirmed");
    assert_eq!(sent[0].from.to_string(), "Cozy Paws <no-reply@dropship.localhost>");
    assert!(sent[0].text.contains("$24.99"));
}

#[tokio::test]
async fn a_shipping_event_that_overtakes_its_order_fails_until_the_order_is_there() {
    let flows = spawn_flows().await;
    let early = flow_events::apply(&flows.steps, &flows.envelope(T, shipped("order-1")), T).await;
    assert!(early.unwrap_err().to_string().contains("order_placed"));
    flows.event(T, placed("order-1", &ada())).await;
    assert_eq!(flows.event(T + hours(1), shipped("order-1")).await.scheduled, 1);
    assert_eq!(flows.event(T + hours(1), shipped("order-1")).await.kept, 1, "one shipping update per order");
}

#[tokio::test]
async fn a_second_subscription_does_not_restart_the_welcome_series() {
    let flows = spawn_flows().await;
    flows.event(T, subscribed(&ada())).await;
    let again = flows.event(T + hours(50), subscribed(&ada())).await;
    assert_eq!(again, Applied { scheduled: 0, kept: 3, cancelled: 0 });
    flows.sweep_at(&[T, T + hours(48), T + hours(50), T + hours(98), T + hours(120)]).await;
    assert_eq!(flows.queue.keys().len(), 3, "{:?}", flows.queue.keys());
}

#[tokio::test]
async fn a_marketing_step_found_a_day_late_is_skipped_and_the_next_one_sent() {
    let flows = spawn_flows().await;
    flows.event(T, abandoned("cart-1", &ada())).await;
    let summary = flows.sweep("sweep-a", T + hours(30)).await;
    assert_eq!((summary.enqueued, summary.skipped), (1, 1));
    assert_eq!(flows.queue.keys(), vec![flows.key(Flow::AbandonedCart, "cart-1", 2)]);
    assert_eq!(flows.status(Flow::AbandonedCart, "cart-1", 1).await, Some(Status::Cancelled));
}

#[tokio::test]
async fn one_batch_carries_mails_and_flow_events_and_a_bad_event_fails_alone() {
    let flows = spawn_flows().await;
    let app = spawn_app();
    let flow_state =
        flow_events::State { idempotency: MemoryStore::default(), steps: flows.steps.clone(), edge: None };
    let now = OffsetDateTime::now_utc();
    let good = flows.envelope(now, subscribed(&ada())).to_body();
    let mut bad = flows.envelope(now, purchased("cart with spaces"));
    bad.idempotency_key = "flow:bad".into();
    let event = sqs_event(&[
        ("m1", email_body("verify:1", verify_email("owner@example.com"))),
        ("f1", good),
        ("f2", bad.to_body()),
    ]);
    let event = LambdaEvent::new(serde_json::from_value(event).unwrap(), Context::default());
    let response = email::handler::handle_queues(&app.state, &flow_state, event).await.unwrap();
    let failed: Vec<String> = response.batch_item_failures.into_iter().map(|f| f.item_identifier).collect();
    assert_eq!(failed, vec!["f2"]);
    assert_eq!(app.provider.sent().len(), 1);
    assert_eq!(flows.status(Flow::Welcome, "ada@example.com", 1).await, Some(Status::Scheduled));
}

#[tokio::test]
async fn an_unsubscribe_from_one_store_leaves_another_stores_mail_alone() {
    let flows = spawn_flows().await;
    flows.event(T, FlowTrigger::ContactUnsubscribed { email: ada() }).await;
    let other = StoreId::from_random_bytes([3; 16]);
    let cart = Envelope::new(
        "flow:other-store",
        flows.tenant,
        other,
        T,
        "corr-other",
        FlowEvent { occurred_at: T, trigger: abandoned("cart-2", &ada()) },
    );
    flow_events::apply(&flows.steps, &cart, T).await.unwrap();
    let summary = flows.sweep("sweep-a", T + hours(1)).await;
    assert_eq!((summary.enqueued, summary.skipped), (1, 0), "the other store's reminder goes out");
    assert_eq!(flows.queue.keys(), vec![email::flows::mail_key(other, Flow::AbandonedCart, "cart-2", 1)]);
}

#[tokio::test]
async fn the_dynamo_ledger_finds_a_sent_mail_and_each_suppression_list_before_sending() {
    use email::records::{
        store_suppression_key, suppression_key, DynamoLedger, MailLedger, Prior, SentRecord,
    };
    let moto = moto();
    let dynamo = moto.dynamodb(TABLE).await;
    let ledger = DynamoLedger::new(dynamo.clone(), TABLE);
    let (store, other) = (StoreId::from_random_bytes([2; 16]), StoreId::from_random_bytes([3; 16]));
    let (ada, bob) = (ada(), Email::parse("bob@example.com").unwrap());
    assert_eq!(ledger.before_send("k1", Some((&ada, Some(store)))).await.unwrap(), Prior::default());

    let record = SentRecord {
        provider: "smtp".into(),
        provider_id: Some("250 queued".into()),
        template: "welcome".into(),
    };
    ledger.record_sent("k1", &record).await.unwrap();
    let prior = ledger.before_send("k1", Some((&ada, Some(store)))).await.unwrap();
    assert_eq!((prior.sent, prior.suppressed), (Some(record), false));

    let put = |key| dynamo.put_item().table_name(TABLE).set_item(Some(key)).send();
    put(store_suppression_key(store, &ada)).await.unwrap();
    put(suppression_key(&bob)).await.unwrap();
    let suppressed = |address, store| {
        let ledger = &ledger;
        async move { ledger.before_send("k2", Some((address, store))).await.unwrap().suppressed }
    };
    assert!(suppressed(&ada, Some(store)).await, "unsubscribed from this store");
    assert!(!suppressed(&ada, Some(other)).await, "another store's list is its own");
    assert!(suppressed(&bob, Some(other)).await, "a bounce stops every store's marketing");
    assert!(suppressed(&bob, None).await);
    assert!(!ledger.before_send("k2", None).await.unwrap().suppressed, "transactional: not looked up");
}
