//! Store pages (about, contact, shipping, returns, privacy, terms: generated on first read,
//! editable) and blog posts. Their HTML is sanitised with the allow-list before it is stored.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::stores::Store;
use crate::runtime::{new_id, now, rfc3339};
use crate::scope::StoreScope;
use crate::v1::products::changed;
use domain::content::{slugify, META_DESCRIPTION_MAX, META_TITLE_MAX};
use domain::{PostId, ProductId};
use serde::Deserialize;
use serde_json::{json, Value};
use tenancy::shards::StoreDb;
use worker::wasm_bindgen::JsValue;
use worker::Env;

fn text(field: &str, value: &str, min: usize, max: usize) -> ApiResult<()> {
    let n = value.chars().count();
    if n < min || n > max || value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::invalid(field, format!("{field} must be {min} to {max} characters")));
    }
    Ok(())
}

const PAGE_SELECT: &str =
    "SELECT id, kind, slug, title, body_html, meta_description, created_at, updated_at FROM pages";

/// Writes the standard pages a store does not have yet.
async fn ensure_pages(db: &StoreDb, store: &Store) -> ApiResult<()> {
    let existing: Vec<Value> = db.all("SELECT kind FROM pages WHERE store_id = ?1", &[]).await?;
    let at = rfc3339(now());
    let mut statements = Vec::new();
    for page in domain::shop_pages::defaults(&store.row.name, &store.row.niche) {
        if existing.iter().any(|e| e["kind"] == page.kind) {
            continue;
        }
        statements.push(db.statement(
            "INSERT INTO pages (store_id, id, kind, slug, title, body_html, meta_description, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) ON CONFLICT (store_id, slug) DO NOTHING",
            &[
                new_id::<ProductId>().to_string().into(),
                page.kind.into(),
                page.slug.into(),
                page.title.into(),
                page.body_html.into(),
                page.meta_description.into(),
                at.as_str().into(),
            ],
        )?);
    }
    if !statements.is_empty() {
        db.batch(statements).await?;
    }
    Ok(())
}

/// `GET /v1/stores/{id}/pages`.
pub async fn list_pages(scope: &StoreScope) -> ApiResult<Value> {
    let store = &scope.store;
    let db = &scope.db;
    ensure_pages(db, store).await?;
    let pages: Vec<Value> = db
        .all("SELECT id, kind, slug, title, updated_at FROM pages WHERE store_id = ?1 ORDER BY created_at, slug", &[])
        .await?;
    Ok(json!({ "pages": pages }))
}

async fn page_by_slug(db: &StoreDb, slug: &str) -> ApiResult<Value> {
    let page: Option<Value> =
        db.first(&format!("{PAGE_SELECT} WHERE store_id = ?1 AND slug = ?2"), &[slug.into()]).await?;
    page.ok_or_else(|| ApiError::not_found("page"))
}

/// `GET /v1/stores/{id}/pages/{slug}`.
pub async fn get_page(scope: &StoreScope, slug: &str) -> ApiResult<Value> {
    let store = &scope.store;
    let db = &scope.db;
    ensure_pages(db, store).await?;
    page_by_slug(db, slug).await
}

/// The fields of a page a merchant may change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFields {
    title: Option<String>,
    slug: Option<String>,
    body_html: Option<String>,
    meta_description: Option<String>,
}

/// `PATCH /v1/stores/{id}/pages/{slug}`: a new slug leaves a 301 at the old one.
pub async fn update_page(env: &Env, scope: &StoreScope, slug: &str, body: &str) -> ApiResult<Value> {
    let store = &scope.store;
    let actor = &scope.actor();
    let fields: PageFields = parse_json(body)?;
    let db = &scope.db;
    ensure_pages(db, store).await?;
    let current = page_by_slug(db, slug).await?;
    let id = current["id"].as_str().unwrap_or_default().to_owned();
    let title = fields.title.unwrap_or_else(|| current["title"].as_str().unwrap_or_default().to_owned());
    text("title", title.trim(), 1, 120)?;
    let body_html = domain::html::sanitize(
        &fields.body_html.unwrap_or_else(|| current["body_html"].as_str().unwrap_or_default().to_owned()),
    );
    text("body_html", &body_html, 1, 100_000)?;
    let meta = fields
        .meta_description
        .unwrap_or_else(|| current["meta_description"].as_str().unwrap_or_default().to_owned());
    text("meta_description", &meta, 0, META_DESCRIPTION_MAX)?;
    let new_slug = match fields.slug {
        Some(raw) => crate::v1::slugs::check("slug", &raw)?,
        None => slug.to_owned(),
    };
    let at = rfc3339(now());
    let mut statements = Vec::new();
    if new_slug != slug {
        crate::v1::slugs::ensure_free(db, "pages", &new_slug, Some(&id)).await?;
        statements.extend(crate::v1::slugs::redirect(db, "page", slug, &new_slug, &id, &at)?);
    }
    statements.push(db.statement(
        "UPDATE pages SET slug = ?3, title = ?4, body_html = ?5, meta_description = ?6, updated_at = ?7 \
         WHERE store_id = ?1 AND id = ?2",
        &[
            id.as_str().into(),
            new_slug.as_str().into(),
            title.trim().into(),
            body_html.into(),
            meta.into(),
            at.into(),
        ],
    )?);
    db.batch(statements).await?;
    changed(env, store, actor, "page.update", &id).await?;
    page_by_slug(db, &new_slug).await
}

