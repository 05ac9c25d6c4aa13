//! Orders: the merchant's list and detail, and what turns a paid Stripe Checkout Session into an
//! order exactly once (called by [`crate::webhooks::stripe`]).

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::internal::checkouts::line_name;
use crate::repo::stores::{load, Store};
use crate::runtime::{now, now_ms, rfc3339};
use crate::scope::StoreScope;
use domain::accounts::Email;
use domain::{Currency, Money, OrderId, StoreId};
use queues::messages::{Branding, FlowEvent, FlowTrigger, LineItem, Shop};
use queues::Envelope;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tenancy::shards::{platform, StoreDb};
use worker::wasm_bindgen::JsValue;
use worker::Env;

/// Lines one checkout may have.
pub const MAX_LINES: usize = domain::cart::MAX_LINES;

/// A cart line once checked against the catalog: what the order will record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PricedLine {
    pub(crate) product_id: String,
    pub(crate) variant_id: Option<String>,
    pub(crate) title: String,
    pub(crate) variant_title: Option<String>,
    pub(crate) unit_price_minor: i64,
    pub(crate) quantity: u32,
}

#[derive(Deserialize)]
pub(crate) struct ProductRow {
    pub(crate) title: String,
    pub(crate) price_minor: i64,
    pub(crate) variants: i64,
}

#[derive(Deserialize)]
pub(crate) struct VariantRow {
    pub(crate) title: String,
    pub(crate) price_minor: i64,
    pub(crate) stock: Option<i64>,
}

/// Adds `count` (and `amount`) to a store's metric for today; `guard` may make it conditional.
pub fn metric_statement(
    db: &StoreDb,
    metric: &str,
    day: &str,
    count: u32,
    amount_minor: i64,
) -> worker::Result<worker::D1PreparedStatement> {
    db.statement(
        "INSERT INTO shopper_metrics (store_id, day, metric, count, amount_minor) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (store_id, day, metric) DO UPDATE SET count = count + excluded.count, amount_minor = amount_minor + excluded.amount_minor",
        &[day.into(), metric.into(), f64::from(count).into(), (amount_minor as f64).into()],
    )
}

/// Today's UTC day as `YYYY-MM-DD`.
pub fn today() -> String {
    rfc3339(now())[..10].to_owned()
}

/// The store as a shopper's mails show it; their unsubscribe link is signed for the shopper.
pub(crate) fn shop(config: &Config, store: &Store, origin: &str, shopper: &Email) -> Shop {
    Shop {
        url: format!("{origin}/"),
        unsubscribe_url: crate::shoppers::subscriptions::shopper_unsubscribe_url(config, store.id, shopper),
        branding: Branding {
            store_name: Some(store.row.name.clone()),
            accent_color: Some(store.row.brand_color.clone()),
            reply_to: None,
        },
    }
}

#[derive(Deserialize)]
struct CheckoutRow {
    id: String,
    cart_id: String,
    access_token: String,
    email: String,
    items: String,
    subtotal_minor: i64,
    currency: String,
    status: String,
}

