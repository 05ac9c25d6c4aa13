//! Handles a batch of research messages.

use crate::candidates::{select, Candidate};
use crate::evidence::{self, Applied};
use crate::sources::competitors::Competition;
use crate::sources::{Gathered, Query, Sources, SOURCE_TIMEOUT};
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
    /// The research sources, each `None` when not configured.
    pub sources: Sources,
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
    // No scan history is kept yet, so nothing at competitors counts as new.
    let query = Query { niche: &run.niche, since: None };
    let Evidenced { coverage, candidates: found, applied, new_at_competitors } =
        evidenced(state.sources.gather(&query, SOURCE_TIMEOUT).await);
    tracing::info!(
        run_id = %run.run_id,
        mentioned = applied.mentioned,
        contested = applied.contested,
        new_at_competitors,
        "sources gathered"
    );

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

/// What the sources gave a run.
struct Evidenced {
    coverage: Vec<SourceCoverage>,
    candidates: Vec<Candidate>,
    applied: Applied,
    new_at_competitors: usize,
}

/// Turns the sources' findings into candidates with every signal the evidence gives them.
fn evidenced(gathered: Vec<Gathered>) -> Evidenced {
    let mut coverage = Vec::with_capacity(gathered.len());
    let mut products = Vec::new();
    let mut mentions: Option<Vec<_>> = None;
    let mut competition: Option<Competition> = None;
    for Gathered { coverage: line, findings } in gathered {
        coverage.push(line);
        products.extend(findings.products);
        if let Some(found) = findings.mentions {
            mentions.get_or_insert_with(Vec::new).extend(found);
        }
        if let Some(found) = findings.competition {
            let all = competition.get_or_insert_with(Competition::default);
            all.stores_scanned += found.stores_scanned;
            all.products.extend(found.products);
        }
    }
    let mut candidates: Vec<Candidate> = products.into_iter().map(Candidate::from_supplier).collect();
    let applied = evidence::apply(&mut candidates, mentions.as_deref(), competition.as_ref());
    let new_at_competitors = competition.as_ref().map_or(0, |c| c.new_products().count());
    Evidenced { coverage, candidates, applied, new_at_competitors }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{aliexpress, competitors, feed, reddit, Findings};
    use domain::Currency;

    fn fixture(path: &str) -> String {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../local/fixtures/");
        std::fs::read_to_string(format!("{root}{path}")).unwrap()
    }

    fn answered(source: &str, findings: Findings) -> Gathered {
        Gathered {
            coverage: SourceCoverage {
                source: source.into(),
                candidates: findings.found() as u32,
                error: None,
            },
            findings,
        }
    }

    /// Every source's recorded answer, as the local stack serves them.
    fn recorded() -> Vec<Gathered> {
        let products = aliexpress::parse_hot_products(&fixture("aliexpress/hotproducts.json")).unwrap();
        let mentions = reddit::DEFAULT_SUBREDDITS
            .iter()
            .flat_map(|s| reddit::parse_listing(&fixture(&format!("reddit/{s}.json"))).unwrap())
            .collect();
        let mut competition = competitors::Competition::default();
        for store in ["pawsandclaws", "groomwell"] {
            let body = fixture(&format!("shopify/{store}.json"));
            let (found, _) = competitors::parse_products(store, &body, Currency::Usd, None).unwrap();
            competition.stores_scanned += 1;
            competition.products.extend(found);
        }
        let feed = feed::parse_feed(&fixture("feed/supplier.csv"), "text/csv").unwrap();
        vec![
            answered("aliexpress", Findings { products, ..Findings::default() }),
            answered("reddit", Findings { mentions: Some(mentions), ..Findings::default() }),
            answered("competitors", Findings { competition: Some(competition), ..Findings::default() }),
            answered("feed", Findings { products: feed.products, ..Findings::default() }),
        ]
    }

    #[test]
    fn every_recorded_source_adds_to_the_candidates_signals() {
        let run = evidenced(recorded());
        assert_eq!(run.coverage.len(), 4);
        assert_eq!(run.candidates.len(), 20 + 9);
        assert!(run.applied.mentioned >= 5, "{:?}", run.applied);
        assert!(run.applied.contested >= 3, "{:?}", run.applied);
        assert!(run.candidates.iter().all(|c| c.signals.reddit.is_some() && c.signals.saturation.is_some()));
        let brush =
            run.candidates.iter().find(|c| c.product.source_product_id == "1005006100000000").unwrap();
        assert!(brush.signals.reddit.unwrap() > 80, "the most upvoted post links it");
        assert_eq!(brush.signals.saturation, Some(0), "both competitors sell it");
    }

    #[test]
    fn with_the_recorded_sources_the_best_five_are_aliexpress_best_sellers() {
        let chosen = select(evidenced(recorded()).candidates, 5);
        let sources: Vec<&str> = chosen.iter().map(|c| c.product.source.as_str()).collect();
        assert_eq!(sources, vec!["aliexpress"; 5], "the end-to-end test expects AliExpress imports");
    }

    #[test]
    fn a_run_whose_evidence_sources_failed_scores_suppliers_alone() {
        let mut gathered = recorded();
        gathered.truncate(1);
        let run = evidenced(gathered);
        assert!(run.candidates.iter().all(|c| c.signals.reddit.is_none() && c.signals.saturation.is_none()));
        assert_eq!(run.applied, Applied::default());
    }
}
