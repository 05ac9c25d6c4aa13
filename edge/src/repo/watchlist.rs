//! The store's watchlist in the store database (the table `watchlist`): products research scored
//! between the store's watch and import thresholds.

use serde::{Deserialize, Serialize};
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

/// A watchlist item the merchant has not removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchRow {
    /// Item id (32 hex digits).
    pub id: String,
    /// Supplier the product comes from.
    pub source: String,
    /// The product's id at the supplier.
    pub source_product_id: String,
    /// Supplier title.
    pub title: String,
    /// The product's page at the supplier.
    pub product_url: String,
    /// The product's image at the supplier.
    pub image_url: Option<String>,
    /// Supplier cost in minor units.
    pub cost_minor: i64,
    /// Suggested price in minor units.
    pub suggested_price_minor: i64,
    /// ISO currency code.
    pub currency: String,
    /// Research score, 0 to 100.
    pub research_score: f64,
    /// AI score, 0 to 100.
    pub ai_score: i64,
    /// Why the AI scored it so.
    pub reasoning: String,
    /// The research run that last reported it.
    pub research_run_id: String,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last refresh (RFC 3339).
    pub updated_at: String,
}

/// An item a research run reports, clipped and checked by the caller.
#[derive(Debug, Clone)]
pub struct WatchWrite<'a> {
    /// A new item id, used when the store has no item for this product yet.
    pub id: &'a str,
    /// Supplier the product comes from.
    pub source: &'a str,
    /// The product's id at the supplier.
    pub source_product_id: &'a str,
    /// Supplier title.
    pub title: &'a str,
    /// The product's page at the supplier.
    pub product_url: &'a str,
    /// The product's image at the supplier.
    pub image_url: Option<&'a str>,
    /// Supplier cost in minor units.
    pub cost_minor: i64,
    /// Suggested price in minor units.
    pub suggested_price_minor: i64,
    /// ISO currency code.
    pub currency: &'a str,
    /// Research score, 0 to 100.
    pub research_score: f64,
    /// AI score, 0 to 100.
    pub ai_score: u8,
    /// Why the AI scored it so.
    pub reasoning: &'a str,
    /// The research run reporting it.
    pub research_run_id: &'a str,
    /// Time of the report (RFC 3339).
    pub at: &'a str,
}

/// The items the merchant has not removed, best AI score first, then best research score (500).
pub async fn list(db: &StoreDb<impl Sql>) -> Result<Vec<WatchRow>, SqlError> {
    db.query_all(
        "SELECT id, source, source_product_id, title, product_url, image_url, cost_minor, \
         suggested_price_minor, currency, research_score, ai_score, reasoning, research_run_id, \
         created_at, updated_at FROM watchlist WHERE store_id = ?1 AND dismissed_at IS NULL \
         ORDER BY ai_score DESC, research_score DESC LIMIT 500",
        vec![],
    )
    .await
}

/// Removes item `id` at `at`; `false` when the store has no such item left.
pub async fn dismiss(db: &StoreDb<impl Sql>, id: &str, at: &str) -> Result<bool, SqlError> {
    let outcome = db
        .execute(
            "UPDATE watchlist SET dismissed_at = ?3 WHERE store_id = ?1 AND id = ?2 AND dismissed_at IS NULL",
            vec![id.into(), at.into()],
        )
        .await?;
    Ok(outcome.changes > 0)
}

