//! Shopper analytics in the store database: the daily counts per metric (`shopper_metrics`) the
//! storefront, checkouts and purchases add to, and the revenue the merchant's report reads from
//! `orders`.

use serde::Deserialize;
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

/// One metric's count on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DailyCount {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// `page_view`, `product_view`, `add_to_cart`, `checkout_started` or `purchase`.
    pub metric: String,
    /// How many happened that day.
    pub count: i64,
}

/// Orders placed over a range of days and what they brought in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct Revenue {
    /// The orders' totals, in minor units.
    pub revenue: i64,
    /// How many orders.
    pub orders: i64,
}

/// The write adding `count` (and `amount_minor`) to the store's `metric` on `day`, for a batch.
pub fn add<D>(
    db: &StoreDb<D>,
    metric: &str,
    day: &str,
    count: u32,
    amount_minor: i64,
) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO shopper_metrics (store_id, day, metric, count, amount_minor) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (store_id, day, metric) DO UPDATE SET count = count + excluded.count, amount_minor = amount_minor + excluded.amount_minor",
        vec![day.into(), metric.into(), count.into(), amount_minor.into()],
    )
}

/// The store's counts from `from` to `to` (both `YYYY-MM-DD`, inclusive), in day order.
pub async fn daily_counts(db: &StoreDb<impl Sql>, from: &str, to: &str) -> Result<Vec<DailyCount>, SqlError> {
    db.query_all(
        "SELECT day, metric, count FROM shopper_metrics WHERE store_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day",
        vec![from.into(), to.into()],
    )
    .await
}

/// The orders placed from `from` to `to` (UTC days, inclusive) and their summed totals.
pub async fn revenue(db: &StoreDb<impl Sql>, from: &str, to: &str) -> Result<Revenue, SqlError> {
    Ok(db
        .query_first(
            "SELECT COALESCE(SUM(total_minor), 0) AS revenue, COUNT(*) AS orders FROM orders \
             WHERE store_id = ?1 AND substr(created_at, 1, 10) >= ?2 AND substr(created_at, 1, 10) <= ?3",
            vec![from.into(), to.into()],
        )
        .await?
        .unwrap_or_default())
}

/// What the merchant refunded from `from` to `to` (UTC days, inclusive, by the refund's day), in
/// minor units: the succeeded refunds.
pub async fn refunded(db: &StoreDb<impl Sql>, from: &str, to: &str) -> Result<i64, SqlError> {
    #[derive(Deserialize)]
    struct Sum {
        refunded: i64,
    }
    let sum: Option<Sum> = db
        .query_first(
            "SELECT COALESCE(SUM(amount_minor), 0) AS refunded FROM refunds WHERE store_id = ?1 \
             AND status = 'succeeded' AND substr(created_at, 1, 10) >= ?2 AND substr(created_at, 1, 10) <= ?3",
            vec![from.into(), to.into()],
        )
        .await?;
    Ok(sum.map_or(0, |s| s.refunded))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store};

    fn record(db: &StoreDb<&tenancy::sqlite::Sqlite>, adds: &[(&str, &str, u32, i64)]) {
        let statements = adds.iter().map(|(m, d, c, a)| add(db, m, d, *c, *a).unwrap()).collect();
        block_on(db.execute_batch(statements)).unwrap();
    }

    #[test]
    fn counts_of_the_same_day_and_metric_add_up() {
        let shard = shard();
        let db = store(&shard, 1);
        record(&db, &[("page_view", "2026-12-01", 3, 0), ("page_view", "2026-12-01", 4, 0)]);
        record(&db, &[("add_to_cart", "2026-12-01", 1, 0)]);
        let counts = block_on(daily_counts(&db, "2026-12-01", "2026-12-01")).unwrap();
        let got: Vec<(&str, i64)> = counts.iter().map(|c| (c.metric.as_str(), c.count)).collect();
        assert_eq!(got.len(), 2);
        assert!(got.contains(&("page_view", 7)) && got.contains(&("add_to_cart", 1)), "{got:?}");
    }

    #[test]
    fn the_range_includes_both_ends_in_day_order_and_nothing_outside() {
        let shard = shard();
        let db = store(&shard, 1);
        record(
            &db,
            &[
                ("page_view", "2026-12-03", 1, 0),
                ("page_view", "2026-11-30", 9, 0),
                ("page_view", "2026-12-01", 2, 0),
                ("page_view", "2026-12-04", 9, 0),
            ],
        );
        let counts = block_on(daily_counts(&db, "2026-12-01", "2026-12-03")).unwrap();
        let days: Vec<&str> = counts.iter().map(|c| c.day.as_str()).collect();
        assert_eq!(days, ["2026-12-01", "2026-12-03"]);
    }

    #[test]
    fn another_stores_counts_are_not_seen() {
        let shard = shard();
        record(&store(&shard, 1), &[("page_view", "2026-12-01", 5, 0)]);
        assert!(block_on(daily_counts(&store(&shard, 2), "2026-12-01", "2026-12-01")).unwrap().is_empty());
    }

    #[test]
    fn an_unknown_metric_is_refused_by_the_schema() {
        let shard = shard();
        let db = store(&shard, 1);
        let error =
            block_on(db.execute_batch(vec![add(&db, "refund", "2026-12-01", 1, 0).unwrap()])).unwrap_err();
        assert!(matches!(error, SqlError::Constraint(_)), "{error:?}");
    }

    #[test]
    fn revenue_sums_the_stores_orders_of_the_days_and_is_zero_without_any() {
        let shard = shard();
        let at = |id: &str, store: u8, number: i64, total: i64, created: &str| {
            format!(
                "INSERT INTO orders (store_id, id, number, checkout_id, access_token, email, subtotal_minor, total_minor, \
                 currency, stripe_session_id, created_at) VALUES ('{}', '{id}', {number}, '{id}', 't{id}', 'a@example.com', \
                 {total}, {total}, 'USD', 'cs', '{created}');",
                crate::repo::testing::store_id(store)
            )
        };
        shard
            .execute_script(&format!(
                "{}{}{}{}",
                at("o1", 1, 1001, 1500, "2026-12-01T10:00:00Z"),
                at("o2", 1, 1002, 2500, "2026-12-02T23:59:59Z"),
                at("o3", 1, 1003, 9900, "2026-12-03T00:00:00Z"),
                at("o4", 2, 1001, 7700, "2026-12-01T10:00:00Z"),
            ))
            .unwrap();
        let got = block_on(revenue(&store(&shard, 1), "2026-12-01", "2026-12-02")).unwrap();
        assert_eq!(got, Revenue { revenue: 4000, orders: 2 });
        let none = block_on(revenue(&store(&shard, 3), "2026-12-01", "2026-12-02")).unwrap();
        assert_eq!(none, Revenue { revenue: 0, orders: 0 });
    }
}
