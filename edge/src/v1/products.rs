//! A store's products as the merchant manages them: list, read, write by hand, bulk changes (all or
//! nothing), CSV/JSON import, and imports from product-page URLs queued on the scrape stage.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::products::*;
use crate::repo::stores::Store;
use crate::runtime::{new_id, now, now_ms, rfc3339};
use crate::scope::StoreScope;
use domain::catalog::{self, CatalogError, ProductPatch};
use domain::content::slugify;
use domain::{Currency, ProductId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tenancy::routing::Routing;
use tenancy::shards::PlatformDb;
use tenancy::shards::StoreDb;
use tenancy::sql::Sql;
use worker::Env;

/// A page of products.
#[derive(Debug, Serialize)]
pub struct ProductPage {
    products: Vec<ProductSummary>,
    next_cursor: Option<String>,
}

/// Filters and paging of a product listing.
#[derive(Debug, Default)]
pub struct ListQuery {
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<String>,
    /// The id of the last product of the previous page.
    pub cursor: Option<String>,
    /// `published` or `draft`.
    pub status: Option<String>,
    /// Text the title contains.
    pub q: Option<String>,
}

/// `GET /v1/stores/{id}/products?limit=&cursor=&status=&q=`: newest first, cursor-paginated.
pub async fn list(scope: &StoreScope, query: ListQuery) -> ApiResult<ProductPage> {
    let ListQuery { limit, cursor, status, q } = query;
    let limit = limit.as_deref();
    let status = match status.as_deref() {
        None | Some("") => "",
        Some(s @ ("published" | "draft")) => s,
        Some(_) => return Err(ApiError::invalid("status", "status must be published or draft")),
    };
    let q = q.unwrap_or_default();
    if q.chars().count() > 100 {
        return Err(ApiError::invalid("q", "q must be at most 100 characters"));
    }
    let limit: u32 = match limit {
        None => 50,
        Some(raw) => raw
            .parse()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| ApiError::invalid("limit", "limit must be 1 to 200"))?,
    };
    let filter =
        ListFilter { after: cursor.as_deref().unwrap_or(""), limit, status, title_contains: q.trim() };
    let mut products = crate::repo::products::list(&scope.db, &filter).await?;
    let next_cursor = if products.len() > limit as usize {
        products.truncate(limit as usize);
        products.last().map(|p| p.id.clone())
    } else {
        None
    };
    Ok(ProductPage { products, next_cursor })
}

/// The JSON shape of [`ProductDetail`], with its list columns decoded.
#[derive(Debug, Serialize)]
pub struct ProductDetailView {
    id: String,
    slug: String,
    title: String,
    status: String,
    description: Vec<String>,
    features: Vec<String>,
    meta_title: String,
    meta_description: String,
    keywords: Vec<String>,
    images: Vec<String>,
    price_minor: i64,
    compare_at_minor: Option<i64>,
    cost_minor: i64,
    currency: String,
    source: Option<String>,
    source_product_id: Option<String>,
    /// Whether the store's rules price it (imported, and not priced by the merchant since).
    price_follows_rules: bool,
    /// When the merchant set the price by hand; the sync keeps it until handed back.
    priced_by_merchant_at: Option<String>,
    created_at: String,
    updated_at: String,
    variants: Vec<crate::v1::variants::VariantView>,
}

impl From<ProductDetail> for ProductDetailView {
    fn from(p: ProductDetail) -> Self {
        Self {
            description: list_column(&p.description),
            features: list_column(&p.features),
            keywords: list_column(&p.keywords),
            images: list_column(&p.images),
            id: p.id,
            slug: p.slug,
            title: p.title,
            status: p.status,
            meta_title: p.meta_title,
            meta_description: p.meta_description,
            price_minor: p.price_minor,
            compare_at_minor: p.compare_at_minor,
            cost_minor: p.cost_minor,
            currency: p.currency,
            price_follows_rules: p.source.is_some() && p.priced_by_merchant_at.is_none(),
            source: p.source,
            source_product_id: p.source_product_id,
            priced_by_merchant_at: p.priced_by_merchant_at,
            created_at: p.created_at,
            updated_at: p.updated_at,
            variants: Vec::new(),
        }
    }
}

