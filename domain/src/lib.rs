//! The platform's business rules, free of I/O.
//!
//! Everything here is a pure function of its inputs: the current time, ids and randomness come in
//! as arguments. The crate builds for `wasm32-unknown-unknown` (the Workers) and for the host (the
//! Lambdas), so both sides apply one set of rules.

pub mod accounts;
pub mod approval;
pub mod cart;
pub mod catalog;
pub mod content;
pub mod dns;
pub mod html;
pub mod ids;
pub mod launch;
pub mod marketing;
pub mod money;
pub mod payouts;
pub mod placement;
pub mod plans;
pub mod pricing;
pub mod scoring;
pub mod secrets;
pub mod seo;
pub mod shipping;
pub mod shop_pages;
pub mod store;
pub mod supply;
pub mod tracking;

pub use ids::{CollectionId, OrderId, PostId, ProductId, RunId, SessionId, StoreId, TenantId, UserId};
pub use money::{Currency, Money};
pub use plans::Plan;
pub use store::{Niche, StoreHost, StoreName, StoreSlug, StoreStatus};
