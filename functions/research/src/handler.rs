//! Handles a batch of research messages.

use crate::candidates::{
    decide, exclude_owned, select, shortlist_size, Candidate, Decided, Owned, Thresholds,
};
use crate::evidence::{self, Applied};
use crate::sources::competitors::Competition;
use crate::sources::{Gathered, Query, Sources, SOURCE_TIMEOUT};
use crate::velocity::{self, DynamoSnapshots};
use ai::{Ai, AiError, DailyBudget, ProductAnalysis, Scope};
use anyhow::Context;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};

use domain::pricing::PricingRules;
use lambda_runtime::{Error, LambdaEvent};
use pipeline::edge::EdgeClient;
use queues::consumer::Consumer;
use queues::idempotency::DynamoStore;
use queues::internal_api::calls::{ReadResearchContext, ReportResearchRun};
use queues::internal_api::{
    Opportunity, ResearchContext, ResearchContextRequest, RunReport, SourceCoverage, WatchItem,
};
use queues::messages::{
    Branding, EmailCategory, EmailRequested, EmailTemplate, ImportRequested, ResearchRequested,
};
use queues::publisher::SqsPublisher;
use queues::Envelope;

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
    /// The AI layer, which analyses the shortlisted candidates.
    pub ai: Ai,
    /// Supplier order counts over time, for sales velocity.
    pub snapshots: DynamoSnapshots,
    /// The email queue, for the run's report.
    pub emails: SqsPublisher,
}

/// Top opportunities a run report lists.
const TOP_REPORTED: usize = 10;

