//! Subscriptions through Stripe: checkout for a paid plan, plan changes that are refused when
//! the tenant's data would not fit, and the webhook that applies Stripe's events exactly once and
//! in order.

use crate::auth::Principal;
use crate::config::Config;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::runtime::{now, rfc3339};
use crate::stores::audit;
use crate::stripe::verify_signature;
use domain::Plan;
use serde::Deserialize;
use tenancy::shards::{platform, StoreDb};
use worker::wasm_bindgen::JsValue;
use worker::{Env, Method};

/// Days of trial on a tenant's first paid subscription.
pub const TRIAL_DAYS: u32 = 14;

#[derive(Deserialize)]
struct TenantRow {
    plan: String,
    stripe_customer_id: Option<String>,
    stripe_subscription_id: Option<String>,
    subscription_status: String,
}

async fn tenant(env: &Env, principal: &Principal) -> ApiResult<TenantRow> {
    let row: Option<TenantRow> = platform(env)?
        .prepare("SELECT plan, stripe_customer_id, stripe_subscription_id, subscription_status FROM tenants WHERE id = ?1")
        .bind(&[principal.tenant_id.to_string().into()])?
        .first(None)
        .await?;
    row.ok_or_else(|| ApiError::unauthorized("the tenant no longer exists"))
}

