//! A new store's launch in its store database: the launch research run (`research_runs.launch`,
//! `launched_at`), the products it imported with their categories, the collections made from
//! them, and what the store holds when its launch is done.

use serde::Deserialize;
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

/// Records run `id` as the store's launch run, queued.
pub async fn insert_run(db: &StoreDb<impl Sql>, id: &str, at: &str) -> Result<(), SqlError> {
    db.execute(
        "INSERT INTO research_runs (store_id, id, trigger, status, created_at, launch) \
         VALUES (?1, ?2, 'manual', 'queued', ?3, 1)",
        vec![id.into(), at.into()],
    )
    .await?;
    Ok(())
}

/// Where a launch run stands.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LaunchRun {
    /// `queued`, `completed` or `failed`.
    pub status: String,
    /// Products the run queued for import, once it has reported.
    pub selected: Option<i64>,
    /// When its collections and SEO run were started; `None` until then.
    pub launched_at: Option<String>,
}

/// Run `id` if it is the store's launch run.
pub async fn run(db: &StoreDb<impl Sql>, id: &str) -> Result<Option<LaunchRun>, SqlError> {
    db.query_first(
        "SELECT status, selected, launched_at FROM research_runs WHERE store_id = ?1 AND id = ?2 AND launch = 1",
        vec![id.into()],
    )
    .await
}

/// Whether run `id` is the store's launch run.
pub async fn is_launch(db: &StoreDb<impl Sql>, id: &str) -> Result<bool, SqlError> {
    Ok(run(db, id).await?.is_some())
}

/// A row's id with one text column beside it (a product's category, a collection's slug, an SEO
/// run's week). One shape for these reads keeps the Worker small: each row type read from D1
/// costs its own deserialising code.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Named {
    /// The row's id.
    pub id: String,
    /// The column beside it.
    pub name: Option<String>,
}

/// The products run `id` imported, in the order they arrived, with their categories.
pub async fn run_products(db: &StoreDb<impl Sql>, id: &str) -> Result<Vec<Named>, SqlError> {
    db.query_all(
        "SELECT id, category AS name FROM products WHERE store_id = ?1 AND research_run_id = ?2 \
         ORDER BY created_at, id",
        vec![id.into()],
    )
    .await
}

/// Marks launch run `id` as launched; `false` when it already was (another delivery did it).
pub async fn mark_launched(db: &StoreDb<impl Sql>, id: &str, at: &str) -> Result<bool, SqlError> {
    let outcome = db
        .execute(
            "UPDATE research_runs SET launched_at = ?3 WHERE store_id = ?1 AND id = ?2 AND launch = 1 \
             AND launched_at IS NULL",
            vec![id.into(), at.into()],
        )
        .await?;
    Ok(outcome.changes > 0)
}

/// A collection the launch makes.
#[derive(Debug, Clone)]
pub struct NewCollection<'a> {
    /// Id, used when the store has no collection of that slug yet.
    pub id: &'a str,
    /// URL slug.
    pub slug: &'a str,
    /// Title.
    pub title: &'a str,
    /// Creation time (RFC 3339).
    pub at: &'a str,
}

/// The statement adding a collection, unless the store has one of that slug (the merchant's own,
/// or this launch's from an earlier delivery): that one is kept as it is.
pub fn insert_collection(db: &StoreDb<impl Sql>, c: &NewCollection<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO collections (store_id, id, slug, title, sort, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, 'best_selling', ?5, ?5) ON CONFLICT (store_id, slug) DO NOTHING",
        vec![c.id.into(), c.slug.into(), c.title.into(), c.at.into()],
    )
}

/// The store's collections, with their slugs.
pub async fn collection_ids(db: &StoreDb<impl Sql>) -> Result<Vec<Named>, SqlError> {
    db.query_all("SELECT id, slug AS name FROM collections WHERE store_id = ?1", vec![]).await
}

