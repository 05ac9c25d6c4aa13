//! The fulfilment Lambda's entry: builds the AliExpress and CJ clients and the edge client once, then
//! serves SQS batches of the `fulfilment` queue with [`handler::handle`] and the tracking
//! schedule's ticks with [`tracking::tick`].

mod cj;
mod handler;
mod tracking;

use pipeline::config::required;
use pipeline::edge::EdgeClient;
use queues::idempotency::DynamoStore;
use suppliers::aliexpress::AliExpress;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    pipeline::telemetry::init();
    let http = EdgeClient::http_client();
    let edge = EdgeClient::from_env(http.clone()).await?;
    let aws = aws_config::load_from_env().await;
    let state = handler::State {
        edge,
        cj: suppliers::cj::Cj::from_env(http.clone()),
        aliexpress: match AliExpress::from_env(http)? {
            Some(client) => Some((client, required("ALIEXPRESS_DS_ACCESS_TOKEN")?.into())),
            None => None,
        },
        idempotency: DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), required("TABLE_NAME")?),
    };
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler::dispatch(state, event))).await
}
