//! GDPR on the platform database: the rows of a tenant's export, and its erasure (`erasures`,
//! and the deletion of everything the tenant owns in the platform database).

use serde::Deserialize;
use serde_json::Value;
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

/// Every row of a store in its shard, table by table, whatever tables later migrations add.
pub async fn store_rows(db: &StoreDb<impl Sql>) -> Result<Vec<(String, Vec<Value>)>, SqlError> {
    db.dump_rows().await
}

/// Deletes every row of a store from its shard, whatever tables later migrations add; returns
/// the rows deleted.
pub async fn erase_store(db: &StoreDb<impl Sql>) -> Result<u64, SqlError> {
    db.erase_rows().await
}

async fn rows(db: &impl Sql, sql: &str, key: &str) -> Result<Vec<Value>, SqlError> {
    db.all(Statement::new(sql, vec![key.into()])).await
}

/// What a tenant's export holds from the platform database, store data aside.
#[derive(Debug)]
pub struct Export {
    /// The tenant (id, name, plan, subscription), if it exists.
    pub tenant: Option<Value>,
    /// Its members with their accounts (never password hashes).
    pub members: Vec<Value>,
    /// Its API keys (never their hashes).
    pub api_keys: Vec<Value>,
    /// Its invitations (never their token hashes).
    pub invitations: Vec<Value>,
    /// Its audit log, oldest first.
    pub audit_log: Vec<Value>,
}

/// The platform rows of a tenant's export.
pub async fn export(db: &impl Sql, tenant: &str) -> Result<Export, SqlError> {
    let tenant_row = rows(
        db,
        "SELECT id, name, plan, subscription_status, stripe_customer_id, created_at FROM tenants WHERE id = ?1",
        tenant,
    )
    .await?;
    let members = rows(
        db,
        "SELECT u.id, u.email, u.email_verified_at, u.created_at, m.role, m.created_at AS joined_at \
         FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ?1",
        tenant,
    )
    .await?;
    let api_keys = rows(
        db,
        "SELECT id, name, prefix, scope, created_at, last_used_at, revoked_at FROM api_keys WHERE tenant_id = ?1",
        tenant,
    )
    .await?;
    let invitations = rows(
        db,
        "SELECT email, role, expires_at, accepted_at, created_at FROM invitations WHERE tenant_id = ?1",
        tenant,
    )
    .await?;
    let audit_log = rows(
        db,
        "SELECT id, actor, action, target, at FROM audit_log WHERE tenant_id = ?1 ORDER BY id",
        tenant,
    )
    .await?;
    Ok(Export { tenant: tenant_row.into_iter().next(), members, api_keys, invitations, audit_log })
}

#[derive(Deserialize)]
struct IdRow {
    id: String,
}

/// A tenant's store ids, oldest store first.
pub async fn store_ids(db: &impl Sql, tenant: &str) -> Result<Vec<String>, SqlError> {
    let ids: Vec<IdRow> = db
        .all(Statement::new(
            "SELECT id FROM stores WHERE tenant_id = ?1 ORDER BY created_at",
            vec![tenant.into()],
        ))
        .await?;
    Ok(ids.into_iter().map(|r| r.id).collect())
}

/// Every store a tenant's erasure must reach in the pipelines: its stores, then those it deleted
/// earlier. A deleted store's row is gone from `stores`, but its pipeline items and media may not
/// be; its id is still in the audit log (`store.delete`, whose target is the store id).
pub async fn erasure_store_ids(db: &impl Sql, tenant: &str) -> Result<Vec<String>, SqlError> {
    let mut ids = store_ids(db, tenant).await?;
    let deleted: Vec<IdRow> = db
        .all(Statement::new(
            "SELECT target AS id FROM audit_log WHERE tenant_id = ?1 AND action = 'store.delete' ORDER BY id",
            vec![tenant.into()],
        ))
        .await?;
    for row in deleted {
        if !ids.contains(&row.id) {
            ids.push(row.id);
        }
    }
    Ok(ids)
}

/// A store's hosts as the export shows them.
pub async fn store_domains(db: &impl Sql, store: &str) -> Result<Vec<Value>, SqlError> {
    rows(db, "SELECT host, kind, verified_at, created_at FROM domains WHERE store_id = ?1", store).await
}

/// What the erasure checks before it runs: the owner's password and the tenant's name, and
/// what it ends at Stripe: the subscription and the customer.
#[derive(Debug, Deserialize)]
pub struct OwnerRow {
    /// The caller's password hash.
    pub password_hash: String,
    /// The tenant's name, typed out to confirm.
    pub name: String,
    /// The tenant's subscription, cancelled first.
    pub stripe_subscription_id: Option<String>,
    /// The tenant as a Stripe customer, deleted with it.
    pub stripe_customer_id: Option<String>,
    /// Its state.
    pub subscription_status: String,
}

