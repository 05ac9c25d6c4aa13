//! D1 access that cannot cross tenants.
//!
//! A store database holds many stores. [`StoreDb`] is opened for one store, after the caller has
//! authorised access to it, and every statement it prepares must pass the store guard
//! ([`crate::guard`]): it filters on `store_id = ?1`, which the handle binds itself. No other
//! code gets the shard's database. [`StoreDb`] runs on any [`Sql`] database: D1 in the Workers,
//! SQLite in tests.

use domain::placement::ShardIndex;
use domain::StoreId;
use serde::de::DeserializeOwned;
use worker::{D1Database, Env};

use crate::sql::{Arg, Outcome, Sql, SqlError, Statement};

/// The platform database binding.
pub const PLATFORM_DB: &str = "PLATFORM_DB";

/// Whether a statement is scoped to the store bound as `?1` (see [`crate::guard::check`] for
/// the reason when it is not).
pub fn is_scoped(sql: &str) -> bool {
    crate::guard::check(sql).is_ok()
}

/// A store database handle bound to one store.
pub struct StoreDb<D = D1Database> {
    db: D,
    store: StoreId,
}

impl StoreDb<D1Database> {
    /// Opens the shard of an authorised store.
    pub fn open(env: &Env, shard: ShardIndex, store: StoreId) -> worker::Result<Self> {
        Ok(Self { db: env.d1(&shard.binding())?, store })
    }
}

impl<D> StoreDb<D> {
    /// A handle on `db` for an authorised store (tests, and databases other than a D1 binding).
    pub fn new(db: D, store: StoreId) -> Self {
        Self { db, store }
    }

    /// The store this handle is bound to.
    pub fn store(&self) -> StoreId {
        self.store
    }

    /// A statement with the store id bound as `?1` and `args` as `?2` onwards, refused when
    /// the guard finds it could reach another store's rows.
    pub fn scoped(&self, sql: &str, args: Vec<Arg>) -> Result<Statement, SqlError> {
        crate::guard::check(sql).map_err(SqlError::Unscoped)?;
        let mut bound = Vec::with_capacity(args.len() + 1);
        bound.push(Arg::Text(self.store.to_string()));
        bound.extend(args);
        Ok(Statement::new(sql, bound))
    }

    /// Checks a statement handed back to the handle: it must be one [`StoreDb::scoped`] made
    /// for this store (its fields are public, so it may have been built or changed by hand).
    fn rescoped(&self, statement: Statement) -> Result<Statement, SqlError> {
        crate::guard::check(&statement.sql).map_err(SqlError::Unscoped)?;
        match statement.args.first() {
            Some(Arg::Text(id)) if *id == self.store.to_string() => Ok(statement),
            _ => Err(SqlError::Unscoped("`?1` is not bound to this handle's store".to_owned())),
        }
    }
}

impl<D: Sql> StoreDb<D> {
    /// Runs a read and returns every row.
    pub async fn query_all<T: DeserializeOwned>(
        &self,
        sql: &str,
        args: Vec<Arg>,
    ) -> Result<Vec<T>, SqlError> {
        self.db.all(self.scoped(sql, args)?).await
    }

    /// Runs a read and returns its first row.
    pub async fn query_first<T: DeserializeOwned>(
        &self,
        sql: &str,
        args: Vec<Arg>,
    ) -> Result<Option<T>, SqlError> {
        self.db.first(self.scoped(sql, args)?).await
    }

    /// Runs a write.
    pub async fn execute(&self, sql: &str, args: Vec<Arg>) -> Result<Outcome, SqlError> {
        self.db.run(self.scoped(sql, args)?).await
    }

    /// Runs statements made by [`StoreDb::scoped`] in one transaction: all apply or none does.
    pub async fn execute_batch(&self, statements: Vec<Statement>) -> Result<Vec<Outcome>, SqlError> {
        let statements = statements.into_iter().map(|s| self.rescoped(s)).collect::<Result<Vec<_>, _>>()?;
        self.db.batch(statements).await
    }

