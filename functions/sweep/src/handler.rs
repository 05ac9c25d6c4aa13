//! Handles one schedule tick.

use email::flow_steps::FlowSteps;
use email::sweep;
use lambda_runtime::{Error, LambdaEvent};
use pipeline::edge::EdgeClient;
use queues::internal_api::calls::{LapsePlans, RecheckDomains};
use queues::internal_api::{LapseDuePlans, RecheckDueDomains};
use queues::publisher::SqsPublisher;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// Tenants (or domains) one call to the edge handles at most; a sweep calls again while the edge
/// says there are more, up to [`CALLS`] calls a tick.
const BATCH: u32 = 50;
const CALLS: u32 = 20;

/// Clients built once per cold start.
pub struct State {
    /// The email flows' steps.
    pub steps: FlowSteps,
    /// The email queue.
    pub email: SqsPublisher,
    /// The edge, told what became of each step (`None`: nothing is reported).
    pub edge: Option<Arc<dyn email::flow_edge::FlowEdge>>,
    /// The same edge for the calls of the other sweeps (`None`: they fail, and the scheduler
    /// retries them, then dead-letters them).
    pub edge_client: Option<Arc<EdgeClient>>,
}

/// The schedule's input, as written in `infra/wiring.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tick {
    /// Which sweep the tick is for.
    pub job: Job,
    /// The time the schedule fired for (RFC 3339), where the sweep reads it.
    #[serde(default)]
    pub at: Option<String>,
}

/// The sweeps this function knows.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    /// Send the email-flow steps that are due.
    EmailFlows,
    /// Move the tenants whose payment grace period is over to Starter.
    PlanLapse,
    /// Check that verified custom domains still carry their TXT record.
    DomainRecheck,
}

/// Runs the tick's sweep.
pub async fn handle(state: &State, event: LambdaEvent<Tick>) -> Result<Value, Error> {
    match event.payload.job {
        Job::EmailFlows => email_flows(state, &event.context.request_id).await,
        Job::PlanLapse => plan_lapse(state, event.payload.at).await,
        Job::DomainRecheck => domain_recheck(state, event.payload.at).await,
    }
}

/// The email-flow steps that are due. The invocation's request id claims the steps it takes, so
/// an overlapping tick (or EventBridge's retry of this one) never takes the same step.
async fn email_flows(state: &State, claim: &str) -> Result<Value, Error> {
    let summary = sweep::run_reporting(
        &state.steps,
        &state.email,
        state.edge.as_deref(),
        claim,
        time::OffsetDateTime::now_utc(),
    )
    .await?;
    tracing::info!(
        enqueued = summary.enqueued,
        skipped = summary.skipped,
        dropped = summary.dropped,
        busy = summary.busy,
        failed = summary.failed,
        more = summary.more,
        "email-flow sweep done"
    );
    Ok(serde_json::to_value(summary)?)
}

/// Asks the edge to lapse the plans whose grace period is over at the tick's time, page by page.
/// A failed call fails the tick, which the scheduler retries: the edge mails each owner once.
async fn plan_lapse(state: &State, at: Option<String>) -> Result<Value, Error> {
    let edge = state.edge_client.as_ref().ok_or("the plan-lapse sweep needs EDGE_INTERNAL_URL")?;
    let (mut lapsed, mut more) = (0, true);
    for _ in 0..CALLS {
        let page = edge.call::<LapsePlans>(&(), &LapseDuePlans { limit: BATCH, at: at.clone() }).await?;
        lapsed += page.lapsed;
        more = page.more;
        if !more {
            break;
        }
    }
    tracing::info!(lapsed, more, "plan-lapse sweep done");
    Ok(json!({ "lapsed": lapsed, "more": more }))
}

/// Asks the edge to check the verified custom domains due at the tick's time, page by page.
async fn domain_recheck(state: &State, at: Option<String>) -> Result<Value, Error> {
    let edge = state.edge_client.as_ref().ok_or("the domain-recheck sweep needs EDGE_INTERNAL_URL")?;
    let (mut checked, mut missing, mut released, mut more) = (0, 0, 0, true);
    for _ in 0..CALLS {
        let page =
            edge.call::<RecheckDomains>(&(), &RecheckDueDomains { limit: BATCH, at: at.clone() }).await?;
        (checked, missing, released, more) =
            (checked + page.checked, missing + page.missing, released + page.released, page.more);
        // A page that checked nothing (the resolver is down) would come back the same: stop.
        if !more || page.checked == 0 {
            break;
        }
    }
    tracing::info!(checked, missing, released, more, "domain-recheck sweep done");
    Ok(json!({ "checked": checked, "missing": missing, "released": released, "more": more }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wiring() -> serde_json::Value {
        serde_json::from_str(include_str!("../../../infra/wiring.json")).expect("wiring.json is JSON")
    }

    #[test]
    fn the_schedule_input_in_wiring_is_a_valid_tick() {
        let wiring = wiring();
        let mut found = Vec::new();
        for (name, schedule) in wiring["schedules"].as_object().expect("schedules") {
            if schedule["function"] == "sweep" {
                let tick: Tick = serde_json::from_value(schedule["input"].clone())
                    .unwrap_or_else(|e| panic!("schedule {name}: {e}"));
                found.push(tick.job);
            }
        }
        assert_eq!(found.len(), 3, "one schedule per sweep: {found:?}");
        for job in [Job::EmailFlows, Job::PlanLapse, Job::DomainRecheck] {
            assert!(found.contains(&job), "{job:?} has no schedule: {found:?}");
        }
    }

    #[test]
    fn a_sweep_ends_long_before_its_lease_on_a_step_runs_out() {
        let timeout_s = wiring()["functions"]["sweep"]["timeout_s"].as_i64().expect("sweep timeout_s");
        assert!(
            timeout_s * 2 < email::flow_steps::LEASE.whole_seconds(),
            "a live sweep must never lose its steps to the next one"
        );
    }

    #[test]
    fn the_sweep_sends_to_the_email_queue_and_the_email_function_reads_the_flows_queue() {
        let wiring = wiring();
        assert_eq!(wiring["functions"]["sweep"]["sends_to"], serde_json::json!(["email"]));
        assert_eq!(wiring["queues"]["flows"]["consumer"], "email");
        assert_eq!(wiring["queues"]["email"]["consumer"], "email");
    }

    #[test]
    fn an_unknown_job_is_refused() {
        assert!(serde_json::from_str::<Tick>(r#"{"job":"research"}"#).is_err());
    }
}
