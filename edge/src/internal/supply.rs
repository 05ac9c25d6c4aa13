//! Supplier sync, edge side: the stores and imported products the hourly sync checks, and applying
//! what the suppliers answered (re-pricing by the rules, unpublishing or zeroing stock by the
//! store's setting, and undoing that when the supplier has the product again), each change kept
//! with its reason.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::stores::load;
use crate::runtime::{new_id, now, now_ms, rfc3339};
use domain::pricing::PricingRules;
use domain::supply::{reconcile, Listed, OutOfStock, Supplied};
use domain::{Currency, Money, ProductId, StoreId};
use queues::sync_api::{
    Listing, Listings, ListingsPage, SupplierSync, SyncApplied, SyncStore, SyncStores, SyncStoresPage,
    MAX_OBSERVED,
};
use serde::{Deserialize, Serialize};
use tenancy::routing::Routing;
use tenancy::shards::platform;
use worker::wasm_bindgen::JsValue;
use worker::Env;

/// Pages hold this many items at most.
const PAGE_MAX: u32 = 500;

/// `POST /internal/supplier-sync/stores`: active stores of tenants whose subscription is not
/// cancelled, in id order.
pub async fn stores(env: &Env, body: &str) -> ApiResult<SyncStores> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        tenant_id: String,
    }
    let page: SyncStoresPage = parse_json(body)?;
    let rows: Vec<Row> = platform(env)?
        .prepare(
            "SELECT s.id, s.tenant_id FROM stores s JOIN tenants t ON t.id = s.tenant_id \
             WHERE s.status = 'active' AND t.subscription_status != 'canceled' AND s.id > ?1 \
             ORDER BY s.id LIMIT ?2",
        )
        .bind(&[
            page.after.map_or_else(String::new, |s| s.to_string()).into(),
            f64::from(page.limit.clamp(1, PAGE_MAX)).into(),
        ])?
        .all()
        .await?
        .results()?;
    let stores = rows
        .into_iter()
        .filter_map(|row| {
            Some(SyncStore { store_id: row.id.parse().ok()?, tenant_id: row.tenant_id.parse().ok()? })
        })
        .collect();
    Ok(SyncStores { stores })
}

/// `POST /internal/stores/{id}/supplier-listings`: the store's products that came from a
/// supplier, in id order.
pub async fn listings(env: &Env, store_id: StoreId, body: &str) -> ApiResult<Listings> {
    let page: ListingsPage = parse_json(body)?;
    let limit = page.limit.clamp(1, PAGE_MAX);
    let store = load(&platform(env)?, store_id).await?;
    let listings: Vec<Listing> = store
        .db(env)?
        .all(
            "SELECT id AS product_id, source, source_product_id FROM products \
             WHERE store_id = ?1 AND source IS NOT NULL AND source_product_id IS NOT NULL AND id > ?2 \
             ORDER BY id LIMIT ?3",
            &[page.after.unwrap_or_default().into(), f64::from(limit).into()],
        )
        .await?;
    let next =
        (listings.len() == limit as usize).then(|| listings.last().map(|l| l.product_id.clone())).flatten();
    Ok(Listings { listings, next })
}

#[derive(Deserialize)]
struct ProductRow {
    id: String,
    source: String,
    source_product_id: String,
    price_minor: i64,
    compare_at_minor: Option<i64>,
    cost_minor: i64,
    currency: String,
    status: String,
    supplier_available: Option<i64>,
}

