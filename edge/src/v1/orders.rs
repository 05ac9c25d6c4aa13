//! Orders: the merchant's list and detail, and what turns a paid Stripe Checkout Session into an
//! order exactly once (called by [`crate::webhooks::stripe`]).

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::internal::checkouts::line_name;
use crate::repo::orders;
use crate::repo::stores::{load, Store};
use crate::runtime::{now, now_ms, rfc3339};
use crate::scope::StoreScope;
use domain::accounts::Email;
use domain::shipping::{Rate, RateKind};
use domain::{Currency, Money, OrderId, StoreId};
use queues::messages::{Branding, FlowEvent, FlowTrigger, LineItem, Shop};
use queues::Envelope;
use serde_json::{json, Value};
use tenancy::shards::platform;
use worker::Env;

/// Lines one checkout may have.
pub const MAX_LINES: usize = domain::cart::MAX_LINES;

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
    let session_id = session["id"].as_str().unwrap_or_default();
    let Some(checkout) = orders::checkout_for_session(&db, checkout_id, session_id).await? else {
        return Ok(json!({ "received": true, "ignored": "unknown checkout" }));
    };
    let lines = checkout.lines();
    let total = session["amount_total"].as_i64().unwrap_or(checkout.subtotal_minor);
    let at = rfc3339(now());
    let payment = orders::Payment {
        total_minor: total,
        stripe_session_id: session_id,
        stripe_payment_intent: session["payment_intent"].as_str(),
        at: &at,
        day: &today(),
        delivery: &delivery_of(session),
    };
    orders::record_payment(&db, &checkout, &payment).await?;
    if checkout.status == "open" {
        // A paid order changes stock and best sellers on the shop's pages.
        tenancy::routing::Routing::new(env.kv(crate::config::EDGE_KV)?)
            .bump_cache_version(store_id, now_ms() as f64)
            .await?;
    }

    let number = orders::number(&db, &checkout.id).await?.unwrap_or_default();
    let origin = session["success_url"]
        .as_str()
        .and_then(|u| u.find("/orders/").map(|i| u[..i].to_owned()))
        .unwrap_or_else(|| config.shop_url(&store.row.slug));
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
                review_url: format!("{order_url}/review"),
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
    enqueue_fulfilment(config, &store, &checkout.id, false).await?;
    Ok(json!({ "received": true, "order_id": checkout.id, "number": number }))
}

/// Hands the paid order to the fulfilment function (key `fulfil:{order}`, `fulfil:{order}:approved`
/// once the merchant approved it: a redelivered webhook sends it again and the consumer's
/// idempotency guard and the recorded supplier orders keep it from being placed twice).
pub(crate) async fn enqueue_fulfilment(
    config: &Config,
    store: &Store,
    order_id: &str,
    approved: bool,
) -> ApiResult<()> {
    let key = if approved { format!("fulfil:{order_id}:approved") } else { format!("fulfil:{order_id}") };
    let envelope = Envelope::new(
        key,
        store.tenant_id,
        store.id,
        now(),
        format!("order-{order_id}"),
        queues::messages::OrderPaid { order_id: order_id.to_owned(), approved },
    );
    crate::sqs::send(&config.sqs, &config.sqs.fulfilment_queue_url, &envelope, now_ms()).await.map_err(
        |e| ApiError::new(503, "queue_unavailable", format!("enqueueing the order's fulfilment: {e}")),
    )?;
    Ok(())
}

/// What a paid session says of delivery: the address from `collected_information.shipping_details`
/// (or `shipping_details`, in API versions before 2025-03-31), the phone from `customer_details`,
/// the amounts from `shipping_cost` and `total_details`, and the chosen rate's name from its
/// place among the session's `shipping_options`, which the checkout offered standard first, then
/// express (a webhook never expands the rate itself).
fn delivery_of(session: &Value) -> orders::Delivery {
    let details = match &session["collected_information"]["shipping_details"] {
        Value::Object(_) => &session["collected_information"]["shipping_details"],
        _ => &session["shipping_details"],
    };
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let address = details["address"].as_object().map(|a| {
        let field = |k: &str| a.get(k).cloned().unwrap_or(Value::Null);
        json!({
            "line1": field("line1"), "line2": field("line2"), "city": field("city"),
            "state": field("state"), "postal_code": field("postal_code"), "country": field("country"),
        })
        .to_string()
    });
    let shipping_minor = session["shipping_cost"]["amount_subtotal"]
        .as_i64()
        .or_else(|| session["total_details"]["amount_shipping"].as_i64())
        .unwrap_or(0);
    let chosen = session["shipping_cost"]["shipping_rate"].as_str();
    let rate = session["shipping_options"]
        .as_array()
        .and_then(|options| {
            options.iter().position(|o| chosen.is_some() && o["shipping_rate"].as_str() == chosen)
        })
        .map(|i| {
            let kind = if i == 0 { RateKind::Standard } else { RateKind::Express };
            Rate { kind, amount_minor: shipping_minor, days: (0, 0) }.display_name().to_owned()
        });
    orders::Delivery {
        name: text(&details["name"]),
        phone: text(&session["customer_details"]["phone"]),
        address,
        rate,
        shipping_minor,
        tax_minor: session["total_details"]["amount_tax"].as_i64().unwrap_or(0),
    }
}

