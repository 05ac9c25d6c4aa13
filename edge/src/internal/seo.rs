//! The SEO run's side of the edge: due stores, a store's context, posts, product rewrites, links, reports.

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::internal::StoreAccess;
use crate::repo::seo::{self, MetaField, NewPost, PageRow, Rewrite};
use crate::runtime::{new_id, now, now_ms, rfc3339};
use crate::v1::seo::new_run;
use domain::content::slugify;
use domain::placement::ShardIndex;
use domain::seo::check_post_html;
use domain::{RunId, StoreId};
use queues::seo_api::{
    ClaimSeoWeek, DueSeoRun, DueSeoRuns, LinksUpdated, PostLinks, ProductRewrites, PublishPost,
    PublishedPost, RewritesApplied, SeoContext, SeoPage, SeoProduct, SeoReport, SeoRunRecorded,
};
use tenancy::routing::Routing;
use tenancy::shards::{PlatformDb, StoreDb};
use worker::Env;

/// `POST /internal/seo/due`: claims up to `limit` active stores not yet run in `week`, records a
/// run for each, and answers them (the fan-out enqueues one message per store).
pub async fn claim_due(env: &Env, input: ClaimSeoWeek) -> ApiResult<DueSeoRuns> {
    if input.week.is_empty() || input.week.len() > 20 {
        return Err(ApiError::invalid("week", "week must be an ISO week like 2026-W48"));
    }
    let db = PlatformDb::open(env)?;
    let due = seo::due_stores(&db, &input.week, input.limit.clamp(1, 100)).await?;
    let mut runs = Vec::with_capacity(due.len());
    for store in due {
        if !seo::claim_week(&db, &store.id, &input.week).await? {
            continue;
        }
        let (Ok(store_id), Ok(tenant_id)) = (store.id.parse::<StoreId>(), store.tenant_id.parse()) else {
            continue;
        };
        let shard_db = StoreDb::open(env, ShardIndex(store.shard), store_id)?;
        if let Some(run_id) = new_run(&shard_db, &input.week).await? {
            runs.push(DueSeoRun { store_id, tenant_id, run_id });
        }
    }
    Ok(DueSeoRuns { runs })
}

/// `POST /internal/stores/{id}/seo/context`.
pub async fn context(config: &Config, access: &StoreAccess) -> ApiResult<SeoContext> {
    let StoreAccess { store, db } = access;
    let products = seo::published_products(db).await?;
    let collections = seo::collections(db).await?;
    let posts = seo::posts(db).await?;
    let list = |t: &str| serde_json::from_str::<Vec<String>>(t).unwrap_or_default();
    let page = |p: PageRow| SeoPage {
        keywords: p.keywords.as_deref().map(list).unwrap_or_default(),
        id: p.id,
        slug: p.slug,
        title: p.title,
    };
    Ok(SeoContext {
        tenant_id: store.tenant_id,
        name: store.row.name.clone(),
        niche: store.row.niche.clone(),
        market: store.row.target_market.clone(),
        url: config.shop_url(&store.row.slug).trim_end_matches('/').to_owned(),
        products: products
            .into_iter()
            .map(|p| SeoProduct {
                summary: list(&p.description).into_iter().next().unwrap_or_default(),
                keywords: list(&p.keywords),
                id: p.id,
                slug: p.slug,
                title: p.title,
                meta_title: p.meta_title,
                meta_description: p.meta_description,
            })
            .collect(),
        collections: collections.into_iter().map(page).collect(),
        posts: posts.into_iter().map(page).collect(),
        plan: store.plan(),
    })
}

async fn bump(env: &Env, store: StoreId) -> ApiResult<()> {
    Routing::new(env.kv(crate::config::EDGE_KV)?).bump_cache_version(store, now_ms() as f64).await?;
    Ok(())
}

fn check_text(field: &str, text: &str, max: usize) -> ApiResult<()> {
    let len = text.chars().count();
    if text.trim().is_empty() || len > max || text.chars().any(char::is_control) {
        return Err(ApiError::invalid(field, format!("{field} must be 1 to {max} characters")));
    }
    Ok(())
}

/// What [`publish`] checks before the store is read: the texts' lengths and the HTML's safety.
pub fn check_post(input: &PublishPost) -> ApiResult<()> {
    use domain::content::{META_DESCRIPTION_MAX, META_TITLE_MAX};
    check_text("title", &input.title, 120)?;
    check_text("meta_title", &input.meta_title, META_TITLE_MAX)?;
    check_text("meta_description", &input.meta_description, META_DESCRIPTION_MAX)?;
    check_text("excerpt", &input.excerpt, 400)?;
    if input.body_html.len() > 100_000 {
        return Err(ApiError::invalid("body_html", "body_html must be at most 100 kB"));
    }
    check_post_html(&input.body_html).map_err(|e| ApiError::new(422, "unsafe_html", e).field("body_html"))?;
    Ok(())
}

