//! Store pages (about, contact, shipping, returns, privacy, terms: generated on first read,
//! editable) and blog posts. Their HTML is sanitised with the allow-list before it is stored.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::content::{self, PageRow, PageWrite, PostRow, PostWrite};
use crate::repo::stores::Store;
use crate::runtime::{new_id, now, rfc3339};
use crate::scope::StoreScope;
use crate::v1::products::changed;
use domain::content::{slugify, META_DESCRIPTION_MAX, META_TITLE_MAX};
use domain::{PostId, ProductId};
use serde::Deserialize;
use serde_json::{json, Value};
use tenancy::shards::StoreDb;
use worker::Env;

fn text(field: &str, value: &str, min: usize, max: usize) -> ApiResult<()> {
    let n = value.chars().count();
    if n < min || n > max || value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::invalid(field, format!("{field} must be {min} to {max} characters")));
    }
    Ok(())
}

/// The sanitised form of an HTML field that must say something: 400 when the text sent is out of
/// bounds alone, 422 when nothing is left of it once the allow-list has removed what it does not
/// keep (a lone `<!x>` is a comment, `<script>` loses its content), which JSON Schema cannot state.
fn html_with_content(field: &str, raw: &str, max: usize) -> ApiResult<String> {
    text(field, raw, 1, max)?;
    if raw.trim().is_empty() {
        return Err(ApiError::invalid(field, format!("{field} must have some content")));
    }
    let html = domain::html::sanitize(raw);
    if html.trim().is_empty() {
        return Err(ApiError::new(
            422,
            "no_content_left",
            format!("{field} keeps no content once unsafe or malformed HTML is removed"),
        )
        .field(field));
    }
    Ok(html)
}

/// Writes the standard pages a store does not have yet.
async fn ensure_pages(db: &StoreDb, store: &Store) -> ApiResult<()> {
    let existing = content::page_kinds(db).await?;
    let at = rfc3339(now());
    let mut statements = Vec::new();
    for page in domain::shop_pages::defaults(&store.row.name, &store.row.niche) {
        if existing.iter().any(|kind| kind == page.kind) {
            continue;
        }
        let id = new_id::<ProductId>().to_string();
        statements.push(content::insert_page(
            db,
            page.kind,
            &PageWrite {
                id: &id,
                slug: page.slug,
                title: &page.title,
                body_html: &page.body_html,
                meta_description: &page.meta_description,
                at: &at,
            },
        )?);
    }
    if !statements.is_empty() {
        db.execute_batch(statements).await?;
    }
    Ok(())
}

/// `GET /v1/stores/{id}/pages`.
pub async fn list_pages(scope: &StoreScope) -> ApiResult<Value> {
    let store = &scope.store;
    let db = &scope.db;
    ensure_pages(db, store).await?;
    let pages = content::pages(db).await?;
    Ok(json!({ "pages": pages }))
}

async fn page_by_slug(db: &StoreDb, slug: &str) -> ApiResult<PageRow> {
    content::page_by_slug(db, slug).await?.ok_or_else(|| ApiError::not_found("page"))
}

fn page_view(page: &PageRow) -> ApiResult<Value> {
    serde_json::to_value(page).map_err(|e| ApiError::internal("page", e))
}

/// `GET /v1/stores/{id}/pages/{slug}`.
pub async fn get_page(scope: &StoreScope, slug: &str) -> ApiResult<Value> {
    let store = &scope.store;
    let db = &scope.db;
    ensure_pages(db, store).await?;
    page_view(&page_by_slug(db, slug).await?)
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
    let id = current.id;
    let title = fields.title.unwrap_or(current.title);
    text("title", title.trim(), 1, 120)?;
    let body_html = html_with_content("body_html", &fields.body_html.unwrap_or(current.body_html), 100_000)?;
    let meta = fields.meta_description.unwrap_or(current.meta_description);
    text("meta_description", &meta, 0, META_DESCRIPTION_MAX)?;
    let new_slug = match fields.slug {
        Some(raw) => crate::v1::slugs::check("slug", &raw)?,
        None => slug.to_owned(),
    };
    let at = rfc3339(now());
    let mut statements = Vec::new();
    if new_slug != slug {
        crate::repo::slugs::ensure_free(db, "pages", &new_slug, Some(&id)).await?;
        statements.extend(crate::repo::slugs::redirect(db, "page", slug, &new_slug, &id, &at)?);
    }
    statements.push(content::update_page(
        db,
        &PageWrite {
            id: &id,
            slug: &new_slug,
            title: title.trim(),
            body_html: &body_html,
            meta_description: &meta,
            at: &at,
        },
    )?);
    db.execute_batch(statements).await?;
    changed(env, store, actor, "page.update", &id).await?;
    page_view(&page_by_slug(db, &new_slug).await?)
}

