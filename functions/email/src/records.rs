//! What the email function keeps in the pipeline table (hash key `pk`, range key `sk`).
//!
//! - `pk = mail#<idempotency key>`, `sk = mail`: a provider accepted this mail (`provider`,
//!   `provider_id`, `template`, `accepted_at`; expires with the idempotency records). Written as
//!   soon as the provider answers, and read before every send: a delivery that crashed after the
//!   provider took the mail, or whose idempotency record was never completed, does not send again.
//! - `pk = suppress#<lowercased address>`, `sk = suppress`: the address unsubscribed, bounced or
//!   complained (`reason`, `since`); marketing mails to it are skipped. Written by the unsubscribe
//!   endpoint, the providers' bounce webhooks and the `contact_unsubscribed` flow event
//!   ([`crate::flow_steps`]).

use crate::group::Group;
use crate::providers::BoxFuture;
use anyhow::Context;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, PutRequest, WriteRequest};
use domain::accounts::Email;
use domain::StoreId;
use queues::idempotency::RECORD_TTL_SECS;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use time::OffsetDateTime;

/// A provider's acceptance of one mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentRecord {
    /// Which provider took it.
    pub provider: String,
    /// The provider's id for it, if it gave one.
    pub provider_id: Option<String>,
    /// The template it was rendered from.
    pub template: String,
}

/// What is known about a mail before it is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prior {
    /// A provider accepted it before.
    pub sent: Option<SentRecord>,
    /// Its recipient is suppressed for the store's marketing mail (only looked up when asked).
    pub suppressed: bool,
}

/// Sent-mail records and the suppression list.
pub trait MailLedger: Send + Sync {
    /// Whether the mail with this key was sent and, for a marketing mail (`recipient` is its
    /// address and store), whether the address is suppressed: [`MailLedger::sent`] and
    /// [`MailLedger::is_suppressed`] in one, which the DynamoDB ledger reads in one request.
    fn before_send<'a>(
        &'a self,
        key: &'a str,
        recipient: Option<(&'a Email, Option<StoreId>)>,
    ) -> BoxFuture<'a, anyhow::Result<Prior>> {
        Box::pin(async move {
            let sent = self.sent(key).await?;
            let suppressed = match recipient {
                Some((address, store)) if sent.is_none() => self.is_suppressed(address, store).await?,
                _ => false,
            };
            Ok(Prior { sent, suppressed })
        })
    }

    /// The record of the mail with this idempotency key, if a provider accepted it.
    fn sent(&self, key: &str) -> BoxFuture<'_, anyhow::Result<Option<SentRecord>>>;
    /// Records that a provider accepted the mail with this key.
    fn record_sent<'a>(&'a self, key: &'a str, record: &'a SentRecord) -> BoxFuture<'a, anyhow::Result<()>>;
    /// Whether marketing mail from `store` (when the mail names one) to `address` must not be
    /// sent: the address bounced or complained anywhere, or unsubscribed from that store.
    fn is_suppressed<'a>(
        &'a self,
        address: &'a Email,
        store: Option<StoreId>,
    ) -> BoxFuture<'a, anyhow::Result<bool>>;
}

/// A DynamoDB item, or the key of one.
type Item = HashMap<String, AttributeValue>;

/// The records in DynamoDB. The reads before sending and the writes after, of the mails under way
/// at once, go together ([`crate::group`]): one `BatchGetItem` and one `BatchWriteItem` for what
/// queued while the one before was under way.
pub struct DynamoLedger {
    client: aws_sdk_dynamodb::Client,
    table: String,
    reads: Group<Vec<Item>, Result<Vec<Item>, String>>,
    writes: Group<Item, Result<(), String>>,
}

impl std::fmt::Debug for DynamoLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoLedger").field("table", &self.table).finish_non_exhaustive()
    }
}

/// Most keys in one `BatchGetItem`.
const BATCH_GET_MAX: usize = 100;
/// Most puts in one `BatchWriteItem`.
const BATCH_WRITE_MAX: usize = 25;

