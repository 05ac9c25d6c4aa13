//! Everything else the shop reads from the store's shard: collections, posts, pages, the
//! redirects of changed slugs, the items of a cart and an order's status. Reads only: the edge
//! is the only writer.

use crate::crawlers::{SitemapProduct, SITEMAP_MAX_URLS};
use crate::products::{self, CardRow, SECTION_SIZE};
use crate::render::{Card, CollectionPage, Filter, HomePage, PostCard, PostPage, Sort, StorePage};
use crate::urls::ALL_PRODUCTS;
use domain::{Currency, Money};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tenancy::shards::StoreDb;
use tenancy::sql::{Rows, Sql, SqlError, Statement};

/// Products on one collection page.
pub const COLLECTION_PAGE_SIZE: u32 = 24;
/// Posts on the blog index.
pub const BLOG_PAGE_SIZE: usize = 50;

#[derive(Deserialize)]
struct CollectionRow {
    slug: String,
    title: String,
    description: String,
    sort: String,
    meta_title: String,
    meta_description: String,
}

const COLLECTION_COLUMNS: &str = "slug, title, description, sort, meta_title, meta_description";

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

/// Which products a members query reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Members {
    /// The collection whose slug is bound as `?2`.
    BySlug,
    /// The featured collection: the most recently changed one marked featured.
    Featured,
    /// Every published product ([`ALL_PRODUCTS`]).
    All,
}

/// The `ORDER BY` of a collection's products in the collection's own sort (`c.sort`), with one
/// term per sort that is `NULL` for every row unless the collection uses it, so the rows come
/// in the order [`order_by`] gives for that sort; an unknown setting sorts as best selling.
const OWN_ORDER: &str = "CASE WHEN c.sort NOT IN ('manual', 'newest', 'price_asc', 'price_desc') \
     THEN COALESCE(s.sold, 0) END DESC, \
     CASE WHEN c.sort = 'newest' THEN p.created_at END DESC, \
     CASE WHEN c.sort = 'price_asc' THEN p.price_minor END, \
     CASE WHEN c.sort = 'price_desc' THEN p.price_minor END DESC, \
     CASE WHEN c.sort NOT IN ('newest', 'price_asc', 'price_desc') THEN m.position END, p.id";

/// The conditions a filter adds to a query of the products aliased `p`, each starting with
/// `AND`; prices are compared in minor units of `currency`. Only integers are written into it.
fn filter_sql(filter: Filter, currency: Currency) -> String {
    let per_major = currency.minor_per_major();
    let mut sql = String::new();
    if let Some(min) = filter.min {
        sql.push_str(&format!(" AND p.price_minor >= {}", i64::from(min) * per_major));
    }
    if let Some(max) = filter.max {
        // Up to the last minor unit of the whole amount: `max=20` keeps $20.99 out and $20.00 in.
        sql.push_str(&format!(" AND p.price_minor <= {}", i64::from(max) * per_major));
    }
    if filter.in_stock {
        sql.push_str(
            " AND (NOT EXISTS (SELECT 1 FROM product_variants v WHERE v.store_id = ?1 AND v.product_id = p.id) \
             OR EXISTS (SELECT 1 FROM product_variants v WHERE v.store_id = ?1 AND v.product_id = p.id \
             AND (v.stock IS NULL OR v.stock > 0)))",
        );
    }
    sql
}