/// The fields a merchant sends to create or change a product; on a change every field is
/// optional and only those sent are changed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductFields {
    title: Option<String>,
    /// A new URL slug; the old one keeps answering with a 301 (single product changes only).
    slug: Option<String>,
    /// Every variant of the product: existing ones named by `id`, new ones without; variants left
    /// out are removed (single product writes only).
    variants: Option<Vec<crate::v1::variants::VariantInput>>,
    description: Option<Vec<String>>,
    features: Option<Vec<String>>,
    meta_title: Option<String>,
    meta_description: Option<String>,
    keywords: Option<Vec<String>>,
    images: Option<Vec<String>>,
    price_minor: Option<i64>,
    /// `null` removes the compare-at price.
    #[serde(default, deserialize_with = "crate::error::present")]
    compare_at_minor: Option<Option<i64>>,
    cost_minor: Option<i64>,
    status: Option<String>,
    /// `true` hands the price back to the store's rules: re-priced at once from the supplier cost,
    /// and by the sync from then on; `false` keeps the price as it is, as the merchant's (changes
    /// only). Never sent with a price.
    price_follows_rules: Option<bool>,
}

impl ProductFields {
    /// Whether the change sets a price by hand, which the supplier sync then keeps.
    fn sets_price(&self) -> bool {
        self.price_minor.is_some()
            || self.compare_at_minor.is_some()
            || self.price_follows_rules == Some(false)
    }

    /// Whether the change hands the price back to the rules; 400 when `price_follows_rules` comes with
    /// a price.
    fn hands_back(&self) -> ApiResult<bool> {
        if self.price_follows_rules.is_some()
            && (self.price_minor.is_some() || self.compare_at_minor.is_some())
        {
            return Err(ApiError::invalid(
                "price_follows_rules",
                "send either price_follows_rules or a price (price_minor, compare_at_minor), not both",
            ));
        }
        Ok(self.price_follows_rules == Some(true))
    }
}

/// Prices `checked` by the store's `rules` for a product whose price the merchant hands back:
/// from its supplier cost (after the change), with its history entries named by `history_id`.
/// 422 when it has no supplier (written by hand, nothing follows the rules) or no cost.
fn hand_back(
    current: &ProductDetail,
    checked: &mut Checked,
    rules: &domain::pricing::PricingRules,
    mut history_id: impl FnMut() -> String,
) -> ApiResult<crate::repo::pricing::Repriced> {
    if current.source.is_none() {
        return Err(ApiError::unprocessable(
            "price_follows_rules",
            "only a product imported from a supplier follows the store's rules; this one was written by hand",
        ));
    }
    let currency: Currency =
        current.currency.parse().map_err(|e| ApiError::internal("product currency", e))?;
    let money = |minor| domain::Money::from_minor(minor, currency);
    let (price, compare_at, changes) = domain::supply::follow_rules(
        money(current.price_minor),
        current.compare_at_minor.map(money),
        money(checked.cost_minor),
        rules,
        domain::supply::FollowRules::HandedBack,
    )
    .map_err(|e| match e {
        domain::pricing::PricingError::NonPositiveCost => ApiError::unprocessable(
            "cost_minor",
            "the product has no supplier cost to price from: set cost_minor first",
        ),
        e => ApiError::unprocessable("price_follows_rules", e.to_string()),
    })?;
    checked.price_minor = price.minor;
    checked.compare_at_minor = compare_at.map(|m| m.minor);
    Ok(crate::repo::pricing::Repriced {
        id: current.id.clone(),
        old_price_minor: current.price_minor,
        price_minor: price.minor,
        compare_at_minor: checked.compare_at_minor,
        changes: changes.into_iter().map(|c| (history_id(), c)).collect(),
    })
}

/// The history entry id of a change the merchant made.
fn history_id() -> String {
    new_id::<ProductId>().to_string()
}

/// A product's editable state after a change, checked.
struct Checked {
    title: String,
    description: Vec<String>,
    features: Vec<String>,
    meta_title: String,
    meta_description: String,
    keywords: Vec<String>,
    images: Vec<String>,
    price_minor: i64,
    compare_at_minor: Option<i64>,
    cost_minor: i64,
    status: &'static str,
}

