//! A store's pricing rules (`pricing_rules`, one row per store; a store without one prices with
//! [`PricingRules::default`]), and re-pricing the products that follow them: the imported
//! products whose price the merchant did not set (`priced_by_merchant_at` is NULL).
//!
//! A re-pricing writes a page of products in three statements whatever its size: the prices go
//! as one JSON parameter read with `json_each`, because D1 binds at most 100 parameters to a
//! statement and runs at most 1,000 queries per invocation.

use crate::repo::supply::SyncedProduct;
use domain::pricing::PricingRules;
use domain::supply::Change;
use serde::Deserialize;
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

#[derive(Deserialize)]
struct Row {
    markup_bps: u32,
    min_margin_bps: u32,
    compare_at_bps: u32,
    psychological_endings: i64,
}

/// The store's rules, its defaults when never set.
pub async fn get(db: &StoreDb<impl Sql>) -> Result<PricingRules, SqlError> {
    let row: Option<Row> = db
        .query_first(
            "SELECT markup_bps, min_margin_bps, compare_at_bps, psychological_endings FROM pricing_rules \
             WHERE store_id = ?1",
            vec![],
        )
        .await?;
    Ok(row.map_or_else(PricingRules::default, |r| PricingRules {
        markup_bps: r.markup_bps,
        min_margin_bps: r.min_margin_bps,
        compare_at_bps: r.compare_at_bps,
        psychological_endings: r.psychological_endings != 0,
    }))
}

