//! Tenant isolation, in one place, for both Workers.
//!
//! - [`routing`]: which store a host name serves, as records in KV (cached in the isolate), and
//!   each store's cache version.
//! - [`sql`]: the SQL port (statements, arguments, errors) and its D1 adapter.
//! - [`shards`]: database access. [`shards::StoreDb`] is the only way to reach a store database,
//!   and it binds every statement to the one store it was opened for.
//! - [`guard`]: the check that a statement reads and writes one store's rows only.
//! - `sqlite` (feature `sqlite`, native only): the port on SQLite, for tests.

pub mod guard;
pub mod routing;
pub mod shards;
pub mod sql;
#[cfg(all(feature = "sqlite", not(target_arch = "wasm32")))]
pub mod sqlite;
