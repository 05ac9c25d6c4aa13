//! Handles the `flows` queue: each [`FlowEvent`] becomes a [`Plan`](crate::flows::Plan) (the pure
//! rules in [`crate::flows`]) and is applied to the steps in DynamoDB ([`crate::flow_steps`]).
//!
//! An event that breaks the contract (a bad id or link) fails alone and, after the queue's
//! `max_receive_count`, rests in the dead-letter queue. An `order_shipped` that overtakes its
//! `order_placed` fails too, and its retry finds the order.

use crate::flow_edge::{self, FlowEdge};
use crate::flow_steps::{Applied, FlowSteps, Origin};
use crate::flows::{self, Plan};
use anyhow::Context;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use queues::consumer::Consumer;
use queues::email_api::{SendReport, SendStatus};
use queues::idempotency::{DynamoStore, IdempotencyStore};
use queues::messages::{FlowEvent, FlowTrigger};
use queues::Envelope;
use time::OffsetDateTime;

/// The scope of the flow events' idempotency records. The email function consumes two queues;
/// each keeps its own records, so a mail and an event with the same key do not collide.
pub const CONSUMER: &str = "flows";

/// Clients built once per cold start.
pub struct State<I = DynamoStore> {
    /// Idempotency records of the flow events.
    pub idempotency: I,
    /// The flows' steps.
    pub steps: FlowSteps,
    /// The edge: flow settings and send reports (`None` runs every flow with its defaults).
    pub edge: Option<std::sync::Arc<dyn FlowEdge>>,
}

/// Handles a batch of flow events, each on its own, reporting the failed ones.
pub async fn handle<I: IdempotencyStore>(state: &State<I>, event: SqsEvent) -> SqsBatchResponse {
    Consumer::new(CONSUMER, &state.idempotency)
        .handle_batch(event, |envelope| flow_event(state, envelope))
        .await
}

async fn flow_event<I>(state: &State<I>, envelope: Envelope<FlowEvent>) -> anyhow::Result<()> {
    let applied =
        apply_with(&state.steps, state.edge.as_deref(), &envelope, OffsetDateTime::now_utc()).await?;
    // Addresses, carts and orders stay out of the logs; the key identifies the event.
    tracing::info!(
        event = name(&envelope.payload.trigger),
        scheduled = applied.scheduled,
        kept = applied.kept,
        cancelled = applied.cancelled,
        "flow event applied"
    );
    Ok(())
}

/// Applies one event to its store's flows at `now`, with every flow's default settings.
pub async fn apply(
    steps: &FlowSteps,
    envelope: &Envelope<FlowEvent>,
    now: OffsetDateTime,
) -> anyhow::Result<Applied> {
    apply_with(steps, None, envelope, now).await
}

/// Applies one event to its store's flows at `now`, with the store's settings from `edge` (an
/// edge that cannot answer fails the event, which SQS retries), and reports what it scheduled or
/// cancelled.
pub async fn apply_with(
    steps: &FlowSteps,
    edge: Option<&dyn FlowEdge>,
    envelope: &Envelope<FlowEvent>,
    now: OffsetDateTime,
) -> anyhow::Result<Applied> {
    let mut plan = flows::plan(&envelope.payload)?;
    if let Plan::Suppress { contact, reason } = &plan {
        // Platform-wide: the envelope names no store.
        return steps.suppress(None, contact, reason, now).await;
    }
    let store = envelope.store()?;
    if let (Plan::Start { flow, .. }, Some(edge)) = (&plan, edge) {
        let settings = edge.settings(store).await.context("reading the store's flow settings")?;
        let flow = flow.name();
        flows::customise(&mut plan, settings.flow(flow));
    }
    let origin = Origin { tenant: envelope.tenant_id, store, correlation_id: &envelope.correlation_id };
    let applied = steps.apply(&origin, &plan, now).await?;
    let news: Vec<SendReport> = match &plan {
        Plan::Start { steps, .. } => {
            steps.iter().map(|step| flow_edge::report(step, SendStatus::Scheduled, None)).collect()
        }
        // Only steps the merchant already sees change: the edge updates, never adds, these.
        Plan::Stop { flow, subject, reason } => flow
            .steps()
            .iter()
            .map(|rule| SendReport {
                flow: flow.name().to_owned(),
                subject: subject.clone(),
                step: rule.number,
                template: rule.template.name().to_owned(),
                recipient: String::new(),
                status: SendStatus::Cancelled,
                reason: Some((*reason).to_owned()),
                due_at: String::new(),
            })
            .collect(),
        _ => Vec::new(),
    };
    flow_edge::tell(edge, store, &news).await;
    Ok(applied)
}

fn name(trigger: &FlowTrigger) -> &'static str {
    match trigger {
        FlowTrigger::ContactSubscribed { .. } => "contact_subscribed",
        FlowTrigger::CartAbandoned { .. } => "cart_abandoned",
        FlowTrigger::CartPurchased { .. } => "cart_purchased",
        FlowTrigger::OrderPlaced { .. } => "order_placed",
        FlowTrigger::OrderShipped { .. } => "order_shipped",
        FlowTrigger::ContactUnsubscribed { .. } => "contact_unsubscribed",
        FlowTrigger::AddressSuppressed { .. } => "address_suppressed",
    }
}
