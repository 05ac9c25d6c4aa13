//! Where products can be bought: one adapter per supplier, speaking its wire format.
//!
//! - [`aliexpress`]: the AliExpress affiliate API (best sellers by keyword, listings by id).
//! - [`feed`]: a supplier's product feed at a URL, in CSV or JSON.
//! - [`cj`]: the CJdropshipping API 2.0, for placing and tracking fulfilment orders.
//!
//! Research lists their products as candidates ([`Supplier::catalog`]); the supplier sync asks
//! them again for the products a store imported. Each supplier is configured from the
//! environment and is `None` without its configuration.

pub mod aliexpress;
pub mod cj;
pub mod feed;

use queues::messages::SupplierProduct;
use std::future::Future;

/// What a supplier lists.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Products that can be imported.
    pub products: Vec<SupplierProduct>,
    /// What went wrong without costing the whole answer (a bad feed row).
    pub problems: Vec<String>,
}

/// A supplier whose products can be listed.
///
/// The future is `Send`: research runs on a multi-threaded runtime and asks its sources
/// concurrently.
pub trait Supplier: Send + Sync {
    /// Its name: each of its products' `source`.
    const NAME: &'static str;

    /// Its products for a niche's keywords (a feed lists all of its products, whatever the
    /// niche). An error means the supplier gave nothing usable; a partial answer is `Ok` with its
    /// [`Catalog::problems`] said.
    fn catalog(&self, niche: &str) -> impl Future<Output = anyhow::Result<Catalog>> + Send;
}
