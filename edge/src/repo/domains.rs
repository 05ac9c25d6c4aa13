//! A store's hosts (`domains`): its platform sub-domain and the custom domains its merchant adds,
//! with the challenge that proves each custom one. Platform hosts are written with their store
//! ([`crate::repo::stores::create`]).

use domain::{StoreId, TenantId};
use serde::Deserialize;
use tenancy::sql::{Sql, SqlError, Statement};

/// A host of a store.
#[derive(Debug, Deserialize)]
pub struct DomainRow {
    /// The host name.
    pub host: String,
    /// `platform` or `custom`.
    pub kind: String,
    /// The TXT challenge of a custom domain.
    pub challenge: Option<String>,
    /// When it was verified; routed from then on.
    pub verified_at: Option<String>,
    /// Its Cloudflare custom hostname, once verified.
    pub cf_hostname_id: Option<String>,
    /// Since when its TXT record has been missing at the daily check, while it is.
    pub record_missing_since: Option<String>,
}

/// A host of the store, if the store has it.
pub async fn get(db: &impl Sql, store: StoreId, host: &str) -> Result<Option<DomainRow>, SqlError> {
    db.first(Statement::new(
        "SELECT host, kind, challenge, verified_at, cf_hostname_id, record_missing_since FROM domains \
         WHERE store_id = ?1 AND host = ?2",
        vec![store.to_string().into(), host.into()],
    ))
    .await
}

/// A store's hosts: platform first, then custom, each by name.
pub async fn of_store(db: &impl Sql, store: StoreId) -> Result<Vec<DomainRow>, SqlError> {
    db.all(Statement::new(
        "SELECT host, kind, challenge, verified_at, cf_hostname_id, record_missing_since FROM domains \
         WHERE store_id = ?1 ORDER BY kind, host",
        vec![store.to_string().into()],
    ))
    .await
}

/// How many custom domains a tenant has, across its stores.
pub async fn custom_count(db: &impl Sql, tenant: TenantId) -> Result<u64, SqlError> {
    let row: Option<crate::repo::Count> = db
        .first(Statement::new(
            "SELECT COUNT(*) AS n FROM domains WHERE tenant_id = ?1 AND kind = 'custom'",
            vec![tenant.to_string().into()],
        ))
        .await?;
    Ok(row.map_or(0, |r| r.n))
}

/// Adds a pending custom domain; a host that belongs to any store is a unique violation.
pub fn add_custom(store: StoreId, tenant: TenantId, host: &str, challenge: &str, at: &str) -> Statement {
    Statement::new(
        "INSERT INTO domains (host, store_id, tenant_id, kind, challenge, created_at) VALUES (?1, ?2, ?3, 'custom', ?4, ?5)",
        vec![host.into(), store.to_string().into(), tenant.to_string().into(), challenge.into(), at.into()],
    )
}

/// Releases `host` if it is a custom domain that nobody verified since before `cutoff` (any
/// store's): a pending claim expires ([`domain::dns::PENDING_DOMAIN_DAYS`]).
pub fn release_expired(host: &str, cutoff: &str) -> Statement {
    Statement::new(
        "DELETE FROM domains WHERE host = ?1 AND kind = 'custom' AND verified_at IS NULL AND created_at < ?2",
        vec![host.into(), cutoff.into()],
    )
}

/// Marks a store's host verified, served through Cloudflare custom hostname `hostname_id`.
pub fn verified(store: StoreId, host: &str, at: &str, hostname_id: &str) -> Statement {
    Statement::new(
        "UPDATE domains SET verified_at = ?3, cf_hostname_id = ?4 WHERE store_id = ?1 AND host = ?2",
        vec![store.to_string().into(), host.into(), at.into(), hostname_id.into()],
    )
}

/// A verified custom domain due for its check.
#[derive(Debug, Deserialize, PartialEq, Eq)]
pub struct DueCheck {
    /// The host name.
    pub host: String,
    /// Its store.
    pub store_id: String,
    /// The store's tenant.
    pub tenant_id: String,
    /// The TXT challenge the record must still hold.
    pub challenge: String,
    /// Its Cloudflare custom hostname.
    pub cf_hostname_id: Option<String>,
    /// Since when the record has been missing, if it was at the last check.
    pub record_missing_since: Option<String>,
}

/// The verified custom domains last checked (or verified) at or before `cutoff`, least recently
/// checked first, at most `limit`.
pub async fn due_checks(db: &impl Sql, cutoff: &str, limit: u32) -> Result<Vec<DueCheck>, SqlError> {
    db.all(Statement::new(
        "SELECT host, store_id, tenant_id, challenge, cf_hostname_id, record_missing_since FROM domains \
         WHERE kind = 'custom' AND verified_at IS NOT NULL AND challenge IS NOT NULL \
         AND COALESCE(checked_at, verified_at) <= ?1 ORDER BY COALESCE(checked_at, verified_at), host LIMIT ?2",
        vec![cutoff.into(), limit.into()],
    ))
    .await
}

