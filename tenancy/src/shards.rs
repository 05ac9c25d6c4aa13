//! D1 access that cannot cross tenants.
//!
//! A store database holds many stores. [`StoreDb`] is opened for one store, after the caller has
//! authorised access to it, and every statement it prepares must filter on `store_id = ?1`, which
//! it binds itself. No other code gets the shard's `D1Database`.

use domain::placement::ShardIndex;
use domain::StoreId;
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Env};

/// The platform database binding.
pub const PLATFORM_DB: &str = "PLATFORM_DB";

/// A statement that does not scope itself to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnscopedStatement;

impl std::fmt::Display for UnscopedStatement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("store statements must filter on `store_id = ?1`")
    }
}

impl std::error::Error for UnscopedStatement {}

/// Whether a statement is scoped to the store bound as `?1`. Every `SELECT`, `UPDATE` and
/// `DELETE` must filter on it; an `INSERT` must write it.
pub fn is_scoped(sql: &str) -> bool {
    let normalised = sql.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    if normalised.starts_with("insert") {
        normalised.contains("store_id") && normalised.contains("?1")
    } else {
        normalised.contains("store_id = ?1")
    }
}

/// A store database handle bound to one store.
pub struct StoreDb {
    db: D1Database,
    store: StoreId,
}

impl StoreDb {
    /// Opens the shard of an authorised store.
    pub fn open(env: &Env, shard: ShardIndex, store: StoreId) -> worker::Result<Self> {
        Ok(Self { db: env.d1(&shard.binding())?, store })
    }

    /// The store this handle is bound to.
    pub fn store(&self) -> StoreId {
        self.store
    }

    /// Prepares a statement with the store id bound as `?1` and `args` as `?2` onwards.
    pub fn statement(&self, sql: &str, args: &[JsValue]) -> worker::Result<D1PreparedStatement> {
        if !is_scoped(sql) {
            return Err(worker::Error::RustError(UnscopedStatement.to_string()));
        }
        let mut bound = Vec::with_capacity(args.len() + 1);
        bound.push(JsValue::from_str(&self.store.to_string()));
        bound.extend_from_slice(args);
        self.db.prepare(sql).bind(&bound)
    }

    /// Runs a read and returns every row, retrying transient failures ([`is_transient`]).
    pub async fn all<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        args: &[JsValue],
    ) -> worker::Result<Vec<T>> {
        let statement = self.statement(sql, args)?;
        retry_transient(|| async { statement.all().await?.results() }).await
    }

    /// Runs a read and returns its first row, retrying transient failures.
    pub async fn first<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        args: &[JsValue],
    ) -> worker::Result<Option<T>> {
        let statement = self.statement(sql, args)?;
        retry_transient(|| statement.first(None)).await
    }

    /// Runs a write, retrying transient failures (a failed attempt wrote nothing).
    pub async fn run(&self, sql: &str, args: &[JsValue]) -> worker::Result<worker::D1Result> {
        let statement = self.statement(sql, args)?;
        retry_transient(|| statement.run()).await
    }

    /// Runs statements prepared by [`StoreDb::statement`] atomically.
    pub async fn batch(&self, statements: Vec<D1PreparedStatement>) -> worker::Result<Vec<worker::D1Result>> {
        retry_transient(|| self.db.batch(statements.clone())).await
    }

    /// Deletes every row of the store from every table of the shard that has a `store_id`
    /// column, in one transaction, whatever tables later migrations add. Foreign keys are
    /// checked at commit, so the order of the tables does not matter. Returns the rows deleted.
    pub async fn erase(&self) -> worker::Result<u64> {
        let mut statements = vec![self.db.prepare("PRAGMA defer_foreign_keys = on")];
        for table in self.tables().await? {
            statements.push(self.statement(&format!("DELETE FROM {table} WHERE store_id = ?1"), &[])?);
        }
        let results = self.batch(statements).await?;
        Ok(results.iter().filter_map(|r| r.meta().ok().flatten()).filter_map(|m| m.changes).sum::<usize>()
            as u64)
    }

    /// Every row of the store, table by table (for a GDPR export), whatever tables later
    /// migrations add.
    pub async fn dump(&self) -> worker::Result<Vec<(String, Vec<serde_json::Value>)>> {
        let mut tables = Vec::new();
        for table in self.tables().await? {
            let rows = self.all(&format!("SELECT * FROM {table} WHERE store_id = ?1"), &[]).await?;
            tables.push((table, rows));
        }
        Ok(tables)
    }

    /// The shard's tables that hold store rows (those with a `store_id` column).
    async fn tables(&self) -> worker::Result<Vec<String>> {
        #[derive(serde::Deserialize)]
        struct Table {
            name: String,
        }
        // Schema, not tenant data: the one query here that names no store.
        let query = self.db.prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' \
             AND name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT LIKE 'd1\\_%' ESCAPE '\\' \
             AND sql LIKE '%store\\_id%' ESCAPE '\\'",
        );
        let tables: Vec<Table> = retry_transient(|| query.all()).await?.results()?;
        tables
            .into_iter()
            .map(|t| {
                if t.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    Ok(t.name)
                } else {
                    Err(worker::Error::RustError(format!("unexpected table name {:?}", t.name)))
                }
            })
            .collect()
    }
}