impl Checked {
    /// Applies `fields` over `base` (all defaults for a new product) and checks the result by the
    /// catalog's rules (`domain::catalog`), the same rules every other writer of products obeys.
    fn new(base: Option<&ProductDetail>, fields: ProductFields, currency: &str) -> ApiResult<Self> {
        let currency: Currency = currency.parse().map_err(|e| ApiError::internal("store currency", e))?;
        let ProductFields {
            title,
            description,
            features,
            meta_title,
            meta_description,
            keywords,
            images,
            price_minor,
            compare_at_minor,
            cost_minor,
            status,
            ..
        } = fields;
        let changes = ProductPatch {
            title,
            description,
            features,
            meta_title,
            meta_description,
            keywords,
            images,
            price_minor,
            compare_at_minor,
            cost_minor,
            status,
        };
        let stored = base.map(|b| ProductPatch {
            title: Some(b.title.clone()),
            description: Some(list_column(&b.description)),
            features: Some(list_column(&b.features)),
            meta_title: Some(b.meta_title.clone()),
            meta_description: Some(b.meta_description.clone()),
            keywords: Some(list_column(&b.keywords)),
            images: Some(list_column(&b.images)),
            price_minor: Some(b.price_minor),
            compare_at_minor: Some(b.compare_at_minor),
            cost_minor: Some(b.cost_minor),
            status: Some(b.status.clone()),
        });
        let checked = catalog::ProductFields::from_patch(changes.over(stored.unwrap_or_default()), currency)
            .map_err(|e| match e {
                // Two prices, each valid alone (or one of them stored): a rule across fields.
                CatalogError::CompareAtNotAbovePrice => ApiError::unprocessable(e.field(), e.to_string()),
                e => ApiError::invalid(e.field(), e.to_string()),
            })?;
        Ok(Self {
            title: checked.title.into(),
            description: checked.description.into(),
            features: checked.features.into(),
            meta_title: checked.meta_title.into(),
            meta_description: checked.meta_description.into(),
            keywords: checked.keywords.into(),
            images: checked.images.into(),
            price_minor: checked.prices.price().minor,
            compare_at_minor: checked.prices.compare_at().map(|m| m.minor),
            cost_minor: checked.prices.cost().minor,
            status: checked.status.as_str(),
        })
    }
}

/// After a catalog write: records who did what in the audit log and moves the store to a new
/// cache version so shoppers see the change.
pub(crate) async fn changed(
    env: &Env,
    store: &Store,
    actor: &str,
    action: &str,
    target: &str,
) -> ApiResult<()> {
    crate::repo::audit_log::record(
        &PlatformDb::open(env)?,
        Some(store.tenant_id),
        actor,
        action,
        target,
        &rfc3339(now()),
    )
    .await?;
    Routing::new(env.kv(crate::config::EDGE_KV)?).bump_cache_version(store.id, now_ms() as f64).await?;
    Ok(())
}

impl Checked {
    /// The editable fields, as the repository writes them.
    fn changes(&self) -> Changes<'_> {
        Changes {
            title: &self.title,
            description: &self.description,
            features: &self.features,
            meta_title: &self.meta_title,
            meta_description: &self.meta_description,
            keywords: &self.keywords,
            images: &self.images,
            price_minor: self.price_minor,
            compare_at_minor: self.compare_at_minor,
            cost_minor: self.cost_minor,
            status: self.status,
        }
    }

    /// The row of a product the merchant wrote.
    fn row<'a>(&'a self, id: ProductId, slug: String, currency: &'a str, at: &'a str) -> NewRow<'a> {
        NewRow {
            id,
            slug,
            fields: self.changes(),
            currency,
            source: None,
            research_run_id: None,
            score: None,
            category: None,
            at,
        }
    }
}

/// A product with its variants, as the API shows it.
async fn full(db: &StoreDb<impl Sql>, id: ProductId) -> ApiResult<ProductDetailView> {
    let mut view: ProductDetailView = detail(db, id).await?.into();
    view.variants = crate::repo::variants::of_product(db, &id.to_string()).await?;
    Ok(view)
}

/// `GET /v1/stores/{id}/products/{product}`.
pub async fn get(scope: &StoreScope, id: ProductId) -> ApiResult<ProductDetailView> {
    full(&scope.db, id).await
}

/// The refusal of `price_follows_rules` for a product written by hand.
fn written_by_hand() -> ApiError {
    ApiError::invalid(
        "price_follows_rules",
        "a product written by hand has the merchant's price; only imported products follow the store's rules",
    )
}

