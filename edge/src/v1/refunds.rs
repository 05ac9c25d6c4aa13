//! Refunds: a merchant refunds an order, whole or in part. The money goes back through Stripe from
//! the store's payout account (the Connect transfer is reversed, and the platform's fee with it,
//! in proportion), the shopper gets a mail saying so, and the store's analytics count revenue net
//! of refunds.

use crate::config::Config;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::audit_log::entry;
use crate::repo::refunds::{self, NewRefund, RefundRow};
use crate::runtime::{new_id, now, now_ms, rfc3339};
use crate::scope::StoreScope;
use domain::{Currency, Money, ProductId};
use queues::messages::{Branding, EmailCategory, EmailRequested, EmailTemplate};
use queues::Envelope;
use serde::{Deserialize, Serialize};
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
use worker::{Env, Method};

/// Stripe's refund reasons.
const REASONS: [&str; 3] = ["requested_by_customer", "duplicate", "fraudulent"];

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefundInput {
    /// What to refund, in minor units; everything not yet refunded when left out.
    #[serde(default)]
    amount_minor: Option<i64>,
    #[serde(default)]
    reason: Option<String>,
}

/// A refund made, with where the order stands.
#[derive(Debug, Serialize)]
pub struct RefundMade {
    refund: RefundRow,
    refunded_minor: i64,
    remaining_minor: i64,
}

/// `POST /v1/stores/{id}/orders/{order}/refunds`.
pub async fn create(
    env: &Env,
    config: &Config,
    scope: &StoreScope,
    order: &str,
    body: &str,
) -> ApiResult<RefundMade> {
    let input: RefundInput = if body.trim().is_empty() { RefundInput::default() } else { parse_json(body)? };
    let reason = input.reason.unwrap_or_else(|| REASONS[0].to_owned());
    if !REASONS.contains(&reason.as_str()) {
        return Err(ApiError::invalid(
            "reason",
            "reason must be requested_by_customer, duplicate or fraudulent",
        ));
    }
    let db = &scope.db;
    let paid = refunds::refundable(db, order).await?.ok_or_else(|| ApiError::not_found("order"))?;
    let left = paid.total_minor - paid.committed_minor;
    let amount = input.amount_minor.unwrap_or(left);
    if left <= 0 {
        return Err(ApiError::new(409, "fully_refunded", "the order is refunded already"));
    }
    if amount < 1 || amount > left {
        return Err(ApiError::invalid(
            "amount_minor",
            format!("amount_minor must be 1 to {left}, what is left to refund"),
        ));
    }
    let Some(payment_intent) = paid.stripe_payment_intent.clone() else {
        return Err(ApiError::new(409, "not_refundable", "the order has no card payment to refund"));
    };
    let id = new_id::<ProductId>().to_string();
    let at = rfc3339(now());
    let refund = NewRefund { id: &id, order_id: order, amount_minor: amount, reason: &reason, at: &at };
    if db.execute_batch(vec![refunds::insert(db, &refund)?]).await?[0].changes == 0 {
        // Another refund got there first.
        return Err(ApiError::new(
            409,
            "refund_conflict",
            "another refund of this order is under way; read its refunds and try again",
        ));
    }

    let params = [
        ("payment_intent", payment_intent),
        ("amount", amount.to_string()),
        ("reason", reason.clone()),
        ("reverse_transfer", "true".to_owned()),
        ("refund_application_fee", "true".to_owned()),
        ("metadata[store_id]", scope.store.id.to_string()),
        ("metadata[order_id]", order.to_owned()),
        ("metadata[refund_id]", id.clone()),
    ];
    let answer = config
        .stripe
        .client()
        .call(Method::Post, "/v1/refunds", &params, Some(&format!("refund-{id}")))
        .await;
    let stripe_id = answer.as_ref().ok().and_then(|r| r["id"].as_str()).map(str::to_owned);
    db.execute_batch(vec![
        refunds::settle(db, &id, stripe_id.as_deref())?,
        refunds::mark_refunded(db, order)?,
    ])
    .await?;
    if stripe_id.is_none() {
        let message = answer.err().unwrap_or_else(|| "Stripe answered without a refund".to_owned());
        worker::console_error!("refund {id} of order {order}: {message}");
        return Err(ApiError::new(
            502,
            "refund_failed",
            format!("Stripe refused the refund; nothing was refunded ({message})"),
        ));
    };

    let store = &scope.store;
    PlatformDb::open(env)?
        .batch(vec![entry(
            Some(store.tenant_id),
            &scope.actor(),
            "order.refund",
            &format!("{order}:{amount}"),
            &at,
        )])
        .await?;
    tell_shopper(config, scope, &paid, &id, amount).await;
    let refunded = paid.committed_minor + amount;
    Ok(RefundMade {
        refund: RefundRow { id, amount_minor: amount, reason, status: "succeeded".into(), created_at: at },
        refunded_minor: refunded,
        remaining_minor: paid.total_minor - refunded,
    })
}

/// The shopper's mail about the refund; a queue failure is logged, the refund stands.
async fn tell_shopper(
    config: &Config,
    scope: &StoreScope,
    paid: &refunds::Refundable,
    refund_id: &str,
    amount: i64,
) {
    let store = &scope.store;
    let Ok(to) = domain::accounts::Email::parse(&paid.email) else { return };
    let currency: Currency = paid.currency.parse().unwrap_or(Currency::Usd);
    let shop = config.shop_url(&store.row.slug);
    let shop = shop.trim_end_matches('/');
    let mut data = serde_json::Map::new();
    data.insert("order_number".into(), format!("#{}", paid.number).into());
    data.insert("amount".into(), Money::from_minor(amount, currency).to_string().into());
    // The mail reads it as a count: 1 for the whole order, 0 for part of it.
    data.insert("full".into(), u64::from(paid.committed_minor + amount >= paid.total_minor).into());
    data.insert("order_url".into(), format!("{shop}/orders/{}", paid.access_token).into());
    let mail = EmailRequested {
        template: EmailTemplate::OrderRefunded,
        to,
        category: EmailCategory::Transactional,
        data,
        branding: Branding {
            store_name: Some(store.row.name.clone()),
            accent_color: Some(store.row.brand_color.clone()),
            reply_to: None,
        },
    };
    let key = format!("refund:{refund_id}");
    let envelope = Envelope::new(key.clone(), store.tenant_id, store.id, now(), key, mail);
    if let Err(error) = crate::sqs::send(&config.sqs, &config.sqs.email_queue_url, &envelope, now_ms()).await
    {
        worker::console_error!("enqueueing the refund mail: {error}");
    }
}

/// `GET /v1/stores/{id}/orders/{order}/refunds`.
pub async fn list(scope: &StoreScope, order: &str) -> ApiResult<Vec<RefundRow>> {
    refunds::refundable(&scope.db, order).await?.ok_or_else(|| ApiError::not_found("order"))?;
    Ok(refunds::of_order(&scope.db, order).await?)
}