/// A page of published products of `which`, in `sort` or (`None`) the collection's own (best
/// selling for all products, whose manual order is newest first), narrowed by `filter` (prices in
/// `currency`). Each row carries the `total` of products that pass the filter (the count is
/// taken before the page's `LIMIT`), so a page needs no second query to count them.
fn members_sql(
    which: Members,
    sort: Option<Sort>,
    filter: Filter,
    currency: Currency,
    limit: u32,
    offset: u32,
) -> String {
    let (from, scope) = match which {
        Members::All => ("products p", "p.store_id = ?1"),
        Members::BySlug => (MEMBERS_FROM, "m.store_id = ?1 AND c.slug = ?2"),
        Members::Featured => (
            MEMBERS_FROM,
            "m.store_id = ?1 AND c.id = (SELECT id FROM collections WHERE store_id = ?1 AND featured = 1 ORDER BY updated_at DESC LIMIT 1)",
        ),
    };
    let order = match (which, sort) {
        (Members::All, None | Some(Sort::BestSelling)) => "COALESCE(s.sold, 0) DESC, p.created_at DESC, p.id",
        (Members::All, Some(Sort::Manual)) => order_by(Sort::Newest),
        (_, sort) => sort.map_or(OWN_ORDER, order_by),
    };
    format!(
        "SELECT {CARD_COLUMNS}, COUNT(*) OVER () AS total FROM {from} \
         LEFT JOIN (SELECT product_id, SUM(quantity) AS sold FROM order_items WHERE store_id = ?1 GROUP BY product_id) s \
         ON s.product_id = p.id WHERE {scope} AND p.status = 'published'{} \
         ORDER BY {order} LIMIT {limit} OFFSET {offset}",
        filter_sql(filter, currency),
        CARD_COLUMNS = products::CARD_COLUMNS
    )
}

/// The products of a collection, with the collection (`c`) and the membership (`m`).
const MEMBERS_FROM: &str =
    "collection_products m JOIN collections c ON c.id = m.collection_id AND c.store_id = ?1 \
     JOIN products p ON p.id = m.product_id AND p.store_id = ?1";

/// What a slug of a page names.
pub enum Found<T> {
    /// The page.
    Page(T),
    /// Nothing now; the slug was renamed to this one (answer with a redirect).
    Moved(String),
    /// Nothing.
    Missing,
}

impl<T> Found<T> {
    /// The page made into something else (its HTML), the redirect and the miss kept.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Found<U> {
        match self {
            Found::Page(page) => Found::Page(f(page)),
            Found::Moved(slug) => Found::Moved(slug),
            Found::Missing => Found::Missing,
        }
    }
}

/// The next read's rows of a batch, in the order the statements were given.
pub(crate) fn next<R: Rows, T: DeserializeOwned>(
    rows: &mut impl Iterator<Item = R>,
) -> Result<Vec<T>, SqlError> {
    rows.next()
        .ok_or_else(|| SqlError::Database("a batch answered fewer reads than it ran".to_owned()))?
        .decode()
}

/// Found, moved (the redirect read's row) or missing.
pub(crate) fn found<R: Rows, T>(
    page: Option<T>,
    rows: &mut impl Iterator<Item = R>,
) -> Result<Found<T>, SqlError> {
    let moved: Vec<Slug> = next(rows)?;
    Ok(match (page, moved.into_iter().next()) {
        (Some(page), _) => Found::Page(page),
        (None, Some(current)) => Found::Moved(current.slug),
        (None, None) => Found::Missing,
    })
}

#[derive(Deserialize)]
pub(crate) struct Slug {
    slug: String,
}

/// The home page's reads, in one round trip: the featured collection with its first products
/// in its own order, the best sellers and the newest products.
pub async fn home<D: Sql>(db: &StoreDb<D>, fallback: Currency) -> Result<HomePage, SqlError> {
    let featured = db.scoped(
        &format!("SELECT {COLLECTION_COLUMNS} FROM collections WHERE store_id = ?1 AND featured = 1 ORDER BY updated_at DESC LIMIT 1"),
        vec![],
    )?;
    let members = db.scoped(
        &members_sql(Members::Featured, None, Filter::default(), fallback, SECTION_SIZE as u32, 0),
        vec![],
    )?;
    let best = db.scoped(&products::best_sellers_sql(), vec![])?;
    let newest = db.scoped(&products::newest_sql(), vec![])?;
    let mut rows = db.read_batch(vec![featured, members, best, newest]).await?.into_iter();
    let featured: Vec<CollectionRow> = next(&mut rows)?;
    let members = cards(next(&mut rows)?, fallback);
    Ok(HomePage {
        featured: featured.into_iter().next().map(|c| (c.title, c.slug, members)),
        best_sellers: cards(next(&mut rows)?, fallback),
        newest: cards(next(&mut rows)?, fallback),
    })
}

/// The cards of card rows.
pub(crate) fn cards(rows: Vec<CardRow>, fallback: Currency) -> Vec<Card> {
    rows.into_iter().map(|row| row.into_card(fallback)).collect()
}

