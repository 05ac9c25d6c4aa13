//! Slugs across a store's catalog tables, and the redirects a changed slug leaves behind (the
//! `slug_redirects` table).

use crate::error::{ApiError, ApiResult};
use serde::Deserialize;
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

/// The statement that finds another row of `table` with a slug.
fn taken_sql(table: &str) -> Result<&'static str, SqlError> {
    Ok(match table {
        "products" => "SELECT id FROM products WHERE store_id = ?1 AND slug = ?2 AND id != ?3",
        "collections" => "SELECT id FROM collections WHERE store_id = ?1 AND slug = ?2 AND id != ?3",
        "posts" => "SELECT id FROM posts WHERE store_id = ?1 AND slug = ?2 AND id != ?3",
        "pages" => "SELECT id FROM pages WHERE store_id = ?1 AND slug = ?2 AND id != ?3",
        other => return Err(SqlError::Database(format!("`{other}` has no slugs"))),
    })
}

#[derive(Deserialize)]
struct Taken {
    #[expect(dead_code, reason = "only whether a row exists matters")]
    id: String,
}

/// Refuses a slug another row of `table` (`products`, `collections`, `posts` or `pages`) has
/// (409 `slug_taken`); `own` is the row being changed.
pub async fn ensure_free(
    db: &StoreDb<impl Sql>,
    table: &str,
    slug: &str,
    own: Option<&str>,
) -> ApiResult<()> {
    let taken: Option<Taken> =
        db.query_first(taken_sql(table)?, vec![slug.into(), own.unwrap_or("").into()]).await?;
    match taken {
        Some(_) => {
            Err(ApiError::new(409, "slug_taken", format!("slug `{slug}` is already taken")).field("slug"))
        }
        None => Ok(()),
    }
}

/// The statements that make `old` answer with a 301 to the row `target` (whose slug is now
/// `new`): earlier redirects to it keep working, and `new` is no longer a redirect itself.
pub fn redirect(
    db: &StoreDb<impl Sql>,
    kind: &str,
    old: &str,
    new: &str,
    target: &str,
    at: &str,
) -> Result<Vec<Statement>, SqlError> {
    Ok(vec![
        db.scoped(
            "DELETE FROM slug_redirects WHERE store_id = ?1 AND kind = ?2 AND old_slug = ?3",
            vec![kind.into(), new.into()],
        )?,
        db.scoped(
            "INSERT INTO slug_redirects (store_id, kind, old_slug, target_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (store_id, kind, old_slug) DO UPDATE SET target_id = excluded.target_id, created_at = excluded.created_at",
            vec![kind.into(), old.into(), target.into(), at.into()],
        )?,
    ])
}

/// Where an old slug of `kind` now points, if anywhere.
#[cfg(test)]
async fn redirect_target(db: &StoreDb<impl Sql>, kind: &str, old: &str) -> Result<Option<String>, SqlError> {
    #[derive(Deserialize)]
    struct Row {
        target_id: String,
    }
    let row: Option<Row> = db
        .query_first(
            "SELECT target_id FROM slug_redirects WHERE store_id = ?1 AND kind = ?2 AND old_slug = ?3",
            vec![kind.into(), old.into()],
        )
        .await?;
    Ok(row.map(|r| r.target_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store};

    #[test]
    fn a_renamed_slug_redirects_and_the_new_slug_stops_being_a_redirect() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            db.execute_batch(redirect(&db, "product", "old", "new", "p1", "2026-01-01T00:00:00Z").unwrap())
                .await
                .unwrap();
            assert_eq!(redirect_target(&db, "product", "old").await.unwrap().as_deref(), Some("p1"));
            // Renamed back: `old` is the product's slug again, so it must not redirect.
            db.execute_batch(redirect(&db, "product", "new", "old", "p1", "2026-01-02T00:00:00Z").unwrap())
                .await
                .unwrap();
            assert_eq!(redirect_target(&db, "product", "old").await.unwrap(), None);
            assert_eq!(redirect_target(&db, "product", "new").await.unwrap().as_deref(), Some("p1"));
        });
    }

    #[test]
    fn a_slug_is_taken_only_by_another_row_of_the_same_store() {
        let shard = shard();
        let (mine, theirs) = (store(&shard, 1), store(&shard, 2));
        shard
            .execute_script(
                "INSERT INTO posts (store_id, id, slug, title, body_html, created_at, updated_at) \
                 VALUES ('00000000-0000-4000-8000-000000000001', 'post-1', 'hello', 'Hello', '<p>x</p>', 'a', 'a')",
            )
            .unwrap();
        block_on(async {
            let taken = ensure_free(&mine, "posts", "hello", None).await.unwrap_err();
            assert_eq!((taken.status, taken.code), (409, "slug_taken"));
            assert!(
                ensure_free(&mine, "posts", "hello", Some("post-1")).await.is_ok(),
                "its own slug is free"
            );
            assert!(
                ensure_free(&theirs, "posts", "hello", None).await.is_ok(),
                "another store's slug is free"
            );
            assert!(ensure_free(&mine, "products", "hello", None).await.is_ok(), "slugs are per table");
        });
    }

    #[test]
    fn another_stores_redirects_are_invisible() {
        let shard = shard();
        let (mine, theirs) = (store(&shard, 1), store(&shard, 2));
        block_on(async {
            mine.execute_batch(
                redirect(&mine, "product", "old", "new", "p1", "2026-01-01T00:00:00Z").unwrap(),
            )
            .await
            .unwrap();
            assert_eq!(redirect_target(&theirs, "product", "old").await.unwrap(), None);
        });
    }
}
