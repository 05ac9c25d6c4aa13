//! Products: the merchant's listing and the pipelines' idempotent publish.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::runtime::{new_id, now, now_ms, rfc3339};
use crate::stores::{load, Store};
use domain::content::slugify;
use domain::{Plan, ProductId, StoreId};
use queues::internal_api::{PublishProduct, PublishStatus, PublishedProduct};
use serde::{Deserialize, Serialize};
use tenancy::routing::Routing;
use tenancy::shards::{platform, StoreDb};
use worker::Env;

/// A product as the merchant API lists it.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProductView {
    id: String,
    slug: String,
    title: String,
    status: String,
    price_minor: i64,
    compare_at_minor: Option<i64>,
    cost_minor: i64,
    currency: String,
    source: Option<String>,
    source_product_id: Option<String>,
    research_run_id: Option<String>,
    score: Option<f64>,
    created_at: String,
}

/// A page of products.
#[derive(Debug, Serialize)]
pub struct ProductPage {
    products: Vec<ProductView>,
    next_cursor: Option<String>,
}

/// `GET /v1/stores/{id}/products?limit=&cursor=`: newest first, cursor-paginated.
pub async fn list(
    env: &Env,
    store: &Store,
    limit: Option<&str>,
    cursor: Option<&str>,
) -> ApiResult<ProductPage> {
    let limit: u32 = match limit {
        None => 50,
        Some(raw) => raw
            .parse()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| ApiError::invalid("limit", "limit must be 1 to 200"))?,
    };
    // The cursor is the id of the last product seen: ids are random, so order by (created_at, id).
    let after = cursor.unwrap_or("");
    let products: Vec<ProductView> = store
        .db(env)?
        .statement(
            "SELECT id, slug, title, status, price_minor, compare_at_minor, cost_minor, currency, source, \
             source_product_id, research_run_id, score, created_at FROM products \
             WHERE store_id = ?1 AND (?2 = '' OR (created_at, id) < (SELECT created_at, id FROM products WHERE store_id = ?1 AND id = ?2)) \
             ORDER BY created_at DESC, id DESC LIMIT ?3",
            &[after.into(), f64::from(limit + 1).into()],
        )?
        .all()
        .await?
        .results()?;
    let mut products = products;
    let next_cursor = if products.len() > limit as usize {
        products.truncate(limit as usize);
        products.last().map(|p| p.id.clone())
    } else {
        None
    };
    Ok(ProductPage { products, next_cursor })
}

#[derive(Deserialize)]
struct Existing {
    id: String,
    slug: String,
}