/// The SQS entry point: per-message handling with partial batch failures.
pub async fn handle(state: &State, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, Error> {
    Ok(Consumer::new("research", &state.idempotency)
        .handle_batch(event.payload, |envelope| research(state, envelope))
        .await)
}

/// One research run. A source that fails lowers the run's coverage and is reported, and so does a
/// candidate whose analysis stayed invalid; a spent AI budget, an unavailable AI provider, or a
/// failure to enqueue or report fails the message, which is then retried. Every effect is
/// idempotent (imports and the mail keyed by run and product, the report replaced), so a retry
/// after a crash repeats nothing.
async fn research(state: &State, envelope: Envelope<ResearchRequested>) -> anyhow::Result<()> {
    let store_id = envelope.store()?;
    let run = &envelope.payload;
    let context = state
        .edge
        .call::<ReadResearchContext>(
            &(store_id, run.run_id),
            &ResearchContextRequest { tenant_id: envelope.tenant_id },
        )
        .await
        .context("asking the edge for the store's research settings")?;
    if context.completed {
        tracing::info!(run = %run.run_id, %store_id, "run already completed; this delivery does nothing");
        return Ok(());
    }
    let thresholds = Thresholds {
        import: context.import_threshold,
        watch: context.watch_threshold,
        launch: context.launch,
    };
    let owned = Owned::new(
        context
            .existing
            .iter()
            .map(|p| (p.source.as_deref(), p.source_product_id.as_deref(), p.title.as_str())),
    );

    // No scan history is kept yet, so nothing at competitors counts as new.
    let query = Query { niche: &run.niche, since: None };
    let Evidenced { mut coverage, candidates: mut found, applied, new_at_competitors, unread } =
        evidenced(state.sources.gather(&query, SOURCE_TIMEOUT).await, &context.pricing);
    let excluded = exclude_owned(&mut found, &owned);
    let today = velocity::day_of(time::OffsetDateTime::now_utc());
    coverage.push(velocity::apply(&state.snapshots, &mut found, today).await);
    tracing::info!(
        run_id = %run.run_id,
        mentioned = applied.mentioned,
        contested = applied.contested,
        on_tiktok = applied.on_tiktok,
        rising = applied.rising,
        new_at_competitors,
        excluded,
        "sources gathered"
    );

    let seen = found.len();
    let max_imports = usize::from(run.max_imports);
    let shortlist = select(found, shortlist_size(max_imports, context.launch));
    let scope = Scope { tenant: envelope.tenant_id, budget: DailyBudget::for_plan(context.plan) };
    let analyses = analyse(&state.ai, &scope, &run.niche, &context.pricing, &shortlist).await?;
    let ranked: Vec<Opportunity> = shortlist
        .iter()
        .zip(&analyses)
        .map(|(c, a)| Opportunity {
            source: c.product.source.clone(),
            source_product_id: c.product.source_product_id.clone(),
            title: c.product.title.clone(),
            research_score: (c.score.value * 10.0).round() / 10.0,
            ai_score: a.as_ref().map(|a| a.score),
            decision: "unanalysed".into(),
        })
        .collect();
    let decided = decide(shortlist, analyses, max_imports, thresholds);
    tracing::info!(
        run_id = %run.run_id,
        import = decided.import.len(),
        watch = decided.watch.len(),
        skipped = decided.skipped,
        failed = decided.failed,
        "candidates analysed"
    );

    let imports: Vec<Envelope<ImportRequested>> = decided
        .import
        .iter()
        .map(|(c, _)| {
            Envelope::new(
                format!("import:{store_id}:{}:{}", c.product.source, c.product.source_product_id),
                envelope.tenant_id,
                store_id,
                time::OffsetDateTime::now_utc(),
                envelope.correlation_id.clone(),
                ImportRequested {
                    run_id: Some(run.run_id),
                    product: c.product.clone(),
                    score: c.score.value,
                    plan: Some(context.plan),
                    pricing: Some(context.pricing),
                },
            )
        })
        .collect();
    state.imports.send_all(&imports).await?;

    coverage.extend(analysis_coverage(state.ai.provider_name(), &decided));
    let report = RunReport {
        tenant_id: envelope.tenant_id,
        sources: coverage,
        candidates: seen as u32,
        selected: imports.len() as u32,
        excluded: excluded as u32,
        watchlist: watch_items(&decided),
        top: top_opportunities(ranked, &decided),
    };
    state.edge.call::<ReportResearchRun>(&(store_id, run.run_id), &report).await?;
    if let Some(mail) = report_mail(&envelope, &context, &report, &unread) {
        state.emails.send_all(&[mail]).await.context("sending the run's report mail")?;
    }
    tracing::info!(run_id = %run.run_id, candidates = seen, selected = imports.len(), "research run done");
    Ok(())
}

/// The watchlist items of a run, best first.
fn watch_items(decided: &Decided) -> Vec<WatchItem> {
    decided
        .watch
        .iter()
        .map(|(c, a)| WatchItem {
            source: c.product.source.clone(),
            source_product_id: c.product.source_product_id.clone(),
            title: c.product.title.clone(),
            product_url: c.product.product_url.clone(),
            image_url: c.product.image_urls.first().cloned(),
            cost: c.product.cost,
            research_score: (c.score.value * 10.0).round() / 10.0,
            ai_score: a.score,
            reasoning: a.reasoning.clone(),
            suggested_price: a.suggested_price,
        })
        .collect()
}

/// The run's best analysed candidates with what was decided for each: best AI score first, then
/// research rank.
fn top_opportunities(mut ranked: Vec<Opportunity>, decided: &Decided) -> Vec<Opportunity> {
    let is_in = |list: &[(Candidate, ProductAnalysis)], o: &Opportunity| {
        list.iter()
            .any(|(c, _)| c.product.source == o.source && c.product.source_product_id == o.source_product_id)
    };
    for opportunity in &mut ranked {
        opportunity.decision = if is_in(&decided.import, opportunity) {
            "import"
        } else if is_in(&decided.watch, opportunity) {
            "watch"
        } else if opportunity.ai_score.is_some() {
            "skip"
        } else {
            "unanalysed"
        }
        .into();
    }
    ranked.sort_by_key(|o| std::cmp::Reverse(o.ai_score));
    ranked.truncate(TOP_REPORTED);
    ranked
}

/// The report mail to the store's owner, keyed by the run so that a retried run mails once.
fn report_mail(
    envelope: &Envelope<ResearchRequested>,
    context: &ResearchContext,
    report: &RunReport,
    unread: &[&str],
) -> Option<Envelope<EmailRequested>> {
    let to = context.owner_email.clone()?;
    let store_id = envelope.store_id?;
    let used: Vec<String> = report
        .sources
        .iter()
        .filter(|s| s.error.as_deref() != Some(crate::sources::SKIPPED))
        .map(|s| match &s.error {
            None => format!("{} ({})", s.source, s.candidates),
            Some(_) => format!("{} ({}, incomplete)", s.source, s.candidates),
        })
        .collect();
    let top: Vec<String> = report
        .top
        .iter()
        .take(5)
        .map(|o| match o.ai_score {
            Some(score) => format!("{} ({score}, {})", o.title, o.decision),
            None => format!("{} ({})", o.title, o.decision),
        })
        .collect();
    let top = if top.is_empty() { vec![nothing_found(&envelope.payload.niche, report, unread)] } else { top };
    let mut data = serde_json::Map::new();
    data.insert("niche".into(), envelope.payload.niche.clone().into());
    data.insert("candidates".into(), report.candidates.into());
    data.insert("imported".into(), report.selected.into());
    data.insert("watchlisted".into(), (report.watchlist.len() as u64).into());
    data.insert("sources_used".into(), used.join(", ").into());
    data.insert("top_opportunities".into(), top.join("; ").into());
    data.insert("report_url".into(), context.report_url.clone().into());
    Some(Envelope::new(
        format!("research_report:{}", envelope.payload.run_id),
        envelope.tenant_id,
        store_id,
        time::OffsetDateTime::now_utc(),
        envelope.correlation_id.clone(),
        EmailRequested {
            template: EmailTemplate::ResearchReport,
            to,
            category: EmailCategory::Transactional,
            data,
            branding: Branding { store_name: Some(context.store_name.clone()), ..Branding::default() },
        },
    ))
}

/// Sources that list products to import (the others only bring evidence about them).
const SUPPLIER_SOURCES: [&str; 2] = ["aliexpress", "feed"];

/// What the report says in place of top opportunities when a run had none: why (no product
/// matched the niche, the store has every one that did, or the product sources in `unread`
/// failed).
fn nothing_found(niche: &str, report: &RunReport, unread: &[&str]) -> String {
    if report.candidates > 0 {
        "none: no candidate was analysed, so nothing was imported".into()
    } else if report.excluded > 0 {
        "none: the store already has every product that matched the niche, so nothing was imported".into()
    } else if unread.is_empty() {
        format!("none: no products matched the niche \"{}\", so nothing was imported", niche.trim())
    } else {
        format!(
            "none: {} could not be read and no other source listed products, so nothing was imported",
            unread.join(" and ")
        )
    }
}

/// Analyses every shortlisted candidate, concurrently within the AI layer's limit. An item whose
/// answer stayed invalid is `None`; any other failure (budget spent, provider unavailable) fails
/// the run so that it is retried later as a whole, before anything was enqueued.
async fn analyse(
    ai: &Ai,
    scope: &Scope,
    niche: &str,
    pricing: &PricingRules,
    shortlist: &[Candidate],
) -> anyhow::Result<Vec<Option<ProductAnalysis>>> {
    let facts: Vec<_> = shortlist.iter().map(|c| c.analysis_facts(niche, pricing)).collect();
    let results = futures_util::future::join_all(facts.iter().map(|f| ai.product_analysis(scope, f))).await;
    let mut analyses = Vec::with_capacity(results.len());
    for (candidate, result) in shortlist.iter().zip(results) {
        match result {
            Ok(analysis) => analyses.push(Some(analysis)),
            Err(error) if error.is_item_failure() => {
                tracing::warn!(
                    source_product_id = %candidate.product.source_product_id,
                    error = %error,
                    "candidate not analysed"
                );
                analyses.push(None);
            }
            Err(error @ AiError::BudgetExceeded { .. }) => {
                return Err(error).context("deferring the research run until the AI budget allows it")
            }
            Err(error) => return Err(error).context("analysing the shortlisted candidates"),
        }
    }
    Ok(analyses)
}

/// The AI analysis as lines of the run's coverage: how many candidates it analysed (and how many
/// it could not), and how many went on the watchlist, which has no store of its own yet.
fn analysis_coverage(provider: &str, decided: &Decided) -> [SourceCoverage; 2] {
    let analysed = decided.import.len() + decided.watch.len() + decided.skipped;
    [
        SourceCoverage {
            source: format!("ai_analysis:{provider}"),
            candidates: analysed as u32,
            error: (decided.failed > 0)
                .then(|| format!("{} candidates not analysed: the answer stayed invalid", decided.failed)),
        },
        SourceCoverage { source: "watchlist".into(), candidates: decided.watch.len() as u32, error: None },
    ]
}

/// What the sources gave a run.
struct Evidenced {
    coverage: Vec<SourceCoverage>,
    /// Product sources that failed (configured, but gave nothing usable).
    unread: Vec<&'static str>,
    candidates: Vec<Candidate>,
    applied: Applied,
    new_at_competitors: usize,
}

/// Turns the sources' findings into candidates with every signal the evidence gives them.
fn evidenced(gathered: Vec<Gathered>, pricing: &PricingRules) -> Evidenced {
    let mut coverage = Vec::with_capacity(gathered.len());
    let mut products = Vec::new();
    let mut mentions: Option<Vec<_>> = None;
    let mut competition: Option<Competition> = None;
    let mut videos: Option<Vec<_>> = None;
    let mut trends: Option<Vec<_>> = None;
    let mut unread = Vec::new();
    for Gathered { coverage: line, findings } in gathered {
        // A failed source reports an error and keeps no problems; a partial answer keeps them.
        let failed = line.error.as_deref().is_some_and(|e| e != crate::sources::SKIPPED)
            && findings.problems.is_empty();
        if let Some(source) = SUPPLIER_SOURCES.iter().find(|s| failed && **s == line.source) {
            unread.push(*source);
        }
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
        if let Some(found) = findings.videos {
            videos.get_or_insert_with(Vec::new).extend(found);
        }
        if let Some(found) = findings.trends {
            trends.get_or_insert_with(Vec::new).extend(found);
        }
    }
    let mut candidates: Vec<Candidate> =
        products.into_iter().map(|p| Candidate::from_supplier(p, pricing)).collect();
    let applied = evidence::apply_all(
        &mut candidates,
        &evidence::Evidence {
            mentions: mentions.as_deref(),
            competition: competition.as_ref(),
            videos: videos.as_deref(),
            trends: trends.as_deref(),
        },
    );
    let new_at_competitors = competition.as_ref().map_or(0, |c| c.new_products().count());
    Evidenced { coverage, candidates, applied, new_at_competitors, unread }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{competitors, reddit, tiktok, trends, Findings};
    use domain::Currency;
    use suppliers::{aliexpress, feed};

    fn fixture(path: &str) -> String {
        let root = std::env::var("CARGO_MANIFEST_DIR").unwrap();
        std::fs::read_to_string(format!("{root}/../../local/fixtures/{path}")).unwrap()
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
        let videos = tiktok::parse_items(&fixture("tiktok/dataset.json")).unwrap();
        let keywords = ["pet grooming", "slicker brush", "cat water fountain"];
        let trends: Vec<trends::Trend> = keywords
            .iter()
            .flat_map(|k| {
                let body = fixture(&format!("trends/{}.json", k.replace(' ', "-")));
                trends::parse_multiline(&body, &[(*k).to_owned()]).unwrap()
            })
            .collect();
        vec![
            answered("aliexpress", Findings { products, ..Findings::default() }),
            answered("reddit", Findings { mentions: Some(mentions), ..Findings::default() }),
            answered("competitors", Findings { competition: Some(competition), ..Findings::default() }),
            answered("feed", Findings { products: feed.products, ..Findings::default() }),
            answered("tiktok", Findings { videos: Some(videos), ..Findings::default() }),
            answered("google_trends", Findings { trends: Some(trends), ..Findings::default() }),
        ]
    }

    #[test]
    fn every_recorded_source_adds_to_the_candidates_signals() {
        let run = evidenced(recorded(), &PricingRules::default());
        assert_eq!(run.coverage.len(), 6);
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
        let chosen = select(evidenced(recorded(), &PricingRules::default()).candidates, 5);
        let sources: Vec<&str> = chosen.iter().map(|c| c.product.source.as_str()).collect();
        assert_eq!(sources, vec!["aliexpress"; 5], "the end-to-end test expects AliExpress imports");
    }

    #[tokio::test]
    async fn with_the_recorded_sources_the_offline_analysis_imports_five_aliexpress_best_sellers() {
        let ai = Ai::new(
            std::sync::Arc::new(ai::provider::offline::Offline),
            std::sync::Arc::new(ai::MemoryBudget::default()),
            4,
            ai::retry::RetryPolicy::default(),
        );
        let scope = Scope {
            tenant: domain::TenantId::from_random_bytes([1; 16]),
            budget: DailyBudget::for_plan(domain::Plan::Starter),
        };
        let shortlist =
            select(evidenced(recorded(), &PricingRules::default()).candidates, shortlist_size(5, false));
        let best: Vec<String> =
            shortlist.iter().take(5).map(|c| c.product.source_product_id.clone()).collect();
        let analyses =
            analyse(&ai, &scope, "pet grooming", &PricingRules::default(), &shortlist).await.unwrap();
        let decided = decide(shortlist, analyses, 5, Thresholds::default());
        let imported: Vec<&str> = decided.import.iter().map(|(c, _)| c.product.source.as_str()).collect();
        assert_eq!(imported, vec!["aliexpress"; 5], "the end-to-end test expects five AliExpress imports");
        let ids: Vec<String> =
            decided.import.iter().map(|(c, _)| c.product.source_product_id.clone()).collect();
        assert_eq!(ids, best, "offline, the analysis keeps the research ranking");
        assert_eq!(decided.failed, 0);
        let [analysed, watchlist] = analysis_coverage(ai.provider_name(), &decided);
        assert_eq!((analysed.source.as_str(), analysed.candidates), ("ai_analysis:offline", 10));
        assert_eq!(watchlist.candidates as usize, decided.watch.len());
    }

    #[test]
    fn a_run_whose_evidence_sources_failed_scores_suppliers_alone() {
        let mut gathered = recorded();
        gathered.truncate(1);
        let run = evidenced(gathered, &PricingRules::default());
        assert!(run.candidates.iter().all(|c| c.signals.reddit.is_none() && c.signals.saturation.is_none()));
        assert_eq!(run.applied, Applied::default());
    }

    fn report_of(lines: &[(&str, Option<&str>)], candidates: u32, excluded: u32) -> RunReport {
        RunReport {
            tenant_id: domain::TenantId::from_random_bytes([1; 16]),
            sources: lines
                .iter()
                .map(|(source, error)| SourceCoverage {
                    source: (*source).into(),
                    candidates: 0,
                    error: error.map(str::to_owned),
                })
                .collect(),
            candidates,
            selected: 0,
            excluded,
            watchlist: Vec::new(),
            top: Vec::new(),
        }
    }

    #[test]
    fn a_run_that_found_nothing_says_why_and_only_that() {
        let read = [("aliexpress", None), ("feed", Some("skipped 1 of 10 rows")), ("reddit", None)];
        assert_eq!(
            nothing_found(" underwater basket weaving ", &report_of(&read, 0, 0), &[]),
            "none: no products matched the niche \"underwater basket weaving\", so nothing was imported"
        );
        assert_eq!(
            nothing_found("camping", &report_of(&read, 0, 4), &[]),
            "none: the store already has every product that matched the niche, so nothing was imported"
        );
        let failed = [("aliexpress", Some("AliExpress error 503")), ("feed", Some(crate::sources::SKIPPED))];
        assert_eq!(
            nothing_found("camping", &report_of(&failed, 0, 0), &["aliexpress"]),
            "none: aliexpress could not be read and no other source listed products, so nothing was imported"
        );
    }

    #[test]
    fn a_failed_product_source_is_unread_but_a_partial_or_skipped_one_is_not() {
        let mut gathered = recorded();
        gathered[0].coverage.error = Some("AliExpress error 503".into());
        gathered[0].findings = Findings::default();
        gathered[3].coverage.error = Some("skipped 1 of 10 rows".into());
        gathered[3].findings.problems = vec!["skipped 1 of 10 rows".into()];
        assert_eq!(evidenced(gathered, &PricingRules::default()).unread, vec!["aliexpress"]);
        let mut gathered = recorded();
        gathered[3].coverage.error = Some(crate::sources::SKIPPED.into());
        assert_eq!(evidenced(gathered, &PricingRules::default()).unread, Vec::<&str>::new());
    }
}
