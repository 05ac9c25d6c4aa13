//! Tenant isolation, in one place, for both Workers.
//!
//! - [`routing`]: which store a host name serves, as records in KV (cached in the isolate), and
//!   each store's cache version.
//! - [`shards`]: D1 access. [`shards::StoreDb`] is the only way to reach a store database, and it
//!   binds every statement to the one store it was opened for.

pub mod routing;
pub mod shards;