/// `POST /internal/stores/{store}/products`: publishes an imported product once. A repeat with
/// the same source and source product id returns the first product and writes nothing.
pub async fn publish(env: &Env, store_id: StoreId, body: &str) -> ApiResult<(u16, PublishedProduct)> {
    let input: PublishProduct = parse_json(body)?;
    let store = load(&platform(env)?, store_id).await?;
    if store.tenant_id != input.tenant_id {
        return Err(ApiError::not_found("store"));
    }
    input.content.validate().map_err(|e| ApiError::new(422, "invalid_content", e.to_string()))?;
    if input.price.currency.code() != store.row.currency {
        return Err(ApiError::invalid("price", format!("the store sells in {}", store.row.currency)));
    }
    if input.images.iter().any(|u| !(u.starts_with("https://") || u.starts_with("http://"))) {
        return Err(ApiError::invalid("images", "image URLs must be http(s)"));
    }
    let db = store.db(env)?;
    if let Some(existing) = find_by_source(&db, &input.source, &input.source_product_id).await? {
        return Ok((200, existing));
    }
    if let Some(max) = store.plan().limits().products_per_store {
        let count: Option<serde_json::Value> =
            db.statement("SELECT COUNT(*) AS n FROM products WHERE store_id = ?1", &[])?.first(None).await?;
        if count.and_then(|c| c["n"].as_u64()).unwrap_or(0) >= u64::from(max) {
            let lifts = Plan::cheapest_allowing_products(max + 1);
            return Err(ApiError::new(
                403,
                "plan_limit",
                format!(
                    "the {} plan allows {max} products per store; the {} plan lifts it",
                    store.plan().as_str(),
                    lifts.as_str()
                ),
            ));
        }
    }

    let slug = free_slug(&db, &slugify(&input.content.title)).await?;
    let product_id: ProductId = new_id();
    let at = rfc3339(now());
    // The store's auto-publish setting has the last word: off, every import waits as a draft.
    let status = match (input.status, store.row.auto_publish != 0) {
        (PublishStatus::Published, true) => "published",
        _ => "draft",
    };
    db.statement(
        "INSERT INTO products (store_id, id, slug, title, description, features, meta_title, meta_description, keywords, \
         price_minor, compare_at_minor, cost_minor, currency, images, status, source, source_product_id, research_run_id, \
         score, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20) \
         ON CONFLICT (store_id, source, source_product_id) DO NOTHING",
        &[
            product_id.to_string().into(),
            slug.clone().into(),
            input.content.title.clone().into(),
            json(&input.content.description).into(),
            json(&input.content.features).into(),
            input.content.meta_title.clone().into(),
            input.content.meta_description.clone().into(),
            json(&input.content.keywords).into(),
            (input.price.minor as f64).into(),
            input.compare_at.map_or(worker::wasm_bindgen::JsValue::NULL, |c| (c.minor as f64).into()),
            (input.cost.minor as f64).into(),
            input.price.currency.code().into(),
            json(&input.images).into(),
            status.into(),
            input.source.clone().into(),
            input.source_product_id.clone().into(),
            input.research_run_id.map_or(worker::wasm_bindgen::JsValue::NULL, |r| r.to_string().into()),
            input.score.map_or(worker::wasm_bindgen::JsValue::NULL, |s| f64::from(s).into()),
            at.into(),
        ],
    )?
    .run()
    .await?;

    let published = find_by_source(&db, &input.source, &input.source_product_id)
        .await?
        .ok_or_else(|| ApiError::internal("publishing product", "row missing after insert"))?;
    let created = published.product_id == product_id;
    if created && status == "published" {
        Routing::new(env.kv(crate::config::EDGE_KV)?).bump_cache_version(store_id, now_ms() as f64).await?;
    }
    Ok((if created { 201 } else { 200 }, PublishedProduct { created, ..published }))
}

async fn find_by_source(
    db: &StoreDb,
    source: &str,
    source_product_id: &str,
) -> ApiResult<Option<PublishedProduct>> {
    let row: Option<Existing> = db
        .statement(
            "SELECT id, slug FROM products WHERE store_id = ?1 AND source = ?2 AND source_product_id = ?3",
            &[source.into(), source_product_id.into()],
        )?
        .first(None)
        .await?;
    row.map(|r| {
        let product_id = r.id.parse().map_err(|e| ApiError::internal("product row", e))?;
        Ok(PublishedProduct { product_id, slug: r.slug, created: false })
    })
    .transpose()
}

/// The slug itself when free, else the first free `slug-2`, `slug-3`, ...
async fn free_slug(db: &StoreDb, base: &str) -> ApiResult<String> {
    let taken: Vec<serde_json::Value> = db
        .statement(
            "SELECT slug FROM products WHERE store_id = ?1 AND (slug = ?2 OR slug LIKE ?3)",
            &[base.into(), format!("{base}-%").into()],
        )?
        .all()
        .await?
        .results()?;
    let taken: std::collections::HashSet<&str> = taken.iter().filter_map(|v| v["slug"].as_str()).collect();
    Ok(std::iter::once(base.to_owned())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|candidate| !taken.contains(candidate.as_str()))
        .expect("an unbounded sequence has a free slug"))
}

/// The text of a JSON column.
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}
