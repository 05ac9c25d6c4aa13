//! API keys (`api_keys`): creating, listing and revoking a tenant's keys, and finding the key a
//! request presents.

use domain::TenantId;
use serde::Deserialize;
use tenancy::sql::{Outcome, Sql, SqlError, Statement};

/// A new key, stored by its hash.
pub struct NewKey<'a> {
    /// Key id.
    pub id: &'a str,
    /// The tenant it acts in.
    pub tenant: TenantId,
    /// The user who created it.
    pub created_by: &'a str,
    /// Its name.
    pub name: &'a str,
    /// The start of the key, shown in lists.
    pub prefix: &'a str,
    /// SHA-256 of the key, hex.
    pub key_hash: &'a str,
    /// `read` or `write`.
    pub scope: &'a str,
    /// Creation time.
    pub at: &'a str,
}

/// Stores a new key.
pub fn create(key: &NewKey<'_>) -> Statement {
    Statement::new(
        "INSERT INTO api_keys (id, tenant_id, created_by, name, prefix, key_hash, scope, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        vec![
            key.id.into(),
            key.tenant.to_string().into(),
            key.created_by.into(),
            key.name.into(),
            key.prefix.into(),
            key.key_hash.into(),
            key.scope.into(),
            key.at.into(),
        ],
    )
}

/// Revokes the live keys `user` made: all of them (`tenant` `None`, after a password reset), or
/// those of one tenant (when the user leaves it). A key outlives neither its maker's membership
/// nor the password it was made under.
pub fn revoke_made_by(user: &str, tenant: Option<TenantId>, at: &str) -> Statement {
    Statement::new(
        "UPDATE api_keys SET revoked_at = ?2 WHERE created_by = ?1 AND revoked_at IS NULL \
         AND (?3 IS NULL OR tenant_id = ?3)",
        vec![user.into(), at.into(), tenant.map(|t| t.to_string()).into()],
    )
}

/// A live key as its tenant lists it (never the key or its hash).
#[derive(Debug, Deserialize)]
pub struct KeyRow {
    /// Key id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The start of the key.
    pub prefix: String,
    /// `read` or `write`.
    pub scope: String,
    /// Creation time.
    pub created_at: String,
    /// When it last authenticated a request.
    pub last_used_at: Option<String>,
}

/// A tenant's live keys, newest first.
pub async fn live(db: &impl Sql, tenant: TenantId) -> Result<Vec<KeyRow>, SqlError> {
    db.all(Statement::new(
        "SELECT id, name, prefix, scope, created_at, last_used_at FROM api_keys \
         WHERE tenant_id = ?1 AND revoked_at IS NULL ORDER BY created_at DESC",
        vec![tenant.to_string().into()],
    ))
    .await
}

/// Revokes a live key of the tenant; no change when it is another tenant's or revoked already.
pub async fn revoke(db: &impl Sql, tenant: TenantId, id: &str, at: &str) -> Result<Outcome, SqlError> {
    db.run(Statement::new(
        "UPDATE api_keys SET revoked_at = ?3 WHERE id = ?1 AND tenant_id = ?2 AND revoked_at IS NULL",
        vec![id.into(), tenant.to_string().into(), at.into()],
    ))
    .await
}

/// A presented key's credentials, with its tenant's plan.
#[derive(Debug, Deserialize)]
pub struct Credential {
    /// Key id.
    pub id: String,
    /// The tenant it acts in.
    pub tenant_id: String,
    /// The user who created it.
    pub created_by: String,
    /// `read` or `write`.
    pub scope: String,
    /// The tenant's plan.
    pub plan: String,
}

/// The live key with this hash.
pub async fn by_hash(db: &impl Sql, key_hash: &str) -> Result<Option<Credential>, SqlError> {
    db.first(Statement::new(
        "SELECT k.id, k.tenant_id, k.created_by, k.scope, t.plan FROM api_keys k JOIN tenants t ON t.id = k.tenant_id \
         WHERE k.key_hash = ?1 AND k.revoked_at IS NULL",
        vec![key_hash.into()],
    ))
    .await
}