const POST_SELECT: &str =
    "SELECT id, slug, title, excerpt, body_html, meta_title, meta_description, keywords, \
     related_product_ids, author, source, status, published_at, created_at, updated_at FROM posts";

fn post_view(mut row: Value) -> Value {
    for column in ["keywords", "related_product_ids"] {
        let parsed: Value =
            row[column].as_str().and_then(|t| serde_json::from_str(t).ok()).unwrap_or(json!([]));
        row[column] = parsed;
    }
    row
}

async fn post_row(db: &StoreDb, id: &str) -> ApiResult<Value> {
    let row: Option<Value> =
        db.first(&format!("{POST_SELECT} WHERE store_id = ?1 AND id = ?2"), &[id.into()]).await?;
    row.map(post_view).ok_or_else(|| ApiError::not_found("post"))
}

/// `GET /v1/stores/{id}/posts`: newest first.
pub async fn list_posts(scope: &StoreScope) -> ApiResult<Value> {
    let _store = &scope.store;
    let posts: Vec<Value> = scope.db
        .all(
            "SELECT id, slug, title, excerpt, status, source, published_at, updated_at FROM posts WHERE store_id = ?1 \
             ORDER BY COALESCE(published_at, created_at) DESC LIMIT 500",
            &[],
        )
        .await?;
    Ok(json!({ "posts": posts }))
}

/// `GET /v1/stores/{id}/posts/{post}`.
pub async fn get_post(scope: &StoreScope, id: PostId) -> ApiResult<Value> {
    let _store = &scope.store;
    post_row(&scope.db, &id.to_string()).await
}

/// The fields of a post; on a change only those sent change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostFields {
    title: Option<String>,
    slug: Option<String>,
    excerpt: Option<String>,
    body_html: Option<String>,
    meta_title: Option<String>,
    meta_description: Option<String>,
    keywords: Option<Vec<String>>,
    related_product_ids: Option<Vec<String>>,
    author: Option<String>,
    status: Option<String>,
}

/// `POST /v1/stores/{id}/posts`: a draft unless `status` is `published`.
pub async fn create_post(env: &Env, scope: &StoreScope, body: &str) -> ApiResult<Value> {
    let store = &scope.store;
    let actor = &scope.actor();
    let fields: PostFields = parse_json(body)?;
    write_post(env, store, &new_id::<PostId>().to_string(), None, fields, actor).await
}

/// `PATCH /v1/stores/{id}/posts/{post}`.
pub async fn update_post(env: &Env, scope: &StoreScope, id: PostId, body: &str) -> ApiResult<Value> {
    let store = &scope.store;
    let actor = &scope.actor();
    let fields: PostFields = parse_json(body)?;
    let current = post_row(&scope.db, &id.to_string()).await?;
    write_post(env, store, &id.to_string(), Some(current), fields, actor).await
}

