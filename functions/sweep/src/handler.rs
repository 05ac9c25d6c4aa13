//! Handles one schedule tick.

use email::flow_steps::FlowSteps;
use email::sweep::{self, Summary};
use lambda_runtime::{Error, LambdaEvent};
use queues::publisher::SqsPublisher;
use serde::Deserialize;

/// Clients built once per cold start.
pub struct State {
    /// The email flows' steps.
    pub steps: FlowSteps,
    /// The email queue.
    pub email: SqsPublisher,
    /// The edge, told what became of each step (`None`: nothing is reported).
    pub edge: Option<std::sync::Arc<dyn email::flow_edge::FlowEdge>>,
}

/// The schedule's input, as written in `infra/wiring.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tick {
    /// Which sweep the tick is for.
    pub job: Job,
}

/// The sweeps this function knows.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    /// Send the email-flow steps that are due.
    EmailFlows,
}

/// Runs the tick's sweep. The invocation's request id claims the steps it takes, so an
/// overlapping tick (or EventBridge's retry of this one) never takes the same step.
pub async fn handle(state: &State, event: LambdaEvent<Tick>) -> Result<Summary, Error> {
    let Job::EmailFlows = event.payload.job;
    let claim = event.context.request_id;
    let summary = sweep::run_reporting(
        &state.steps,
        &state.email,
        state.edge.as_deref(),
        &claim,
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
    Ok(summary)
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
        let mut found = 0;
        for (name, schedule) in wiring["schedules"].as_object().expect("schedules") {
            if schedule["function"] == "sweep" {
                let tick: Tick = serde_json::from_value(schedule["input"].clone())
                    .unwrap_or_else(|e| panic!("schedule {name}: {e}"));
                assert_eq!(tick.job, Job::EmailFlows);
                found += 1;
            }
        }
        assert_eq!(found, 1, "one schedule runs the email-flow sweep");
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
