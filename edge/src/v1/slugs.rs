//! URL slugs the merchant chooses, and the redirects a changed slug leaves behind.

use crate::error::{ApiError, ApiResult};
use tenancy::shards::StoreDb;
use worker::D1PreparedStatement;

/// Longest slug.
pub const SLUG_MAX: usize = 100;

/// A slug as typed: lowercase ASCII letters, digits and single inner hyphens.
pub fn check(field: &str, raw: &str) -> ApiResult<String> {
    let slug = raw.trim();
    let ok = !slug.is_empty()
        && slug.len() <= SLUG_MAX
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if ok {
        Ok(slug.to_owned())
    } else {
        Err(ApiError::invalid(
            field,
            format!("{field} must be 1 to {SLUG_MAX} lowercase letters, digits and single hyphens"),
        ))
    }
}

/// Refuses a slug another row of `table` has (409 `slug_taken`); `own` is the row being changed.
pub async fn ensure_free(db: &StoreDb, table: &str, slug: &str, own: Option<&str>) -> ApiResult<()> {
    debug_assert!(matches!(table, "products" | "collections" | "posts" | "pages"));
    let taken: Option<serde_json::Value> = db
        .first(
            &format!("SELECT id FROM {table} WHERE store_id = ?1 AND slug = ?2 AND id != ?3"),
            &[slug.into(), own.unwrap_or("").into()],
        )
        .await?;
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
    db: &StoreDb,
    kind: &str,
    old: &str,
    new: &str,
    target: &str,
    at: &str,
) -> worker::Result<Vec<D1PreparedStatement>> {
    Ok(vec![
        db.statement(
            "DELETE FROM slug_redirects WHERE store_id = ?1 AND kind = ?2 AND old_slug = ?3",
            &[kind.into(), new.into()],
        )?,
        db.statement(
            "INSERT INTO slug_redirects (store_id, kind, old_slug, target_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (store_id, kind, old_slug) DO UPDATE SET target_id = excluded.target_id, created_at = excluded.created_at",
            &[kind.into(), old.into(), target.into(), at.into()],
        )?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_single_hyphens() {
        assert_eq!(check("slug", " slicker-brush-2 ").unwrap(), "slicker-brush-2");
        for bad in ["", "Brush", "a--b", "-a", "a-", "a b", "a/b", &"a".repeat(SLUG_MAX + 1)] {
            assert_eq!(check("slug", bad).unwrap_err().field.as_deref(), Some("slug"), "{bad}");
        }
    }
}
