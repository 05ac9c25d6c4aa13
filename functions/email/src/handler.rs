//! Handles a batch of email messages, each on its own: a mail that fails is reported alone and
//! retried by SQS (then dead-lettered after the queue's `max_receive_count`), the rest are sent.
//!
//! Exactly once, in three layers:
//! 1. the consumer's idempotency claim on the envelope's key skips a redelivered message;
//! 2. before sending, the sent-mail record (`mail#<key>`) is read: a delivery that crashed after
//!    the provider accepted the mail, or whose claim was never completed, does not send again;
//! 3. Resend also gets the key as `Idempotency-Key`, which covers an answer lost on the wire.
//!
//! The record is written as soon as the provider accepts, before the message is acknowledged.
//!
//! Up to [`MAIL_CONCURRENCY`] mails of a batch are handled at once (the claim stays per key; copies
//! of one key in a batch run one after another), each reading its sent-mail and suppression
//! records in one request.
//!
//! The function also consumes the `flows` queue: [`handle_queues`] hands flow events to
//! [`crate::flow_events`] and mails to the per-message function here.

use crate::flow_events;
use crate::mail::{compose, Sender};
use crate::providers::{Accepted, MailProvider};
use crate::records::{MailLedger, SentRecord};
use anyhow::Context;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent};
use queues::consumer::Consumer;
use queues::idempotency::{DynamoStore, IdempotencyStore};
use queues::messages::{EmailCategory, EmailRequested, FlowEvent};
use queues::{Envelope, Message};
use std::sync::Arc;
use std::time::Duration;

/// The consumer's name in `infra/wiring.json`, which scopes its idempotency records.
pub const CONSUMER: &str = "email";
/// Mails of a batch handled at once: the email queue's batch size (`infra/wiring.json`), so every
/// mail's DynamoDB reads and writes and its provider exchange overlap with the others'.
pub const MAIL_CONCURRENCY: usize = 10;
/// Attempts at recording a provider's acceptance before giving up on the record.
const RECORD_ATTEMPTS: u32 = 3;

/// Clients built once per cold start.
pub struct State<I = DynamoStore> {
    /// Idempotency records of the consumer.
    pub idempotency: I,
    /// Sent-mail records and the suppression list.
    pub ledger: Arc<dyn MailLedger>,
    /// Who delivers the mail.
    pub provider: Arc<dyn MailProvider>,
    /// Who the mail comes from.
    pub sender: Sender,
}

/// What became of one mail that did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The provider accepted it now.
    Sent(Accepted),
    /// A provider accepted it on an earlier delivery; nothing was sent.
    AlreadySent,
    /// A marketing mail to a suppressed address: skipped, not failed.
    Suppressed,
}

/// The SQS entry point: per-message handling with partial batch failures.
pub async fn handle<I: IdempotencyStore>(
    state: &State<I>,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, Error> {
    Ok(Consumer::new(CONSUMER, &state.idempotency)
        .concurrently(MAIL_CONCURRENCY)
        .handle_batch(event.payload, |envelope| email(state, envelope))
        .await)
}

/// The SQS entry point for both queues the function consumes, `email` and `flows`: each record
/// goes by its envelope's kind, flow events to [`flow_events::handle`] and everything else to the
/// mail handler (which fails what is not a mail). One batch response reports the failures of both.
pub async fn handle_queues<I: IdempotencyStore, J: IdempotencyStore>(
    mails: &State<I>,
    flows: &flow_events::State<J>,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, Error> {
    let (flow_records, mail_records): (Vec<_>, Vec<_>) =
        event.payload.records.into_iter().partition(|record| is_flow_event(record.body.as_deref()));
    let mut response = SqsBatchResponse::default();
    if !mail_records.is_empty() {
        let mut batch = SqsEvent::default();
        batch.records = mail_records;
        let failed = Consumer::new(CONSUMER, &mails.idempotency)
            .concurrently(MAIL_CONCURRENCY)
            .handle_batch(batch, |envelope| email(mails, envelope))
            .await;
        response.batch_item_failures.extend(failed.batch_item_failures);
    }
    if !flow_records.is_empty() {
        let mut batch = SqsEvent::default();
        batch.records = flow_records;
        response.batch_item_failures.extend(flow_events::handle(flows, batch).await.batch_item_failures);
    }
    Ok(response)
}

fn is_flow_event(body: Option<&str>) -> bool {
    #[derive(serde::Deserialize)]
    struct Kind {
        kind: String,
    }
    body.and_then(|body| serde_json::from_str::<Kind>(body).ok()).is_some_and(|k| k.kind == FlowEvent::KIND)
}

async fn email<I>(state: &State<I>, envelope: Envelope<EmailRequested>) -> anyhow::Result<()> {
    let template = envelope.payload.template.name();
    // The recipient's address stays out of the logs; the key and the template identify the mail.
    match deliver(state, &envelope).await? {
        Delivery::Sent(accepted) => tracing::info!(
            template,
            provider = state.provider.name(),
            provider_id = accepted.provider_id.as_deref().unwrap_or(""),
            outcome = "sent",
            "mail sent"
        ),
        Delivery::AlreadySent => {
            tracing::info!(
                template,
                outcome = "already_sent",
                "a provider accepted this mail before; not sent again"
            )
        }
        Delivery::Suppressed => {
            tracing::info!(
                template,
                outcome = "skipped",
                reason = "suppressed",
                "marketing mail to a suppressed address skipped"
            )
        }
    }
    Ok(())
}

/// Sends one mail unless it was sent before or its recipient is suppressed for marketing.
///
/// Fails when the data does not fit the template (retrying will not help; the message ends in the
/// dead-letter queue for a look) or when the provider does not take the mail (retried).
pub async fn deliver<I>(state: &State<I>, envelope: &Envelope<EmailRequested>) -> anyhow::Result<Delivery> {
    let key = envelope.idempotency_key.as_str();
    let request = &envelope.payload;
    let recipient = match request.category {
        EmailCategory::Marketing { .. } => Some((&request.to, envelope.store().ok())),
        EmailCategory::Transactional => None,
    };
    let prior = state.ledger.before_send(key, recipient).await?;
    if prior.sent.is_some() {
        return Ok(Delivery::AlreadySent);
    }
    if prior.suppressed {
        return Ok(Delivery::Suppressed);
    }
    let mail = compose(&state.sender, key, request)
        .with_context(|| format!("rendering the `{}` mail", request.template.name()))?;
    let accepted = state.provider.send(&mail).await?;

    let record = SentRecord {
        provider: state.provider.name().to_owned(),
        provider_id: accepted.provider_id.clone(),
        template: request.template.name().to_owned(),
    };
    for attempt in 1..=RECORD_ATTEMPTS {
        match state.ledger.record_sent(key, &record).await {
            Ok(()) => break,
            Err(error) if attempt < RECORD_ATTEMPTS => {
                tracing::warn!(
                    attempt,
                    error = format!("{error:#}"),
                    "recording the sent mail failed; trying again"
                );
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
            }
            // The mail is out: failing the message now would send it again. Succeeding lets the
            // consumer's idempotency record stand in for the missing one.
            Err(error) => tracing::error!(
                error = format!("{error:#}"),
                "the provider accepted the mail but it could not be recorded"
            ),
        }
    }
    Ok(Delivery::Sent(accepted))
}
