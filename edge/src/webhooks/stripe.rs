//! Stripe's signed events: subscription changes for billing, paid Checkout Sessions for orders.

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::repo::audit_log::entry;
use crate::repo::billing;
use crate::runtime::{now, rfc3339};
use crate::stripe::verify_signature;
use crate::v1::billing::Event;
use domain::Plan;
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
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
    let db = PlatformDb::open(env)?;
    let at = rfc3339(now());
    let recorded =
        billing::record_event(&db, &event.id, &event.kind, event.created, tenant_id.as_deref(), &at).await?;
    if recorded.changes == 0 {
        return Ok(serde_json::json!({ "received": true, "duplicate": true }));
    }
    let Some(tenant_id) = tenant_id else {
        return Ok(serde_json::json!({ "received": true, "ignored": "no tenant" }));
    };
    let created = event.created;
    let update = match event.kind.as_str() {
        "checkout.session.completed" => {
            let plan = object["metadata"]["plan"].as_str().and_then(Plan::parse).unwrap_or(Plan::Starter);
            Some(billing::checkout_completed(
                &tenant_id,
                plan,
                object["customer"].as_str().unwrap_or_default(),
                object["subscription"].as_str().unwrap_or_default(),
                created,
            ))
        }
        "customer.subscription.created" | "customer.subscription.updated" => {
            let price = object["items"]["data"][0]["price"]["id"].as_str().unwrap_or_default();
            let plan = config.stripe.plan_of(price);
            let status = object["status"].as_str().unwrap_or("active");
            Some(billing::subscription_changed(
                &tenant_id,
                plan,
                object["id"].as_str().unwrap_or_default(),
                status,
                created,
            ))
        }
        // Research and marketing mail stop for a canceled subscription (see the fan-out's
        // claim); the data stays until the tenant deletes it.
        "customer.subscription.deleted" => Some(billing::subscription_deleted(&tenant_id, created)),
        _ => None,
    };
    if let Some(update) = update {
        let tenant = tenant_id.parse().ok();
        db.batch(vec![update, entry(tenant, "stripe", &format!("billing.{}", event.kind), &event.id, &at)])
            .await?;
        let overdue = object["status"].as_str().is_some_and(domain::plans::payment_overdue);
        if let (Some(tenant), true) = (tenant, overdue && event.kind.starts_with("customer.subscription.")) {
            // The event is recorded: a retry would be a duplicate, so a mail that cannot be
            // queued now is logged rather than failing the webhook.
            if let Err(error) = crate::internal::billing::payment_overdue(env, config, tenant).await {
                worker::console_error!("the payment-failed mail: {}", error.detail);
            }
        }
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
    let db = PlatformDb::open(env)?;
    if billing::event_seen(&db, &event.id).await? {
        return Ok(serde_json::json!({ "received": true, "duplicate": true }));
    }
    let applied = crate::v1::orders::paid_session(env, config, object).await?;
    billing::record_event(&db, &event.id, &event.kind, event.created, None, &rfc3339(now())).await?;
    Ok(applied)
}

/// `POST /v1/webhooks/stripe-connect`: events of the stores' connected accounts, signed with the
/// Connect endpoint's secret. `account.updated` moves a store's payouts (and so its checkout);
/// applying one twice, or an older one after a newer, changes nothing.
pub async fn connect(
    env: &Env,
    config: &Config,
    signature: Option<&str>,
    payload: &str,
) -> ApiResult<serde_json::Value> {
    verify_signature(
        &config.stripe.connect_webhook_secret,
        signature.unwrap_or_default(),
        payload,
        now().unix_timestamp(),
    )
    .map_err(|e| ApiError::new(400, "bad_signature", format!("webhook signature refused: {e:?}")))?;
    let event: Event = serde_json::from_str(payload).map_err(|e| ApiError::invalid("body", e.to_string()))?;
    if event.kind != "account.updated" {
        return Ok(serde_json::json!({ "received": true, "ignored": event.kind }));
    }
    crate::v1::payouts::account_updated(env, &event.data.object, event.created).await?;
    Ok(serde_json::json!({ "received": true }))
}