/// Whether a D1 error is worth retrying: the database was busy (locally, the other `wrangler dev`
/// process holding the SQLite file, which miniflare reports as an `internal error`), or D1 reset
/// or lost its connection. Every write through [`StoreDb`] is safe to run again: inserts carry
/// fresh ids under unique constraints, updates set values, deletes are idempotent.
pub fn is_transient(message: &str) -> bool {
    [
        "SQLITE_BUSY",
        "database is locked",
        "internal error; reference",
        "Network connection lost",
        "storage caused object to be reset",
        "D1_RESET_DO",
    ]
    .iter()
    .any(|needle| message.contains(needle))
}

/// Runs `op` up to four times while it fails transiently, waiting 25, 100, then 250 ms.
pub async fn retry_transient<T, F, Fut>(mut op: F) -> worker::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = worker::Result<T>>,
{
    let mut delays = [25u64, 100, 250].into_iter();
    loop {
        match op().await {
            Err(error) if is_transient(&error.to_string()) => match delays.next() {
                Some(ms) => worker::Delay::from(std::time::Duration::from_millis(ms)).await,
                None => return Err(error),
            },
            other => return other,
        }
    }
}

/// Opens the platform database.
pub fn platform(env: &Env) -> worker::Result<D1Database> {
    env.d1(PLATFORM_DB)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_must_filter_on_the_bound_store() {
        assert!(is_scoped("SELECT * FROM products WHERE store_id = ?1 AND status = ?2"));
        assert!(is_scoped("UPDATE products SET title = ?2\n WHERE store_id  =  ?1"));
        assert!(is_scoped("INSERT INTO products (store_id, id) VALUES (?1, ?2)"));
    }

    #[test]
    fn busy_and_reset_databases_are_transient_but_constraint_errors_are_not() {
        assert!(is_transient("D1_ERROR: database is locked: SQLITE_BUSY"));
        assert!(is_transient("D1_ERROR: Network connection lost."));
        assert!(is_transient(
            "Failed to parse body as JSON, got: Error: internal error; reference = g9q8e1lk"
        ));
        assert!(!is_transient("D1_ERROR: UNIQUE constraint failed: products.store_id, products.slug"));
    }

    #[test]
    fn statements_that_could_touch_other_stores_are_refused() {
        assert!(!is_scoped("SELECT * FROM products"));
        assert!(!is_scoped("SELECT * FROM products WHERE store_id = ?2"));
        assert!(!is_scoped("DELETE FROM products WHERE id = ?1"));
        assert!(!is_scoped("INSERT INTO products (id) VALUES (?1)"));
    }
}
