//! Erasing a tenant from the pipelines' stores: DynamoDB items and S3 objects.
//!
//! What belongs to a tenant is found by the rule written on
//! [`queues::messages::TenantErasureRequested`]: an item whose `pk` or `sk` contains one of its
//! ids, or whose `store_id`/`tenant_id` attribute names one; an object under `stores/<store id>/`
//! or `tenants/<tenant id>/`. Erasures are rare, so a filtered scan of the table (paged, a few
//! ids per filter) is cheaper than keeping an index for them. The bucket is versioned, so objects
//! are erased version by version, delete markers included.

use anyhow::Context;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, WriteRequest};
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use lambda_runtime::{Error, LambdaEvent};
use pipeline::edge::EdgeClient;
use queues::consumer::Consumer;
use queues::idempotency::DynamoStore;
use queues::internal_api::calls::ConfirmErasure;
use queues::internal_api::ErasureConfirmation;
use queues::messages::TenantErasureRequested;
use queues::Envelope;
use std::collections::{HashMap, HashSet};

/// Ids per scan filter: DynamoDB limits an expression to 4 KB and 300 operators.
const IDS_PER_SCAN: usize = 20;
/// DynamoDB's limit per `BatchWriteItem`.
const DELETES_PER_BATCH: usize = 25;

/// Clients built once per cold start.
pub struct State {
    /// Where the tenant's data is.
    pub erasure: Erasure,
    /// Idempotency records.
    pub idempotency: DynamoStore,
    /// The edge's internal API, to confirm.
    pub edge: EdgeClient,
}

