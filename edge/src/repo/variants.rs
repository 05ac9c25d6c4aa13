//! A product's variants (the `product_variants` table).

use crate::v1::variants::Variant;
use serde::{Deserialize, Serialize};
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

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

/// The ids of a product's variants.
pub async fn ids_of(db: &StoreDb<impl Sql>, product: &str) -> Result<Vec<String>, SqlError> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
    }
    let rows: Vec<Row> = db
        .query_all(
            "SELECT id FROM product_variants WHERE store_id = ?1 AND product_id = ?2",
            vec![product.into()],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// A product's variants in order.
pub async fn of_product(db: &StoreDb<impl Sql>, product: &str) -> Result<Vec<VariantView>, SqlError> {
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
        .query_all(
            "SELECT id, title, options, sku, price_minor, compare_at_minor, cost_minor, stock, position \
             FROM product_variants WHERE store_id = ?1 AND product_id = ?2 ORDER BY position",
            vec![product.into()],
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

/// The statements that make the product's variants exactly `variants` (those of `existing` not
/// kept are deleted).
pub fn write(
    db: &StoreDb<impl Sql>,
    product: &str,
    variants: &[Variant],
    existing: &[String],
) -> Result<Vec<Statement>, SqlError> {
    let mut statements = Vec::new();
    for gone in existing.iter().filter(|id| !variants.iter().any(|v| &v.id == *id)) {
        statements.push(db.scoped(
            "DELETE FROM product_variants WHERE store_id = ?1 AND product_id = ?2 AND id = ?3",
            vec![product.into(), gone.as_str().into()],
        )?);
    }
    for (position, v) in variants.iter().enumerate() {
        let args = vec![
            product.into(),
            v.id.as_str().into(),
            v.title.as_str().into(),
            v.options.as_str().into(),
            v.sku.as_deref().into(),
            v.price_minor.into(),
            v.compare_at_minor.into(),
            v.cost_minor.into(),
            v.stock.into(),
            position.into(),
        ];
        statements.push(if existing.contains(&v.id) {
            db.scoped(
                "UPDATE product_variants SET title = ?4, options = ?5, sku = ?6, price_minor = ?7, compare_at_minor = ?8, \
                 cost_minor = ?9, stock = ?10, position = ?11 WHERE store_id = ?1 AND product_id = ?2 AND id = ?3",
                args,
            )?
        } else {
            db.scoped(
                "INSERT INTO product_variants (store_id, product_id, id, title, options, sku, price_minor, compare_at_minor, \
                 cost_minor, stock, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                args,
            )?
        });
    }
    Ok(statements)
}
