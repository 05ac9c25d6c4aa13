//! The import stage: for each import message, writes the product's content, prices it by the
//! store's rules, and publishes it through the edge's internal API.

mod content;
mod handler;

use pipeline::config::required;
use pipeline::edge::EdgeClient;
use queues::idempotency::DynamoStore;

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
    let state = handler::State {
        edge,
        idempotency: DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), required("TABLE_NAME")?),
        writer: content::from_env()?,
    };
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler::handle(state, event))).await
}
