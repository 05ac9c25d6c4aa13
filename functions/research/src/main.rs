//! The research Lambda's entry: reads configuration and builds clients once, then serves SQS
//! batches with [`research::handler::handle`].

use ai::{Ai, DynamoBudget};
use anyhow::Context;
use pipeline::config::required;
use pipeline::edge::EdgeClient;
use queues::idempotency::DynamoStore;
use queues::messages::{EmailRequested, ImportRequested};
use queues::publisher::SqsPublisher;
use research::{handler, sources};
use std::sync::Arc;
use std::time::Duration;

/// The idempotency lease, shortened by `IDEMPOTENCY_LEASE_SECS` on the local stack.
fn lease(store: DynamoStore) -> anyhow::Result<DynamoStore> {
    Ok(match pipeline::config::optional("IDEMPOTENCY_LEASE_SECS") {
        Some(secs) => store.with_lease_secs(
            secs.parse()
                .with_context(|| format!("IDEMPOTENCY_LEASE_SECS `{secs}` is not a number of seconds"))?,
        ),
        None => store,
    })
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    pipeline::telemetry::init();
    let http = EdgeClient::http_client();
    // Shops answer their catalogue from their primary domain and redirect the others to it.
    let storefronts = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .context("building the storefront client")?;
    let edge = EdgeClient::from_env(http.clone()).await?;
    let aws = aws_config::load_from_env().await;
    let import_queue = required(&SqsPublisher::url_variable::<ImportRequested>())
        .context("research sends to the import queue")?;
    let email_queue = required(&SqsPublisher::url_variable::<EmailRequested>())
        .context("research sends its report to the email queue")?;
    let sources = sources::Sources::from_env(&http, &storefronts)?;
    tracing::info!(sources = ?sources.configured(), "research sources configured");
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    let table = required("TABLE_NAME")?;
    let ai = Ai::from_env(Arc::new(DynamoBudget::new(dynamo.clone(), table.clone())))?;
    tracing::info!(?ai, "AI analysis configured");
    let sqs = aws_sdk_sqs::Client::new(&aws);
    let state = handler::State {
        edge,
        imports: SqsPublisher::new(sqs.clone(), import_queue),
        emails: SqsPublisher::new(sqs, email_queue),
        idempotency: lease(DynamoStore::new(dynamo.clone(), table.clone()))?,
        snapshots: research::velocity::DynamoSnapshots::new(dynamo, table),
        sources,
        ai,
    };
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler::handle(state, event))).await
}
