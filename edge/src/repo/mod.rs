//! D1 access, one repository per resource: the statements and their typed rows. Handlers hold no
//! SQL; each repository takes the store's [`StoreDb`](tenancy::shards::StoreDb) (or the platform
//! database) over the [`Sql`](tenancy::sql::Sql) port, so it runs on D1 in the Worker and on SQLite
//! in its tests, with the real migrations applied ([`testing`]).

pub mod accounts;
pub mod api_keys;
pub mod audit_log;
pub mod billing;
pub mod domains;
pub mod email_tokens;
pub mod erasures;
pub mod members;
pub mod nonces;
pub mod products;
pub mod sessions;
pub mod stores;
#[cfg(test)]
pub mod testing;