async fn write_post(
    env: &Env,
    store: &Store,
    id: &str,
    current: Option<Value>,
    fields: PostFields,
    actor: &str,
) -> ApiResult<Value> {
    let db = store.db(env)?;
    let old = |name: &str| current.as_ref().and_then(|c| c[name].as_str().map(str::to_owned));
    let old_list = |name: &str| -> Vec<String> {
        current.as_ref().and_then(|c| serde_json::from_value(c[name].clone()).ok()).unwrap_or_default()
    };
    let title = fields
        .title
        .or_else(|| old("title"))
        .ok_or_else(|| ApiError::invalid("title", "title is required"))?;
    let title = title.trim().to_owned();
    text("title", &title, 1, 120)?;
    let body_html = domain::html::sanitize(
        &fields
            .body_html
            .or_else(|| old("body_html"))
            .ok_or_else(|| ApiError::invalid("body_html", "body_html is required"))?,
    );
    text("body_html", &body_html, 1, 200_000)?;
    let excerpt = fields.excerpt.or_else(|| old("excerpt")).unwrap_or_default();
    text("excerpt", &excerpt, 0, 300)?;
    let meta_title = fields.meta_title.or_else(|| old("meta_title")).unwrap_or_default();
    text("meta_title", &meta_title, 0, META_TITLE_MAX)?;
    let meta_description = fields.meta_description.or_else(|| old("meta_description")).unwrap_or_default();
    text("meta_description", &meta_description, 0, META_DESCRIPTION_MAX)?;
    let keywords = fields.keywords.unwrap_or_else(|| old_list("keywords"));
    if keywords.len() > 20 || keywords.iter().any(|k| text("keywords", k, 1, 60).is_err()) {
        return Err(ApiError::invalid("keywords", "at most 20 keywords of 1 to 60 characters"));
    }
    let related = fields.related_product_ids.unwrap_or_else(|| old_list("related_product_ids"));
    if related.len() > 12 || related.iter().any(|r| r.parse::<ProductId>().is_err()) {
        return Err(ApiError::invalid("related_product_ids", "at most 12 product ids"));
    }
    let author = fields.author.or_else(|| old("author")).unwrap_or_default();
    text("author", &author, 0, 80)?;
    let status = fields.status.or_else(|| old("status")).unwrap_or_else(|| "draft".into());
    if status != "draft" && status != "published" {
        return Err(ApiError::invalid("status", "status must be draft or published"));
    }
    let at = rfc3339(now());
    let published_at = match (status.as_str(), old("published_at")) {
        ("published", Some(first)) => Some(first),
        ("published", None) => Some(at.clone()),
        _ => old("published_at"),
    };
    let old_slug = old("slug");
    let slug = match fields.slug {
        Some(raw) => crate::v1::slugs::check("slug", &raw)?,
        None => old_slug.clone().unwrap_or_else(|| slugify(&title)),
    };
    if old_slug.as_deref() != Some(slug.as_str()) {
        crate::v1::slugs::ensure_free(&db, "posts", &slug, Some(id)).await?;
    }
    let args: Vec<JsValue> = vec![
        id.into(),
        slug.as_str().into(),
        title.into(),
        excerpt.into(),
        body_html.into(),
        meta_title.into(),
        meta_description.into(),
        serde_json::to_string(&keywords).unwrap_or_default().into(),
        serde_json::to_string(&related).unwrap_or_default().into(),
        author.into(),
        status.as_str().into(),
        published_at.map_or(JsValue::NULL, Into::into),
        at.as_str().into(),
    ];
    let mut statements = vec![if current.is_some() {
        db.statement(
            "UPDATE posts SET slug = ?3, title = ?4, excerpt = ?5, body_html = ?6, meta_title = ?7, meta_description = ?8, \
             keywords = ?9, related_product_ids = ?10, author = ?11, status = ?12, published_at = ?13, updated_at = ?14 \
             WHERE store_id = ?1 AND id = ?2",
            &args,
        )?
    } else {
        db.statement(
            "INSERT INTO posts (store_id, id, slug, title, excerpt, body_html, meta_title, meta_description, keywords, \
             related_product_ids, author, status, published_at, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
            &args,
        )?
    }];
    if let Some(old_slug) = old_slug.filter(|o| *o != slug) {
        statements.extend(crate::v1::slugs::redirect(&db, "post", &old_slug, &slug, id, &at)?);
    }
    if let Err(error) = db.batch(statements).await {
        if error.to_string().contains("UNIQUE") {
            return Err(
                ApiError::new(409, "slug_taken", format!("slug `{slug}` is already taken")).field("slug")
            );
        }
        return Err(error.into());
    }
    changed(env, store, actor, if current.is_some() { "post.update" } else { "post.create" }, id).await?;
    post_row(&db, id).await
}

/// `DELETE /v1/stores/{id}/posts/{post}`.
pub async fn delete_post(env: &Env, scope: &StoreScope, id: PostId) -> ApiResult<()> {
    let store = &scope.store;
    let actor = &scope.actor();
    let db = &scope.db;
    let id = id.to_string();
    let results = db
        .batch(vec![
            db.statement(
                "DELETE FROM slug_redirects WHERE store_id = ?1 AND kind = 'post' AND target_id = ?2",
                &[id.as_str().into()],
            )?,
            db.statement("DELETE FROM posts WHERE store_id = ?1 AND id = ?2", &[id.as_str().into()])?,
        ])
        .await?;
    if results.last().and_then(|r| r.meta().ok().flatten()).and_then(|m| m.changes).unwrap_or(0) == 0 {
        return Err(ApiError::not_found("post"));
    }
    changed(env, store, actor, "post.delete", &id).await
}
