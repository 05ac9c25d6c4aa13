//! Research runs as the merchant sees them: start one (enqueued here for the research function)
//! and read a run's results.

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::repo::audit_log::audit;
use crate::repo::stores::Store;
use crate::runtime::{new_id, now, now_ms, rfc3339};
use crate::scope::StoreScope;
use domain::{RunId, StoreStatus};
use queues::messages::ResearchRequested;
use queues::Envelope;
use serde::{Deserialize, Serialize};
use tenancy::shards::{platform, StoreDb};
use worker::Env;

/// A research run as the API shows it.
#[derive(Debug, Serialize, Deserialize)]
pub struct RunView {
    pub(crate) id: String,
    pub(crate) trigger: String,
    pub(crate) window_start: Option<String>,
    pub(crate) status: String,
    pub(crate) candidates: Option<i64>,
    pub(crate) selected: Option<i64>,
    pub(crate) sources: Option<String>,
    pub(crate) imported: Option<i64>,
    pub(crate) watchlisted: Option<i64>,
    pub(crate) excluded: Option<i64>,
    /// The run's top opportunities (JSON array), once reported.
    pub(crate) top: Option<String>,
    pub(crate) created_at: String,
    pub(crate) completed_at: Option<String>,
}

fn max_imports(store: &Store) -> u16 {
    u16::try_from(store.row.max_imports_per_run).unwrap_or(5).clamp(1, 50)
}

/// `POST /v1/stores/{id}/research-runs`: records a run and enqueues it.
pub async fn start(env: &Env, scope: &StoreScope, config: &Config) -> ApiResult<RunView> {
    let store = &scope.store;
    let actor = &scope.actor();
    let platform_db = platform(env)?;
    if store.status != StoreStatus::Active {
        return Err(ApiError::new(409, "store_suspended", "research is paused while the store is suspended"));
    }
    if store.row.subscription_status == "canceled" {
        return Err(ApiError::new(
            402,
            "subscription_canceled",
            "research is paused while the subscription is canceled",
        ));
    }
    let run_id: RunId = new_id();
    let created_at = rfc3339(now());
    let db = &scope.db;
    db.run(
        "INSERT INTO research_runs (store_id, id, trigger, status, created_at) VALUES (?1, ?2, 'manual', 'queued', ?3)",
        &[run_id.to_string().into(), created_at.clone().into()],
    ).await?;

    let envelope = Envelope::new(
        format!("research:{run_id}"),
        store.tenant_id,
        store.id,
        now(),
        run_id.to_string(),
        ResearchRequested { run_id, niche: store.row.niche.clone(), max_imports: max_imports(store) },
    );
    if let Err(error) =
        crate::sqs::send(&config.sqs, &config.sqs.research_queue_url, &envelope, now_ms()).await
    {
        worker::console_error!("enqueueing research run {run_id}: {error}");
        db.run(
            "UPDATE research_runs SET status = 'failed', completed_at = ?3 WHERE store_id = ?1 AND id = ?2",
            &[run_id.to_string().into(), rfc3339(now()).into()],
        )
        .await?;
        return Err(ApiError::new(
            503,
            "queue_unavailable",
            "the research queue is unavailable; try again shortly",
        ));
    }
    platform_db
        .batch(vec![audit(
            &platform_db,
            Some(store.tenant_id),
            actor,
            "research.start",
            &run_id.to_string(),
            &created_at,
        )?])
        .await?;
    run_view(&scope.db, run_id).await
}

/// `GET /v1/stores/{id}/research-runs/{run}`.
pub async fn get_run(scope: &StoreScope, run_id: RunId) -> ApiResult<RunView> {
    run_view(&scope.db, run_id).await
}

/// A run of the store as the API shows it; 404 when the store has no such run.
pub(crate) async fn run_view(db: &StoreDb, run_id: RunId) -> ApiResult<RunView> {
    let run: Option<RunView> = db
        .first(
            "SELECT id, trigger, window_start, status, candidates, selected, sources, imported, watchlisted, \
             excluded, top, created_at, completed_at FROM research_runs WHERE store_id = ?1 AND id = ?2",
            &[run_id.to_string().into()],
        ).await?;
    run.ok_or_else(|| ApiError::not_found("research run"))
}

#[derive(Deserialize)]
pub(crate) struct DueStore {
    pub(crate) id: String,
    pub(crate) tenant_id: String,
    pub(crate) niche: String,
    pub(crate) shard: u16,
    pub(crate) plan: String,
    pub(crate) max_imports_per_run: i64,
    pub(crate) last_research_window: Option<String>,
}

/// Most products a store's research context lists as already there.
pub(crate) const EXISTING_MAX: u32 = 10_000;
/// Most top opportunities a report keeps.
pub(crate) const TOP_MAX: usize = 20;
/// Most watchlist items one report may add.
pub(crate) const WATCH_MAX: usize = 100;