impl DynamoLedger {
    /// Records in `table`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into(), reads: Group::default(), writes: Group::default() }
    }

    /// Reads the keys of every request in as few `BatchGetItem`s as they fit (each key once) and
    /// answers each request with the items of its own keys.
    async fn read_together(&self, requests: Vec<Vec<Item>>) -> Vec<Result<Vec<Item>, String>> {
        let mut keys: Vec<Item> = Vec::new();
        let mut seen = HashSet::new();
        for key in requests.iter().flatten() {
            if seen.insert(pk(key).to_owned()) {
                keys.push(key.clone());
            }
        }
        let mut found: HashMap<String, Item> = HashMap::new();
        for chunk in keys.chunks(BATCH_GET_MAX) {
            match batch_get(&self.client, &self.table, chunk.to_vec()).await {
                Ok(items) => found.extend(items.into_iter().map(|item| (pk(&item).to_owned(), item))),
                Err(error) => {
                    let error = format!("{error:#}");
                    return requests.iter().map(|_| Err(error.clone())).collect();
                }
            }
        }
        requests
            .iter()
            .map(|keys| Ok(keys.iter().filter_map(|key| found.get(pk(key)).cloned()).collect()))
            .collect()
    }

    /// Writes the items in as few `BatchWriteItem`s as they fit, answering each.
    async fn write_together(&self, items: Vec<Item>) -> Vec<Result<(), String>> {
        let mut answers = Vec::with_capacity(items.len());
        for chunk in items.chunks(BATCH_WRITE_MAX) {
            let written = batch_put(&self.client, &self.table, chunk).await.map_err(|e| format!("{e:#}"));
            answers.extend(chunk.iter().map(|_| written.clone()));
        }
        answers
    }
}

/// The partition key of an item or key (empty if it has none).
fn pk(item: &Item) -> &str {
    item.get("pk").and_then(|pk| pk.as_s().ok()).map_or("", String::as_str)
}

/// Attempts at writing the items DynamoDB left unprocessed (it does so when throttled).
const BATCH_WRITE_ATTEMPTS: u32 = 5;

/// Puts `items` (at most 25) into `table` in one `BatchWriteItem` (plus one per round of items
/// DynamoDB leaves unprocessed).
async fn batch_put(client: &aws_sdk_dynamodb::Client, table: &str, items: &[Item]) -> anyhow::Result<()> {
    let mut pending: Vec<WriteRequest> = items
        .iter()
        .map(|item| {
            let put = PutRequest::builder().set_item(Some(item.clone())).build()?;
            Ok(WriteRequest::builder().put_request(put).build())
        })
        .collect::<anyhow::Result<_>>()?;
    for attempt in 1..=BATCH_WRITE_ATTEMPTS {
        let output = client
            .batch_write_item()
            .request_items(table, std::mem::take(&mut pending))
            .send()
            .await
            .context("recording the providers' acceptances")?;
        pending = output.unprocessed_items.and_then(|mut tables| tables.remove(table)).unwrap_or_default();
        if pending.is_empty() {
            return Ok(());
        }
        if attempt < BATCH_WRITE_ATTEMPTS {
            tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
        }
    }
    anyhow::bail!("DynamoDB left sent-mail records unwritten after {BATCH_WRITE_ATTEMPTS} attempts")
}

/// The key of a sent-mail record.
pub fn sent_key(key: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(format!("mail#{key}"))),
        ("sk".to_owned(), AttributeValue::S("mail".to_owned())),
    ])
}

/// The key of a platform-wide suppression record (a hard bounce or a complaint: no store may
/// send marketing mail there). The address is lowercased, as [`Email`] already is.
pub fn suppression_key(address: &Email) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(format!("suppress#{}", address.as_str().to_lowercase()))),
        ("sk".to_owned(), AttributeValue::S("suppress".to_owned())),
    ])
}