/// The caller's password hash with their tenant's name and subscription.
pub async fn owner(db: &impl Sql, user: &str, tenant: &str) -> Result<Option<OwnerRow>, SqlError> {
    db.first(Statement::new(
        "SELECT u.password_hash, t.name, t.stripe_subscription_id, t.stripe_customer_id, t.subscription_status \
         FROM users u JOIN tenants t ON t.id = ?2 WHERE u.id = ?1",
        vec![user.into(), tenant.into()],
    ))
    .await
}

/// Records an erasure request for the tenant's stores (`store_ids`, a JSON array).
pub fn request(id: &str, tenant: &str, store_ids: &str, at: &str) -> Statement {
    Statement::new(
        "INSERT INTO erasures (id, tenant_id, store_ids, requested_at) VALUES (?1, ?2, ?3, ?4)",
        vec![id.into(), tenant.into(), store_ids.into(), at.into()],
    )
}

/// Forgets an erasure request that could not start.
pub async fn withdraw(db: &impl Sql, id: &str) -> Result<(), SqlError> {
    db.run(Statement::new("DELETE FROM erasures WHERE id = ?1", vec![id.into()])).await?;
    Ok(())
}

/// The statements that erase a tenant from the platform database, in one transaction: users
/// who belong to no other tenant, then everything keyed by the tenant (sessions, refresh tokens,
/// email tokens, memberships cascade from the tenant and its users); the erasure's own audit
/// entries stay. Foreign keys are checked at commit. The erasure `id` is marked done at `at`.
pub fn erase_tenant(tenant: &str, id: &str, at: &str) -> Vec<Statement> {
    let by_tenant = |sql: &str| Statement::new(sql, vec![tenant.into()]);
    vec![
        Statement::new("PRAGMA defer_foreign_keys = on", vec![]),
        by_tenant(
            "DELETE FROM users WHERE id IN (SELECT user_id FROM memberships WHERE tenant_id = ?1) \
             AND id NOT IN (SELECT user_id FROM memberships WHERE tenant_id <> ?1)",
        ),
        by_tenant("DELETE FROM sessions WHERE tenant_id = ?1"),
        by_tenant("DELETE FROM memberships WHERE tenant_id = ?1"),
        by_tenant("DELETE FROM invitations WHERE tenant_id = ?1"),
        by_tenant("DELETE FROM api_keys WHERE tenant_id = ?1"),
        by_tenant("DELETE FROM domains WHERE tenant_id = ?1"),
        by_tenant("DELETE FROM stores WHERE tenant_id = ?1"),
        by_tenant("DELETE FROM stripe_events WHERE tenant_id = ?1"),
        by_tenant("DELETE FROM audit_log WHERE tenant_id = ?1 AND action NOT LIKE 'gdpr.erasure%'"),
        by_tenant("DELETE FROM tenants WHERE id = ?1"),
        Statement::new("UPDATE erasures SET data_erased_at = ?2 WHERE id = ?1", vec![id.into(), at.into()]),
    ]
}

/// An erasure as recorded.
#[derive(Debug, Deserialize)]
pub struct ErasureRow {
    /// Erasure id.
    pub id: String,
    /// The erased tenant.
    pub tenant_id: String,
    /// When it was asked for.
    pub requested_at: String,
    /// When the D1 and KV data were gone.
    pub data_erased_at: Option<String>,
    /// When the pipelines first confirmed their part.
    pub pipelines_confirmed_at: Option<String>,
    /// DynamoDB items the pipelines deleted.
    pub dynamodb_items: Option<i64>,
    /// S3 objects the pipelines deleted.
    pub s3_objects: Option<i64>,
}

/// An erasure by id.
pub async fn get(db: &impl Sql, id: &str) -> Result<Option<ErasureRow>, SqlError> {
    db.first(Statement::new(
        "SELECT id, tenant_id, requested_at, data_erased_at, pipelines_confirmed_at, dynamodb_items, s3_objects \
         FROM erasures WHERE id = ?1",
        vec![id.into()],
    ))
    .await
}

