//! Everything else the shop reads from the store's shard: collections, posts, pages, the
//! redirects of changed slugs, the items of a cart and an order's status. Reads only: the edge
//! is the only writer.

use crate::crawlers::{SitemapProduct, SITEMAP_MAX_URLS};
use crate::products::{CardRow, SECTION_SIZE};
use crate::render::{Card, CollectionPage, PostCard, PostPage, Sort, StorePage};
use domain::{Currency, Money};
use serde::Deserialize;
use tenancy::shards::StoreDb;

/// Products on one collection page.
pub const COLLECTION_PAGE_SIZE: u32 = 24;
/// Posts on the blog index.
pub const BLOG_PAGE_SIZE: usize = 50;

#[derive(Deserialize)]
struct CollectionRow {
    id: String,
    slug: String,
    title: String,
    description: String,
    sort: String,
    meta_title: String,
    meta_description: String,
}

const COLLECTION_COLUMNS: &str = "id, slug, title, description, sort, meta_title, meta_description";

/// The `ORDER BY` of a collection's products in `sort`; `m` is the membership, `s` the sales.
fn order_by(sort: Sort) -> &'static str {
    match sort {
        Sort::Manual => "m.position, p.id",
        Sort::BestSelling => "COALESCE(s.sold, 0) DESC, m.position, p.id",
        Sort::Newest => "p.created_at DESC, p.id",
        Sort::PriceAsc => "p.price_minor, p.id",
        Sort::PriceDesc => "p.price_minor DESC, p.id",
    }
}

fn members_sql(sort: Sort) -> String {
    format!(
        "SELECT p.slug, p.title, p.price_minor, p.compare_at_minor, p.currency, p.images \
         FROM collection_products m JOIN products p ON p.id = m.product_id AND p.store_id = ?1 \
         LEFT JOIN (SELECT product_id, SUM(quantity) AS sold FROM order_items WHERE store_id = ?1 GROUP BY product_id) s \
         ON s.product_id = p.id \
         WHERE m.store_id = ?1 AND m.collection_id = ?2 AND p.status = 'published' \
         ORDER BY {} LIMIT ?3 OFFSET ?4",
        order_by(sort)
    )
}

const MEMBER_COUNT_SQL: &str =
    "SELECT COUNT(*) AS n FROM collection_products m JOIN products p ON p.id = m.product_id \
     AND p.store_id = ?1 WHERE m.store_id = ?1 AND m.collection_id = ?2 AND p.status = 'published'";

async fn cards(
    db: &StoreDb,
    collection: &str,
    sort: Sort,
    limit: u32,
    offset: u32,
    fallback: Currency,
) -> worker::Result<Vec<Card>> {
    let rows: Vec<CardRow> = db
        .all(&members_sql(sort), &[collection.into(), f64::from(limit).into(), f64::from(offset).into()])
        .await?;
    Ok(rows.into_iter().map(|r| r.into_card(fallback)).collect())
}

