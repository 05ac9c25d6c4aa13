//! Collections: named, sorted groups of products with their own page on the storefront.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::stores::Store;
use crate::runtime::{new_id, now, rfc3339};
use crate::scope::StoreScope;
use crate::v1::products::changed;
use domain::content::slugify;
use domain::CollectionId;
use serde::Deserialize;
use serde_json::{json, Value};
use tenancy::shards::StoreDb;
use worker::wasm_bindgen::JsValue;
use worker::Env;

/// How a collection orders its products.
pub const SORTS: [&str; 5] = ["manual", "best_selling", "newest", "price_asc", "price_desc"];
/// Products one collection holds at most.
pub const MAX_PRODUCTS: usize = 1_000;

/// The fields a merchant sends; on a change only those sent change.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionFields {
    title: Option<String>,
    slug: Option<String>,
    /// HTML; sanitised with the allow-list before it is stored.
    description: Option<String>,
    image: Option<Option<String>>,
    sort: Option<String>,
    featured: Option<bool>,
    meta_title: Option<String>,
    meta_description: Option<String>,
    /// The collection's products in manual order (replaces the membership).
    product_ids: Option<Vec<String>>,
}

const SELECT: &str =
    "SELECT id, slug, title, description, image, sort, featured, meta_title, meta_description, \
     created_at, updated_at FROM collections";

async fn row(db: &StoreDb, id: &str) -> ApiResult<Value> {
    let row: Option<Value> =
        db.first(&format!("{SELECT} WHERE store_id = ?1 AND id = ?2"), &[id.into()]).await?;
    row.ok_or_else(|| ApiError::not_found("collection"))
}

async fn view(db: &StoreDb, id: &str) -> ApiResult<Value> {
    let mut collection = row(db, id).await?;
    let members: Vec<Value> = db
        .all(
            "SELECT product_id FROM collection_products WHERE store_id = ?1 AND collection_id = ?2 ORDER BY position",
            &[id.into()],
        )
        .await?;
    collection["featured"] = json!(collection["featured"].as_i64() == Some(1));
    collection["product_ids"] = members.into_iter().map(|m| m["product_id"].clone()).collect();
    Ok(collection)
}

/// `GET /v1/stores/{id}/collections`.
pub async fn list(scope: &StoreScope) -> ApiResult<Value> {
    let _store = &scope.store;
    let db = &scope.db;
    let rows: Vec<Value> = db
        .all(
            "SELECT c.id, c.slug, c.title, c.sort, c.featured, c.updated_at, \
                 (SELECT COUNT(*) FROM collection_products m WHERE m.store_id = ?1 AND m.collection_id = c.id) AS products \
                 FROM collections c WHERE c.store_id = ?1 ORDER BY c.title",
            &[],
        )
        .await?;
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|mut r| {
            r["featured"] = json!(r["featured"].as_i64() == Some(1));
            r
        })
        .collect();
    Ok(json!({ "collections": rows }))
}

/// `GET /v1/stores/{id}/collections/{collection}`.
pub async fn get(scope: &StoreScope, id: CollectionId) -> ApiResult<Value> {
    let _store = &scope.store;
    view(&scope.db, &id.to_string()).await
}

fn text(field: &str, value: &str, min: usize, max: usize) -> ApiResult<()> {
    let n = value.chars().count();
    if n < min || n > max || value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::invalid(field, format!("{field} must be {min} to {max} characters")));
    }
    Ok(())
}

/// Checks product ids against the store's products.
async fn members(db: &StoreDb, ids: &[String]) -> ApiResult<Vec<String>> {
    if ids.len() > MAX_PRODUCTS {
        return Err(ApiError::invalid(
            "product_ids",
            format!("a collection holds at most {MAX_PRODUCTS} products"),
        ));
    }
    let known: Vec<Value> = db.all("SELECT id FROM products WHERE store_id = ?1", &[]).await?;
    let known: std::collections::HashSet<&str> = known.iter().filter_map(|v| v["id"].as_str()).collect();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for id in ids {
        if !known.contains(id.as_str()) {
            return Err(ApiError::invalid("product_ids", format!("product {id} is not in this store")));
        }
        if seen.insert(id.as_str()) {
            out.push(id.clone());
        }
    }
    Ok(out)
}

/// `POST /v1/stores/{id}/collections`.
pub async fn create(env: &Env, scope: &StoreScope, body: &str) -> ApiResult<Value> {
    let store = &scope.store;
    let actor = &scope.actor();
    let fields: CollectionFields = parse_json(body)?;
    let id = new_id::<CollectionId>().to_string();
    write(env, store, &id, None, fields, actor).await
}

/// `PATCH /v1/stores/{id}/collections/{collection}`: a new slug leaves a 301 at the old one.
pub async fn update(env: &Env, scope: &StoreScope, id: CollectionId, body: &str) -> ApiResult<Value> {
    let store = &scope.store;
    let actor = &scope.actor();
    let fields: CollectionFields = parse_json(body)?;
    let db = &scope.db;
    let current = row(db, &id.to_string()).await?;
    write(env, store, &id.to_string(), Some(current), fields, actor).await
}