/// The statement adding product `product` at `position` to collection `collection` (one of
/// [`collection_ids`]), unless it is in it already.
pub fn add_to_collection(
    db: &StoreDb<impl Sql>,
    collection: &str,
    product: &str,
    position: usize,
) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO collection_products (store_id, collection_id, product_id, position) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (collection_id, product_id) DO NOTHING",
        vec![collection.into(), product.into(), position.into()],
    )
}

/// The SEO run of `week`, if the store has one.
pub async fn seo_run(db: &StoreDb<impl Sql>, week: &str) -> Result<Option<String>, SqlError> {
    let row: Option<Named> = db
        .query_first(
            "SELECT id, week AS name FROM seo_runs WHERE store_id = ?1 AND week = ?2",
            vec![week.into()],
        )
        .await?;
    Ok(row.map(|r| r.id))
}

/// The week of the store's SEO run `id`.
pub async fn seo_run_week(db: &StoreDb<impl Sql>, id: &str) -> Result<Option<String>, SqlError> {
    let row: Option<Named> = db
        .query_first("SELECT id, week AS name FROM seo_runs WHERE store_id = ?1 AND id = ?2", vec![id.into()])
        .await?;
    Ok(row.and_then(|r| r.name))
}

/// What a store holds, as its ready mail tells it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Holdings {
    /// Products, whatever their status.
    pub products: u64,
    /// Published products.
    pub published: u64,
    /// Collections.
    pub collections: u64,
    /// Published blog posts.
    pub posts: u64,
}

