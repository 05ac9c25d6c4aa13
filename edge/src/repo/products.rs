//! Products in the store database (the `products` table): listing, reading and writing rows,
//! free slugs, and the plan's product limit.

use crate::error::{ApiError, ApiResult};
use crate::repo::json_list;
use domain::{Plan, ProductId};
use queues::internal_api::PublishedProduct;
use serde::{Deserialize, Serialize};
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

/// The slug itself when free, else the first free `slug-2`, `slug-3`, ...
pub async fn free_slug(db: &StoreDb<impl Sql>, base: &str) -> Result<String, SqlError> {
    let taken: Vec<SlugRow> = db
        .query_all(
            "SELECT slug FROM products WHERE store_id = ?1 AND (slug = ?2 OR substr(slug, 1, length(?3)) = ?3)",
            vec![base.into(), format!("{base}-").into()],
        )
        .await?;
    let taken: std::collections::HashSet<&str> = taken.iter().map(|r| r.slug.as_str()).collect();
    Ok(std::iter::once(base.to_owned())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|candidate| !taken.contains(candidate.as_str()))
        .expect("an unbounded sequence has a free slug"))
}

/// A product with everything the merchant can edit.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProductDetail {
    /// Product id.
    pub id: String,
    /// URL slug, unique in the store.
    pub slug: String,
    /// Title.
    pub title: String,
    /// `published` or `draft`.
    pub status: String,
    /// Description paragraphs (a JSON array).
    pub description: String,
    /// Feature bullets (a JSON array).
    pub features: String,
    /// Title for search results.
    pub meta_title: String,
    /// Description for search results.
    pub meta_description: String,
    /// SEO keywords (a JSON array).
    pub keywords: String,
    /// Image URLs (a JSON array).
    pub images: String,
    /// Price in minor units.
    pub price_minor: i64,
    /// Compare-at price in minor units.
    pub compare_at_minor: Option<i64>,
    /// Supplier cost in minor units.
    pub cost_minor: i64,
    /// ISO currency code.
    pub currency: String,
    /// Where it was imported from (`None` when written by hand).
    pub source: Option<String>,
    /// The product's id at its source.
    pub source_product_id: Option<String>,
    /// When the merchant set the price by hand (`None`: the store's rules set it).
    pub priced_by_merchant_at: Option<String>,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// The items of a JSON list column (empty when it holds no list).
pub fn list_column(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// A product of the store, with everything the merchant can edit; 404 when there is none.
pub async fn detail(db: &StoreDb<impl Sql>, id: ProductId) -> ApiResult<ProductDetail> {
    let row: Option<ProductDetail> = db
        .query_first(&format!("{DETAIL_SELECT} WHERE store_id = ?1 AND id = ?2"), vec![id.to_string().into()])
        .await?;
    row.ok_or_else(|| ApiError::not_found("product"))
}

#[derive(Deserialize)]
struct SlugRow {
    slug: String,
}

/// How many products the store has.
pub async fn count(db: &StoreDb<impl Sql>) -> Result<u64, SqlError> {
    let row: Option<crate::repo::Count> =
        db.query_first("SELECT COUNT(*) AS n FROM products WHERE store_id = ?1", vec![]).await?;
    Ok(row.map_or(0, |c| c.n))
}

/// Every slug the store's products use.
pub async fn slugs(db: &StoreDb<impl Sql>) -> Result<std::collections::HashSet<String>, SqlError> {
    let rows: Vec<SlugRow> = db.query_all("SELECT slug FROM products WHERE store_id = ?1", vec![]).await?;
    Ok(rows.into_iter().map(|r| r.slug).collect())
}

/// The filters and page of a product listing, checked.
#[derive(Debug, Clone, Default)]
pub struct ListFilter<'a> {
    /// The id of the last product of the previous page (empty for the first page).
    pub after: &'a str,
    /// Products on the page at most.
    pub limit: u32,
    /// `published`, `draft`, or empty for both.
    pub status: &'a str,
    /// Text the title contains (empty for any).
    pub title_contains: &'a str,
}

