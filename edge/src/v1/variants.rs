//! Product variants (size, colour, ...): each with its own price, compare-at price, SKU and
//! stock. A product's variants are written together with the product, all or nothing.

use crate::error::{ApiError, ApiResult};
use crate::runtime::new_id;
use domain::ProductId;
use serde::{Deserialize, Serialize};
use tenancy::shards::StoreDb;
use worker::wasm_bindgen::JsValue;
use worker::D1PreparedStatement;

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
    id: String,
    title: String,
    options: String,
    sku: Option<String>,
    price_minor: i64,
    compare_at_minor: Option<i64>,
    cost_minor: Option<i64>,
    stock: Option<i64>,
}

/// A variant as the API shows it.
#[derive(Debug, Serialize, Deserialize)]
pub struct VariantView {
    id: String,
    title: String,
    #[serde(default)]
    options: serde_json::Value,
    sku: Option<String>,
    price_minor: i64,
    compare_at_minor: Option<i64>,
    cost_minor: Option<i64>,
    stock: Option<i64>,
    position: i64,
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

/// The ids of a product's variants.
pub async fn ids_of(db: &StoreDb, product: &str) -> ApiResult<Vec<String>> {
    let rows: Vec<serde_json::Value> = db
        .all("SELECT id FROM product_variants WHERE store_id = ?1 AND product_id = ?2", &[product.into()])
        .await?;
    Ok(rows.iter().filter_map(|r| r["id"].as_str().map(str::to_owned)).collect())
}

/// A product's variants in order.
pub async fn of_product(db: &StoreDb, product: &str) -> ApiResult<Vec<VariantView>> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        title: String,
        options: String,
        sku: Option<String>,
        price_minor: i64,
        compare_at_minor: Option<i64>,
        cost_minor: Option<i64>,
        stock: Option<i64>,
        position: i64,
    }
    let rows: Vec<Row> = db
        .all(
            "SELECT id, title, options, sku, price_minor, compare_at_minor, cost_minor, stock, position \
             FROM product_variants WHERE store_id = ?1 AND product_id = ?2 ORDER BY position",
            &[product.into()],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| VariantView {
            options: serde_json::from_str(&r.options).unwrap_or_default(),
            id: r.id,
            title: r.title,
            sku: r.sku,
            price_minor: r.price_minor,
            compare_at_minor: r.compare_at_minor,
            cost_minor: r.cost_minor,
            stock: r.stock,
            position: r.position,
        })
        .collect())
}

fn opt(value: Option<i64>) -> JsValue {
    value.map_or(JsValue::NULL, |v| (v as f64).into())
}

/// The statements that make the product's variants exactly `variants` (those of `existing` not
/// kept are deleted).
pub fn write(
    db: &StoreDb,
    product: &str,
    variants: &[Variant],
    existing: &[String],
) -> worker::Result<Vec<D1PreparedStatement>> {
    let mut statements = Vec::new();
    for gone in existing.iter().filter(|id| !variants.iter().any(|v| &v.id == *id)) {
        statements.push(db.statement(
            "DELETE FROM product_variants WHERE store_id = ?1 AND product_id = ?2 AND id = ?3",
            &[product.into(), gone.as_str().into()],
        )?);
    }
    for (position, v) in variants.iter().enumerate() {
        let args = [
            product.into(),
            v.id.as_str().into(),
            v.title.as_str().into(),
            v.options.as_str().into(),
            v.sku.clone().map_or(JsValue::NULL, Into::into),
            (v.price_minor as f64).into(),
            opt(v.compare_at_minor),
            opt(v.cost_minor),
            opt(v.stock),
            (position as f64).into(),
        ];
        statements.push(if existing.contains(&v.id) {
            db.statement(
                "UPDATE product_variants SET title = ?4, options = ?5, sku = ?6, price_minor = ?7, compare_at_minor = ?8, \
                 cost_minor = ?9, stock = ?10, position = ?11 WHERE store_id = ?1 AND product_id = ?2 AND id = ?3",
                &args,
            )?
        } else {
            db.statement(
                "INSERT INTO product_variants (store_id, product_id, id, title, options, sku, price_minor, compare_at_minor, \
                 cost_minor, stock, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                &args,
            )?
        });
    }
    Ok(statements)
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
