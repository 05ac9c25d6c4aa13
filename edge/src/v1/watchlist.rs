//! The store's watchlist: products research scored between the store's watch and import
//! thresholds, written by the research function's run report and read and pruned by merchants.

use crate::error::{ApiError, ApiResult};
use crate::repo::watchlist::{self as repo, WatchRow, WatchWrite};
use crate::runtime::{now, random_bytes, rfc3339};
use crate::scope::StoreScope;
use queues::internal_api::WatchItem;
use tenancy::shards::StoreDb;
use tenancy::sql::Statement;

/// Longest supplier title kept.
const TITLE_MAX: usize = 300;
/// Longest reasoning kept.
const REASONING_MAX: usize = 2_000;

/// A watchlist item as the API shows it: the row as stored.
pub type WatchView = WatchRow;

/// `GET /v1/stores/{id}/watchlist`: the items not removed, best AI score first.
pub async fn list(scope: &StoreScope) -> ApiResult<Vec<WatchView>> {
    Ok(repo::list(&scope.db).await?)
}

/// `DELETE /v1/stores/{id}/watchlist/{item}`: removes an item; later runs do not bring it back.
pub async fn remove(scope: &StoreScope, item: &str) -> ApiResult<()> {
    if item.len() != 32 || !item.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::not_found("watchlist item"));
    }
    if !repo::dismiss(&scope.db, item, &rfc3339(now())).await? {
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
pub fn upsert(db: &StoreDb, item: &WatchItem, run_id: &str) -> ApiResult<Statement> {
    let at = rfc3339(now());
    let id = hex::encode(random_bytes::<16>());
    let title = clip(&item.title, TITLE_MAX);
    let reasoning = clip(&item.reasoning, REASONING_MAX);
    Ok(repo::upsert(
        db,
        &WatchWrite {
            id: &id,
            source: &item.source,
            source_product_id: &item.source_product_id,
            title: &title,
            product_url: &item.product_url,
            image_url: item.image_url.as_deref(),
            cost_minor: item.cost.minor,
            suggested_price_minor: item.suggested_price.minor,
            currency: item.cost.currency.code(),
            research_score: f64::from(item.research_score),
            ai_score: item.ai_score,
            reasoning: &reasoning,
            research_run_id: run_id,
            at: &at,
        },
    )?)
}
