//! The supplier sync in the store database: the imported products it checks (`products` with a
//! source), the prices, status and stock it writes to `products` and `product_variants`, and the
//! history of every change it made (`product_changes`).

use queues::sync_api::Listing;
use serde::Deserialize;
use tenancy::shards::StoreDb;
use tenancy::sql::{Arg, Sql, SqlError, Statement};

/// Up to `limit` of the store's products that came from a supplier, in id order, after the id
/// `after` (from the start when empty).
pub async fn listings(db: &StoreDb<impl Sql>, after: &str, limit: u32) -> Result<Vec<Listing>, SqlError> {
    db.query_all(
        "SELECT id AS product_id, source, source_product_id FROM products \
         WHERE store_id = ?1 AND source IS NOT NULL AND source_product_id IS NOT NULL AND id > ?2 \
         ORDER BY id LIMIT ?3",
        vec![after.into(), limit.into()],
    )
    .await
}

/// An imported product as the sync reconciles it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SyncedProduct {
    /// Product id.
    pub id: String,
    /// The supplier.
    pub source: String,
    /// The product's id at the supplier.
    pub source_product_id: String,
    /// Price in minor units.
    pub price_minor: i64,
    /// Compare-at price in minor units.
    pub compare_at_minor: Option<i64>,
    /// Supplier cost in minor units.
    pub cost_minor: i64,
    /// ISO currency code.
    pub currency: String,
    /// `published` or `draft`.
    pub status: String,
    /// 1 or 0 as the last sync saw it; `None` before the first.
    pub supplier_available: Option<i64>,
    /// When the merchant last set the price by hand (`None`: the rules set it).
    pub priced_by_merchant_at: Option<String>,
}

/// The store's products imported under any of `source_product_ids` (whatever the supplier: the
/// caller matches the source).
pub async fn synced_products(
    db: &StoreDb<impl Sql>,
    source_product_ids: &[&str],
) -> Result<Vec<SyncedProduct>, SqlError> {
    if source_product_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = (0..source_product_ids.len()).map(|i| format!("?{}", i + 2)).collect::<Vec<_>>().join(", ");
    db.query_all(
        &format!(
            "SELECT id, source, source_product_id, price_minor, compare_at_minor, cost_minor, currency, status, \
             supplier_available, priced_by_merchant_at FROM products \
             WHERE store_id = ?1 AND source_product_id IN ({marks})"
        ),
        source_product_ids.iter().map(|&id| Arg::from(id)).collect(),
    )
    .await
}

/// What a sync decided for one product.
pub struct Reconciled<'a> {
    /// Product id.
    pub id: &'a str,
    /// New supplier cost in minor units.
    pub cost_minor: i64,
    /// New price in minor units.
    pub price_minor: i64,
    /// New compare-at price in minor units.
    pub compare_at_minor: Option<i64>,
    /// `published` or `draft`.
    pub status: &'a str,
    /// Whether the supplier has it.
    pub supplier_available: bool,
    /// Whether anything the shop shows changed (then `updated_at` moves).
    pub changed: bool,
    /// When it was checked (RFC 3339).
    pub at: &'a str,
}

/// The product's update after a check, for a batch.
pub fn update_product<D>(db: &StoreDb<D>, product: &Reconciled<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE products SET cost_minor = ?3, price_minor = ?4, compare_at_minor = ?5, status = ?6, \
         supplier_available = ?7, supplier_checked_at = ?8, \
         updated_at = CASE WHEN ?9 THEN ?8 ELSE updated_at END WHERE store_id = ?1 AND id = ?2",
        vec![
            product.id.into(),
            product.cost_minor.into(),
            product.price_minor.into(),
            product.compare_at_minor.into(),
            product.status.into(),
            product.supplier_available.into(),
            product.at.into(),
            product.changed.into(),
        ],
    )
}

