//! The function's two entries: the weekly schedule's tick (`{"job": "fanout"}`), which claims
//! the stores due this ISO week through the edge and enqueues one `seo` message each; and the
//! `seo` queue's batches, each message one store's run (idempotent per run, failures retried
//! by SQS then dead-lettered).

use crate::run::{run, Engine};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent};
use queues::consumer::Consumer;
use queues::idempotency::DynamoStore;
use queues::internal_api::calls::ClaimSeoRuns;
use queues::messages::SeoRequested;
use queues::publisher::SqsPublisher;
use queues::seo_api::ClaimSeoWeek;
use queues::Envelope;
use serde::Deserialize;
use time::OffsetDateTime;

/// The consumer's name in `infra/wiring.json`.
pub const CONSUMER: &str = "seo";
/// Stores claimed per call to the edge.
const CLAIM_BATCH: u32 = 50;
/// Calls per tick at most (50 x 400 = 20,000 stores).
const MAX_CLAIMS: usize = 400;

/// Clients built once per cold start.
pub struct State {
    /// The engine.
    pub engine: Engine,
    /// The `seo` queue.
    pub queue: SqsPublisher,
    /// Idempotency records.
    pub idempotency: DynamoStore,
}

/// The schedule's input, as written in `infra/wiring.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tick {
    /// `fanout`.
    pub job: String,
    /// The time the schedule fired for (RFC 3339, EventBridge Scheduler's
    /// `<aws.scheduler.scheduled-time>`), whose ISO week is claimed; the function's clock when
    /// left out.
    #[serde(default)]
    pub at: Option<String>,
}

/// The ISO week of `at`, e.g. `2026-W48`.
pub fn iso_week(at: OffsetDateTime) -> String {
    let (year, week, _) = at.to_iso_week_date();
    format!("{year}-W{week:02}")
}

/// Either entry, told apart by the event's shape.
pub async fn handle(
    state: &State,
    event: LambdaEvent<serde_json::Value>,
) -> Result<serde_json::Value, Error> {
    if event.payload.get("Records").is_some() {
        let batch: SqsEvent = serde_json::from_value(event.payload)?;
        let response: SqsBatchResponse = Consumer::new(CONSUMER, &state.idempotency)
            .handle_batch(batch, |envelope: Envelope<SeoRequested>| async move {
                let posts = envelope.payload.posts.map_or(state.engine.posts_per_run, usize::from);
                let report =
                    run(&state.engine, envelope.tenant_id, envelope.store()?, envelope.payload.run_id, posts)
                        .await?;
                tracing::info!(
                    keywords = report.keywords.len(),
                    gaps = report.gaps.len(),
                    posts = report.posts.len(),
                    products_improved = report.products_improved,
                    links = report.links,
                    indexnow_urls = report.indexnow_urls,
                    "seo run done"
                );
                Ok(())
            })
            .await;
        return Ok(serde_json::to_value(response)?);
    }
    let tick: Tick = serde_json::from_value(event.payload)?;
    if tick.job != "fanout" {
        return Err(format!("unknown job `{}`", tick.job).into());
    }
    let at = queues::schedule::scheduled_time(tick.at.as_deref(), OffsetDateTime::now_utc())?;
    let week = iso_week(at);
    let mut enqueued = 0;
    for _ in 0..MAX_CLAIMS {
        let due = state
            .engine
            .edge
            .call::<ClaimSeoRuns>(&(), &ClaimSeoWeek { week: week.clone(), limit: CLAIM_BATCH })
            .await?;
        if due.runs.is_empty() {
            break;
        }
        let envelopes: Vec<Envelope<SeoRequested>> = due
            .runs
            .iter()
            .map(|r| {
                Envelope::new(
                    format!("seo:{}", r.run_id),
                    r.tenant_id,
                    r.store_id,
                    OffsetDateTime::now_utc(),
                    format!("seo-{week}"),
                    SeoRequested { run_id: r.run_id, posts: None },
                )
            })
            .collect();
        state.queue.send_all(&envelopes).await?;
        enqueued += envelopes.len();
    }
    tracing::info!(week, enqueued, "seo fan-out done");
    Ok(serde_json::json!({ "week": week, "enqueued": enqueued }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_are_iso_weeks() {
        assert_eq!(iso_week(time::macros::datetime!(2026-11-26 10:00 UTC)), "2026-W48");
        assert_eq!(iso_week(time::macros::datetime!(2027-01-01 10:00 UTC)), "2026-W53");
    }

    #[test]
    fn the_schedule_input_in_wiring_is_a_tick() {
        let wiring: serde_json::Value =
            serde_json::from_str(include_str!("../../../infra/wiring.json")).unwrap();
        let input = wiring["schedules"]["seo-weekly"]["input"].clone();
        assert_eq!(serde_json::from_value::<Tick>(input).unwrap().job, "fanout");
    }
}
