//! Product variants (size, colour, ...): each with its own price, compare-at price, SKU and
//! stock. A product's variants are written together with the product, all or nothing.

use crate::error::{ApiError, ApiResult};
pub use crate::repo::variants::VariantView;
use crate::runtime::new_id;
use domain::ProductId;
use serde::Deserialize;

/// Variants one product may have.
pub const MAX_VARIANTS: usize = 100;

/// A variant as the merchant sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantInput {
    /// An existing variant of the product to keep (absent: a new variant).
    id: Option<String>,
    /// E.g. `Red / L`.
    title: String,
    /// Option name to value, e.g. `{"Colour": "Red", "Size": "L"}`.
    #[serde(default)]
    options: serde_json::Map<String, serde_json::Value>,
    sku: Option<String>,
    /// The product's price when absent.
    price_minor: Option<i64>,
    compare_at_minor: Option<i64>,
    cost_minor: Option<i64>,
    /// Units in stock; absent (`null`) when stock is not tracked.
    stock: Option<i64>,
}

/// A checked variant, ready to write.
#[derive(Debug, Clone)]
pub struct Variant {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) options: String,
    pub(crate) sku: Option<String>,
    pub(crate) price_minor: i64,
    pub(crate) compare_at_minor: Option<i64>,
    pub(crate) cost_minor: Option<i64>,
    pub(crate) stock: Option<i64>,
}

/// Checks variants against the product's price; `existing` are the ids the product has.
pub fn check(
    inputs: Option<&[VariantInput]>,
    existing: &[String],
    product_price: i64,
) -> ApiResult<Vec<Variant>> {
    let Some(inputs) = inputs else { return Ok(Vec::new()) };
    if inputs.len() > MAX_VARIANTS {
        return Err(ApiError::invalid(
            "variants",
            format!("a product may have at most {MAX_VARIANTS} variants"),
        ));
    }
    let mut seen_ids = std::collections::HashSet::new();
    let mut seen_titles = std::collections::HashSet::new();
    inputs
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let field = |name: &str| format!("variants[{i}].{name}");
            let title = v.title.trim();
            if title.is_empty() || title.chars().count() > 80 || title.chars().any(char::is_control) {
                return Err(ApiError::invalid(&field("title"), "a variant title must be 1 to 80 characters"));
            }
            if !seen_titles.insert(title.to_lowercase()) {
                return Err(ApiError::invalid(&field("title"), format!("two variants are called `{title}`")));
            }
            let id = match &v.id {
                Some(id) if existing.contains(id) && seen_ids.insert(id.clone()) => id.clone(),
                Some(_) => return Err(ApiError::invalid(&field("id"), "not a variant of this product")),
                None => new_id::<ProductId>().to_string(),
            };
            if v.options.len() > 3
                || v.options.iter().any(|(k, val)| {
                    k.is_empty()
                        || k.chars().count() > 40
                        || !val.as_str().is_some_and(|s| (1..=40).contains(&s.chars().count()))
                })
            {
                return Err(ApiError::invalid(
                    &field("options"),
                    "options are at most 3 names with text values of 1 to 40 characters",
                ));
            }
            let price_minor = v.price_minor.unwrap_or(product_price);
            if price_minor <= 0 {
                return Err(ApiError::invalid(&field("price_minor"), "price_minor must be positive"));
            }
            if v.compare_at_minor.is_some_and(|c| c <= price_minor) {
                return Err(ApiError::invalid(
                    &field("compare_at_minor"),
                    "compare_at_minor must be above price_minor",
                ));
            }
            if v.cost_minor.is_some_and(|c| c < 0) {
                return Err(ApiError::invalid(&field("cost_minor"), "cost_minor must not be negative"));
            }
            if v.stock.is_some_and(|s| !(0..=1_000_000).contains(&s)) {
                return Err(ApiError::invalid(
                    &field("stock"),
                    "stock must be 0 to 1000000, or null when not tracked",
                ));
            }
            if v.sku.as_deref().is_some_and(|s| s.chars().count() > 64) {
                return Err(ApiError::invalid(&field("sku"), "sku must be at most 64 characters"));
            }
            Ok(Variant {
                id,
                title: title.to_owned(),
                options: serde_json::Value::Object(v.options.clone()).to_string(),
                sku: v.sku.clone().filter(|s| !s.trim().is_empty()),
                price_minor,
                compare_at_minor: v.compare_at_minor,
                cost_minor: v.cost_minor,
                stock: v.stock,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: serde_json::Value) -> Vec<VariantInput> {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn kept_variants_take_the_product_price_unless_they_have_their_own() {
        let existing = vec!["v1".to_owned(), "v2".to_owned()];
        let checked = check(
            Some(&input(serde_json::json!([
                {"id": "v1", "title": "Red", "stock": 3},
                {"id": "v2", "title": "Blue", "price_minor": 2500, "compare_at_minor": 3000, "stock": null}
            ]))),
            &existing,
            1999,
        )
        .unwrap();
        assert_eq!((checked[0].price_minor, checked[0].stock), (1999, Some(3)));
        assert_eq!((checked[1].price_minor, checked[1].stock), (2500, None));
    }

    #[test]
    fn variants_of_other_products_duplicates_and_bad_prices_are_refused_by_field() {
        let existing = vec!["v1".to_owned()];
        let field = |json| check(Some(&input(json)), &existing, 1999).unwrap_err().field;
        assert_eq!(
            field(serde_json::json!([{"id": "other", "title": "Red"}])).as_deref(),
            Some("variants[0].id")
        );
        assert_eq!(
            field(serde_json::json!([{"id": "v1", "title": "Red"}, {"id": "v1", "title": "Blue"}]))
                .as_deref(),
            Some("variants[1].id")
        );
        assert_eq!(
            field(serde_json::json!([{"id": "v1", "title": "Red", "compare_at_minor": 1000}])).as_deref(),
            Some("variants[0].compare_at_minor")
        );
        assert_eq!(
            field(serde_json::json!([{"id": "v1", "title": "Red", "stock": -1}])).as_deref(),
            Some("variants[0].stock")
        );
        assert_eq!(
            field(serde_json::json!([{"id": "v1", "title": " "}])).as_deref(),
            Some("variants[0].title")
        );
    }
}
