//! Refunds of an order (`refunds`), whole or in part. A refund is written `pending` before Stripe
//! is asked and only while what is pending or refunded stays within what was paid, so that two
//! requests at once cannot refund more than the order's total; Stripe's answer makes it
//! `succeeded` or `failed`.

use serde::{Deserialize, Serialize};
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

/// What a refund needs of its order.
#[derive(Debug, Clone, Deserialize)]
pub struct Refundable {
    /// The order's number, as the shopper knows it.
    pub number: i64,
    /// The shopper's address.
    pub email: String,
    /// What was charged, in minor units.
    pub total_minor: i64,
    /// ISO currency code.
    pub currency: String,
    /// The Stripe PaymentIntent the refund goes against.
    pub stripe_payment_intent: Option<String>,
    /// The order page's secret.
    pub access_token: String,
    /// Refunded or being refunded.
    pub committed_minor: i64,
}

/// A refund as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRow {
    /// Refund id.
    pub id: String,
    /// The amount, in minor units.
    pub amount_minor: i64,
    /// `requested_by_customer`, `duplicate` or `fraudulent`.
    pub reason: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// When it was asked for (RFC 3339).
    pub created_at: String,
}

/// The order `id` with what is refunded or pending on it.
pub async fn refundable(db: &StoreDb<impl Sql>, id: &str) -> Result<Option<Refundable>, SqlError> {
    db.query_first(
        "SELECT o.number, o.email, o.total_minor, o.currency, o.stripe_payment_intent, o.access_token, \
         (SELECT COALESCE(SUM(r.amount_minor), 0) FROM refunds r WHERE r.store_id = ?1 AND r.order_id = o.id \
          AND r.status <> 'failed') AS committed_minor \
         FROM orders o WHERE o.store_id = ?1 AND o.id = ?2",
        vec![id.into()],
    )
    .await
}

/// A refund of the order
pub struct NewRefund<'a> {
    /// Refund id.
    pub id: &'a str,
    /// The order.
    pub order_id: &'a str,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// Stripe's reason.
    pub reason: &'a str,
    /// Now (RFC 3339).
    pub at: &'a str,
}

/// Records a pending refund unless it would take the order's refunds past its total (then it
/// changes nothing: zero rows).
pub fn insert<D>(db: &StoreDb<D>, refund: &NewRefund<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO refunds (store_id, id, order_id, amount_minor, reason, status, created_at) \
         SELECT ?1, ?2, ?3, ?4, ?5, 'pending', ?6 FROM orders o WHERE o.store_id = ?1 AND o.id = ?3 \
         AND o.total_minor >= ?4 + (SELECT COALESCE(SUM(r.amount_minor), 0) FROM refunds r \
             WHERE r.store_id = ?1 AND r.order_id = ?3 AND r.status <> 'failed')",
        vec![
            refund.id.into(),
            refund.order_id.into(),
            refund.amount_minor.into(),
            refund.reason.into(),
            refund.at.into(),
        ],
    )
}

/// Stripe's answer to refund `id`: `succeeded` with its refund id, or `failed`.
pub fn settle<D>(db: &StoreDb<D>, id: &str, stripe_refund_id: Option<&str>) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE refunds SET status = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'succeeded' END, \
         stripe_refund_id = ?3 WHERE store_id = ?1 AND id = ?2 AND status = 'pending'",
        vec![id.into(), stripe_refund_id.into()],
    )
}

/// Marks the order refunded once its succeeded refunds reach its total.
pub fn mark_refunded<D>(db: &StoreDb<D>, order: &str) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE orders SET status = 'refunded' WHERE store_id = ?1 AND id = ?2 AND total_minor <= \
         (SELECT COALESCE(SUM(r.amount_minor), 0) FROM refunds r WHERE r.store_id = ?1 AND r.order_id = ?2 \
          AND r.status = 'succeeded')",
        vec![order.into()],
    )
}

/// The order's refunds, oldest first.
pub async fn of_order(db: &StoreDb<impl Sql>, order: &str) -> Result<Vec<RefundRow>, SqlError> {
    db.query_all(
        "SELECT id, amount_minor, reason, status, created_at FROM refunds WHERE store_id = ?1 AND order_id = ?2 \
         ORDER BY created_at, id",
        vec![order.into()],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store};

    const AT: &str = "2026-12-07T10:00:00Z";

    fn order(shard: &tenancy::sqlite::Sqlite, n: u8, id: &str, total: i64) {
        let store = crate::repo::testing::store_id(n);
        shard
            .execute_script(&format!(
                "INSERT INTO orders (id, store_id, number, checkout_id, access_token, email, subtotal_minor, total_minor, \
                 currency, stripe_session_id, stripe_payment_intent, created_at) VALUES \
                 ('{id}', '{store}', 1001, '{id}', 'tok-{id}', 'ada@example.com', {total}, {total}, 'USD', 'cs_{id}', 'pi_{id}', '{AT}');"
            ))
            .unwrap();
    }

    fn refund<'a>(id: &'a str, amount: i64) -> NewRefund<'a> {
        NewRefund { id, order_id: "o1", amount_minor: amount, reason: "requested_by_customer", at: AT }
    }

    #[test]
    fn refunds_never_add_up_past_what_was_paid_and_a_full_refund_marks_the_order() {
        let shard = shard();
        order(&shard, 1, "o1", 2500);
        let db = store(&shard, 1);
        let written =
            |r: NewRefund<'_>| block_on(db.execute_batch(vec![insert(&db, &r).unwrap()])).unwrap()[0].changes;
        assert_eq!(written(refund("r1", 1000)), 1);
        assert_eq!(written(refund("r2", 1501)), 0, "1,000 pending + 1,501 is more than 2,500");
        assert_eq!(block_on(refundable(&db, "o1")).unwrap().unwrap().committed_minor, 1000);

        // A failed refund frees its amount; a succeeded one keeps it.
        block_on(db.execute_batch(vec![settle(&db, "r1", None).unwrap()])).unwrap();
        assert_eq!(written(refund("r3", 2500)), 1);
        block_on(db.execute_batch(vec![
            settle(&db, "r3", Some("re_3")).unwrap(),
            mark_refunded(&db, "o1").unwrap(),
        ]))
        .unwrap();
        let status: Option<serde_json::Value> =
            block_on(db.query_first("SELECT status FROM orders WHERE store_id = ?1 AND id = 'o1'", vec![]))
                .unwrap();
        assert_eq!(status.unwrap()["status"], "refunded");
        let all = block_on(of_order(&db, "o1")).unwrap();
        let got: Vec<(&str, &str)> = all.iter().map(|r| (r.id.as_str(), r.status.as_str())).collect();
        assert_eq!(got, [("r1", "failed"), ("r3", "succeeded")]);
        assert_eq!(written(refund("r4", 1)), 0, "nothing is left to refund");
        let day = &AT[..10];
        assert_eq!(
            block_on(crate::repo::analytics::refunded(&db, day, day)).unwrap(),
            2500,
            "succeeded refunds only"
        );
    }

    #[test]
    fn another_stores_order_cannot_be_refunded() {
        let shard = shard();
        order(&shard, 1, "o1", 2500);
        let other = store(&shard, 2);
        assert_eq!(
            block_on(other.execute_batch(vec![insert(&other, &refund("r1", 100)).unwrap()])).unwrap()[0]
                .changes,
            0
        );
        assert!(block_on(refundable(&other, "o1")).unwrap().is_none());
    }
}
