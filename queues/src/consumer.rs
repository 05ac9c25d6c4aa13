//! SQS batch handling shared by every consumer function.
//!
//! Each record is parsed into its envelope, claimed in the idempotency store, and handed to the
//! consumer's per-message function. A record that fails for any reason is reported in
//! `batchItemFailures`, so SQS redelivers it alone after its visibility timeout and, after the
//! queue's `maxReceiveCount`, moves it to the dead-letter queue; the rest of the batch is deleted.
//!
//! A consumer may handle up to [`Consumer::concurrently`] records of a batch at once (one task,
//! interleaved at their awaits, so the per-message function needs neither `Send` nor `'static`).
//! Records that share an idempotency key are still handled one after another, in batch order, so
//! a copy is a duplicate of the first, as it would be one batch later.
//!
//! A message of an erased tenant or store ([`crate::erased`]) is acknowledged without effect.

use crate::envelope::{Envelope, Message};
use crate::idempotency::{Claim, IdempotencyStore};
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use futures_util::stream::{self, StreamExt};
use std::collections::hash_map::{Entry, HashMap};
use std::collections::HashSet;
use std::future::Future;

/// What happened to one message that did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The handler ran and its effect is recorded.
    Applied,
    /// An earlier delivery already applied it; nothing was done.
    Duplicate,
    /// Its tenant or store was erased (GDPR); nothing was done, and nothing ever will be.
    Erased,
}

/// Handles SQS batches for one consumer.
#[derive(Debug)]
pub struct Consumer<'a, S> {
    name: &'static str,
    store: &'a S,
    concurrency: usize,
    refuse_erased: bool,
}

/// One record, parsed or not, with its place in the batch.
struct Parsed<T> {
    index: usize,
    message_id: String,
    envelope: anyhow::Result<Envelope<T>>,
}

impl<'a, S: IdempotencyStore> Consumer<'a, S> {
    /// A consumer named as in `infra/wiring.json`; the name scopes its idempotency records. It
    /// handles one record at a time until [`Consumer::concurrently`] says otherwise.
    pub fn new(name: &'static str, store: &'a S) -> Self {
        Self { name, store, concurrency: 1, refuse_erased: true }
    }

    /// The erasure's own consumer: its messages are about erased tenants, and a redelivery must
    /// run again.
    pub fn of_erasures(name: &'static str, store: &'a S) -> Self {
        Self { name, store, concurrency: 1, refuse_erased: false }
    }

    /// Handles up to `bound` records of a batch at once (at least one). A bound matching the
    /// queue's batch size lets every record's I/O overlap; a smaller one caps the load a batch
    /// puts on the services its handler calls.
    pub fn concurrently(mut self, bound: usize) -> Self {
        self.concurrency = bound.max(1);
        self
    }

