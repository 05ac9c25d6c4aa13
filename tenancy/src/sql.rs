//! The SQL port: statements with bound arguments, run by D1 in the Workers and by SQLite
//! natively in tests ([`crate::sqlite`], behind the `sqlite` feature).
//!
//! Repositories are written against [`Sql`] (or a [`crate::shards::StoreDb`] over it), so the
//! same code runs on both. Futures are not `Send`: Worker futures are not.

use serde::de::DeserializeOwned;
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

/// A value bound to a statement parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// SQL `NULL`.
    Null,
    /// An integer.
    Int(i64),
    /// A floating point number.
    Real(f64),
    /// Text.
    Text(String),
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Text(value.to_owned())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Text(value)
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Arg::Text(value.clone())
    }
}

impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Arg::Int(value)
    }
}

impl From<i32> for Arg {
    fn from(value: i32) -> Self {
        Arg::Int(value.into())
    }
}

impl From<u32> for Arg {
    fn from(value: u32) -> Self {
        Arg::Int(value.into())
    }
}

impl From<u64> for Arg {
    /// Values above `i64::MAX` (never a count or a timestamp) saturate.
    fn from(value: u64) -> Self {
        Arg::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Arg {
    fn from(value: usize) -> Self {
        Arg::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<f64> for Arg {
    fn from(value: f64) -> Self {
        Arg::Real(value)
    }
}

impl From<bool> for Arg {
    /// SQLite has no booleans: 1 or 0.
    fn from(value: bool) -> Self {
        Arg::Int(value.into())
    }
}

impl<T: Into<Arg>> From<Option<T>> for Arg {
    fn from(value: Option<T>) -> Self {
        value.map_or(Arg::Null, Into::into)
    }
}

/// A statement with its arguments, not yet run.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The SQL, with numbered parameters (`?1`, `?2`...).
    pub sql: String,
    /// The arguments: `args[0]` binds `?1`.
    pub args: Vec<Arg>,
}

impl Statement {
    /// A statement binding `args` to `?1` onwards.
    pub fn new(sql: impl Into<String>, args: Vec<Arg>) -> Self {
        Self { sql: sql.into(), args }
    }
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Rows inserted, updated or deleted.
    pub changes: u64,
    /// The rowid of the last inserted row, when the database reports one.
    pub last_row_id: Option<i64>,
}

/// Why a statement failed (the message never contains bound values).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SqlError {
    /// A store statement that could reach another store's rows; the reason says why.
    #[error("store statements must filter on `store_id = ?1`: {0}")]
    Unscoped(String),
    /// A UNIQUE, FOREIGN KEY, CHECK or NOT NULL constraint refused the write: callers answer
    /// 409 or 422.
    #[error("constraint failed: {0}")]
    Constraint(String),
    /// Any other failure of the database.
    #[error("database error: {0}")]
    Database(String),
    /// A row did not deserialize into the type asked for.
    #[error("row did not match its type: {0}")]
    Decode(String),
}

impl SqlError {
    /// Whether a UNIQUE (or PRIMARY KEY) constraint refused the write: the row exists already.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, SqlError::Constraint(message) if message.contains("UNIQUE constraint failed"))
    }

    /// Classifies a database's message: constraint failures apart from the rest.
    pub(crate) fn from_database(message: String) -> Self {
        if message.contains("constraint failed") {
            SqlError::Constraint(message)
        } else {
            SqlError::Database(message)
        }
    }
}

impl From<SqlError> for worker::Error {
    fn from(error: SqlError) -> Self {
        worker::Error::RustError(error.to_string())
    }
}

/// The rows of one read of a [`Sql::read_batch`], decoded once the caller names their type
/// (the reads of a batch return rows of different types).
pub trait Rows {
    /// Every row as a `T`.
    fn decode<T: DeserializeOwned>(self) -> Result<Vec<T>, SqlError>;

    /// The first row as a `T`, if there is one.
    fn decode_first<T: DeserializeOwned>(self) -> Result<Option<T>, SqlError>
    where
        Self: Sized,
    {
        Ok(self.decode()?.into_iter().next())
    }
}

/// A database that runs statements: D1 in the Workers, SQLite natively in tests.
#[expect(async_fn_in_trait, reason = "Worker futures are not Send, so no Send bound is wanted")]
pub trait Sql {
    /// The rows of one read in a batch.
    type Rows: Rows;
    /// Runs a read and returns every row.
    async fn all<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, SqlError>;
    /// Runs a read and returns its first row.
    async fn first<T: DeserializeOwned>(&self, statement: Statement) -> Result<Option<T>, SqlError>;
    /// Runs a write.
    async fn run(&self, statement: Statement) -> Result<Outcome, SqlError>;
    /// All statements in one transaction: all apply or none does.
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<Outcome>, SqlError>;
    /// Several reads in one round trip to the database (one D1 `batch`), their rows in order.
    async fn read_batch(&self, statements: Vec<Statement>) -> Result<Vec<Self::Rows>, SqlError>;
}

impl<S: Sql> Sql for &S {
    type Rows = S::Rows;

    async fn all<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, SqlError> {
        (**self).all(statement).await
    }

    async fn first<T: DeserializeOwned>(&self, statement: Statement) -> Result<Option<T>, SqlError> {
        (**self).first(statement).await
    }

