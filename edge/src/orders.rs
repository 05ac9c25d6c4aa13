//! Selling: checkouts the storefront starts (checked against the catalog, paid through a Stripe
//! Checkout Session), the orders Stripe's webhook turns paid ones into, exactly once, and the
//! merchant's order list.

use crate::config::Config;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::runtime::{new_id, now, now_ms, random_bytes, rfc3339};
use crate::stores::{load, Store};
use domain::accounts::Email;
use domain::{Currency, Money, ProductId, StoreId, StoreStatus};
use queues::internal_api::{CheckoutStarted, StartCheckout};
use queues::messages::{Branding, FlowEvent, FlowTrigger, LineItem, Shop};
use queues::Envelope;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tenancy::shards::{platform, StoreDb};
use worker::wasm_bindgen::JsValue;
use worker::{Env, Method};

/// Lines one checkout may have.
pub const MAX_LINES: usize = domain::cart::MAX_LINES;

/// A cart line once checked against the catalog: what the order will record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PricedLine {
    product_id: String,
    variant_id: Option<String>,
    title: String,
    variant_title: Option<String>,
    unit_price_minor: i64,
    quantity: u32,
}

#[derive(Deserialize)]
struct ProductRow {
    title: String,
    price_minor: i64,
    variants: i64,
}

#[derive(Deserialize)]
struct VariantRow {
    title: String,
    price_minor: i64,
    stock: Option<i64>,
}

/// Prices the lines from the database, refusing unknown or unpublished products, missing or
/// unknown variants and quantities above stock, each by its line.
async fn price_lines(db: &StoreDb, input: &StartCheckout) -> ApiResult<Vec<PricedLine>> {
    if input.lines.is_empty() || input.lines.len() > MAX_LINES {
        return Err(ApiError::invalid("lines", format!("a checkout has 1 to {MAX_LINES} lines")));
    }
    let mut priced = Vec::with_capacity(input.lines.len());
    for (i, line) in input.lines.iter().enumerate() {
        let field = format!("lines[{i}]");
        if !(1..=domain::cart::MAX_QUANTITY).contains(&line.quantity) {
            return Err(ApiError::invalid(&field, "quantity must be 1 to 99"));
        }
        let product: Option<ProductRow> = db
            .first(
                "SELECT title, price_minor, (SELECT COUNT(*) FROM product_variants v WHERE v.store_id = ?1 AND v.product_id = p.id) AS variants \
                 FROM products p WHERE store_id = ?1 AND id = ?2 AND status = 'published'",
                &[line.product_id.as_str().into()],
            )
            .await?;
        let Some(product) = product else {
            return Err(
                ApiError::new(409, "unavailable", "a product in the cart is no longer sold").field(field)
            );
        };
        let (unit, variant_title) = match (&line.variant_id, product.variants) {
            (None, 0) => (product.price_minor, None),
            (None, _) => {
                return Err(ApiError::new(
                    409,
                    "choose_variant",
                    format!("choose an option of {}", product.title),
                )
                .field(field))
            }
            (Some(variant), _) => {
                let row: Option<VariantRow> = db
                    .first(
                        "SELECT title, price_minor, stock FROM product_variants WHERE store_id = ?1 AND product_id = ?2 AND id = ?3",
                        &[line.product_id.as_str().into(), variant.as_str().into()],
                    )
                    .await?;
                let Some(row) = row else {
                    return Err(ApiError::new(409, "unavailable", "an option in the cart is no longer sold")
                        .field(field));
                };
                if row.stock.is_some_and(|stock| stock < i64::from(line.quantity)) {
                    return Err(ApiError::new(
                        409,
                        "out_of_stock",
                        format!("only {} of {} ({}) left", row.stock.unwrap_or(0), product.title, row.title),
                    )
                    .field(field));
                }
                (row.price_minor, Some(row.title))
            }
        };
        priced.push(PricedLine {
            product_id: line.product_id.clone(),
            variant_id: line.variant_id.clone(),
            title: product.title,
            variant_title,
            unit_price_minor: unit,
            quantity: line.quantity,
        });
    }
    Ok(priced)
}

fn check_origin(origin: &str) -> ApiResult<&str> {
    let origin = origin.trim_end_matches('/');
    let rest = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', '@', ' ']) => Ok(origin),
        _ => Err(ApiError::invalid("origin", "origin must be a scheme and host")),
    }
}

