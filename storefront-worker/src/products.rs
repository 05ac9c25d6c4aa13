//! Published products, read from the store's D1 shard and turned into what pages render.
//!
//! Every statement goes through [`StoreDb`], so it reads the resolved store's rows only; drafts
//! are never read.

use crate::catalog::{cards, found, next, redirect_statement, Found};
use crate::crawlers::{SitemapProduct, SITEMAP_MAX_URLS};
use crate::render::{Card, Delivery, Product, Variant};
use crate::search::SearchQuery;
use domain::{Currency, Money};
use serde::Deserialize;
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError};

/// Products shown on the home page and on one page of search results.
pub const PAGE_SIZE: usize = 24;

/// The columns of a [`CardRow`] of the products aliased `p`: `sold_out` is 1 when the product has
/// variants and none of them can be bought (untracked stock can always be bought).
pub(crate) const CARD_COLUMNS: &str =
    "p.slug, p.title, p.price_minor, p.compare_at_minor, p.currency, p.images, \
     (EXISTS (SELECT 1 FROM product_variants v WHERE v.store_id = ?1 AND v.product_id = p.id) \
     AND NOT EXISTS (SELECT 1 FROM product_variants v WHERE v.store_id = ?1 AND v.product_id = p.id \
     AND (v.stock IS NULL OR v.stock > 0))) AS sold_out";

pub(crate) fn newest_sql() -> String {
    format!(
        "SELECT {CARD_COLUMNS} FROM products p WHERE p.store_id = ?1 AND p.status = 'published' \
         ORDER BY p.created_at DESC, p.id DESC LIMIT {PAGE_SIZE}"
    )
}

/// Titles are matched as plain text, not as a `LIKE` pattern: D1 refuses patterns over 50 bytes
/// (a query may have 100 characters), and `%` or `_` in a query must match themselves.
fn search_sql() -> String {
    format!(
        "SELECT {CARD_COLUMNS} FROM products p WHERE p.store_id = ?1 AND p.status = 'published' \
         AND instr(lower(p.title), lower(?2)) > 0 ORDER BY p.created_at DESC, p.id DESC LIMIT {PAGE_SIZE}"
    )
}

/// Products shown in a home page section.
pub const SECTION_SIZE: usize = 8;

pub(crate) fn best_sellers_sql() -> String {
    format!(
        "SELECT {CARD_COLUMNS} FROM products p \
         JOIN (SELECT product_id, SUM(quantity) AS sold FROM order_items WHERE store_id = ?1 GROUP BY product_id) s \
         ON s.product_id = p.id WHERE p.store_id = ?1 AND p.status = 'published' \
         ORDER BY s.sold DESC, p.id LIMIT {SECTION_SIZE}"
    )
}

/// The variants of the published product whose slug is `?2`.
const VARIANTS_SQL: &str =
    "SELECT v.id, v.title, v.price_minor, v.compare_at_minor, v.stock FROM product_variants v \
     JOIN products p ON p.id = v.product_id AND p.store_id = ?1 \
     WHERE v.store_id = ?1 AND p.slug = ?2 AND p.status = 'published' ORDER BY v.position";

const PRODUCT_SQL: &str = "SELECT id, slug, title, price_minor, compare_at_minor, currency, images, \
     description, features, meta_title, meta_description, source FROM products \
     WHERE store_id = ?1 AND slug = ?2 AND status = 'published'";

/// Reviews a product page shows.
pub const REVIEWS_SHOWN: usize = 10;

/// The approved reviews of the published product whose slug is `?2`, newest first.
const REVIEWS_SQL: &str = "SELECT r.author, r.rating, r.title, r.body, r.created_at FROM reviews r \
     JOIN products p ON p.store_id = r.store_id AND p.id = r.product_id \
     WHERE r.store_id = ?1 AND p.slug = ?2 AND r.status = 'approved' ORDER BY r.created_at DESC, r.id LIMIT 10";

/// Their count and average rating.
const RATING_SQL: &str = "SELECT COUNT(*) AS n, AVG(r.rating) AS average FROM reviews r \
     JOIN products p ON p.store_id = r.store_id AND p.id = r.product_id \
     WHERE r.store_id = ?1 AND p.slug = ?2 AND r.status = 'approved'";

/// Products shown as related on a product page.
pub const RELATED_SIZE: usize = 4;

/// Published products other than the one whose slug is `?2`: those sharing a collection with it
/// first, then the newest.
fn related_sql() -> String {
    format!(
        "SELECT {CARD_COLUMNS} FROM products p WHERE p.store_id = ?1 AND p.status = 'published' AND p.slug <> ?2 \
         ORDER BY p.id IN (SELECT b.product_id FROM collection_products a \
         JOIN collection_products b ON b.collection_id = a.collection_id AND b.store_id = ?1 \
         JOIN products q ON q.id = a.product_id AND q.store_id = ?1 WHERE a.store_id = ?1 AND q.slug = ?2) DESC, \
         p.created_at DESC, p.id DESC LIMIT {RELATED_SIZE}"
    )
}

