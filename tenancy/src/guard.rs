//! The store guard: whether a statement can only read and write the rows of the store bound
//! as `?1`.

/// Why `sql` could reach another store's rows, or `Ok` when every `SELECT`, `UPDATE` and
/// `DELETE` filters on `store_id = ?1` and an `INSERT` writes it.
pub fn check(sql: &str) -> Result<(), String> {
    let normalised = sql.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    let scoped = if normalised.starts_with("insert") {
        normalised.contains("store_id") && normalised.contains("?1")
    } else {
        normalised.contains("store_id = ?1")
    };
    if scoped {
        Ok(())
    } else {
        Err("no `store_id = ?1` filter".to_owned())
    }
}
