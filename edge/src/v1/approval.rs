//! Orders that wait for the merchant: whether the store approves every order by hand
//! (`/v1/stores/{id}/fulfilment`), and the merchant's approval or cancellation of an order in
//! `awaiting_approval`. The fulfilment function holds an order there when the store approves by
//! hand or when the suppliers' current prices would put its margin under the store's minimum.

use crate::config::Config;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::audit_log::entry;
use crate::repo::fulfilment as repo;
use crate::repo::orders;
use crate::runtime::{now, rfc3339};
use crate::scope::StoreScope;
use domain::OrderId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
use worker::Env;

/// The store's fulfilment settings, as the merchant reads and sets them.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Whether every paid order waits for the merchant's approval before it is placed.
    approve_by_hand: bool,
}

/// `GET /v1/stores/{id}/fulfilment`: off until set.
pub async fn settings(scope: &StoreScope) -> ApiResult<Settings> {
    let policy = repo::policy(&scope.db).await?.unwrap_or_default();
    Ok(Settings { approve_by_hand: policy["approve_by_hand"].as_i64() == Some(1) })
}

/// `PUT /v1/stores/{id}/fulfilment`: applies to orders paid from now on.
pub async fn put_settings(scope: &StoreScope, body: &str) -> ApiResult<Settings> {
    let settings: Settings = parse_json(body)?;
    repo::set_approve_by_hand(&scope.db, settings.approve_by_hand, &rfc3339(now())).await?;
    Ok(settings)
}

/// The order `id` when it waits for the merchant; 404 when there is none, 409 when it does not
/// wait.
async fn awaiting(scope: &StoreScope, id: &str, what: &str) -> ApiResult<orders::OrderRow> {
    let row = orders::get(&scope.db, id).await?.ok_or_else(|| ApiError::not_found("order"))?;
    if row.fulfilment != "awaiting_approval" {
        return Err(ApiError::new(
            409,
            "not_awaiting_approval",
            format!("only an order awaiting approval can be {what}; this one is {}", row.fulfilment),
        ));
    }
    Ok(row)
}

/// `POST /v1/stores/{id}/orders/{order}/approve`: records who approved the order and hands it
/// back to the fulfilment function, which places it without the margin hold (its listings are
/// still checked). A second approval answers 409; the message's key `fulfil:{order}:approved`
/// and the recorded supplier orders keep a redelivery from placing twice.
pub async fn approve(env: &Env, config: &Config, scope: &StoreScope, id: OrderId) -> ApiResult<Value> {
    let order = id.to_string();
    awaiting(scope, &order, "approved").await?;
    let (db, actor, at) = (&scope.db, scope.actor(), rfc3339(now()));
    if db.execute_batch(vec![repo::approve(db, &order, &actor, &at)?]).await?[0].changes == 0 {
        return Err(ApiError::new(
            409,
            "not_awaiting_approval",
            "the order was approved or cancelled meanwhile",
        ));
    }
    db.execute_batch(vec![repo::event(db, &order, "paid", &format!("approved by {actor}"), &at)?]).await?;
    PlatformDb::open(env)?
        .batch(vec![entry(Some(scope.store.tenant_id), &actor, "order.approve", &order, &at)])
        .await?;
    super::orders::enqueue_fulfilment(config, &scope.store, &order, true).await?;
    super::orders::get(scope, id).await
}

/// `POST /v1/stores/{id}/orders/{order}/cancel`: an order awaiting approval is refunded in full
/// (through `POST .../refunds`, which tells the shopper) and cancelled; nothing is placed.
pub async fn cancel(env: &Env, config: &Config, scope: &StoreScope, id: OrderId) -> ApiResult<Value> {
    let order = id.to_string();
    awaiting(scope, &order, "cancelled").await?;
    match super::refunds::create(env, config, scope, &order, "").await {
        // Refunded already, or paid without a card: nothing is left to give back.
        Err(e) if e.status == 409 && matches!(e.code, "fully_refunded" | "not_refundable") => {}
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    let (db, actor, at) = (&scope.db, scope.actor(), rfc3339(now()));
    if db.execute_batch(vec![repo::cancel(db, &order)?]).await?[0].changes == 0 {
        return Err(ApiError::new(
            409,
            "not_awaiting_approval",
            "the order was refunded, but it was approved meanwhile: read it before acting again",
        ));
    }
    let cause = format!("cancelled and refunded in full by {actor}");
    db.execute_batch(vec![repo::event(db, &order, "cancelled", &cause, &at)?]).await?;
    PlatformDb::open(env)?
        .batch(vec![entry(Some(scope.store.tenant_id), &actor, "order.cancel", &order, &at)])
        .await?;
    super::orders::get(scope, id).await
}
