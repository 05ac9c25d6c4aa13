//! Merchant payouts (Stripe Connect): each store gets an Express account, which the merchant
//! completes on Stripe's hosted onboarding. Shopper payments are destination charges to that
//! account (see `internal::checkouts`), so a store takes orders only once Stripe has enabled its
//! charges and payouts; until then the shop says so.

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::repo::audit_log::entry;
use crate::repo::payouts;
use crate::repo::stores::{self, Store};
use crate::runtime::{now, rfc3339};
use crate::scope::StoreScope;
use domain::payouts::{AccountState, PayoutsStatus};
use serde::Serialize;
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
use worker::{Env, Method};

/// Where a store's payouts stand, as the API shows it.
#[derive(Debug, Serialize)]
pub struct PayoutsView {
    status: PayoutsStatus,
    account_id: Option<String>,
    accepts_orders: bool,
    application_fee_bps: u16,
    /// What Stripe still needs from the merchant (`requirements.currently_due`).
    requirements_due: Vec<String>,
}

/// A hosted onboarding link.
#[derive(Debug, Serialize)]
pub struct OnboardingLink {
    url: String,
    expires_at: i64,
}

fn unavailable(context: &'static str) -> impl Fn(String) -> ApiError {
    move |e| {
        worker::console_error!("{context}: {e}");
        ApiError::new(503, "payouts_unavailable", "payouts are unavailable; try again shortly")
    }
}

/// What an `Account` object says, for [`PayoutsStatus::of`].
fn account_state(account: &serde_json::Value) -> AccountState<'_> {
    AccountState {
        details_submitted: account["details_submitted"].as_bool().unwrap_or(false),
        charges_enabled: account["charges_enabled"].as_bool().unwrap_or(false),
        payouts_enabled: account["payouts_enabled"].as_bool().unwrap_or(false),
        disabled_reason: account["requirements"]["disabled_reason"].as_str(),
    }
}

/// `GET /v1/stores/{id}/payouts`: the store's payout account, read from Stripe when it has one
/// (which also applies a change whose event has not arrived yet).
pub async fn get(env: &Env, config: &Config, scope: &StoreScope) -> ApiResult<PayoutsView> {
    let store = &scope.store;
    let fee = store.plan().limits().application_fee_bps;
    let Some(account_id) = store.row.stripe_account_id.clone() else {
        return Ok(PayoutsView {
            status: PayoutsStatus::NotStarted,
            account_id: None,
            accepts_orders: false,
            application_fee_bps: fee,
            requirements_due: Vec::new(),
        });
    };
    let account = config
        .stripe
        .client()
        .call(Method::Get, &format!("/v1/accounts/{account_id}"), &[], None)
        .await
        .map_err(unavailable("reading a payout account"))?;
    let status = PayoutsStatus::of(&account_state(&account));
    if status != store.payouts() {
        apply(env, &account_id, status, now().unix_timestamp(), &scope.actor()).await?;
    }
    let requirements_due = account["requirements"]["currently_due"]
        .as_array()
        .map(|due| due.iter().filter_map(|r| r.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    Ok(PayoutsView {
        status,
        account_id: Some(account_id),
        accepts_orders: status.accepts_orders(),
        application_fee_bps: fee,
        requirements_due,
    })
}

/// `POST /v1/stores/{id}/payouts/onboarding`: opens the store's Express account on first use and
/// answers a fresh link to Stripe's hosted onboarding (links are single-use and expire within
/// minutes, so each call makes a new one).
pub async fn onboard(env: &Env, config: &Config, scope: &StoreScope) -> ApiResult<OnboardingLink> {
    let store = &scope.store;
    let stripe = config.stripe.client();
    let account_id = match store.row.stripe_account_id.clone() {
        Some(id) => id,
        None => {
            let params = [
                ("type", "express".to_owned()),
                ("country", store.row.target_market.clone()),
                ("capabilities[card_payments][requested]", "true".to_owned()),
                ("capabilities[transfers][requested]", "true".to_owned()),
                ("business_profile[name]", store.row.name.clone()),
                ("business_profile[url]", config.shop_url(&store.row.slug)),
                ("metadata[store_id]", store.id.to_string()),
                ("metadata[tenant_id]", store.tenant_id.to_string()),
            ];
            let key = format!("connect-account-{}", store.id);
            let account = stripe
                .call(Method::Post, "/v1/accounts", &params, Some(&key))
                .await
                .map_err(unavailable("opening a payout account"))?;
            let id = account["id"].as_str().unwrap_or_default().to_owned();
            if id.is_empty() {
                return Err(ApiError::internal("payout account", "Stripe answered without an id"));
            }
            let db = PlatformDb::open(env)?;
            db.batch(vec![
                payouts::account_opened(store.id, &id),
                entry(Some(store.tenant_id), &scope.actor(), "payouts.account_opened", &id, &rfc3339(now())),
            ])
            .await?;
            // Two requests at once: the account the store kept is the one to onboard.
            stores::load(&db, store.id).await?.row.stripe_account_id.unwrap_or(id)
        }
    };
    let return_url = config.payouts_return_url.replace("{store}", &store.id.to_string());
    let params = [
        ("account", account_id),
        ("refresh_url", format!("{return_url}?refresh=1")),
        ("return_url", return_url),
        ("type", "account_onboarding".to_owned()),
    ];
    let link = stripe
        .call(Method::Post, "/v1/account_links", &params, None)
        .await
        .map_err(unavailable("making an onboarding link"))?;
    match (link["url"].as_str(), link["expires_at"].as_i64()) {
        (Some(url), Some(expires_at)) => Ok(OnboardingLink { url: url.to_owned(), expires_at }),
        _ => Err(ApiError::internal("onboarding link", "Stripe answered without a url")),
    }
}

/// Applies a payout account's state as of `event_at` (Unix seconds) and, when the store's status
/// changes, tells its shop (whose checkout opens or closes with it).
pub async fn apply(
    env: &Env,
    account_id: &str,
    status: PayoutsStatus,
    event_at: i64,
    actor: &str,
) -> ApiResult<()> {
    let db = PlatformDb::open(env)?;
    let Some(owner) = payouts::owner(&db, account_id).await? else {
        return Ok(());
    };
    if owner.payouts_event_at > event_at {
        return Ok(());
    }
    if owner.payouts_status == status.as_str() {
        // Nothing changes for the shop; the newer time still keeps older events out.
        db.batch(vec![payouts::status_changed(account_id, status, event_at)]).await?;
        return Ok(());
    }
    let store_id = owner.id.parse().map_err(|e| ApiError::internal("store row", e))?;
    let mut store: Store = stores::load(&db, store_id).await?;
    db.batch(vec![
        payouts::status_changed(account_id, status, event_at),
        entry(
            Some(store.tenant_id),
            actor,
            &format!("payouts.{}", status.as_str()),
            account_id,
            &rfc3339(now()),
        ),
    ])
    .await?;
    // The shop's record follows the status just written.
    store.row.payouts_status = status.as_str().to_owned();
    crate::v1::stores::republish(env, &store).await
}

/// A Connect `account.updated` event: the account's new state, applied unless a newer one was.
pub async fn account_updated(env: &Env, account: &serde_json::Value, created: i64) -> ApiResult<()> {
    let Some(account_id) = account["id"].as_str() else {
        return Err(ApiError::invalid("data.object.id", "an account event names its account"));
    };
    apply(env, account_id, PayoutsStatus::of(&account_state(account)), created, "stripe").await
}
