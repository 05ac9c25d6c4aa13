//! The SEO engine's data. In the store database: its runs (`seo_runs`), the product values its
//! rewrites replaced (`seo_history`), and what it reads and writes of `products`, `collections`
//! and `posts` (published products, page titles and keywords, its own posts and their links). In
//! the platform database: the week each store was last claimed for (`stores.last_seo_week`).

use serde::Deserialize;
use tenancy::shards::{PlatformDb, StoreDb};
use tenancy::sql::{Sql, SqlError, Statement};

/// Records run `id` of `week` as running, unless the store has a run of that week: `false` then.
pub async fn insert_run(db: &StoreDb<impl Sql>, id: &str, week: &str, at: &str) -> Result<bool, SqlError> {
    let outcome = db
        .execute(
            "INSERT INTO seo_runs (id, store_id, week, status, created_at) VALUES (?2, ?1, ?3, 'running', ?4) \
             ON CONFLICT (store_id, week) DO NOTHING",
            vec![id.into(), week.into(), at.into()],
        )
        .await?;
    Ok(outcome.changes > 0)
}

/// Deletes run `id` (one that could not be started).
pub async fn delete_run(db: &StoreDb<impl Sql>, id: &str) -> Result<(), SqlError> {
    db.execute("DELETE FROM seo_runs WHERE store_id = ?1 AND id = ?2", vec![id.into()]).await?;
    Ok(())
}

/// Completes run `id` with its report (JSON); `false` when the store has no such run.
pub async fn complete_run(
    db: &StoreDb<impl Sql>,
    id: &str,
    report: &str,
    at: &str,
) -> Result<bool, SqlError> {
    let outcome = db
        .execute(
            "UPDATE seo_runs SET status = 'completed', report = ?3, completed_at = ?4 WHERE store_id = ?1 AND id = ?2",
            vec![id.into(), report.into(), at.into()],
        )
        .await?;
    Ok(outcome.changes > 0)
}

/// An SEO run with its report.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RunRow {
    /// Run id.
    pub id: String,
    /// The ISO week it belongs to, or `manual-<unix time>`.
    pub week: String,
    /// `running`, `completed` or `failed`.
    pub status: String,
    /// The report (JSON; `{}` until completed).
    pub report: String,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Completion time (RFC 3339).
    pub completed_at: Option<String>,
}

/// The store's newest 20 runs.
pub async fn runs(db: &StoreDb<impl Sql>) -> Result<Vec<RunRow>, SqlError> {
    db.query_all(
        "SELECT id, week, status, report, created_at, completed_at FROM seo_runs WHERE store_id = ?1 \
         ORDER BY created_at DESC, id DESC LIMIT 20",
        vec![],
    )
    .await
}

/// A post the SEO engine wrote.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SeoPostRow {
    /// Post id.
    pub id: String,
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Short summary.
    pub excerpt: String,
    /// HTML.
    pub body_html: String,
    /// Title for search results.
    pub meta_title: String,
    /// Description for search results.
    pub meta_description: String,
    /// SEO keywords (a JSON array).
    pub keywords: String,
    /// Products it links to (a JSON array of ids).
    pub related_product_ids: String,
    /// `draft` or `published`.
    pub status: String,
    /// Publication time (RFC 3339).
    pub published_at: Option<String>,
}

/// The store's newest 50 posts the SEO engine wrote.
pub async fn seo_posts(db: &StoreDb<impl Sql>) -> Result<Vec<SeoPostRow>, SqlError> {
    db.query_all(
        "SELECT id, slug, title, excerpt, body_html, meta_title, meta_description, keywords, related_product_ids, \
         status, published_at FROM posts WHERE store_id = ?1 AND source = 'seo' \
         ORDER BY published_at DESC, id DESC LIMIT 50",
        vec![],
    )
    .await
}

/// A published product as the SEO engine reads it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProductRow {
    /// Product id.
    pub id: String,
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Description paragraphs (a JSON array).
    pub description: String,
    /// Title for search results.
    pub meta_title: String,
    /// Description for search results.
    pub meta_description: String,
    /// SEO keywords (a JSON array).
    pub keywords: String,
}

/// A collection or post as the SEO engine reads it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PageRow {
    /// Id.
    pub id: String,
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// SEO keywords (a JSON array); collections have none.
    #[serde(default)]
    pub keywords: Option<String>,
}