/// Re-prices the product's variants that were priced like it (`old_price_minor`), for a batch;
/// variants the merchant priced apart keep their prices.
pub fn reprice_variants<D>(
    db: &StoreDb<D>,
    product: &str,
    old_price_minor: i64,
    price_minor: i64,
    compare_at_minor: Option<i64>,
    cost_minor: i64,
) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE product_variants SET price_minor = ?3, compare_at_minor = ?4, cost_minor = ?5 \
         WHERE store_id = ?1 AND product_id = ?2 AND price_minor = ?6",
        vec![
            product.into(),
            price_minor.into(),
            compare_at_minor.into(),
            cost_minor.into(),
            old_price_minor.into(),
        ],
    )
}

/// Sets the stock of every variant of the product (`None`: not tracked), for a batch.
pub fn set_stock<D>(db: &StoreDb<D>, product: &str, stock: Option<i64>) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE product_variants SET stock = ?3 WHERE store_id = ?1 AND product_id = ?2",
        vec![product.into(), stock.into()],
    )
}

/// One change a sync made, with its reason.
pub struct NewChange<'a> {
    /// Change id.
    pub id: &'a str,
    /// Product id.
    pub product_id: &'a str,
    /// The sync message that made it.
    pub sync_id: &'a str,
    /// `cost`, `price`, `compare_at`, `status` or `stock`.
    pub field: &'a str,
    /// The value before.
    pub old_value: Option<&'a str>,
    /// The value after.
    pub new_value: Option<&'a str>,
    /// Why.
    pub reason: &'a str,
    /// When (RFC 3339).
    pub at: &'a str,
}

/// The history row of a change, for a batch; the same sync recording the same field of a product
/// again writes nothing.
pub fn insert_change<D>(db: &StoreDb<D>, change: &NewChange<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO product_changes (id, store_id, product_id, sync_id, field, old_value, new_value, \
         reason, created_at) VALUES (?2, ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
         ON CONFLICT (store_id, product_id, sync_id, field) DO NOTHING",
        vec![
            change.id.into(),
            change.product_id.into(),
            change.sync_id.into(),
            change.field.into(),
            change.old_value.into(),
            change.new_value.into(),
            change.reason.into(),
            change.at.into(),
        ],
    )
}

/// When the supplier of a product was last checked and whether it had the product.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SupplierCheck {
    /// The last check (RFC 3339); `None` before the first.
    pub supplier_checked_at: Option<String>,
    /// 1 or 0 as the last check saw it.
    pub supplier_available: Option<i64>,
}

/// The last supplier check of the product `id`; `None` when the store has no such product.
pub async fn last_check(db: &StoreDb<impl Sql>, id: &str) -> Result<Option<SupplierCheck>, SqlError> {
    db.query_first(
        "SELECT supplier_checked_at, supplier_available FROM products WHERE store_id = ?1 AND id = ?2",
        vec![id.into()],
    )
    .await
}

/// A change a sync made, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChangeRow {
    /// `cost`, `price`, `compare_at`, `status` or `stock`.
    pub field: String,
    /// The value before.
    pub old_value: Option<String>,
    /// The value after.
    pub new_value: Option<String>,
    /// Why.
    pub reason: String,
    /// The sync message that made it.
    pub sync_id: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// The product's changes, newest first (in the order made, within a sync), at most 200.