fn sitemap_sql() -> String {
    format!(
        "SELECT slug, updated_at FROM products WHERE store_id = ?1 AND status = 'published' \
         ORDER BY created_at DESC, id DESC LIMIT {SITEMAP_MAX_URLS}"
    )
}

/// Published products whose title contains the query (ASCII case-insensitively), newest first.
pub async fn search<D: Sql>(
    db: &StoreDb<D>,
    query: &SearchQuery,
    fallback: Currency,
) -> Result<Vec<Card>, SqlError> {
    Ok(cards(db.query_all(&search_sql(), vec![query.as_str().into()]).await?, fallback))
}

/// The published product with this slug, its variants, related products, reviews and how it
/// ships (`market`: the store's target market, for a store that never set its shipping), in one
/// round trip with the redirect of a renamed slug.
pub async fn by_slug<D: Sql>(
    db: &StoreDb<D>,
    slug: &str,
    fallback: Currency,
    market: &str,
) -> Result<Found<Product>, SqlError> {
    let statements = vec![
        db.scoped(PRODUCT_SQL, vec![slug.into()])?,
        db.scoped(VARIANTS_SQL, vec![slug.into()])?,
        db.scoped(&related_sql(), vec![slug.into()])?,
        db.scoped(REVIEWS_SQL, vec![slug.into()])?,
        db.scoped(RATING_SQL, vec![slug.into()])?,
        db.scoped(crate::shipping::SQL, vec![])?,
        redirect_statement(db, "product", slug)?,
    ];
    let mut rows = db.read_batch(statements).await?.into_iter();
    let row: Option<ProductRow> = next(&mut rows)?.into_iter().next();
    let variants: Vec<VariantRow> = next(&mut rows)?;
    let related = cards(next(&mut rows)?, fallback);
    let reviews: Vec<crate::render::Review> = next(&mut rows)?;
    let rating: Option<RatingRow> = next(&mut rows)?.into_iter().next();
    let shipping = crate::shipping::settings(next(&mut rows)?.into_iter().next(), market);
    let product = row.map(|row| {
        let source = row.source.clone();
        let mut product = row.into_product(fallback);
        product.related = related;
        product.reviews = reviews;
        product.rating = rating.and_then(|r| Some((r.average?, r.n)).filter(|(_, n)| *n > 0));
        let currency = product.price.currency;
        product.variants = variants
            .into_iter()
            .map(|v| Variant {
                id: v.id,
                title: v.title,
                price: Money::from_minor(v.price_minor, currency),
                compare_at: v.compare_at_minor.map(|m| Money::from_minor(m, currency)),
                stock: v.stock,
            })
            .collect();
        if let Some(cheapest) = product.variants.iter().filter(|v| v.in_stock()).min_by_key(|v| v.price.minor)
        {
            product.price = cheapest.price;
            product.compare_at = cheapest.compare_at;
        }
        product.delivery = Delivery {
            rates: shipping.rates(product.price.minor, &[source.as_deref()]),
            free_over: shipping
                .free_over_minor
                .filter(|_| shipping.standard_minor > 0)
                .map(|minor| Money::from_minor(minor, currency)),
            countries: shipping.countries,
        };
        product
    });
    found(product, &mut rows)
}

#[derive(Deserialize)]
struct RatingRow {
    n: u32,
    average: Option<f64>,
}

#[derive(Deserialize)]
struct VariantRow {
    id: String,
    title: String,
    price_minor: i64,
    compare_at_minor: Option<i64>,
    stock: Option<i64>,
}

/// Every published product's URL slug and last change, for the sitemap.
pub async fn for_sitemap<D: Sql>(db: &StoreDb<D>) -> Result<Vec<SitemapProduct>, SqlError> {
    let rows: Vec<SitemapRow> = db.query_all(&sitemap_sql(), vec![]).await?;
    Ok(rows.into_iter().map(|row| SitemapProduct { slug: row.slug, updated_at: row.updated_at }).collect())
}

/// A card's row.
#[derive(Deserialize)]
pub struct CardRow {
    slug: String,
    title: String,
    price_minor: i64,
    compare_at_minor: Option<i64>,
    currency: String,
    images: String,
    sold_out: i64,
    /// Rows of the query before its page was cut, where it counts them (collection pages).
    #[serde(default)]
    total: u32,
}