/// The store's first 500 published products, oldest first.
pub async fn published_products(db: &StoreDb<impl Sql>) -> Result<Vec<ProductRow>, SqlError> {
    db.query_all(
        "SELECT id, slug, title, description, meta_title, meta_description, keywords FROM products \
         WHERE store_id = ?1 AND status = 'published' ORDER BY created_at, id LIMIT 500",
        vec![],
    )
    .await
}

/// 200 of the store's collections.
pub async fn collections(db: &StoreDb<impl Sql>) -> Result<Vec<PageRow>, SqlError> {
    db.query_all(
        "SELECT id, slug, title, NULL AS keywords FROM collections WHERE store_id = ?1 LIMIT 200",
        vec![],
    )
    .await
}

/// The store's first 500 posts, oldest first, whoever wrote them.
pub async fn posts(db: &StoreDb<impl Sql>) -> Result<Vec<PageRow>, SqlError> {
    db.query_all(
        "SELECT id, slug, title, keywords FROM posts WHERE store_id = ?1 ORDER BY created_at LIMIT 500",
        vec![],
    )
    .await
}

/// The id of the store's post at `slug`.
pub async fn post_id_by_slug(db: &StoreDb<impl Sql>, slug: &str) -> Result<Option<String>, SqlError> {
    #[derive(Deserialize)]
    struct Existing {
        id: String,
    }
    let row: Option<Existing> =
        db.query_first("SELECT id FROM posts WHERE store_id = ?1 AND slug = ?2", vec![slug.into()]).await?;
    Ok(row.map(|r| r.id))
}

/// A post the SEO engine publishes.
#[derive(Debug, Clone)]
pub struct NewPost<'a> {
    /// Post id.
    pub id: &'a str,
    /// URL slug.
    pub slug: &'a str,
    /// Title.
    pub title: &'a str,
    /// Short summary.
    pub excerpt: &'a str,
    /// Checked HTML.
    pub body_html: &'a str,
    /// Title for search results.
    pub meta_title: &'a str,
    /// Description for search results.
    pub meta_description: &'a str,
    /// SEO keywords.
    pub keywords: &'a [String],
    /// Ids of the products it links to.
    pub related_product_ids: &'a [String],
    /// Byline.
    pub author: &'a str,
    /// Publication time (RFC 3339).
    pub at: &'a str,
}

/// Publishes a post written by the SEO engine; a post already at its slug keeps it.
pub async fn insert_post(db: &StoreDb<impl Sql>, post: &NewPost<'_>) -> Result<(), SqlError> {
    db.execute(
        "INSERT INTO posts (id, store_id, slug, title, excerpt, body_html, meta_title, meta_description, keywords, \
         related_product_ids, author, source, status, published_at, created_at, updated_at) \
         VALUES (?2, ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'seo', 'published', ?12, ?12, ?12) \
         ON CONFLICT (store_id, slug) DO NOTHING",
        vec![
            post.id.into(),
            post.slug.into(),
            post.title.into(),
            post.excerpt.into(),
            post.body_html.into(),
            post.meta_title.into(),
            post.meta_description.into(),
            crate::repo::json_list(&post.keywords).into(),
            crate::repo::json_list(&post.related_product_ids).into(),
            post.author.into(),
            post.at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A product field the SEO engine rewrites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaField {
    /// `meta_title`.
    Title,
    /// `meta_description`.
    Description,
}

impl MetaField {
    /// The column, as `seo_history.field` names it too.
    pub fn column(self) -> &'static str {
        match self {
            MetaField::Title => "meta_title",
            MetaField::Description => "meta_description",
        }
    }
}

/// A rewrite of one product field.
#[derive(Debug, Clone)]
pub struct Rewrite<'a> {
    /// Product id.
    pub product_id: &'a str,
    /// The run rewriting it.
    pub run_id: &'a str,
    /// The field.
    pub field: MetaField,
    /// The value the run read.
    pub old: &'a str,
    /// The value it writes.
    pub new: &'a str,
    /// Why.
    pub reason: &'a str,
    /// Time of the change (RFC 3339).
    pub at: &'a str,
}

/// Applies a rewrite if the product's field still holds the value the run read, keeping that
/// value in `seo_history`, together; `false` when nothing changed.
pub async fn rewrite_product(db: &StoreDb<impl Sql>, rewrite: &Rewrite<'_>) -> Result<bool, SqlError> {
    let column = rewrite.field.column();
    let outcomes = db
        .execute_batch(vec![
            db.scoped(
                "INSERT INTO seo_history (store_id, product_id, run_id, field, old_value, new_value, reason, changed_at) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE EXISTS \
                 (SELECT 1 FROM products WHERE store_id = ?1 AND id = ?2 AND (CASE ?4 WHEN 'meta_title' THEN meta_title ELSE meta_description END) = ?5)",
                vec![
                    rewrite.product_id.into(),
                    rewrite.run_id.into(),
                    column.into(),
                    rewrite.old.into(),
                    rewrite.new.into(),
                    rewrite.reason.into(),
                    rewrite.at.into(),
                ],
            )?,
            db.scoped(
                &format!(
                    "UPDATE products SET {column} = ?4, updated_at = ?5 WHERE store_id = ?1 AND id = ?2 AND {column} = ?3"
                ),
                vec![rewrite.product_id.into(), rewrite.old.into(), rewrite.new.into(), rewrite.at.into()],
            )?,
        ])
        .await?;
    Ok(outcomes.get(1).is_some_and(|o| o.changes > 0))
}

/// The statement setting post `post`'s related products to `products`.
pub fn relate_products(
    db: &StoreDb<impl Sql>,
    post: &str,
    products: &[&String],
    at: &str,
) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE posts SET related_product_ids = ?3, updated_at = ?4 WHERE store_id = ?1 AND id = ?2",
        vec![post.into(), serde_json::to_string(products).unwrap_or_default().into(), at.into()],
    )
}

