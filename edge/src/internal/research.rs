//! Research runs as the pipelines see them: the due runs a schedule claims, a run's context, its report.

use crate::error::{ApiError, ApiResult};
use crate::internal::StoreAccess;
use crate::repo::research_runs::{self, RunReport as ReportWrite};
use crate::repo::research_schedule;
use crate::runtime::{new_id, now, rfc3339};
use crate::v1::research::{run_view, EXISTING_MAX, TOP_MAX, WATCH_MAX};
use domain::{Plan, RunId, StoreId, TenantId};
use queues::internal_api::{
    ClaimDueRuns, DueRun, DueRuns, ResearchContext, ResearchContextRequest, ResearchRunView, RunReport,
};
use tenancy::shards::PlatformDb;
use worker::Env;

/// `POST /internal/research-runs/due`: records a scheduled run for every active store whose plan's
/// cadence is due, and returns them. Idempotent per store and window: a repeated claim in the same
/// window returns the same runs, so a fan-out that crashed before enqueueing can simply run again.
pub async fn claim_due(env: &Env, input: ClaimDueRuns) -> ApiResult<DueRuns> {
    let limit = input.limit.clamp(1, 1_000);
    let db = PlatformDb::open(env)?;
    let at = queues::schedule::scheduled_time(input.at.as_deref(), now())
        .map_err(|e| ApiError::invalid("at", e))?;
    let stores = research_schedule::active_stores(&db).await?;

    let mut runs = Vec::new();
    for store in stores {
        let cadence = Plan::parse(&store.plan).unwrap_or(Plan::Starter).limits().research_every;
        let window = rfc3339(cadence.window_start(at));
        let last = store.last_research_window.as_deref().and_then(|w| {
            time::OffsetDateTime::parse(w, &time::format_description::well_known::Rfc3339).ok()
        });
        let claimed_this_window = store.last_research_window.as_deref() == Some(window.as_str());
        if !cadence.is_due(last, at) && !claimed_this_window {
            continue;
        }
        let (Ok(store_id), Ok(tenant_id)) =
            (store.id.parse::<StoreId>(), store.tenant_id.parse::<TenantId>())
        else {
            continue;
        };
        let shard_db =
            tenancy::shards::StoreDb::open(env, domain::placement::ShardIndex(store.shard), store_id)?;
        let run_id: RunId = new_id();
        research_runs::insert_scheduled(&shard_db, &run_id.to_string(), &window, &rfc3339(now())).await?;
        let Some(existing) = research_runs::in_window(&shard_db, &window).await? else { continue };
        if existing.status != "queued" {
            continue;
        }
        let Ok(run_id) = existing.id.parse::<RunId>() else { continue };
        research_schedule::set_research_window(&db, &store.id, &window).await?;
        runs.push(DueRun {
            tenant_id,
            store_id,
            run_id,
            niche: store.niche,
            max_imports: u16::try_from(store.max_imports_per_run).unwrap_or(5).clamp(1, 50),
        });
        if runs.len() as u32 >= limit {
            break;
        }
    }
    Ok(DueRuns { runs })
}

/// `POST /internal/stores/{store}/research-runs/{run}/context`: what a research run needs to know
/// of its store: its thresholds, who gets the report, and the products it already has.
pub async fn context(
    env: &Env,
    origin: &str,
    access: &StoreAccess,
    run_id: RunId,
    input: ResearchContextRequest,
) -> ApiResult<ResearchContext> {
    let StoreAccess { store, db } = access;
    let store_id = store.id;
    if store.tenant_id != input.tenant_id {
        return Err(ApiError::not_found("store"));
    }
    let Some(status) = research_runs::status(db, &run_id.to_string()).await? else {
        return Err(ApiError::not_found("research run"));
    };
    let existing = research_runs::existing_products(db, &run_id.to_string(), EXISTING_MAX).await?;
    let owner = research_schedule::owner_email(&PlatformDb::open(env)?, &store.tenant_id.to_string()).await?;
    let threshold =
        |value: i64, default: u8| u8::try_from(value).ok().filter(|v| *v <= 100).unwrap_or(default);
    let (import, watch) =
        (threshold(store.row.import_threshold, 80), threshold(store.row.watch_threshold, 65));
    let launch = crate::repo::launch::is_launch(db, &run_id.to_string()).await?;
    Ok(ResearchContext {
        import_threshold: if launch { watch.min(import) } else { import },
        launch,
        watch_threshold: watch,
        store_name: store.row.name.clone(),
        owner_email: owner.and_then(|email| domain::accounts::Email::parse(&email).ok()),
        report_url: format!("{origin}/v1/stores/{store_id}/research-runs/{run_id}"),
        existing,
        completed: status == "completed",
        plan: store.plan(),
        pricing: crate::repo::pricing::get(db).await?,
    })
}

/// `POST /internal/stores/{store}/research-runs/{run}/report`: records what a run found, and adds
/// its watchlist items to the store's watchlist, all at once. Reporting again replaces the report
/// and refreshes the items.
pub async fn report(access: &StoreAccess, run_id: RunId, input: RunReport) -> ApiResult<ResearchRunView> {
    let StoreAccess { store, db } = access;
    if store.tenant_id != input.tenant_id {
        return Err(ApiError::not_found("store"));
    }
    if input.watchlist.len() > WATCH_MAX {
        return Err(ApiError::invalid("watchlist", format!("at most {WATCH_MAX} items per run")));
    }
    for item in &input.watchlist {
        crate::v1::watchlist::validate(item, &store.row.currency)?;
    }
    if research_runs::status(db, &run_id.to_string()).await?.is_none() {
        return Err(ApiError::not_found("research run"));
    }
    let sources = serde_json::to_string(&input.sources).map_err(|e| ApiError::internal("report", e))?;
    let top: Vec<_> = input.top.iter().take(TOP_MAX).collect();
    let top = serde_json::to_string(&top).map_err(|e| ApiError::internal("report", e))?;
    let at = rfc3339(now());
    let mut statements = vec![research_runs::complete(
        db,
        &ReportWrite {
            id: &run_id.to_string(),
            candidates: input.candidates,
            selected: input.selected,
            sources: &sources,
            watchlisted: input.watchlist.len(),
            excluded: input.excluded,
            top: &top,
            at: &at,
        },
    )?];
    for item in &input.watchlist {
        statements.push(crate::v1::watchlist::upsert(db, item, &run_id.to_string())?);
    }
    db.execute_batch(statements).await?;
    run_view(db, run_id).await
}