/// The key of one store's suppression record: the address unsubscribed from that store's
/// marketing mail, which says nothing about the other stores it signed up with.
pub fn store_suppression_key(store: StoreId, address: &Email) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(format!("suppress#{store}#{}", address.as_str().to_lowercase()))),
        ("sk".to_owned(), AttributeValue::S("suppress".to_owned())),
    ])
}

/// Whether a suppression record stops marketing mail from `store` (when known) to `address`: the
/// platform's (a bounce, a complaint) or the store's own (an unsubscribe).
pub async fn is_suppressed(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    address: &Email,
    store: Option<StoreId>,
) -> anyhow::Result<bool> {
    let keys =
        std::iter::once(suppression_key(address)).chain(store.map(|s| store_suppression_key(s, address)));
    for key in keys {
        let output = client
            .get_item()
            .table_name(table)
            .set_key(Some(key))
            .consistent_read(true)
            .projection_expression("pk")
            .send()
            .await
            .context("reading the suppression list")?;
        if output.item().is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

fn string(item: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

fn sent_record(item: &HashMap<String, AttributeValue>) -> SentRecord {
    SentRecord {
        provider: string(item, "provider").unwrap_or_default(),
        provider_id: string(item, "provider_id"),
        template: string(item, "template").unwrap_or_default(),
    }
}

/// Attempts at reading the keys DynamoDB left unprocessed (it does so when throttled).
const BATCH_GET_ATTEMPTS: u32 = 5;

/// Reads `keys` (at most 100) from `table` with strongly consistent reads, in one `BatchGetItem`
/// (plus one per round of keys DynamoDB leaves unprocessed).
pub async fn batch_get(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    keys: Vec<HashMap<String, AttributeValue>>,
) -> anyhow::Result<Vec<HashMap<String, AttributeValue>>> {
    let mut items = Vec::with_capacity(keys.len());
    let mut pending = Some(
        KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .consistent_read(true)
            .build()
            .context("batch keys")?,
    );
    for attempt in 1..=BATCH_GET_ATTEMPTS {
        let Some(request) = pending.take() else { break };
        let output = client
            .batch_get_item()
            .request_items(table, request)
            .send()
            .await
            .context("reading the sent-mail and suppression records")?;
        if let Some(found) = output.responses.and_then(|mut tables| tables.remove(table)) {
            items.extend(found);
        }
        pending = output
            .unprocessed_keys
            .and_then(|mut tables| tables.remove(table))
            .filter(|k| !k.keys.is_empty());
        if pending.is_some() && attempt < BATCH_GET_ATTEMPTS {
            tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
        }
    }
    if pending.is_some() {
        anyhow::bail!("DynamoDB left keys unread after {BATCH_GET_ATTEMPTS} attempts");
    }
    Ok(items)
}

impl MailLedger for DynamoLedger {
    fn before_send<'a>(
        &'a self,
        key: &'a str,
        recipient: Option<(&'a Email, Option<StoreId>)>,
    ) -> BoxFuture<'a, anyhow::Result<Prior>> {
        Box::pin(async move {
            let mut keys = vec![sent_key(key)];
            if let Some((address, store)) = recipient {
                keys.push(suppression_key(address));
                keys.extend(store.map(|store| store_suppression_key(store, address)));
            }
            let items = self
                .reads
                .call(keys, |requests| self.read_together(requests))
                .await
                .context("reading the sent-mail and suppression records was interrupted")?
                .map_err(anyhow::Error::msg)?;
            let sent_pk = format!("mail#{key}");
            let mut prior = Prior::default();
            for item in &items {
                match item.get("pk").and_then(|pk| pk.as_s().ok()) {
                    Some(pk) if *pk == sent_pk => prior.sent = Some(sent_record(item)),
                    Some(_) => prior.suppressed = true,
                    None => {}
                }
            }
            Ok(prior)
        })
    }

    fn sent(&self, key: &str) -> BoxFuture<'_, anyhow::Result<Option<SentRecord>>> {
        let request =
            self.client.get_item().table_name(&self.table).set_key(Some(sent_key(key))).consistent_read(true);
        Box::pin(async move {
            let output = request.send().await.context("reading the sent-mail record")?;
            Ok(output.item().map(sent_record))
        })
    }

    fn record_sent<'a>(&'a self, key: &'a str, record: &'a SentRecord) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let now = OffsetDateTime::now_utc().unix_timestamp();
            let mut item = sent_key(key);
            item.insert("status".into(), AttributeValue::S("accepted".into()));
            item.insert("provider".into(), AttributeValue::S(record.provider.clone()));
            item.insert("template".into(), AttributeValue::S(record.template.clone()));
            item.insert("accepted_at".into(), AttributeValue::N(now.to_string()));
            item.insert("expires_at".into(), AttributeValue::N((now + RECORD_TTL_SECS).to_string()));
            if let Some(id) = &record.provider_id {
                item.insert("provider_id".into(), AttributeValue::S(id.clone()));
            }
            self.writes
                .call(item, |items| self.write_together(items))
                .await
                .context("recording the provider's acceptance was interrupted")?
                .map_err(anyhow::Error::msg)
                .context("recording the provider's acceptance")
        })
    }

    fn is_suppressed<'a>(
        &'a self,
        address: &'a Email,
        store: Option<StoreId>,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(is_suppressed(&self.client, &self.table, address, store))
    }
}