/// `POST /internal/stores/{id}/seo/posts`: publishes a post ([`check_post`] made first); a post
/// with the same slug is answered as it is, so a retried run publishes nothing twice.
pub async fn publish(env: &Env, access: &StoreAccess, input: PublishPost) -> ApiResult<(u16, PublishedPost)> {
    let StoreAccess { store, db } = access;
    let slug = slugify(&input.title);
    if let Some(post_id) = seo::post_id_by_slug(db, &slug).await? {
        return Ok((200, PublishedPost { post_id, slug, created: false }));
    }
    let id: domain::ProductId = new_id();
    let at = rfc3339(now());
    let author = format!("{} editors", store.row.name);
    seo::insert_post(
        db,
        &NewPost {
            id: &id.to_string(),
            slug: &slug,
            title: &input.title,
            excerpt: &input.excerpt,
            body_html: &input.body_html,
            meta_title: &input.meta_title,
            meta_description: &input.meta_description,
            keywords: &input.keywords,
            related_product_ids: &input.related_product_ids,
            author: &author,
            at: &at,
        },
    )
    .await?;
    bump(env, store.id).await?;
    Ok((201, PublishedPost { post_id: id.to_string(), slug, created: true }))
}

/// `POST /internal/stores/{id}/seo/products`: applies meta rewrites whose old value still
/// stands, keeping each old value in `seo_history`.
pub async fn rewrite_products(
    env: &Env,
    access: &StoreAccess,
    input: ProductRewrites,
) -> ApiResult<RewritesApplied> {
    use domain::content::{META_DESCRIPTION_MAX, META_TITLE_MAX};
    let db = &access.db;
    let at = rfc3339(now());
    let run_id = input.run_id.to_string();
    let mut applied = 0;
    for rewrite in input.rewrites.iter().take(500) {
        let (field, max) = match rewrite.field.as_str() {
            "meta_title" => (MetaField::Title, META_TITLE_MAX),
            "meta_description" => (MetaField::Description, META_DESCRIPTION_MAX),
            _ => return Err(ApiError::invalid("field", "field must be meta_title or meta_description")),
        };
        check_text(field.column(), &rewrite.new, max)?;
        let rewrite = Rewrite {
            product_id: &rewrite.product_id,
            run_id: &run_id,
            field,
            old: &rewrite.old,
            new: &rewrite.new,
            reason: &rewrite.reason,
            at: &at,
        };
        if seo::rewrite_product(db, &rewrite).await? {
            applied += 1;
        }
    }
    if applied > 0 {
        bump(env, access.store.id).await?;
    }
    Ok(RewritesApplied { applied })
}

/// `POST /internal/stores/{id}/seo/links`: sets each post's related products.
pub async fn links(env: &Env, access: &StoreAccess, input: PostLinks) -> ApiResult<LinksUpdated> {
    let db = &access.db;
    let at = rfc3339(now());
    let mut statements = Vec::new();
    for (post, products) in input.links.iter().take(500) {
        let products: Vec<&String> =
            products.iter().filter(|p| *p != post).take(domain::seo::LINKS_PER_PAGE).collect();
        statements.push(seo::relate_products(db, post, &products, &at)?);
    }
    let updated = statements.len();
    for chunk in statements.chunks(100) {
        db.execute_batch(chunk.to_vec()).await?;
    }
    if updated > 0 {
        bump(env, access.store.id).await?;
    }
    let updated = u32::try_from(updated).map_err(|e| ApiError::internal("seo links", e))?;
    Ok(LinksUpdated { updated })
}

/// `POST /internal/stores/{id}/seo/runs/{run}/report`.
pub async fn report(access: &StoreAccess, run_id: RunId, input: SeoReport) -> ApiResult<SeoRunRecorded> {
    let report = serde_json::to_string(&input).map_err(|e| ApiError::internal("seo report", e))?;
    if !seo::complete_run(&access.db, &run_id.to_string(), &report, &rfc3339(now())).await? {
        return Err(ApiError::not_found("seo run"));
    }
    Ok(SeoRunRecorded { status: "completed".to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(body_html: &str) -> PublishPost {
        serde_json::from_value(serde_json::json!({
            "run_id": "0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d", "title": "Brushing a dog", "meta_title": "Brushing a dog", "meta_description": "How, and how often.",
            "excerpt": "How, and how often.", "body_html": body_html, "keywords": [], "related_product_ids": []
        }))
        .unwrap()
    }

    #[test]
    fn a_post_with_unsafe_html_is_refused_before_its_store_is_read() {
        let refused = check_post(&post("<p>hi</p><script>alert(1)</script>")).unwrap_err();
        assert_eq!((refused.status, refused.field.as_deref()), (422, Some("body_html")));
        assert!(check_post(&post("<p>Brush weekly.</p>")).is_ok());
    }
}
