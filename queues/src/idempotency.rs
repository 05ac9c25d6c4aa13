//! The idempotency guard: a conditional write per message key, so an effect is applied once.
//!
//! A delivery first claims its key with a lease. The claim fails if the key was already applied
//! (the delivery is a duplicate and is skipped) or if another delivery holds an unexpired lease
//! (this one is retried later). On success the record is marked applied and kept for
//! [`RECORD_TTL_SECS`]; on failure the claim is released so a retry can run at once. A crash
//! leaves the lease to expire.

use anyhow::Context;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use time::OffsetDateTime;

/// How long an applied key is remembered: longer than any SQS retention, so no redelivery can
/// outlive its record.
pub const RECORD_TTL_SECS: i64 = 15 * 24 * 3600;
/// How long a claim holds before another delivery may take it over; longer than a function's
/// timeout.
pub const LEASE_SECS: i64 = 15 * 60;

/// When a key may be claimed: nobody has, or a claim's lease ran out before it was applied.
const CLAIMABLE: &str = "attribute_not_exists(pk) OR (#status = :in_progress AND lease_until < :now)";
/// How a claimed key is marked applied.
const MARK_APPLIED: &str = "SET #status = :applied REMOVE lease_until";
/// Most puts in one `BatchWriteItem`.
const BATCH_WRITE_MAX: usize = 25;
/// Rounds of writing the items DynamoDB leaves unprocessed (it does so when throttled).
const BATCH_WRITE_ATTEMPTS: u32 = 5;

/// The result of claiming a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This delivery holds the key and must apply the message.
    Acquired,
    /// The message was applied before.
    AlreadyApplied,
    /// Another delivery is applying it now.
    HeldByAnotherDelivery,
}

/// Where idempotency records live. Consumers read the register of erased tenants and stores
/// from the same place before they claim a message.
pub trait IdempotencyStore: crate::erased::ErasedRegister + Sync {
    /// Claims `key` for `consumer`.
    fn claim(&self, consumer: &str, key: &str) -> impl Future<Output = anyhow::Result<Claim>> + Send;
    /// Marks `key` applied.
    fn complete(&self, consumer: &str, key: &str) -> impl Future<Output = anyhow::Result<()>> + Send;
    /// Gives up a claim after a failure.
    fn release(&self, consumer: &str, key: &str) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Marks each of `keys` (distinct) applied: one answer per key, in order, as
    /// [`IdempotencyStore::complete`] would give it. By default one after another.
    fn complete_all(
        &self,
        consumer: &str,
        keys: &[String],
    ) -> impl Future<Output = Vec<anyhow::Result<()>>> + Send {
        async move {
            let mut done = Vec::with_capacity(keys.len());
            for key in keys {
                done.push(self.complete(consumer, key).await);
            }
            done
        }
    }
}

/// Idempotency records in the pipeline's DynamoDB table.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
    lease_secs: i64,
}

