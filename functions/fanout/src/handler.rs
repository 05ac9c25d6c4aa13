//! Handles one schedule tick.

use lambda_runtime::{Error, LambdaEvent};
use pipeline::edge::EdgeClient;
use queues::internal_api::{ClaimDueRuns, DueRuns};
use queues::messages::ResearchRequested;
use queues::publisher::SqsPublisher;
use queues::Envelope;
use serde::{Deserialize, Serialize};

/// Clients built once per cold start.
pub struct State {
    /// The edge's internal API.
    pub edge: EdgeClient,
    /// The research queue.
    pub research: SqsPublisher,
}

/// The schedule's input, as written in `infra/wiring.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tick {
    /// Which job the tick is for.
    pub job: Job,
}

/// The jobs the fan-out knows.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    /// Product research for every store whose plan's cadence is due.
    Research,
}

/// What the tick did.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Research messages enqueued.
    pub enqueued: usize,
}

/// Runs claimed per call to the edge.
const CLAIM_PAGE: u32 = 500;

/// Claims due runs and enqueues them. The idempotency key is the run id, and a repeated claim in
/// the same window returns the same runs, so a retried tick enqueues nothing twice in effect.
pub async fn handle(state: &State, event: LambdaEvent<Tick>) -> Result<Summary, Error> {
    let Job::Research = event.payload.job;
    let correlation_id = event.context.request_id.clone();
    let due: DueRuns =
        state.edge.post("/internal/research-runs/due", &ClaimDueRuns { limit: CLAIM_PAGE }).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_input_in_wiring_is_a_valid_tick() {
        let wiring: serde_json::Value =
            serde_json::from_str(include_str!("../../../infra/wiring.json")).expect("wiring.json is JSON");
        for (name, schedule) in wiring["schedules"].as_object().expect("schedules") {
            if schedule["function"] == "fanout" {
                let tick: Tick = serde_json::from_value(schedule["input"].clone())
                    .unwrap_or_else(|e| panic!("schedule {name}: {e}"));
                assert_eq!(tick.job, Job::Research);
            }
        }
    }

    #[test]
    fn an_unknown_job_is_refused() {
        assert!(serde_json::from_str::<Tick>(r#"{"job":"mine-bitcoin"}"#).is_err());
    }
}
