//! Checkouts and orders in the store database: `checkouts` (a shopper's priced cart sent to
//! Stripe), `orders` and `order_items` (what a paid checkout becomes, exactly once), the catalog
//! reads that price a cart, and the stock and purchase count a payment changes.

use serde::{Deserialize, Serialize};
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

/// A cart line once checked against the catalog: what the order will record (kept as JSON in
/// `checkouts.items`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    /// Product id.
    pub product_id: String,
    /// The variant, for a product that has options.
    pub variant_id: Option<String>,
    /// The product's title.
    pub title: String,
    /// The variant's title.
    pub variant_title: Option<String>,
    /// Price of one, in minor units.
    pub unit_price_minor: i64,
    /// How many.
    pub quantity: u32,
}

/// A published product as a checkout prices it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SellableProduct {
    /// Title.
    pub title: String,
    /// Price in minor units.
    pub price_minor: i64,
    /// How many variants it has (0: it sells without choosing one).
    pub variants: i64,
}

/// A product's variant as a checkout prices it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SellableVariant {
    /// Title.
    pub title: String,
    /// Price in minor units.
    pub price_minor: i64,
    /// Units left; `None` when stock is not tracked.
    pub stock: Option<i64>,
}

/// The product `id` when it is published, with its price and its number of variants.
pub async fn sellable_product(db: &StoreDb<impl Sql>, id: &str) -> Result<Option<SellableProduct>, SqlError> {
    db.query_first(
        "SELECT title, price_minor, (SELECT COUNT(*) FROM product_variants v WHERE v.store_id = ?1 AND v.product_id = p.id) AS variants \
         FROM products p WHERE store_id = ?1 AND id = ?2 AND status = 'published'",
        vec![id.into()],
    )
    .await
}

/// The variant `id` of the product `product`, if it has one.
pub async fn sellable_variant(
    db: &StoreDb<impl Sql>,
    product: &str,
    id: &str,
) -> Result<Option<SellableVariant>, SqlError> {
    db.query_first(
        "SELECT title, price_minor, stock FROM product_variants WHERE store_id = ?1 AND product_id = ?2 AND id = ?3",
        vec![product.into(), id.into()],
    )
    .await
}

/// The suppliers (`products.source`, `None` for the merchant's own) of the products `ids`.
pub async fn sources(db: &StoreDb<impl Sql>, ids: &[&str]) -> Result<Vec<Option<String>>, SqlError> {
    let rows: Vec<serde_json::Value> = db
        .query_all(
            "SELECT DISTINCT source FROM products WHERE store_id = ?1 AND id IN (SELECT value FROM json_each(?2))",
            vec![serde_json::to_string(ids).unwrap_or_default().into()],
        )
        .await?;
    Ok(rows.iter().map(|r| r["source"].as_str().map(str::to_owned)).collect())
}

/// A checkout about to be recorded, open until its payment arrives.
pub struct NewCheckout<'a> {
    /// Checkout id, also the id of the order it becomes.
    pub id: &'a str,
    /// The storefront's cart.
    pub cart_id: &'a str,
    /// The unguessable part of the order status link.
    pub access_token: &'a str,
    /// The shopper's address.
    pub email: &'a str,
    /// The priced lines.
    pub lines: &'a [PricedLine],
    /// Subtotal in minor units.
    pub subtotal_minor: i64,
    /// ISO currency code.
    pub currency: &'a str,
    /// The Stripe Checkout Session.
    pub stripe_session_id: &'a str,
    /// Creation time (RFC 3339).
    pub at: &'a str,
}

/// The insert of an open checkout, for a batch.
pub fn insert_checkout<D>(db: &StoreDb<D>, checkout: &NewCheckout<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO checkouts (store_id, id, cart_id, access_token, email, items, subtotal_minor, currency, \
         stripe_session_id, status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'open', ?10, ?10)",
        vec![
            checkout.id.into(),
            checkout.cart_id.into(),
            checkout.access_token.into(),
            checkout.email.into(),
            serde_json::to_string(checkout.lines).unwrap_or_default().into(),
            checkout.subtotal_minor.into(),
            checkout.currency.into(),
            checkout.stripe_session_id.into(),
            checkout.at.into(),
        ],
    )
}

/// A recorded checkout.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CheckoutRow {
    /// Checkout id.
    pub id: String,
    /// The storefront's cart.
    pub cart_id: String,
    /// The unguessable part of the order status link.
    pub access_token: String,
    /// The shopper's address.
    pub email: String,
    /// The priced lines (a JSON array of [`PricedLine`]).
    pub items: String,
    /// Subtotal in minor units.
    pub subtotal_minor: i64,
    /// ISO currency code.
    pub currency: String,
    /// `open` or `paid`.
    pub status: String,
}