pub async fn changes(db: &StoreDb<impl Sql>, product: &str) -> Result<Vec<ChangeRow>, SqlError> {
    db.query_all(
        "SELECT field, old_value, new_value, reason, sync_id, created_at FROM product_changes \
         WHERE store_id = ?1 AND product_id = ?2 ORDER BY created_at DESC, rowid DESC LIMIT 200",
        vec![product.into()],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store, store_id};
    use tenancy::sqlite::Sqlite;

    type Db<'a> = StoreDb<&'a Sqlite>;

    /// Products `a`, `b` (imported from `cj`) and `m` (written by hand) of store `n`; `a` has a
    /// variant priced like it and one priced apart.
    fn catalog(shard: &Sqlite, n: u8) {
        let store = store_id(n);
        let product = |id: &str, source: &str| {
            format!(
                "INSERT INTO products (store_id, id, slug, title, description, features, meta_title, meta_description, \
                 keywords, price_minor, compare_at_minor, cost_minor, currency, images, status, source, source_product_id, \
                 created_at, updated_at) VALUES ('{store}', '{id}{n}', '{id}', 'T', '[]', '[]', '', '', '[]', 1000, NULL, \
                 400, 'USD', '[]', 'published', {source}, {sid}, 'c', 'u');",
                sid = if source == "NULL" { "NULL".to_owned() } else { format!("'sp-{id}'") },
            )
        };
        shard
            .execute_script(&format!(
                "{}{}{}
                 INSERT INTO product_variants (store_id, id, product_id, title, options, price_minor, stock) VALUES
                   ('{store}', 'va{n}', 'a{n}', 'Same', '{{}}', 1000, 3),
                   ('{store}', 'vb{n}', 'a{n}', 'Apart', '{{}}', 1500, NULL);",
                product("a", "'cj'"),
                product("b", "'cj'"),
                product("m", "NULL"),
            ))
            .unwrap();
    }

    fn variants(db: &Db<'_>) -> Vec<(String, i64, Option<i64>)> {
        #[derive(Deserialize)]
        struct Row {
            id: String,
            price_minor: i64,
            stock: Option<i64>,
        }
        let rows: Vec<Row> = block_on(db.query_all(
            "SELECT id, price_minor, stock FROM product_variants WHERE store_id = ?1 ORDER BY id",
            vec![],
        ))
        .unwrap();
        rows.into_iter().map(|r| (r.id, r.price_minor, r.stock)).collect()
    }

    fn change<'a>(
        id: &'a str,
        product: &'a str,
        sync: &'a str,
        field: &'a str,
        at: &'a str,
    ) -> NewChange<'a> {
        NewChange {
            id,
            product_id: product,
            sync_id: sync,
            field,
            old_value: Some("400"),
            new_value: None,
            reason: "supplier cost changed",
            at,
        }
    }

    #[test]
    fn listings_are_the_stores_imported_products_in_id_order_after_the_cursor() {
        let shard = shard();
        catalog(&shard, 1);
        catalog(&shard, 2);
        let db = store(&shard, 1);
        let ids = |after, limit| {
            block_on(listings(&db, after, limit))
                .unwrap()
                .into_iter()
                .map(|l| l.product_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("", 10), ["a1", "b1"], "the hand-written product is not listed");
        assert_eq!(ids("", 1), ["a1"]);
        assert_eq!(ids("a1", 10), ["b1"]);
        let first = block_on(listings(&db, "", 1)).unwrap().remove(0);
        assert_eq!((first.source.as_str(), first.source_product_id.as_str()), ("cj", "sp-a"));
    }

    #[test]
    fn synced_products_are_found_by_supplier_id_in_the_store_only() {
        let shard = shard();
        catalog(&shard, 1);
        catalog(&shard, 2);
        let found = block_on(synced_products(&store(&shard, 1), &["sp-a", "sp-x", "sp-b"])).unwrap();
        let mut ids: Vec<&str> = found.iter().map(|p| p.id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["a1", "b1"]);
        assert_eq!(found[0].supplier_available, None, "never synced");
        assert!(block_on(synced_products(&store(&shard, 1), &[])).unwrap().is_empty());
    }

    #[test]
    fn a_price_the_merchant_sets_is_marked_for_the_sync_in_that_store_only() {
        let shard = shard();
        catalog(&shard, 1);
        catalog(&shard, 2);
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        fn marked(db: &Db<'_>) -> Vec<Option<String>> {
            let mut rows = block_on(synced_products(db, &["sp-a", "sp-b"])).unwrap();
            rows.sort_by(|a, b| a.id.cmp(&b.id));
            rows.into_iter().map(|r| r.priced_by_merchant_at).collect()
        }
        assert_eq!(marked(&one), [None, None], "imported prices follow the rules");
        let at = "2026-12-07T10:00:00Z";
        block_on(one.execute_batch(vec![crate::repo::products::priced_by_merchant(&one, "a1", at).unwrap()]))
            .unwrap();
        assert_eq!(marked(&one), [Some(at.to_owned()), None]);
        assert_eq!(marked(&two), [None, None], "the other store's a1 is its own");
    }

    #[test]
    fn a_sync_reprices_variants_priced_like_the_product_and_sets_stock_in_one_batch() {
        let shard = shard();
        catalog(&shard, 1);
        catalog(&shard, 2);
        let db = store(&shard, 1);
        let product = Reconciled {
            id: "a1",
            cost_minor: 500,
            price_minor: 1250,
            compare_at_minor: Some(1500),
            status: "draft",
            supplier_available: false,
            changed: true,
            at: "2026-12-01T10:00:00Z",
        };
        block_on(db.execute_batch(vec![
            update_product(&db, &product).unwrap(),
            reprice_variants(&db, "a1", 1000, 1250, Some(1500), 500).unwrap(),
            set_stock(&db, "a1", Some(0)).unwrap(),
        ]))
        .unwrap();
        assert_eq!(variants(&db), [("va1".into(), 1250, Some(0)), ("vb1".into(), 1500, Some(0))]);
        let check = block_on(last_check(&db, "a1")).unwrap().unwrap();
        assert_eq!(
            (check.supplier_checked_at.as_deref(), check.supplier_available),
            (Some("2026-12-01T10:00:00Z"), Some(0))
        );
        let after = block_on(synced_products(&db, &["sp-a"])).unwrap().remove(0);
        assert_eq!(
            (after.price_minor, after.compare_at_minor, after.status.as_str()),
            (1250, Some(1500), "draft")
        );
        let other = store(&shard, 2);
        assert_eq!(
            variants(&other),
            [("va2".into(), 1000, Some(3)), ("vb2".into(), 1500, None)],
            "untouched"
        );
        assert_eq!(block_on(last_check(&other, "a2")).unwrap().unwrap().supplier_checked_at, None);
    }

    #[test]
    fn an_unchanged_check_keeps_the_products_update_time() {
        let shard = shard();
        catalog(&shard, 1);
        let db = store(&shard, 1);
        let product = Reconciled {
            id: "b1",
            cost_minor: 400,
            price_minor: 1000,
            compare_at_minor: None,
            status: "published",
            supplier_available: true,
            changed: false,
            at: "2026-12-01T10:00:00Z",
        };
        block_on(db.execute_batch(vec![update_product(&db, &product).unwrap()])).unwrap();
        #[derive(Deserialize)]
        struct Updated {
            updated_at: String,
        }
        let row: Option<Updated> = block_on(
            db.query_first("SELECT updated_at FROM products WHERE store_id = ?1 AND id = 'b1'", vec![]),
        )
        .unwrap();
        assert_eq!(row.unwrap().updated_at, "u");
        assert_eq!(block_on(last_check(&db, "b1")).unwrap().unwrap().supplier_available, Some(1));
    }

    #[test]
    fn changes_are_kept_once_per_sync_and_field_and_read_newest_first() {
        let shard = shard();
        catalog(&shard, 1);
        catalog(&shard, 2);
        let db = store(&shard, 1);
        let record = |changes: &[NewChange<'_>]| {
            block_on(db.execute_batch(changes.iter().map(|c| insert_change(&db, c).unwrap()).collect()))
                .unwrap();
        };
        record(&[
            change("x1", "a1", "s1", "cost", "2026-12-01"),
            change("x2", "a1", "s1", "price", "2026-12-01"),
        ]);
        record(&[change("x3", "a1", "s1", "cost", "2026-12-01")]);
        record(&[
            change("x4", "a1", "s2", "status", "2026-12-02"),
            change("x5", "b1", "s2", "stock", "2026-12-02"),
        ]);
        let got: Vec<(String, String)> =
            block_on(changes(&db, "a1")).unwrap().into_iter().map(|c| (c.sync_id, c.field)).collect();
        assert_eq!(
            got,
            [("s2".into(), "status".into()), ("s1".into(), "price".into()), ("s1".into(), "cost".into())]
        );
        assert_eq!(block_on(changes(&db, "a1")).unwrap()[2].new_value, None);
        assert!(block_on(changes(&store(&shard, 2), "a1")).unwrap().is_empty());
        assert_eq!(block_on(last_check(&store(&shard, 2), "a1")).unwrap(), None, "another store's product");
    }
}
