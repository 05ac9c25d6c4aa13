//! Sends envelopes to SQS.

use crate::envelope::{Envelope, Message};
use anyhow::Context;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;

/// SQS accepts at most this many messages per `SendMessageBatch`.
const SQS_BATCH_MAX: usize = 10;

/// Sends typed messages to the queue configured for their type.
#[derive(Debug, Clone)]
pub struct SqsPublisher {
    client: aws_sdk_sqs::Client,
    queue_url: String,
}

impl SqsPublisher {
    /// A publisher for one queue.
    pub fn new(client: aws_sdk_sqs::Client, queue_url: impl Into<String>) -> Self {
        Self { client, queue_url: queue_url.into() }
    }

    /// The environment variable that holds a queue's URL: `<QUEUE>_QUEUE_URL`, as infra sets it.
    pub fn url_variable<T: Message>() -> String {
        format!("{}_QUEUE_URL", T::QUEUE.to_ascii_uppercase())
    }

    /// Sends every envelope, in batches of ten. Fails if any entry was refused, naming how many,
    /// so the caller's own message is retried (the consumers' idempotency makes resending safe).
    pub async fn send_all<T: Message>(&self, envelopes: &[Envelope<T>]) -> anyhow::Result<()> {
        for chunk in envelopes.chunks(SQS_BATCH_MAX) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(e.to_body())
                        .build()
                        .context("building SQS batch entry")
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let out = self
                .client
                .send_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .with_context(|| format!("sending {} message(s) to the {} queue", chunk.len(), T::QUEUE))?;
            if !out.failed().is_empty() {
                anyhow::bail!(
                    "{} of {} message(s) refused by the {} queue",
                    out.failed().len(),
                    chunk.len(),
                    T::QUEUE
                );
            }
        }
        Ok(())
    }
}