impl CheckoutRow {
    /// Its priced lines (none when the column holds no list of them).
    pub fn lines(&self) -> Vec<PricedLine> {
        serde_json::from_str(&self.items).unwrap_or_default()
    }
}

/// The checkout `id` when it was opened with the Stripe Checkout Session `session_id`.
pub async fn checkout_for_session(
    db: &StoreDb<impl Sql>,
    id: &str,
    session_id: &str,
) -> Result<Option<CheckoutRow>, SqlError> {
    db.query_first(
        "SELECT id, cart_id, access_token, email, items, subtotal_minor, currency, status FROM checkouts \
         WHERE store_id = ?1 AND id = ?2 AND stripe_session_id = ?3",
        vec![id.into(), session_id.into()],
    )
    .await
}

/// What Stripe reported of a paid Checkout Session.
pub struct Payment<'a> {
    /// The amount charged, in minor units.
    pub total_minor: i64,
    /// The Stripe Checkout Session.
    pub stripe_session_id: &'a str,
    /// The Stripe PaymentIntent, when the session has one.
    pub stripe_payment_intent: Option<&'a str>,
    /// When it was recorded (RFC 3339).
    pub at: &'a str,
    /// The UTC day its purchase counts on (`YYYY-MM-DD`).
    pub day: &'a str,
    /// Where and how it ships, and what shipping and tax cost.
    pub delivery: &'a Delivery,
}

/// What Stripe Checkout collected for delivery, as the order keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    /// The recipient's name.
    pub name: Option<String>,
    /// The recipient's phone number.
    pub phone: Option<String>,
    /// The address, JSON: `line1`, `line2`, `city`, `state`, `postal_code`, `country`.
    pub address: Option<String>,
    /// The chosen rate's name.
    pub rate: Option<String>,
    /// Shipping charged, in minor units.
    pub shipping_minor: i64,
    /// Tax charged, in minor units.
    pub tax_minor: i64,
}

/// Turns a paid checkout into its order, in one transaction and exactly once however often it
/// runs: the order (numbered after the store's last, from 1001) and its items are written once,
/// keyed on the checkout; tracked stock goes down and the purchase is counted only while the
/// checkout is still open; then the checkout is marked paid.
pub async fn record_payment(
    db: &StoreDb<impl Sql>,
    checkout: &CheckoutRow,
    payment: &Payment<'_>,
) -> Result<(), SqlError> {
    let id = checkout.id.as_str();
    let open = "EXISTS (SELECT 1 FROM checkouts c WHERE c.store_id = ?1 AND c.id = ?2 AND c.status = 'open')";
    let mut statements = vec![db.scoped(
        "INSERT INTO orders (store_id, id, number, checkout_id, access_token, email, status, subtotal_minor, total_minor, \
         currency, stripe_session_id, stripe_payment_intent, created_at, shipping_name, shipping_phone, shipping_address, \
         shipping_rate, shipping_minor, tax_minor) \
         VALUES (?1, ?2, (SELECT COALESCE(MAX(number), 1000) + 1 FROM orders WHERE store_id = ?1), ?2, ?3, ?4, 'paid', ?5, ?6, ?7, ?8, ?9, ?10, \
         ?11, ?12, ?13, ?14, ?15, ?16) \
         ON CONFLICT (store_id, checkout_id) DO NOTHING",
        vec![
            id.into(),
            checkout.access_token.as_str().into(),
            checkout.email.as_str().into(),
            checkout.subtotal_minor.into(),
            payment.total_minor.into(),
            checkout.currency.as_str().into(),
            payment.stripe_session_id.into(),
            payment.stripe_payment_intent.into(),
            payment.at.into(),
            payment.delivery.name.as_deref().into(),
            payment.delivery.phone.as_deref().into(),
            payment.delivery.address.as_deref().into(),
            payment.delivery.rate.as_deref().into(),
            payment.delivery.shipping_minor.into(),
            payment.delivery.tax_minor.into(),
        ],
    )?];
    for (position, line) in checkout.lines().iter().enumerate() {
        statements.push(db.scoped(
            "INSERT INTO order_items (store_id, order_id, position, product_id, variant_id, title, variant_title, \
             unit_price_minor, quantity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (order_id, position) DO NOTHING",
            vec![
                id.into(),
                position.into(),
                line.product_id.as_str().into(),
                line.variant_id.as_deref().into(),
                line.title.as_str().into(),
                line.variant_title.as_deref().into(),
                line.unit_price_minor.into(),
                line.quantity.into(),
            ],
        )?);
        if let Some(variant) = &line.variant_id {
            statements.push(db.scoped(
                &format!(
                    "UPDATE product_variants SET stock = MAX(stock - ?4, 0) WHERE store_id = ?1 AND id = ?3 \
                     AND stock IS NOT NULL AND {open}"
                ),
                vec![id.into(), variant.as_str().into(), line.quantity.into()],
            )?);
        }
    }
    statements.push(db.scoped(
        &format!(
            "INSERT INTO shopper_metrics (store_id, day, metric, count, amount_minor) SELECT ?1, ?3, 'purchase', 1, ?4 \
             WHERE {open} ON CONFLICT (store_id, day, metric) DO UPDATE SET count = count + 1, amount_minor = amount_minor + excluded.amount_minor"
        ),
        vec![id.into(), payment.day.into(), payment.total_minor.into()],
    )?);
    statements.push(db.scoped(
        &format!(
            "INSERT INTO order_events (store_id, order_id, seq, at, state, cause) \
             SELECT ?1, ?2, 1, ?3, 'paid', 'payment received through Stripe Checkout' WHERE {open}"
        ),
        vec![id.into(), payment.at.into()],
    )?);
    statements.push(db.scoped(
        "UPDATE checkouts SET status = 'paid', updated_at = ?3 WHERE store_id = ?1 AND id = ?2",
        vec![id.into(), payment.at.into()],
    )?);
    db.execute_batch(statements).await?;
    Ok(())
}

