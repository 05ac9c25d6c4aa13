//! The register of erased tenants and stores, so that messages queued before a GDPR erasure
//! cannot bring their data back after it.
//!
//! The erasure function marks each id erased before it deletes anything; every consumer looks
//! the message's tenant and store up before it claims the message, and acknowledges a message
//! of an erased one without effect (and says so in the log) instead of applying it or failing
//! it into retries. A mark is an item `erased#<id>` / `erased` in the pipeline table without a
//! TTL: it holds only the random id, like the edge's own record of the erasure.

use crate::idempotency::{DynamoStore, MemoryStore};
use anyhow::Context;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use std::collections::{HashMap, HashSet};
use std::future::Future;

/// The start of the partition key of every mark: the erasure's scan leaves these items alone.
pub const MARK_PREFIX: &str = "erased#";

/// The key of the mark of a tenant or store id.
pub fn mark_key(id: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(format!("{MARK_PREFIX}{id}"))),
        ("sk".to_owned(), AttributeValue::S("erased".to_owned())),
    ])
}

/// Where the marks are read.
pub trait ErasedRegister {
    /// Whether the tenant, or the store when there is one, was erased.
    fn erased(&self, tenant: &str, store: Option<&str>) -> impl Future<Output = anyhow::Result<bool>> + Send;

    /// Which of `ids` (tenant or store ids) are marked erased. By default one look-up after
    /// another; a store may read them together.
    fn erased_among(&self, ids: &[String]) -> impl Future<Output = anyhow::Result<HashSet<String>>> + Send
    where
        Self: Sync,
    {
        async move {
            let mut erased = HashSet::new();
            for id in ids {
                if self.erased(id, None).await? {
                    erased.insert(id.clone());
                }
            }
            Ok(erased)
        }
    }
}

/// Most keys in one `BatchGetItem`.
const BATCH_GET_MAX: usize = 100;
/// Rounds of reading the keys DynamoDB leaves unprocessed (it does so when throttled).
const BATCH_GET_ATTEMPTS: u32 = 5;

impl ErasedRegister for DynamoStore {
    async fn erased(&self, tenant: &str, store: Option<&str>) -> anyhow::Result<bool> {
        for id in std::iter::once(tenant).chain(store) {
            let found = self
                .client()
                .get_item()
                .table_name(self.table())
                .set_key(Some(mark_key(id)))
                .projection_expression("pk")
                .send()
                .await
                .context("looking up the erased register")?;
            if found.item().is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn erased_among(&self, ids: &[String]) -> anyhow::Result<HashSet<String>> {
        self.marked(ids).await
    }
}

impl DynamoStore {
    async fn marked(&self, ids: &[String]) -> anyhow::Result<HashSet<String>> {
        let mut erased = HashSet::new();
        for chunk in ids.chunks(BATCH_GET_MAX) {
            let keys = chunk.iter().map(|id| mark_key(id)).collect();
            let mut pending =
                Some(KeysAndAttributes::builder().set_keys(Some(keys)).projection_expression("pk").build()?);
            for attempt in 1..=BATCH_GET_ATTEMPTS {
                let Some(request) = pending.take() else { break };
                let output = self
                    .client()
                    .batch_get_item()
                    .request_items(self.table(), request)
                    .send()
                    .await
                    .context("looking up the erased register")?;
                let found = output.responses.and_then(|mut tables| tables.remove(self.table()));
                for item in found.into_iter().flatten() {
                    if let Some(id) = item
                        .get("pk")
                        .and_then(|pk| pk.as_s().ok())
                        .and_then(|pk| pk.strip_prefix(MARK_PREFIX))
                    {
                        erased.insert(id.to_owned());
                    }
                }
                pending = output
                    .unprocessed_keys
                    .and_then(|mut tables| tables.remove(self.table()))
                    .filter(|k| !k.keys.is_empty());
                if pending.is_some() && attempt < BATCH_GET_ATTEMPTS {
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                }
            }
            if pending.is_some() {
                anyhow::bail!(
                    "DynamoDB left marks of the erased register unread after {BATCH_GET_ATTEMPTS} attempts"
                );
            }
        }
        Ok(erased)
    }
}

impl ErasedRegister for MemoryStore {
    async fn erased(&self, tenant: &str, store: Option<&str>) -> anyhow::Result<bool> {
        Ok(std::iter::once(tenant).chain(store).any(|id| self.is_marked_erased(id)))
    }
}