impl CardRow {
    /// How many products the query found in all (0 when it does not count them).
    pub fn total(&self) -> u32 {
        self.total
    }

    /// The card of the row; an unknown currency is the store's.
    pub fn into_card(self, fallback: Currency) -> Card {
        let currency = self.currency.parse().unwrap_or(fallback);
        Card {
            image: image_urls(&self.images).into_iter().next(),
            slug: self.slug,
            title: self.title,
            price: Money::from_minor(self.price_minor, currency),
            compare_at: self.compare_at_minor.map(|minor| Money::from_minor(minor, currency)),
            sold_out: self.sold_out != 0,
        }
    }
}

#[derive(Deserialize)]
struct ProductRow {
    id: String,
    slug: String,
    title: String,
    price_minor: i64,
    compare_at_minor: Option<i64>,
    currency: String,
    images: String,
    description: String,
    features: String,
    meta_title: String,
    meta_description: String,
    source: Option<String>,
}

impl ProductRow {
    fn into_product(self, fallback: Currency) -> Product {
        let currency = self.currency.parse().unwrap_or(fallback);
        Product {
            images: image_urls(&self.images),
            description: text_list(&self.description),
            features: text_list(&self.features),
            id: self.id,
            slug: self.slug,
            title: self.title,
            price: Money::from_minor(self.price_minor, currency),
            compare_at: self.compare_at_minor.map(|minor| Money::from_minor(minor, currency)),
            meta_title: self.meta_title,
            meta_description: self.meta_description,
            variants: Vec::new(),
            related: Vec::new(),
            reviews: Vec::new(),
            rating: None,
            delivery: Delivery::default(),
        }
    }
}

#[derive(Deserialize)]
struct SitemapRow {
    slug: String,
    updated_at: String,
}

/// The non-blank entries of a JSON array of texts; nothing when it is not one.
fn text_list(json: &str) -> Vec<String> {
    serde_json::from_str::<Vec<String>>(json)
        .unwrap_or_default()
        .into_iter()
        .filter(|text| !text.trim().is_empty())
        .collect()
}

/// The `http(s)` URLs and `/media/` paths of a JSON array of image URLs; anything else could not
/// be shown anyway.
pub fn image_urls(json: &str) -> Vec<String> {
    text_list(json)
        .into_iter()
        .map(|url| url.trim().to_owned())
        .filter(|url| {
            let lower = url.to_ascii_lowercase();
            lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("/media/")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tenancy::shards::is_scoped;

    #[test]
    fn every_query_is_scoped_to_the_store() {
        for sql in [
            newest_sql(),
            search_sql(),
            PRODUCT_SQL.to_owned(),
            sitemap_sql(),
            best_sellers_sql(),
            related_sql(),
        ] {
            assert!(is_scoped(&sql), "{sql}");
            assert!(sql.contains("status = 'published'"), "{sql}");
        }
    }

    #[test]
    fn search_matches_the_query_as_text_not_as_a_like_pattern() {
        assert!(search_sql().contains("instr(lower(p.title), lower(?2)) > 0"));
        assert!(!search_sql().contains("LIKE"), "D1 refuses LIKE patterns over 50 bytes");
        assert!(search_sql().ends_with("LIMIT 24"));
    }

    #[test]
    fn product_rows_become_pages_with_their_lists_parsed() {
        let row: ProductRow = serde_json::from_value(json!({
            "id": "p1", "slug": "brush", "title": "Brush", "price_minor": 2999, "compare_at_minor": null,
            "currency": "EUR", "images": "[\"https://img.example/1.jpg\", \"javascript:alert(1)\"]",
            "description": "[\"One.\", \" \", \"Two.\"]", "features": "not json",
            "meta_title": "Brush | Shop", "meta_description": "A brush."
        }))
        .unwrap();
        let product = row.into_product(Currency::Usd);
        assert_eq!(product.price, Money::from_minor(2999, Currency::Eur));
        assert_eq!(product.images, vec!["https://img.example/1.jpg"]);
        assert_eq!(product.description, vec!["One.", "Two."]);
        assert!(product.features.is_empty());
        assert_eq!(product.compare_at, None);
    }

    #[test]
    fn a_card_row_in_an_unknown_currency_takes_the_store_currency() {
        let row: CardRow = serde_json::from_value(json!({
            "slug": "brush", "title": "Brush", "price_minor": 500, "compare_at_minor": 900,
            "currency": "XYZ", "images": "[]", "sold_out": 0
        }))
        .unwrap();
        let card = row.into_card(Currency::Gbp);
        assert_eq!(card.price, Money::from_minor(500, Currency::Gbp));
        assert_eq!(card.compare_at, Some(Money::from_minor(900, Currency::Gbp)));
        assert_eq!(card.image, None);
    }
}
