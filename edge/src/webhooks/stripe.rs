//! Stripe's signed events: subscription changes for billing, paid Checkout Sessions for orders.

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::repo::audit_log::audit;
use crate::runtime::{now, rfc3339};
use crate::stripe::verify_signature;
use crate::v1::billing::Event;
use domain::Plan;
use tenancy::shards::platform;
use worker::wasm_bindgen::JsValue;
use worker::Env;

/// `POST /v1/billing/webhook`: Stripe's events, signature-checked, each applied once; an event
/// older than the last one applied to a tenant's subscription changes nothing.
pub async fn webhook(
    env: &Env,
    config: &Config,
    signature: Option<&str>,
    payload: &str,
) -> ApiResult<serde_json::Value> {
    let now_secs = now().unix_timestamp();
    verify_signature(&config.stripe.webhook_secret, signature.unwrap_or_default(), payload, now_secs)
        .map_err(|e| ApiError::new(400, "bad_signature", format!("webhook signature refused: {e:?}")))?;
    let event: Event = serde_json::from_str(payload).map_err(|e| ApiError::invalid("body", e.to_string()))?;
    let object = &event.data.object;
    if event.kind == "checkout.session.completed" && object["mode"] == "payment" {
        return shopper_payment(env, config, &event, object).await;
    }
    let tenant_id = object["client_reference_id"]
        .as_str()
        .or_else(|| object["metadata"]["tenant_id"].as_str())
        .map(str::to_owned);
    let db = platform(env)?;
    let at = rfc3339(now());
    let recorded = db
        .prepare("INSERT INTO stripe_events (id, type, created, tenant_id, applied_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING")
        .bind(&[
            event.id.clone().into(),
            event.kind.clone().into(),
            (event.created as f64).into(),
            tenant_id.clone().map_or(JsValue::NULL, Into::into),
            at.clone().into(),
        ])?
        .run()
        .await?;
    if recorded.meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
        return Ok(serde_json::json!({ "received": true, "duplicate": true }));
    }
    let Some(tenant_id) = tenant_id else {
        return Ok(serde_json::json!({ "received": true, "ignored": "no tenant" }));
    };
    let created = event.created as f64;
    let update = match event.kind.as_str() {
        "checkout.session.completed" => {
            let plan = object["metadata"]["plan"].as_str().and_then(Plan::parse).unwrap_or(Plan::Starter);
            Some(
                db.prepare(
                    // The subscription's own events carry its status (trialing, active, ...): keep
                    // one that arrived first, within the same second.
                    "UPDATE tenants SET plan = ?2, stripe_customer_id = ?3, stripe_subscription_id = ?4, \
                     subscription_status = CASE WHEN subscription_status IN ('none', 'canceled') THEN 'active' \
                     ELSE subscription_status END, subscription_event_at = ?5 WHERE id = ?1 AND subscription_event_at <= ?5",
                )
                .bind(&[
                    tenant_id.clone().into(),
                    plan.as_str().into(),
                    object["customer"].as_str().unwrap_or_default().into(),
                    object["subscription"].as_str().unwrap_or_default().into(),
                    created.into(),
                ])?,
            )
        }
        "customer.subscription.created" | "customer.subscription.updated" => {
            let price = object["items"]["data"][0]["price"]["id"].as_str().unwrap_or_default();
            let plan = config.stripe.plan_of(price);
            let status = object["status"].as_str().unwrap_or("active");
            Some(
                db.prepare(
                    "UPDATE tenants SET plan = COALESCE(?2, plan), stripe_subscription_id = ?3, subscription_status = ?4, \
                     subscription_event_at = ?5 WHERE id = ?1 AND subscription_event_at <= ?5",
                )
                .bind(&[
                    tenant_id.clone().into(),
                    plan.map_or(JsValue::NULL, |p| p.as_str().into()),
                    object["id"].as_str().unwrap_or_default().into(),
                    status.into(),
                    created.into(),
                ])?,
            )
        }
        "customer.subscription.deleted" => Some(
            // Research and marketing mail stop for a canceled subscription (see the fan-out's
            // claim); the data stays until the tenant deletes it.
            db.prepare(
                "UPDATE tenants SET plan = 'starter', subscription_status = 'canceled', subscription_event_at = ?2 \
                 WHERE id = ?1 AND subscription_event_at <= ?2",
            )
            .bind(&[tenant_id.clone().into(), created.into()])?,
        ),
        _ => None,
    };
    if let Some(update) = update {
        let tenant = tenant_id.parse().ok();
        db.batch(vec![
            update,
            audit(&db, tenant, "stripe", &format!("billing.{}", event.kind), &event.id, &at)?,
        ])
        .await?;
    }
    Ok(serde_json::json!({ "received": true }))
}

/// A shopper paid a storefront checkout: the order is written (idempotently, keyed on the
/// checkout) before the event is recorded, so a failure leaves Stripe to retry it; a recorded
/// event is a duplicate and changes nothing.
async fn shopper_payment(
    env: &Env,
    config: &Config,
    event: &Event,
    object: &serde_json::Value,
) -> ApiResult<serde_json::Value> {
    let db = platform(env)?;
    let seen: Option<serde_json::Value> = db
        .prepare("SELECT id FROM stripe_events WHERE id = ?1")
        .bind(&[event.id.clone().into()])?
        .first(None)
        .await?;
    if seen.is_some() {
        return Ok(serde_json::json!({ "received": true, "duplicate": true }));
    }
    let applied = crate::v1::orders::paid_session(env, config, object).await?;
    db.prepare("INSERT INTO stripe_events (id, type, created, tenant_id, applied_at) VALUES (?1, ?2, ?3, NULL, ?4) ON CONFLICT (id) DO NOTHING")
        .bind(&[
            event.id.clone().into(),
            event.kind.clone().into(),
            (event.created as f64).into(),
            rfc3339(now()).into(),
        ])?
        .run()
        .await?;
    Ok(applied)
}