/// `POST /v1/stores/{id}/products`: a product the merchant writes by hand; a draft unless
/// `status` says otherwise.
pub async fn create(env: &Env, scope: &StoreScope, body: &str) -> ApiResult<ProductDetailView> {
    let store = &scope.store;
    let actor = &scope.actor();
    let mut fields: ProductFields = parse_json(body)?;
    if fields.price_follows_rules.is_some() {
        return Err(written_by_hand());
    }
    let slug_wanted = fields.slug.take();
    let variants = fields.variants.take();
    let checked = Checked::new(None, fields, &store.row.currency)?;
    let variants = crate::v1::variants::check(variants.as_deref(), &[], checked.price_minor)?;
    let db = &scope.db;
    ensure_room(db, store.plan(), 1).await?;
    let id: ProductId = new_id();
    let slug = match slug_wanted {
        Some(raw) => {
            let slug = crate::v1::slugs::check("slug", &raw)?;
            crate::repo::slugs::ensure_free(db, "products", &slug, None).await?;
            slug
        }
        None => free_slug(db, &slugify(&checked.title)).await?,
    };
    let at = rfc3339(now());
    let mut statements = vec![insert(db, &checked.row(id, slug, &store.row.currency, &at))?];
    statements.extend(crate::repo::variants::write(db, &id.to_string(), &variants, &[])?);
    db.execute_batch(statements).await?;
    changed(env, store, actor, "product.create", &id.to_string()).await?;
    full(db, id).await
}

/// `PATCH /v1/stores/{id}/products/{product}`: changes the fields sent. A new slug leaves a 301
/// behind at the old one, so links keep working.
pub async fn update(
    env: &Env,
    scope: &StoreScope,
    id: ProductId,
    body: &str,
) -> ApiResult<ProductDetailView> {
    let store = &scope.store;
    let actor = &scope.actor();
    let mut fields: ProductFields = parse_json(body)?;
    let slug_wanted = fields.slug.take();
    let variants = fields.variants.take();
    let db = &scope.db;
    let current = detail(db, id).await?;
    let existing = crate::repo::variants::ids_of(db, &id.to_string()).await?;
    let priced = fields.sets_price();
    let back = fields.hands_back()?;
    let mut checked = Checked::new(Some(&current), fields, &scope.store.row.currency)?;
    let handed_back = if back {
        let rules = crate::repo::pricing::get(db).await?;
        Some(hand_back(&current, &mut checked, &rules, history_id)?)
    } else {
        None
    };
    let variants =
        variants.map(|v| crate::v1::variants::check(Some(&v), &existing, checked.price_minor)).transpose()?;
    let at = rfc3339(now());
    let mut statements = vec![crate::repo::products::update(db, id, &checked.changes(), &at)?];
    if priced {
        statements.push(crate::repo::products::priced_by_merchant(db, &id.to_string(), &at)?);
    }
    if let Some(repriced) = handed_back {
        statements.extend(crate::repo::pricing::reprice(
            db,
            &[repriced],
            true,
            &format!("merchant:{at}"),
            &at,
        )?);
    }
    if let Some(raw) = slug_wanted {
        let slug = crate::v1::slugs::check("slug", &raw)?;
        if slug != current.slug {
            crate::repo::slugs::ensure_free(db, "products", &slug, Some(&id.to_string())).await?;
            statements.push(crate::repo::products::set_slug(db, id, &slug)?);
            statements.extend(crate::repo::slugs::redirect(
                db,
                "product",
                &current.slug,
                &slug,
                &id.to_string(),
                &at,
            )?);
        }
    }
    if let Some(variants) = &variants {
        statements.extend(crate::repo::variants::write(db, &id.to_string(), variants, &existing)?);
    }
    db.execute_batch(statements).await?;
    changed(env, store, actor, "product.update", &id.to_string()).await?;
    full(db, id).await
}

/// Products one bulk update may change.
pub const BULK_MAX: usize = 100;

/// The body of `PATCH /v1/stores/{id}/products`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkUpdate {
    ids: Vec<String>,
    changes: ProductFields,
}

/// One product a bulk update could not change.
#[derive(Debug, Serialize)]
pub struct BulkError {
    id: String,
    code: &'static str,
    field: Option<String>,
    message: String,
}

