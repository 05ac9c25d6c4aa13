//! Collections in the store database: the tables `collections` and `collection_products` (a
//! collection's products in manual order), and the rows of `slug_redirects` that point at a
//! collection being deleted.

use serde::{Deserialize, Serialize};
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

/// A collection with everything the merchant can edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionRow {
    /// Collection id.
    pub id: String,
    /// URL slug, unique among the store's collections.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Sanitised HTML.
    pub description: String,
    /// Image URL or `/media/` path.
    pub image: Option<String>,
    /// How its products are ordered.
    pub sort: String,
    /// 1 when featured on the home page, else 0.
    pub featured: i64,
    /// Title for search results.
    pub meta_title: String,
    /// Description for search results.
    pub meta_description: String,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// A collection as the list of collections shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionSummary {
    /// Collection id.
    pub id: String,
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// How its products are ordered.
    pub sort: String,
    /// 1 when featured, else 0.
    pub featured: i64,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// How many products it holds.
    pub products: i64,
}

/// A collection about to be written.
#[derive(Debug, Clone)]
pub struct CollectionWrite<'a> {
    /// Collection id.
    pub id: &'a str,
    /// URL slug.
    pub slug: &'a str,
    /// Title.
    pub title: &'a str,
    /// Sanitised HTML.
    pub description: &'a str,
    /// Image URL or `/media/` path.
    pub image: Option<&'a str>,
    /// How its products are ordered.
    pub sort: &'a str,
    /// Featured on the home page.
    pub featured: bool,
    /// Title for search results.
    pub meta_title: &'a str,
    /// Description for search results.
    pub meta_description: &'a str,
    /// Time of the write (RFC 3339).
    pub at: &'a str,
}

impl CollectionWrite<'_> {
    fn args(&self) -> Vec<tenancy::sql::Arg> {
        vec![
            self.id.into(),
            self.slug.into(),
            self.title.into(),
            self.description.into(),
            self.image.into(),
            self.sort.into(),
            self.featured.into(),
            self.meta_title.into(),
            self.meta_description.into(),
            self.at.into(),
        ]
    }
}

/// The store's collection `id`.
pub async fn collection(db: &StoreDb<impl Sql>, id: &str) -> Result<Option<CollectionRow>, SqlError> {
    db.query_first(
        "SELECT id, slug, title, description, image, sort, featured, meta_title, meta_description, \
         created_at, updated_at FROM collections WHERE store_id = ?1 AND id = ?2",
        vec![id.into()],
    )
    .await
}

/// The ids of collection `id`'s products, in manual order.
pub async fn product_ids(db: &StoreDb<impl Sql>, id: &str) -> Result<Vec<String>, SqlError> {
    #[derive(Deserialize)]
    struct Member {
        product_id: String,
    }
    let rows: Vec<Member> = db
        .query_all(
            "SELECT product_id FROM collection_products WHERE store_id = ?1 AND collection_id = ?2 ORDER BY position",
            vec![id.into()],
        )
        .await?;
    Ok(rows.into_iter().map(|m| m.product_id).collect())
}

/// The store's collections by title, each with how many products it holds.
pub async fn list(db: &StoreDb<impl Sql>) -> Result<Vec<CollectionSummary>, SqlError> {
    db.query_all(
        "SELECT c.id, c.slug, c.title, c.sort, c.featured, c.updated_at, \
             (SELECT COUNT(*) FROM collection_products m WHERE m.store_id = ?1 AND m.collection_id = c.id) AS products \
             FROM collections c WHERE c.store_id = ?1 ORDER BY c.title",
        vec![],
    )
    .await
}

/// The ids of every product of the store (to check a membership against).
pub async fn store_product_ids(db: &StoreDb<impl Sql>) -> Result<Vec<String>, SqlError> {
    #[derive(Deserialize)]
    struct Product {
        id: String,
    }
    let rows: Vec<Product> = db.query_all("SELECT id FROM products WHERE store_id = ?1", vec![]).await?;
    Ok(rows.into_iter().map(|p| p.id).collect())
}

/// The insert of a new collection (a slug taken by another collection fails it as a unique
/// violation).
pub fn insert(db: &StoreDb<impl Sql>, collection: &CollectionWrite<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO collections (store_id, id, slug, title, description, image, sort, featured, meta_title, \
         meta_description, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        collection.args(),
    )
}

/// The update of collection `collection.id` (its creation time stays).
pub fn update(db: &StoreDb<impl Sql>, collection: &CollectionWrite<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE collections SET slug = ?3, title = ?4, description = ?5, image = ?6, sort = ?7, featured = ?8, \
         meta_title = ?9, meta_description = ?10, updated_at = ?11 WHERE store_id = ?1 AND id = ?2",
        collection.args(),
    )
}

/// The statements that replace collection `id`'s products with `products`, in that order.
pub fn replace_products(
    db: &StoreDb<impl Sql>,
    id: &str,
    products: &[String],
) -> Result<Vec<Statement>, SqlError> {
    let mut statements = vec![db.scoped(
        "DELETE FROM collection_products WHERE store_id = ?1 AND collection_id = ?2",
        vec![id.into()],
    )?];
    for (position, product) in products.iter().enumerate() {
        statements.push(db.scoped(
            "INSERT INTO collection_products (store_id, collection_id, product_id, position) VALUES (?1, ?2, ?3, ?4)",
            vec![id.into(), product.into(), position.into()],
        )?);
    }
    Ok(statements)
}