/// Replaces the store's rules (already validated).
pub async fn put(db: &StoreDb<impl Sql>, rules: &PricingRules, at: &str) -> Result<(), SqlError> {
    db.execute(
        "INSERT INTO pricing_rules (store_id, markup_bps, min_margin_bps, compare_at_bps, psychological_endings, \
         updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (store_id) DO UPDATE SET markup_bps = excluded.markup_bps, \
         min_margin_bps = excluded.min_margin_bps, compare_at_bps = excluded.compare_at_bps, \
         psychological_endings = excluded.psychological_endings, updated_at = excluded.updated_at",
        vec![
            rules.markup_bps.into(),
            rules.min_margin_bps.into(),
            rules.compare_at_bps.into(),
            i64::from(rules.psychological_endings).into(),
            at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Up to `limit` of the store's products that follow its rules (imported, with a cost, and not
/// priced by the merchant), in id order after the id `after` (from the start when empty).
/// They come as the sync's rows, whose decoder the Worker has already.
pub async fn followers(
    db: &StoreDb<impl Sql>,
    after: &str,
    limit: u32,
) -> Result<Vec<SyncedProduct>, SqlError> {
    db.query_all(
        "SELECT id, source, source_product_id, price_minor, compare_at_minor, cost_minor, currency, status, \
         supplier_available, priced_by_merchant_at FROM products WHERE store_id = ?1 \
         AND source IS NOT NULL AND priced_by_merchant_at IS NULL AND cost_minor > 0 AND id > ?2 ORDER BY id LIMIT ?3",
        vec![after.into(), limit.into()],
    )
    .await
}

/// How many of the store's products have a price the merchant set: by hand, or written by hand
/// without a supplier.
pub async fn kept(db: &StoreDb<impl Sql>) -> Result<u64, SqlError> {
    let row: Option<crate::repo::Count> = db
        .query_first(
            "SELECT COUNT(*) AS n FROM products WHERE store_id = ?1 \
             AND (priced_by_merchant_at IS NOT NULL OR source IS NULL)",
            vec![],
        )
        .await?;
    Ok(row.map_or(0, |c| c.n))
}

/// A product's new prices by the rules, and the history entries that say why (each with its id).
#[derive(Debug, Clone)]
pub struct Repriced {
    /// Product id.
    pub id: String,
    /// The price before, which variants priced like the product still have.
    pub old_price_minor: i64,
    /// The new price in minor units.
    pub price_minor: i64,
    /// The new compare-at price in minor units.
    pub compare_at_minor: Option<i64>,
    /// History entries: their ids and the changes.
    pub changes: Vec<(String, Change)>,
}

/// The statements that re-price `products` by the rules, for one batch (none for no products):
/// the products' prices (and, when `handed_back`, the merchant's mark cleared; otherwise a product
/// the merchant priced meanwhile is left alone), their variants priced like them, and the history
/// under `sync_id` (an entry already recorded under it is not written twice).
pub fn reprice<D>(
    db: &StoreDb<D>,
    products: &[Repriced],
    handed_back: bool,
    sync_id: &str,
    at: &str,
) -> Result<Vec<Statement>, SqlError> {
    if products.is_empty() {
        return Ok(Vec::new());
    }
    // Tuples, read back by index: [id, price, compare-at, old price] and
    // [history id, product, field, old, new, reason].
    let prices: Vec<_> =
        products.iter().map(|p| (&p.id, p.price_minor, p.compare_at_minor, p.old_price_minor)).collect();
    let history: Vec<_> = products
        .iter()
        .flat_map(|p| p.changes.iter().map(move |(id, c)| (id, &p.id, &c.field, &c.old, &c.new, &c.reason)))
        .collect();
    // Strings and integers only: serializing them cannot fail.
    let (prices, history) = (
        serde_json::to_string(&prices).expect("prices serialize"),
        serde_json::to_string(&history).expect("history serializes"),
    );
    let new = |index: u8| {
        format!(
            "(SELECT json_extract(value, '$[{index}]') FROM json_each(?2) \
             WHERE json_extract(value, '$[0]') = products.id)"
        )
    };
    Ok(vec![
        db.scoped(
            &format!(
                "UPDATE products SET price_minor = {}, compare_at_minor = {}, priced_by_merchant_at = NULL, \
                 updated_at = ?3 WHERE store_id = ?1 AND (?4 OR priced_by_merchant_at IS NULL) \
                 AND id IN (SELECT json_extract(value, '$[0]') FROM json_each(?2))",
                new(1),
                new(2)
            ),
            vec![prices.clone().into(), at.into(), handed_back.into()],
        )?,
        db.scoped(
            "UPDATE product_variants SET \
             price_minor = (SELECT json_extract(value, '$[1]') FROM json_each(?2) \
             WHERE json_extract(value, '$[0]') = product_variants.product_id), \
             compare_at_minor = (SELECT json_extract(value, '$[2]') FROM json_each(?2) \
             WHERE json_extract(value, '$[0]') = product_variants.product_id) \
             WHERE store_id = ?1 AND EXISTS (SELECT 1 FROM json_each(?2) \
             WHERE json_extract(value, '$[0]') = product_variants.product_id \
             AND json_extract(value, '$[3]') = product_variants.price_minor) \
             AND product_id IN (SELECT id FROM products WHERE store_id = ?1 AND priced_by_merchant_at IS NULL)",
            vec![prices.into()],
        )?,
        db.scoped(
            "INSERT INTO product_changes (id, store_id, product_id, sync_id, field, old_value, new_value, reason, \
             created_at) SELECT json_extract(value, '$[0]'), ?1, json_extract(value, '$[1]'), ?3, \
             json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'), \
             json_extract(value, '$[5]'), ?4 FROM json_each(?2) WHERE json_extract(value, '$[1]') IN \
             (SELECT id FROM products WHERE store_id = ?1 AND priced_by_merchant_at IS NULL) \
             ON CONFLICT (store_id, product_id, sync_id, field) DO NOTHING",
            vec![history.into(), sync_id.into(), at.into()],
        )?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store};

    #[test]
    fn rules_are_kept_per_store_and_default_until_set() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        assert_eq!(block_on(get(&one)).unwrap(), PricingRules::default());
        let mut rules = PricingRules {
            markup_bps: 30_000,
            min_margin_bps: 4_000,
            compare_at_bps: 0,
            psychological_endings: false,
        };
        block_on(put(&one, &rules, "2026-12-07T10:00:00Z")).unwrap();
        assert_eq!(block_on(get(&one)).unwrap(), rules);
        assert_eq!(
            block_on(get(&two)).unwrap(),
            PricingRules::default(),
            "another store's rules are its own"
        );
        rules.compare_at_bps = 15_000;
        block_on(put(&one, &rules, "2026-12-07T11:00:00Z")).unwrap();
        assert_eq!(block_on(get(&one)).unwrap(), rules);
    }

    #[test]
    fn the_table_refuses_rules_out_of_bounds() {
        let shard = shard();
        let one = store(&shard, 1);
        let rules = PricingRules { markup_bps: 5_000, ..PricingRules::default() };
        assert!(block_on(put(&one, &rules, "2026-12-07T10:00:00Z")).is_err());
    }

    /// Store `n`'s products: `a` (imported, priced by the rules, with a variant priced like it and
    /// one priced apart), `b` (imported, priced by the merchant), `m` (written by hand) and `z`
    /// (imported, no cost).
    fn catalog(shard: &tenancy::sqlite::Sqlite, n: u8) {
        let store = crate::repo::testing::store_id(n);
        let product = |id: &str, source: &str, cost: i64, mark: &str| {
            format!(
                "INSERT INTO products (store_id, id, slug, title, description, features, meta_title, meta_description, \
                 keywords, price_minor, compare_at_minor, cost_minor, currency, images, status, source, source_product_id, \
                 priced_by_merchant_at, created_at, updated_at) VALUES ('{store}', '{id}{n}', '{id}', 'T', '[]', '[]', '', \
                 '', '[]', 1000, NULL, {cost}, 'USD', '[]', 'published', {source}, 'sp-{id}', {mark}, 'c', 'u');"
            )
        };
        shard
            .execute_script(&format!(
                "{}{}{}{}
                 INSERT INTO product_variants (store_id, id, product_id, title, options, price_minor, stock) VALUES
                   ('{store}', 'va{n}', 'a{n}', 'Same', '{{}}', 1000, 3),
                   ('{store}', 'vb{n}', 'a{n}', 'Apart', '{{}}', 1500, NULL);",
                product("a", "'aliexpress'", 400, "NULL"),
                product("b", "'aliexpress'", 400, "'2026-12-07T09:00:00Z'"),
                product("m", "NULL", 400, "NULL"),
                product("z", "'feed'", 0, "NULL"),
            ))
            .unwrap();
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Priced {
        id: String,
        price_minor: i64,
        compare_at_minor: Option<i64>,
        priced_by_merchant_at: Option<String>,
    }

    fn prices(db: &StoreDb<&tenancy::sqlite::Sqlite>, table: &str) -> Vec<(String, i64, Option<i64>)> {
        #[derive(Deserialize)]
        struct Row {
            id: String,
            price_minor: i64,
            compare_at_minor: Option<i64>,
        }
        let rows: Vec<Row> = block_on(db.query_all(
            &format!("SELECT id, price_minor, compare_at_minor FROM {table} WHERE store_id = ?1 ORDER BY id"),
            vec![],
        ))
        .unwrap();
        rows.into_iter().map(|r| (r.id, r.price_minor, r.compare_at_minor)).collect()
    }

    fn repriced(id: &str, history: &str) -> Repriced {
        Repriced {
            id: id.into(),
            old_price_minor: 1000,
            price_minor: 1299,
            compare_at_minor: Some(1799),
            changes: vec![(
                history.into(),
                Change {
                    field: "price".into(),
                    old: Some("$10.00".into()),
                    new: Some("$12.99".into()),
                    reason: "the store's pricing rules changed".into(),
                },
            )],
        }
    }

    #[test]
    fn the_products_that_follow_the_rules_are_the_imported_ones_the_merchant_did_not_price() {
        let shard = shard();
        catalog(&shard, 1);
        catalog(&shard, 2);
        let one = store(&shard, 1);
        let ids = |after| {
            block_on(followers(&one, after, 10)).unwrap().into_iter().map(|f| f.id).collect::<Vec<_>>()
        };
        assert_eq!(
            ids(""),
            ["a1"],
            "not the merchant's price, the hand-written product or the one without a cost"
        );
        assert!(ids("a1").is_empty());
        assert_eq!(block_on(kept(&one)).unwrap(), 2, "b1 priced by hand, m1 written by hand");
    }

    #[test]
    fn a_repricing_moves_the_followers_and_their_like_priced_variants_once_and_records_why() {
        let shard = shard();
        catalog(&shard, 1);
        catalog(&shard, 2);
        let one = store(&shard, 1);
        let at = "2026-12-08T01:00:00Z";
        let batch =
            || reprice(&one, &[repriced("a1", "h1"), repriced("b1", "h2")], false, "rules:x", at).unwrap();
        block_on(one.execute_batch(batch())).unwrap();
        let products = prices(&one, "products");
        assert_eq!(products[0], ("a1".into(), 1299, Some(1799)));
        assert_eq!(products[1], ("b1".into(), 1000, None), "the merchant's price is kept");
        assert_eq!(
            prices(&one, "product_variants"),
            [("va1".into(), 1299, Some(1799)), ("vb1".into(), 1500, None)],
            "a variant priced apart keeps its price"
        );
        let history = || block_on(crate::repo::supply::changes(&one, "a1")).unwrap();
        assert_eq!((history().len(), history()[0].sync_id.as_str()), (1, "rules:x"));
        assert!(block_on(crate::repo::supply::changes(&one, "b1")).unwrap().is_empty());
        block_on(one.execute_batch(batch())).unwrap();
        assert_eq!(history().len(), 1, "a repeat records nothing twice");
        let two = store(&shard, 2);
        assert_eq!(prices(&two, "products")[0], ("a2".into(), 1000, None), "another store's a is its own");
        assert!(reprice(&one, &[], false, "rules:x", at).unwrap().is_empty());
    }

    #[test]
    fn a_price_handed_back_clears_the_merchants_mark() {
        let shard = shard();
        catalog(&shard, 1);
        let one = store(&shard, 1);
        let at = "2026-12-08T01:00:00Z";
        block_on(one.execute_batch(reprice(&one, &[repriced("b1", "h1")], true, "merchant:x", at).unwrap()))
            .unwrap();
        let row: Option<Priced> = block_on(one.query_first(
            "SELECT id, price_minor, compare_at_minor, priced_by_merchant_at FROM products WHERE store_id = ?1 AND id = 'b1'",
            vec![],
        ))
        .unwrap();
        assert_eq!(
            row.unwrap(),
            Priced {
                id: "b1".into(),
                price_minor: 1299,
                compare_at_minor: Some(1799),
                priced_by_merchant_at: None
            }
        );
        assert_eq!(
            block_on(crate::repo::supply::changes(&one, "b1")).unwrap()[0].reason,
            "the store's pricing rules changed"
        );
        assert_eq!(block_on(followers(&one, "", 10)).unwrap().len(), 2, "b1 follows the rules again");
    }
}
