//! Products the import stage publishes, once per source product.

use crate::error::{ApiError, ApiResult};
use crate::internal::StoreAccess;
use crate::repo::products::*;
use crate::runtime::{new_id, now, now_ms, rfc3339};
use domain::content::slugify;
use domain::ProductId;
use queues::internal_api::{PublishProduct, PublishStatus, PublishedProduct};
use tenancy::routing::Routing;
use worker::Env;

/// `POST /internal/stores/{store}/products`: publishes an imported product once. A repeat with
/// the same source and source product id returns the first product and writes nothing.
pub async fn publish(
    env: &Env,
    access: &StoreAccess,
    input: PublishProduct,
) -> ApiResult<(u16, PublishedProduct)> {
    let StoreAccess { store, db } = access;
    if store.tenant_id != input.tenant_id {
        return Err(ApiError::not_found("store"));
    }
    input.content.validate().map_err(|e| ApiError::new(422, "invalid_content", e.to_string()))?;
    if input.price.currency.code() != store.row.currency {
        return Err(ApiError::invalid("price", format!("the store sells in {}", store.row.currency)));
    }
    if input.images.iter().any(|u| {
        !(u.starts_with("https://") || u.starts_with("http://") || domain::catalog::is_media_path(u))
    }) {
        return Err(ApiError::invalid("images", "image URLs must be http(s) or /media/<name>.webp"));
    }
    if input.category.as_deref().is_some_and(|c| c.chars().count() > 200 || c.chars().any(char::is_control)) {
        return Err(ApiError::invalid("category", "at most 200 characters, without control characters"));
    }
    if let Some(existing) = find_by_source(db, &input.source, &input.source_product_id).await? {
        return Ok((200, existing));
    }
    ensure_room(db, store.plan(), 1).await?;

    let slug = free_slug(db, &slugify(&input.content.title)).await?;
    let product_id: ProductId = new_id();
    let at = rfc3339(now());
    // The store's auto-publish setting has the last word: off, every import waits as a draft.
    let status = match (input.status, store.row.auto_publish != 0) {
        (PublishStatus::Published, true) => "published",
        _ => "draft",
    };
    let row = insert(
        db,
        &NewRow {
            id: product_id,
            slug: slug.clone(),
            fields: Changes {
                title: &input.content.title,
                description: &input.content.description,
                features: &input.content.features,
                meta_title: &input.content.meta_title,
                meta_description: &input.content.meta_description,
                keywords: &input.content.keywords,
                images: &input.images,
                price_minor: input.price.minor,
                compare_at_minor: input.compare_at.map(|c| c.minor),
                cost_minor: input.cost.minor,
                status,
            },
            currency: input.price.currency.code(),
            source: Some((&input.source, &input.source_product_id)),
            research_run_id: input.research_run_id.map(|r| r.to_string()),
            score: input.score,
            category: input.category.as_deref(),
            at: &at,
        },
    )?;
    db.execute_batch(vec![row]).await?;

    let published = find_by_source(db, &input.source, &input.source_product_id)
        .await?
        .ok_or_else(|| ApiError::internal("publishing product", "row missing after insert"))?;
    let created = published.product_id == product_id;
    if created && status == "published" {
        Routing::new(env.kv(crate::config::EDGE_KV)?).bump_cache_version(store.id, now_ms() as f64).await?;
    }
    Ok((if created { 201 } else { 200 }, PublishedProduct { created, ..published }))
}
