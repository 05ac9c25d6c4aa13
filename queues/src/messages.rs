//! The typed payloads, one per queue in `infra/wiring.json`.

use crate::envelope::Message;
use domain::{Money, RunId};
use serde::{Deserialize, Serialize};

/// Run product research for a store (queue `research`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResearchRequested {
    /// The run this message starts; recorded by the edge before sending.
    pub run_id: RunId,
    /// The store's niche, which steers the sources' queries.
    pub niche: String,
    /// How many of the best candidates to import at most.
    pub max_imports: u16,
}

impl Message for ResearchRequested {
    const KIND: &'static str = "research.requested";
    const QUEUE: &'static str = "research";
}

/// A product as a supplier lists it: the raw material of research and import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierProduct {
    /// Which source listed it, e.g. `aliexpress`.
    pub source: String,
    /// The product's id at that source.
    pub source_product_id: String,
    /// The supplier's title (untrusted text).
    pub title: String,
    /// What the store pays the supplier.
    pub cost: Money,
    /// The supplier's list price before discount, if shown.
    pub list_price: Option<Money>,
    /// Product images at the supplier.
    pub image_urls: Vec<String>,
    /// The product's page at the supplier.
    pub product_url: String,
    /// The supplier's category name.
    pub category: Option<String>,
    /// Orders in the last 30 days, as the supplier reports.
    pub orders_30d: Option<u64>,
    /// Positive feedback in percent.
    pub rating_pct: Option<f32>,
    /// Typical shipping days to the store's market.
    pub shipping_days: Option<u32>,
}

/// Import one researched product into a store (queue `import`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRequested {
    /// The research run that chose it.
    pub run_id: RunId,
    /// The product to import.
    pub product: SupplierProduct,
    /// Its research score, 0 to 100.
    pub score: f32,
}

impl Message for ImportRequested {
    const KIND: &'static str = "import.requested";
    const QUEUE: &'static str = "import";
}
