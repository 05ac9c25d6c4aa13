//! A store's pricing rules (`pricing_rules`, one row per store; a store without one prices with
//! [`PricingRules::default`]).

use domain::pricing::PricingRules;
use serde::Deserialize;
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError};

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
}