/// An order as the merchant lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    /// Order id (the checkout's).
    pub id: String,
    /// The store's order number, from 1001.
    pub number: i64,
    /// The shopper's address.
    pub email: String,
    /// `paid`, `fulfilled`, `refunded` or `cancelled`.
    pub status: String,
    /// Subtotal in minor units.
    pub subtotal_minor: i64,
    /// Amount charged in minor units.
    pub total_minor: i64,
    /// ISO currency code.
    pub currency: String,
    /// The Stripe Checkout Session paid.
    pub stripe_session_id: String,
    /// When it was paid (RFC 3339).
    pub created_at: String,
    /// The recipient's name.
    pub shipping_name: Option<String>,
    /// The recipient's phone number.
    pub shipping_phone: Option<String>,
    /// The delivery address (JSON text, see [`Delivery::address`]).
    pub shipping_address: Option<String>,
    /// The chosen rate's name.
    pub shipping_rate: Option<String>,
    /// Shipping charged, in minor units.
    pub shipping_minor: i64,
    /// Tax charged, in minor units.
    pub tax_minor: i64,
    /// Fulfilment state (see `edge/migrations/store/0012_fulfilment.sql`).
    pub fulfilment: String,
    /// Why fulfilment failed.
    pub fulfilment_reason: Option<String>,
    /// The tracking flag it carries for the merchant (`no_tracking`, `no_update`).
    pub flag: Option<String>,
    /// Who approved it, when it waited for the merchant.
    #[serde(default)]
    pub approved_by: Option<String>,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItemRow {
    /// Product id.
    pub product_id: String,
    /// Variant id, for a product with options.
    pub variant_id: Option<String>,
    /// The product's title when ordered.
    pub title: String,
    /// The variant's title when ordered.
    pub variant_title: Option<String>,
    /// Price of one, in minor units.
    pub unit_price_minor: i64,
    /// How many.
    pub quantity: i64,
}

/// A page of orders, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderPage {
    /// The orders.
    pub orders: Vec<OrderRow>,
    /// The number to ask for the next page with (`before`), when there is one.
    pub next_before: Option<i64>,
}

const ORDER_SELECT: &str = "SELECT id, number, email, status, subtotal_minor, total_minor, currency, \
     stripe_session_id, created_at, shipping_name, shipping_phone, shipping_address, shipping_rate, shipping_minor, \
     tax_minor, fulfilment, fulfilment_reason, flag, approved_by FROM orders";

