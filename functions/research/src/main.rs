//! The research stage: for each research message, asks the supplier sources for candidates,
//! scores them with the domain model, enqueues imports for the best, and reports the run.

mod candidates;
mod handler;
mod sources;

use anyhow::Context;
use pipeline::config::required;
use pipeline::edge::EdgeClient;
use queues::idempotency::DynamoStore;
use queues::messages::ImportRequested;
use queues::publisher::SqsPublisher;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    pipeline::telemetry::init();
    let http = EdgeClient::http_client();
    let edge = EdgeClient::new(
        http.clone(),
        required("EDGE_INTERNAL_URL")?,
        pipeline::config::internal_secret(&http).await?,
    );
    let aws = aws_config::load_from_env().await;
    let import_queue = required(&SqsPublisher::url_variable::<ImportRequested>())
        .context("research sends to the import queue")?;
    let state = handler::State {
        edge,
        imports: SqsPublisher::new(aws_sdk_sqs::Client::new(&aws), import_queue),
        idempotency: DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), required("TABLE_NAME")?),
        aliexpress: sources::aliexpress::AliExpress::from_env(http)?,
    };
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler::handle(state, event))).await
}