/// A post as the API shows it: the row, with its JSON list columns as lists.
fn post_view(row: &PostRow) -> ApiResult<Value> {
    let mut view = serde_json::to_value(row).map_err(|e| ApiError::internal("post", e))?;
    for column in ["keywords", "related_product_ids"] {
        let parsed: Value =
            view[column].as_str().and_then(|t| serde_json::from_str(t).ok()).unwrap_or(json!([]));
        view[column] = parsed;
    }
    Ok(view)
}

async fn post_row(db: &StoreDb, id: &str) -> ApiResult<PostRow> {
    content::post(db, id).await?.ok_or_else(|| ApiError::not_found("post"))
}

/// `GET /v1/stores/{id}/posts`: newest first.
pub async fn list_posts(scope: &StoreScope) -> ApiResult<Value> {
    let posts = content::posts(&scope.db).await?;
    Ok(json!({ "posts": posts }))
}

/// `GET /v1/stores/{id}/posts/{post}`.
pub async fn get_post(scope: &StoreScope, id: PostId) -> ApiResult<Value> {
    post_view(&post_row(&scope.db, &id.to_string()).await?)
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
    let fields: PostFields = parse_json(body)?;
    write_post(env, scope, &new_id::<PostId>().to_string(), None, fields).await
}

/// `PATCH /v1/stores/{id}/posts/{post}`.
pub async fn update_post(env: &Env, scope: &StoreScope, id: PostId, body: &str) -> ApiResult<Value> {
    let fields: PostFields = parse_json(body)?;
    let current = post_row(&scope.db, &id.to_string()).await?;
    write_post(env, scope, &id.to_string(), Some(current), fields).await
}