/// 404 naming the ids of `field` that are no product of the store.
pub fn unknown_products(field: &str, ids: &[&str]) -> ApiError {
    ApiError::new(404, "not_found", format!("no product of this store has the id(s) {}", ids.join(", ")))
        .field(field)
}

/// `PATCH /v1/stores/{id}/products`: the same changes on many products, all or nothing. When an
/// id is no product of the store, nothing is written and the answer is a 404 naming every such
/// id; when any product cannot take the changes, nothing is written and every refusal is
/// reported by id (`Err`).
pub async fn bulk_update(
    env: &Env,
    scope: &StoreScope,
    body: &str,
) -> ApiResult<Result<serde_json::Value, Vec<BulkError>>> {
    let store = &scope.store;
    let actor = &scope.actor();
    let input: BulkUpdate = parse_json(body)?;
    if input.ids.is_empty() || input.ids.len() > BULK_MAX {
        return Err(ApiError::invalid("ids", format!("ids must list 1 to {BULK_MAX} products")));
    }
    if input.changes.slug.is_some() || input.changes.variants.is_some() {
        return Err(ApiError::invalid("changes", "slug and variants are changed one product at a time"));
    }
    let back = input.changes.hands_back()?;
    let db = &scope.db;
    let rules = if back { Some(crate::repo::pricing::get(db).await?) } else { None };
    let at = rfc3339(now());
    let mut errors = Vec::new();
    let mut unknown = Vec::new();
    let mut statements = Vec::new();
    let mut handed_back = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for raw in &input.ids {
        if !seen.insert(raw.as_str()) {
            continue;
        }
        let Ok(id) = raw.parse::<ProductId>() else {
            unknown.push(raw.as_str());
            continue;
        };
        let current = match detail(db, id).await {
            Ok(current) => current,
            Err(e) if e.status == 404 => {
                unknown.push(raw.as_str());
                continue;
            }
            Err(e) => return Err(e),
        };
        let checked = Checked::new(Some(&current), input.changes.clone(), &scope.store.row.currency)
            .and_then(|mut checked| {
                if let Some(rules) = &rules {
                    handed_back.push(hand_back(&current, &mut checked, rules, history_id)?);
                }
                Ok(checked)
            });
        match checked {
            Ok(checked) => {
                statements.push(crate::repo::products::update(db, id, &checked.changes(), &at)?);
                if input.changes.sets_price() {
                    statements.push(crate::repo::products::priced_by_merchant(db, &id.to_string(), &at)?);
                }
            }
            Err(e) => {
                errors.push(BulkError { id: raw.clone(), code: e.code, field: e.field, message: e.detail })
            }
        }
    }
    if !unknown.is_empty() {
        return Err(unknown_products("ids", &unknown));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let updated = seen.len();
    statements.extend(crate::repo::pricing::reprice(db, &handed_back, true, &format!("merchant:{at}"), &at)?);
    db.execute_batch(statements).await?;
    changed(env, store, actor, "product.bulk_update", &format!("{updated} products")).await?;
    Ok(Ok(serde_json::json!({ "updated": updated })))
}

/// `DELETE /v1/stores/{id}/products/{product}`.
pub async fn delete(env: &Env, scope: &StoreScope, id: ProductId) -> ApiResult<()> {
    let store = &scope.store;
    let actor = &scope.actor();
    let db = &scope.db;
    if !crate::repo::products::delete(db, id).await? {
        return Err(ApiError::not_found("product"));
    }
    changed(env, store, actor, "product.delete", &id.to_string()).await
}

/// Rows one import request may carry.
pub const IMPORT_MAX_ROWS: usize = 1_000;
/// Insert statements per D1 batch; a batch is atomic, so a failed batch writes none of its rows.
const IMPORT_BATCH: usize = 50;

/// One refused row of an import.
#[derive(Debug, Serialize)]
pub struct RowError {
    /// 1-based row: the CSV line number (the header is line 1), or the JSON array index + 1.
    line: usize,
    /// The field at fault, when one is.
    field: Option<String>,
    /// What is wrong.
    message: String,
}

/// The report of an import.
#[derive(Debug, Serialize)]
pub struct ImportReport {
    imported: usize,
    failed: usize,
    errors: Vec<RowError>,
}

/// One import row: its line, and its fields or why they could not be read.
type Row = (usize, Result<ProductFields, RowError>);

/// Reads a CSV import: a header row naming columns from [`ProductFields`]; list columns
/// (`description`, `features`, `images`, `keywords`) separate their items with `|`.
fn csv_rows(body: &str) -> Result<Vec<Row>, ApiError> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(body.as_bytes());
    let headers =
        reader.headers().map_err(|e| ApiError::invalid("body", format!("CSV header: {e}")))?.clone();
    let known = [
        "title",
        "description",
        "features",
        "meta_title",
        "meta_description",
        "keywords",
        "images",
        "price_minor",
        "compare_at_minor",
        "cost_minor",
        "status",
    ];
    if let Some(unknown) = headers.iter().find(|h| !known.contains(h)) {
        return Err(ApiError::invalid("body", format!("unknown CSV column `{unknown}`")));
    }
    let mut rows = Vec::new();
    // One row past the cap is enough to refuse the import: the rest is not parsed.
    for (i, record) in reader.records().take(IMPORT_MAX_ROWS + 1).enumerate() {
        let line = i + 2;
        let parsed =
            record.map_err(|e| RowError { line, field: None, message: e.to_string() }).and_then(|record| {
                let mut object = serde_json::Map::new();
                for (header, value) in headers.iter().zip(record.iter()) {
                    if value.is_empty() {
                        continue;
                    }
                    let json = match header {
                        "description" | "features" | "images" | "keywords" => serde_json::Value::from(
                            value.split('|').map(str::trim).map(str::to_owned).collect::<Vec<_>>(),
                        ),
                        "price_minor" | "compare_at_minor" | "cost_minor" => {
                            let number: i64 = value.trim().parse().map_err(|_| RowError {
                                line,
                                field: Some(header.to_owned()),
                                message: format!("{header} must be a whole number of minor units"),
                            })?;
                            serde_json::Value::from(number)
                        }
                        _ => serde_json::Value::from(value),
                    };
                    object.insert(header.to_owned(), json);
                }
                serde_json::from_value(serde_json::Value::Object(object)).map_err(|e| RowError {
                    line,
                    field: None,
                    message: e.to_string(),
                })
            });
        rows.push((line, parsed));
    }
    Ok(rows)
}

