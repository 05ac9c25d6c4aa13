//! The import stage: for each import message, writes the product's content, prices it by the
//! store's rules, and publishes it through the edge's internal API.

mod content;
mod handler;
mod images;
mod media;

use ai::DynamoBudget;
use pipeline::config::required;
use pipeline::edge::EdgeClient;
use queues::idempotency::DynamoStore;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    pipeline::telemetry::init();
    let http = EdgeClient::http_client();
    let edge = EdgeClient::from_env(http.clone()).await?;
    let aws = aws_config::load_from_env().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    let table = required("TABLE_NAME")?;
    let writer =
        content::ContentWriter::from_env(Arc::new(DynamoBudget::new(dynamo.clone(), table.clone())))?;
    tracing::info!(?writer, "content writer configured");
    let fetcher = scraper::Fetcher::new(scraper::ScraperConfig::from_env()?)?;
    // Path-style addressing works with S3 and with the local emulator alike.
    let s3 =
        aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&aws).force_path_style(true).build());
    let media = images::S3Media::new(s3, required("BUCKET_NAME")?);
    let state = handler::State { edge, idempotency: DynamoStore::new(dynamo, table), writer, fetcher, media };
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler::handle(state, event))).await
}