    /// Reads made by [`StoreDb::scoped`], in one round trip to the database; their rows in order.
    pub async fn read_batch(&self, statements: Vec<Statement>) -> Result<Vec<D::Rows>, SqlError> {
        let statements = statements.into_iter().map(|s| self.rescoped(s)).collect::<Result<Vec<_>, _>>()?;
        self.db.read_batch(statements).await
    }

    /// Deletes every row of the store from every table of the shard that has a `store_id`
    /// column, in one transaction, whatever tables later migrations add. Foreign keys are
    /// checked at commit, so the order of the tables does not matter. Returns the rows deleted.
    pub async fn erase_rows(&self) -> Result<u64, SqlError> {
        // The pragma names no store, so it goes to the database without the guard.
        let mut statements = vec![Statement::new("PRAGMA defer_foreign_keys = on", vec![])];
        for table in self.tables().await? {
            statements.push(self.scoped(&format!("DELETE FROM {table} WHERE store_id = ?1"), vec![])?);
        }
        Ok(self.db.batch(statements).await?.iter().map(|o| o.changes).sum())
    }

    /// Every row of the store, table by table (for a GDPR export), whatever tables later
    /// migrations add.
    pub async fn dump_rows(&self) -> Result<Vec<(String, Vec<serde_json::Value>)>, SqlError> {
        let mut tables = Vec::new();
        for table in self.tables().await? {
            let rows = self.query_all(&format!("SELECT * FROM {table} WHERE store_id = ?1"), vec![]).await?;
            tables.push((table, rows));
        }
        Ok(tables)
    }

    /// The shard's tables that hold store rows (those with a `store_id` column).
    async fn tables(&self) -> Result<Vec<String>, SqlError> {
        #[derive(serde::Deserialize)]
        struct Table {
            name: String,
        }
        // Schema, not tenant data: the one query here that names no store.
        let query = Statement::new(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' \
             AND name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT LIKE 'd1\\_%' ESCAPE '\\' \
             AND sql LIKE '%store\\_id%' ESCAPE '\\'",
            vec![],
        );
        let tables: Vec<Table> = self.db.all(query).await?;
        tables
            .into_iter()
            .map(|t| {
                if t.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    Ok(t.name)
                } else {
                    Err(SqlError::Database(format!("unexpected table name {:?}", t.name)))
                }
            })
            .collect()
    }
}

/// The platform database: tenants, users, stores, billing. Its tables are scoped by the
/// caller (a tenant, a user), so it runs statements as given.
pub struct PlatformDb<D = D1Database>(D);

impl PlatformDb<D1Database> {
    /// Opens the platform database binding.
    pub fn open(env: &Env) -> worker::Result<Self> {
        Ok(Self(platform(env)?))
    }
}

impl<D> PlatformDb<D> {
    /// The platform schema on `db` (tests, and databases other than a D1 binding).
    pub fn new(db: D) -> Self {
        Self(db)
    }
}

impl<D: Sql> Sql for PlatformDb<D> {
    type Rows = D::Rows;

    async fn all<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, SqlError> {
        self.0.all(statement).await
    }

    async fn first<T: DeserializeOwned>(&self, statement: Statement) -> Result<Option<T>, SqlError> {
        self.0.first(statement).await
    }