/// `POST /internal/stores/{id}/supplier-sync`: applies what the suppliers answered.
pub async fn apply(env: &Env, store_id: StoreId, body: &str) -> ApiResult<SyncApplied> {
    let input: SupplierSync = parse_json(body)?;
    if input.observed.len() > MAX_OBSERVED {
        return Err(ApiError::invalid("observed", format!("at most {MAX_OBSERVED} listings per call")));
    }
    if input.sync_id.is_empty() || input.sync_id.len() > 64 {
        return Err(ApiError::invalid("sync_id", "sync_id must be 1 to 64 characters"));
    }
    let store = load(&platform(env)?, store_id).await?;
    if store.tenant_id != input.tenant_id {
        return Err(ApiError::not_found("store"));
    }
    let out_of_stock = OutOfStock::parse(&store.row.out_of_stock).unwrap_or_default();
    let db = store.db(env)?;
    let at = rfc3339(now());
    let mut statements = Vec::new();
    let (mut checked, mut changed) = (0, 0);
    let marks = (0..input.observed.len()).map(|i| format!("?{}", i + 2)).collect::<Vec<_>>().join(", ");
    let ids: Vec<JsValue> = input.observed.iter().map(|o| o.source_product_id.as_str().into()).collect();
    let rows: Vec<ProductRow> = if ids.is_empty() {
        Vec::new()
    } else {
        db.all(
            &format!(
                "SELECT id, source, source_product_id, price_minor, compare_at_minor, cost_minor, currency, status, \
                 supplier_available FROM products WHERE store_id = ?1 AND source_product_id IN ({marks})"
            ),
            &ids,
        )
        .await?
    };
    for observed in &input.observed {
        let Some(row) = rows
            .iter()
            .find(|r| r.source == observed.source && r.source_product_id == observed.source_product_id)
        else {
            continue; // deleted by the merchant since the listing was read
        };
        let Ok(currency) = row.currency.parse::<Currency>() else { continue };
        checked += 1;
        let money = |minor| Money::from_minor(minor, currency);
        let listed = Listed {
            price: money(row.price_minor),
            compare_at: row.compare_at_minor.map(money),
            cost: money(row.cost_minor),
            published: row.status == "published",
            supplier_available: row.supplier_available.map(|a| a != 0),
        };
        let supplied = Supplied { cost: observed.cost, available: observed.available };
        let outcome = reconcile(&listed, &supplied, &PricingRules::default(), out_of_stock)
            .map_err(|e| ApiError::invalid("observed", format!("{}: {e}", row.source_product_id)))?;
        let (cost, price, compare_at) =
            outcome.reprice.unwrap_or((listed.cost, listed.price, listed.compare_at));
        let status = match outcome.publish {
            Some(true) => "published",
            Some(false) => "draft",
            None => row.status.as_str(),
        };
        statements.push(db.statement(
            "UPDATE products SET cost_minor = ?3, price_minor = ?4, compare_at_minor = ?5, status = ?6, \
             supplier_available = ?7, supplier_checked_at = ?8, \
             updated_at = CASE WHEN ?9 THEN ?8 ELSE updated_at END WHERE store_id = ?1 AND id = ?2",
            &[
                row.id.as_str().into(),
                (cost.minor as f64).into(),
                (price.minor as f64).into(),
                compare_at.map_or(JsValue::NULL, |c| (c.minor as f64).into()),
                status.into(),
                f64::from(u8::from(outcome.supplier_available)).into(),
                at.as_str().into(),
                f64::from(u8::from(!outcome.changes.is_empty())).into(),
            ],
        )?);
        if let Some((_, price, compare_at)) = outcome.reprice {
            // Variants priced like the product follow it; ones the merchant priced apart keep theirs.
            statements.push(db.statement(
                "UPDATE product_variants SET price_minor = ?3, compare_at_minor = ?4, cost_minor = ?5 \
                 WHERE store_id = ?1 AND product_id = ?2 AND price_minor = ?6",
                &[
                    row.id.as_str().into(),
                    (price.minor as f64).into(),
                    compare_at.map_or(JsValue::NULL, |c| (c.minor as f64).into()),
                    (cost.minor as f64).into(),
                    (row.price_minor as f64).into(),
                ],
            )?);
        }
        if let Some(stock) = outcome.stock {
            statements.push(db.statement(
                "UPDATE product_variants SET stock = ?3 WHERE store_id = ?1 AND product_id = ?2",
                &[row.id.as_str().into(), stock.map_or(JsValue::NULL, |s| (s as f64).into())],
            )?);
        }
        if !outcome.changes.is_empty() {
            changed += 1;
        }
        for change in outcome.changes {
            let id: ProductId = new_id();
            statements.push(db.statement(
                "INSERT INTO product_changes (id, store_id, product_id, sync_id, field, old_value, new_value, \
                 reason, created_at) VALUES (?2, ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 ON CONFLICT (store_id, product_id, sync_id, field) DO NOTHING",
                &[
                    id.to_string().into(),
                    row.id.as_str().into(),
                    input.sync_id.as_str().into(),
                    change.field.into(),
                    crate::runtime::nullable(change.old),
                    crate::runtime::nullable(change.new),
                    change.reason.into(),
                    at.as_str().into(),
                ],
            )?);
        }
    }
    if !statements.is_empty() {
        // One transaction: a product's new price and the history that explains it land together.
        db.batch(statements).await?;
    }
    if changed > 0 {
        Routing::new(env.kv(crate::config::EDGE_KV)?).bump_cache_version(store.id, now_ms() as f64).await?;
    }
    Ok(SyncApplied { checked, changed })
}

/// One change as the merchant reads it.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChangeView {
    pub(crate) field: String,
    pub(crate) old_value: Option<String>,
    pub(crate) new_value: Option<String>,
    pub(crate) reason: String,
    pub(crate) sync_id: String,
    pub(crate) created_at: String,
}
