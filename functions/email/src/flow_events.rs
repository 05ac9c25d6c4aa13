//! Handles the `flows` queue: each [`FlowEvent`] becomes a [`Plan`](crate::flows::Plan) (the pure
//! rules in [`crate::flows`]) and is applied to the steps in DynamoDB ([`crate::flow_steps`]).
//!
//! An event that breaks the contract (a bad id or link) fails alone and, after the queue's
//! `max_receive_count`, rests in the dead-letter queue. An `order_shipped` that overtakes its
//! `order_placed` fails too, and its retry finds the order.

use crate::flow_steps::{Applied, FlowSteps, Origin};
use crate::flows::{self, Plan};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use queues::consumer::Consumer;
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
}

/// Handles a batch of flow events, each on its own, reporting the failed ones.
pub async fn handle<I: IdempotencyStore>(state: &State<I>, event: SqsEvent) -> SqsBatchResponse {
    Consumer::new(CONSUMER, &state.idempotency)
        .handle_batch(event, |envelope| flow_event(state, envelope))
        .await
}

async fn flow_event<I>(state: &State<I>, envelope: Envelope<FlowEvent>) -> anyhow::Result<()> {
    let applied = apply(&state.steps, &envelope, OffsetDateTime::now_utc()).await?;
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

/// Applies one event to its store's flows at `now`.
pub async fn apply(
    steps: &FlowSteps,
    envelope: &Envelope<FlowEvent>,
    now: OffsetDateTime,
) -> anyhow::Result<Applied> {
    let plan = flows::plan(&envelope.payload)?;
    if let Plan::Suppress { contact, reason } = &plan {
        // Platform-wide: the envelope names no store.
        return steps.suppress(contact, reason, now).await;
    }
    let origin = Origin {
        tenant: envelope.tenant_id,
        store: envelope.store()?,
        correlation_id: &envelope.correlation_id,
    };
    steps.apply(&origin, &plan, now).await
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