/// A product as the merchant API lists it.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProductSummary {
    /// Product id.
    pub id: String,
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// `published` or `draft`.
    pub status: String,
    /// Price in minor units.
    pub price_minor: i64,
    /// Compare-at price in minor units.
    pub compare_at_minor: Option<i64>,
    /// Supplier cost in minor units.
    pub cost_minor: i64,
    /// ISO currency code.
    pub currency: String,
    /// Where it was imported from.
    pub source: Option<String>,
    /// Its id there.
    pub source_product_id: Option<String>,
    /// The research run that imported it.
    pub research_run_id: Option<String>,
    /// Its research score.
    pub score: Option<f64>,
    /// Creation time (RFC 3339).
    pub created_at: String,
}

/// A page of the store's products, newest first; one more than `limit` when there is a next page.
/// The cursor is the id of the last product seen: ids are random, so the order is
/// (created_at, id). The title filter is a plain, ASCII case-insensitive substring match (not a
/// `LIKE` pattern: D1 refuses `LIKE` patterns over 50 bytes, and `%` and `_` match literally).
pub async fn list(db: &StoreDb<impl Sql>, filter: &ListFilter<'_>) -> Result<Vec<ProductSummary>, SqlError> {
    db.query_all(
        "SELECT id, slug, title, status, price_minor, compare_at_minor, cost_minor, currency, source, \
         source_product_id, research_run_id, score, created_at FROM products \
         WHERE store_id = ?1 AND (?2 = '' OR (created_at, id) < (SELECT created_at, id FROM products WHERE store_id = ?1 AND id = ?2)) \
         AND (?4 = '' OR status = ?4) AND (?5 = '' OR instr(lower(title), lower(?5)) > 0) \
         ORDER BY created_at DESC, id DESC LIMIT ?3",
        vec![filter.after.into(), (filter.limit + 1).into(), filter.status.into(), filter.title_contains.into()],
    )
    .await
}

/// The product row's editable fields, as the merchant changed them.
#[derive(Debug, Clone, Copy)]
pub struct Changes<'a> {
    /// Title.
    pub title: &'a str,
    /// Description paragraphs.
    pub description: &'a [String],
    /// Feature bullets.
    pub features: &'a [String],
    /// Title for search results.
    pub meta_title: &'a str,
    /// Description for search results.
    pub meta_description: &'a str,
    /// SEO keywords.
    pub keywords: &'a [String],
    /// Image URLs.
    pub images: &'a [String],
    /// Price in minor units.
    pub price_minor: i64,
    /// Compare-at price in minor units.
    pub compare_at_minor: Option<i64>,
    /// Supplier cost in minor units.
    pub cost_minor: i64,
    /// `published` or `draft`.
    pub status: &'a str,
}

/// Records that the merchant set the product's price or compare-at price by hand: from then on
/// the supplier sync moves its cost only. For a batch.
pub fn priced_by_merchant(db: &StoreDb<impl Sql>, id: &str, at: &str) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE products SET priced_by_merchant_at = ?3 WHERE store_id = ?1 AND id = ?2",
        vec![id.into(), at.into()],
    )
}

/// The update of a product's editable fields.
pub fn update(
    db: &StoreDb<impl Sql>,
    id: ProductId,
    changes: &Changes<'_>,
    at: &str,
) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE products SET title = ?3, description = ?4, features = ?5, meta_title = ?6, meta_description = ?7, \
         keywords = ?8, price_minor = ?9, compare_at_minor = ?10, cost_minor = ?11, images = ?12, status = ?13, \
         updated_at = ?14 WHERE store_id = ?1 AND id = ?2",
        vec![
            id.to_string().into(),
            changes.title.into(),
            json_list(&changes.description).into(),
            json_list(&changes.features).into(),
            changes.meta_title.into(),
            changes.meta_description.into(),
            json_list(&changes.keywords).into(),
            changes.price_minor.into(),
            changes.compare_at_minor.into(),
            changes.cost_minor.into(),
            json_list(&changes.images).into(),
            changes.status.into(),
            at.into(),
        ],
    )
}