impl DynamoStore {
    /// Records in `table` (hash key `pk`, range key `sk`, TTL on `expires_at`).
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into(), lease_secs: LEASE_SECS }
    }

    /// The same store with claims held `secs` instead of [`LEASE_SECS`]: for the local stack,
    /// whose queues redeliver after seconds, so that a delivery that crashed is taken over within
    /// the queue's receive count.
    pub fn with_lease_secs(mut self, secs: i64) -> Self {
        self.lease_secs = secs.max(1);
        self
    }

    pub(crate) fn client(&self) -> &aws_sdk_dynamodb::Client {
        &self.client
    }

    pub(crate) fn table(&self) -> &str {
        &self.table
    }

    /// Writes `records` in `BatchWriteItem`s of at most [`BATCH_WRITE_MAX`] puts, with rounds
    /// for the ones DynamoDB leaves unprocessed; answers whether each was written.
    async fn put_all(&self, records: Vec<HashMap<String, AttributeValue>>) -> Vec<anyhow::Result<()>> {
        let mut written = Vec::with_capacity(records.len());
        for chunk in records.chunks(BATCH_WRITE_MAX) {
            let result = self.put_chunk(chunk).await;
            written.extend(chunk.iter().map(|_| match &result {
                Ok(()) => Ok(()),
                Err(error) => Err(anyhow::anyhow!("marking idempotency keys applied: {error:#}")),
            }));
        }
        written
    }

    async fn put_chunk(&self, records: &[HashMap<String, AttributeValue>]) -> anyhow::Result<()> {
        let mut pending: Vec<WriteRequest> = records
            .iter()
            .map(|item| {
                let put = PutRequest::builder().set_item(Some(item.clone())).build()?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<anyhow::Result<_>>()?;
        for attempt in 1..=BATCH_WRITE_ATTEMPTS {
            let output = self
                .client
                .batch_write_item()
                .request_items(&self.table, std::mem::take(&mut pending))
                .send()
                .await
                .context("marking idempotency keys applied")?;
            pending = output
                .unprocessed_items
                .and_then(|mut tables| tables.remove(&self.table))
                .unwrap_or_default();
            if pending.is_empty() {
                return Ok(());
            }
            if attempt < BATCH_WRITE_ATTEMPTS {
                tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
            }
        }
        anyhow::bail!("DynamoDB left idempotency records unwritten after {BATCH_WRITE_ATTEMPTS} attempts")
    }

    fn key(consumer: &str, key: &str) -> HashMap<String, AttributeValue> {
        HashMap::from([
            ("pk".to_owned(), AttributeValue::S(format!("idem#{consumer}#{key}"))),
            ("sk".to_owned(), AttributeValue::S("idem".to_owned())),
        ])
    }
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

impl IdempotencyStore for DynamoStore {
    async fn claim(&self, consumer: &str, key: &str) -> anyhow::Result<Claim> {
        let now = now();
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Self::key(consumer, key)))
            .item("status", AttributeValue::S("in_progress".into()))
            .item("lease_until", AttributeValue::N((now + self.lease_secs).to_string()))
            .item("expires_at", AttributeValue::N((now + RECORD_TTL_SECS).to_string()))
            .condition_expression(CLAIMABLE)
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":in_progress", AttributeValue::S("in_progress".into()))
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .send()
            .await;
        match put {
            Ok(_) => Ok(Claim::Acquired),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), PutItemError::ConditionalCheckFailedException(_)) =>
            {
                let existing = self
                    .client
                    .get_item()
                    .table_name(&self.table)
                    .set_key(Some(Self::key(consumer, key)))
                    .consistent_read(true)
                    .send()
                    .await
                    .context("reading idempotency record")?;
                let applied = existing
                    .item()
                    .and_then(|item| item.get("status"))
                    .and_then(|s| s.as_s().ok())
                    .is_some_and(|s| s == "applied");
                Ok(if applied { Claim::AlreadyApplied } else { Claim::HeldByAnotherDelivery })
            }
            Err(e) => Err(anyhow::Error::new(e).context("claiming idempotency key")),
        }
    }

    async fn complete(&self, consumer: &str, key: &str) -> anyhow::Result<()> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(consumer, key)))
            .update_expression(MARK_APPLIED)
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":applied", AttributeValue::S("applied".into()))
            .send()
            .await
            .context("marking idempotency key applied")?;
        Ok(())
    }

    async fn complete_all(&self, consumer: &str, keys: &[String]) -> Vec<anyhow::Result<()>> {
        if keys.len() < 2 {
            let mut done = Vec::with_capacity(keys.len());
            for key in keys {
                done.push(self.complete(consumer, key).await);
            }
            return done;
        }
        // The record [`IdempotencyStore::complete`] leaves: applied, no lease, kept for the TTL.
        let expires_at = AttributeValue::N((now() + RECORD_TTL_SECS).to_string());
        let records = keys
            .iter()
            .map(|key| {
                let mut record = Self::key(consumer, key);
                record.insert("status".to_owned(), AttributeValue::S("applied".into()));
                record.insert("expires_at".to_owned(), expires_at.clone());
                record
            })
            .collect();
        self.put_all(records).await
    }

    async fn release(&self, consumer: &str, key: &str) -> anyhow::Result<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(consumer, key)))
            .condition_expression("#status = :in_progress")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":in_progress", AttributeValue::S("in_progress".into()))
            .send()
            .await
            .context("releasing idempotency key")?;
        Ok(())
    }
}

/// Records in memory, for handler tests that exercise the plumbing without DynamoDB.
#[derive(Debug, Default)]
pub struct MemoryStore {
    records: Mutex<HashMap<String, bool>>,
    erased: Mutex<Vec<String>>,
}

impl MemoryStore {
    /// Marks a tenant or store id erased (see [`crate::erased`]).
    pub fn mark_erased(&self, id: &str) {
        self.erased.lock().expect("not poisoned").push(id.to_owned());
    }

    pub(crate) fn is_marked_erased(&self, id: &str) -> bool {
        self.erased.lock().expect("not poisoned").iter().any(|e| e == id)
    }
}

impl IdempotencyStore for MemoryStore {
    async fn claim(&self, consumer: &str, key: &str) -> anyhow::Result<Claim> {
        let mut records = self.records.lock().expect("not poisoned");
        Ok(match records.get(&format!("{consumer}#{key}")) {
            Some(true) => Claim::AlreadyApplied,
            Some(false) => Claim::HeldByAnotherDelivery,
            None => {
                records.insert(format!("{consumer}#{key}"), false);
                Claim::Acquired
            }
        })
    }

    async fn complete(&self, consumer: &str, key: &str) -> anyhow::Result<()> {
        self.records.lock().expect("not poisoned").insert(format!("{consumer}#{key}"), true);
        Ok(())
    }

    async fn release(&self, consumer: &str, key: &str) -> anyhow::Result<()> {
        self.records.lock().expect("not poisoned").remove(&format!("{consumer}#{key}"));
        Ok(())
    }
}
