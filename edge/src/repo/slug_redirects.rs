//! The redirects a changed slug leaves behind (`slug_redirects`), as statements over the SQL port.
//!
//! Collections, pages and posts need these statements in the same batch as their own writes,
//! and `v1::slugs::redirect` still returns D1 statements. This module is `v1::slugs::redirect`
//! over the SQL port, the same SQL, until `repo::slugs` takes both over.

use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store};
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Redirect {
        old_slug: String,
        target_id: String,
    }

    async fn redirects(db: &StoreDb<impl Sql>) -> Vec<Redirect> {
        db.query_all(
            "SELECT old_slug, target_id FROM slug_redirects WHERE store_id = ?1 ORDER BY old_slug",
            vec![],
        )
        .await
        .unwrap()
    }

    #[test]
    fn renaming_back_and_forth_keeps_the_old_slugs_pointing_at_the_row_and_the_current_one_free() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        block_on(async {
            one.execute_batch(redirect(&one, "post", "a", "b", "p1", "2026-01-01T00:00:00Z").unwrap())
                .await
                .unwrap();
            one.execute_batch(redirect(&one, "post", "b", "a", "p1", "2026-01-02T00:00:00Z").unwrap())
                .await
                .unwrap();
            assert_eq!(redirects(&one).await, [Redirect { old_slug: "b".into(), target_id: "p1".into() }]);
            assert!(redirects(&two).await.is_empty());
        });
    }
}
