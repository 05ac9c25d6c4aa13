//! Collections: named, sorted groups of products with their own page on the storefront.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::collections::{self as repo, CollectionRow, CollectionWrite};
use crate::runtime::{new_id, now, rfc3339};
use crate::scope::StoreScope;
use crate::v1::products::{changed, unknown_products};
use domain::content::slugify;
use domain::CollectionId;
use serde::Deserialize;
use serde_json::{json, Value};
use tenancy::shards::StoreDb;
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
    /// `null` removes the image.
    #[serde(default, deserialize_with = "crate::error::present")]
    image: Option<Option<String>>,
    sort: Option<String>,
    featured: Option<bool>,
    meta_title: Option<String>,
    meta_description: Option<String>,
    /// The collection's products in manual order (replaces the membership).
    product_ids: Option<Vec<String>>,
}

async fn row(db: &StoreDb, id: &str) -> ApiResult<CollectionRow> {
    repo::collection(db, id).await?.ok_or_else(|| ApiError::not_found("collection"))
}

async fn view(db: &StoreDb, id: &str) -> ApiResult<Value> {
    let row = row(db, id).await?;
    let product_ids = repo::product_ids(db, id).await?;
    let mut collection = serde_json::to_value(&row).map_err(|e| ApiError::internal("collection", e))?;
    collection["featured"] = json!(row.featured == 1);
    collection["product_ids"] = json!(product_ids);
    Ok(collection)
}

/// `GET /v1/stores/{id}/collections`.
pub async fn list(scope: &StoreScope) -> ApiResult<Value> {
    let rows: Vec<Value> = repo::list(&scope.db)
        .await?
        .into_iter()
        .map(|r| {
            let featured = r.featured == 1;
            let mut r = serde_json::to_value(r).map_err(|e| ApiError::internal("collection", e))?;
            r["featured"] = json!(featured);
            Ok(r)
        })
        .collect::<ApiResult<_>>()?;
    Ok(json!({ "collections": rows }))
}

/// `GET /v1/stores/{id}/collections/{collection}`.
pub async fn get(scope: &StoreScope, id: CollectionId) -> ApiResult<Value> {
    view(&scope.db, &id.to_string()).await
}

fn text(field: &str, value: &str, min: usize, max: usize) -> ApiResult<()> {
    let n = value.chars().count();
    if n < min || n > max || value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::invalid(field, format!("{field} must be {min} to {max} characters")));
    }
    Ok(())
}

/// Checks product ids against the store's products: 404 naming those that are none of them.
async fn members(db: &StoreDb, ids: &[String]) -> ApiResult<Vec<String>> {
    if ids.len() > MAX_PRODUCTS {
        return Err(ApiError::invalid(
            "product_ids",
            format!("a collection holds at most {MAX_PRODUCTS} products"),
        ));
    }
    let known = repo::store_product_ids(db).await?;
    let known: std::collections::HashSet<&str> = known.iter().map(String::as_str).collect();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    for id in ids {
        if seen.insert(id.as_str()) {
            if known.contains(id.as_str()) {
                out.push(id.clone());
            } else {
                unknown.push(id.as_str());
            }
        }
    }
    if !unknown.is_empty() {
        return Err(unknown_products("product_ids", &unknown));
    }
    Ok(out)
}

/// `POST /v1/stores/{id}/collections`.
pub async fn create(env: &Env, scope: &StoreScope, body: &str) -> ApiResult<Value> {
    let fields: CollectionFields = parse_json(body)?;
    let id = new_id::<CollectionId>().to_string();
    write(env, scope, &id, None, fields).await
}

/// `PATCH /v1/stores/{id}/collections/{collection}`: a new slug leaves a 301 at the old one.
pub async fn update(env: &Env, scope: &StoreScope, id: CollectionId, body: &str) -> ApiResult<Value> {
    let fields: CollectionFields = parse_json(body)?;
    let current = row(&scope.db, &id.to_string()).await?;
    write(env, scope, &id.to_string(), Some(current), fields).await
}