/// Fulfilment states an order can be in.
pub const STATES: [&str; 7] =
    ["paid", "awaiting_approval", "placed", "shipped", "delivered", "failed", "cancelled"];

/// `GET /v1/stores/{id}/orders?limit=&before=&state=&flag=`: newest first; `before` is an order
/// number; `state` keeps the orders in that fulfilment state, `flag` those carrying that flag.
pub async fn list(
    scope: &StoreScope,
    limit: Option<&str>,
    before: Option<&str>,
    state: Option<&str>,
    flag: Option<&str>,
) -> ApiResult<Value> {
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
    if let Some(state) = state.filter(|s| !STATES.contains(s)) {
        return Err(ApiError::invalid(
            "state",
            format!("{state:?} is not one of paid, awaiting_approval, placed, shipped, delivered, failed, cancelled"),
        ));
    }
    if flag.is_some_and(|f| domain::tracking::Flag::parse(f).is_none()) {
        return Err(ApiError::invalid("flag", "flag must be no_tracking or no_update"));
    }
    let page = orders::list(&scope.db, before, limit, state, flag).await?;
    let listed: Vec<Value> = page.orders.into_iter().map(order_view).collect();
    Ok(json!({ "orders": listed, "next_before": page.next_before }))
}

/// `GET /v1/stores/{id}/orders/{order}`: with its items.
pub async fn get(scope: &StoreScope, id: OrderId) -> ApiResult<Value> {
    let _store = &scope.store;
    let id = id.to_string();
    let order = orders::get(&scope.db, &id).await?.ok_or_else(|| ApiError::not_found("order"))?;
    let mut order = order_view(order);
    order["items"] = serde_json::to_value(orders::items(&scope.db, &id).await?)
        .map_err(|e| ApiError::internal("order items", e))?;
    order["timeline"] = serde_json::to_value(crate::repo::fulfilment::events(&scope.db, &id).await?)
        .map_err(|e| ApiError::internal("order events", e))?;
    order["supplier_orders"] =
        serde_json::to_value(crate::repo::fulfilment::supplier_orders(&scope.db, &id).await?)
            .map_err(|e| ApiError::internal("supplier orders", e))?;
    Ok(order)
}

/// An order as the API shows it: the delivery columns grouped under `shipping` (null when the
/// order was paid before Checkout collected an address).
fn order_view(row: orders::OrderRow) -> Value {
    let shipping = row.shipping_address.as_deref().map(|address| {
        json!({
            "name": row.shipping_name,
            "phone": row.shipping_phone,
            "address": serde_json::from_str::<Value>(address).unwrap_or(Value::Null),
            "rate": row.shipping_rate,
        })
    });
    json!({
        "id": row.id,
        "number": row.number,
        "email": row.email,
        "status": row.status,
        "subtotal_minor": row.subtotal_minor,
        "shipping_minor": row.shipping_minor,
        "tax_minor": row.tax_minor,
        "total_minor": row.total_minor,
        "currency": row.currency,
        "stripe_session_id": row.stripe_session_id,
        "created_at": row.created_at,
        "shipping": shipping,
        "fulfilment": { "state": row.fulfilment, "reason": row.fulfilment_reason },
        "flag": row.flag,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paid_sessions_delivery_is_read_from_stripes_fields() {
        let session = json!({
            "collected_information": {"shipping_details": {"name": "Ada", "address": {"line1": "1 Main St", "city": "Springfield", "country": "CA", "postal_code": "62701"}}},
            "customer_details": {"phone": "+1 555 010 0199"},
            "shipping_options": [{"shipping_amount": 499, "shipping_rate": "shr_a"}, {"shipping_amount": 1499, "shipping_rate": "shr_b"}],
            "shipping_cost": {"amount_subtotal": 1499, "amount_tax": 75, "amount_total": 1574, "shipping_rate": "shr_b"},
            "total_details": {"amount_shipping": 1499, "amount_tax": 525},
        });
        let delivery = delivery_of(&session);
        assert_eq!(
            (delivery.name.as_deref(), delivery.phone.as_deref()),
            (Some("Ada"), Some("+1 555 010 0199"))
        );
        assert_eq!(
            (delivery.rate.as_deref(), delivery.shipping_minor, delivery.tax_minor),
            (Some("Express shipping"), 1499, 525)
        );
        assert!(delivery.address.unwrap().contains(r#""country":"CA""#));
        let older = json!({"shipping_details": {"name": "Bo", "address": {"line1": "2 High St"}}, "shipping_cost": null});
        let delivery = delivery_of(&older);
        assert_eq!((delivery.name.as_deref(), delivery.rate, delivery.shipping_minor), (Some("Bo"), None, 0));
        assert_eq!(delivery_of(&json!({})), orders::Delivery::default(), "no shipping collected");
    }
}
