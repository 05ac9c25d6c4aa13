//! What an SQS event source mapping does, for the local stack.
//!
//! For each queue: long-poll up to `batch_size` messages, invoke the consumer function through
//! `cargo lambda watch` with a real SQS event, and delete the messages that did not fail. The
//! failed ones (every message, if the invocation itself failed) stay in the queue and come back
//! after the visibility timeout; after `maxReceiveCount` receives, the emulator's redrive policy
//! moves them to the dead-letter queue.

use crate::wiring::Queue;
use anyhow::Context;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, MessageSystemAttributeName};
use std::collections::HashSet;
use std::time::Duration;

/// One queue's mapping to its consumer.
pub struct Mapping {
    queue: String,
    queue_url: String,
    queue_arn: String,
    batch_size: i32,
    invoke_url: String,
}

impl Mapping {
    /// The mapping of queue `name`, at `queue_url`, to its consumer under `lambda_url`.
    pub fn new(name: &str, queue: &Queue, queue_url: String, lambda_url: &str) -> Self {
        // Emulator queue URLs end in /<account>/<queue name>.
        let mut parts = queue_url.rsplit('/');
        let queue_name = parts.next().unwrap_or(name).to_owned();
        let account = parts.next().unwrap_or("123456789012").to_owned();
        Self {
            queue: name.to_owned(),
            queue_arn: format!("arn:aws:sqs:us-east-1:{account}:{queue_name}"),
            queue_url,
            batch_size: queue.batch_size.clamp(1, 10),
            invoke_url: format!("{lambda_url}/2015-03-31/functions/{}/invocations", queue.consumer),
        }
    }
}

/// Turns received messages into the event Lambda would send.
fn event(mapping: &Mapping, messages: &[aws_sdk_sqs::types::Message]) -> SqsEvent {
    let mut event = SqsEvent::default();
    event.records = messages
        .iter()
        .map(|m| {
            let mut record = SqsMessage::default();
            record.message_id = m.message_id.clone();
            record.receipt_handle = m.receipt_handle.clone();
            record.body = m.body.clone();
            record.md5_of_body = m.md5_of_body.clone();
            record.attributes = m
                .attributes
                .as_ref()
                .map(|a| a.iter().map(|(k, v)| (k.as_str().to_owned(), v.clone())).collect())
                .unwrap_or_default();
            record.event_source = Some("aws:sqs".into());
            record.event_source_arn = Some(mapping.queue_arn.clone());
            record.aws_region = Some("us-east-1".into());
            record
        })
        .collect();
    event
}

/// Invokes the consumer; returns the ids of the messages to keep for redelivery.
async fn invoke(
    http: &reqwest::Client,
    mapping: &Mapping,
    event: &SqsEvent,
) -> anyhow::Result<HashSet<String>> {
    let all: HashSet<String> = event.records.iter().filter_map(|r| r.message_id.clone()).collect();
    let response = match http
        .post(&mapping.invoke_url)
        .json(event)
        .timeout(Duration::from_secs(300))
        .send()
        .await
    {
        Ok(response) => response,
        Err(error) => {
            tracing::warn!(queue = %mapping.queue, %error, "function unreachable; the batch will be redelivered");
            return Ok(all);
        }
    };
    let function_error = response.headers().contains_key("x-amz-function-error");
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if function_error || !status.is_success() {
        tracing::warn!(queue = %mapping.queue, %status, body = %text.chars().take(300).collect::<String>(), "invocation failed; the batch will be redelivered");
        return Ok(all);
    }
    let answer: SqsBatchResponse = serde_json::from_str(&text).unwrap_or_default();
    let failed: HashSet<String> = answer.batch_item_failures.into_iter().map(|f| f.item_identifier).collect();
    // As in AWS: a failure naming no message of the batch fails the whole batch.
    if failed.iter().any(|id| id.is_empty() || !all.contains(id)) {
        return Ok(all);
    }
    Ok(failed)
}

/// Pumps one queue forever.
pub async fn run(sqs: aws_sdk_sqs::Client, http: reqwest::Client, mapping: Mapping) -> anyhow::Result<()> {
    loop {
        let received = sqs
            .receive_message()
            .queue_url(&mapping.queue_url)
            .max_number_of_messages(mapping.batch_size)
            .wait_time_seconds(1)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await;
        let messages = match received {
            Ok(out) => out.messages.unwrap_or_default(),
            Err(error) => {
                tracing::warn!(queue = %mapping.queue, error = %aws_sdk_sqs::error::DisplayErrorContext(&error), "receive failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if messages.is_empty() {
            continue;
        }
        let event = event(&mapping, &messages);
        let failed = invoke(&http, &mapping, &event).await?;
        let done: Vec<DeleteMessageBatchRequestEntry> = messages
            .iter()
            .filter(|m| m.message_id.as_ref().is_some_and(|id| !failed.contains(id)))
            .enumerate()
            .filter_map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(m.receipt_handle.clone()?)
                    .build()
                    .ok()
            })
            .collect();
        tracing::info!(queue = %mapping.queue, received = messages.len(), failed = failed.len(), "batch delivered");
        if !done.is_empty() {
            sqs.delete_message_batch()
                .queue_url(&mapping.queue_url)
                .set_entries(Some(done))
                .send()
                .await
                .context("deleting handled messages")?;
        }
    }
}