/// The featured collection (the most recently changed one marked featured): title, slug and
/// its first products.
pub async fn featured(
    db: &StoreDb,
    fallback: Currency,
) -> worker::Result<Option<(String, String, Vec<Card>)>> {
    let row: Option<CollectionRow> = db
        .first(
            &format!("SELECT {COLLECTION_COLUMNS} FROM collections WHERE store_id = ?1 AND featured = 1 ORDER BY updated_at DESC LIMIT 1"),
            &[],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let sort = Sort::parse(&row.sort).unwrap_or(Sort::BestSelling);
    let cards = cards(db, &row.id, sort, SECTION_SIZE as u32, 0, fallback).await?;
    Ok(Some((row.title, row.slug, cards)))
}

/// A collection page: `sort` (or the collection's own order) and page `page` (from 1).
pub async fn collection(
    db: &StoreDb,
    slug: &str,
    sort: Option<Sort>,
    page: u32,
    fallback: Currency,
) -> worker::Result<Option<CollectionPage>> {
    let row: Option<CollectionRow> = db
        .first(
            &format!("SELECT {COLLECTION_COLUMNS} FROM collections WHERE store_id = ?1 AND slug = ?2"),
            &[slug.into()],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let default_sort = Sort::parse(&row.sort).unwrap_or(Sort::BestSelling);
    let sort = sort.unwrap_or(default_sort);
    let total: Option<serde_json::Value> = db.first(MEMBER_COUNT_SQL, &[row.id.as_str().into()]).await?;
    let total = total.and_then(|t| t["n"].as_u64()).unwrap_or(0) as u32;
    let offset = (page.max(1) - 1).saturating_mul(COLLECTION_PAGE_SIZE);
    let cards = cards(db, &row.id, sort, COLLECTION_PAGE_SIZE, offset, fallback).await?;
    Ok(Some(CollectionPage {
        slug: row.slug,
        title: row.title,
        description_html: row.description,
        meta_title: row.meta_title,
        meta_description: row.meta_description,
        default_sort,
        sort,
        page: page.max(1),
        total,
        per_page: COLLECTION_PAGE_SIZE,
        cards,
    }))
}

/// The table a redirect kind's targets live in.
fn table(kind: &str) -> &'static str {
    match kind {
        "product" => "products",
        "collection" => "collections",
        "post" => "posts",
        _ => "pages",
    }
}

/// The current slug of what `old` (a slug of `kind`) was renamed to.
pub async fn redirect(db: &StoreDb, kind: &str, old: &str) -> worker::Result<Option<String>> {
    let row: Option<serde_json::Value> = db
        .first(
            &format!(
                "SELECT t.slug FROM slug_redirects r JOIN {} t ON t.id = r.target_id AND t.store_id = ?1 \
                 WHERE r.store_id = ?1 AND r.kind = ?2 AND r.old_slug = ?3",
                table(kind)
            ),
            &[kind.into(), old.into()],
        )
        .await?;
    Ok(row.and_then(|r| r["slug"].as_str().map(str::to_owned)))
}

/// Published posts, newest first.
pub async fn posts(db: &StoreDb) -> worker::Result<Vec<PostCard>> {
    #[derive(Deserialize)]
    struct Row {
        slug: String,
        title: String,
        excerpt: String,
        published_at: Option<String>,
    }
    let rows: Vec<Row> = db
        .all(
            &format!(
                "SELECT slug, title, excerpt, published_at FROM posts WHERE store_id = ?1 AND status = 'published' \
                 ORDER BY published_at DESC LIMIT {BLOG_PAGE_SIZE}"
            ),
            &[],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| PostCard { slug: r.slug, title: r.title, excerpt: r.excerpt, published_at: r.published_at })
        .collect())
}

/// A published post.
pub async fn post(db: &StoreDb, slug: &str) -> worker::Result<Option<PostPage>> {
    #[derive(Deserialize)]
    struct Row {
        slug: String,
        title: String,
        body_html: String,
        excerpt: String,
        meta_title: String,
        meta_description: String,
        author: String,
        keywords: String,
        published_at: Option<String>,
        updated_at: String,
    }
    let row: Option<Row> = db
        .first(
            "SELECT slug, title, body_html, excerpt, meta_title, meta_description, author, keywords, published_at, updated_at \
             FROM posts WHERE store_id = ?1 AND slug = ?2 AND status = 'published'",
            &[slug.into()],
        )
        .await?;
    Ok(row.map(|r| PostPage {
        keywords: serde_json::from_str(&r.keywords).unwrap_or_default(),
        slug: r.slug,
        title: r.title,
        body_html: r.body_html,
        excerpt: r.excerpt,
        meta_title: r.meta_title,
        meta_description: r.meta_description,
        author: r.author,
        published_at: r.published_at,
        updated_at: r.updated_at,
    }))
}

/// A store page; a standard page the merchant has not had generated yet is rendered from the
/// defaults (the edge writes them on first read through the API).
pub async fn page(db: &StoreDb, slug: &str, store_name: &str) -> worker::Result<Option<StorePage>> {
    #[derive(Deserialize)]
    struct Row {
        slug: String,
        title: String,
        body_html: String,
        meta_description: String,
    }
    let row: Option<Row> = db
        .first(
            "SELECT slug, title, body_html, meta_description FROM pages WHERE store_id = ?1 AND slug = ?2",
            &[slug.into()],
        )
        .await?;
    if let Some(r) = row {
        return Ok(Some(StorePage {
            slug: r.slug,
            title: r.title,
            body_html: r.body_html,
            meta_description: r.meta_description,
        }));
    }
    if !domain::shop_pages::KINDS.contains(&slug) {
        return Ok(None);
    }
    let written: Option<serde_json::Value> =
        db.first("SELECT id FROM pages WHERE store_id = ?1 AND kind = ?2", &[slug.into()]).await?;
    if written.is_some() {
        // The merchant's page of that kind lives at another slug now (a redirect answers).
        return Ok(None);
    }
    Ok(domain::shop_pages::defaults(store_name, "").into_iter().find(|p| p.slug == slug).map(|p| StorePage {
        slug: p.slug.to_owned(),
        title: p.title,
        body_html: p.body_html,
        meta_description: p.meta_description,
    }))
}