/// The SQS entry point: per-message handling with partial batch failures.
pub async fn handle(state: &State, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, Error> {
    Ok(Consumer::of_erasures("erasure", &state.idempotency)
        .handle_batch(event.payload, |envelope| erase(state, envelope))
        .await)
}

async fn erase(state: &State, envelope: Envelope<TenantErasureRequested>) -> anyhow::Result<()> {
    let tenant = envelope.tenant_id.to_string();
    let stores: Vec<String> = envelope.payload.store_ids.iter().map(ToString::to_string).collect();
    let confirmation = state.erasure.erase(&tenant, &stores).await?;
    tracing::info!(
        erasure_id = %envelope.payload.erasure_id,
        dynamodb_items = confirmation.dynamodb_items,
        s3_objects = confirmation.s3_objects,
        "tenant erased from the pipelines"
    );
    state.edge.call::<ConfirmErasure>(&envelope.payload.erasure_id, &confirmation).await?;
    Ok(())
}

/// The pipeline table and bucket.
#[derive(Debug, Clone)]
pub struct Erasure {
    /// DynamoDB client.
    pub dynamo: aws_sdk_dynamodb::Client,
    /// The pipeline table.
    pub table: String,
    /// S3 client.
    pub s3: aws_sdk_s3::Client,
    /// The bucket.
    pub bucket: String,
}

impl Erasure {
    /// Deletes everything of the tenant and its stores; safe to repeat. The ids are first marked
    /// erased ([`queues::erased`]), so that a message already queued for them is refused rather
    /// than writing new items or objects once this pass is over.
    pub async fn erase(&self, tenant: &str, stores: &[String]) -> anyhow::Result<ErasureConfirmation> {
        let mut ids: Vec<&str> = stores.iter().map(String::as_str).collect();
        ids.push(tenant);
        for id in &ids {
            self.dynamo
                .put_item()
                .table_name(&self.table)
                .set_item(Some(queues::erased::mark_key(id)))
                .send()
                .await
                .context("marking the tenant and its stores erased")?;
        }
        let mut dynamodb_items = 0;
        for chunk in ids.chunks(IDS_PER_SCAN) {
            dynamodb_items += self.erase_items(chunk).await?;
        }
        let mut s3_objects = 0;
        let prefixes = stores
            .iter()
            .map(|s| format!("stores/{s}/"))
            .chain(std::iter::once(format!("tenants/{tenant}/")));
        for prefix in prefixes {
            s3_objects += self.erase_objects(&prefix).await?;
        }
        Ok(ErasureConfirmation { dynamodb_items, s3_objects })
    }

    async fn erase_items(&self, ids: &[&str]) -> anyhow::Result<u64> {
        let mut values = HashMap::new();
        let mut terms = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            values.insert(format!(":id{i}"), AttributeValue::S((*id).to_owned()));
            terms.push(format!(
                "contains(pk, :id{i}) OR contains(sk, :id{i}) OR store_id = :id{i} OR tenant_id = :id{i}"
            ));
        }
        // The marks name the ids too, and must outlive the erasure.
        values.insert(":mark".to_owned(), AttributeValue::S(queues::erased::MARK_PREFIX.to_owned()));
        let filter = format!("({}) AND NOT begins_with(pk, :mark)", terms.join(" OR "));
        let mut deleted = 0;
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let page = self
                .dynamo
                .scan()
                .table_name(&self.table)
                .filter_expression(&filter)
                .set_expression_attribute_values(Some(values.clone()))
                .projection_expression("pk, sk")
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .context("scanning the pipeline table")?;
            let keys: Vec<HashMap<String, AttributeValue>> = page.items().to_vec();
            for batch in keys.chunks(DELETES_PER_BATCH) {
                self.delete_items(batch).await?;
                deleted += batch.len() as u64;
            }
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => return Ok(deleted),
            }
        }
    }

    async fn delete_items(&self, keys: &[HashMap<String, AttributeValue>]) -> anyhow::Result<()> {
        let mut requests: Vec<WriteRequest> = keys
            .iter()
            .map(|key| {
                let delete = DeleteRequest::builder().set_key(Some(key.clone())).build()?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<anyhow::Result<_>>()?;
        // Unprocessed items (throttling) are sent again with a growing pause, a few times.
        for attempt in 0..5u32 {
            let answer = self
                .dynamo
                .batch_write_item()
                .request_items(&self.table, requests)
                .send()
                .await
                .context("deleting pipeline items")?;
            requests =
                answer.unprocessed_items().and_then(|m| m.get(&self.table)).cloned().unwrap_or_default();
            if requests.is_empty() {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
        }
        anyhow::bail!("{} pipeline items were still unprocessed after retries", requests.len())
    }

    /// Deletes every version and delete marker under `prefix`, for good. The bucket is
    /// versioned in production: a delete without a version id only hides the object behind a
    /// delete marker and keeps its data. In a bucket that never had versioning, each object is
    /// listed once with the version id `null`, which deletes it the same way. Answers how many
    /// keys had something deleted.
    async fn erase_objects(&self, prefix: &str) -> anyhow::Result<u64> {
        let mut keys = HashSet::new();
        let (mut key_marker, mut version_marker) = (None, None);
        loop {
            let page = self
                .s3
                .list_object_versions()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_key_marker(key_marker.take())
                .set_version_id_marker(version_marker.take())
                .send()
                .await
                .with_context(|| format!("listing the versions under {prefix}"))?;
            let versions = page.versions().iter().map(|v| (v.key(), v.version_id()));
            let markers = page.delete_markers().iter().map(|m| (m.key(), m.version_id()));
            let objects: Vec<ObjectIdentifier> = versions
                .chain(markers)
                .filter_map(|(key, version)| Some((key?, version)))
                .map(|(key, version)| {
                    keys.insert(key.to_owned());
                    ObjectIdentifier::builder().key(key).set_version_id(version.map(str::to_owned)).build()
                })
                .collect::<Result<_, _>>()?;
            // A page lists at most 1,000 entries, which is also DeleteObjects' limit.
            if !objects.is_empty() {
                let answer = self
                    .s3
                    .delete_objects()
                    .bucket(&self.bucket)
                    .delete(Delete::builder().set_objects(Some(objects)).quiet(true).build()?)
                    .send()
                    .await
                    .with_context(|| format!("deleting the versions under {prefix}"))?;
                if let Some(error) = answer.errors().first() {
                    anyhow::bail!(
                        "S3 refused to delete {} (version {}): {}",
                        error.key().unwrap_or("?"),
                        error.version_id().unwrap_or("?"),
                        error.code().unwrap_or("unknown error")
                    );
                }
            }
            if page.is_truncated() != Some(true) {
                return Ok(keys.len() as u64);
            }
            key_marker = page.next_key_marker().map(str::to_owned);
            version_marker = page.next_version_id_marker().map(str::to_owned);
            anyhow::ensure!(
                key_marker.is_some(),
                "S3 listed a truncated page under {prefix} without a next marker"
            );
        }
    }
}
