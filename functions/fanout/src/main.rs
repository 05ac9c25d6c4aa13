//! The scheduled fan-out. EventBridge Scheduler (locally, devstack's scheduler) invokes it with
//! the schedule's input from `infra/wiring.json`. The `research` job claims the research runs that
//! are due from the edge and enqueues one research message per store; the `supplier_sync` job
//! enqueues one supplier-sync message per active store.

mod handler;

use anyhow::Context;
use pipeline::edge::EdgeClient;
use queues::messages::{ResearchRequested, SupplierSyncRequested};
use queues::publisher::SqsPublisher;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    pipeline::telemetry::init();
    let http = EdgeClient::http_client();
    let edge = EdgeClient::from_env(http.clone()).await?;
    let aws = aws_config::load_from_env().await;
    let queue_url = pipeline::config::required(&SqsPublisher::url_variable::<ResearchRequested>())
        .context("the fan-out sends to the research queue")?;
    let sync_url = pipeline::config::required(&SqsPublisher::url_variable::<SupplierSyncRequested>())
        .context("the fan-out sends to the sync queue")?;
    let sqs = aws_sdk_sqs::Client::new(&aws);
    let state = handler::State {
        edge,
        research: SqsPublisher::new(sqs.clone(), queue_url),
        sync: SqsPublisher::new(sqs, sync_url),
    };
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler::handle(state, event))).await
}
