//! Research runs as the pipelines see them: the due runs a schedule claims, a run's context, its report.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::stores::load;
use crate::runtime::{new_id, now, rfc3339};
use crate::v1::research::{run_view, DueStore, RunView, EXISTING_MAX, TOP_MAX, WATCH_MAX};
use domain::{Plan, RunId, StoreId, TenantId};
use queues::internal_api::{
    ClaimDueRuns, DueRun, DueRuns, ExistingProduct, ResearchContext, ResearchContextRequest, RunReport,
};
use serde::Deserialize;
use tenancy::shards::platform;
use worker::wasm_bindgen::JsValue;
use worker::Env;

/// `POST /internal/research-runs/due`: records a scheduled run for every active store whose plan's
/// cadence is due, and returns them. Idempotent per store and window: a repeated claim in the same
/// window returns the same runs, so a fan-out that crashed before enqueueing can simply run again.
pub async fn claim_due(env: &Env, body: &str) -> ApiResult<DueRuns> {
    let input: ClaimDueRuns = parse_json(body)?;
    let limit = input.limit.clamp(1, 1_000);
    let db = platform(env)?;
    let at = now();
    let stores: Vec<DueStore> = db
        .prepare(
            "SELECT s.id, s.tenant_id, s.niche, s.shard, t.plan, s.max_imports_per_run, s.last_research_window \
             FROM stores s JOIN tenants t ON t.id = s.tenant_id \
             WHERE s.status = 'active' AND t.subscription_status != 'canceled' ORDER BY s.id",
        )
        .all()
        .await?
        .results()?;

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
        shard_db
            .run(
                "INSERT INTO research_runs (store_id, id, trigger, window_start, status, created_at) \
                 VALUES (?1, ?2, 'schedule', ?3, 'queued', ?4) ON CONFLICT (store_id, window_start) DO NOTHING",
                &[run_id.to_string().into(), window.clone().into(), rfc3339(at).into()],
            ).await?;
        let existing: Option<serde_json::Value> = shard_db
            .first(
                "SELECT id, status FROM research_runs WHERE store_id = ?1 AND window_start = ?2",
                &[window.clone().into()],
            )
            .await?;
        let Some(existing) = existing else { continue };
        if existing["status"] != "queued" {
            continue;
        }
        let Some(run_id) = existing["id"].as_str().and_then(|id| id.parse::<RunId>().ok()) else { continue };
        db.prepare("UPDATE stores SET last_research_window = ?2 WHERE id = ?1")
            .bind(&[JsValue::from_str(&store.id), JsValue::from_str(&window)])?
            .run()
            .await?;
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
    store_id: StoreId,
    run_id: RunId,
    body: &str,
) -> ApiResult<ResearchContext> {
    let input: ResearchContextRequest = parse_json(body)?;
    let platform_db = platform(env)?;
    let store = load(&platform_db, store_id).await?;
    if store.tenant_id != input.tenant_id {
        return Err(ApiError::not_found("store"));
    }
    let db = store.db(env)?;
    #[derive(Deserialize)]
    struct RunStatus {
        status: String,
    }
    let run: Option<RunStatus> = db
        .first(
            "SELECT status FROM research_runs WHERE store_id = ?1 AND id = ?2",
            &[run_id.to_string().into()],
        )
        .await?;
    let Some(run) = run else {
        return Err(ApiError::not_found("research run"));
    };
    let existing: Vec<ExistingProduct> = db
        .all(
            "SELECT source, source_product_id, title FROM products WHERE store_id = ?1 \
             AND (research_run_id IS NULL OR research_run_id != ?3) ORDER BY created_at LIMIT ?2",
            &[f64::from(EXISTING_MAX).into(), run_id.to_string().into()],
        )
        .await?;
    #[derive(Deserialize)]
    struct Owner {
        email: String,
    }
    let owner: Option<Owner> = platform_db
        .prepare(
            "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.tenant_id = ?1 AND m.role = 'owner' ORDER BY m.created_at LIMIT 1",
        )
        .bind(&[JsValue::from_str(&store.tenant_id.to_string())])?
        .first(None)
        .await?;
    let threshold =
        |value: i64, default: u8| u8::try_from(value).ok().filter(|v| *v <= 100).unwrap_or(default);
    Ok(ResearchContext {
        import_threshold: threshold(store.row.import_threshold, 80),
        watch_threshold: threshold(store.row.watch_threshold, 65),
        store_name: store.row.name.clone(),
        owner_email: owner.and_then(|o| domain::accounts::Email::parse(&o.email).ok()),
        report_url: format!("{origin}/v1/stores/{store_id}/research-runs/{run_id}"),
        existing,
        completed: run.status == "completed",
    })
}

/// `POST /internal/stores/{store}/research-runs/{run}/report`: records what a run found, and adds
/// its watchlist items to the store's watchlist, all at once. Reporting again replaces the report
/// and refreshes the items.
pub async fn report(env: &Env, store_id: StoreId, run_id: RunId, body: &str) -> ApiResult<RunView> {
    let input: RunReport = parse_json(body)?;
    let store = load(&platform(env)?, store_id).await?;
    if store.tenant_id != input.tenant_id {
        return Err(ApiError::not_found("store"));
    }
    if input.watchlist.len() > WATCH_MAX {
        return Err(ApiError::invalid("watchlist", format!("at most {WATCH_MAX} items per run")));
    }
    for item in &input.watchlist {
        crate::v1::watchlist::validate(item, &store.row.currency)?;
    }
    let db = store.db(env)?;
    let run: Option<serde_json::Value> = db
        .first("SELECT id FROM research_runs WHERE store_id = ?1 AND id = ?2", &[run_id.to_string().into()])
        .await?;
    if run.is_none() {
        return Err(ApiError::not_found("research run"));
    }
    let sources = serde_json::to_string(&input.sources).map_err(|e| ApiError::internal("report", e))?;
    let top: Vec<_> = input.top.iter().take(TOP_MAX).collect();
    let top = serde_json::to_string(&top).map_err(|e| ApiError::internal("report", e))?;
    let mut statements = vec![db.statement(
        "UPDATE research_runs SET status = 'completed', candidates = ?3, selected = ?4, sources = ?5, \
         completed_at = ?6, imported = ?4, watchlisted = ?7, excluded = ?8, top = ?9 \
         WHERE store_id = ?1 AND id = ?2",
        &[
            run_id.to_string().into(),
            f64::from(input.candidates).into(),
            f64::from(input.selected).into(),
            sources.into(),
            rfc3339(now()).into(),
            (input.watchlist.len() as f64).into(),
            f64::from(input.excluded).into(),
            top.into(),
        ],
    )?];
    for item in &input.watchlist {
        statements.push(crate::v1::watchlist::upsert(&db, item, &run_id.to_string())?);
    }
    db.batch(statements).await?;
    run_view(&db, run_id).await
}
