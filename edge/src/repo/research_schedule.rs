//! The platform's side of research runs (the platform tables `stores` and `tenants`): which
//! stores a schedule may run research for, the window each was last claimed in, and who gets a
//! run's report. The runs themselves are in the store database ([`super::research_runs`]).

use serde::Deserialize;
use tenancy::shards::PlatformDb;
use tenancy::sql::{Sql, SqlError, Statement};

/// An active store whose subscription is not canceled, with what scheduling its research needs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DueStore {
    /// Store id.
    pub id: String,
    /// Owning tenant.
    pub tenant_id: String,
    /// Niche that steers research.
    pub niche: String,
    /// Shard index.
    pub shard: u16,
    /// The tenant's plan.
    pub plan: String,
    /// Products a run imports at most.
    pub max_imports_per_run: i64,
    /// Start of the last window a run was claimed in (RFC 3339).
    pub last_research_window: Option<String>,
}

/// The active stores of tenants whose subscription is not canceled, by id.
pub async fn active_stores(db: &PlatformDb<impl Sql>) -> Result<Vec<DueStore>, SqlError> {
    db.all(Statement::new(
        "SELECT s.id, s.tenant_id, s.niche, s.shard, t.plan, s.max_imports_per_run, s.last_research_window \
         FROM stores s JOIN tenants t ON t.id = s.tenant_id \
         WHERE s.status = 'active' AND t.subscription_status != 'canceled' ORDER BY s.id",
        vec![],
    ))
    .await
}

/// Records that store `store`'s run of the window starting at `window` was claimed.
pub async fn set_research_window(
    db: &PlatformDb<impl Sql>,
    store: &str,
    window: &str,
) -> Result<(), SqlError> {
    db.run(Statement::new(
        "UPDATE stores SET last_research_window = ?2 WHERE id = ?1",
        vec![store.into(), window.into()],
    ))
    .await?;
    Ok(())
}

/// The email of the tenant's first owner.
pub async fn owner_email(db: &PlatformDb<impl Sql>, tenant: &str) -> Result<Option<String>, SqlError> {
    #[derive(Deserialize)]
    struct Owner {
        email: String,
    }
    let owner: Option<Owner> = db
        .first(Statement::new(
            "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.tenant_id = ?1 AND m.role = 'owner' ORDER BY m.created_at LIMIT 1",
            vec![tenant.into()],
        ))
        .await?;
    Ok(owner.map(|o| o.email))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, platform};

    async fn script(db: &PlatformDb<impl Sql>, sql: &str) {
        db.run(Statement::new(sql, vec![])).await.unwrap();
    }

    async fn tenant(db: &PlatformDb<impl Sql>, id: &str, plan: &str, subscription: &str) {
        script(
            db,
            &format!(
                "INSERT INTO tenants (id, name, plan, subscription_status, created_at) \
                 VALUES ('{id}', 'T', '{plan}', '{subscription}', '2026-01-01T00:00:00Z')"
            ),
        )
        .await;
    }

    async fn store(db: &PlatformDb<impl Sql>, id: &str, tenant: &str, status: &str) {
        script(
            db,
            &format!(
                "INSERT INTO stores (id, tenant_id, slug, name, niche, currency, status, shard, created_at) \
                 VALUES ('{id}', '{tenant}', 'slug-{id}', 'S', 'dogs', 'USD', '{status}', 1, '2026-01-01T00:00:00Z')"
            ),
        )
        .await;
    }

    #[test]
    fn only_active_stores_of_tenants_not_canceled_are_due_by_id_with_their_plan() {
        let db = platform();
        block_on(async {
            tenant(&db, "t1", "growth", "active").await;
            tenant(&db, "t2", "starter", "canceled").await;
            store(&db, "s2", "t1", "active").await;
            store(&db, "s1", "t1", "active").await;
            store(&db, "s3", "t1", "suspended").await;
            store(&db, "s4", "t2", "active").await;
            let due = active_stores(&db).await.unwrap();
            let ids: Vec<&str> = due.iter().map(|s| s.id.as_str()).collect();
            assert_eq!(ids, ["s1", "s2"]);
            assert_eq!((due[0].plan.as_str(), due[0].shard, due[0].max_imports_per_run), ("growth", 1, 5));
            assert_eq!(due[0].last_research_window, None);
        });
    }

    #[test]
    fn a_claimed_window_is_remembered_for_that_store_only() {
        let db = platform();
        block_on(async {
            tenant(&db, "t1", "growth", "active").await;
            store(&db, "s1", "t1", "active").await;
            store(&db, "s2", "t1", "active").await;
            set_research_window(&db, "s1", "2026-01-05T00:00:00Z").await.unwrap();
            let due = active_stores(&db).await.unwrap();
            assert_eq!(due[0].last_research_window.as_deref(), Some("2026-01-05T00:00:00Z"));
            assert_eq!(due[1].last_research_window, None);
        });
    }

    #[test]
    fn the_report_goes_to_the_first_owner_of_the_tenant_not_to_staff_or_another_tenants_owner() {
        let db = platform();
        block_on(async {
            tenant(&db, "t1", "growth", "active").await;
            tenant(&db, "t2", "growth", "active").await;
            script(
                &db,
                "INSERT INTO users (id, email, password_hash, created_at) VALUES \
                 ('u1', 'staff@example.test', 'x', '2026-01-01T00:00:00Z'), \
                 ('u2', 'second@example.test', 'x', '2026-01-01T00:00:00Z'), \
                 ('u3', 'first@example.test', 'x', '2026-01-01T00:00:00Z'), \
                 ('u4', 'other@example.test', 'x', '2026-01-01T00:00:00Z')",
            )
            .await;
            script(
                &db,
                "INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES \
                 ('t1', 'u1', 'staff', '2025-01-01T00:00:00Z'), \
                 ('t1', 'u2', 'owner', '2026-02-01T00:00:00Z'), \
                 ('t1', 'u3', 'owner', '2026-01-01T00:00:00Z'), \
                 ('t2', 'u4', 'owner', '2024-01-01T00:00:00Z')",
            )
            .await;
            assert_eq!(owner_email(&db, "t1").await.unwrap().as_deref(), Some("first@example.test"));
            assert_eq!(owner_email(&db, "t3").await.unwrap(), None);
        });
    }
}