async fn write(
    env: &Env,
    scope: &StoreScope,
    id: &str,
    current: Option<CollectionRow>,
    fields: CollectionFields,
) -> ApiResult<Value> {
    let store = &scope.store;
    let actor = &scope.actor();
    let db = &scope.db;
    let old = |column: fn(&CollectionRow) -> &str| current.as_ref().map(|c| column(c).to_owned());
    let title = fields
        .title
        .or_else(|| old(|c| &c.title))
        .ok_or_else(|| ApiError::invalid("title", "title is required"))?;
    text("title", title.trim(), 1, 120)?;
    let title = title.trim().to_owned();
    let description =
        domain::html::sanitize(&fields.description.or_else(|| old(|c| &c.description)).unwrap_or_default());
    text("description", &description, 0, 20_000)?;
    let image = fields.image.unwrap_or_else(|| current.as_ref().and_then(|c| c.image.clone()));
    if image.as_deref().is_some_and(|u| !u.starts_with("https://") && !u.starts_with("/media/")) {
        return Err(ApiError::invalid("image", "image must be an https URL or a /media/ path"));
    }
    let sort = fields.sort.or_else(|| old(|c| &c.sort)).unwrap_or_else(|| "best_selling".into());
    if !SORTS.contains(&sort.as_str()) {
        return Err(ApiError::invalid("sort", format!("sort must be one of {}", SORTS.join(", "))));
    }
    let featured = fields.featured.unwrap_or_else(|| current.as_ref().is_some_and(|c| c.featured == 1));
    let meta_title = fields.meta_title.or_else(|| old(|c| &c.meta_title)).unwrap_or_default();
    text("meta_title", &meta_title, 0, domain::content::META_TITLE_MAX)?;
    let meta_description =
        fields.meta_description.or_else(|| old(|c| &c.meta_description)).unwrap_or_default();
    text("meta_description", &meta_description, 0, domain::content::META_DESCRIPTION_MAX)?;
    let old_slug = old(|c| &c.slug);
    let slug = match fields.slug {
        Some(raw) => crate::v1::slugs::check("slug", &raw)?,
        None => old_slug.clone().unwrap_or_else(|| slugify(&title)),
    };
    if slug == "all" {
        return Err(ApiError::invalid(
            "slug",
            "`all` is the shop's all-products page (/collections/all); choose another slug",
        ));
    }
    if old_slug.as_deref() != Some(slug.as_str()) {
        crate::repo::slugs::ensure_free(db, "collections", &slug, Some(id)).await?;
    }
    let products = match &fields.product_ids {
        Some(ids) => Some(members(db, ids).await?),
        None => None,
    };

    let at = rfc3339(now());
    let write = CollectionWrite {
        id,
        slug: &slug,
        title: &title,
        description: &description,
        image: image.as_deref(),
        sort: &sort,
        featured,
        meta_title: &meta_title,
        meta_description: &meta_description,
        at: &at,
    };
    let mut statements =
        vec![if current.is_some() { repo::update(db, &write)? } else { repo::insert(db, &write)? }];
    if let Some(old_slug) = old_slug.filter(|o| *o != slug) {
        statements.extend(crate::repo::slugs::redirect(db, "collection", &old_slug, &slug, id, &at)?);
    }
    if let Some(products) = products {
        statements.extend(repo::replace_products(db, id, &products)?);
    }
    if let Err(error) = db.execute_batch(statements).await {
        if error.is_unique_violation() {
            return Err(
                ApiError::new(409, "slug_taken", format!("slug `{slug}` is already taken")).field("slug")
            );
        }
        return Err(error.into());
    }
    let action = if current.is_some() { "collection.update" } else { "collection.create" };
    changed(env, store, actor, action, id).await?;
    view(db, id).await
}

/// `DELETE /v1/stores/{id}/collections/{collection}`.
pub async fn delete(env: &Env, scope: &StoreScope, id: CollectionId) -> ApiResult<()> {
    let store = &scope.store;
    let actor = &scope.actor();
    let id = id.to_string();
    if !repo::delete(&scope.db, &id).await? {
        return Err(ApiError::not_found("collection"));
    }
    changed(env, store, actor, "collection.delete", &id).await
}