/// A check found `host`'s TXT record (`found`) or not at `at`: a missing record is dated from the
/// first check that missed it; a found one clears that date.
pub fn checked(host: &str, found: bool, at: &str) -> Statement {
    Statement::new(
        "UPDATE domains SET checked_at = ?3, \
         record_missing_since = CASE WHEN ?2 THEN NULL ELSE COALESCE(record_missing_since, ?3) END \
         WHERE host = ?1 AND verified_at IS NOT NULL",
        vec![host.into(), i64::from(found).into(), at.into()],
    )
}

/// The Cloudflare custom hostnames of a store's domains.
pub async fn hostname_ids(db: &impl Sql, store: StoreId) -> Result<Vec<String>, SqlError> {
    #[derive(Deserialize)]
    struct Row {
        cf_hostname_id: String,
    }
    let rows: Vec<Row> = db
        .all(Statement::new(
            "SELECT cf_hostname_id FROM domains WHERE store_id = ?1 AND cf_hostname_id IS NOT NULL",
            vec![store.to_string().into()],
        ))
        .await?;
    Ok(rows.into_iter().map(|r| r.cf_hostname_id).collect())
}

/// Removes a store's host.
pub fn remove(store: StoreId, host: &str) -> Statement {
    Statement::new(
        "DELETE FROM domains WHERE store_id = ?1 AND host = ?2",
        vec![store.to_string().into(), host.into()],
    )
}

