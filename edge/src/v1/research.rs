//! Research runs as the merchant sees them: start one (enqueued here for the research function)
//! and read a run's results.

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::repo::research_runs::{self, RunDetail, RunRow};
use crate::repo::stores::Store;
use crate::runtime::{new_id, now, now_ms, rfc3339};
use crate::scope::StoreScope;
use domain::{RunId, StoreStatus};
use queues::messages::ResearchRequested;
use queues::Envelope;
use tenancy::shards::PlatformDb;
use tenancy::shards::StoreDb;
use worker::Env;

/// A research run as the API shows it: the row as stored, its report's arrays as arrays.
pub type RunView = RunDetail;

fn max_imports(store: &Store) -> u16 {
    u16::try_from(store.row.max_imports_per_run).unwrap_or(5).clamp(1, 50)
}

/// `POST /v1/stores/{id}/research-runs`: records a run and enqueues it.
pub async fn start(env: &Env, scope: &StoreScope, config: &Config) -> ApiResult<RunView> {
    let store = &scope.store;
    let actor = &scope.actor();
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
    research_runs::insert_manual(db, &run_id.to_string(), &created_at).await?;

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
        research_runs::mark_failed(db, &run_id.to_string(), &rfc3339(now())).await?;
        return Err(ApiError::new(
            503,
            "queue_unavailable",
            "the research queue is unavailable; try again shortly",
        ));
    }
    crate::repo::audit_log::record(
        &PlatformDb::open(env)?,
        Some(store.tenant_id),
        actor,
        "research.start",
        &run_id.to_string(),
        &created_at,
    )
    .await?;
    shown(run_view(&scope.db, run_id).await?)
}

/// `GET /v1/stores/{id}/research-runs`: the store's newest runs (at most [`LIST_MAX`]).
pub async fn list(scope: &StoreScope) -> ApiResult<Vec<RunView>> {
    research_runs::newest(&scope.db, LIST_MAX).await?.into_iter().map(shown).collect()
}

/// Most runs a list shows.
pub(crate) const LIST_MAX: u32 = 50;

/// `GET /v1/stores/{id}/research-runs/{run}`.
pub async fn get_run(scope: &StoreScope, run_id: RunId) -> ApiResult<RunView> {
    shown(run_view(&scope.db, run_id).await?)
}

/// A run of the store as stored (what the internal API answers); 404 when the store has no such
/// run.
pub(crate) async fn run_view(db: &StoreDb, run_id: RunId) -> ApiResult<RunRow> {
    research_runs::run(db, &run_id.to_string()).await?.ok_or_else(|| ApiError::not_found("research run"))
}

/// A stored run as the merchant API shows it.
fn shown(row: RunRow) -> ApiResult<RunView> {
    RunView::try_from(row).map_err(|e| ApiError::internal("reading a research run's report", e))
}

/// Most products a store's research context lists as already there.
pub(crate) const EXISTING_MAX: u32 = 10_000;
/// Most top opportunities a report keeps.
pub(crate) const TOP_MAX: usize = 20;
/// Most watchlist items one report may add.
pub(crate) const WATCH_MAX: usize = 100;