/// An active store not yet claimed for a week.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DueStore {
    /// Store id.
    pub id: String,
    /// Owning tenant.
    pub tenant_id: String,
    /// Shard index.
    pub shard: u16,
}

/// Up to `limit` active stores, by id, not yet claimed for `week`.
pub async fn due_stores(
    db: &PlatformDb<impl Sql>,
    week: &str,
    limit: u32,
) -> Result<Vec<DueStore>, SqlError> {
    db.all(Statement::new(
        "SELECT id, tenant_id, shard FROM stores WHERE status = 'active' \
         AND (last_seo_week IS NULL OR last_seo_week <> ?1) ORDER BY id LIMIT ?2",
        vec![week.into(), limit.into()],
    ))
    .await
}

/// Claims store `store` for `week`; `false` when it was claimed for it already.
pub async fn claim_week(db: &PlatformDb<impl Sql>, store: &str, week: &str) -> Result<bool, SqlError> {
    let outcome = db
        .run(Statement::new(
            "UPDATE stores SET last_seo_week = ?2 WHERE id = ?1 AND (last_seo_week IS NULL OR last_seo_week <> ?2)",
            vec![store.into(), week.into()],
        ))
        .await?;
    Ok(outcome.changes > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, platform, shard, store};
    use tenancy::sqlite::Sqlite;

    fn product(shard: &Sqlite, store: &StoreDb<&Sqlite>, id: &str, status: &str, at: &str) {
        shard
            .execute_script(&format!(
                "INSERT INTO products (store_id, id, slug, title, description, features, meta_title, meta_description, \
                 keywords, price_minor, cost_minor, currency, images, status, created_at, updated_at) VALUES \
                 ('{}', '{id}', '{id}', 'P', '[\"Soft.\"]', '[]', 'Old title', 'Old description', '[]', 100, 50, \
                 'USD', '[]', '{status}', '{at}', '{at}')",
                store.store()
            ))
            .unwrap();
    }

    fn post<'a>(id: &'a str, slug: &'a str, at: &'a str) -> NewPost<'a> {
        NewPost {
            id,
            slug,
            title: "Brushing",
            excerpt: "How",
            body_html: "<p>Brush</p>",
            meta_title: "Brushing",
            meta_description: "How to brush",
            keywords: &[],
            related_product_ids: &[],
            author: "Shop editors",
            at,
        }
    }

    #[test]
    fn a_store_has_one_run_per_week_and_another_store_its_own() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        block_on(async {
            assert!(insert_run(&one, "r1", "2026-W02", "2026-01-05T00:00:00Z").await.unwrap());
            assert!(!insert_run(&one, "r2", "2026-W02", "2026-01-05T00:00:01Z").await.unwrap());
            assert!(insert_run(&two, "r3", "2026-W02", "2026-01-05T00:00:00Z").await.unwrap());
            let runs = runs(&one).await.unwrap();
            assert_eq!(runs.len(), 1);
            assert_eq!(
                (runs[0].id.as_str(), runs[0].status.as_str(), runs[0].report.as_str()),
                ("r1", "running", "{}")
            );
        });
    }

    #[test]
    fn a_report_completes_only_the_stores_own_run_and_runs_are_listed_newest_first() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        block_on(async {
            insert_run(&one, "r1", "2026-W01", "2026-01-01T00:00:00Z").await.unwrap();
            insert_run(&one, "r2", "2026-W02", "2026-01-08T00:00:00Z").await.unwrap();
            assert!(!complete_run(&two, "r1", r#"{"posts":1}"#, "2026-01-01T01:00:00Z").await.unwrap());
            assert!(complete_run(&one, "r1", r#"{"posts":1}"#, "2026-01-01T01:00:00Z").await.unwrap());
            assert!(!complete_run(&one, "nope", "{}", "2026-01-01T01:00:00Z").await.unwrap());
            let runs = runs(&one).await.unwrap();
            assert_eq!(runs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["r2", "r1"]);
            assert_eq!((runs[1].status.as_str(), runs[1].report.as_str()), ("completed", r#"{"posts":1}"#));
            assert_eq!(runs[1].completed_at.as_deref(), Some("2026-01-01T01:00:00Z"));
        });
    }

    #[test]
    fn a_run_that_could_not_be_started_is_deleted_and_frees_its_week() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            insert_run(&db, "r1", "manual-1", "2026-01-01T00:00:00Z").await.unwrap();
            delete_run(&store(&shard, 2), "r1").await.unwrap();
            assert_eq!(runs(&db).await.unwrap().len(), 1);
            delete_run(&db, "r1").await.unwrap();
            assert!(runs(&db).await.unwrap().is_empty());
            assert!(insert_run(&db, "r2", "manual-1", "2026-01-01T00:00:01Z").await.unwrap());
        });
    }

    #[test]
    fn a_published_post_keeps_the_first_at_its_slug_and_only_the_engines_posts_are_its_own() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            insert_post(&db, &post("a", "brushing", "2026-01-01T00:00:00Z")).await.unwrap();
            insert_post(&db, &post("b", "brushing", "2026-01-02T00:00:00Z")).await.unwrap();
            insert_post(&db, &post("c", "combing", "2026-01-03T00:00:00Z")).await.unwrap();
            shard
                .execute_script(&format!(
                    "INSERT INTO posts (store_id, id, slug, title, body_html, created_at, updated_at) \
                     VALUES ('{}', 'm', 'mine', 'Mine', '<p>x</p>', '2026-01-04T00:00:00Z', '2026-01-04T00:00:00Z')",
                    db.store()
                ))
                .unwrap();
            assert_eq!(post_id_by_slug(&db, "brushing").await.unwrap().as_deref(), Some("a"));
            assert_eq!(post_id_by_slug(&store(&shard, 2), "brushing").await.unwrap(), None);
            let ids: Vec<String> = seo_posts(&db).await.unwrap().into_iter().map(|p| p.id).collect();
            assert_eq!(ids, ["c", "a"]);
            let listed = seo_posts(&db).await.unwrap();
            assert_eq!(
                (listed[0].status.as_str(), listed[0].published_at.as_deref()),
                ("published", Some("2026-01-03T00:00:00Z"))
            );
            let all: Vec<String> = posts(&db).await.unwrap().into_iter().map(|p| p.id).collect();
            assert_eq!(all, ["a", "c", "m"]);
        });
    }

    #[test]
    fn a_rewrite_applies_only_while_the_old_value_stands_and_keeps_it_in_the_history() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        product(&shard, &one, "p1", "published", "2026-01-01T00:00:00Z");
        let rewrite = Rewrite {
            product_id: "p1",
            run_id: "r1",
            field: MetaField::Title,
            old: "Old title",
            new: "New title",
            reason: "keyword",
            at: "2026-01-05T00:00:00Z",
        };
        block_on(async {
            assert!(!rewrite_product(&two, &rewrite).await.unwrap());
            assert!(rewrite_product(&one, &rewrite).await.unwrap());
            assert!(!rewrite_product(&one, &rewrite).await.unwrap());
            let products = published_products(&one).await.unwrap();
            assert_eq!(
                (products[0].meta_title.as_str(), products[0].meta_description.as_str()),
                ("New title", "Old description")
            );
            #[derive(Deserialize)]
            struct History {
                field: String,
                old_value: String,
            }
            let history: Vec<History> = one
                .query_all("SELECT field, old_value FROM seo_history WHERE store_id = ?1", vec![])
                .await
                .unwrap();
            assert_eq!(history.len(), 1);
            assert_eq!(
                (history[0].field.as_str(), history[0].old_value.as_str()),
                ("meta_title", "Old title")
            );
            let described =
                Rewrite { field: MetaField::Description, old: "Old description", new: "New", ..rewrite };
            assert!(rewrite_product(&one, &described).await.unwrap());
            assert_eq!(published_products(&one).await.unwrap()[0].meta_description, "New");
        });
    }

    #[test]
    fn the_context_reads_published_products_oldest_first_and_collections_without_keywords() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        product(&shard, &one, "b", "published", "2026-01-02T00:00:00Z");
        product(&shard, &one, "a", "published", "2026-01-01T00:00:00Z");
        product(&shard, &one, "d", "draft", "2026-01-01T00:00:00Z");
        product(&shard, &two, "x", "published", "2026-01-01T00:00:00Z");
        shard
            .execute_script(&format!(
                "INSERT INTO collections (store_id, id, slug, title, created_at, updated_at) \
                 VALUES ('{}', 'c1', 'brushes', 'Brushes', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                one.store()
            ))
            .unwrap();
        block_on(async {
            let ids: Vec<String> =
                published_products(&one).await.unwrap().into_iter().map(|p| p.id).collect();
            assert_eq!(ids, ["a", "b"]);
            let collections = collections(&one).await.unwrap();
            assert_eq!(
                collections,
                [PageRow {
                    id: "c1".into(),
                    slug: "brushes".into(),
                    title: "Brushes".into(),
                    keywords: None
                }]
            );
            assert!(super::collections(&two).await.unwrap().is_empty());
        });
    }

    #[test]
    fn links_set_a_posts_related_products_in_its_own_store_only() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        block_on(async {
            insert_post(&one, &post("a", "brushing", "2026-01-01T00:00:00Z")).await.unwrap();
            let (p1, p2) = ("p1".to_owned(), "p2".to_owned());
            let outcomes = two
                .execute_batch(vec![relate_products(&two, "a", &[&p1], "2026-01-02T00:00:00Z").unwrap()])
                .await
                .unwrap();
            assert_eq!(outcomes[0].changes, 0);
            one.execute_batch(vec![relate_products(&one, "a", &[&p1, &p2], "2026-01-02T00:00:00Z").unwrap()])
                .await
                .unwrap();
            assert_eq!(seo_posts(&one).await.unwrap()[0].related_product_ids, r#"["p1","p2"]"#);
        });
    }

    #[test]
    fn a_store_is_due_once_per_week_and_only_while_active() {
        let db = platform();
        block_on(async {
            db.run(Statement::new(
                "INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'T', '2026-01-01T00:00:00Z')",
                vec![],
            ))
            .await
            .unwrap();
            db.run(Statement::new(
                "INSERT INTO stores (id, tenant_id, slug, name, niche, currency, status, shard, created_at) VALUES \
                 ('s2', 't1', 'b', 'S', 'n', 'USD', 'active', 2, '2026-01-01T00:00:00Z'), \
                 ('s1', 't1', 'a', 'S', 'n', 'USD', 'active', 1, '2026-01-01T00:00:00Z'), \
                 ('s3', 't1', 'c', 'S', 'n', 'USD', 'suspended', 1, '2026-01-01T00:00:00Z')",
                vec![],
            ))
            .await
            .unwrap();
            let due = due_stores(&db, "2026-W02", 10).await.unwrap();
            assert_eq!(due.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["s1", "s2"]);
            assert_eq!(due_stores(&db, "2026-W02", 1).await.unwrap().len(), 1);
            assert!(claim_week(&db, "s1", "2026-W02").await.unwrap());
            assert!(!claim_week(&db, "s1", "2026-W02").await.unwrap());
            let due = due_stores(&db, "2026-W02", 10).await.unwrap();
            assert_eq!(due, [DueStore { id: "s2".into(), tenant_id: "t1".into(), shard: 2 }]);
            assert_eq!(due_stores(&db, "2026-W03", 10).await.unwrap().len(), 2);
        });
    }
}
