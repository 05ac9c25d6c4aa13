//! The internal API's used nonces (`internal_nonces`): each signed request is accepted once.

use tenancy::sql::{Sql, SqlError, Statement};

/// Records a nonce until `expires_at` (Unix seconds); `false` when it was recorded before, which
/// makes the request a replay.
pub async fn record(db: &impl Sql, nonce: &str, expires_at: i64) -> Result<bool, SqlError> {
    let recorded = db
        .run(Statement::new(
            "INSERT INTO internal_nonces (nonce, expires_at) VALUES (?1, ?2) ON CONFLICT (nonce) DO NOTHING",
            vec![nonce.into(), expires_at.into()],
        ))
        .await?;
    Ok(recorded.changes > 0)
}

/// Forgets the nonces that expired before `now` (Unix seconds): their requests are stale anyway.
pub async fn prune(db: &impl Sql, now: i64) -> Result<u64, SqlError> {
    let pruned =
        db.run(Statement::new("DELETE FROM internal_nonces WHERE expires_at < ?1", vec![now.into()])).await?;
    Ok(pruned.changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, platform};

    #[test]
    fn a_nonce_is_accepted_once() {
        let db = platform();
        assert!(block_on(record(&db, "n1", 100)).unwrap());
        assert!(!block_on(record(&db, "n1", 100)).unwrap());
        assert!(block_on(record(&db, "n2", 100)).unwrap());
    }

    #[test]
    fn pruning_forgets_only_expired_nonces() {
        let db = platform();
        block_on(record(&db, "old", 99)).unwrap();
        block_on(record(&db, "edge", 100)).unwrap();
        assert_eq!(block_on(prune(&db, 100)).unwrap(), 1);
        assert!(block_on(record(&db, "old", 200)).unwrap());
        assert!(!block_on(record(&db, "edge", 200)).unwrap());
    }
}
