//! Handles a batch of research messages.

use crate::candidates::{select, Candidate};
use crate::sources::aliexpress::AliExpress;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent};
use pipeline::edge::EdgeClient;
use queues::consumer::Consumer;
use queues::idempotency::DynamoStore;
use queues::internal_api::{RunReport, SourceCoverage};
use queues::messages::{ImportRequested, ResearchRequested};
use queues::publisher::SqsPublisher;
use queues::Envelope;
use serde_json::Value;

/// Clients built once per cold start.
pub struct State {
    /// The edge's internal API.
    pub edge: EdgeClient,
    /// The import queue.
    pub imports: SqsPublisher,
    /// Idempotency records.
    pub idempotency: DynamoStore,
    /// The AliExpress affiliate API.
    pub aliexpress: AliExpress,
}

/// The SQS entry point: per-message handling with partial batch failures.
pub async fn handle(state: &State, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, Error> {
    Ok(Consumer::new("research", &state.idempotency)
        .handle_batch(event.payload, |envelope| research(state, envelope))
        .await)
}

/// One research run. A source that fails lowers the run's coverage and is reported; only a failure
/// to enqueue or report fails the message, which is then retried.
async fn research(state: &State, envelope: Envelope<ResearchRequested>) -> anyhow::Result<()> {
    let run = &envelope.payload;
    let mut coverage = Vec::new();
    let mut found: Vec<Candidate> = Vec::new();
    match state.aliexpress.hot_products(&run.niche, 50).await {
        Ok(products) => {
            coverage.push(SourceCoverage {
                source: "aliexpress".into(),
                candidates: products.len() as u32,
                error: None,
            });
            found.extend(products.into_iter().map(Candidate::from_supplier));
        }
        Err(error) => {
            tracing::warn!(
                source = "aliexpress",
                error = format!("{error:#}"),
                "source failed; run continues"
            );
            coverage.push(SourceCoverage {
                source: "aliexpress".into(),
                candidates: 0,
                error: Some(format!("{error:#}")),
            });
        }
    }

    let seen = found.len();
    let chosen = select(found, usize::from(run.max_imports));
    let imports: Vec<Envelope<ImportRequested>> = chosen
        .iter()
        .map(|c| {
            Envelope::new(
                format!("import:{}:{}:{}", envelope.store_id, c.product.source, c.product.source_product_id),
                envelope.tenant_id,
                envelope.store_id,
                time::OffsetDateTime::now_utc(),
                envelope.correlation_id.clone(),
                ImportRequested { run_id: run.run_id, product: c.product.clone(), score: c.score.value },
            )
        })
        .collect();
    state.imports.send_all(&imports).await?;

    let report = RunReport {
        tenant_id: envelope.tenant_id,
        sources: coverage,
        candidates: seen as u32,
        selected: imports.len() as u32,
    };
    let path = format!("/internal/stores/{}/research-runs/{}/report", envelope.store_id, run.run_id);
    let _: Value = state.edge.post(&path, &report).await?;
    tracing::info!(run_id = %run.run_id, candidates = seen, selected = imports.len(), "research run done");
    Ok(())
}