    async fn run(&self, statement: Statement) -> Result<Outcome, SqlError> {
        self.0.run(statement).await
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<Outcome>, SqlError> {
        self.0.batch(statements).await
    }

    async fn read_batch(&self, statements: Vec<Statement>) -> Result<Vec<Self::Rows>, SqlError> {
        self.0.read_batch(statements).await
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
    fn statements_that_could_touch_other_stores_are_refused() {
        assert!(!is_scoped("SELECT * FROM products"));
        assert!(!is_scoped("SELECT * FROM products WHERE store_id = ?2"));
        assert!(!is_scoped("DELETE FROM products WHERE id = ?1"));
        assert!(!is_scoped("INSERT INTO products (id) VALUES (?1)"));
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod on_sqlite {
    //! [`StoreDb`] on SQLite with the edge's real store schema: two stores share the shard.

    use std::path::Path;

    use pollster::block_on;
    use serde_json::Value;

    use super::*;
    use crate::sqlite::Sqlite;

    fn migrations(schema: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../edge/migrations").join(schema)
    }

    fn shard() -> Sqlite {
        Sqlite::with_migrations(&[&migrations("store")]).unwrap()
    }

    const A: &str = "00000000-0000-4000-8000-00000000000a";
    const B: &str = "00000000-0000-4000-8000-00000000000b";

    fn store<'a>(db: &'a Sqlite, id: &str) -> StoreDb<&'a Sqlite> {
        StoreDb::new(db, id.parse().unwrap())
    }

    const INSERT_PRODUCT: &str = "INSERT INTO products (store_id, id, slug, title, description, features, \
         meta_title, meta_description, keywords, price_minor, cost_minor, currency, images, status, \
         compare_at_minor, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, '[]', '[]', '', '', '[]', ?5, 100, 'EUR', '[]', 'published', ?6, 't', 't')";

    fn product(db: &StoreDb<&Sqlite>, id: &str, slug: &str, price: i64) -> Result<Outcome, SqlError> {
        block_on(
            db.execute(INSERT_PRODUCT, vec![id.into(), slug.into(), slug.into(), price.into(), Arg::Null]),
        )
    }

    fn variant(db: &StoreDb<&Sqlite>, id: &str, product: &str) {
        block_on(db.execute(
            "INSERT INTO product_variants (store_id, id, product_id, title, options, price_minor) \
             VALUES (?1, ?2, ?3, 'Red', '{}', 500)",
            vec![id.into(), product.into()],
        ))
        .unwrap();
    }

    /// A shard holding products `a1`, `a2` (with a variant) of store A and `b1` (with a
    /// variant) of store B.
    fn two_stores(db: &Sqlite) -> (StoreDb<&Sqlite>, StoreDb<&Sqlite>) {
        let (a, b) = (store(db, A), store(db, B));
        product(&a, "a1", "lamp", 1000).unwrap();
        product(&a, "a2", "desk", 2000).unwrap();
        variant(&a, "a2-red", "a2");
        product(&b, "b1", "lamp", 3000).unwrap();
        variant(&b, "b1-red", "b1");
        (a, b)
    }

    fn ids(db: &StoreDb<&Sqlite>, sql: &str) -> Vec<String> {
        let rows: Vec<Value> = block_on(db.query_all(sql, vec![])).unwrap();
        rows.iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
    }

    #[test]
    fn every_store_and_platform_migration_applies_on_sqlite() {
        shard();
        Sqlite::with_migrations(&[&migrations("platform")]).unwrap();
    }

    #[test]
    fn a_store_handle_reads_only_its_own_rows() {
        let db = shard();
        let (a, b) = two_stores(&db);
        assert_eq!(ids(&a, "SELECT id FROM products WHERE store_id = ?1 ORDER BY id"), ["a1", "a2"]);
        assert_eq!(ids(&b, "SELECT id FROM products WHERE store_id = ?1 ORDER BY id"), ["b1"]);
        // The same slug in the other store is not found through this one.
        let lamp: Option<Value> = block_on(a.query_first(
            "SELECT id, price_minor FROM products WHERE store_id = ?1 AND slug = ?2",
            vec!["lamp".into()],
        ))
        .unwrap();
        assert_eq!(lamp, Some(serde_json::json!({"id": "a1", "price_minor": 1000})));
        let missing: Option<Value> = block_on(
            a.query_first("SELECT id FROM products WHERE store_id = ?1 AND id = ?2", vec!["b1".into()]),
        )
        .unwrap();
        assert_eq!(missing, None);
    }

    #[test]
    fn a_store_handle_updates_only_its_own_rows() {
        let db = shard();
        let (a, b) = two_stores(&db);
        let outcome = block_on(a.execute(
            "UPDATE products SET price_minor = ?2 WHERE store_id = ?1 AND slug = 'lamp'",
            vec![1500.into()],
        ))
        .unwrap();
        assert_eq!(outcome.changes, 1);
        let theirs: Vec<Value> =
            block_on(b.query_all("SELECT price_minor FROM products WHERE store_id = ?1", vec![])).unwrap();
        assert_eq!(theirs, [serde_json::json!({"price_minor": 3000})]);
        // An id of the other store matches nothing.
        let outcome =
            block_on(a.execute("DELETE FROM products WHERE store_id = ?1 AND id = ?2", vec!["b1".into()]))
                .unwrap();
        assert_eq!(outcome.changes, 0);
        assert_eq!(ids(&b, "SELECT id FROM products WHERE store_id = ?1"), ["b1"]);
    }

    #[test]
    fn erasing_a_store_deletes_its_rows_in_every_table_and_nothing_else() {
        let db = shard();
        let (a, b) = two_stores(&db);
        // Two products; their variant goes with its product (ON DELETE CASCADE), which SQLite does
        // not count.
        assert_eq!(block_on(a.erase_rows()).unwrap(), 2);
        assert!(ids(&a, "SELECT id FROM products WHERE store_id = ?1").is_empty());
        assert!(ids(&a, "SELECT id FROM product_variants WHERE store_id = ?1").is_empty());
        assert_eq!(ids(&b, "SELECT id FROM products WHERE store_id = ?1"), ["b1"]);
        assert_eq!(ids(&b, "SELECT id FROM product_variants WHERE store_id = ?1"), ["b1-red"]);
    }

    #[test]
    fn a_dump_holds_every_table_with_the_stores_rows_only() {
        let db = shard();
        let (a, _) = two_stores(&db);
        let dump = block_on(a.dump_rows()).unwrap();
        let table = |name: &str| -> Vec<String> {
            let (_, rows) = dump.iter().find(|(t, _)| t == name).unwrap_or_else(|| panic!("{name} missing"));
            let mut ids: Vec<String> = rows.iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
            ids.sort();
            ids
        };
        assert_eq!(table("products"), ["a1", "a2"]);
        assert_eq!(table("product_variants"), ["a2-red"]);
        assert!(table("orders").is_empty());
        for (name, rows) in &dump {
            assert!(rows.iter().all(|r| r["store_id"] == A), "{name} holds another store's row");
        }
    }

    #[test]
    fn a_batch_that_fails_applies_none_of_its_statements() {
        let db = shard();
        let (a, _) = two_stores(&db);
        let statements = vec![
            a.scoped("UPDATE products SET title = 'Renamed' WHERE store_id = ?1 AND id = 'a1'", vec![])
                .unwrap(),
            // The slug is taken: the whole batch fails.
            a.scoped(INSERT_PRODUCT, vec!["a3".into(), "desk".into(), "x".into(), 10.into(), Arg::Null])
                .unwrap(),
        ];
        let error = block_on(a.execute_batch(statements)).unwrap_err();
        assert!(error.is_unique_violation(), "{error}");
        let title: Option<Value> =
            block_on(a.query_first("SELECT title FROM products WHERE store_id = ?1 AND id = 'a1'", vec![]))
                .unwrap();
        assert_eq!(title, Some(serde_json::json!({"title": "lamp"})));
    }

    #[test]
    fn a_batch_that_succeeds_applies_every_statement() {
        let db = shard();
        let (a, _) = two_stores(&db);
        let statements = vec![
            a.scoped("UPDATE products SET title = 'Renamed' WHERE store_id = ?1", vec![]).unwrap(),
            a.scoped("DELETE FROM product_variants WHERE store_id = ?1", vec![]).unwrap(),
        ];
        let outcomes = block_on(a.execute_batch(statements)).unwrap();
        assert_eq!(outcomes.iter().map(|o| o.changes).collect::<Vec<_>>(), [2, 1]);
    }

    #[test]
    fn a_duplicate_unique_key_is_a_constraint_error() {
        let db = shard();
        let (a, _) = two_stores(&db);
        let error = product(&a, "a9", "lamp", 10).unwrap_err();
        assert!(matches!(error, SqlError::Constraint(_)), "{error}");
        assert!(error.is_unique_violation());
        // A CHECK is a constraint error too, but not a duplicate.
        let error = product(&a, "a9", "free", 0).unwrap_err();
        assert!(matches!(error, SqlError::Constraint(_)), "{error}");
        assert!(!error.is_unique_violation());
    }

    #[test]
    fn a_variant_of_a_missing_product_breaks_the_foreign_key() {
        let db = shard();
        let a = store(&db, A);
        let error = block_on(a.execute(
            "INSERT INTO product_variants (store_id, id, product_id, title, options, price_minor) \
             VALUES (?1, 'v', 'nope', 'Red', '{}', 500)",
            vec![],
        ))
        .unwrap_err();
        assert!(matches!(error, SqlError::Constraint(ref m) if m.contains("FOREIGN KEY")), "{error}");
    }

    #[test]
    fn none_binds_as_null() {
        let db = shard();
        let a = store(&db, A);
        block_on(a.execute(
            INSERT_PRODUCT,
            vec!["a1".into(), "lamp".into(), "Lamp".into(), 900.into(), None::<i64>.into()],
        ))
        .unwrap();
        block_on(a.execute(
            INSERT_PRODUCT,
            vec!["a2".into(), "desk".into(), "Desk".into(), 900.into(), Some(1200).into()],
        ))
        .unwrap();
        let nulls: Vec<Value> = block_on(
            a.query_all("SELECT id FROM products WHERE store_id = ?1 AND compare_at_minor IS NULL", vec![]),
        )
        .unwrap();
        assert_eq!(nulls, [serde_json::json!({"id": "a1"})]);
    }

    #[test]
    fn a_handle_refuses_unscoped_statements_before_they_reach_the_database() {
        let db = shard();
        let (a, _) = two_stores(&db);
        let error = block_on(a.execute("DELETE FROM products", vec![])).unwrap_err();
        assert!(matches!(error, SqlError::Unscoped(_)), "{error}");
        assert_eq!(ids(&a, "SELECT id FROM products WHERE store_id = ?1 ORDER BY id"), ["a1", "a2"]);
    }

    #[test]
    fn a_batch_refuses_statements_not_made_for_this_store() {
        let db = shard();
        let (a, b) = two_stores(&db);
        let theirs = b.scoped("DELETE FROM products WHERE store_id = ?1", vec![]).unwrap();
        let by_hand = Statement::new("DELETE FROM products", vec![]);
        for statement in [theirs, by_hand] {
            let error = block_on(a.execute_batch(vec![statement])).unwrap_err();
            assert!(matches!(error, SqlError::Unscoped(_)), "{error}");
        }
        assert_eq!(ids(&b, "SELECT id FROM products WHERE store_id = ?1"), ["b1"]);
    }

    #[test]
    fn the_guards_sample_of_worker_statements_is_valid_sql_on_the_store_schema() {
        let db = shard();
        for sql in crate::guard::tests::WORKER_STATEMENTS {
            let explained: Result<Vec<Value>, _> =
                block_on(db.all(Statement::new(format!("EXPLAIN {sql}"), vec![])));
            assert!(explained.is_ok(), "{sql}: {explained:?}");
        }
    }

    #[test]
    fn an_or_that_would_read_another_store_is_refused_before_it_runs() {
        let db = shard();
        let (a, _) = two_stores(&db);
        let error =
            block_on(a.query_all::<Value>("SELECT id FROM products WHERE store_id = ?1 OR 1 = 1", vec![]))
                .unwrap_err();
        assert!(matches!(error, SqlError::Unscoped(ref reason) if reason.contains("OR")), "{error}");
        let error = block_on(a.execute("UPDATE products SET price_minor = 1 WHERE store_id = ?10", vec![]))
            .unwrap_err();
        assert!(matches!(error, SqlError::Unscoped(_)), "{error}");
    }

    #[test]
    fn the_platform_database_runs_statements_as_given() {
        let platform = PlatformDb::new(Sqlite::memory().unwrap());
        block_on(platform.run(Statement::new("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)", vec![])))
            .unwrap();
        let outcome =
            block_on(platform.run(Statement::new("INSERT INTO t (name) VALUES (?1)", vec!["x".into()])))
                .unwrap();
        assert_eq!(outcome, Outcome { changes: 1, last_row_id: Some(1) });
        let rows: Vec<Value> =
            block_on(platform.all(Statement::new("SELECT id, name FROM t", vec![]))).unwrap();
        assert_eq!(rows, [serde_json::json!({"id": 1, "name": "x"})]);
    }
}