/// The store a verified custom host serves, if any.
pub async fn verified_store(db: &impl Sql, host: &str) -> Result<Option<String>, SqlError> {
    #[derive(Deserialize)]
    struct Row {
        store_id: String,
    }
    let row: Option<Row> = db
        .first(Statement::new(
            "SELECT store_id FROM domains WHERE host = ?1 AND verified_at IS NOT NULL",
            vec![host.to_ascii_lowercase().into()],
        ))
        .await?;
    Ok(row.map(|r| r.store_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::stores::tests::{add, tenants};
    use crate::repo::testing::{block_on, store_id, tenant_id};

    const AT: &str = "2026-01-01T00:00:00Z";

    #[test]
    fn a_custom_domain_is_pending_until_verified_and_listed_after_the_platform_host() {
        let db = tenants();
        add(&db, 1, 1, 0);
        block_on(db.batch(vec![add_custom(store_id(1), tenant_id(1), "a.example.com", "c1", AT)])).unwrap();
        let hosts = block_on(of_store(&db, store_id(1))).unwrap();
        let listed: Vec<_> = hosts.iter().map(|d| (d.host.as_str(), d.kind.as_str())).collect();
        assert_eq!(listed, [("a.example.com", "custom"), ("s1.shops.test", "platform")]);
        let pending = block_on(get(&db, store_id(1), "a.example.com")).unwrap().unwrap();
        assert_eq!((pending.challenge.as_deref(), pending.verified_at), (Some("c1"), None));
        block_on(db.batch(vec![verified(store_id(1), "a.example.com", AT, "cf-1")])).unwrap();
        let done = block_on(get(&db, store_id(1), "a.example.com")).unwrap().unwrap();
        assert_eq!((done.verified_at.as_deref(), done.cf_hostname_id.as_deref()), (Some(AT), Some("cf-1")));
        assert_eq!(block_on(hostname_ids(&db, store_id(1))).unwrap(), ["cf-1"]);
        assert!(block_on(hostname_ids(&db, store_id(2))).unwrap().is_empty());
    }

    #[test]
    fn verified_domains_come_due_a_day_after_their_last_check_and_a_missing_record_is_dated_once() {
        let db = tenants();
        add(&db, 1, 1, 0);
        block_on(db.batch(vec![
            add_custom(store_id(1), tenant_id(1), "a.example.com", "c1", AT),
            add_custom(store_id(1), tenant_id(1), "pending.example.com", "c2", AT),
            verified(store_id(1), "a.example.com", AT, "cf-1"),
        ]))
        .unwrap();
        let due = |cutoff: &str| block_on(due_checks(&db, cutoff, 10)).unwrap();
        assert!(due("2025-12-31T23:59:59Z").is_empty(), "not before its verification");
        let first = due(AT);
        assert_eq!(first.len(), 1, "pending and platform hosts are never checked: {first:?}");
        assert_eq!((first[0].challenge.as_str(), first[0].record_missing_since.as_deref()), ("c1", None));
        let day2 = "2026-01-02T00:00:00Z";
        block_on(db.batch(vec![checked("a.example.com", false, day2)])).unwrap();
        assert!(due(AT).is_empty(), "checked since");
        block_on(db.batch(vec![checked("a.example.com", false, "2026-01-03T00:00:00Z")])).unwrap();
        let row = block_on(get(&db, store_id(1), "a.example.com")).unwrap().unwrap();
        assert_eq!(
            row.record_missing_since.as_deref(),
            Some(day2),
            "missing since the first check that missed it"
        );
        block_on(db.batch(vec![checked("a.example.com", true, "2026-01-04T00:00:00Z")])).unwrap();
        let row = block_on(get(&db, store_id(1), "a.example.com")).unwrap().unwrap();
        assert_eq!(row.record_missing_since, None);
    }

    #[test]
    fn a_host_belongs_to_one_store_only() {
        let db = tenants();
        add(&db, 1, 1, 0);
        add(&db, 2, 2, 0);
        block_on(db.batch(vec![add_custom(store_id(1), tenant_id(1), "a.example.com", "c1", AT)])).unwrap();
        let taken =
            block_on(db.batch(vec![add_custom(store_id(2), tenant_id(2), "a.example.com", "c2", AT)]));
        assert!(taken.unwrap_err().is_unique_violation());
        assert!(block_on(get(&db, store_id(2), "a.example.com")).unwrap().is_none());
    }

    #[test]
    fn an_unproven_claim_expires_and_another_store_may_then_add_the_host() {
        let db = tenants();
        add(&db, 1, 1, 0);
        add(&db, 2, 2, 0);
        block_on(db.batch(vec![
            add_custom(store_id(1), tenant_id(1), "brand.example.com", "c1", AT),
            add_custom(store_id(1), tenant_id(1), "mine.example.com", "c2", AT),
            verified(store_id(1), "mine.example.com", AT, "cf-1"),
        ]))
        .unwrap();
        // Six days on, the claim still holds.
        let early = "2025-12-26T00:00:00Z";
        let refused = block_on(db.batch(vec![
            release_expired("brand.example.com", early),
            add_custom(store_id(2), tenant_id(2), "brand.example.com", "c3", "2026-01-07T00:00:00Z"),
        ]));
        assert!(refused.unwrap_err().is_unique_violation());
        // After seven days the unproven claim is released; a verified host never is.
        let cutoff = "2026-01-01T00:00:01Z";
        block_on(db.batch(vec![
            release_expired("brand.example.com", cutoff),
            add_custom(store_id(2), tenant_id(2), "brand.example.com", "c3", "2026-01-08T00:00:01Z"),
            release_expired("mine.example.com", cutoff),
        ]))
        .unwrap();
        assert!(block_on(get(&db, store_id(1), "brand.example.com")).unwrap().is_none());
        assert_eq!(
            block_on(get(&db, store_id(2), "brand.example.com")).unwrap().unwrap().challenge.as_deref(),
            Some("c3")
        );
        assert!(block_on(get(&db, store_id(1), "mine.example.com")).unwrap().is_some());
    }

    #[test]
    fn another_store_can_neither_verify_nor_remove_a_host() {
        let db = tenants();
        add(&db, 1, 1, 0);
        add(&db, 2, 1, 0);
        block_on(db.batch(vec![add_custom(store_id(1), tenant_id(1), "a.example.com", "c1", AT)])).unwrap();
        block_on(db.batch(vec![
            verified(store_id(2), "a.example.com", AT, "cf-2"),
            remove(store_id(2), "a.example.com"),
        ]))
        .unwrap();
        let kept = block_on(get(&db, store_id(1), "a.example.com")).unwrap().expect("the host stays");
        assert_eq!(kept.verified_at, None);
        block_on(db.batch(vec![remove(store_id(1), "a.example.com")])).unwrap();
        assert!(block_on(get(&db, store_id(1), "a.example.com")).unwrap().is_none());
    }

    #[test]
    fn custom_domains_are_counted_per_tenant_without_platform_hosts() {
        let db = tenants();
        add(&db, 1, 1, 0);
        add(&db, 2, 1, 0);
        add(&db, 3, 2, 0);
        block_on(db.batch(vec![
            add_custom(store_id(1), tenant_id(1), "a.example.com", "c", AT),
            add_custom(store_id(2), tenant_id(1), "b.example.com", "c", AT),
            add_custom(store_id(3), tenant_id(2), "c.example.com", "c", AT),
        ]))
        .unwrap();
        assert_eq!(block_on(custom_count(&db, tenant_id(1))).unwrap(), 2);
        assert_eq!(block_on(custom_count(&db, tenant_id(2))).unwrap(), 1);
    }
}