fn json_rows(body: &str) -> Result<Vec<Row>, ApiError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Import {
        products: Vec<serde_json::Value>,
    }
    let import: Import = serde_json::from_str(&crate::json_integers::plain_integers(body)).map_err(|e| {
        ApiError::invalid("body", e.to_string().split(" at line").next().unwrap_or("").to_owned())
    })?;
    Ok(import
        .products
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let line = i + 1;
            (
                line,
                serde_json::from_value(value).map_err(|e| RowError {
                    line,
                    field: None,
                    message: e.to_string(),
                }),
            )
        })
        .collect())
}

/// Pages one `from-urls` request names at most.
pub const FROM_URLS_MAX: usize = 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FromUrls {
    urls: Vec<String>,
}

/// What a `from-urls` request queued.
#[derive(Debug, Serialize)]
pub struct PagesQueued {
    /// The pages, each once, in the order given.
    pub urls: Vec<String>,
    /// How many were queued.
    pub queued: usize,
}

/// A product page URL a merchant gave, if it is one the scraper can fetch.
fn page_url(raw: &str) -> Option<worker::Url> {
    let raw = raw.trim();
    worker::Url::parse(raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some() && raw.len() <= 2_048)
}

/// `POST /v1/stores/{id}/products/from-urls`: product pages (a supplier's, a competitor's) to read
/// and import. Each page goes to the scrape stage, which reads it through the guarded fetcher
/// (robots.txt, rate limits, no private addresses) and imports the product it shows with content,
/// images and a price made by the store's rules; a page that shows none ends in the dead-letter
/// queue. The plan's product limit is checked for all of them first.
pub async fn import_from_urls(
    env: &Env,
    scope: &StoreScope,
    config: &crate::config::Config,
    body: &str,
) -> ApiResult<PagesQueued> {
    let store = &scope.store;
    let actor = &scope.actor();
    let input: FromUrls = parse_json(body)?;
    if input.urls.is_empty() || input.urls.len() > FROM_URLS_MAX {
        return Err(ApiError::invalid("urls", format!("give 1 to {FROM_URLS_MAX} page URLs")));
    }
    let mut urls: Vec<String> = Vec::with_capacity(input.urls.len());
    for (index, raw) in input.urls.iter().enumerate() {
        let Some(url) = page_url(raw) else {
            return Err(ApiError::invalid(
                &format!("urls[{index}]"),
                "each URL must be an absolute http(s) URL of at most 2048 characters, \
                 with an international domain name in its xn-- form",
            ));
        };
        if !urls.contains(&url.to_string()) {
            urls.push(url.to_string());
        }
    }
    if store.status != domain::StoreStatus::Active {
        return Err(ApiError::new(409, "store_suspended", "imports are paused while the store is suspended"));
    }
    ensure_room(&scope.db, store.plan(), urls.len() as u64).await?;
    let request = hex::encode(crate::runtime::random_bytes::<6>());
    let pricing = crate::repo::pricing::get(&scope.db).await?;
    for url in &urls {
        let digest = hex::encode(&Sha256::digest(url.as_bytes())[..8]);
        let envelope = queues::Envelope::new(
            format!("scrape:{}:{digest}:{request}", store.id),
            store.tenant_id,
            store.id,
            now(),
            format!("pages-{request}"),
            queues::messages::ScrapeRequested {
                url: url.clone(),
                run_id: None,
                plan: Some(scope.store.plan()),
                pricing: Some(pricing),
            },
        );
        crate::sqs::send(&config.sqs, &config.sqs.scrape_queue_url, &envelope, now_ms()).await.map_err(
            |e| {
                worker::console_error!("enqueueing a page import: {e}");
                ApiError::new(503, "queue_unavailable", "the import queue is unavailable; try again shortly")
            },
        )?;
    }
    crate::repo::audit_log::record(
        &PlatformDb::open(env)?,
        Some(store.tenant_id),
        actor,
        "product.import_urls",
        &format!("{} page(s)", urls.len()),
        &rfc3339(now()),
    )
    .await?;
    Ok(PagesQueued { queued: urls.len(), urls })
}

