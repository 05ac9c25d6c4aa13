//! The platform's audit log (`audit_log`): who changed what, when. Entries are written in the
//! same batch as the write they record ([`entry`]) and read back by the tenant's owner
//! ([`page`]).

use domain::TenantId;
use serde::{Deserialize, Serialize};
use tenancy::sql::{Sql, SqlError, Statement};

const INSERT: &str =
    "INSERT INTO audit_log (tenant_id, actor, action, target, at) VALUES (?1, ?2, ?3, ?4, ?5)";

/// An audit-log insert for a write, to run in the same batch as the write it records.
pub fn entry(tenant: Option<TenantId>, actor: &str, action: &str, target: &str, at: &str) -> Statement {
    Statement::new(
        INSERT,
        vec![tenant.map(|t| t.to_string()).into(), actor.into(), action.into(), target.into(), at.into()],
    )
}

/// Writes an audit-log entry on its own, for a write whose own statements are elsewhere.
pub async fn record(
    db: &impl Sql,
    tenant: Option<TenantId>,
    actor: &str,
    action: &str,
    target: &str,
    at: &str,
) -> Result<(), SqlError> {
    db.run(entry(tenant, actor, action, target, at)).await.map(|_| ())
}

/// An audit-log entry as its tenant's owner reads it.
#[derive(Debug, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Entry id, increasing: the cursor of the next page.
    pub id: i64,
    /// Who did it: a user id, `key:<id>`, or a pipeline.
    pub actor: String,
    /// What was done (`store.create`...).
    pub action: String,
    /// What it was done to.
    pub target: Option<String>,
    /// When.
    pub at: String,
}

/// A tenant's entries with ids below `before`, newest first, at most `limit`.
pub async fn page(
    db: &impl Sql,
    tenant: TenantId,
    before: i64,
    limit: u32,
) -> Result<Vec<AuditEntry>, SqlError> {
    db.all(Statement::new(
        "SELECT id, actor, action, target, at FROM audit_log WHERE tenant_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
        vec![tenant.to_string().into(), before.into(), limit.into()],
    ))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, platform, tenant_id};

    fn record(db: &impl Sql, tenant: Option<TenantId>, target: &str) {
        block_on(db.batch(vec![entry(tenant, "user", "store.create", target, "2026-01-01T00:00:00Z")]))
            .expect("the entry is written");
    }

    #[test]
    fn a_tenant_reads_only_its_own_entries_newest_first() {
        let db = platform();
        record(&db, Some(tenant_id(1)), "a");
        record(&db, Some(tenant_id(2)), "other");
        record(&db, None, "platform");
        record(&db, Some(tenant_id(1)), "b");
        let entries = block_on(page(&db, tenant_id(1), i64::MAX, 100)).unwrap();
        let targets: Vec<_> = entries.iter().map(|e| e.target.as_deref().unwrap()).collect();
        assert_eq!(targets, ["b", "a"]);
    }

    #[test]
    fn pages_continue_below_the_last_id_and_respect_the_limit() {
        let db = platform();
        for target in ["1", "2", "3", "4", "5"] {
            record(&db, Some(tenant_id(1)), target);
        }
        let first = block_on(page(&db, tenant_id(1), i64::MAX, 2)).unwrap();
        let targets: Vec<_> = first.iter().map(|e| e.target.clone().unwrap()).collect();
        assert_eq!(targets, ["5", "4"]);
        let next = block_on(page(&db, tenant_id(1), first[1].id, 2)).unwrap();
        let targets: Vec<_> = next.iter().map(|e| e.target.clone().unwrap()).collect();
        assert_eq!(targets, ["3", "2"]);
    }
}