/// The statement adding an item, or refreshing the store's item for the same supplier product;
/// an item the merchant removed stays removed.
pub fn upsert(db: &StoreDb<impl Sql>, item: &WatchWrite<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO watchlist (store_id, id, source, source_product_id, title, product_url, image_url, \
         cost_minor, suggested_price_minor, currency, research_score, ai_score, reasoning, research_run_id, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15) \
         ON CONFLICT (store_id, source, source_product_id) DO UPDATE SET title = excluded.title, \
         product_url = excluded.product_url, image_url = excluded.image_url, cost_minor = excluded.cost_minor, \
         suggested_price_minor = excluded.suggested_price_minor, research_score = excluded.research_score, \
         ai_score = excluded.ai_score, reasoning = excluded.reasoning, research_run_id = excluded.research_run_id, \
         updated_at = excluded.updated_at WHERE watchlist.dismissed_at IS NULL",
        vec![
            item.id.into(),
            item.source.into(),
            item.source_product_id.into(),
            item.title.into(),
            item.product_url.into(),
            item.image_url.into(),
            item.cost_minor.into(),
            item.suggested_price_minor.into(),
            item.currency.into(),
            item.research_score.into(),
            u32::from(item.ai_score).into(),
            item.reasoning.into(),
            item.research_run_id.into(),
            item.at.into(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store};

    fn item<'a>(
        id: &'a str,
        source_product_id: &'a str,
        ai_score: u8,
        research_score: f64,
    ) -> WatchWrite<'a> {
        WatchWrite {
            id,
            source: "aliexpress",
            source_product_id,
            title: "Brush",
            product_url: "https://example.test/p",
            image_url: None,
            cost_minor: 300,
            suggested_price_minor: 1_200,
            currency: "USD",
            research_score,
            ai_score,
            reasoning: "sells",
            research_run_id: "run1",
            at: "2026-01-01T00:00:00Z",
        }
    }

    #[test]
    fn items_are_listed_best_ai_score_first_then_best_research_score() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            let statements = [item("a", "1", 70, 50.0), item("b", "2", 90, 10.0), item("c", "3", 70, 80.5)]
                .iter()
                .map(|i| upsert(&db, i).unwrap())
                .collect();
            db.execute_batch(statements).await.unwrap();
            let rows = list(&db).await.unwrap();
            let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
            assert_eq!(ids, ["b", "c", "a"]);
            assert_eq!((rows[1].research_score, rows[1].image_url.as_deref()), (80.5, None));
        });
    }

    #[test]
    fn a_later_run_refreshes_the_item_for_the_same_product_and_keeps_its_id() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            db.execute_batch(vec![upsert(&db, &item("a", "1", 70, 50.0)).unwrap()]).await.unwrap();
            let mut again = item("b", "1", 80, 60.0);
            again.research_run_id = "run2";
            again.at = "2026-01-08T00:00:00Z";
            db.execute_batch(vec![upsert(&db, &again).unwrap()]).await.unwrap();
            let rows = list(&db).await.unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!(
                (rows[0].id.as_str(), rows[0].ai_score, rows[0].research_run_id.as_str()),
                ("a", 80, "run2")
            );
            assert_eq!(
                (rows[0].created_at.as_str(), rows[0].updated_at.as_str()),
                ("2026-01-01T00:00:00Z", "2026-01-08T00:00:00Z")
            );
        });
    }

    #[test]
    fn a_removed_item_stays_removed_when_a_later_run_reports_it_again() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            db.execute_batch(vec![upsert(&db, &item("a", "1", 70, 50.0)).unwrap()]).await.unwrap();
            assert!(dismiss(&db, "a", "2026-01-02T00:00:00Z").await.unwrap());
            assert!(!dismiss(&db, "a", "2026-01-03T00:00:00Z").await.unwrap());
            db.execute_batch(vec![upsert(&db, &item("b", "1", 99, 99.0)).unwrap()]).await.unwrap();
            assert!(list(&db).await.unwrap().is_empty());
        });
    }

    #[test]
    fn another_store_neither_sees_nor_removes_the_items() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        block_on(async {
            one.execute_batch(vec![upsert(&one, &item("a", "1", 70, 50.0)).unwrap()]).await.unwrap();
            assert!(list(&two).await.unwrap().is_empty());
            assert!(!dismiss(&two, "a", "2026-01-02T00:00:00Z").await.unwrap());
            assert_eq!(list(&one).await.unwrap().len(), 1);
            // The same supplier product is a separate item in another store.
            two.execute_batch(vec![upsert(&two, &item("b", "1", 70, 50.0)).unwrap()]).await.unwrap();
            assert_eq!(list(&two).await.unwrap()[0].id, "b");
        });
    }
}
