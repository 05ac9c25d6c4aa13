//! Store pages and blog posts in the store database: the tables `pages` and `posts`, and the
//! rows of `slug_redirects` that point at a post being deleted.

use crate::repo::json_list;
use serde::{Deserialize, Serialize};
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

/// A store page with everything the merchant can edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRow {
    /// Page id.
    pub id: String,
    /// `about`, `contact`, `shipping`, `returns`, `privacy`, `terms` or `custom`.
    pub kind: String,
    /// URL slug, unique among the store's pages.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Sanitised HTML.
    pub body_html: String,
    /// Description for search results.
    pub meta_description: String,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// A page as the list of pages shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageSummary {
    /// Page id.
    pub id: String,
    /// The page's kind.
    pub kind: String,
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// A page about to be written: a new standard page, or the merchant's change of one.
#[derive(Debug, Clone)]
pub struct PageWrite<'a> {
    /// Page id.
    pub id: &'a str,
    /// URL slug.
    pub slug: &'a str,
    /// Title.
    pub title: &'a str,
    /// Sanitised HTML.
    pub body_html: &'a str,
    /// Description for search results.
    pub meta_description: &'a str,
    /// Time of the write (RFC 3339).
    pub at: &'a str,
}

const PAGE_SELECT: &str =
    "SELECT id, kind, slug, title, body_html, meta_description, created_at, updated_at FROM pages";

/// The kinds of page the store has.
pub async fn page_kinds(db: &StoreDb<impl Sql>) -> Result<Vec<String>, SqlError> {
    #[derive(Deserialize)]
    struct Kind {
        kind: String,
    }
    let rows: Vec<Kind> = db.query_all("SELECT kind FROM pages WHERE store_id = ?1", vec![]).await?;
    Ok(rows.into_iter().map(|r| r.kind).collect())
}

/// The insert of a page of `kind`; a page already holding its slug keeps it.
pub fn insert_page(db: &StoreDb<impl Sql>, kind: &str, page: &PageWrite<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO pages (store_id, id, kind, slug, title, body_html, meta_description, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) ON CONFLICT (store_id, slug) DO NOTHING",
        vec![
            page.id.into(),
            kind.into(),
            page.slug.into(),
            page.title.into(),
            page.body_html.into(),
            page.meta_description.into(),
            page.at.into(),
        ],
    )
}

/// The store's pages, oldest first (pages made together by slug).
pub async fn pages(db: &StoreDb<impl Sql>) -> Result<Vec<PageSummary>, SqlError> {
    db.query_all(
        "SELECT id, kind, slug, title, updated_at FROM pages WHERE store_id = ?1 ORDER BY created_at, slug",
        vec![],
    )
    .await
}

/// The store's page at `slug`.
pub async fn page_by_slug(db: &StoreDb<impl Sql>, slug: &str) -> Result<Option<PageRow>, SqlError> {
    db.query_first(&format!("{PAGE_SELECT} WHERE store_id = ?1 AND slug = ?2"), vec![slug.into()]).await
}

/// The update of the page `page.id` (its kind and creation time stay).
pub fn update_page(db: &StoreDb<impl Sql>, page: &PageWrite<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE pages SET slug = ?3, title = ?4, body_html = ?5, meta_description = ?6, updated_at = ?7 \
         WHERE store_id = ?1 AND id = ?2",
        vec![
            page.id.into(),
            page.slug.into(),
            page.title.into(),
            page.body_html.into(),
            page.meta_description.into(),
            page.at.into(),
        ],
    )
}

