//! Databases for the repositories' tests: SQLite with the edge's real D1 migrations applied, and
//! helpers to run their futures (SQLite answers at once, so blocking on them is enough).

use domain::{StoreId, TenantId};
use std::path::PathBuf;
use tenancy::shards::{PlatformDb, StoreDb};
use tenancy::sqlite::Sqlite;

fn migrations(which: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations").join(which)
}

/// A store shard with every store migration applied.
pub fn shard() -> Sqlite {
    Sqlite::with_migrations(&[&migrations("store")]).expect("the store migrations apply")
}

/// The platform database with every platform migration applied.
pub fn platform() -> PlatformDb<Sqlite> {
    PlatformDb::new(
        Sqlite::with_migrations(&[&migrations("platform")]).expect("the platform migrations apply"),
    )
}

/// A handle on `shard` for the `n`th test store.
pub fn store(shard: &Sqlite, n: u8) -> StoreDb<&Sqlite> {
    StoreDb::new(shard, store_id(n))
}

/// The id of the `n`th test store.
pub fn store_id(n: u8) -> StoreId {
    format!("00000000-0000-4000-8000-{n:012}").parse().expect("a valid id")
}

/// The id of the `n`th test tenant.
pub fn tenant_id(n: u8) -> TenantId {
    format!("10000000-0000-4000-8000-{n:012}").parse().expect("a valid id")
}

pub use pollster::block_on;