    async fn run(&self, statement: Statement) -> Result<Outcome, SqlError> {
        (**self).run(statement).await
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<Outcome>, SqlError> {
        (**self).batch(statements).await
    }

    async fn read_batch(&self, statements: Vec<Statement>) -> Result<Vec<Self::Rows>, SqlError> {
        (**self).read_batch(statements).await
    }
}

/// The JavaScript value D1 binds for an argument (`null`, never `undefined`, which D1 refuses).
pub fn js_value(arg: &Arg) -> JsValue {
    match arg {
        Arg::Null => JsValue::NULL,
        // D1 takes JavaScript numbers; ids and amounts stay well below 2^53.
        Arg::Int(value) => JsValue::from_f64(*value as f64),
        Arg::Real(value) => JsValue::from_f64(*value),
        Arg::Text(value) => JsValue::from_str(value),
    }
}

fn prepare(db: &D1Database, statement: &Statement) -> Result<D1PreparedStatement, SqlError> {
    let args: Vec<JsValue> = statement.args.iter().map(js_value).collect();
    db.prepare(statement.sql.as_str()).bind(&args).map_err(database)
}

fn database(error: worker::Error) -> SqlError {
    match error {
        worker::Error::SerdeWasmBindgenError(_) | worker::Error::SerdeJsonError(_) => {
            SqlError::Decode(error.to_string())
        }
        other => SqlError::from_database(other.to_string()),
    }
}

fn outcome(result: &worker::D1Result) -> Outcome {
    let meta = result.meta().ok().flatten();
    Outcome {
        changes: meta.as_ref().and_then(|m| m.changes).map_or(0, |n| n as u64),
        last_row_id: meta.and_then(|m| m.last_row_id),
    }
}

impl Rows for worker::D1Result {
    fn decode<T: DeserializeOwned>(self) -> Result<Vec<T>, SqlError> {
        self.results().map_err(|e| SqlError::Decode(e.to_string()))
    }
}

/// Every call retries transient failures ([`is_transient`]).
impl Sql for D1Database {
    type Rows = worker::D1Result;

    async fn all<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, SqlError> {
        let prepared = prepare(self, &statement)?;
        let result = retry_transient(|| prepared.all()).await.map_err(database)?;
        result.results().map_err(|e| SqlError::Decode(e.to_string()))
    }

    async fn first<T: DeserializeOwned>(&self, statement: Statement) -> Result<Option<T>, SqlError> {
        let prepared = prepare(self, &statement)?;
        retry_transient(|| prepared.first(None)).await.map_err(database)
    }

    async fn run(&self, statement: Statement) -> Result<Outcome, SqlError> {
        let prepared = prepare(self, &statement)?;
        let result = retry_transient(|| prepared.run()).await.map_err(database)?;
        Ok(outcome(&result))
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<Outcome>, SqlError> {
        let prepared = statements.iter().map(|s| prepare(self, s)).collect::<Result<Vec<_>, _>>()?;
        let results = retry_transient(|| self.batch(prepared.clone())).await.map_err(database)?;
        Ok(results.iter().map(outcome).collect())
    }

    async fn read_batch(&self, statements: Vec<Statement>) -> Result<Vec<Self::Rows>, SqlError> {
        let prepared = statements.iter().map(|s| prepare(self, s)).collect::<Result<Vec<_>, _>>()?;
        retry_transient(|| self.batch(prepared.clone())).await.map_err(database)
    }
}

/// Whether a D1 error is worth retrying: the database was busy (locally, the other `wrangler dev`
/// process holding the SQLite file, which miniflare reports as an `internal error`), or D1 reset
/// or lost its connection. Every write through [`crate::shards::StoreDb`] is safe to run again:
/// inserts carry fresh ids under unique constraints, updates set values, deletes are idempotent.
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn d1_constraint_messages_are_constraint_errors_and_unique_ones_say_so() {
        let unique = SqlError::from_database(
            "D1_ERROR: UNIQUE constraint failed: products.store_id, products.slug: SQLITE_CONSTRAINT".into(),
        );
        assert!(matches!(unique, SqlError::Constraint(_)));
        assert!(unique.is_unique_violation());
        let foreign =
            SqlError::from_database("D1_ERROR: FOREIGN KEY constraint failed: SQLITE_CONSTRAINT".into());
        assert!(matches!(foreign, SqlError::Constraint(_)));
        assert!(!foreign.is_unique_violation());
        assert!(matches!(
            SqlError::from_database("D1_ERROR: no such table: nope".into()),
            SqlError::Database(_)
        ));
    }

    #[test]
    fn arguments_convert_from_the_values_callers_hold() {
        assert_eq!(Arg::from("a"), Arg::Text("a".into()));
        assert_eq!(Arg::from(&"b".to_owned()), Arg::Text("b".into()));
        assert_eq!(Arg::from(7u32), Arg::Int(7));
        assert_eq!(Arg::from(u64::MAX), Arg::Int(i64::MAX));
        assert_eq!(Arg::from(true), Arg::Int(1));
        assert_eq!(Arg::from(None::<&str>), Arg::Null);
        assert_eq!(Arg::from(Some(2.5)), Arg::Real(2.5));
    }
}
