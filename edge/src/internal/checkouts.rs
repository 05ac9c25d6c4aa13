//! Checkout Sessions the storefront starts for a shopper's cart.

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::internal::StoreAccess;
use crate::repo::analytics;
use crate::repo::orders::{self, PricedLine};
use crate::runtime::{new_id, now, now_ms, random_bytes, rfc3339};
use crate::v1::orders::{shop, today, MAX_LINES};
use domain::accounts::Email;
use domain::shipping::{Rate, ShippingSettings};
use domain::{Currency, Money, ProductId, StoreStatus};
use queues::internal_api::{CheckoutStarted, StartCheckout};
use queues::messages::{FlowEvent, FlowTrigger, LineItem};
use queues::Envelope;
use tenancy::shards::StoreDb;
use tenancy::sql::Sql;
use worker::Method;

/// Prices the lines from the database, refusing unknown or unpublished products, missing or
/// unknown variants and quantities above stock, each by its line.
async fn price_lines(db: &StoreDb<impl Sql>, input: &StartCheckout) -> ApiResult<Vec<PricedLine>> {
    if input.lines.is_empty() || input.lines.len() > MAX_LINES {
        return Err(ApiError::invalid("lines", format!("a checkout has 1 to {MAX_LINES} lines")));
    }
    let mut priced = Vec::with_capacity(input.lines.len());
    for (i, line) in input.lines.iter().enumerate() {
        let field = format!("lines[{i}]");
        if !(1..=domain::cart::MAX_QUANTITY).contains(&line.quantity) {
            return Err(ApiError::invalid(&field, "quantity must be 1 to 99"));
        }
        let Some(product) = orders::sellable_product(db, &line.product_id).await? else {
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
                let Some(row) = orders::sellable_variant(db, &line.product_id, variant).await? else {
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

pub(crate) fn line_name(line: &PricedLine) -> String {
    match &line.variant_title {
        Some(v) => format!("{} ({v})", line.title),
        None => line.title.clone(),
    }
}

/// The Checkout Session's shipping parameters from the store's settings: the countries addresses
/// are collected for, the phone number (suppliers' carriers ask for it), the rates with their
/// delivery estimates from the cart's suppliers, and automatic tax when the store turned it on.
/// A cart the shopper said goes to a country the store does not ship to is refused here, before
/// payment.
async fn shipping_params(
    db: &StoreDb<impl Sql>,
    store: &crate::repo::stores::Store,
    input: &StartCheckout,
    lines: &[PricedLine],
    subtotal: Money,
) -> ApiResult<Vec<(String, String)>> {
    let settings = crate::repo::shipping::get(db)
        .await?
        .unwrap_or_else(|| ShippingSettings::default_for(&store.row.target_market));
    if let Some(country) = input.country.as_deref().filter(|c| !c.trim().is_empty()) {
        settings
            .check_destination(country.trim())
            .map_err(|e| ApiError::new(409, "cannot_ship", format!("Sorry, {e}.")).field("country"))?;
    }
    let ids: Vec<&str> = lines.iter().map(|l| l.product_id.as_str()).collect();
    let sources = orders::sources(db, &ids).await?;
    let sources: Vec<Option<&str>> = sources.iter().map(Option::as_deref).collect();
    Ok(stripe_shipping(&settings, &settings.rates(subtotal.minor, &sources), subtotal.currency))
}

/// `shipping_address_collection`, `phone_number_collection`, `shipping_options` (inline
/// `shipping_rate_data`) and `automatic_tax` as Stripe's form parameters.
fn stripe_shipping(settings: &ShippingSettings, rates: &[Rate], currency: Currency) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = settings
        .countries
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("shipping_address_collection[allowed_countries][{i}]"), c.clone()))
        .collect();
    params.push(("phone_number_collection[enabled]".into(), "true".into()));
    for (i, rate) in rates.iter().enumerate() {
        let key = |k: &str| format!("shipping_options[{i}][shipping_rate_data]{k}");
        params.extend([
            (key("[type]"), "fixed_amount".into()),
            (key("[display_name]"), rate.display_name().into()),
            (key("[fixed_amount][amount]"), rate.amount_minor.to_string()),
            (key("[fixed_amount][currency]"), currency.code().to_ascii_lowercase()),
            (key("[delivery_estimate][minimum][unit]"), "business_day".into()),
            (key("[delivery_estimate][minimum][value]"), rate.days.0.to_string()),
            (key("[delivery_estimate][maximum][unit]"), "business_day".into()),
            (key("[delivery_estimate][maximum][value]"), rate.days.1.to_string()),
            (key("[metadata][rate]"), rate.kind.key().into()),
        ]);
    }
    if settings.automatic_tax {
        params.push(("automatic_tax[enabled]".into(), "true".into()));
    }
    params
}

/// The rate limiter of checkout creation (`[[ratelimits]]` in wrangler.toml): each checkout makes
/// a Stripe Checkout Session and starts an abandoned-cart series to the address typed, so one
/// shopper (IP) and one cart may start only so many a minute in a store.
const CHECKOUT_LIMITER: &str = "CHECKOUT_LIMITER";

/// Refuses a checkout over the limit of its shopper's IP or its cart in this store (429).
pub async fn rate_limit(env: &worker::Env, access: &StoreAccess, input: &StartCheckout) -> ApiResult<()> {
    let limiter = env.rate_limiter(CHECKOUT_LIMITER)?;
    let store = access.store.id;
    let ip = input.ip.as_deref().unwrap_or("unknown");
    for key in [format!("checkout:{store}:ip:{ip}"), format!("checkout:{store}:cart:{}", input.cart_id)] {
        if !limiter.limit(key).await?.success {
            return Err(ApiError::new(
                429,
                "rate_limited",
                "too many checkouts started; wait a minute and try again",
            ));
        }
    }
    Ok(())
}

/// `POST /internal/stores/{id}/checkouts`: prices the cart, records the checkout, opens a Stripe
/// Checkout Session (payment mode) and starts the abandoned-cart flow, which the purchase stops.
pub async fn start_checkout(
    config: &Config,
    access: &StoreAccess,
    input: StartCheckout,
) -> ApiResult<CheckoutStarted> {
    let StoreAccess { store, db } = access;
    let store_id = store.id;
    if store.status != StoreStatus::Active {
        return Err(ApiError::new(409, "store_closed", "the store is not selling right now"));
    }
    // Payments are destination charges to the store's payout account: none, no sale.
    let payout_account = match (&store.row.stripe_account_id, store.payouts().accepts_orders()) {
        (Some(account), true) => account.clone(),
        _ => return Err(ApiError::new(409, "payouts_not_ready", "This shop is not taking orders yet.")),
    };
    let email = Email::parse(&input.email).map_err(|e| ApiError::invalid("email", e.to_string()))?;
    if input.cart_id.is_empty()
        || input.cart_id.len() > 64
        || !input.cart_id.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(ApiError::invalid("cart_id", "cart_id must be 1 to 64 letters and digits"));
    }
    let origin = check_origin(&input.origin)?.to_owned();
    let lines = price_lines(db, &input).await?;
    let currency: Currency = store.row.currency.parse().unwrap_or(Currency::Usd);
    let priced: Vec<(Money, u32)> =
        lines.iter().map(|l| (Money::from_minor(l.unit_price_minor, currency), l.quantity)).collect();
    let subtotal = domain::cart::total(&priced)
        .ok_or_else(|| ApiError::invalid("lines", "the cart total is out of range"))?;
    let shipping = shipping_params(db, store, &input, &lines, subtotal).await?;

    let checkout_id = new_id::<ProductId>().to_string();
    let token = hex::encode(random_bytes::<24>());
    let order_url = format!("{origin}/orders/{token}");
    let mut params: Vec<(String, String)> = vec![
        ("mode".into(), "payment".into()),
        // Cards only: the shop's footer names the card networks it takes.
        ("payment_method_types[0]".into(), "card".into()),
        ("success_url".into(), format!("{order_url}?paid=1")),
        ("cancel_url".into(), format!("{origin}/cart?cancelled=1")),
        ("customer_email".into(), email.as_str().to_owned()),
        ("client_reference_id".into(), checkout_id.clone()),
        ("metadata[store_id]".into(), store_id.to_string()),
        ("metadata[checkout_id]".into(), checkout_id.clone()),
        ("payment_intent_data[metadata][checkout_id]".into(), checkout_id.clone()),
    ];
    params.extend(destination_charge(
        &payout_account,
        subtotal.minor,
        store.plan().limits().application_fee_bps,
    ));
    for (i, line) in lines.iter().enumerate() {
        params.push((format!("line_items[{i}][price_data][currency]"), currency.code().to_ascii_lowercase()));
        params.push((format!("line_items[{i}][price_data][unit_amount]"), line.unit_price_minor.to_string()));
        params.push((format!("line_items[{i}][price_data][product_data][name]"), line_name(line)));
        params.push((format!("line_items[{i}][quantity]"), line.quantity.to_string()));
    }
    params.extend(shipping);
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
    let checkout = orders::NewCheckout {
        id: &checkout_id,
        cart_id: &input.cart_id,
        access_token: &token,
        email: email.as_str(),
        lines: &lines,
        subtotal_minor: subtotal.minor,
        currency: currency.code(),
        stripe_session_id: &session_id,
        at: &at,
    };
    db.execute_batch(vec![
        orders::insert_checkout(db, &checkout)?,
        analytics::add(db, "checkout_started", &today(), 1, 0)?,
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
                shop: shop(config, store, &origin, &email),
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

/// The Checkout Session's parameters that send the payment to the store's payout account, less
/// the platform's fee on the goods (none when it rounds to zero: Stripe refuses a zero fee).
fn destination_charge(account: &str, goods_minor: i64, fee_bps: u16) -> Vec<(String, String)> {
    let mut params = vec![("payment_intent_data[transfer_data][destination]".to_owned(), account.to_owned())];
    let fee = domain::payouts::application_fee(goods_minor, fee_bps);
    if fee > 0 {
        params.push(("payment_intent_data[application_fee_amount]".to_owned(), fee.to_string()));
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payment_goes_to_the_store_less_the_plans_fee() {
        let params = destination_charge("acct_1", 10_000, 200);
        assert_eq!(
            params,
            [
                ("payment_intent_data[transfer_data][destination]".to_owned(), "acct_1".to_owned()),
                ("payment_intent_data[application_fee_amount]".to_owned(), "200".to_owned()),
            ]
        );
        assert_eq!(destination_charge("acct_1", 40, 200).len(), 1, "no zero fee");
    }

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
    fn checkout_collects_addresses_for_the_stores_countries_and_offers_its_rates() {
        let settings = ShippingSettings {
            countries: vec!["US".into(), "CA".into()],
            standard_minor: 499,
            express_minor: Some(1499),
            free_over_minor: None,
            automatic_tax: true,
        };
        let rates = settings.rates(2000, &[Some("aliexpress")]);
        let params = stripe_shipping(&settings, &rates, Currency::Usd);
        let get = |k: &str| params.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("shipping_address_collection[allowed_countries][0]"), Some("US"));
        assert_eq!(get("shipping_address_collection[allowed_countries][1]"), Some("CA"));
        assert_eq!(get("shipping_options[0][shipping_rate_data][display_name]"), Some("Standard shipping"));
        assert_eq!(get("shipping_options[0][shipping_rate_data][fixed_amount][amount]"), Some("499"));
        assert_eq!(get("shipping_options[0][shipping_rate_data][fixed_amount][currency]"), Some("usd"));
        assert_eq!(
            get("shipping_options[0][shipping_rate_data][delivery_estimate][maximum][value]"),
            Some("20")
        );
        assert_eq!(get("shipping_options[1][shipping_rate_data][display_name]"), Some("Express shipping"));
        assert_eq!(
            get("shipping_options[1][shipping_rate_data][delivery_estimate][minimum][unit]"),
            Some("business_day")
        );
        assert_eq!(get("automatic_tax[enabled]"), Some("true"));
        let untaxed = ShippingSettings { automatic_tax: false, ..settings };
        assert_eq!(
            stripe_shipping(&untaxed, &rates, Currency::Usd)
                .iter()
                .filter(|(k, _)| k.starts_with("automatic_tax"))
                .count(),
            0
        );
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
