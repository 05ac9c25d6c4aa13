//! D1 access, one repository per resource: the statements and their typed rows. Handlers hold no
//! SQL; each repository takes the store's [`StoreDb`](tenancy::shards::StoreDb) (or the platform
//! database) over the [`Sql`](tenancy::sql::Sql) port, so it runs on D1 in the Worker and on SQLite
//! in its tests, with the real migrations applied ([`testing`]).

pub mod analytics;
pub mod audit_log;
pub mod collections;
pub mod contacts;
pub mod content;
pub mod email_flows;
pub mod orders;
pub mod products;
pub mod research_runs;
pub mod research_schedule;
pub mod seo;
pub mod slug_redirects;
pub mod slugs;
pub mod stores;
pub mod supply;
pub mod variants;
pub mod watchlist;
#[cfg(test)]
pub mod testing;