/// Up to `limit` orders numbered below `before`, newest first; only those in fulfilment `state`
/// and carrying `flag` when they are given.
pub async fn list(
    db: &StoreDb<impl Sql>,
    before: i64,
    limit: u32,
    state: Option<&str>,
    flag: Option<&str>,
) -> Result<OrderPage, SqlError> {
    let mut orders: Vec<OrderRow> = db
        .query_all(
            &format!(
                "{ORDER_SELECT} WHERE store_id = ?1 AND number < ?2 AND (?4 IS NULL OR fulfilment = ?4) \
                 AND (?5 IS NULL OR flag = ?5) ORDER BY number DESC LIMIT ?3"
            ),
            vec![before.into(), (limit + 1).into(), state.into(), flag.into()],
        )
        .await?;
    let next_before = if orders.len() > limit as usize {
        orders.truncate(limit as usize);
        orders.last().map(|o| o.number)
    } else {
        None
    };
    Ok(OrderPage { orders, next_before })
}

/// The order `id`.
pub async fn get(db: &StoreDb<impl Sql>, id: &str) -> Result<Option<OrderRow>, SqlError> {
    db.query_first(&format!("{ORDER_SELECT} WHERE store_id = ?1 AND id = ?2"), vec![id.into()]).await
}

/// The order's lines, in the cart's order.
pub async fn items(db: &StoreDb<impl Sql>, order: &str) -> Result<Vec<OrderItemRow>, SqlError> {
    db.query_all(
        "SELECT product_id, variant_id, title, variant_title, unit_price_minor, quantity FROM order_items \
         WHERE store_id = ?1 AND order_id = ?2 ORDER BY position",
        vec![order.into()],
    )
    .await
}