/// Records that a key authenticated a request.
pub async fn used(db: &impl Sql, id: &str, at: &str) -> Result<Outcome, SqlError> {
    db.run(Statement::new("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1", vec![id.into(), at.into()]))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::accounts;
    use crate::repo::testing::{block_on, platform, tenant_id};
    use tenancy::shards::PlatformDb;
    use tenancy::sqlite::Sqlite;

    const AT: &str = "2026-01-01T00:00:00Z";
    const USER: &str = "20000000-0000-4000-8000-000000000001";

    fn key<'a>(id: &'a str, tenant: TenantId, hash: &'a str, at: &'a str) -> NewKey<'a> {
        NewKey {
            id,
            tenant,
            created_by: USER,
            name: "ci",
            prefix: "dsk_abcdef",
            key_hash: hash,
            scope: "write",
            at,
        }
    }

    fn two_tenants() -> PlatformDb<Sqlite> {
        let db = platform();
        let user = USER.parse().unwrap();
        block_on(db.batch(accounts::sign_up(tenant_id(1), "Acme", user, "a@example.com", "h", AT))).unwrap();
        block_on(db.batch(vec![accounts::tenant(tenant_id(2), "Other", AT)])).unwrap();
        db
    }

    #[test]
    fn a_presented_key_is_found_by_hash_with_its_tenants_plan_until_revoked() {
        let db = two_tenants();
        block_on(db.batch(vec![create(&key("k1", tenant_id(1), "hash1", AT))])).unwrap();
        let found = block_on(by_hash(&db, "hash1")).unwrap().expect("the key is live");
        assert_eq!(
            (found.id.as_str(), found.plan.as_str(), found.scope.as_str()),
            ("k1", "starter", "write")
        );
        assert!(block_on(by_hash(&db, "other")).unwrap().is_none());
        assert_eq!(block_on(revoke(&db, tenant_id(1), "k1", AT)).unwrap().changes, 1);
        assert!(block_on(by_hash(&db, "hash1")).unwrap().is_none());
    }

    #[test]
    fn another_tenant_can_neither_list_nor_revoke_a_key() {
        let db = two_tenants();
        block_on(db.batch(vec![create(&key("k1", tenant_id(1), "hash1", AT))])).unwrap();
        assert!(block_on(live(&db, tenant_id(2))).unwrap().is_empty());
        assert_eq!(block_on(revoke(&db, tenant_id(2), "k1", AT)).unwrap().changes, 0);
        assert_eq!(block_on(live(&db, tenant_id(1))).unwrap().len(), 1);
    }

    #[test]
    fn keys_list_newest_first_with_their_last_use() {
        let db = two_tenants();
        block_on(db.batch(vec![
            create(&key("old", tenant_id(1), "h1", AT)),
            create(&key("new", tenant_id(1), "h2", "2026-01-02T00:00:00Z")),
        ]))
        .unwrap();
        block_on(used(&db, "old", "2026-01-03T00:00:00Z")).unwrap();
        let keys = block_on(live(&db, tenant_id(1))).unwrap();
        let ids: Vec<_> = keys.iter().map(|k| k.id.as_str()).collect();
        assert_eq!(ids, ["new", "old"]);
        assert_eq!(keys[1].last_used_at.as_deref(), Some("2026-01-03T00:00:00Z"));
    }

    #[test]
    fn two_keys_with_one_hash_are_a_unique_violation() {
        let db = two_tenants();
        block_on(db.batch(vec![create(&key("k1", tenant_id(1), "same", AT))])).unwrap();
        let error = block_on(db.batch(vec![create(&key("k2", tenant_id(1), "same", AT))])).unwrap_err();
        assert!(error.is_unique_violation());
    }

    #[test]
    fn a_makers_keys_end_with_their_membership_or_their_password() {
        let db = two_tenants();
        let user = USER.parse().unwrap();
        block_on(db.batch(vec![accounts::membership(tenant_id(2), user, "staff", AT)])).unwrap();
        block_on(db.batch(vec![
            create(&key("a1", tenant_id(1), "h1", AT)),
            create(&key("a2", tenant_id(1), "h2", AT)),
            create(&key("b1", tenant_id(2), "h3", AT)),
        ]))
        .unwrap();
        // Leaving tenant 2 ends the key made there, and only that one.
        block_on(db.batch(vec![revoke_made_by(USER, Some(tenant_id(2)), AT)])).unwrap();
        assert!(block_on(by_hash(&db, "h3")).unwrap().is_none());
        assert_eq!(block_on(live(&db, tenant_id(1))).unwrap().len(), 2);
        // A password reset ends every key the user made.
        block_on(db.batch(vec![revoke_made_by(USER, None, AT)])).unwrap();
        assert!(block_on(live(&db, tenant_id(1))).unwrap().is_empty());
    }
}