/// A blog post with everything the merchant can edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostRow {
    /// Post id.
    pub id: String,
    /// URL slug, unique among the store's posts.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Short summary.
    pub excerpt: String,
    /// Sanitised HTML.
    pub body_html: String,
    /// Title for search results.
    pub meta_title: String,
    /// Description for search results.
    pub meta_description: String,
    /// SEO keywords (a JSON array).
    pub keywords: String,
    /// Products the post links to (a JSON array of ids).
    pub related_product_ids: String,
    /// Byline.
    pub author: String,
    /// `merchant` or `seo`.
    pub source: String,
    /// `draft` or `published`.
    pub status: String,
    /// First publication (RFC 3339), `None` while never published.
    pub published_at: Option<String>,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// A post as the list of posts shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostSummary {
    /// Post id.
    pub id: String,
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Short summary.
    pub excerpt: String,
    /// `draft` or `published`.
    pub status: String,
    /// `merchant` or `seo`.
    pub source: String,
    /// First publication (RFC 3339).
    pub published_at: Option<String>,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// A post about to be written by the merchant.
#[derive(Debug, Clone)]
pub struct PostWrite<'a> {
    /// Post id.
    pub id: &'a str,
    /// URL slug.
    pub slug: &'a str,
    /// Title.
    pub title: &'a str,
    /// Short summary.
    pub excerpt: &'a str,
    /// Sanitised HTML.
    pub body_html: &'a str,
    /// Title for search results.
    pub meta_title: &'a str,
    /// Description for search results.
    pub meta_description: &'a str,
    /// SEO keywords.
    pub keywords: &'a [String],
    /// Ids of the products the post links to.
    pub related_product_ids: &'a [String],
    /// Byline.
    pub author: &'a str,
    /// `draft` or `published`.
    pub status: &'a str,
    /// First publication (RFC 3339).
    pub published_at: Option<&'a str>,
    /// Time of the write (RFC 3339).
    pub at: &'a str,
}

impl PostWrite<'_> {
    fn args(&self) -> Vec<tenancy::sql::Arg> {
        vec![
            self.id.into(),
            self.slug.into(),
            self.title.into(),
            self.excerpt.into(),
            self.body_html.into(),
            self.meta_title.into(),
            self.meta_description.into(),
            json_list(self.keywords).into(),
            json_list(self.related_product_ids).into(),
            self.author.into(),
            self.status.into(),
            self.published_at.into(),
            self.at.into(),
        ]
    }
}

/// The store's post `id`.
pub async fn post(db: &StoreDb<impl Sql>, id: &str) -> Result<Option<PostRow>, SqlError> {
    db.query_first(
        "SELECT id, slug, title, excerpt, body_html, meta_title, meta_description, keywords, \
         related_product_ids, author, source, status, published_at, created_at, updated_at FROM posts \
         WHERE store_id = ?1 AND id = ?2",
        vec![id.into()],
    )
    .await
}

/// The store's newest 500 posts, by publication (creation while never published), newest first.
pub async fn posts(db: &StoreDb<impl Sql>) -> Result<Vec<PostSummary>, SqlError> {
    db.query_all(
        "SELECT id, slug, title, excerpt, status, source, published_at, updated_at FROM posts WHERE store_id = ?1 \
         ORDER BY COALESCE(published_at, created_at) DESC LIMIT 500",
        vec![],
    )
    .await
}

/// The insert of a merchant's new post (a slug taken by another post fails it as a unique
/// violation).
pub fn insert_post(db: &StoreDb<impl Sql>, post: &PostWrite<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO posts (store_id, id, slug, title, excerpt, body_html, meta_title, meta_description, keywords, \
         related_product_ids, author, status, published_at, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
        post.args(),
    )
}

/// The update of post `post.id` (its source and creation time stay).
pub fn update_post(db: &StoreDb<impl Sql>, post: &PostWrite<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE posts SET slug = ?3, title = ?4, excerpt = ?5, body_html = ?6, meta_title = ?7, meta_description = ?8, \
         keywords = ?9, related_product_ids = ?10, author = ?11, status = ?12, published_at = ?13, updated_at = ?14 \
         WHERE store_id = ?1 AND id = ?2",
        post.args(),
    )
}