/// The pipelines' confirmation: the first time stays, the counts add up.
pub fn confirm(id: &str, at: &str, dynamodb_items: u64, s3_objects: u64) -> Statement {
    Statement::new(
        "UPDATE erasures SET pipelines_confirmed_at = COALESCE(pipelines_confirmed_at, ?2), \
         dynamodb_items = COALESCE(dynamodb_items, 0) + ?3, s3_objects = COALESCE(s3_objects, 0) + ?4 WHERE id = ?1",
        vec![id.into(), at.into(), dynamodb_items.into(), s3_objects.into()],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::audit_log::entry;
    use crate::repo::stores::tests::{add, tenants};
    use crate::repo::testing::{block_on, store_id, tenant_id};
    use crate::repo::{accounts, api_keys, sessions};
    use domain::{SessionId, UserId};

    const AT: &str = "2026-01-01T00:00:00Z";
    const LATER: &str = "2026-01-02T00:00:00Z";

    fn user_id(n: u8) -> UserId {
        format!("20000000-0000-4000-8000-{n:012}").parse().unwrap()
    }

    fn product(shard: &tenancy::sqlite::Sqlite, n: u8, id: &str) {
        shard
            .execute_script(&format!(
                "INSERT INTO products (id, store_id, slug, title, description, features, meta_title, \
                 meta_description, keywords, price_minor, cost_minor, currency, images, status, created_at, updated_at) \
                 VALUES ('{id}', '{store}', '{id}', 'T', '[]', '[]', 'T', 'D', '[]', 100, 50, 'USD', '[]', 'draft', '{AT}', '{AT}')",
                store = store_id(n)
            ))
            .unwrap();
    }

    #[test]
    fn a_stores_export_and_erasure_reach_only_its_own_rows() {
        let shard = crate::repo::testing::shard();
        product(&shard, 1, "p1");
        product(&shard, 2, "p2");
        let one = crate::repo::testing::store(&shard, 1);
        let two = crate::repo::testing::store(&shard, 2);
        let dumped = block_on(store_rows(&one)).unwrap();
        let products =
            &dumped.iter().find(|(table, _)| table == "products").expect("products are exported").1;
        assert_eq!(products.len(), 1);
        assert_eq!(products[0]["id"], "p1");
        assert_eq!(block_on(erase_store(&one)).unwrap(), 1);
        let left = block_on(store_rows(&two)).unwrap();
        assert_eq!(left.iter().find(|(table, _)| table == "products").unwrap().1.len(), 1);
        assert!(block_on(store_rows(&one)).unwrap().iter().all(|(_, rows)| rows.is_empty()));
    }

    #[test]
    fn erasing_a_tenant_leaves_other_tenants_and_shared_accounts() {
        let db = tenants();
        let (one, two) = (tenant_id(1).to_string(), tenant_id(2).to_string());
        block_on(db.batch(vec![
            accounts::user(user_id(1), "only@example.com", "h", None, AT),
            accounts::user(user_id(2), "shared@example.com", "h", None, AT),
            accounts::membership(tenant_id(1), user_id(1), "owner", AT),
            accounts::membership(tenant_id(1), user_id(2), "staff", AT),
            accounts::membership(tenant_id(2), user_id(2), "owner", AT),
            entry(Some(tenant_id(1)), "u", "store.create", "s", AT),
            entry(Some(tenant_id(1)), "u", "gdpr.erasure_requested", "e1", AT),
            entry(Some(tenant_id(2)), "u", "store.create", "s", AT),
        ]))
        .unwrap();
        let session: SessionId = "30000000-0000-4000-8000-000000000001".parse().unwrap();
        block_on(db.batch(sessions::start(session, user_id(2), tenant_id(1), None, AT, LATER, "r"))).unwrap();
        let key = api_keys::NewKey {
            id: "k1",
            tenant: tenant_id(1),
            created_by: &user_id(1).to_string(),
            name: "ci",
            prefix: "dsk_",
            key_hash: "kh",
            scope: "read",
            at: AT,
        };
        block_on(db.batch(vec![api_keys::create(&key)])).unwrap();
        add(&db, 1, 1, 0);
        add(&db, 2, 2, 0);
        block_on(db.batch(vec![request("e1", &one, "[]", AT)])).unwrap();

        block_on(db.batch(erase_tenant(&one, "e1", LATER))).expect("the erasure commits");

        let gone = block_on(export(&db, &one)).unwrap();
        assert!(gone.tenant.is_none() && gone.members.is_empty() && gone.api_keys.is_empty());
        let actions: Vec<_> =
            gone.audit_log.iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
        assert_eq!(actions, ["gdpr.erasure_requested"]);
        assert!(block_on(accounts::user_by_email(&db, "only@example.com")).unwrap().is_none());
        assert!(block_on(accounts::user_by_email(&db, "shared@example.com")).unwrap().is_some());
        assert!(block_on(store_ids(&db, &one)).unwrap().is_empty());
        assert!(block_on(sessions::refresh_token(&db, "r")).unwrap().is_none());
        let kept = block_on(export(&db, &two)).unwrap();
        assert_eq!((kept.members.len(), kept.audit_log.len()), (1, 1));
        assert_eq!(block_on(store_ids(&db, &two)).unwrap(), [store_id(2).to_string()]);
        let erasure = block_on(get(&db, "e1")).unwrap().expect("the erasure stays");
        assert_eq!(erasure.data_erased_at.as_deref(), Some(LATER));
    }

    #[test]
    fn a_tenants_erasure_reaches_the_stores_it_deleted_before() {
        let db = tenants();
        let (one, two) = (tenant_id(1).to_string(), tenant_id(2).to_string());
        add(&db, 1, 1, 0);
        add(&db, 3, 1, 0);
        add(&db, 2, 2, 0);
        // Store 3 deleted as `DELETE /v1/stores/{id}` deletes it, another tenant's store too.
        let mut deletion = crate::repo::stores::delete(store_id(3), "2026-02-01T00:00:00Z");
        deletion.push(entry(Some(tenant_id(1)), "u", "store.delete", &store_id(3).to_string(), AT));
        block_on(db.batch(deletion)).unwrap();
        let mut theirs = crate::repo::stores::delete(store_id(2), "2026-02-01T00:00:00Z");
        theirs.push(entry(Some(tenant_id(2)), "u", "store.delete", &store_id(2).to_string(), AT));
        block_on(db.batch(theirs)).unwrap();

        assert_eq!(block_on(store_ids(&db, &one)).unwrap(), [store_id(1).to_string()]);
        assert_eq!(
            block_on(erasure_store_ids(&db, &one)).unwrap(),
            [store_id(1).to_string(), store_id(3).to_string()],
            "the live store, then the one deleted before"
        );
        assert_eq!(block_on(erasure_store_ids(&db, &two)).unwrap(), [store_id(2).to_string()]);
    }

    #[test]
    fn the_export_shows_the_tenants_rows_without_secrets() {
        let db = tenants();
        let one = tenant_id(1).to_string();
        block_on(db.batch(vec![
            accounts::user(user_id(1), "a@example.com", "secret-hash", None, AT),
            accounts::membership(tenant_id(1), user_id(1), "owner", AT),
        ]))
        .unwrap();
        add(&db, 1, 1, 0);
        let export = block_on(export(&db, &one)).unwrap();
        assert_eq!(export.tenant.as_ref().unwrap()["name"], "One");
        assert_eq!(export.members[0]["email"], "a@example.com");
        assert_eq!(export.members[0]["role"], "owner");
        assert!(export.members[0].get("password_hash").is_none());
        let domains = block_on(store_domains(&db, &store_id(1).to_string())).unwrap();
        assert_eq!(domains[0]["host"], "s1.shops.test");
        assert!(domains[0]["verified_at"].is_string());
    }

    #[test]
    fn the_owner_check_reads_the_callers_password_and_the_tenants_name() {
        let db = tenants();
        block_on(db.batch(vec![accounts::user(user_id(1), "a@example.com", "h", None, AT)])).unwrap();
        let owner =
            block_on(owner(&db, &user_id(1).to_string(), &tenant_id(2).to_string())).unwrap().unwrap();
        assert_eq!((owner.password_hash.as_str(), owner.name.as_str()), ("h", "Two"));
        assert_eq!((owner.stripe_subscription_id, owner.subscription_status.as_str()), (None, "none"));
        assert_eq!(owner.stripe_customer_id, None);
        assert!(block_on(super::owner(&db, &user_id(9).to_string(), &tenant_id(2).to_string()))
            .unwrap()
            .is_none());
    }

    #[test]
    fn confirmations_keep_the_first_time_and_add_their_counts() {
        let db = tenants();
        block_on(db.batch(vec![request("e1", "t", "[\"s\"]", AT)])).unwrap();
        block_on(db.batch(vec![confirm("e1", AT, 3, 4)])).unwrap();
        block_on(db.batch(vec![confirm("e1", LATER, 0, 1)])).unwrap();
        let row = block_on(get(&db, "e1")).unwrap().unwrap();
        assert_eq!(row.pipelines_confirmed_at.as_deref(), Some(AT));
        assert_eq!((row.dynamodb_items, row.s3_objects), (Some(3), Some(5)));
        block_on(withdraw(&db, "e1")).unwrap();
        assert!(block_on(get(&db, "e1")).unwrap().is_none());
    }
}