fn paid_plan(raw: &str) -> ApiResult<Plan> {
    match Plan::parse(raw) {
        Some(Plan::Starter) | None => Err(ApiError::invalid(
            "plan",
            "plan must be one of growth, pro, enterprise (starter is the base plan)",
        )),
        Some(plan) => Ok(plan),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanChoice {
    plan: String,
}

/// `POST /v1/billing/checkout`: a Stripe Checkout session for a paid plan; the plan applies when
/// Stripe reports the payment through the webhook.
pub async fn checkout(
    env: &Env,
    config: &Config,
    principal: &Principal,
    body: &str,
) -> ApiResult<serde_json::Value> {
    let choice: PlanChoice = parse_json(body)?;
    let plan = paid_plan(&choice.plan)?;
    let current = tenant(env, principal).await?;
    if current.stripe_subscription_id.is_some() && current.subscription_status != "canceled" {
        return Err(ApiError::new(
            409,
            "already_subscribed",
            "the tenant has a subscription; change its plan instead",
        ));
    }
    let email: Option<serde_json::Value> = platform(env)?
        .prepare("SELECT email FROM users WHERE id = ?1")
        .bind(&[principal.user_id.to_string().into()])?
        .first(None)
        .await?;
    let email = email.and_then(|e| e["email"].as_str().map(str::to_owned)).unwrap_or_default();
    let tenant_id = principal.tenant_id.to_string();
    let mut params = vec![
        ("mode", "subscription".to_owned()),
        ("line_items[0][price]", config.stripe.price(plan)?.to_owned()),
        ("line_items[0][quantity]", "1".to_owned()),
        ("success_url", format!("{}/billing?checkout={{CHECKOUT_SESSION_ID}}", config.billing_return_url)),
        ("cancel_url", format!("{}/billing?checkout=cancelled", config.billing_return_url)),
        ("client_reference_id", tenant_id.clone()),
        ("metadata[tenant_id]", tenant_id.clone()),
        ("metadata[plan]", plan.as_str().to_owned()),
        ("subscription_data[metadata][tenant_id]", tenant_id.clone()),
    ];
    match &current.stripe_customer_id {
        Some(customer) => params.push(("customer", customer.clone())),
        None => {
            params.push(("customer_email", email));
            params.push(("subscription_data[trial_period_days]", TRIAL_DAYS.to_string()));
        }
    }
    let session =
        config.stripe.client().call(Method::Post, "/v1/checkout/sessions", &params, None).await.map_err(
            |e| {
                worker::console_error!("creating checkout session: {e}");
                ApiError::new(503, "billing_unavailable", "billing is unavailable; try again shortly")
            },
        )?;
    Ok(
        serde_json::json!({ "checkout_url": session["url"], "session_id": session["id"], "plan": plan.as_str() }),
    )
}

#[derive(Deserialize)]
struct Usage {
    stores: u64,
    custom_domains: u64,
}

/// What blocks a move to `plan`: every limit the tenant's data would exceed.
async fn blockers(env: &Env, principal: &Principal, plan: Plan) -> ApiResult<Vec<String>> {
    let limits = plan.limits();
    let db = platform(env)?;
    let tenant_id = principal.tenant_id.to_string();
    let usage: Option<Usage> = db
        .prepare(
            "SELECT (SELECT COUNT(*) FROM stores WHERE tenant_id = ?1) AS stores, \
             (SELECT COUNT(*) FROM domains WHERE tenant_id = ?1 AND kind = 'custom') AS custom_domains",
        )
        .bind(&[tenant_id.clone().into()])?
        .first(None)
        .await?;
    let usage = usage.unwrap_or(Usage { stores: 0, custom_domains: 0 });
    let mut reasons = Vec::new();
    if let Some(max) = limits.stores.filter(|m| usage.stores > u64::from(*m)) {
        reasons.push(format!("{} stores, the {} plan allows {max}", usage.stores, plan.as_str()));
    }
    if let Some(max) = limits.custom_domains.filter(|m| usage.custom_domains > u64::from(*m)) {
        reasons.push(format!(
            "{} custom domains, the {} plan allows {max}",
            usage.custom_domains,
            plan.as_str()
        ));
    }
    if let Some(max) = limits.products_per_store {
        #[derive(Deserialize)]
        struct StoreRow {
            id: String,
            slug: String,
            shard: u16,
        }
        let stores: Vec<StoreRow> = db
            .prepare("SELECT id, slug, shard FROM stores WHERE tenant_id = ?1")
            .bind(&[tenant_id.into()])?
            .all()
            .await?
            .results()?;
        for store in stores {
            let Ok(id) = store.id.parse() else { continue };
            let shard = StoreDb::open(env, domain::placement::ShardIndex(store.shard), id)?;
            let count: Option<serde_json::Value> =
                shard.first("SELECT COUNT(*) AS n FROM products WHERE store_id = ?1", &[]).await?;
            let count = count.and_then(|c| c["n"].as_u64()).unwrap_or(0);
            if count > u64::from(max) {
                reasons.push(format!(
                    "store {} has {count} products, the {} plan allows {max}",
                    store.slug,
                    plan.as_str()
                ));
            }
        }
    }
    Ok(reasons)
}

/// `POST /v1/billing/plan`: moves the subscription to another plan. A downgrade that the
/// tenant's data would exceed is refused with every reason; nothing is truncated. The new plan
/// applies when Stripe confirms it through the webhook.
pub async fn change_plan(
    env: &Env,
    config: &Config,
    principal: &Principal,
    body: &str,
) -> ApiResult<serde_json::Value> {
    let choice: PlanChoice = parse_json(body)?;
    let plan = Plan::parse(&choice.plan)
        .ok_or_else(|| ApiError::invalid("plan", "plan must be one of starter, growth, pro, enterprise"))?;
    let reasons = blockers(env, principal, plan).await?;
    if !reasons.is_empty() {
        return Err(ApiError::new(
            409,
            "downgrade_blocked",
            format!("the {} plan cannot hold the tenant's data: {}", plan.as_str(), reasons.join("; ")),
        )
        .field("plan"));
    }
    let current = tenant(env, principal).await?;
    let subscription =
        current.stripe_subscription_id.filter(|_| current.subscription_status != "canceled").ok_or_else(
            || ApiError::new(409, "no_subscription", "start a subscription through checkout first"),
        )?;
    let stripe = config.stripe.client();
    let unavailable = |e: String| {
        worker::console_error!("changing plan: {e}");
        ApiError::new(503, "billing_unavailable", "billing is unavailable; try again shortly")
    };
    if plan == Plan::Starter {
        stripe
            .call(Method::Delete, &format!("/v1/subscriptions/{subscription}"), &[], None)
            .await
            .map_err(unavailable)?;
    } else {
        let existing = stripe
            .call(Method::Get, &format!("/v1/subscriptions/{subscription}"), &[], None)
            .await
            .map_err(unavailable)?;
        let item = existing["items"]["data"][0]["id"].as_str().unwrap_or_default().to_owned();
        let params = [("items[0][id]", item), ("items[0][price]", config.stripe.price(plan)?.to_owned())];
        stripe
            .call(Method::Post, &format!("/v1/subscriptions/{subscription}"), &params, None)
            .await
            .map_err(unavailable)?;
    }
    Ok(serde_json::json!({ "status": "pending", "plan": plan.as_str(), "current_plan": current.plan }))
}

/// `GET /v1/billing`: the plan, its limits and the subscription's state.
pub async fn overview(env: &Env, principal: &Principal) -> ApiResult<serde_json::Value> {
    let current = tenant(env, principal).await?;
    let plan = Plan::parse(&current.plan).unwrap_or(Plan::Starter);
    Ok(serde_json::json!({
        "plan": plan.as_str(),
        "limits": plan.limits(),
        "subscription_status": current.subscription_status,
    }))
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    created: i64,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: serde_json::Value,
}

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
    let applied = crate::orders::paid_session(env, config, object).await?;
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
