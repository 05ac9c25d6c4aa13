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

/// Checks variants against the product's price; `existing` are the ids the product has. Ids of
/// none of them answer 404 naming them all; rules across fields or variants (distinct titles and
/// ids, a compare-at price above the variant's price) 422; a field malformed alone 400.
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
    let unknown: Vec<(usize, &str)> = inputs
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.id.as_deref().filter(|id| !existing.iter().any(|e| e == id)).map(|id| (i, id)))
        .collect();
    if let Some((first, _)) = unknown.first() {
        let ids: Vec<&str> = unknown.iter().map(|(_, id)| *id).collect();
        return Err(ApiError::new(
            404,
            "not_found",
            format!("no variant of this product has the id(s) {}", ids.join(", ")),
        )
        .field(format!("variants[{first}].id")));
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
            // Rules across the list, which the API document states only in words: 422.
            if !seen_titles.insert(title.to_lowercase()) {
                return Err(ApiError::unprocessable(
                    &field("title"),
                    format!("two variants are called `{title}`"),
                ));
            }
            let id = match &v.id {
                Some(id) if seen_ids.insert(id.clone()) => id.clone(),
                Some(id) => {
                    return Err(ApiError::unprocessable(
                        &field("id"),
                        format!("variant {id} is listed twice"),
                    ))
                }
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
                return Err(ApiError::unprocessable(
                    &field("compare_at_minor"),
                    "compare_at_minor must be above price_minor",
                ));
            }
            if v.cost_minor.is_some_and(|c| c < 0) {
                return Err(ApiError::invalid(&field("cost_minor"), "cost_minor must not be negative"));
            }
            for (name, amount) in [
                ("price_minor", Some(price_minor)),
                ("compare_at_minor", v.compare_at_minor),
                ("cost_minor", v.cost_minor),
            ] {
                if amount.is_some_and(|a| a > domain::catalog::AMOUNT_MAX_MINOR) {
                    return Err(ApiError::invalid(
                        &field(name),
                        format!("{name} must be at most 1000000000000 minor units"),
                    ));
                }
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

    #[test]
    fn unknown_ids_answer_404_naming_them_and_rules_across_variants_422() {
        let existing = vec!["v1".to_owned()];
        let refused = |json| check(Some(&input(json)), &existing, 1999).unwrap_err();
        let unknown = refused(serde_json::json!([
            {"id": "v1", "title": "Red"}, {"id": "gone", "title": "Blue"}, {"id": "other", "title": "Green"}
        ]));
        assert_eq!((unknown.status, unknown.field.as_deref()), (404, Some("variants[1].id")));
        assert!(unknown.detail.ends_with("gone, other"), "{}", unknown.detail);
        let twice = refused(serde_json::json!([{"id": "v1", "title": "Red"}, {"id": "v1", "title": "Blue"}]));
        assert_eq!((twice.status, twice.code), (422, "invalid_combination"));
        let same_title = refused(serde_json::json!([{"id": "v1", "title": "Red"}, {"title": "red "}]));
        assert_eq!((same_title.status, same_title.field.as_deref()), (422, Some("variants[1].title")));
        let not_above = serde_json::json!([{"id": "v1", "title": "Red", "compare_at_minor": 1999}]);
        assert_eq!(refused(not_above).status, 422);
        assert_eq!(refused(serde_json::json!([{"id": "v1", "title": "Red", "stock": -1}])).status, 400);
    }

    #[test]
    fn a_new_product_takes_no_variant_ids() {
        let refused = check(Some(&input(serde_json::json!([{"id": "v1", "title": "Red"}]))), &[], 1999);
        assert_eq!(refused.unwrap_err().status, 404);
    }
}
