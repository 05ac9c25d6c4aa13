//! The SEO Lambda's entry: reads configuration and builds clients once, then serves the weekly
//! tick and the `seo` queue with [`seo::handler::handle`].

use ai::{Ai, DynamoBudget};
use pipeline::edge::EdgeClient;
use queues::idempotency::DynamoStore;
use queues::publisher::SqsPublisher;
use seo::config::Config;
use seo::handler::{self, State};
use seo::run::Engine;
use seo::sources::{Autocomplete, IndexNow, Serp};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    pipeline::telemetry::init();
    let config = Config::from_env()?;
    let http = EdgeClient::http_client();
    let edge = EdgeClient::from_env(http.clone()).await?;
    let aws = aws_config::load_from_env().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    let ai = Ai::from_env(Arc::new(DynamoBudget::new(dynamo.clone(), config.table.clone())))?;
    tracing::info!(serp = config.serp.is_some(), indexnow = config.indexnow.is_some(), "seo function ready");
    let state = State {
        engine: Engine {
            edge,
            ai,
            autocomplete: Autocomplete::new(http.clone(), config.autocomplete_url.clone()),
            serp: config.serp.clone().map(|(url, key)| Serp::new(http.clone(), url, key)),
            indexnow: config.indexnow.clone().map(|(url, key)| IndexNow::new(http.clone(), url, key)),
            posts_per_run: config.posts_per_run,
        },
        queue: SqsPublisher::new(aws_sdk_sqs::Client::new(&aws), config.queue_url.clone()),
        idempotency: DynamoStore::new(dynamo, config.table),
    };
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler::handle(state, event))).await
}
