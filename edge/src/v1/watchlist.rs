//! The store's watchlist: products research scored between the store's watch and import
//! thresholds, written by the research function's run report and read and pruned by merchants.

use crate::error::{ApiError, ApiResult};
use crate::runtime::{now, random_bytes, rfc3339};
use crate::scope::StoreScope;
use queues::internal_api::WatchItem;
use serde::{Deserialize, Serialize};
use tenancy::shards::StoreDb;
use worker::D1PreparedStatement;

/// Longest supplier title kept.
const TITLE_MAX: usize = 300;
/// Longest reasoning kept.
const REASONING_MAX: usize = 2_000;

/// A watchlist item as the API shows it.
#[derive(Debug, Serialize, Deserialize)]
pub struct WatchView {
    id: String,
    source: String,
    source_product_id: String,
    title: String,
    product_url: String,
    image_url: Option<String>,
    cost_minor: i64,
    suggested_price_minor: i64,
    currency: String,
    research_score: f64,
    ai_score: i64,
    reasoning: String,
    research_run_id: String,
    created_at: String,
    updated_at: String,
}

/// `GET /v1/stores/{id}/watchlist`: the items not removed, best AI score first.
pub async fn list(scope: &StoreScope) -> ApiResult<Vec<WatchView>> {
    let _store = &scope.store;
    Ok(scope
        .db
        .all(
            "SELECT id, source, source_product_id, title, product_url, image_url, cost_minor, \
             suggested_price_minor, currency, research_score, ai_score, reasoning, research_run_id, \
             created_at, updated_at FROM watchlist WHERE store_id = ?1 AND dismissed_at IS NULL \
             ORDER BY ai_score DESC, research_score DESC LIMIT 500",
            &[],
        )
        .await?)
}

/// `DELETE /v1/stores/{id}/watchlist/{item}`: removes an item; later runs do not bring it back.
pub async fn remove(scope: &StoreScope, item: &str) -> ApiResult<()> {
    let _store = &scope.store;
    if item.len() != 32 || !item.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::not_found("watchlist item"));
    }
    let result = scope
        .db
        .run(
            "UPDATE watchlist SET dismissed_at = ?3 WHERE store_id = ?1 AND id = ?2 AND dismissed_at IS NULL",
            &[item.into(), rfc3339(now()).into()],
        )
        .await?;
    if result.meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
        return Err(ApiError::not_found("watchlist item"));
    }
    Ok(())
}

/// Checks an item from a run report; the error names the field.
pub fn validate(item: &WatchItem, currency: &str) -> ApiResult<()> {
    let http = |u: &str| u.starts_with("https://") || u.starts_with("http://");
    if item.source.is_empty() || item.source_product_id.is_empty() || item.title.trim().is_empty() {
        return Err(ApiError::invalid("watchlist", "items need a source, a source id and a title"));
    }
    if !http(&item.product_url) || item.image_url.as_deref().is_some_and(|u| !http(u)) {
        return Err(ApiError::invalid("watchlist", "item URLs must be http(s)"));
    }
    if item.cost.currency.code() != currency || item.suggested_price.currency.code() != currency {
        return Err(ApiError::invalid("watchlist", format!("the store prices in {currency}")));
    }
    if item.ai_score > 100 || !(0.0..=100.0).contains(&item.research_score) {
        return Err(ApiError::invalid("watchlist", "scores are 0 to 100"));
    }
    Ok(())
}

fn clip(text: &str, most: usize) -> String {
    text.trim().chars().take(most).collect()
}

/// The statement adding or refreshing one item from run `run_id`; an item the merchant removed
/// stays removed.
pub fn upsert(db: &StoreDb, item: &WatchItem, run_id: &str) -> ApiResult<D1PreparedStatement> {
    let at = rfc3339(now());
    let id = hex::encode(random_bytes::<16>());
    Ok(db.statement(
        "INSERT INTO watchlist (store_id, id, source, source_product_id, title, product_url, image_url, \
         cost_minor, suggested_price_minor, currency, research_score, ai_score, reasoning, research_run_id, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15) \
         ON CONFLICT (store_id, source, source_product_id) DO UPDATE SET title = excluded.title, \
         product_url = excluded.product_url, image_url = excluded.image_url, cost_minor = excluded.cost_minor, \
         suggested_price_minor = excluded.suggested_price_minor, research_score = excluded.research_score, \
         ai_score = excluded.ai_score, reasoning = excluded.reasoning, research_run_id = excluded.research_run_id, \
         updated_at = excluded.updated_at WHERE watchlist.dismissed_at IS NULL",
        &[
            id.into(),
            item.source.as_str().into(),
            item.source_product_id.as_str().into(),
            clip(&item.title, TITLE_MAX).into(),
            item.product_url.as_str().into(),
            item.image_url.as_deref().map_or(worker::wasm_bindgen::JsValue::NULL, Into::into),
            (item.cost.minor as f64).into(),
            (item.suggested_price.minor as f64).into(),
            item.cost.currency.code().into(),
            f64::from(item.research_score).into(),
            f64::from(item.ai_score).into(),
            clip(&item.reasoning, REASONING_MAX).into(),
            run_id.into(),
            at.into(),
        ],
    )?)
}