/// Deletes collection `id` with its memberships and the redirects to it, together; `false` when
/// the store has no such collection.
pub async fn delete(db: &StoreDb<impl Sql>, id: &str) -> Result<bool, SqlError> {
    let outcomes = db
        .execute_batch(vec![
            db.scoped(
                "DELETE FROM collection_products WHERE store_id = ?1 AND collection_id = ?2",
                vec![id.into()],
            )?,
            db.scoped(
                "DELETE FROM slug_redirects WHERE store_id = ?1 AND kind = 'collection' AND target_id = ?2",
                vec![id.into()],
            )?,
            db.scoped("DELETE FROM collections WHERE store_id = ?1 AND id = ?2", vec![id.into()])?,
        ])
        .await?;
    Ok(outcomes.last().is_some_and(|o| o.changes > 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store};
    use tenancy::sqlite::Sqlite;

    fn write<'a>(id: &'a str, slug: &'a str, title: &'a str) -> CollectionWrite<'a> {
        CollectionWrite {
            id,
            slug,
            title,
            description: "",
            image: None,
            sort: "best_selling",
            featured: false,
            meta_title: "",
            meta_description: "",
            at: "2026-01-01T00:00:00Z",
        }
    }

    fn product(shard: &Sqlite, store: &StoreDb<&Sqlite>, id: &str) {
        shard
            .execute_script(&format!(
                "INSERT INTO products (store_id, id, slug, title, description, features, meta_title, meta_description, \
                 keywords, price_minor, cost_minor, currency, images, status, created_at, updated_at) VALUES \
                 ('{}', '{id}', '{id}', 'P', '[]', '[]', '', '', '[]', 100, 50, 'USD', '[]', 'published', \
                 '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                store.store()
            ))
            .unwrap();
    }

    #[test]
    fn a_collection_keeps_its_products_in_the_order_given_and_a_replacement_replaces_them() {
        let shard = shard();
        let db = store(&shard, 1);
        for id in ["p1", "p2", "p3"] {
            product(&shard, &db, id);
        }
        block_on(async {
            let mut statements = vec![insert(&db, &write("c1", "brushes", "Brushes")).unwrap()];
            statements.extend(replace_products(&db, "c1", &["p3".into(), "p1".into()]).unwrap());
            db.execute_batch(statements).await.unwrap();
            assert_eq!(product_ids(&db, "c1").await.unwrap(), ["p3", "p1"]);
            db.execute_batch(replace_products(&db, "c1", &["p2".into()]).unwrap()).await.unwrap();
            assert_eq!(product_ids(&db, "c1").await.unwrap(), ["p2"]);
            assert_eq!(list(&db).await.unwrap()[0].products, 1);
        });
    }

    #[test]
    fn collections_are_listed_by_title_with_their_counts_and_only_the_stores_own() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        product(&shard, &one, "p1");
        block_on(async {
            let mut statements = vec![
                insert(&one, &write("c1", "z", "Zebra")).unwrap(),
                insert(&one, &write("c2", "a", "Apple")).unwrap(),
            ];
            statements.extend(replace_products(&one, "c1", &["p1".into()]).unwrap());
            one.execute_batch(statements).await.unwrap();
            let listed: Vec<(String, i64)> =
                list(&one).await.unwrap().into_iter().map(|c| (c.title, c.products)).collect();
            assert_eq!(listed, [("Apple".to_owned(), 0), ("Zebra".to_owned(), 1)]);
            assert!(list(&two).await.unwrap().is_empty());
            assert_eq!(collection(&two, "c1").await.unwrap(), None);
            assert!(product_ids(&two, "c1").await.unwrap().is_empty());
            assert!(store_product_ids(&two).await.unwrap().is_empty());
            assert_eq!(store_product_ids(&one).await.unwrap(), ["p1"]);
        });
    }

    #[test]
    fn a_featured_collection_reads_back_as_one_and_no_image_as_null() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            let mut featured = write("c1", "brushes", "Brushes");
            featured.featured = true;
            db.execute_batch(vec![insert(&db, &featured).unwrap()]).await.unwrap();
            let row = collection(&db, "c1").await.unwrap().unwrap();
            assert_eq!((row.featured, row.image), (1, None));
            let mut change = write("c1", "combs", "Combs");
            change.image = Some("/media/a.webp");
            change.at = "2026-02-01T00:00:00Z";
            db.execute_batch(vec![update(&db, &change).unwrap()]).await.unwrap();
            let row = collection(&db, "c1").await.unwrap().unwrap();
            assert_eq!(
                (row.featured, row.image.as_deref(), row.slug.as_str()),
                (0, Some("/media/a.webp"), "combs")
            );
            assert_eq!(row.created_at, "2026-01-01T00:00:00Z");
        });
    }

    #[test]
    fn a_second_collection_on_a_taken_slug_is_a_unique_violation() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            db.execute_batch(vec![insert(&db, &write("c1", "brushes", "Brushes")).unwrap()]).await.unwrap();
            let error = db
                .execute_batch(vec![insert(&db, &write("c2", "brushes", "More")).unwrap()])
                .await
                .unwrap_err();
            assert!(error.is_unique_violation(), "{error}");
        });
    }

    #[test]
    fn deleting_a_collection_takes_its_memberships_and_another_store_cannot_delete_it() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        product(&shard, &one, "p1");
        block_on(async {
            let mut statements = vec![insert(&one, &write("c1", "brushes", "Brushes")).unwrap()];
            statements.extend(replace_products(&one, "c1", &["p1".into()]).unwrap());
            one.execute_batch(statements).await.unwrap();
            assert!(!delete(&two, "c1").await.unwrap());
            assert_eq!(product_ids(&one, "c1").await.unwrap(), ["p1"]);
            assert!(delete(&one, "c1").await.unwrap());
            assert_eq!(collection(&one, "c1").await.unwrap(), None);
            assert!(product_ids(&one, "c1").await.unwrap().is_empty());
            assert!(!delete(&one, "c1").await.unwrap());
        });
    }
}