/// The change of a product's slug.
pub fn set_slug(db: &StoreDb<impl Sql>, id: ProductId, slug: &str) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE products SET slug = ?3 WHERE store_id = ?1 AND id = ?2",
        vec![id.to_string().into(), slug.into()],
    )
}

/// Deletes a product (its variants go with it); whether there was one.
pub async fn delete(db: &StoreDb<impl Sql>, id: ProductId) -> Result<bool, SqlError> {
    let outcome = db
        .execute("DELETE FROM products WHERE store_id = ?1 AND id = ?2", vec![id.to_string().into()])
        .await?;
    Ok(outcome.changes > 0)
}

/// Refuses to add `adding` products when the store's plan would be exceeded, naming the plan that
/// lifts the limit.
pub async fn ensure_room(db: &StoreDb<impl Sql>, plan: Plan, adding: u64) -> ApiResult<()> {
    let Some(max) = plan.limits().products_per_store else { return Ok(()) };
    let existing = count(db).await?;
    if existing + adding <= u64::from(max) {
        return Ok(());
    }
    let lifts = Plan::cheapest_allowing_products(u32::try_from(existing + adding).unwrap_or(u32::MAX));
    Err(ApiError::new(
        403,
        "plan_limit",
        format!(
            "the {} plan allows {max} products per store and the store has {existing}; the {} plan lifts it",
            plan.as_str(),
            lifts.as_str()
        ),
    ))
}

/// A product row about to be written, however it came (merchant, import file, pipeline).
pub struct NewRow<'a> {
    /// Product id.
    pub id: ProductId,
    /// URL slug, unique in the store.
    pub slug: String,
    /// The editable fields.
    pub fields: Changes<'a>,
    /// ISO currency code.
    pub currency: &'a str,
    /// The source and the product's id there, for pipeline imports.
    pub source: Option<(&'a str, &'a str)>,
    /// The research run that imported it.
    pub research_run_id: Option<String>,
    /// Research score.
    pub score: Option<f32>,
    /// The supplier's category, for imports.
    pub category: Option<&'a str>,
    /// Creation time (RFC 3339).
    pub at: &'a str,
}

/// The insert of a product row. A second import of the same source product writes nothing.
pub fn insert(db: &StoreDb<impl Sql>, row: &NewRow<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO products (store_id, id, slug, title, description, features, meta_title, meta_description, keywords, \
         price_minor, compare_at_minor, cost_minor, currency, images, status, source, source_product_id, research_run_id, \
         score, created_at, updated_at, category) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20, ?21) \
         ON CONFLICT (store_id, source, source_product_id) DO NOTHING",
        vec![
            row.id.to_string().into(),
            row.slug.as_str().into(),
            row.fields.title.into(),
            json_list(&row.fields.description).into(),
            json_list(&row.fields.features).into(),
            row.fields.meta_title.into(),
            row.fields.meta_description.into(),
            json_list(&row.fields.keywords).into(),
            row.fields.price_minor.into(),
            row.fields.compare_at_minor.into(),
            row.fields.cost_minor.into(),
            row.currency.into(),
            json_list(&row.fields.images).into(),
            row.fields.status.into(),
            row.source.map(|(s, _)| s).into(),
            row.source.map(|(_, id)| id).into(),
            row.research_run_id.as_deref().into(),
            row.score.map(f64::from).into(),
            row.at.into(),
            row.category.into(),
        ],
    )
}

#[derive(Deserialize)]
struct Existing {
    id: String,
    slug: String,
}

/// The product imported from `source_product_id` at `source`, if the store has it.
pub async fn find_by_source(
    db: &StoreDb<impl Sql>,
    source: &str,
    source_product_id: &str,
) -> ApiResult<Option<PublishedProduct>> {
    let row: Option<Existing> = db
        .query_first(
            "SELECT id, slug FROM products WHERE store_id = ?1 AND source = ?2 AND source_product_id = ?3",
            vec![source.into(), source_product_id.into()],
        )
        .await?;
    row.map(|r| {
        let product_id = r.id.parse().map_err(|e| ApiError::internal("product row", e))?;
        Ok(PublishedProduct { product_id, slug: r.slug, created: false })
    })
    .transpose()
}