async fn write_post(
    env: &Env,
    scope: &StoreScope,
    id: &str,
    current: Option<PostRow>,
    fields: PostFields,
) -> ApiResult<Value> {
    let store = &scope.store;
    let actor = &scope.actor();
    let db = &scope.db;
    let old = |column: fn(&PostRow) -> &str| current.as_ref().map(|c| column(c).to_owned());
    let old_list = |column: fn(&PostRow) -> &str| -> Vec<String> {
        current.as_ref().and_then(|c| serde_json::from_str(column(c)).ok()).unwrap_or_default()
    };
    let title = fields
        .title
        .or_else(|| old(|c| &c.title))
        .ok_or_else(|| ApiError::invalid("title", "title is required"))?;
    let title = title.trim().to_owned();
    text("title", &title, 1, 120)?;
    let body_html = html_with_content(
        "body_html",
        &fields
            .body_html
            .or_else(|| old(|c| &c.body_html))
            .ok_or_else(|| ApiError::invalid("body_html", "body_html is required"))?,
        200_000,
    )?;
    let excerpt = fields.excerpt.or_else(|| old(|c| &c.excerpt)).unwrap_or_default();
    text("excerpt", &excerpt, 0, 300)?;
    let meta_title = fields.meta_title.or_else(|| old(|c| &c.meta_title)).unwrap_or_default();
    text("meta_title", &meta_title, 0, META_TITLE_MAX)?;
    let meta_description =
        fields.meta_description.or_else(|| old(|c| &c.meta_description)).unwrap_or_default();
    text("meta_description", &meta_description, 0, META_DESCRIPTION_MAX)?;
    let keywords = fields.keywords.unwrap_or_else(|| old_list(|c| &c.keywords));
    if keywords.len() > 20 || keywords.iter().any(|k| text("keywords", k, 1, 60).is_err()) {
        return Err(ApiError::invalid("keywords", "at most 20 keywords of 1 to 60 characters"));
    }
    let related = fields.related_product_ids.unwrap_or_else(|| old_list(|c| &c.related_product_ids));
    if related.len() > 12 || related.iter().any(|r| r.parse::<ProductId>().is_err()) {
        return Err(ApiError::invalid("related_product_ids", "at most 12 product ids"));
    }
    let author = fields.author.or_else(|| old(|c| &c.author)).unwrap_or_default();
    text("author", &author, 0, 80)?;
    let status = fields.status.or_else(|| old(|c| &c.status)).unwrap_or_else(|| "draft".into());
    if status != "draft" && status != "published" {
        return Err(ApiError::invalid("status", "status must be draft or published"));
    }
    let at = rfc3339(now());
    let old_published = current.as_ref().and_then(|c| c.published_at.clone());
    let published_at = match (status.as_str(), old_published) {
        ("published", Some(first)) => Some(first),
        ("published", None) => Some(at.clone()),
        (_, old_published) => old_published,
    };
    let old_slug = old(|c| &c.slug);
    let slug = match fields.slug {
        Some(raw) => crate::v1::slugs::check("slug", &raw)?,
        None => old_slug.clone().unwrap_or_else(|| slugify(&title)),
    };
    if old_slug.as_deref() != Some(slug.as_str()) {
        crate::repo::slugs::ensure_free(db, "posts", &slug, Some(id)).await?;
    }
    let write = PostWrite {
        id,
        slug: &slug,
        title: &title,
        excerpt: &excerpt,
        body_html: &body_html,
        meta_title: &meta_title,
        meta_description: &meta_description,
        keywords: &keywords,
        related_product_ids: &related,
        author: &author,
        status: &status,
        published_at: published_at.as_deref(),
        at: &at,
    };
    let mut statements = vec![if current.is_some() {
        content::update_post(db, &write)?
    } else {
        content::insert_post(db, &write)?
    }];
    if let Some(old_slug) = old_slug.filter(|o| *o != slug) {
        statements.extend(crate::repo::slugs::redirect(db, "post", &old_slug, &slug, id, &at)?);
    }
    if let Err(error) = db.execute_batch(statements).await {
        if error.is_unique_violation() {
            return Err(
                ApiError::new(409, "slug_taken", format!("slug `{slug}` is already taken")).field("slug")
            );
        }
        return Err(error.into());
    }
    changed(env, store, actor, if current.is_some() { "post.update" } else { "post.create" }, id).await?;
    post_view(&post_row(db, id).await?)
}

/// `DELETE /v1/stores/{id}/posts/{post}`.
pub async fn delete_post(env: &Env, scope: &StoreScope, id: PostId) -> ApiResult<()> {
    let store = &scope.store;
    let actor = &scope.actor();
    let id = id.to_string();
    if !content::delete_post(&scope.db, &id).await? {
        return Err(ApiError::not_found("post"));
    }
    changed(env, store, actor, "post.delete", &id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_fields_keep_allowed_markup_and_refuse_what_sanitising_empties() {
        assert_eq!(
            html_with_content("body_html", "<p>Hello <b>there</b></p>", 100).unwrap(),
            "<p>Hello <b>there</b></p>"
        );
        let refused = |raw: &str| html_with_content("body_html", raw, 100).unwrap_err();
        // Valid text by the document's schema, but all of it is markup the allow-list drops.
        for raw in ["<!\u{a1}\u{de}YX \u{105}3$", "<script>alert(1)</script>", "<!-- draft -->"] {
            let error = refused(raw);
            assert_eq!(
                (error.status, error.code, error.field.as_deref()),
                (422, "no_content_left", Some("body_html")),
                "{raw}"
            );
        }
        for raw in ["", "   ", &"x".repeat(101)] {
            assert_eq!(refused(raw).status, 400, "{raw:?}");
        }
    }
}
