//! D1 access, one repository per resource: the statements and their typed rows. Handlers hold no
//! SQL; each repository takes the store's [`StoreDb`](tenancy::shards::StoreDb) (or the platform
//! database) over the [`Sql`](tenancy::sql::Sql) port, so it runs on D1 in the Worker and on SQLite
//! in its tests, with the real migrations applied ([`testing`]).

pub mod accounts;
pub mod analytics;
pub mod api_keys;
pub mod audit_log;
pub mod billing;
pub mod collections;
pub mod contacts;
pub mod content;
pub mod domains;
pub mod email_flows;
pub mod email_tokens;
pub mod erasures;
pub mod fulfilment;
pub mod launch;
pub mod members;
pub mod nonces;
pub mod orders;
pub mod payouts;
pub mod pricing;
pub mod products;
pub mod refunds;
pub mod research_runs;
pub mod research_schedule;
pub mod reviews;
pub mod seo;
pub mod sessions;
pub mod shipping;
pub mod slugs;
pub mod stores;
pub mod supply;
#[cfg(test)]
pub mod testing;
pub mod two_factor;
pub mod variants;
pub mod watchlist;

/// A `COUNT(*) AS n` row: one row type for every count the repositories read, since each type of
/// its own is a decoder of its own in the Worker.
#[derive(serde::Deserialize)]
pub(crate) struct Count {
    /// The count.
    pub(crate) n: u64,
}

/// The text of a JSON list column, as every repository writes one.
pub fn json_list<T: serde::Serialize + ?Sized>(items: &T) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}
