//! The supplier sync Lambda's entry: builds the supplier clients and the edge client once, then
//! serves SQS batches of the `sync` queue with [`handler::handle`].

mod handler;

use pipeline::config::required;
use pipeline::edge::EdgeClient;
use queues::idempotency::DynamoStore;
use suppliers::aliexpress::AliExpress;
use suppliers::feed::SupplierFeed;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    pipeline::telemetry::init();
    let http = EdgeClient::http_client();
    let edge = EdgeClient::from_env(http.clone()).await?;
    let aws = aws_config::load_from_env().await;
    let state = handler::State {
        edge,
        suppliers: handler::Suppliers {
            aliexpress: AliExpress::from_env(http.clone())?,
            feed: SupplierFeed::from_env(http)?,
        },
        idempotency: DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), required("TABLE_NAME")?),
    };
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler::handle(state, event))).await
}