/// The number of the order `id`.
pub async fn number(db: &StoreDb<impl Sql>, id: &str) -> Result<Option<i64>, SqlError> {
    #[derive(Deserialize)]
    struct Number {
        number: i64,
    }
    let row: Option<Number> =
        db.query_first("SELECT number FROM orders WHERE store_id = ?1 AND id = ?2", vec![id.into()]).await?;
    Ok(row.map(|r| r.number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::analytics::daily_counts;
    use crate::repo::testing::{block_on, shard, store, store_id};
    use tenancy::sqlite::Sqlite;

    type Db<'a> = StoreDb<&'a Sqlite>;

    /// A published product `p1` without variants, and `p2` with a tracked variant `v1` (5 left)
    /// and an untracked `v2`, in store `n`.
    fn catalog(shard: &Sqlite, n: u8) {
        let store = store_id(n);
        let product = |id: &str, status: &str| {
            format!(
                "INSERT INTO products (store_id, id, slug, title, description, features, meta_title, meta_description, \
                 keywords, price_minor, cost_minor, currency, images, status, created_at, updated_at) VALUES \
                 ('{store}', '{id}-{n}', '{id}', 'Title {id}', '[]', '[]', '', '', '[]', 1000, 400, 'USD', '[]', '{status}', 'x', 'x');"
            )
        };
        shard
            .execute_script(&format!(
                "{}{}{}
                 INSERT INTO product_variants (store_id, id, product_id, title, options, price_minor, stock, position) VALUES
                   ('{store}', 'v1-{n}', 'p2-{n}', 'Red', '{{}}', 1200, 5, 0),
                   ('{store}', 'v2-{n}', 'p2-{n}', 'Blue', '{{}}', 1300, NULL, 1);",
                product("p1", "published"),
                product("p2", "published"),
                product("p3", "draft"),
            ))
            .unwrap();
    }

    fn line(product: &str, variant: Option<&str>, quantity: u32) -> PricedLine {
        PricedLine {
            product_id: product.into(),
            variant_id: variant.map(Into::into),
            title: "Brush".into(),
            variant_title: variant.map(|_| "Red".into()),
            unit_price_minor: 1200,
            quantity,
        }
    }

    fn open_checkout(db: &Db<'_>, id: &str, lines: &[PricedLine]) {
        let checkout = NewCheckout {
            id,
            cart_id: "cart1",
            access_token: &format!("token-{id}"),
            email: "ada@example.com",
            lines,
            subtotal_minor: 2400,
            currency: "USD",
            stripe_session_id: &format!("cs_{id}"),
            at: "2026-12-01T10:00:00Z",
        };
        block_on(db.execute_batch(vec![insert_checkout(db, &checkout).unwrap()])).unwrap();
    }

    fn pay(db: &Db<'_>, id: &str) -> CheckoutRow {
        let checkout =
            block_on(checkout_for_session(db, id, &format!("cs_{id}"))).unwrap().expect("the checkout");
        let payment = Payment {
            total_minor: 2500,
            stripe_session_id: &format!("cs_{id}"),
            stripe_payment_intent: Some("pi_1"),
            at: "2026-12-01T10:05:00Z",
            day: "2026-12-01",
            delivery: &Delivery {
                name: Some("Ada Lovelace".into()),
                phone: Some("+15555550100".into()),
                address: Some(r#"{"line1":"1 Main St","city":"Springfield","country":"US"}"#.into()),
                rate: Some("Standard shipping".into()),
                shipping_minor: 499,
                tax_minor: 101,
            },
        };
        block_on(record_payment(db, &checkout, &payment)).unwrap();
        checkout
    }

    fn stock(shard: &Sqlite, n: u8, variant: &str) -> Option<i64> {
        #[derive(Deserialize)]
        struct Stock {
            stock: Option<i64>,
        }
        let row: Option<Stock> = block_on(store(shard, n).query_first(
            "SELECT stock FROM product_variants WHERE store_id = ?1 AND id = ?2",
            vec![format!("{variant}-{n}").into()],
        ))
        .unwrap();
        row.expect("the variant").stock
    }

    #[test]
    fn only_published_products_of_the_store_are_sellable_with_their_variant_count() {
        let shard = shard();
        catalog(&shard, 1);
        let db = store(&shard, 1);
        let simple = block_on(sellable_product(&db, "p1-1")).unwrap().unwrap();
        assert_eq!((simple.price_minor, simple.variants), (1000, 0));
        assert_eq!(block_on(sellable_product(&db, "p2-1")).unwrap().unwrap().variants, 2);
        assert_eq!(block_on(sellable_product(&db, "p3-1")).unwrap(), None, "a draft");
        assert_eq!(block_on(sellable_product(&store(&shard, 2), "p1-1")).unwrap(), None, "another store's");
    }

    #[test]
    fn a_carts_suppliers_are_read_from_its_products() {
        let shard = shard();
        catalog(&shard, 1);
        let db = store(&shard, 1);
        block_on(db.execute("UPDATE products SET source = 'cj' WHERE store_id = ?1 AND id = 'p2-1'", vec![]))
            .unwrap();
        let mut sources = block_on(sources(&db, &["p1-1", "p2-1", "p2-1"])).unwrap();
        sources.sort();
        assert_eq!(sources, [None, Some("cj".to_owned())]);
        assert_eq!(
            block_on(super::sources(&store(&shard, 2), &["p1-1"])).unwrap(),
            Vec::<Option<String>>::new()
        );
    }

    #[test]
    fn a_variant_is_found_only_under_its_own_product_with_its_stock() {
        let shard = shard();
        catalog(&shard, 1);
        let db = store(&shard, 1);
        let red = block_on(sellable_variant(&db, "p2-1", "v1-1")).unwrap().unwrap();
        assert_eq!((red.title.as_str(), red.price_minor, red.stock), ("Red", 1200, Some(5)));
        assert_eq!(
            block_on(sellable_variant(&db, "p2-1", "v2-1")).unwrap().unwrap().stock,
            None,
            "untracked"
        );
        assert_eq!(block_on(sellable_variant(&db, "p1-1", "v1-1")).unwrap(), None, "another product's");
        assert_eq!(block_on(sellable_variant(&store(&shard, 2), "p2-1", "v1-1")).unwrap(), None);
    }

    #[test]
    fn a_checkout_is_found_only_with_its_own_session_and_store() {
        let shard = shard();
        let db = store(&shard, 1);
        let lines = [line("p2-1", Some("v1-1"), 2)];
        open_checkout(&db, "c1", &lines);
        let found = block_on(checkout_for_session(&db, "c1", "cs_c1")).unwrap().unwrap();
        assert_eq!((found.status.as_str(), found.lines()), ("open", lines.to_vec()));
        assert_eq!(block_on(checkout_for_session(&db, "c1", "cs_other")).unwrap(), None);
        assert_eq!(block_on(checkout_for_session(&store(&shard, 2), "c1", "cs_c1")).unwrap(), None);
    }

    #[test]
    fn a_payment_records_one_numbered_order_with_its_items_and_counts_once() {
        let shard = shard();
        catalog(&shard, 1);
        let db = store(&shard, 1);
        open_checkout(&db, "c1", &[line("p2-1", Some("v1-1"), 2), line("p1-1", None, 1)]);
        pay(&db, "c1");
        // Stripe delivers the event again: nothing changes a second time.
        let checkout = pay(&db, "c1");
        assert_eq!(checkout.status, "paid");
        let order = block_on(get(&db, "c1")).unwrap().expect("the order");
        assert_eq!((order.number, order.total_minor, order.status.as_str()), (1001, 2500, "paid"));
        assert_eq!(
            (order.shipping_name.as_deref(), order.shipping_phone.as_deref()),
            (Some("Ada Lovelace"), Some("+15555550100"))
        );
        assert!(order.shipping_address.as_deref().unwrap_or_default().contains("1 Main St"));
        assert_eq!(
            (order.shipping_rate.as_deref(), order.shipping_minor, order.tax_minor),
            (Some("Standard shipping"), 499, 101)
        );
        let items = block_on(items(&db, "c1")).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].variant_id.as_deref(), items[0].quantity), (Some("v1-1"), 2));
        assert_eq!((items[1].variant_id.as_deref(), items[1].variant_title.as_deref()), (None, None));
        assert_eq!(stock(&shard, 1, "v1"), Some(3), "two taken once");
        let history = block_on(crate::repo::fulfilment::events(&db, "c1")).unwrap();
        assert_eq!(
            history.iter().map(|e| e["state"].as_str().unwrap()).collect::<Vec<_>>(),
            ["paid"],
            "one paid event"
        );
        let counts = block_on(daily_counts(&db, "2026-12-01", "2026-12-01")).unwrap();
        assert_eq!(
            counts.iter().map(|c| (c.metric.as_str(), c.count)).collect::<Vec<_>>(),
            [("purchase", 1)]
        );
    }

    #[test]
    fn stock_never_goes_below_zero_and_untracked_stock_stays_untracked() {
        let shard = shard();
        catalog(&shard, 1);
        let db = store(&shard, 1);
        open_checkout(&db, "c1", &[line("p2-1", Some("v1-1"), 9), line("p2-1", Some("v2-1"), 3)]);
        pay(&db, "c1");
        assert_eq!(stock(&shard, 1, "v1"), Some(0));
        assert_eq!(stock(&shard, 1, "v2"), None);
    }

    #[test]
    fn order_numbers_count_per_store() {
        let shard = shard();
        catalog(&shard, 1);
        catalog(&shard, 2);
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        open_checkout(&one, "a1", &[line("p1-1", None, 1)]);
        open_checkout(&one, "a2", &[line("p1-1", None, 1)]);
        open_checkout(&two, "b1", &[line("p1-2", None, 1)]);
        for (db, id) in [(&one, "a1"), (&one, "a2"), (&two, "b1")] {
            pay(db, id);
        }
        assert_eq!(block_on(number(&one, "a2")).unwrap(), Some(1002));
        assert_eq!(block_on(number(&two, "b1")).unwrap(), Some(1001));
        assert_eq!(block_on(number(&two, "a1")).unwrap(), None, "another store's order");
        assert_eq!(block_on(get(&two, "a1")).unwrap(), None);
        assert!(block_on(items(&two, "a1")).unwrap().is_empty());
    }

    #[test]
    fn orders_page_newest_first_below_the_cursor() {
        let shard = shard();
        catalog(&shard, 1);
        let db = store(&shard, 1);
        for id in ["o1", "o2", "o3", "o4", "o5"] {
            open_checkout(&db, id, &[line("p1-1", None, 1)]);
            pay(&db, id);
        }
        let numbers = |page: &OrderPage| page.orders.iter().map(|o| o.number).collect::<Vec<_>>();
        let first = block_on(list(&db, i64::MAX, 2, None, None)).unwrap();
        assert_eq!((numbers(&first), first.next_before), (vec![1005, 1004], Some(1004)));
        let second = block_on(list(&db, 1004, 2, None, None)).unwrap();
        assert_eq!((numbers(&second), second.next_before), (vec![1003, 1002], Some(1002)));
        let last = block_on(list(&db, 1002, 2, None, None)).unwrap();
        assert_eq!((numbers(&last), last.next_before), (vec![1001], None));
        let exact = block_on(list(&db, i64::MAX, 5, None, None)).unwrap();
        assert_eq!((exact.orders.len(), exact.next_before), (5, None), "no next page when all fit");
        assert!(block_on(list(&store(&shard, 2), i64::MAX, 50, None, None)).unwrap().orders.is_empty());
        block_on(db.execute(
            "UPDATE orders SET fulfilment = 'failed' WHERE store_id = ?1 AND number = 1003",
            vec![],
        ))
        .unwrap();
        let failed = block_on(list(&db, i64::MAX, 50, Some("failed"), None)).unwrap();
        assert_eq!(numbers(&failed), vec![1003], "the state filter keeps that state only");
    }
}
