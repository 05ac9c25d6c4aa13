//! The SQL port on native SQLite (feature `sqlite`, never built for the Workers), so the
//! repositories and the store guard are tested on the edge's real schema without a Worker.
//!
//! It behaves as D1 does where callers can tell: foreign keys are enforced, rows decode from
//! column names to JSON values, constraint failures are [`SqlError::Constraint`], and a batch
//! is one transaction.

use std::path::Path;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::sql::{Arg, Outcome, Rows, Sql, SqlError, Statement};

/// A SQLite database (in memory) that runs the port's statements.
pub struct Sqlite {
    connection: Connection,
}

fn database(error: rusqlite::Error) -> SqlError {
    SqlError::from_database(error.to_string())
}

/// The longest `LIKE` pattern D1 accepts, in bytes.
pub const D1_LIKE_PATTERN_MAX: i32 = 50;

impl Sqlite {
    /// An empty in-memory database with foreign keys enforced, as D1 has them.
    pub fn memory() -> Result<Sqlite, SqlError> {
        let connection = Connection::open_in_memory().map_err(database)?;
        connection.execute_batch("PRAGMA foreign_keys = ON").map_err(database)?;
        // D1 refuses `LIKE`/`GLOB` patterns over 50 bytes ("pattern too complex"); so do tests.
        connection
            .set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_LIKE_PATTERN_LENGTH, D1_LIKE_PATTERN_MAX)
            .map_err(database)?;
        Ok(Sqlite { connection })
    }

    /// An in-memory database with every `*.sql` file of each directory applied, directory by
    /// directory, each in file-name order (the way D1 applies its migrations).
    pub fn with_migrations(dirs: &[&Path]) -> Result<Sqlite, SqlError> {
        let db = Sqlite::memory()?;
        for dir in dirs {
            let entries = std::fs::read_dir(dir)
                .map_err(|e| SqlError::Database(format!("reading {}: {e}", dir.display())))?;
            let mut files = entries
                .map(|entry| entry.map(|e| e.path()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| SqlError::Database(format!("reading {}: {e}", dir.display())))?;
            files.retain(|path| path.extension().is_some_and(|ext| ext == "sql"));
            files.sort();
            for file in files {
                let sql = std::fs::read_to_string(&file)
                    .map_err(|e| SqlError::Database(format!("reading {}: {e}", file.display())))?;
                db.execute_script(&sql)
                    .map_err(|e| SqlError::Database(format!("applying {}: {e}", file.display())))?;
            }
        }
        Ok(db)
    }

    /// Runs SQL text of any number of statements, without arguments (schemas, fixtures).
    pub fn execute_script(&self, sql: &str) -> Result<(), SqlError> {
        self.connection.execute_batch(sql).map_err(database)
    }

    /// Runs one statement and hands every row, as a JSON object, to `row`.
    fn query(&self, statement: &Statement, mut row: impl FnMut(Value)) -> Result<Outcome, SqlError> {
        let before = self.connection.total_changes();
        let mut prepared = self.connection.prepare(&statement.sql).map_err(database)?;
        for (index, arg) in statement.args.iter().enumerate() {
            let value = match arg {
                Arg::Null => SqlValue::Null,
                Arg::Int(value) => SqlValue::Integer(*value),
                Arg::Real(value) => SqlValue::Real(*value),
                Arg::Text(value) => SqlValue::Text(value.clone()),
            };
            prepared.raw_bind_parameter(index + 1, value).map_err(database)?;
        }
        let columns: Vec<String> = prepared.column_names().map(str::to_owned).collect();
        let mut rows = prepared.raw_query();
        while let Some(found) = rows.next().map_err(database)? {
            let mut object = Map::with_capacity(columns.len());
            for (index, column) in columns.iter().enumerate() {
                object.insert(column.clone(), json(found.get_ref(index).map_err(database)?));
            }
            row(Value::Object(object));
        }
        drop(rows);
        // `changes()` keeps the count of the last write, so a read or a pragma reports none.
        let changed = self.connection.total_changes() != before;
        Ok(Outcome {
            changes: if changed { self.connection.changes() } else { 0 },
            last_row_id: Some(self.connection.last_insert_rowid()),
        })
    }
}

/// A column as D1 hands it to JavaScript: integers and reals as numbers, text as strings,
/// blobs as arrays of bytes.
fn json(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::from(n),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        ValueRef::Text(bytes) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
        ValueRef::Blob(bytes) => Value::Array(bytes.iter().map(|b| Value::from(*b)).collect()),
    }
}

fn decode<T: DeserializeOwned>(row: Value) -> Result<T, SqlError> {
    serde_json::from_value(row).map_err(|e| SqlError::Decode(e.to_string()))
}

/// The rows of one read, as D1 hands them over: objects from column names to values.
pub struct JsonRows(Vec<Value>);

impl Rows for JsonRows {
    fn decode<T: DeserializeOwned>(self) -> Result<Vec<T>, SqlError> {
        self.0.into_iter().map(decode).collect()
    }
}

impl Sql for Sqlite {
    type Rows = JsonRows;

    async fn all<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, SqlError> {
        let mut rows = Vec::new();
        self.query(&statement, |row| rows.push(row))?;
        rows.into_iter().map(decode).collect()
    }

    async fn first<T: DeserializeOwned>(&self, statement: Statement) -> Result<Option<T>, SqlError> {
        let mut first = None;
        self.query(&statement, |row| {
            first.get_or_insert(row);
        })?;
        first.map(decode).transpose()
    }

    async fn run(&self, statement: Statement) -> Result<Outcome, SqlError> {
        self.query(&statement, |_| {})
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<Outcome>, SqlError> {
        // Dropped without a commit, the transaction rolls back: all apply or none does.
        let transaction = self.connection.unchecked_transaction().map_err(database)?;
        let outcomes = statements
            .iter()
            .map(|statement| self.query(statement, |_| {}))
            .collect::<Result<Vec<_>, _>>()?;
        transaction.commit().map_err(database)?;
        Ok(outcomes)
    }

    async fn read_batch(&self, statements: Vec<Statement>) -> Result<Vec<Self::Rows>, SqlError> {
        let transaction = self.connection.unchecked_transaction().map_err(database)?;
        let mut results = Vec::with_capacity(statements.len());
        for statement in &statements {
            let mut rows = Vec::new();
            self.query(statement, |row| rows.push(row))?;
            results.push(JsonRows(rows));
        }
        transaction.commit().map_err(database)?;
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_decode_by_column_name_with_sqlite_types_as_json() {
        let db = Sqlite::memory().unwrap();
        let row: Option<Value> = pollster::block_on(
            db.first(Statement::new("SELECT 1 AS i, 2.5 AS r, 'x' AS t, NULL AS n, x'0102' AS b", vec![])),
        )
        .unwrap();
        assert_eq!(row, Some(serde_json::json!({"i": 1, "r": 2.5, "t": "x", "n": null, "b": [1, 2]})));
    }

    #[test]
    fn a_row_of_the_wrong_shape_is_a_decode_error() {
        #[derive(serde::Deserialize, Debug)]
        #[expect(dead_code, reason = "only decoded")]
        struct Row {
            n: i64,
        }
        let db = Sqlite::memory().unwrap();
        let error =
            pollster::block_on(db.first::<Row>(Statement::new("SELECT 'x' AS n", vec![]))).unwrap_err();
        assert!(matches!(error, SqlError::Decode(_)), "{error}");
    }
}
