//! Supplier sync, edge side: the stores and imported products the hourly sync checks, and applying
//! what the suppliers answered (re-pricing by the store's rules, or moving only the cost of a
//! product the merchant priced by hand, unpublishing or zeroing stock by the
//! store's setting, and undoing that when the supplier has the product again), each change kept
//! with its reason.

use crate::error::{ApiError, ApiResult};
use crate::internal::StoreAccess;
use crate::repo::supply;
use crate::runtime::{new_id, now, now_ms, rfc3339};
use domain::supply::{reconcile, Listed, OutOfStock, Supplied};
use domain::{Currency, Money, ProductId};
use queues::sync_api::{
    Listings, ListingsPage, SupplierSync, SyncApplied, SyncStore, SyncStores, SyncStoresPage, MAX_OBSERVED,
};
use serde::Serialize;
use tenancy::routing::Routing;
use tenancy::shards::PlatformDb;
use worker::Env;

/// Pages hold this many items at most.
const PAGE_MAX: u32 = 500;

/// `POST /internal/supplier-sync/stores`: active stores of tenants whose subscription is not
/// cancelled, in id order.
pub async fn stores(env: &Env, page: SyncStoresPage) -> ApiResult<SyncStores> {
    let after = page.after.map_or_else(String::new, |s| s.to_string());
    let rows =
        crate::repo::stores::synced_page(&PlatformDb::open(env)?, &after, page.limit.clamp(1, PAGE_MAX))
            .await?;
    let stores = rows
        .into_iter()
        .filter_map(|row| {
            Some(SyncStore {
                store_id: row.id.parse().ok()?,
                tenant_id: row.tenant_id.parse().ok()?,
                plan: domain::Plan::parse(&row.plan),
            })
        })
        .collect();
    Ok(SyncStores { stores })
}

/// `POST /internal/stores/{id}/supplier-listings`: the store's products that came from a
/// supplier, in id order.
pub async fn listings(access: &StoreAccess, page: ListingsPage) -> ApiResult<Listings> {
    let limit = page.limit.clamp(1, PAGE_MAX);
    let listings = supply::listings(&access.db, &page.after.unwrap_or_default(), limit).await?;
    let next =
        (listings.len() == limit as usize).then(|| listings.last().map(|l| l.product_id.clone())).flatten();
    Ok(Listings { listings, next })
}

/// What [`apply`] checks before the store is read: how many listings, and the sync's id.
pub fn check_sync(input: &SupplierSync) -> ApiResult<()> {
    if input.observed.len() > MAX_OBSERVED {
        return Err(ApiError::invalid("observed", format!("at most {MAX_OBSERVED} listings per call")));
    }
    if input.sync_id.is_empty() || input.sync_id.len() > 64 {
        return Err(ApiError::invalid("sync_id", "sync_id must be 1 to 64 characters"));
    }
    Ok(())
}

/// `POST /internal/stores/{id}/supplier-sync`: applies what the suppliers answered ([`check_sync`]
/// made first).
pub async fn apply(env: &Env, access: &StoreAccess, input: SupplierSync) -> ApiResult<SyncApplied> {
    let StoreAccess { store, db } = access;
    if store.tenant_id != input.tenant_id {
        return Err(ApiError::not_found("store"));
    }
    let out_of_stock = OutOfStock::parse(&store.row.out_of_stock).unwrap_or_default();
    let rules = crate::repo::pricing::get(db).await?;
    let at = rfc3339(now());
    let mut statements = Vec::new();
    let (mut checked, mut changed) = (0, 0);
    let ids: Vec<&str> = input.observed.iter().map(|o| o.source_product_id.as_str()).collect();
    let rows = supply::synced_products(db, &ids).await?;
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
            priced_by_merchant: row.priced_by_merchant_at.is_some(),
        };
        let supplied = Supplied { cost: observed.cost, available: observed.available };
        let outcome = reconcile(&listed, &supplied, &rules, out_of_stock)
            .map_err(|e| ApiError::invalid("observed", format!("{}: {e}", row.source_product_id)))?;
        let (cost, price, compare_at) =
            outcome.reprice.unwrap_or((listed.cost, listed.price, listed.compare_at));
        let status = match outcome.publish {
            Some(true) => "published",
            Some(false) => "draft",
            None => row.status.as_str(),
        };
        statements.push(supply::update_product(
            db,
            &supply::Reconciled {
                id: &row.id,
                cost_minor: cost.minor,
                price_minor: price.minor,
                compare_at_minor: compare_at.map(|c| c.minor),
                status,
                supplier_available: outcome.supplier_available,
                changed: !outcome.changes.is_empty(),
                at: &at,
            },
        )?);
        if let Some((_, price, compare_at)) = outcome.reprice {
            // Variants priced like the product follow it; ones the merchant priced apart keep theirs.
            statements.push(supply::reprice_variants(
                db,
                &row.id,
                row.price_minor,
                price.minor,
                compare_at.map(|c| c.minor),
                cost.minor,
            )?);
        }
        if let Some(stock) = outcome.stock {
            statements.push(supply::set_stock(db, &row.id, stock)?);
        }
        if !outcome.changes.is_empty() {
            changed += 1;
        }
        for change in &outcome.changes {
            let id = new_id::<ProductId>().to_string();
            statements.push(supply::insert_change(
                db,
                &supply::NewChange {
                    id: &id,
                    product_id: &row.id,
                    sync_id: &input.sync_id,
                    field: &change.field,
                    old_value: change.old.as_deref(),
                    new_value: change.new.as_deref(),
                    reason: &change.reason,
                    at: &at,
                },
            )?);
        }
    }
    if !statements.is_empty() {
        // One transaction: a product's new price and the history that explains it land together.
        db.execute_batch(statements).await?;
    }
    if changed > 0 {
        Routing::new(env.kv(crate::config::EDGE_KV)?).bump_cache_version(store.id, now_ms() as f64).await?;
    }
    Ok(SyncApplied { checked, changed })
}

/// One change as the merchant reads it.
#[derive(Debug, Serialize)]
pub struct ChangeView {
    pub(crate) field: String,
    pub(crate) old_value: Option<String>,
    pub(crate) new_value: Option<String>,
    pub(crate) reason: String,
    pub(crate) sync_id: String,
    pub(crate) created_at: String,
}

impl From<supply::ChangeRow> for ChangeView {
    fn from(row: supply::ChangeRow) -> Self {
        ChangeView {
            field: row.field,
            old_value: row.old_value,
            new_value: row.new_value,
            reason: row.reason,
            sync_id: row.sync_id,
            created_at: row.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sync(sync_id: &str) -> SupplierSync {
        SupplierSync {
            tenant_id: "0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d".parse().unwrap(),
            sync_id: sync_id.into(),
            observed: vec![],
        }
    }

    #[test]
    fn a_sync_without_an_id_is_refused_before_its_store_is_read() {
        let refused = check_sync(&sync("")).unwrap_err();
        assert_eq!((refused.status, refused.field.as_deref()), (400, Some("sync_id")));
        assert!(check_sync(&sync(&"s".repeat(65))).is_err());
        assert!(check_sync(&sync("sync-1")).is_ok());
    }
}