/// A paid payment-mode `checkout.session.completed`: records the order once (its id is the
/// checkout's), decrements tracked stock once, counts the purchase, and enqueues the order
/// confirmation and the end of the abandoned-cart flow (idempotent keys, so a retry is harmless).
pub async fn paid_session(env: &Env, config: &Config, session: &Value) -> ApiResult<Value> {
    let (Some(store_id), Some(checkout_id)) =
        (session["metadata"]["store_id"].as_str(), session["metadata"]["checkout_id"].as_str())
    else {
        return Ok(json!({ "received": true, "ignored": "not a storefront checkout" }));
    };
    if session["payment_status"] != "paid" {
        return Ok(json!({ "received": true, "ignored": "not paid" }));
    }
    let Ok(store_id) = store_id.parse::<StoreId>() else {
        return Ok(json!({ "received": true, "ignored": "unknown store" }));
    };
    let store = match load(&platform(env)?, store_id).await {
        Ok(store) => store,
        Err(e) if e.status == 404 => return Ok(json!({ "received": true, "ignored": "unknown store" })),
        Err(e) => return Err(e),
    };
    let db = store.db(env)?;
    let checkout: Option<CheckoutRow> = db
        .first(
            "SELECT id, cart_id, access_token, email, items, subtotal_minor, currency, status FROM checkouts \
             WHERE store_id = ?1 AND id = ?2 AND stripe_session_id = ?3",
            &[checkout_id.into(), session["id"].as_str().unwrap_or_default().into()],
        )
        .await?;
    let Some(checkout) = checkout else {
        return Ok(json!({ "received": true, "ignored": "unknown checkout" }));
    };
    let lines: Vec<PricedLine> = serde_json::from_str(&checkout.items).unwrap_or_default();
    let total = session["amount_total"].as_i64().unwrap_or(checkout.subtotal_minor);
    let at = rfc3339(now());
    let open = "EXISTS (SELECT 1 FROM checkouts c WHERE c.store_id = ?1 AND c.id = ?2 AND c.status = 'open')";
    let mut statements = vec![db.statement(
        "INSERT INTO orders (store_id, id, number, checkout_id, access_token, email, status, subtotal_minor, total_minor, \
         currency, stripe_session_id, stripe_payment_intent, created_at) \
         VALUES (?1, ?2, (SELECT COALESCE(MAX(number), 1000) + 1 FROM orders WHERE store_id = ?1), ?2, ?3, ?4, 'paid', ?5, ?6, ?7, ?8, ?9, ?10) \
         ON CONFLICT (store_id, checkout_id) DO NOTHING",
        &[
            checkout.id.as_str().into(),
            checkout.access_token.as_str().into(),
            checkout.email.as_str().into(),
            (checkout.subtotal_minor as f64).into(),
            (total as f64).into(),
            checkout.currency.as_str().into(),
            session["id"].as_str().unwrap_or_default().into(),
            session["payment_intent"].as_str().map_or(JsValue::NULL, Into::into),
            at.as_str().into(),
        ],
    )?];
    for (position, line) in lines.iter().enumerate() {
        statements.push(db.statement(
            "INSERT INTO order_items (store_id, order_id, position, product_id, variant_id, title, variant_title, \
             unit_price_minor, quantity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (order_id, position) DO NOTHING",
            &[
                checkout.id.as_str().into(),
                (position as f64).into(),
                line.product_id.as_str().into(),
                line.variant_id.clone().map_or(JsValue::NULL, Into::into),
                line.title.as_str().into(),
                line.variant_title.clone().map_or(JsValue::NULL, Into::into),
                (line.unit_price_minor as f64).into(),
                f64::from(line.quantity).into(),
            ],
        )?);
        if let Some(variant) = &line.variant_id {
            statements.push(db.statement(
                &format!(
                    "UPDATE product_variants SET stock = MAX(stock - ?4, 0) WHERE store_id = ?1 AND id = ?3 \
                     AND stock IS NOT NULL AND {open}"
                ),
                &[checkout.id.as_str().into(), variant.as_str().into(), f64::from(line.quantity).into()],
            )?);
        }
    }
    statements.push(db.statement(
        &format!(
            "INSERT INTO shopper_metrics (store_id, day, metric, count, amount_minor) SELECT ?1, ?3, 'purchase', 1, ?4 \
             WHERE {open} ON CONFLICT (store_id, day, metric) DO UPDATE SET count = count + 1, amount_minor = amount_minor + excluded.amount_minor"
        ),
        &[checkout.id.as_str().into(), today().into(), (total as f64).into()],
    )?);
    statements.push(db.statement(
        "UPDATE checkouts SET status = 'paid', updated_at = ?3 WHERE store_id = ?1 AND id = ?2",
        &[checkout.id.as_str().into(), at.as_str().into()],
    )?);
    db.batch(statements).await?;
    if checkout.status == "open" {
        // A paid order changes stock and best sellers on the shop's pages.
        tenancy::routing::Routing::new(env.kv(crate::config::EDGE_KV)?)
            .bump_cache_version(store_id, now_ms() as f64)
            .await?;
    }

    let number: Option<Value> = db
        .first("SELECT number FROM orders WHERE store_id = ?1 AND id = ?2", &[checkout.id.as_str().into()])
        .await?;
    let number = number.and_then(|n| n["number"].as_i64()).unwrap_or_default();
    let origin = session["success_url"]
        .as_str()
        .and_then(|u| u.find("/orders/").map(|i| u[..i].to_owned()))
        .unwrap_or_else(|| config.storefront_url(&format!("{}.{}", store.row.slug, config.shops_domain)));
    let currency: Currency = checkout.currency.parse().unwrap_or(Currency::Usd);
    let order_url = format!("{origin}/orders/{}", checkout.access_token);
    let items: Vec<LineItem> =
        lines.iter().map(|l| LineItem { title: line_name(l), quantity: l.quantity }).collect();
    let shopper = Email::parse(&checkout.email).map_err(|e| ApiError::internal("order email", e))?;
    let events = [
        (
            format!("flow:cart_purchased:{}", checkout.cart_id),
            FlowTrigger::CartPurchased { cart_id: checkout.cart_id.clone() },
        ),
        (
            format!("flow:order_placed:{}", checkout.id),
            FlowTrigger::OrderPlaced {
                order_id: checkout.id.clone(),
                shop: shop(config, &store, &origin, &shopper),
                email: shopper,
                first_name: None,
                order_number: format!("#{number}"),
                total: Money::from_minor(total, currency),
                items,
                review_url: format!("{order_url}#review"),
                order_url,
            },
        ),
    ];
    for (key, trigger) in events {
        let envelope = Envelope::new(
            key,
            store.tenant_id,
            store_id,
            now(),
            format!("order-{}", checkout.id),
            FlowEvent { occurred_at: now(), trigger },
        );
        crate::sqs::send(&config.sqs, &config.sqs.flows_queue_url, &envelope, now_ms()).await.map_err(
            |e| ApiError::new(503, "queue_unavailable", format!("enqueueing the order flows: {e}")),
        )?;
    }
    Ok(json!({ "received": true, "order_id": checkout.id, "number": number }))
}

