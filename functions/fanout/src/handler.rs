//! Handles one schedule tick.

use lambda_runtime::{Error, LambdaEvent};
use pipeline::edge::EdgeClient;
use queues::internal_api::calls::{ClaimResearchRuns, ListSyncStores};
use queues::internal_api::ClaimDueRuns;
use queues::messages::{ResearchRequested, SupplierSyncRequested};
use queues::publisher::SqsPublisher;
use queues::sync_api::SyncStoresPage;
use queues::Envelope;
use serde::{Deserialize, Serialize};

/// Clients built once per cold start.
pub struct State {
    /// The edge's internal API.
    pub edge: EdgeClient,
    /// The research queue.
    pub research: SqsPublisher,
    /// The supplier-sync queue.
    pub sync: SqsPublisher,
}

/// The schedule's input, as written in `infra/wiring.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tick {
    /// Which job the tick is for.
    pub job: Job,
    /// The time the schedule fired for (RFC 3339): EventBridge Scheduler writes it in place of
    /// `<aws.scheduler.scheduled-time>` in the input, as the local scheduler does (on a compressed
    /// clock in the schedules' end-to-end test). Due stores and sync names follow it; the
    /// function's clock when left out.
    #[serde(default)]
    pub at: Option<String>,
}

impl Tick {
    /// The time the tick is for.
    pub fn time(&self) -> Result<time::OffsetDateTime, Error> {
        Ok(queues::schedule::scheduled_time(self.at.as_deref(), time::OffsetDateTime::now_utc())?)
    }
}

/// The jobs the fan-out knows.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    /// Product research for every store whose plan's cadence is due.
    Research,
    /// The hourly supplier sync of every active store.
    SupplierSync,
}

/// What the tick did.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Messages enqueued.
    pub enqueued: usize,
}

/// Runs claimed per call to the edge.
const CLAIM_PAGE: u32 = 500;

/// Claims due runs and enqueues them. The idempotency key is the run id, and a repeated claim in
/// the same window returns the same runs, so a retried tick enqueues nothing twice in effect.
pub async fn handle(state: &State, event: LambdaEvent<Tick>) -> Result<Summary, Error> {
    let correlation_id = event.context.request_id.clone();
    let at = event.payload.time()?;
    if event.payload.job == Job::SupplierSync {
        return supplier_sync(state, correlation_id, at).await;
    }
    let claim = ClaimDueRuns { limit: CLAIM_PAGE, at: event.payload.at.clone() };
    let due = state.edge.call::<ClaimResearchRuns>(&(), &claim).await?;
    let now = time::OffsetDateTime::now_utc();
    let envelopes: Vec<Envelope<ResearchRequested>> = due
        .runs
        .into_iter()
        .map(|run| {
            Envelope::new(
                format!("research:{}", run.run_id),
                run.tenant_id,
                run.store_id,
                now,
                correlation_id.clone(),
                ResearchRequested { run_id: run.run_id, niche: run.niche, max_imports: run.max_imports },
            )
        })
        .collect();
    state.research.send_all(&envelopes).await?;
    tracing::info!(enqueued = envelopes.len(), "research fan-out done");
    Ok(Summary { enqueued: envelopes.len() })
}

/// The sync of the hour an instant falls in, e.g. `2026-11-27T03`: a tick retried within the
/// hour sends the same keys, which the consumer's idempotency turns into one sync per store.
pub fn sync_id(at: time::OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}T{:02}", at.year(), u8::from(at.month()), at.day(), at.hour())
}

/// One supplier-sync message per active store, a page of stores at a time.
async fn supplier_sync(
    state: &State,
    correlation_id: String,
    now: time::OffsetDateTime,
) -> Result<Summary, Error> {
    let sync_id = sync_id(now);
    let mut after = None;
    let mut enqueued = 0;
    loop {
        let page =
            state.edge.call::<ListSyncStores>(&(), &SyncStoresPage { after, limit: CLAIM_PAGE }).await?;
        let envelopes: Vec<Envelope<SupplierSyncRequested>> = page
            .stores
            .iter()
            .map(|store| {
                Envelope::new(
                    format!("sync:{}:{sync_id}", store.store_id),
                    store.tenant_id,
                    store.store_id,
                    now,
                    correlation_id.clone(),
                    SupplierSyncRequested { sync_id: sync_id.clone() },
                )
            })
            .collect();
        state.sync.send_all(&envelopes).await?;
        enqueued += envelopes.len();
        match page.stores.last() {
            Some(last) if page.stores.len() == CLAIM_PAGE as usize => after = Some(last.store_id),
            _ => break,
        }
    }
    tracing::info!(enqueued, %sync_id, "supplier-sync fan-out done");
    Ok(Summary { enqueued })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_input_in_wiring_is_a_valid_tick() {
        let wiring: serde_json::Value =
            serde_json::from_str(include_str!("../../../infra/wiring.json")).expect("wiring.json is JSON");
        for (name, schedule) in wiring["schedules"].as_object().expect("schedules") {
            if schedule["function"] == "fanout" {
                serde_json::from_value::<Tick>(schedule["input"].clone())
                    .unwrap_or_else(|e| panic!("schedule {name}: {e}"));
            }
        }
    }

    #[test]
    fn a_tick_is_for_the_time_scheduler_wrote_into_it() {
        let tick: Tick = serde_json::from_str(r#"{"job":"research","at":"2026-12-07T13:00:00Z"}"#).unwrap();
        assert_eq!(tick.time().unwrap(), time::macros::datetime!(2026-12-07 13:00 UTC));
        let unfilled: Tick =
            serde_json::from_str(r#"{"job":"research","at":"<aws.scheduler.scheduled-time>"}"#).unwrap();
        assert!(unfilled.time().unwrap_err().to_string().contains("not RFC 3339"));
        let bare: Tick = serde_json::from_str(r#"{"job":"supplier_sync"}"#).unwrap();
        assert!(bare.time().is_ok());
    }

    #[test]
    fn a_sync_is_named_by_its_hour() {
        let at = time::macros::datetime!(2026-11-27 03:59:59 UTC);
        assert_eq!(sync_id(at), "2026-11-27T03");
        assert_ne!(sync_id(at + time::Duration::seconds(1)), sync_id(at));
    }

    #[test]
    fn an_unknown_job_is_refused() {
        assert!(serde_json::from_str::<Tick>(r#"{"job":"mine-bitcoin"}"#).is_err());
    }
}
