//! URL slugs as the merchant types them. Whether one is free, and the redirects a changed slug
//! leaves behind, are in [`crate::repo::slugs`].

use crate::error::{ApiError, ApiResult};

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