/// `POST /v1/stores/{id}/products/import`: many products at once, from CSV (`text/csv`) or JSON
/// (`{"products": [...]}`). Every row is checked like a single product; good rows are written,
/// bad rows are reported by line and field and write nothing.
pub async fn import(
    env: &Env,
    scope: &StoreScope,
    body: &str,
    content_type: &str,
) -> ApiResult<ImportReport> {
    let store = &scope.store;
    let actor = &scope.actor();
    if body.len() as u64 > crate::http::MAX_BODY_BYTES {
        return Err(ApiError::new(413, "body_too_large", "an import must be at most 5 MiB; split it"));
    }
    let rows = if content_type.starts_with("text/csv") { csv_rows(body)? } else { json_rows(body)? };
    if rows.len() > IMPORT_MAX_ROWS {
        return Err(ApiError::invalid(
            "body",
            format!("an import may have at most {IMPORT_MAX_ROWS} rows; split it"),
        ));
    }
    let mut errors = Vec::new();
    let mut good = Vec::new();
    for (line, row) in rows {
        match row.and_then(|fields| {
            if fields.price_follows_rules.is_some() {
                let e = written_by_hand();
                return Err(RowError { line, field: e.field, message: e.detail });
            }
            if fields.slug.is_some() || fields.variants.is_some() {
                return Err(RowError {
                    line,
                    field: Some("variants".into()),
                    message: "slugs and variants are set per product, not in an import".into(),
                });
            }
            Checked::new(None, fields, &store.row.currency).map_err(|e| RowError {
                line,
                field: e.field.clone(),
                message: e.detail,
            })
        }) {
            Ok(checked) => good.push(checked),
            Err(error) => errors.push(error),
        }
    }

    let db = &scope.db;
    ensure_room(db, store.plan(), good.len() as u64).await?;
    let mut taken = crate::repo::products::slugs(db).await?;
    let at = rfc3339(now());
    let mut imported = 0;
    for chunk in good.chunks(IMPORT_BATCH) {
        let mut statements = Vec::with_capacity(chunk.len());
        for checked in chunk {
            let base = slugify(&checked.title);
            let slug = std::iter::once(base.clone())
                .chain((2..).map(|n| format!("{base}-{n}")))
                .find(|s| !taken.contains(s))
                .expect("an unbounded sequence has a free slug");
            taken.insert(slug.clone());
            let id: ProductId = new_id();
            statements.push(insert(db, &checked.row(id, slug, &store.row.currency, &at))?);
        }
        db.execute_batch(statements).await?;
        imported += chunk.len();
    }
    if imported > 0 {
        changed(env, store, actor, "product.import", &format!("{imported} products")).await?;
    }
    Ok(ImportReport { imported, failed: errors.len(), errors })
}