pub(crate) const DETAIL_SELECT: &str = "SELECT id, slug, title, status, description, features, meta_title, meta_description, keywords, images, \
     price_minor, compare_at_minor, cost_minor, currency, source, source_product_id, priced_by_merchant_at, created_at, \
     updated_at FROM products";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store};
    use tenancy::sqlite::Sqlite;

    fn product_id(n: u32) -> ProductId {
        format!("20000000-0000-4000-8000-{n:012}").parse().unwrap()
    }

    /// Writes a product `n` titled `title`, created at second `n`, from source product `n`.
    fn add(db: &StoreDb<&Sqlite>, n: u32, title: &str, status: &str) -> ProductId {
        let (id, at) = (product_id(n), format!("2026-01-01T00:00:{n:02}Z"));
        let source = format!("sp-{n}");
        let row = NewRow {
            id,
            slug: format!("p-{n}"),
            fields: Changes {
                title,
                description: &["A sentence.".to_owned()],
                features: &[],
                meta_title: title,
                meta_description: "Meta.",
                keywords: &[],
                images: &[],
                price_minor: 1_999,
                compare_at_minor: None,
                cost_minor: 700,
                status,
            },
            currency: "USD",
            source: Some(("aliexpress", &source)),
            research_run_id: None,
            score: Some(81.5),
            category: None,
            at: &at,
        };
        block_on(db.execute_batch(vec![insert(db, &row).unwrap()])).unwrap();
        id
    }

    fn filter(limit: u32) -> ListFilter<'static> {
        ListFilter { after: "", limit, status: "", title_contains: "" }
    }

    #[test]
    fn a_store_lists_only_its_own_products_newest_first() {
        let shard = shard();
        let (mine, theirs) = (store(&shard, 1), store(&shard, 2));
        add(&mine, 1, "Cat fountain", "published");
        add(&mine, 2, "Dog bowl", "draft");
        add(&theirs, 3, "Tent", "published");
        let listed = block_on(list(&mine, &filter(50))).unwrap();
        let titles: Vec<&str> = listed.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Dog bowl", "Cat fountain"]);
        assert_eq!(listed[1].score, Some(81.5));
        assert_eq!(block_on(count(&theirs)).unwrap(), 1);
    }

    #[test]
    fn pages_follow_the_cursor_without_repeating_or_skipping() {
        let shard = shard();
        let db = store(&shard, 1);
        for n in 1..=5 {
            add(&db, n, &format!("Product {n}"), "published");
        }
        let first = block_on(list(&db, &filter(2))).unwrap();
        assert_eq!(first.len(), 3, "one more than the page tells that a next page exists");
        let after = first[1].id.clone();
        let second = block_on(list(&db, &ListFilter { after: &after, ..filter(2) })).unwrap();
        let titles: Vec<&str> = second.iter().take(2).map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Product 3", "Product 2"]);
    }

    #[test]
    fn a_long_title_search_is_answered() {
        let shard = shard();
        let db = store(&shard, 1);
        add(&db, 1, &"0".repeat(120), "published");
        let q = "0".repeat(100);
        let found = block_on(list(&db, &ListFilter { title_contains: &q, ..filter(50) })).unwrap();
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn status_and_title_filters_match_literally() {
        let shard = shard();
        let db = store(&shard, 1);
        add(&db, 1, "100% cotton tee", "published");
        add(&db, 2, "1000 cotton tee", "draft");
        add(&db, 3, "snake_case mug", "published");
        let with = |status: &'static str, text: &'static str| {
            let found =
                block_on(list(&db, &ListFilter { status, title_contains: text, ..filter(50) })).unwrap();
            found.into_iter().map(|p| p.title).collect::<Vec<_>>()
        };
        assert_eq!(with("", "0%"), ["100% cotton tee"], "`%` is not a wildcard");
        assert_eq!(with("", "e_c"), ["snake_case mug"], "`_` is not a wildcard");
        assert_eq!(with("draft", "cotton"), ["1000 cotton tee"]);
        assert_eq!(with("", "MUG"), ["snake_case mug"], "case does not matter");
    }

    #[test]
    fn importing_the_same_source_product_twice_writes_one_row() {
        let shard = shard();
        let db = store(&shard, 1);
        let first = add(&db, 1, "Cat fountain", "published");
        // A second insert for source product 1 under another id and slug does nothing.
        let again = NewRow {
            id: product_id(9),
            slug: "other".into(),
            fields: Changes {
                title: "Cat fountain again",
                description: &[],
                features: &[],
                meta_title: "x",
                meta_description: "x",
                keywords: &[],
                images: &[],
                price_minor: 1,
                compare_at_minor: None,
                cost_minor: 1,
                status: "draft",
            },
            currency: "USD",
            source: Some(("aliexpress", "sp-1")),
            research_run_id: None,
            score: None,
            category: None,
            at: "2026-01-02T00:00:00Z",
        };
        block_on(db.execute_batch(vec![insert(&db, &again).unwrap()])).unwrap();
        assert_eq!(block_on(count(&db)).unwrap(), 1);
        let found = block_on(find_by_source(&db, "aliexpress", "sp-1")).unwrap().unwrap();
        assert_eq!(found.product_id, first);
    }

    #[test]
    fn a_store_cannot_read_change_or_delete_another_stores_product() {
        let shard = shard();
        let (mine, theirs) = (store(&shard, 1), store(&shard, 2));
        let id = add(&mine, 1, "Cat fountain", "published");
        assert_eq!(block_on(detail(&theirs, id)).unwrap_err().status, 404);
        let changes = Changes {
            title: "Hijacked",
            description: &[],
            features: &[],
            meta_title: "x",
            meta_description: "x",
            keywords: &[],
            images: &[],
            price_minor: 1,
            compare_at_minor: None,
            cost_minor: 0,
            status: "draft",
        };
        let outcome =
            block_on(theirs.execute_batch(vec![update(&theirs, id, &changes, "now").unwrap()])).unwrap();
        assert_eq!(outcome[0].changes, 0);
        assert!(!block_on(delete(&theirs, id)).unwrap());
        assert_eq!(block_on(detail(&mine, id)).unwrap().title, "Cat fountain");
        assert!(block_on(delete(&mine, id)).unwrap());
        assert_eq!(block_on(detail(&mine, id)).unwrap_err().status, 404);
    }

    #[test]
    fn a_long_taken_slug_gets_a_number_too() {
        let shard = shard();
        let db = store(&shard, 1);
        let long = "a".repeat(100);
        shard
            .execute_script(&format!(
                "INSERT INTO products (store_id, id, slug, title, description, features, meta_title, meta_description, \
                 keywords, price_minor, cost_minor, currency, images, status, created_at, updated_at) VALUES \
                 ('{}', 'x', '{long}', 't', '[]', '[]', 't', 't', '[]', 1, 0, 'USD', '[]', 'draft', 'a', 'a')",
                crate::repo::testing::store_id(1)
            ))
            .unwrap();
        assert_eq!(block_on(free_slug(&db, &long)).unwrap(), format!("{long}-2"));
    }

    #[test]
    fn a_taken_slug_gets_the_first_free_number() {
        let shard = shard();
        let db = store(&shard, 1);
        add(&db, 1, "A", "draft"); // slug p-1
        assert_eq!(block_on(free_slug(&db, "p-1")).unwrap(), "p-1-2");
        assert_eq!(block_on(free_slug(&db, "fresh")).unwrap(), "fresh");
        assert!(block_on(slugs(&db)).unwrap().contains("p-1"));
    }

    #[test]
    fn a_full_plan_refuses_more_products_and_names_the_plan_that_lifts_it() {
        let shard = shard();
        let db = store(&shard, 1);
        let Some(max) = Plan::Starter.limits().products_per_store else {
            panic!("the starter plan limits products")
        };
        assert!(block_on(ensure_room(&db, Plan::Starter, u64::from(max))).is_ok());
        let refused = block_on(ensure_room(&db, Plan::Starter, u64::from(max) + 1)).unwrap_err();
        assert_eq!((refused.status, refused.code), (403, "plan_limit"));
        assert!(refused.detail.contains("starter"), "{}", refused.detail);
    }
}
