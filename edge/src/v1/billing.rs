//! Subscriptions through Stripe, as the merchant manages them: the billing overview, Checkout for a
//! paid plan, and plan changes that are refused when the tenant's data would not fit. Stripe's
//! events arrive at [`crate::webhooks::stripe`].

use crate::auth::Principal;
use crate::config::Config;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::billing::{self, BillingRow};
use domain::Plan;
use serde::Deserialize;
use tenancy::shards::{PlatformDb, StoreDb};
use worker::{Env, Method};

/// Days of trial on a tenant's first paid subscription.
pub const TRIAL_DAYS: u32 = 14;

async fn tenant(env: &Env, principal: &Principal) -> ApiResult<BillingRow> {
    let row = billing::of(&PlatformDb::open(env)?, principal.tenant_id).await?;
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
    let email = billing::user_email(&PlatformDb::open(env)?, &principal.user_id.to_string())
        .await?
        .unwrap_or_default();
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

/// What blocks a move to `plan`: every limit the tenant's data would exceed.
async fn blockers(env: &Env, principal: &Principal, plan: Plan) -> ApiResult<Vec<String>> {
    let limits = plan.limits();
    let db = PlatformDb::open(env)?;
    let usage = billing::usage(&db, principal.tenant_id).await?;
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
        for store in billing::stores(&db, principal.tenant_id).await? {
            let Ok(id) = store.id.parse() else { continue };
            let shard = StoreDb::open(env, domain::placement::ShardIndex(store.shard), id)?;
            let count = billing::products(&shard).await?;
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
    // While a payment is overdue: when the paid plan gives way to Starter (or gave way already).
    let grace_ends_at = current.past_due_since.and_then(|since| {
        let end = time::OffsetDateTime::from_unix_timestamp(domain::plans::grace_ends(since)).ok()?;
        Some(crate::runtime::rfc3339(end))
    });
    Ok(serde_json::json!({
        "plan": plan.as_str(),
        "limits": plan.limits(),
        "subscription_status": current.subscription_status,
        "grace_ends_at": grace_ends_at,
    }))
}

#[derive(Deserialize)]
pub(crate) struct Event {
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) created: i64,
    pub(crate) data: EventData,
}

#[derive(Deserialize)]
pub(crate) struct EventData {
    pub(crate) object: serde_json::Value,
}