/// A collection page, `sort` (or the collection's own order), `filter` and page `page` (from 1),
/// in one round trip with the redirect of a renamed slug. [`ALL_PRODUCTS`] is every published
/// product. Prices are filtered in the store's currency, `fallback`.
pub async fn collection<D: Sql>(
    db: &StoreDb<D>,
    slug: &str,
    sort: Option<Sort>,
    filter: Filter,
    page: u32,
    fallback: Currency,
) -> Result<Found<CollectionPage>, SqlError> {
    let page = page.max(1);
    let offset = (page - 1).saturating_mul(COLLECTION_PAGE_SIZE);
    // All products has no stored row or redirect: the same reads without them.
    let all = slug == ALL_PRODUCTS;
    let which = if all { Members::All } else { Members::BySlug };
    let members = members_sql(which, sort, filter, fallback, COLLECTION_PAGE_SIZE, offset);
    let mut statements = Vec::with_capacity(3);
    if !all {
        statements.push(db.scoped(
            &format!("SELECT {COLLECTION_COLUMNS} FROM collections WHERE store_id = ?1 AND slug = ?2"),
            vec![slug.into()],
        )?);
    }
    statements.push(db.scoped(&members, if all { vec![] } else { vec![slug.into()] })?);
    if !all {
        statements.push(redirect_statement(db, "collection", slug)?);
    }
    let mut rows = db.read_batch(statements).await?.into_iter();
    let row: Option<CollectionRow> = if all {
        Some(CollectionRow {
            slug: ALL_PRODUCTS.to_owned(),
            title: "All products".to_owned(),
            description: String::new(),
            sort: Sort::BestSelling.key().to_owned(),
            meta_title: String::new(),
            meta_description: String::new(),
        })
    } else {
        next(&mut rows)?.into_iter().next()
    };
    let members: Vec<CardRow> = next(&mut rows)?;
    // No rows past the last page: a total of 0, so that page is beyond the pages there are.
    let total = members.first().map_or(0, CardRow::total);
    let members = cards(members, fallback);
    let collection = row.map(|row| {
        let default_sort = Sort::parse(&row.sort).unwrap_or(Sort::BestSelling);
        CollectionPage {
            slug: row.slug,
            title: row.title,
            description_html: row.description,
            meta_title: row.meta_title,
            meta_description: row.meta_description,
            default_sort,
            sort: sort.unwrap_or(default_sort),
            filter,
            page,
            total,
            per_page: COLLECTION_PAGE_SIZE,
            cards: members,
        }
    });
    if all {
        return Ok(collection.map_or(Found::Missing, Found::Page));
    }
    found(collection, &mut rows)
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

/// The read of the current slug of what `old` (a slug of `kind`) was renamed to.
pub(crate) fn redirect_statement<D>(db: &StoreDb<D>, kind: &str, old: &str) -> Result<Statement, SqlError> {
    db.scoped(
        &format!(
            "SELECT t.slug FROM slug_redirects r JOIN {} t ON t.id = r.target_id AND t.store_id = ?1 \
             WHERE r.store_id = ?1 AND r.kind = ?2 AND r.old_slug = ?3",
            table(kind)
        ),
        vec![kind.into(), old.into()],
    )
}

/// Published posts, newest first.
pub async fn posts<D: Sql>(db: &StoreDb<D>) -> Result<Vec<PostCard>, SqlError> {
    #[derive(Deserialize)]
    struct Row {
        slug: String,
        title: String,
        excerpt: String,
        published_at: Option<String>,
    }
    let rows: Vec<Row> = db
        .query_all(
            &format!(
                "SELECT slug, title, excerpt, published_at FROM posts WHERE store_id = ?1 AND status = 'published' \
                 ORDER BY published_at DESC LIMIT {BLOG_PAGE_SIZE}"
            ),
            vec![],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| PostCard { slug: r.slug, title: r.title, excerpt: r.excerpt, published_at: r.published_at })
        .collect())
}

