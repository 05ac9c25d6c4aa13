//! The fulfilment function's part of the edge's internal API (all `POST`, HMAC-signed):
//!
//! | path | body | answer |
//! |---|---|---|
//! | `/internal/stores/{id}/fulfilment/order` | [`FulfilmentRequest`] | [`FulfilmentOrder`]: what to place |
//! | `/internal/stores/{id}/fulfilment/report` | [`FulfilmentReport`] | [`FulfilmentRecorded`] |
//!
//! The edge keeps the order's state and its history; the function only places the supplier
//! orders and reports what each supplier answered, or that the order waits for the merchant
//! ([`FulfilmentReport::hold`]).

use serde::{Deserialize, Serialize};

/// Which order to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfilmentRequest {
    /// The order id.
    pub order_id: String,
}

/// Where the order goes, as Stripe Checkout collected it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipTo {
    /// The recipient.
    pub name: String,
    /// Their phone number.
    pub phone: Option<String>,
    /// Street and number.
    pub line1: String,
    /// Apartment, suite.
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// State, province or region.
    pub state: Option<String>,
    /// Postal code.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
}

/// One line of the order, with its supplier listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfilmentLine {
    /// Its position in the order.
    pub position: u32,
    /// The product in the store.
    pub product_id: String,
    /// Its title when ordered.
    pub title: String,
    /// How many.
    pub quantity: u32,
    /// What the shopper paid for one, in minor units.
    pub unit_price_minor: i64,
    /// The product's supplier (`aliexpress`, ...); `None` for the merchant's own stock.
    pub source: Option<String>,
    /// The product's id at the supplier.
    pub source_product_id: Option<String>,
    /// The supplier's SKU attributes of the chosen variant, when the supplier has them.
    pub sku_attr: Option<String>,
    /// The supplier's cost for one that the store recorded (what its price was set from), in
    /// minor units of the order's currency.
    #[serde(default)]
    pub cost_minor: Option<i64>,
}

/// A supplier order already placed (or failed) for the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierOrderView {
    /// The supplier.
    pub supplier: String,
    /// `placed`, `shipped`, `delivered` or `failed`.
    pub status: String,
    /// The supplier's order id, once placed.
    pub supplier_order_id: Option<String>,
    /// Why it failed.
    pub reason: Option<String>,
}

/// Answer to [`FulfilmentRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfilmentOrder {
    /// The order id.
    pub order_id: String,
    /// The store's order number.
    pub number: i64,
    /// `paid`, `placed`, `failed`, ...
    pub state: String,
    /// Where it goes; `None` for an order paid without a shipping address.
    pub ship_to: Option<ShipTo>,
    /// Its lines.
    pub lines: Vec<FulfilmentLine>,
    /// ISO currency of the prices.
    pub currency: String,
    /// Supplier orders recorded so far.
    pub supplier_orders: Vec<SupplierOrderView>,
    /// The store's minimum margin (basis points): an order under it at the suppliers' current
    /// cost waits for the merchant.
    #[serde(default)]
    pub min_margin_bps: u32,
    /// Whether the store approves every order by hand.
    #[serde(default)]
    pub approve_by_hand: bool,
    /// Whether the merchant approved this order: it is placed without the margin hold.
    #[serde(default)]
    pub approved: bool,
}

/// What became of one supplier's part of the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierOutcome {
    /// The supplier.
    pub supplier: String,
    /// The supplier's order id when it was placed.
    pub supplier_order_id: Option<String>,
    /// Why it could not be placed (`None` when it was).
    pub failure: Option<String>,
}

/// What the function did for an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfilmentReport {
    /// The order id.
    pub order_id: String,
    /// One per supplier of the order; none when the order is held.
    pub outcomes: Vec<SupplierOutcome>,
    /// Why the order waits for the merchant's approval instead (nothing was placed).
    #[serde(default)]
    pub hold: Option<String>,
}

/// Answer to [`FulfilmentReport`]: the order's state after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfilmentRecorded {
    /// The order's fulfilment state.
    pub state: String,
}

/// Which of a store's open supplier orders to read for tracking (placed or shipped, with a
/// supplier order id), a page at a time in (order, supplier) order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSupplierOrdersPage {
    /// The last `(order_id, supplier)` of the previous page.
    pub after: Option<(String, String)>,
    /// Supplier orders per page at most (1 to [`MAX_READINGS`]).
    pub limit: u32,
}

/// A supplier order whose tracking is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSupplierOrder {
    /// The store's order.
    pub order_id: String,
    /// The supplier.
    pub supplier: String,
    /// The supplier's order id(s), comma-separated when the supplier split the order by seller.
    pub supplier_order_id: String,
    /// `placed` or `shipped`.
    pub status: String,
}

/// Answer to [`OpenSupplierOrdersPage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSupplierOrders {
    /// This page; fewer than the limit means the last.
    pub orders: Vec<OpenSupplierOrder>,
}

/// Readings one tracking report carries at most.
pub const MAX_READINGS: usize = 100;

/// What a supplier's tracking said of one supplier order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingReading {
    /// The store's order.
    pub order_id: String,
    /// The supplier.
    pub supplier: String,
    /// `placed` (no tracking yet), `shipped` or `delivered`.
    pub status: String,
    /// The carrier's tracking number, once shipped.
    pub tracking_number: Option<String>,
    /// The carrier, as the supplier names it.
    pub carrier: Option<String>,
    /// When the tracking last moved (the newest carrier event, RFC 3339).
    pub last_event_at: Option<String>,
}

/// The tracking read on one tick for a store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingReport {
    /// The tick's time (RFC 3339): flags are reckoned at it.
    pub at: String,
    /// One per supplier order read (1 to [`MAX_READINGS`]).
    pub readings: Vec<TrackingReading>,
}

/// Answer to [`TrackingReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingRecorded {
    /// Supplier orders whose state or tracking changed.
    pub changed: u32,
    /// Orders that carry a flag after the report.
    pub flagged: u32,
}