/// Counts what the store holds.
pub async fn holdings(db: &StoreDb<impl Sql>) -> Result<Holdings, SqlError> {
    let count = |sql: &'static str| async move {
        let row: Option<crate::repo::Count> = db.query_first(sql, vec![]).await?;
        Ok::<u64, SqlError>(row.map_or(0, |c| c.n))
    };
    Ok(Holdings {
        products: count("SELECT COUNT(*) AS n FROM products WHERE store_id = ?1").await?,
        published: count("SELECT COUNT(*) AS n FROM products WHERE store_id = ?1 AND status = 'published'")
            .await?,
        collections: count("SELECT COUNT(*) AS n FROM collections WHERE store_id = ?1").await?,
        posts: count("SELECT COUNT(*) AS n FROM posts WHERE store_id = ?1 AND status = 'published'").await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::products::{insert, Changes, NewRow};
    use crate::repo::testing::{block_on, shard, store};
    use domain::ProductId;

    /// Imports product `n` of run `run` in `category`.
    fn import(db: &StoreDb<&tenancy::sqlite::Sqlite>, n: u32, run: &str, category: Option<&str>) -> String {
        let id: ProductId = format!("20000000-0000-4000-8000-{n:012}").parse().unwrap();
        let (source, at) = (format!("sp-{n}"), format!("2026-01-01T00:00:{n:02}Z"));
        let row = NewRow {
            id,
            slug: format!("p-{n}"),
            fields: Changes {
                title: "Tent",
                description: &["A tent.".to_owned()],
                features: &[],
                meta_title: "Tent",
                meta_description: "Tent.",
                keywords: &[],
                images: &[],
                price_minor: 4_999,
                compare_at_minor: None,
                cost_minor: 1_999,
                status: "published",
            },
            currency: "USD",
            source: Some(("aliexpress", &source)),
            research_run_id: Some(run.to_owned()),
            score: Some(90.0),
            category,
            at: &at,
        };
        block_on(db.execute_batch(vec![insert(db, &row).unwrap()])).unwrap();
        id.to_string()
    }

    #[test]
    fn a_launch_run_is_launched_once() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            insert_run(&db, "r1", "2026-01-01T00:00:00Z").await.unwrap();
            crate::repo::research_runs::insert_manual(&db, "r2", "2026-01-01T00:00:00Z").await.unwrap();
            assert!(is_launch(&db, "r1").await.unwrap());
            assert!(!is_launch(&db, "r2").await.unwrap());
            let queued = run(&db, "r1").await.unwrap().unwrap();
            assert_eq!((queued.status.as_str(), queued.selected, queued.launched_at), ("queued", None, None));
            assert!(mark_launched(&db, "r1", "2026-01-01T00:10:00Z").await.unwrap());
            assert!(!mark_launched(&db, "r1", "2026-01-01T00:11:00Z").await.unwrap());
            assert!(!mark_launched(&db, "r2", "2026-01-01T00:11:00Z").await.unwrap());
            assert_eq!(
                run(&db, "r1").await.unwrap().unwrap().launched_at.as_deref(),
                Some("2026-01-01T00:10:00Z")
            );
        });
    }

    #[test]
    fn collections_are_added_once_and_keep_a_merchants_collection_of_the_same_slug() {
        let shard = shard();
        let (db, other) = (store(&shard, 1), store(&shard, 2));
        let tents = [import(&db, 1, "r1", Some("Tents")), import(&db, 2, "r1", Some("Tents"))];
        import(&db, 3, "r0", Some("Stoves"));
        block_on(async {
            let listed = run_products(&db, "r1").await.unwrap();
            assert_eq!(listed.iter().map(|p| p.id.clone()).collect::<Vec<_>>(), tents.to_vec());
            assert_eq!(listed[0].name.as_deref(), Some("Tents"));
            assert!(run_products(&other, "r1").await.unwrap().is_empty());

            let at = "2026-01-01T00:10:00Z";
            let mine = NewCollection { id: "c-merchant", slug: "stoves", title: "My stoves", at };
            db.execute_batch(vec![insert_collection(&db, &mine).unwrap()]).await.unwrap();
            for attempt in ["c1", "c2"] {
                let tents_collection = NewCollection { id: attempt, slug: "tents", title: "Tents", at };
                let stoves = NewCollection { id: "c3", slug: "stoves", title: "Stoves", at };
                let made = vec![
                    insert_collection(&db, &tents_collection).unwrap(),
                    insert_collection(&db, &stoves).unwrap(),
                ];
                db.execute_batch(made).await.unwrap();
                let ids = collection_ids(&db).await.unwrap();
                let tents_id = &ids.iter().find(|c| c.name.as_deref() == Some("tents")).unwrap().id;
                assert_eq!(tents_id, "c1");
                let filed: Vec<_> = tents
                    .iter()
                    .enumerate()
                    .map(|(at, p)| add_to_collection(&db, tents_id, p, at).unwrap())
                    .collect();
                db.execute_batch(filed).await.unwrap();
            }
            assert!(collection_ids(&other).await.unwrap().is_empty());
            let collections = crate::repo::collections::list(&db).await.unwrap();
            let mut titles: Vec<_> = collections.iter().map(|c| c.title.as_str()).collect();
            titles.sort();
            assert_eq!(titles, ["My stoves", "Tents"]);
            assert_eq!(crate::repo::collections::product_ids(&db, "c1").await.unwrap(), tents.to_vec());

            let held = holdings(&db).await.unwrap();
            assert_eq!(held, Holdings { products: 3, published: 3, collections: 2, posts: 0 });
            assert_eq!(holdings(&other).await.unwrap(), Holdings::default());
        });
    }

    #[test]
    fn the_launch_seo_run_is_found_by_its_week() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            assert_eq!(seo_run(&db, "launch").await.unwrap(), None);
            crate::repo::seo::insert_run(&db, "s1", "launch", "2026-01-01T00:00:00Z").await.unwrap();
            assert_eq!(seo_run(&db, "launch").await.unwrap().as_deref(), Some("s1"));
            assert_eq!(seo_run_week(&db, "s1").await.unwrap().as_deref(), Some("launch"));
            assert_eq!(seo_run_week(&store(&shard, 2), "s1").await.unwrap(), None);
        });
    }
}