async fn write(
    env: &Env,
    store: &Store,
    id: &str,
    current: Option<Value>,
    fields: CollectionFields,
    actor: &str,
) -> ApiResult<Value> {
    let db = store.db(env)?;
    let old = |name: &str| current.as_ref().and_then(|c| c[name].as_str().map(str::to_owned));
    let title = fields
        .title
        .or_else(|| old("title"))
        .ok_or_else(|| ApiError::invalid("title", "title is required"))?;
    text("title", title.trim(), 1, 120)?;
    let title = title.trim().to_owned();
    let description =
        domain::html::sanitize(&fields.description.or_else(|| old("description")).unwrap_or_default());
    text("description", &description, 0, 20_000)?;
    let image = fields.image.unwrap_or_else(|| old("image"));
    if image.as_deref().is_some_and(|u| !u.starts_with("https://") && !u.starts_with("/media/")) {
        return Err(ApiError::invalid("image", "image must be an https URL or a /media/ path"));
    }
    let sort = fields.sort.or_else(|| old("sort")).unwrap_or_else(|| "best_selling".into());
    if !SORTS.contains(&sort.as_str()) {
        return Err(ApiError::invalid("sort", format!("sort must be one of {}", SORTS.join(", "))));
    }
    let featured = fields
        .featured
        .unwrap_or_else(|| current.as_ref().is_some_and(|c| c["featured"].as_i64() == Some(1)));
    let meta_title = fields.meta_title.or_else(|| old("meta_title")).unwrap_or_default();
    text("meta_title", &meta_title, 0, domain::content::META_TITLE_MAX)?;
    let meta_description = fields.meta_description.or_else(|| old("meta_description")).unwrap_or_default();
    text("meta_description", &meta_description, 0, domain::content::META_DESCRIPTION_MAX)?;
    let old_slug = old("slug");
    let slug = match fields.slug {
        Some(raw) => crate::v1::slugs::check("slug", &raw)?,
        None => old_slug.clone().unwrap_or_else(|| slugify(&title)),
    };
    if old_slug.as_deref() != Some(slug.as_str()) {
        crate::v1::slugs::ensure_free(&db, "collections", &slug, Some(id)).await?;
    }
    let products = match &fields.product_ids {
        Some(ids) => Some(members(&db, ids).await?),
        None => None,
    };

    let at = rfc3339(now());
    let args: Vec<JsValue> = vec![
        id.into(),
        slug.as_str().into(),
        title.into(),
        description.into(),
        image.map_or(JsValue::NULL, Into::into),
        sort.into(),
        f64::from(u8::from(featured)).into(),
        meta_title.into(),
        meta_description.into(),
        at.as_str().into(),
    ];
    let mut statements = vec![if current.is_some() {
        db.statement(
            "UPDATE collections SET slug = ?3, title = ?4, description = ?5, image = ?6, sort = ?7, featured = ?8, \
             meta_title = ?9, meta_description = ?10, updated_at = ?11 WHERE store_id = ?1 AND id = ?2",
            &args,
        )?
    } else {
        db.statement(
            "INSERT INTO collections (store_id, id, slug, title, description, image, sort, featured, meta_title, \
             meta_description, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            &args,
        )?
    }];
    if let Some(old_slug) = old_slug.filter(|o| *o != slug) {
        statements.extend(crate::v1::slugs::redirect(&db, "collection", &old_slug, &slug, id, &at)?);
    }
    if let Some(products) = products {
        statements.push(db.statement(
            "DELETE FROM collection_products WHERE store_id = ?1 AND collection_id = ?2",
            &[id.into()],
        )?);
        for (position, product) in products.iter().enumerate() {
            statements.push(db.statement(
                "INSERT INTO collection_products (store_id, collection_id, product_id, position) VALUES (?1, ?2, ?3, ?4)",
                &[id.into(), product.as_str().into(), (position as f64).into()],
            )?);
        }
    }
    if let Err(error) = db.batch(statements).await {
        if error.to_string().contains("UNIQUE") {
            return Err(
                ApiError::new(409, "slug_taken", format!("slug `{slug}` is already taken")).field("slug")
            );
        }
        return Err(error.into());
    }
    let action = if current.is_some() { "collection.update" } else { "collection.create" };
    changed(env, store, actor, action, id).await?;
    view(&db, id).await
}

/// `DELETE /v1/stores/{id}/collections/{collection}`.
pub async fn delete(env: &Env, scope: &StoreScope, id: CollectionId) -> ApiResult<()> {
    let store = &scope.store;
    let actor = &scope.actor();
    let db = &scope.db;
    let id = id.to_string();
    let result = db
        .batch(vec![
            db.statement(
                "DELETE FROM collection_products WHERE store_id = ?1 AND collection_id = ?2",
                &[id.as_str().into()],
            )?,
            db.statement(
                "DELETE FROM slug_redirects WHERE store_id = ?1 AND kind = 'collection' AND target_id = ?2",
                &[id.as_str().into()],
            )?,
            db.statement("DELETE FROM collections WHERE store_id = ?1 AND id = ?2", &[id.as_str().into()])?,
        ])
        .await?;
    if result.last().and_then(|r| r.meta().ok().flatten()).and_then(|m| m.changes).unwrap_or(0) == 0 {
        return Err(ApiError::not_found("collection"));
    }
    changed(env, store, actor, "collection.delete", &id).await
}
