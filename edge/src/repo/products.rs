//! Products in the store database: rows, slugs and the plan's product limit.

use crate::error::{ApiError, ApiResult};
use crate::repo::stores::Store;
use domain::{Plan, ProductId};
use queues::internal_api::PublishedProduct;
use serde::{Deserialize, Serialize};
use tenancy::shards::StoreDb;

/// Whether `url` names one of the store's converted images, as the import publishes them and the
/// storefront serves them: `/media/<name>.webp`, the name in lower-case letters, digits and dashes.
pub fn is_media_path(url: &str) -> bool {
    url.strip_prefix("/media/").and_then(|rest| rest.strip_suffix(".webp")).is_some_and(|name| {
        (1..=64).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    })
}

/// The slug itself when free, else the first free `slug-2`, `slug-3`, ...
pub async fn free_slug(db: &StoreDb, base: &str) -> ApiResult<String> {
    let taken: Vec<serde_json::Value> = db
        .all(
            "SELECT slug FROM products WHERE store_id = ?1 AND (slug = ?2 OR slug LIKE ?3)",
            &[base.into(), format!("{base}-%").into()],
        )
        .await?;
    let taken: std::collections::HashSet<&str> = taken.iter().filter_map(|v| v["slug"].as_str()).collect();
    Ok(std::iter::once(base.to_owned())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|candidate| !taken.contains(candidate.as_str()))
        .expect("an unbounded sequence has a free slug"))
}

/// The text of a JSON column.
pub fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

/// A product with everything the merchant can edit.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProductDetail {
    /// Product id.
    pub id: String,
    /// URL slug, unique in the store.
    pub slug: String,
    /// Title.
    pub title: String,
    /// `published` or `draft`.
    pub status: String,
    /// Description paragraphs (a JSON array).
    pub description: String,
    /// Feature bullets (a JSON array).
    pub features: String,
    /// Title for search results.
    pub meta_title: String,
    /// Description for search results.
    pub meta_description: String,
    /// SEO keywords (a JSON array).
    pub keywords: String,
    /// Image URLs (a JSON array).
    pub images: String,
    /// Price in minor units.
    pub price_minor: i64,
    /// Compare-at price in minor units.
    pub compare_at_minor: Option<i64>,
    /// Supplier cost in minor units.
    pub cost_minor: i64,
    /// ISO currency code.
    pub currency: String,
    /// Where it was imported from (`None` when written by hand).
    pub source: Option<String>,
    /// The product's id at its source.
    pub source_product_id: Option<String>,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// The items of a JSON list column (empty when it holds no list).
pub fn list_column(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// A product of the store, with everything the merchant can edit; 404 when there is none.
pub async fn detail(db: &StoreDb, id: ProductId) -> ApiResult<ProductDetail> {
    let row: Option<ProductDetail> = db
        .first(&format!("{DETAIL_SELECT} WHERE store_id = ?1 AND id = ?2"), &[id.to_string().into()])
        .await?;
    row.ok_or_else(|| ApiError::not_found("product"))
}

/// Refuses to add `adding` products when the store's plan would be exceeded, naming the plan that
/// lifts the limit.
pub async fn ensure_room(db: &StoreDb, store: &Store, adding: u64) -> ApiResult<()> {
    let Some(max) = store.plan().limits().products_per_store else { return Ok(()) };
    let count: Option<serde_json::Value> =
        db.first("SELECT COUNT(*) AS n FROM products WHERE store_id = ?1", &[]).await?;
    let existing = count.and_then(|c| c["n"].as_u64()).unwrap_or(0);
    if existing + adding <= u64::from(max) {
        return Ok(());
    }
    let lifts = Plan::cheapest_allowing_products(u32::try_from(existing + adding).unwrap_or(u32::MAX));
    Err(ApiError::new(
        403,
        "plan_limit",
        format!(
            "the {} plan allows {max} products per store and the store has {existing}; the {} plan lifts it",
            store.plan().as_str(),
            lifts.as_str()
        ),
    ))
}

/// A product row about to be written, however it came (merchant, import file, pipeline).
pub struct NewRow<'a> {
    /// Product id.
    pub id: ProductId,
    /// URL slug, unique in the store.
    pub slug: String,
    /// Title.
    pub title: &'a str,
    /// Description paragraphs.
    pub description: &'a [String],
    /// Feature bullets.
    pub features: &'a [String],
    /// Title for search results.
    pub meta_title: &'a str,
    /// Description for search results.
    pub meta_description: &'a str,
    /// SEO keywords.
    pub keywords: &'a [String],
    /// Image URLs.
    pub images: &'a [String],
    /// Price in minor units.
    pub price_minor: i64,
    /// Compare-at price in minor units.
    pub compare_at_minor: Option<i64>,
    /// Supplier cost in minor units.
    pub cost_minor: i64,
    /// ISO currency code.
    pub currency: &'a str,
    /// `published` or `draft`.
    pub status: &'a str,
    /// The source and the product's id there, for pipeline imports.
    pub source: Option<(&'a str, &'a str)>,
    /// The research run that imported it.
    pub research_run_id: Option<String>,
    /// Research score.
    pub score: Option<f32>,
    /// Creation time (RFC 3339).
    pub at: &'a str,
}

/// The insert of a product row. A second import of the same source product writes nothing.
pub fn insert(db: &StoreDb, row: &NewRow<'_>) -> worker::Result<worker::D1PreparedStatement> {
    use worker::wasm_bindgen::JsValue;
    db.statement(
        "INSERT INTO products (store_id, id, slug, title, description, features, meta_title, meta_description, keywords, \
         price_minor, compare_at_minor, cost_minor, currency, images, status, source, source_product_id, research_run_id, \
         score, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20) \
         ON CONFLICT (store_id, source, source_product_id) DO NOTHING",
        &[
            row.id.to_string().into(),
            row.slug.clone().into(),
            row.title.into(),
            json(&row.description).into(),
            json(&row.features).into(),
            row.meta_title.into(),
            row.meta_description.into(),
            json(&row.keywords).into(),
            (row.price_minor as f64).into(),
            row.compare_at_minor.map_or(JsValue::NULL, |c| (c as f64).into()),
            (row.cost_minor as f64).into(),
            row.currency.into(),
            json(&row.images).into(),
            row.status.into(),
            row.source.map_or(JsValue::NULL, |(s, _)| s.into()),
            row.source.map_or(JsValue::NULL, |(_, id)| id.into()),
            row.research_run_id.clone().map_or(JsValue::NULL, Into::into),
            row.score.map_or(JsValue::NULL, |s| f64::from(s).into()),
            row.at.into(),
        ],
    )
}

#[derive(Deserialize)]
struct Existing {
    id: String,
    slug: String,
}

/// The product imported from `source_product_id` at `source`, if the store has it.
pub async fn find_by_source(
    db: &StoreDb,
    source: &str,
    source_product_id: &str,
) -> ApiResult<Option<PublishedProduct>> {
    let row: Option<Existing> = db
        .first(
            "SELECT id, slug FROM products WHERE store_id = ?1 AND source = ?2 AND source_product_id = ?3",
            &[source.into(), source_product_id.into()],
        )
        .await?;
    row.map(|r| {
        let product_id = r.id.parse().map_err(|e| ApiError::internal("product row", e))?;
        Ok(PublishedProduct { product_id, slug: r.slug, created: false })
    })
    .transpose()
}

pub(crate) const DETAIL_SELECT: &str = "SELECT id, slug, title, status, description, features, meta_title, meta_description, keywords, images, \
     price_minor, compare_at_minor, cost_minor, currency, source, source_product_id, created_at, updated_at FROM products";