#[cfg(test)]
mod tests {
    use domain::catalog::is_media_path;

    #[test]
    fn only_converted_images_pass_as_media_paths() {
        assert!(is_media_path("/media/3f9a0c21b7d4e5f6a7b8c9d0.webp"));
        assert!(!is_media_path("/media/../secrets.webp"));
        assert!(!is_media_path("/media/a.png"));
        assert!(!is_media_path("/media/.webp"));
        assert!(!is_media_path("javascript:alert(1)//media/a.webp"));
        assert!(!is_media_path("/media/A%2F.webp"));
    }

    #[test]
    fn a_csv_import_is_parsed_one_row_past_its_cap_and_no_further() {
        let mut csv = String::from("title,price_minor\n");
        for n in 0..super::IMPORT_MAX_ROWS + 50 {
            csv.push_str(&format!("Lamp {n},1999\n"));
        }
        csv.push_str("\"unterminated\n");
        let rows = super::csv_rows(&csv).map_err(|e| e.detail).unwrap();
        assert_eq!(
            rows.len(),
            super::IMPORT_MAX_ROWS + 1,
            "the rows past the cap, and the broken one, are not read"
        );
    }

    #[test]
    fn page_urls_take_international_domain_names_only_in_their_xn_form() {
        assert!(super::page_url("https://shop.example/p/1").is_some());
        assert!(super::page_url("https://xn--bcher-kva.example/p/1").is_some());
        assert!(super::page_url("https://bücher.example/p/1").is_none());
        assert!(super::page_url("ftp://shop.example/p/1").is_none());
        assert!(super::page_url("/p/1").is_none());
    }

    #[test]
    fn a_price_handed_back_is_priced_by_the_rules_from_the_cost_and_refused_without_one() {
        use super::*;
        let product = |source: Option<&str>, cost: i64| -> ProductDetail {
            serde_json::from_value(serde_json::json!({
                "id": "p1", "slug": "p", "title": "Lamp", "status": "published", "description": "[\"A lamp.\"]",
                "features": "[]", "meta_title": "Lamp", "meta_description": "A lamp.", "keywords": "[]", "images": "[]",
                "price_minor": 1999, "compare_at_minor": null, "cost_minor": cost, "currency": "USD",
                "source": source, "source_product_id": "s1", "priced_by_merchant_at": "2026-12-07T09:00:00Z",
                "created_at": "c", "updated_at": "u"
            }))
            .unwrap()
        };
        let rules =
            domain::pricing::PricingRules { markup_bps: 30_000, compare_at_bps: 0, ..Default::default() };
        let back = |current: &ProductDetail| {
            let mut checked = Checked::new(Some(current), ProductFields::default(), "USD").unwrap();
            hand_back(current, &mut checked, &rules, || "h1".into()).map(|r| (r, checked.price_minor))
        };
        let (repriced, price) = back(&product(Some("aliexpress"), 1_000)).unwrap();
        assert_eq!((repriced.old_price_minor, repriced.price_minor, price), (1_999, 2_999, 2_999));
        assert_eq!(repriced.changes[0].1.new.as_deref(), Some("$29.99"));
        let no_cost = back(&product(Some("aliexpress"), 0)).unwrap_err();
        assert_eq!((no_cost.status, no_cost.field.as_deref()), (422, Some("cost_minor")));
        let by_hand = back(&product(None, 1_000)).unwrap_err();
        assert_eq!((by_hand.status, by_hand.field.as_deref()), (422, Some("price_follows_rules")));
        let both: ProductFields =
            serde_json::from_str(r#"{"price_follows_rules": true, "price_minor": 100}"#).unwrap();
        assert_eq!(both.hands_back().unwrap_err().field.as_deref(), Some("price_follows_rules"));
        let keep: ProductFields = serde_json::from_str(r#"{"price_follows_rules": false}"#).unwrap();
        assert!(keep.sets_price() && !keep.hands_back().unwrap(), "false keeps the price as the merchant's");
    }
}
