//! Reviews as the merchant moderates them: buyers' reviews wait as `pending` until approved
//! (then the product page shows them) or rejected.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::reviews::{self, ReviewRow};
use crate::runtime::{now, now_ms, rfc3339};
use crate::scope::StoreScope;
use serde::Deserialize;
use tenancy::routing::Routing;
use worker::Env;

const STATUSES: [&str; 3] = ["pending", "approved", "rejected"];

/// `GET /v1/stores/{id}/reviews?status=`: newest first, at most 200.
pub async fn list(scope: &StoreScope, status: Option<&str>) -> ApiResult<Vec<ReviewRow>> {
    if let Some(status) = status {
        if !STATUSES.contains(&status) {
            return Err(ApiError::invalid("status", "status must be pending, approved or rejected"));
        }
    }
    Ok(reviews::list(&scope.db, status, 200).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Decision {
    status: String,
}

/// `PATCH /v1/stores/{id}/reviews/{review}` with `{"status": "approved" | "rejected"}`; the
/// product page shows the change at once (the store's cache version moves).
pub async fn moderate(env: &Env, scope: &StoreScope, id: &str, body: &str) -> ApiResult<ReviewRow> {
    let decision: Decision = parse_json(body)?;
    if !matches!(decision.status.as_str(), "approved" | "rejected") {
        return Err(ApiError::invalid("status", "status must be approved or rejected"));
    }
    let db = &scope.db;
    reviews::get(db, id).await?.ok_or_else(|| ApiError::not_found("review"))?;
    db.execute_batch(vec![reviews::moderate(db, id, &decision.status, &rfc3339(now()))?]).await?;
    Routing::new(env.kv(crate::config::EDGE_KV)?).bump_cache_version(scope.store.id, now_ms() as f64).await?;
    reviews::get(db, id).await?.ok_or_else(|| ApiError::not_found("review"))
}
