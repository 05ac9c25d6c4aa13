//! Stores as the platform database holds them, and loading one by id.

use crate::error::{ApiError, ApiResult};
use domain::placement::ShardIndex;
use domain::{Currency, Plan, StoreId, StoreStatus, TenantId};
use serde::Deserialize;
use tenancy::routing::{RoutingRecord, StoreLook};
use tenancy::shards::StoreDb;
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, Env};

/// A store as the platform database holds it, joined with its tenant's plan.
#[derive(Debug, Clone, Deserialize)]
pub struct StoreRow {
    /// Store id.
    pub id: String,
    /// Owning tenant.
    pub tenant_id: String,
    /// Slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Niche that steers research.
    pub niche: String,
    /// Currency code.
    pub currency: String,
    /// `active` or `suspended`.
    pub status: String,
    /// Shard index.
    pub shard: u16,
    /// 1 when imports are published at once.
    pub auto_publish: i64,
    /// Products a research run imports at most.
    pub max_imports_per_run: i64,
    /// The market the store sells to (ISO 3166-1 alpha-2).
    pub target_market: String,
    /// `classic`, `bold` or `minimal`.
    pub theme: String,
    /// Brand colour, `#rrggbb`.
    pub brand_color: String,
    /// Logo URL.
    pub logo_url: Option<String>,
    /// AI score from which research imports a candidate.
    pub import_threshold: i64,
    /// AI score from which research puts a candidate on the watchlist.
    pub watch_threshold: i64,
    /// What the supplier sync does with a product its supplier cannot deliver (`unpublish`, `zero`).
    pub out_of_stock: String,
    /// Creation time.
    pub created_at: String,
    /// The tenant's plan.
    pub plan: String,
    /// The tenant's subscription state (`none`, `trialing`, `active`, `past_due`, `canceled`).
    pub subscription_status: String,
}

/// A store that passed the platform's checks: ids parsed, shard and status known.
#[derive(Debug, Clone)]
pub struct Store {
    /// Store id.
    pub id: StoreId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Its shard.
    pub shard: ShardIndex,
    /// Its status.
    pub status: StoreStatus,
    /// The stored row.
    pub row: StoreRow,
}

impl Store {
    /// A handle on the store's own rows in its shard.
    pub fn db(&self, env: &Env) -> worker::Result<StoreDb> {
        StoreDb::open(env, self.shard, self.id)
    }

    /// What the store's hosts route to.
    pub fn routing_record(&self) -> RoutingRecord {
        RoutingRecord {
            store_id: self.id,
            tenant_id: self.tenant_id,
            shard: self.shard,
            status: self.status,
            name: self.row.name.clone(),
            currency: self.row.currency.parse().unwrap_or(Currency::Usd),
            look: StoreLook {
                theme: self.row.theme.clone(),
                brand_color: self.row.brand_color.clone(),
                logo_url: self.row.logo_url.clone(),
            },
        }
    }

    /// The tenant's plan.
    pub fn plan(&self) -> Plan {
        Plan::parse(&self.row.plan).unwrap_or(Plan::Starter)
    }
}

/// The columns of a [`StoreRow`], joined with its tenant's plan; a `WHERE` on `s.` follows.
pub const STORE_SELECT: &str =
    "SELECT s.id, s.tenant_id, s.slug, s.name, s.niche, s.currency, s.status, s.shard, \
     s.auto_publish, s.max_imports_per_run, s.target_market, s.theme, s.brand_color, s.logo_url, \
     s.import_threshold, s.watch_threshold, s.out_of_stock, s.created_at, t.plan, t.subscription_status \
     FROM stores s JOIN tenants t ON t.id = s.tenant_id";

/// Loads a store by id; 404 when it does not exist.
pub async fn load(db: &D1Database, id: StoreId) -> ApiResult<Store> {
    let row: Option<StoreRow> = db
        .prepare(format!("{STORE_SELECT} WHERE s.id = ?1"))
        .bind(&[JsValue::from_str(&id.to_string())])?
        .first(None)
        .await?;
    let row = row.ok_or_else(|| ApiError::not_found("store"))?;
    let tenant_id = row.tenant_id.parse().map_err(|e| ApiError::internal("store row", e))?;
    let status = StoreStatus::parse(&row.status).unwrap_or(StoreStatus::Suspended);
    Ok(Store { id, tenant_id, shard: ShardIndex(row.shard), status, row })
}
