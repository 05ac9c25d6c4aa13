//! The scheduled fan-out. EventBridge Scheduler (locally, devstack's scheduler) invokes it with
//! the schedule's input from `infra/wiring.json`; it claims the research runs that are due from
//! the edge and enqueues one research message per store.

mod handler;

use anyhow::Context;
use pipeline::edge::EdgeClient;
use queues::messages::ResearchRequested;
use queues::publisher::SqsPublisher;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    pipeline::telemetry::init();
    let http = EdgeClient::http_client();
    let edge = EdgeClient::new(
        http.clone(),
        pipeline::config::required("EDGE_INTERNAL_URL")?,
        pipeline::config::internal_secret(&http).await?,
    );
    let aws = aws_config::load_from_env().await;
    let queue_url = pipeline::config::required(&SqsPublisher::url_variable::<ResearchRequested>())
        .context("the fan-out sends to the research queue")?;
    let state =
        handler::State { edge, research: SqsPublisher::new(aws_sdk_sqs::Client::new(&aws), queue_url) };
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler::handle(state, event))).await
}