/// Sitemap entries of collections, published posts and store pages.
pub async fn sitemap_entries(db: &StoreDb, kind: &str) -> worker::Result<Vec<SitemapProduct>> {
    let sql = match kind {
        "collections" => "SELECT slug, updated_at FROM collections WHERE store_id = ?1 ORDER BY slug LIMIT ?2",
        "posts" => "SELECT slug, updated_at FROM posts WHERE store_id = ?1 AND status = 'published' ORDER BY published_at DESC LIMIT ?2",
        _ => "SELECT slug, updated_at FROM pages WHERE store_id = ?1 ORDER BY slug LIMIT ?2",
    };
    #[derive(Deserialize)]
    struct Row {
        slug: String,
        updated_at: String,
    }
    let rows: Vec<Row> = db.all(sql, &[(SITEMAP_MAX_URLS as f64).into()]).await?;
    Ok(rows.into_iter().map(|r| SitemapProduct { slug: r.slug, updated_at: r.updated_at }).collect())
}

/// What a cart line is now: product slug and title, variant title, unit price.
#[derive(Debug, Clone)]
pub struct LineInfo {
    /// The product's slug.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// The variant's title.
    pub variant: Option<String>,
    /// The current unit price.
    pub price: Money,
    /// Whether the product has variants (then one must be chosen).
    pub has_variants: bool,
}

/// A published product (and its variant) as a cart line shows it; `None` when it is not sold.
pub async fn line(
    db: &StoreDb,
    product: &str,
    variant: Option<&str>,
    fallback: Currency,
) -> worker::Result<Option<LineInfo>> {
    #[derive(Deserialize)]
    struct Row {
        slug: String,
        title: String,
        price_minor: i64,
        currency: String,
        variants: i64,
    }
    let row: Option<Row> = db
        .first(
            "SELECT slug, title, price_minor, currency, (SELECT COUNT(*) FROM product_variants v WHERE v.store_id = ?1 AND v.product_id = p.id) AS variants \
             FROM products p WHERE store_id = ?1 AND id = ?2 AND status = 'published'",
            &[product.into()],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let currency = row.currency.parse().unwrap_or(fallback);
    let mut info = LineInfo {
        slug: row.slug,
        title: row.title,
        variant: None,
        price: Money::from_minor(row.price_minor, currency),
        has_variants: row.variants > 0,
    };
    match variant {
        None if info.has_variants => Ok(None),
        None => Ok(Some(info)),
        Some(variant) => {
            let v: Option<serde_json::Value> = db
                .first(
                    "SELECT title, price_minor FROM product_variants WHERE store_id = ?1 AND product_id = ?2 AND id = ?3",
                    &[product.into(), variant.into()],
                )
                .await?;
            Ok(v.map(|v| {
                info.variant = v["title"].as_str().map(str::to_owned);
                info.price = Money::from_minor(v["price_minor"].as_i64().unwrap_or(0), currency);
                info
            }))
        }
    }
}

/// An order's status page data, by its unguessable token: the order once paid, else its
/// checkout.
pub async fn order(
    db: &StoreDb,
    token: &str,
    fallback: Currency,
) -> worker::Result<Option<crate::render::OrderView>> {
    #[derive(Deserialize)]
    struct Checkout {
        id: String,
        email: String,
        items: String,
        subtotal_minor: i64,
        currency: String,
    }
    #[derive(Deserialize)]
    struct Line {
        title: String,
        variant_title: Option<String>,
        unit_price_minor: i64,
        quantity: u32,
    }
    let checkout: Option<Checkout> = db
        .first(
            "SELECT id, email, items, subtotal_minor, currency FROM checkouts WHERE store_id = ?1 AND access_token = ?2",
            &[token.into()],
        )
        .await?;
    let Some(checkout) = checkout else { return Ok(None) };
    let currency: Currency = checkout.currency.parse().unwrap_or(fallback);
    let order: Option<serde_json::Value> = db
        .first(
            "SELECT number, total_minor FROM orders WHERE store_id = ?1 AND id = ?2",
            &[checkout.id.as_str().into()],
        )
        .await?;
    let lines: Vec<Line> = serde_json::from_str(&checkout.items).unwrap_or_default();
    let total = order.as_ref().and_then(|o| o["total_minor"].as_i64()).unwrap_or(checkout.subtotal_minor);
    Ok(Some(crate::render::OrderView {
        number: order.and_then(|o| o["number"].as_i64()),
        items: lines
            .into_iter()
            .map(|l| (l.title, l.variant_title, l.quantity, Money::from_minor(l.unit_price_minor, currency)))
            .collect(),
        total: Money::from_minor(total, currency),
        email: checkout.email,
        just_paid: false,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenancy::shards::is_scoped;

    #[test]
    fn every_collection_query_is_scoped_to_the_store() {
        for sort in Sort::ALL {
            assert!(is_scoped(&members_sql(sort)));
            assert!(members_sql(sort).contains("p.status = 'published'"));
        }
        assert!(is_scoped(MEMBER_COUNT_SQL));
    }
}
