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
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
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
}

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
}

impl ErasedRegister for MemoryStore {
    async fn erased(&self, tenant: &str, store: Option<&str>) -> anyhow::Result<bool> {
        Ok(std::iter::once(tenant).chain(store).any(|id| self.is_marked_erased(id)))
    }
}