const ORDER_SELECT: &str = "SELECT id, number, email, status, subtotal_minor, total_minor, currency, \
     stripe_session_id, created_at FROM orders";

async fn items_of(db: &StoreDb, order: &str) -> ApiResult<Vec<Value>> {
    Ok(db
        .all(
            "SELECT product_id, variant_id, title, variant_title, unit_price_minor, quantity FROM order_items \
             WHERE store_id = ?1 AND order_id = ?2 ORDER BY position",
            &[order.into()],
        )
        .await?)
}

/// `GET /v1/stores/{id}/orders?limit=&before=`: newest first; `before` is an order number.
pub async fn list(scope: &StoreScope, limit: Option<&str>, before: Option<&str>) -> ApiResult<Value> {
    let _store = &scope.store;
    let limit: u32 = match limit {
        None => 50,
        Some(raw) => raw
            .parse()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| ApiError::invalid("limit", "limit must be 1 to 200"))?,
    };
    let before: i64 = match before {
        None => i64::MAX,
        Some(raw) => {
            raw.parse().map_err(|_| ApiError::invalid("before", "before must be an order number"))?
        }
    };
    let db = &scope.db;
    let mut orders: Vec<Value> = db
        .all(
            &format!("{ORDER_SELECT} WHERE store_id = ?1 AND number < ?2 ORDER BY number DESC LIMIT ?3"),
            &[(before as f64).into(), f64::from(limit + 1).into()],
        )
        .await?;
    let next = if orders.len() > limit as usize {
        orders.truncate(limit as usize);
        orders.last().and_then(|o| o["number"].as_i64())
    } else {
        None
    };
    Ok(json!({ "orders": orders, "next_before": next }))
}

/// `GET /v1/stores/{id}/orders/{order}`: with its items.
pub async fn get(scope: &StoreScope, id: OrderId) -> ApiResult<Value> {
    let _store = &scope.store;
    let db = &scope.db;
    let order: Option<Value> = db
        .first(&format!("{ORDER_SELECT} WHERE store_id = ?1 AND id = ?2"), &[id.to_string().into()])
        .await?;
    let mut order = order.ok_or_else(|| ApiError::not_found("order"))?;
    order["items"] = Value::from(items_of(db, &id.to_string()).await?);
    Ok(order)
}