/// The records in memory, for tests of the handler.
#[derive(Debug, Default)]
pub struct MemoryLedger {
    sent: Mutex<HashMap<String, SentRecord>>,
    suppressed: Mutex<HashSet<String>>,
    failing_writes: Mutex<u32>,
}

impl MemoryLedger {
    /// Puts `address` on the platform's suppression list.
    pub fn suppress(&self, address: &str) {
        self.suppressed.lock().expect("not poisoned").insert(address.to_lowercase());
    }

    /// Puts `address` on `store`'s suppression list.
    pub fn suppress_for(&self, store: StoreId, address: &str) {
        self.suppressed.lock().expect("not poisoned").insert(format!("{store}#{}", address.to_lowercase()));
    }

    /// Makes the next `count` writes fail, as in a DynamoDB outage.
    pub fn fail_next_writes(&self, count: u32) {
        *self.failing_writes.lock().expect("not poisoned") = count;
    }

    /// Every sent-mail record, by idempotency key.
    pub fn sent_records(&self) -> HashMap<String, SentRecord> {
        self.sent.lock().expect("not poisoned").clone()
    }
}

impl MailLedger for MemoryLedger {
    fn sent(&self, key: &str) -> BoxFuture<'_, anyhow::Result<Option<SentRecord>>> {
        let found = self.sent.lock().expect("not poisoned").get(key).cloned();
        Box::pin(async move { Ok(found) })
    }

    fn record_sent<'a>(&'a self, key: &'a str, record: &'a SentRecord) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let mut failing = self.failing_writes.lock().expect("not poisoned");
            if *failing > 0 {
                *failing -= 1;
                anyhow::bail!("DynamoDB is unavailable");
            }
            self.sent.lock().expect("not poisoned").insert(key.to_owned(), record.clone());
            Ok(())
        })
    }

    fn is_suppressed<'a>(
        &'a self,
        address: &'a Email,
        store: Option<StoreId>,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        let suppressed = self.suppressed.lock().expect("not poisoned");
        let address = address.as_str().to_lowercase();
        let found = suppressed.contains(&address)
            || store.is_some_and(|store| suppressed.contains(&format!("{store}#{address}")));
        Box::pin(async move { Ok(found) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_keyed_by_idempotency_key_and_lowercased_address() {
        assert_eq!(sent_key("verify:1")["pk"], AttributeValue::S("mail#verify:1".into()));
        assert_eq!(sent_key("verify:1")["sk"], AttributeValue::S("mail".into()));
        let address = Email::parse("Ada@Example.COM").unwrap();
        assert_eq!(suppression_key(&address)["pk"], AttributeValue::S("suppress#ada@example.com".into()));
    }
}