/// Deletes post `id` and the redirects to it, together; `false` when the store has no such post.
pub async fn delete_post(db: &StoreDb<impl Sql>, id: &str) -> Result<bool, SqlError> {
    let outcomes = db
        .execute_batch(vec![
            db.scoped(
                "DELETE FROM slug_redirects WHERE store_id = ?1 AND kind = 'post' AND target_id = ?2",
                vec![id.into()],
            )?,
            db.scoped("DELETE FROM posts WHERE store_id = ?1 AND id = ?2", vec![id.into()])?,
        ])
        .await?;
    Ok(outcomes.last().is_some_and(|o| o.changes > 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store};

    fn page<'a>(id: &'a str, slug: &'a str, at: &'a str) -> PageWrite<'a> {
        PageWrite { id, slug, title: "About us", body_html: "<p>Hi</p>", meta_description: "", at }
    }

    fn post<'a>(id: &'a str, slug: &'a str, status: &'a str, published_at: Option<&'a str>) -> PostWrite<'a> {
        PostWrite {
            id,
            slug,
            title: "Brushing",
            excerpt: "",
            body_html: "<p>Brush</p>",
            meta_title: "",
            meta_description: "",
            keywords: &[],
            related_product_ids: &[],
            author: "",
            status,
            published_at,
            at: "2026-01-01T00:00:00Z",
        }
    }

    #[test]
    fn a_second_standard_page_on_a_taken_slug_writes_nothing() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            let first = insert_page(&db, "about", &page("p1", "about", "2026-01-01T00:00:00Z")).unwrap();
            let second = insert_page(&db, "custom", &page("p2", "about", "2026-01-02T00:00:00Z")).unwrap();
            db.execute_batch(vec![first, second]).await.unwrap();
            assert_eq!(page_kinds(&db).await.unwrap(), vec!["about".to_owned()]);
            assert_eq!(page_by_slug(&db, "about").await.unwrap().unwrap().id, "p1");
        });
    }

    #[test]
    fn pages_are_listed_oldest_first_then_by_slug_and_only_the_stores_own() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        block_on(async {
            for (id, slug, at) in [
                ("p1", "terms", "2026-01-01T00:00:00Z"),
                ("p2", "about", "2026-01-01T00:00:00Z"),
                ("p3", "faq", "2025-12-31T00:00:00Z"),
            ] {
                one.execute_batch(vec![insert_page(&one, "custom", &page(id, slug, at)).unwrap()])
                    .await
                    .unwrap();
            }
            let slugs: Vec<String> = pages(&one).await.unwrap().into_iter().map(|p| p.slug).collect();
            assert_eq!(slugs, ["faq", "about", "terms"]);
            assert!(pages(&two).await.unwrap().is_empty());
            assert!(page_kinds(&two).await.unwrap().is_empty());
            assert_eq!(page_by_slug(&two, "about").await.unwrap(), None);
        });
    }

    #[test]
    fn another_store_cannot_change_a_page() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        block_on(async {
            one.execute_batch(vec![
                insert_page(&one, "about", &page("p1", "about", "2026-01-01T00:00:00Z")).unwrap()
            ])
            .await
            .unwrap();
            let mut change = page("p1", "about-us", "2026-02-01T00:00:00Z");
            change.title = "Hacked";
            let outcomes = two.execute_batch(vec![update_page(&two, &change).unwrap()]).await.unwrap();
            assert_eq!(outcomes[0].changes, 0);
            assert_eq!(page_by_slug(&one, "about").await.unwrap().unwrap().title, "About us");
            one.execute_batch(vec![update_page(&one, &change).unwrap()]).await.unwrap();
            let changed = page_by_slug(&one, "about-us").await.unwrap().unwrap();
            assert_eq!((changed.title.as_str(), changed.kind.as_str()), ("Hacked", "about"));
            assert_eq!(changed.created_at, "2026-01-01T00:00:00Z");
        });
    }

    #[test]
    fn a_post_keeps_its_lists_as_json_and_a_never_published_post_has_no_publication_time() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            let keywords = ["dog brush".to_owned()];
            let mut draft = post("a", "brushing", "draft", None);
            draft.keywords = &keywords;
            db.execute_batch(vec![insert_post(&db, &draft).unwrap()]).await.unwrap();
            let row = super::post(&db, "a").await.unwrap().unwrap();
            assert_eq!(row.keywords, r#"["dog brush"]"#);
            assert_eq!(row.related_product_ids, "[]");
            assert_eq!((row.source.as_str(), row.published_at), ("merchant", None));
        });
    }

    #[test]
    fn a_second_post_on_a_taken_slug_is_a_unique_violation() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            db.execute_batch(vec![insert_post(&db, &post("a", "brushing", "draft", None)).unwrap()])
                .await
                .unwrap();
            let error = db
                .execute_batch(vec![insert_post(&db, &post("b", "brushing", "draft", None)).unwrap()])
                .await
                .unwrap_err();
            assert!(error.is_unique_violation(), "{error}");
            // Another store may use the slug.
            let two = store(&shard, 2);
            two.execute_batch(vec![insert_post(&two, &post("c", "brushing", "draft", None)).unwrap()])
                .await
                .unwrap();
        });
    }

    #[test]
    fn posts_are_listed_newest_published_first_with_drafts_by_creation() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            let mut old = post("old", "old", "published", Some("2025-06-01T00:00:00Z"));
            old.at = "2025-06-01T00:00:00Z";
            let mut draft = post("draft", "draft", "draft", None);
            draft.at = "2025-09-01T00:00:00Z";
            let new = post("new", "new", "published", Some("2025-12-01T00:00:00Z"));
            for p in [&old, &draft, &new] {
                db.execute_batch(vec![insert_post(&db, p).unwrap()]).await.unwrap();
            }
            let ids: Vec<String> = posts(&db).await.unwrap().into_iter().map(|p| p.id).collect();
            assert_eq!(ids, ["new", "draft", "old"]);
            assert!(posts(&store(&shard, 2)).await.unwrap().is_empty());
        });
    }

    #[test]
    fn deleting_a_post_takes_its_redirects_and_another_stores_delete_finds_nothing() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        block_on(async {
            one.execute_batch(vec![insert_post(&one, &post("a", "brushing", "draft", None)).unwrap()])
                .await
                .unwrap();
            shard
                .execute_script(&format!(
                    "INSERT INTO slug_redirects (store_id, kind, old_slug, target_id, created_at) \
                     VALUES ('{}', 'post', 'brush', 'a', '2026-01-01T00:00:00Z')",
                    one.store()
                ))
                .unwrap();
            assert!(!delete_post(&two, "a").await.unwrap());
            assert!(super::post(&one, "a").await.unwrap().is_some());
            assert!(delete_post(&one, "a").await.unwrap());
            assert_eq!(super::post(&one, "a").await.unwrap(), None);
            #[derive(Deserialize)]
            struct N {
                n: i64,
            }
            let left: Option<N> = one
                .query_first("SELECT COUNT(*) AS n FROM slug_redirects WHERE store_id = ?1", vec![])
                .await
                .unwrap();
            assert_eq!(left.unwrap().n, 0);
            assert!(!delete_post(&one, "a").await.unwrap());
        });
    }

    #[test]
    fn updating_a_post_keeps_its_source_and_creation_time() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            db.execute_batch(vec![insert_post(&db, &post("a", "brushing", "draft", None)).unwrap()])
                .await
                .unwrap();
            let mut change = post("a", "brushing-101", "published", Some("2026-03-01T00:00:00Z"));
            change.at = "2026-03-01T00:00:00Z";
            db.execute_batch(vec![update_post(&db, &change).unwrap()]).await.unwrap();
            let row = super::post(&db, "a").await.unwrap().unwrap();
            assert_eq!(row.slug, "brushing-101");
            assert_eq!(row.published_at.as_deref(), Some("2026-03-01T00:00:00Z"));
            assert_eq!(
                (row.created_at.as_str(), row.updated_at.as_str()),
                ("2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z")
            );
            assert_eq!(row.source, "merchant");
        });
    }
}
