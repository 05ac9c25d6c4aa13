//! The supplier sync's part of the edge's internal API (all `POST`, HMAC-signed):
//!
//! | path | body | answer |
//! |---|---|---|
//! | `/internal/supplier-sync/stores` | [`SyncStoresPage`] | [`SyncStores`]: the active stores, in id order |
//! | `/internal/stores/{id}/supplier-listings` | [`ListingsPage`] | [`Listings`]: the store's imported products |
//! | `/internal/stores/{id}/supplier-sync` | [`SupplierSync`] | [`SyncApplied`] |
//!
//! The edge decides what the suppliers' answers mean for each product (`domain::supply`): the
//! pipeline only reports what it saw, so the rules and the history live with the data.

use domain::{Money, StoreId, TenantId};
use serde::{Deserialize, Serialize};

/// A page of the stores to sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStoresPage {
    /// The last store of the previous page.
    pub after: Option<StoreId>,
    /// Stores per page at most.
    pub limit: u32,
}

/// One store to sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStore {
    /// The store.
    pub store_id: StoreId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Its tenant's plan (`None` when the stored plan is not one the platform knows).
    #[serde(default)]
    pub plan: Option<domain::Plan>,
}

/// Answer to [`SyncStoresPage`]: active stores of tenants whose subscription is not cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStores {
    /// This page; fewer than the limit means the last.
    pub stores: Vec<SyncStore>,
}

/// A page of a store's imported products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingsPage {
    /// The last product id of the previous page.
    pub after: Option<String>,
    /// Products per page at most.
    pub limit: u32,
}

/// An imported product, by the supplier's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    /// The product in the store.
    pub product_id: String,
    /// Where it was imported from, e.g. `aliexpress` or `feed`.
    pub source: String,
    /// Its id there.
    pub source_product_id: String,
}

/// Answer to [`ListingsPage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listings {
    /// This page, in product id order.
    pub listings: Vec<Listing>,
    /// Where the next page starts; `None` on the last.
    pub next: Option<String>,
}

/// What a supplier answered for one listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    /// The source, as in [`Listing`].
    pub source: String,
    /// The supplier's id, as in [`Listing`].
    pub source_product_id: String,
    /// The supplier's price now; `None` when the listing is gone.
    pub cost: Option<Money>,
    /// Whether the supplier can deliver it.
    pub available: bool,
}

/// `POST /internal/stores/{id}/supplier-sync`: what the suppliers answered, for the edge to apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierSync {
    /// The tenant the store must belong to.
    pub tenant_id: TenantId,
    /// The sync, as in the message.
    pub sync_id: String,
    /// At most [`MAX_OBSERVED`] listings.
    pub observed: Vec<Observed>,
}

/// Listings one [`SupplierSync`] call carries at most (D1 binds at most 100 values a statement).
pub const MAX_OBSERVED: usize = 90;

/// Answer to [`SupplierSync`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncApplied {
    /// Products found and compared.
    pub checked: u32,
    /// Products changed (re-priced, unpublished, published, stock set).
    pub changed: u32,
}