/// A published post, in one round trip with the redirect of a renamed slug.
pub async fn post<D: Sql>(db: &StoreDb<D>, slug: &str) -> Result<Found<PostPage>, SqlError> {
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
    let statements = vec![
        db.scoped(
            "SELECT slug, title, body_html, excerpt, meta_title, meta_description, author, keywords, published_at, updated_at \
             FROM posts WHERE store_id = ?1 AND slug = ?2 AND status = 'published'",
            vec![slug.into()],
        )?,
        redirect_statement(db, "post", slug)?,
    ];
    let mut rows = db.read_batch(statements).await?.into_iter();
    let row: Option<Row> = next(&mut rows)?.into_iter().next();
    let post = row.map(|r| PostPage {
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
    });
    found(post, &mut rows)
}

/// A store page, in one round trip with the redirect of a renamed slug; a standard page the
/// merchant has not had generated yet is rendered from the defaults (the edge writes them on
/// first read through the API).
pub async fn page<D: Sql>(
    db: &StoreDb<D>,
    slug: &str,
    store_name: &str,
) -> Result<Found<StorePage>, SqlError> {
    #[derive(Deserialize)]
    struct Row {
        slug: String,
        title: String,
        body_html: String,
        meta_description: String,
    }
    let statements = vec![
        db.scoped(
            "SELECT slug, title, body_html, meta_description FROM pages WHERE store_id = ?1 AND slug = ?2",
            vec![slug.into()],
        )?,
        // The merchant's page of that kind, wherever its slug is now.
        db.scoped("SELECT slug FROM pages WHERE store_id = ?1 AND kind = ?2", vec![slug.into()])?,
        redirect_statement(db, "page", slug)?,
    ];
    let mut rows = db.read_batch(statements).await?.into_iter();
    let row: Option<Row> = next(&mut rows)?.into_iter().next();
    let written: Vec<Slug> = next(&mut rows)?;
    let page = match row {
        Some(r) => Some(StorePage {
            slug: r.slug,
            title: r.title,
            body_html: r.body_html,
            meta_description: r.meta_description,
        }),
        // A standard page not written yet; once written, it lives at its own slug (a redirect
        // answers when the slug changed).
        None if written.is_empty() && domain::shop_pages::KINDS.contains(&slug) => {
            domain::shop_pages::defaults(store_name, "").into_iter().find(|p| p.slug == slug).map(|p| {
                StorePage {
                    slug: p.slug.to_owned(),
                    title: p.title,
                    body_html: p.body_html,
                    meta_description: p.meta_description,
                }
            })
        }
        None => None,
    };
    found(page, &mut rows)
}

/// Sitemap entries of collections, published posts and store pages.
pub async fn sitemap_entries<D: Sql>(db: &StoreDb<D>, kind: &str) -> Result<Vec<SitemapProduct>, SqlError> {
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
    let rows: Vec<Row> = db.query_all(sql, vec![(SITEMAP_MAX_URLS as i64).into()]).await?;
    Ok(rows.into_iter().map(|r| SitemapProduct { slug: r.slug, updated_at: r.updated_at }).collect())
}

/// What a cart line is now: product slug and title, variant title, unit price.
#[derive(Debug, Clone, PartialEq)]
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

/// Each cart line (product id, variant id) as it is sold now, in one round trip: `None` for a
/// line whose product is not published, whose variant is not the product's, or that names no
/// variant of a product that has them.
pub async fn lines<D: Sql>(
    db: &StoreDb<D>,
    lines: &[(&str, Option<&str>)],
    fallback: Currency,
) -> Result<Vec<Option<LineInfo>>, SqlError> {
    Ok(read_lines(db, lines, fallback, false).await?.0)
}

/// The cart page's reads in one round trip: each line as [`lines`] reads it, and the store's
/// shipping settings row (none for an empty cart, which states no shipping).
pub async fn cart<D: Sql>(
    db: &StoreDb<D>,
    lines: &[(&str, Option<&str>)],
    fallback: Currency,
) -> Result<(Vec<Option<LineInfo>>, Option<crate::shipping::Row>), SqlError> {
    read_lines(db, lines, fallback, true).await
}