    /// Handles every record of the batch and reports the ones that failed, in batch order.
    ///
    /// The store's work is done for the whole batch where that keeps each key's effect once: the
    /// erased register is read once ([`crate::erased::ErasedRegister::erased_among`]), and the
    /// records applied are marked so together at the end ([`IdempotencyStore::complete_all`]); a
    /// record that is not the last of its key in the batch is marked at once, so that its copies
    /// find it applied. Each claim stays a conditional write of its own.
    pub async fn handle_batch<T, F, Fut>(&self, event: SqsEvent, handler: F) -> SqsBatchResponse
    where
        T: Message,
        F: Fn(Envelope<T>) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let handler = &handler;
        let groups = group_by_key(event.records.into_iter().enumerate().map(|(index, record)| Parsed {
            index,
            message_id: record.message_id.clone().unwrap_or_default(),
            envelope: parse(&record),
        }));
        let erased = &self.erased_in(&groups).await;
        let mut results: Vec<Handled> = stream::iter(groups)
            .map(|group| async move {
                let last = group.len() - 1;
                let mut results = Vec::with_capacity(group.len());
                for (at, parsed) in group.into_iter().enumerate() {
                    let result = match parsed.envelope {
                        Ok(envelope) => self.handle_one(envelope, handler, erased, at == last).await,
                        Err(error) => Err(error),
                    };
                    results.push(Handled { index: parsed.index, message_id: parsed.message_id, result });
                }
                results
            })
            .buffer_unordered(self.concurrency)
            .flat_map(stream::iter)
            .collect()
            .await;
        // The applied records' keys, marked applied together.
        let (waiting, keys): (Vec<usize>, Vec<String>) = results
            .iter()
            .enumerate()
            .filter_map(|(at, handled)| match &handled.result {
                Ok(Done::Completing(key)) => Some((at, key.clone())),
                _ => None,
            })
            .unzip();
        if !keys.is_empty() {
            for (at, completed) in waiting.into_iter().zip(self.store.complete_all(self.name, &keys).await) {
                results[at].result = completed.map(|()| Done::Finished(Outcome::Applied));
            }
        }
        results.sort_by_key(|handled| handled.index);
        let mut response = SqsBatchResponse::default();
        for Handled { message_id, result, .. } in results {
            match result {
                Ok(done) => {
                    let outcome = match done {
                        Done::Finished(outcome) => outcome,
                        Done::Completing(_) => Outcome::Applied,
                    };
                    tracing::info!(consumer = self.name, %message_id, ?outcome, "message handled")
                }
                Err(error) => {
                    tracing::error!(consumer = self.name, %message_id, error = format!("{error:#}"), "message failed");
                    let mut failure = BatchItemFailure::default();
                    failure.item_identifier = message_id;
                    response.batch_item_failures.push(failure);
                }
            }
        }
        response
    }

    /// The batch's tenants and stores that were erased, read together (`None` for the erasure's
    /// own consumer, which does not look).
    async fn erased_in<T>(&self, groups: &[Vec<Parsed<T>>]) -> Option<Result<HashSet<String>, String>> {
        if !self.refuse_erased {
            return None;
        }
        let mut ids: Vec<String> = groups
            .iter()
            .flatten()
            .filter_map(|parsed| parsed.envelope.as_ref().ok())
            .flat_map(|envelope| {
                std::iter::once(envelope.tenant_id.to_string())
                    .chain(envelope.store_id.map(|s| s.to_string()))
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        Some(self.store.erased_among(&ids).await.map_err(|error| format!("{error:#}")))
    }

    async fn handle_one<T, F, Fut>(
        &self,
        envelope: Envelope<T>,
        handler: &F,
        erased: &Option<Result<HashSet<String>, String>>,
        last_of_key: bool,
    ) -> anyhow::Result<Done>
    where
        T: Message,
        F: Fn(Envelope<T>) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let key = envelope.idempotency_key.clone();
        if is_erased(erased, &envelope)? {
            tracing::warn!(
                consumer = self.name,
                correlation_id = %envelope.correlation_id,
                tenant_id = %envelope.tenant_id,
                store_id = ?envelope.store_id,
                idempotency_key = %key,
                "message of an erased tenant or store acknowledged without effect"
            );
            return Ok(Done::Finished(Outcome::Erased));
        }
        match self.store.claim(self.name, &key).await? {
            Claim::Acquired => {}
            Claim::AlreadyApplied => return Ok(Done::Finished(Outcome::Duplicate)),
            Claim::HeldByAnotherDelivery => {
                anyhow::bail!("another delivery of `{key}` is being processed; retry later")
            }
        }
        tracing::info!(
            consumer = self.name,
            correlation_id = %envelope.correlation_id,
            store_id = ?envelope.store_id,
            idempotency_key = %key,
            "applying message"
        );
        match handler(envelope).await {
            Ok(()) if last_of_key => Ok(Done::Completing(key)),
            Ok(()) => {
                self.store.complete(self.name, &key).await?;
                Ok(Done::Finished(Outcome::Applied))
            }
            Err(error) => {
                if let Err(release) = self.store.release(self.name, &key).await {
                    tracing::warn!(
                        consumer = self.name,
                        error = format!("{release:#}"),
                        "could not release claim"
                    );
                }
                Err(error)
            }
        }
    }
}

