//! Buyers' reviews (`reviews`): written from an order's review page, one per product per order,
//! shown once the merchant approves them.

use serde::{Deserialize, Serialize};
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

/// The paid order behind a review page's token and whether it holds the product: what proves
/// a verified buyer.
#[derive(Debug, Clone, Deserialize)]
pub struct Purchase {
    /// The order.
    pub order_id: String,
    /// `paid`, `fulfilled`, `refunded` or `cancelled`.
    pub status: String,
    /// 1 when the order holds the product.
    pub bought: i64,
}

/// The order whose page token is `token`, with whether it holds `product`.
pub async fn purchase(
    db: &StoreDb<impl Sql>,
    token: &str,
    product: &str,
) -> Result<Option<Purchase>, SqlError> {
    db.query_first(
        "SELECT o.id AS order_id, o.status, EXISTS (SELECT 1 FROM order_items i WHERE i.store_id = ?1 \
         AND i.order_id = o.id AND i.product_id = ?3) AS bought FROM orders o \
         WHERE o.store_id = ?1 AND o.access_token = ?2",
        vec![token.into(), product.into()],
    )
    .await
}

/// A review to write.
pub struct NewReview<'a> {
    /// Review id.
    pub id: &'a str,
    /// The product.
    pub product_id: &'a str,
    /// The order it was bought in.
    pub order_id: &'a str,
    /// 1 to 5.
    pub rating: u8,
    /// Title.
    pub title: &'a str,
    /// Text.
    pub body: &'a str,
    /// Name shown.
    pub author: &'a str,
    /// Now (RFC 3339).
    pub at: &'a str,
}

/// Writes a pending review; a second review of the same product from the same order is a unique
/// violation.
pub fn insert<D>(db: &StoreDb<D>, review: &NewReview<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO reviews (store_id, id, product_id, order_id, rating, title, body, author, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        vec![
            review.id.into(),
            review.product_id.into(),
            review.order_id.into(),
            i64::from(review.rating).into(),
            review.title.into(),
            review.body.into(),
            review.author.into(),
            review.at.into(),
        ],
    )
}

/// A review as the merchant sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRow {
    /// Review id.
    pub id: String,
    /// The product.
    pub product_id: String,
    /// The product's title.
    pub product_title: Option<String>,
    /// The order it was bought in.
    pub order_id: String,
    /// 1 to 5.
    pub rating: i64,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Name shown.
    pub author: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// When it was written (RFC 3339).
    pub created_at: String,
    /// When the merchant decided.
    pub moderated_at: Option<String>,
}

const REVIEW_SELECT: &str =
    "SELECT r.id, r.product_id, p.title AS product_title, r.order_id, r.rating, r.title, \
     r.body, r.author, r.status, r.created_at, r.moderated_at FROM reviews r \
     LEFT JOIN products p ON p.store_id = r.store_id AND p.id = r.product_id WHERE r.store_id = ?1";

/// The store's reviews in `status` (all when `None`), newest first, at most `limit`.
pub async fn list(
    db: &StoreDb<impl Sql>,
    status: Option<&str>,
    limit: u32,
) -> Result<Vec<ReviewRow>, SqlError> {
    db.query_all(
        &format!(
            "{REVIEW_SELECT} AND (?2 IS NULL OR r.status = ?2) ORDER BY r.created_at DESC, r.id LIMIT ?3"
        ),
        vec![status.into(), i64::from(limit).into()],
    )
    .await
}

/// One review of the store.
pub async fn get(db: &StoreDb<impl Sql>, id: &str) -> Result<Option<ReviewRow>, SqlError> {
    db.query_first(&format!("{REVIEW_SELECT} AND r.id = ?2"), vec![id.into()]).await
}

/// The merchant's decision on review `id`.
pub fn moderate<D>(db: &StoreDb<D>, id: &str, status: &str, at: &str) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE reviews SET status = ?3, moderated_at = ?4 WHERE store_id = ?1 AND id = ?2",
        vec![id.into(), status.into(), at.into()],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store, store_id};

    const AT: &str = "2026-12-07T10:00:00Z";

    fn bought(shard: &tenancy::sqlite::Sqlite, n: u8) {
        let store = store_id(n);
        shard
            .execute_script(&format!(
                "INSERT INTO products (store_id, id, slug, title, description, features, meta_title, meta_description, \
                 keywords, price_minor, cost_minor, currency, images, status, created_at, updated_at) VALUES \
                 ('{store}', 'p1', 'mug', 'Mug', '[]', '[]', '', '', '[]', 1000, 400, 'USD', '[]', 'published', 'x', 'x');
                 INSERT INTO orders (id, store_id, number, checkout_id, access_token, email, subtotal_minor, total_minor, \
                 currency, stripe_session_id, created_at) VALUES \
                 ('o1', '{store}', 1001, 'o1', 'tok', 'ada@example.com', 1000, 1000, 'USD', 'cs', '{AT}');
                 INSERT INTO order_items (store_id, order_id, position, product_id, title, unit_price_minor, quantity) VALUES \
                 ('{store}', 'o1', 0, 'p1', 'Mug', 1000, 1);"
            ))
            .unwrap();
    }

    fn review<'a>(id: &'a str) -> NewReview<'a> {
        NewReview {
            id,
            product_id: "p1",
            order_id: "o1",
            rating: 4,
            title: "Warm",
            body: "Keeps tea hot.",
            author: "Ada",
            at: AT,
        }
    }

    #[test]
    fn a_buyer_reviews_what_the_order_holds_once_and_the_merchant_decides() {
        let shard = shard();
        bought(&shard, 1);
        let db = store(&shard, 1);
        let proof = block_on(purchase(&db, "tok", "p1")).unwrap().unwrap();
        assert_eq!((proof.order_id.as_str(), proof.status.as_str(), proof.bought), ("o1", "paid", 1));
        assert_eq!(block_on(purchase(&db, "tok", "p2")).unwrap().unwrap().bought, 0);
        assert!(block_on(purchase(&db, "nope", "p1")).unwrap().is_none());

        block_on(db.execute_batch(vec![insert(&db, &review("r1")).unwrap()])).unwrap();
        let again = block_on(db.execute_batch(vec![insert(&db, &review("r2")).unwrap()]));
        assert!(again.unwrap_err().is_unique_violation(), "one review per product per order");
        let pending = block_on(list(&db, Some("pending"), 50)).unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].product_title.as_deref(), Some("Mug"));
        block_on(db.execute_batch(vec![moderate(&db, "r1", "approved", AT).unwrap()])).unwrap();
        assert!(block_on(list(&db, Some("pending"), 50)).unwrap().is_empty());
        let approved = block_on(get(&db, "r1")).unwrap().unwrap();
        assert_eq!((approved.status.as_str(), approved.moderated_at.as_deref()), ("approved", Some(AT)));
    }

    #[test]
    fn another_stores_token_proves_nothing() {
        let shard = shard();
        bought(&shard, 1);
        assert!(block_on(purchase(&store(&shard, 2), "tok", "p1")).unwrap().is_none());
        assert!(block_on(list(&store(&shard, 2), None, 50)).unwrap().is_empty());
    }
}