fn line_name(line: &PricedLine) -> String {
    match &line.variant_title {
        Some(v) => format!("{} ({v})", line.title),
        None => line.title.clone(),
    }
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
fn shop(config: &Config, store: &Store, origin: &str, shopper: &Email) -> Shop {
    Shop {
        url: format!("{origin}/"),
        unsubscribe_url: crate::contacts::shopper_unsubscribe_url(config, store.id, shopper),
        branding: Branding {
            store_name: Some(store.row.name.clone()),
            accent_color: Some(store.row.brand_color.clone()),
            reply_to: None,
        },
    }
}

/// `POST /internal/stores/{id}/checkouts`: prices the cart, records the checkout, opens a Stripe
/// Checkout Session (payment mode) and starts the abandoned-cart flow, which the purchase stops.
pub async fn start_checkout(
    env: &Env,
    config: &Config,
    store_id: StoreId,
    body: &str,
) -> ApiResult<CheckoutStarted> {
    let input: StartCheckout = parse_json(body)?;
    let store = load(&platform(env)?, store_id).await?;
    if store.status != StoreStatus::Active {
        return Err(ApiError::new(409, "store_closed", "the store is not selling right now"));
    }
    let email = Email::parse(&input.email).map_err(|e| ApiError::invalid("email", e.to_string()))?;
    if input.cart_id.is_empty()
        || input.cart_id.len() > 64
        || !input.cart_id.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(ApiError::invalid("cart_id", "cart_id must be 1 to 64 letters and digits"));
    }
    let origin = check_origin(&input.origin)?.to_owned();
    let db = store.db(env)?;
    let lines = price_lines(&db, &input).await?;
    let currency: Currency = store.row.currency.parse().unwrap_or(Currency::Usd);
    let priced: Vec<(Money, u32)> =
        lines.iter().map(|l| (Money::from_minor(l.unit_price_minor, currency), l.quantity)).collect();
    let subtotal = domain::cart::total(&priced)
        .ok_or_else(|| ApiError::invalid("lines", "the cart total is out of range"))?;

    let checkout_id = new_id::<ProductId>().to_string();
    let token = hex::encode(random_bytes::<24>());
    let order_url = format!("{origin}/orders/{token}");
    let mut params: Vec<(String, String)> = vec![
        ("mode".into(), "payment".into()),
        ("success_url".into(), format!("{order_url}?paid=1")),
        ("cancel_url".into(), format!("{origin}/cart?cancelled=1")),
        ("customer_email".into(), email.as_str().to_owned()),
        ("client_reference_id".into(), checkout_id.clone()),
        ("metadata[store_id]".into(), store_id.to_string()),
        ("metadata[checkout_id]".into(), checkout_id.clone()),
        ("payment_intent_data[metadata][checkout_id]".into(), checkout_id.clone()),
    ];
    for (i, line) in lines.iter().enumerate() {
        params.push((format!("line_items[{i}][price_data][currency]"), currency.code().to_ascii_lowercase()));
        params.push((format!("line_items[{i}][price_data][unit_amount]"), line.unit_price_minor.to_string()));
        params.push((format!("line_items[{i}][price_data][product_data][name]"), line_name(line)));
        params.push((format!("line_items[{i}][quantity]"), line.quantity.to_string()));
    }
    let borrowed: Vec<(&str, String)> = params.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let session = config
        .stripe
        .client()
        .call(Method::Post, "/v1/checkout/sessions", &borrowed, Some(&format!("checkout-{checkout_id}")))
        .await
        .map_err(|e| {
            worker::console_error!("creating a shopper checkout session: {e}");
            ApiError::new(503, "payments_unavailable", "payments are unavailable; try again shortly")
        })?;
    let session_id = session["id"].as_str().unwrap_or_default().to_owned();
    let checkout_url = session["url"].as_str().unwrap_or_default().to_owned();
    if session_id.is_empty() || checkout_url.is_empty() {
        return Err(ApiError::internal("checkout session", "Stripe answered without an id or url"));
    }

    let at = rfc3339(now());
    db.batch(vec![
        db.statement(
            "INSERT INTO checkouts (store_id, id, cart_id, access_token, email, items, subtotal_minor, currency, \
             stripe_session_id, status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'open', ?10, ?10)",
            &[
                checkout_id.as_str().into(),
                input.cart_id.as_str().into(),
                token.as_str().into(),
                email.as_str().into(),
                serde_json::to_string(&lines).unwrap_or_default().into(),
                (subtotal.minor as f64).into(),
                currency.code().into(),
                session_id.as_str().into(),
                at.as_str().into(),
            ],
        )?,
        metric_statement(&db, "checkout_started", &today(), 1, 0)?,
    ])
    .await?;

    // The flow waits an hour from `occurred_at` and stops when the purchase arrives.
    let abandoned = Envelope::new(
        format!("flow:cart_abandoned:{checkout_id}"),
        store.tenant_id,
        store_id,
        now(),
        format!("checkout-{checkout_id}"),
        FlowEvent {
            occurred_at: now(),
            trigger: FlowTrigger::CartAbandoned {
                cart_id: input.cart_id.clone(),
                shop: shop(config, &store, &origin, &email),
                email,
                items: lines.iter().map(|l| LineItem { title: line_name(l), quantity: l.quantity }).collect(),
                cart_url: format!("{origin}/cart"),
                offer: None,
            },
        },
    );
    if let Err(error) = crate::sqs::send(&config.sqs, &config.sqs.flows_queue_url, &abandoned, now_ms()).await
    {
        // The checkout goes on: a missed reminder must not cost the sale.
        worker::console_error!("enqueueing the abandoned-cart flow: {error}");
    }
    Ok(CheckoutStarted { checkout_id, checkout_url, order_url })
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
pub async fn list(env: &Env, store: &Store, limit: Option<&str>, before: Option<&str>) -> ApiResult<Value> {
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
    let db = store.db(env)?;
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
pub async fn get(env: &Env, store: &Store, id: ProductId) -> ApiResult<Value> {
    let db = store.db(env)?;
    let order: Option<Value> = db
        .first(&format!("{ORDER_SELECT} WHERE store_id = ?1 AND id = ?2"), &[id.to_string().into()])
        .await?;
    let mut order = order.ok_or_else(|| ApiError::not_found("order"))?;
    order["items"] = Value::from(items_of(&db, &id.to_string()).await?);
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkout_origins_are_a_scheme_and_a_host_only() {
        assert_eq!(check_origin("https://shop.example/").unwrap(), "https://shop.example");
        assert_eq!(check_origin("http://demo.localhost:8788").unwrap(), "http://demo.localhost:8788");
        for bad in
            ["ftp://x", "https://", "https://a.example/path", "https://user@a.example", "javascript:alert(1)"]
        {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_line_names_its_variant() {
        let line = PricedLine {
            product_id: "p".into(),
            variant_id: Some("v".into()),
            title: "Brush".into(),
            variant_title: Some("Red".into()),
            unit_price_minor: 100,
            quantity: 1,
        };
        assert_eq!(line_name(&line), "Brush (Red)");
    }
}