/// One record's result, with its place in the batch.
struct Handled {
    index: usize,
    message_id: String,
    result: anyhow::Result<Done>,
}

/// How far a record that did not fail got.
enum Done {
    /// Nothing more to do.
    Finished(Outcome),
    /// Applied; its key is marked applied with the batch's others.
    Completing(String),
}

/// Whether the envelope's tenant or store is in the batch's erased register (`Ok(false)` when the
/// register is not read); an error if the register could not be read.
fn is_erased<T>(
    erased: &Option<Result<HashSet<String>, String>>,
    envelope: &Envelope<T>,
) -> anyhow::Result<bool> {
    match erased {
        None => Ok(false),
        Some(Err(error)) => Err(anyhow::anyhow!("looking up the erased register: {error}")),
        Some(Ok(erased)) => Ok(erased.contains(&envelope.tenant_id.to_string())
            || envelope.store_id.is_some_and(|store| erased.contains(&store.to_string()))),
    }
}

fn parse<T: Message>(record: &SqsMessage) -> anyhow::Result<Envelope<T>> {
    let body = record.body.as_deref().ok_or_else(|| anyhow::anyhow!("message has no body"))?;
    Ok(Envelope::<T>::parse(body)?)
}

/// The records in groups to run one after another: those sharing an idempotency key together,
/// in batch order; each record that did not parse alone.
fn group_by_key<T>(records: impl Iterator<Item = Parsed<T>>) -> Vec<Vec<Parsed<T>>> {
    let mut groups: Vec<Vec<Parsed<T>>> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for parsed in records {
        match parsed.envelope.as_ref().ok().map(|e| e.idempotency_key.clone()) {
            Some(key) => match by_key.entry(key) {
                Entry::Occupied(at) => groups[*at.get()].push(parsed),
                Entry::Vacant(slot) => {
                    slot.insert(groups.len());
                    groups.push(vec![parsed]);
                }
            },
            None => groups.push(vec![parsed]),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idempotency::MemoryStore;
    use crate::messages::ResearchRequested;
    use domain::{RunId, StoreId, TenantId};
    use std::cell::{Cell, RefCell};

    fn record(id: &str, body: &str) -> SqsMessage {
        let mut message = SqsMessage::default();
        message.message_id = Some(id.to_owned());
        message.body = Some(body.to_owned());
        message
    }

    fn research(key: &str) -> String {
        Envelope::new(
            key,
            TenantId::from_random_bytes([1; 16]),
            StoreId::from_random_bytes([2; 16]),
            time::OffsetDateTime::UNIX_EPOCH,
            "corr",
            ResearchRequested {
                run_id: RunId::from_random_bytes([3; 16]),
                niche: "pets".into(),
                max_imports: 3,
            },
        )
        .to_body()
    }

    fn batch(records: Vec<SqsMessage>) -> SqsEvent {
        let mut event = SqsEvent::default();
        event.records = records;
        event
    }

    fn failed_ids(response: &SqsBatchResponse) -> Vec<&str> {
        response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect()
    }

    #[tokio::test]
    async fn a_malformed_message_fails_alone_and_the_rest_of_the_batch_is_applied() {
        let store = MemoryStore::default();
        let applied = RefCell::new(Vec::new());
        let event = batch(vec![
            record("a", &research("k1")),
            record("bad", "{\"not\":\"an envelope\"}"),
            record("c", &research("k2")),
        ]);
        let response = Consumer::new("research", &store)
            .handle_batch(event, |e: Envelope<ResearchRequested>| {
                applied.borrow_mut().push(e.idempotency_key);
                async { Ok(()) }
            })
            .await;
        assert_eq!(failed_ids(&response), vec!["bad"]);
        assert_eq!(*applied.borrow(), vec!["k1", "k2"]);
    }

    #[tokio::test]
    async fn a_duplicate_delivery_is_not_applied_twice() {
        let store = MemoryStore::default();
        let calls = RefCell::new(0);
        let consumer = Consumer::new("research", &store);
        for _ in 0..2 {
            let event = batch(vec![record("a", &research("same")), record("b", &research("same"))]);
            let response = consumer
                .handle_batch(event, |_: Envelope<ResearchRequested>| {
                    *calls.borrow_mut() += 1;
                    async { Ok(()) }
                })
                .await;
            assert!(response.batch_item_failures.is_empty());
        }
        assert_eq!(*calls.borrow(), 1);
    }

    #[tokio::test]
    async fn a_message_of_an_erased_tenant_or_store_is_acknowledged_without_effect() {
        let tenant = TenantId::from_random_bytes([1; 16]);
        let store = StoreId::from_random_bytes([2; 16]);
        for erased in [tenant.to_string(), store.to_string()] {
            let register = MemoryStore::default();
            register.mark_erased(&erased);
            let calls = RefCell::new(0);
            let response = Consumer::new("research", &register)
                .handle_batch(batch(vec![record("a", &research("k"))]), |_: Envelope<ResearchRequested>| {
                    *calls.borrow_mut() += 1;
                    async { Ok(()) }
                })
                .await;
            assert!(response.batch_item_failures.is_empty(), "not retried: {erased}");
            assert_eq!(*calls.borrow(), 0, "not applied: {erased}");
        }
    }

    #[tokio::test]
    async fn another_tenants_message_and_the_erasures_own_are_still_applied() {
        let register = MemoryStore::default();
        register.mark_erased(&TenantId::from_random_bytes([9; 16]).to_string());
        let calls = RefCell::new(0);
        let apply = |_: Envelope<ResearchRequested>| {
            *calls.borrow_mut() += 1;
            async { Ok(()) }
        };
        Consumer::new("research", &register)
            .handle_batch(batch(vec![record("a", &research("k1"))]), apply)
            .await;
        register.mark_erased(&TenantId::from_random_bytes([1; 16]).to_string());
        Consumer::of_erasures("erasure", &register)
            .handle_batch(batch(vec![record("b", &research("k2"))]), apply)
            .await;
        assert_eq!(*calls.borrow(), 2);
    }

    #[tokio::test]
    async fn a_failed_message_is_reported_and_can_be_retried() {
        let store = MemoryStore::default();
        let consumer = Consumer::new("research", &store);
        let failing = consumer
            .handle_batch(batch(vec![record("a", &research("k"))]), |_: Envelope<ResearchRequested>| async {
                anyhow::bail!("supplier down")
            })
            .await;
        assert_eq!(failed_ids(&failing), vec!["a"]);
        let retried = consumer
            .handle_batch(batch(vec![record("a", &research("k"))]), |_: Envelope<ResearchRequested>| async {
                Ok(())
            })
            .await;
        assert!(retried.batch_item_failures.is_empty());
    }

    /// The memory store, but every call waits a turn first, as a network store does, so
    /// concurrently handled records interleave at their claims.
    #[derive(Default)]
    struct SlowStore(MemoryStore);

    impl IdempotencyStore for SlowStore {
        async fn claim(&self, consumer: &str, key: &str) -> anyhow::Result<Claim> {
            tokio::task::yield_now().await;
            self.0.claim(consumer, key).await
        }

        async fn complete(&self, consumer: &str, key: &str) -> anyhow::Result<()> {
            tokio::task::yield_now().await;
            self.0.complete(consumer, key).await
        }

        async fn release(&self, consumer: &str, key: &str) -> anyhow::Result<()> {
            tokio::task::yield_now().await;
            self.0.release(consumer, key).await
        }
    }

    impl crate::erased::ErasedRegister for SlowStore {
        async fn erased(&self, tenant: &str, store: Option<&str>) -> anyhow::Result<bool> {
            tokio::task::yield_now().await;
            self.0.erased(tenant, store).await
        }
    }

    fn distinct(count: usize) -> SqsEvent {
        batch((0..count).map(|i| record(&format!("m{i}"), &research(&format!("k{i}")))).collect())
    }

    #[tokio::test]
    async fn a_concurrent_batch_never_handles_more_records_at_once_than_its_bound() {
        let store = SlowStore::default();
        let (running, most, applied) = (Cell::new(0), Cell::new(0), Cell::new(0));
        let response = Consumer::new("research", &store)
            .concurrently(3)
            .handle_batch(distinct(10), |_: Envelope<ResearchRequested>| {
                let (running, most, applied) = (&running, &most, &applied);
                async move {
                    running.set(running.get() + 1);
                    most.set(most.get().max(running.get()));
                    for _ in 0..3 {
                        tokio::task::yield_now().await;
                    }
                    running.set(running.get() - 1);
                    applied.set(applied.get() + 1);
                    Ok(())
                }
            })
            .await;
        assert!(response.batch_item_failures.is_empty());
        assert_eq!(applied.get(), 10);
        assert_eq!(most.get(), 3, "three records at once, never more");
    }

    #[tokio::test]
    async fn one_failing_record_of_a_concurrent_batch_is_the_only_one_reported() {
        let store = SlowStore::default();
        let applied = RefCell::new(Vec::new());
        let consumer = Consumer::new("research", &store).concurrently(10);
        let response = consumer
            .handle_batch(distinct(10), |e: Envelope<ResearchRequested>| {
                let applied = &applied;
                async move {
                    tokio::task::yield_now().await;
                    if e.idempotency_key == "k4" {
                        anyhow::bail!("supplier down");
                    }
                    applied.borrow_mut().push(e.idempotency_key);
                    Ok(())
                }
            })
            .await;
        assert_eq!(failed_ids(&response), vec!["m4"]);
        assert_eq!(applied.borrow().len(), 9);
        // The failed record's claim was released: its retry applies it, the others are duplicates.
        let retried = consumer
            .handle_batch(distinct(10), |e: Envelope<ResearchRequested>| {
                applied.borrow_mut().push(e.idempotency_key);
                async { Ok(()) }
            })
            .await;
        assert!(retried.batch_item_failures.is_empty());
        assert_eq!(applied.borrow().len(), 10);
        assert_eq!(applied.borrow().last().map(String::as_str), Some("k4"));
    }

    #[tokio::test]
    async fn copies_of_one_key_in_a_concurrent_batch_are_duplicates_not_failures() {
        let store = SlowStore::default();
        let calls = Cell::new(0);
        let event = batch(vec![
            record("a", &research("same")),
            record("b", &research("other")),
            record("c", &research("same")),
        ]);
        let response = Consumer::new("research", &store)
            .concurrently(10)
            .handle_batch(event, |_: Envelope<ResearchRequested>| {
                calls.set(calls.get() + 1);
                async {
                    tokio::task::yield_now().await;
                    Ok(())
                }
            })
            .await;
        assert!(response.batch_item_failures.is_empty(), "{:?}", failed_ids(&response));
        assert_eq!(calls.get(), 2);
    }

    #[tokio::test]
    async fn a_redelivered_concurrent_batch_applies_nothing_twice() {
        let store = SlowStore::default();
        let calls = Cell::new(0);
        let consumer = Consumer::new("research", &store).concurrently(10);
        for _ in 0..2 {
            let response = consumer
                .handle_batch(distinct(10), |_: Envelope<ResearchRequested>| {
                    calls.set(calls.get() + 1);
                    async { Ok(()) }
                })
                .await;
            assert!(response.batch_item_failures.is_empty());
        }
        assert_eq!(calls.get(), 10);
    }
}
