//! The scrape stage: for each scrape message, reads the product page through the scraper's
//! guarded fetcher (robots.txt, rate limits, retries, the 24-hour page cache in DynamoDB) and
//! sends the product it shows to the import queue, where its content, price and images are made.

mod handler;

use anyhow::Context;
use pipeline::config::required;
use queues::idempotency::DynamoStore;
use queues::messages::ImportRequested;
use queues::publisher::SqsPublisher;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    pipeline::telemetry::init();
    let aws = aws_config::load_from_env().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    let table = required("TABLE_NAME")?;
    let config = scraper::ScraperConfig::from_env()?;
    let fetcher = scraper::Fetcher::builder(config)
        .cache(Arc::new(scraper::DynamoCache::new(dynamo.clone(), table.clone())))
        .build()?;
    let import_queue = required(&SqsPublisher::url_variable::<ImportRequested>())
        .context("scrape sends to the import queue")?;
    let state = handler::State {
        fetcher,
        imports: SqsPublisher::new(aws_sdk_sqs::Client::new(&aws), import_queue),
        idempotency: DynamoStore::new(dynamo, table),
    };
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler::handle(state, event))).await
}