async fn read_lines<D: Sql>(
    db: &StoreDb<D>,
    lines: &[(&str, Option<&str>)],
    fallback: Currency,
    with_shipping: bool,
) -> Result<(Vec<Option<LineInfo>>, Option<crate::shipping::Row>), SqlError> {
    #[derive(Deserialize)]
    struct Row {
        slug: String,
        title: String,
        price_minor: i64,
        currency: String,
        variants: i64,
        variant_title: Option<String>,
        variant_price_minor: Option<i64>,
    }
    if lines.is_empty() {
        return Ok((Vec::new(), None));
    }
    let mut statements = lines
        .iter()
        .map(|(product, variant)| {
            db.scoped(
                "SELECT p.slug, p.title, p.price_minor, p.currency, \
                 (SELECT COUNT(*) FROM product_variants c WHERE c.store_id = ?1 AND c.product_id = p.id) AS variants, \
                 v.title AS variant_title, v.price_minor AS variant_price_minor \
                 FROM products p LEFT JOIN product_variants v ON v.store_id = ?1 AND v.product_id = p.id AND v.id = ?3 \
                 WHERE p.store_id = ?1 AND p.id = ?2 AND p.status = 'published'",
                vec![(*product).into(), variant.map_or(tenancy::sql::Arg::Null, Into::into)],
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    if with_shipping {
        statements.push(db.scoped(crate::shipping::SQL, vec![])?);
    }
    let mut rows = db.read_batch(statements).await?.into_iter();
    let known = lines
        .iter()
        .map(|(_, variant)| {
            let Some(row) = next::<_, Row>(&mut rows)?.into_iter().next() else { return Ok(None) };
            let currency = row.currency.parse().unwrap_or(fallback);
            let mut info = LineInfo {
                slug: row.slug,
                title: row.title,
                variant: None,
                price: Money::from_minor(row.price_minor, currency),
                has_variants: row.variants > 0,
            };
            Ok(match (variant, row.variant_price_minor) {
                (None, _) if info.has_variants => None,
                (None, _) => Some(info),
                (Some(_), None) => None,
                (Some(_), Some(price)) => {
                    info.variant = row.variant_title;
                    info.price = Money::from_minor(price, currency);
                    Some(info)
                }
            })
        })
        .collect::<Result<Vec<_>, SqlError>>()?;
    let shipping = match with_shipping {
        true => next(&mut rows)?.into_iter().next(),
        false => None,
    };
    Ok((known, shipping))
}

/// An order's status page data, by its unguessable token, in one round trip: the order once
/// paid, else its checkout, with its delivery (state, parcels with tracking, history).
pub async fn order<D: Sql>(
    db: &StoreDb<D>,
    token: &str,
    fallback: Currency,
) -> Result<Option<(crate::render::OrderView, crate::render::OrderTracking)>, SqlError> {
    #[derive(Deserialize)]
    struct Checkout {
        email: String,
        items: String,
        subtotal_minor: i64,
        currency: String,
    }
    #[derive(Deserialize)]
    struct Order {
        number: i64,
        total_minor: i64,
        fulfilment: String,
    }
    #[derive(Deserialize)]
    struct Parcel {
        status: String,
        carrier: Option<String>,
        tracking_number: String,
    }
    #[derive(Deserialize)]
    struct Event {
        at: String,
        state: String,
    }
    #[derive(Deserialize)]
    struct Line {
        title: String,
        variant_title: Option<String>,
        unit_price_minor: i64,
        quantity: u32,
    }
    let statements = vec![
        db.scoped(
            "SELECT email, items, subtotal_minor, currency FROM checkouts WHERE store_id = ?1 AND access_token = ?2",
            vec![token.into()],
        )?,
        db.scoped(
            "SELECT o.number, o.total_minor, o.fulfilment FROM orders o JOIN checkouts k ON k.id = o.id AND k.store_id = ?1 \
             WHERE o.store_id = ?1 AND k.access_token = ?2",
            vec![token.into()],
        )?,
        db.scoped(
            "SELECT s.status, s.carrier, s.tracking_number FROM supplier_orders s JOIN checkouts k ON k.id = s.order_id \
             AND k.store_id = ?1 WHERE s.store_id = ?1 AND k.access_token = ?2 AND s.tracking_number IS NOT NULL \
             ORDER BY s.created_at, s.supplier",
            vec![token.into()],
        )?,
        db.scoped(
            "SELECT e.at, e.state FROM order_events e JOIN checkouts k ON k.id = e.order_id AND k.store_id = ?1 \
             WHERE e.store_id = ?1 AND k.access_token = ?2 ORDER BY e.seq",
            vec![token.into()],
        )?,
    ];
    let mut rows = db.read_batch(statements).await?.into_iter();
    let Some(checkout) = next::<_, Checkout>(&mut rows)?.into_iter().next() else { return Ok(None) };
    let order: Option<Order> = next(&mut rows)?.into_iter().next();
    let parcels: Vec<Parcel> = next(&mut rows)?;
    let events: Vec<Event> = next(&mut rows)?;
    let tracking = crate::render::OrderTracking {
        state: order.as_ref().map(|o| o.fulfilment.clone()),
        parcels: parcels
            .into_iter()
            .map(|p| crate::render::Parcel {
                carrier: p.carrier,
                number: p.tracking_number,
                delivered: p.status == "delivered",
            })
            .collect(),
        timeline: events.into_iter().map(|e| (e.at.chars().take(10).collect(), e.state)).collect(),
    };
    let currency: Currency = checkout.currency.parse().unwrap_or(fallback);
    let lines: Vec<Line> = serde_json::from_str(&checkout.items).unwrap_or_default();
    let total = order.as_ref().map_or(checkout.subtotal_minor, |o| o.total_minor);
    let view = crate::render::OrderView {
        number: order.map(|o| o.number),
        items: lines
            .into_iter()
            .map(|l| (l.title, l.variant_title, l.quantity, Money::from_minor(l.unit_price_minor, currency)))
            .collect(),
        total: Money::from_minor(total, currency),
        email: checkout.email,
        just_paid: false,
    };
    Ok(Some((view, tracking)))
}

/// An order's review page data, by its token, in one round trip: its number and its products,
/// each with whether this order reviewed it already. `None` for an order not (or no longer) paid
/// for: refunded and cancelled orders are not reviewed.
pub async fn reviewable<D: Sql>(
    db: &StoreDb<D>,
    token: &str,
) -> Result<Option<crate::render::ReviewView>, SqlError> {
    #[derive(Deserialize)]
    struct Number {
        number: i64,
    }
    let statements = vec![
        db.scoped(
            "SELECT number FROM orders WHERE store_id = ?1 AND access_token = ?2 AND status IN ('paid', 'fulfilled')",
            vec![token.into()],
        )?,
        db.scoped(
            "SELECT i.product_id, MIN(i.title) AS title, EXISTS (SELECT 1 FROM reviews r WHERE r.store_id = ?1 \
             AND r.order_id = o.id AND r.product_id = i.product_id) AS reviewed \
             FROM orders o JOIN order_items i ON i.store_id = ?1 AND i.order_id = o.id \
             WHERE o.store_id = ?1 AND o.access_token = ?2 GROUP BY i.product_id ORDER BY MIN(i.position)",
            vec![token.into()],
        )?,
    ];
    let mut rows = db.read_batch(statements).await?.into_iter();
    let Some(order) = next::<_, Number>(&mut rows)?.into_iter().next() else { return Ok(None) };
    Ok(Some(crate::render::ReviewView {
        number: order.number,
        token: token.to_owned(),
        items: next(&mut rows)?,
        notice: None,
    }))
}

#[cfg(test)]
#[path = "catalog_tests.rs"]
mod reads;

#[cfg(test)]
mod tests {
    use super::*;
    use tenancy::shards::is_scoped;

    #[test]
    fn every_collection_query_is_scoped_to_the_store() {
        let filters = [Filter::default(), Filter { in_stock: true, min: Some(5), max: Some(50) }];
        for filter in filters {
            for which in [Members::BySlug, Members::Featured, Members::All] {
                for sort in Sort::ALL.map(Some).into_iter().chain([None]) {
                    let sql = members_sql(which, sort, filter, Currency::Usd, 24, 48);
                    assert!(is_scoped(&sql), "{sql}");
                    assert!(sql.contains("p.status = 'published'"));
                }
            }
        }
    }

    #[test]
    fn price_filters_are_whole_units_of_the_currency() {
        let sql = filter_sql(Filter { in_stock: false, min: Some(5), max: Some(20) }, Currency::Usd);
        assert_eq!(sql, " AND p.price_minor >= 500 AND p.price_minor <= 2000");
        assert_eq!(filter_sql(Filter::default(), Currency::Usd), "");
    }
}
