//! Tenants' plans and subscriptions (`tenants`' billing columns) and the Stripe events applied
//! once each (`stripe_events`), with the usage a plan change is checked against.

use domain::{Plan, TenantId};
use serde::Deserialize;
use tenancy::shards::StoreDb;
use tenancy::sql::{Outcome, Sql, SqlError, Statement};

/// A tenant's plan and subscription.
#[derive(Debug, Deserialize)]
pub struct BillingRow {
    /// The plan in force.
    pub plan: String,
    /// The Stripe customer, once one paid.
    pub stripe_customer_id: Option<String>,
    /// The Stripe subscription, once one exists.
    pub stripe_subscription_id: Option<String>,
    /// `none`, `trialing`, `active`, `past_due`, `unpaid` or `canceled`.
    pub subscription_status: String,
    /// Since when the subscription's payment is overdue (Unix seconds), while it is.
    pub past_due_since: Option<i64>,
}

/// A tenant's plan and subscription.
pub async fn of(db: &impl Sql, tenant: TenantId) -> Result<Option<BillingRow>, SqlError> {
    db.first(Statement::new(
        "SELECT plan, stripe_customer_id, stripe_subscription_id, subscription_status, past_due_since \
         FROM tenants WHERE id = ?1",
        vec![tenant.to_string().into()],
    ))
    .await
}

/// A tenant's plan, as stored.
pub async fn plan(db: &impl Sql, tenant: TenantId) -> Result<Option<String>, SqlError> {
    Ok(of(db, tenant).await?.map(|row| row.plan))
}

#[derive(Deserialize)]
struct EmailRow {
    email: String,
}

/// The email of a user (the address Checkout prefills).
pub async fn user_email(db: &impl Sql, user: &str) -> Result<Option<String>, SqlError> {
    let row: Option<EmailRow> =
        db.first(Statement::new("SELECT email FROM users WHERE id = ?1", vec![user.into()])).await?;
    Ok(row.map(|r| r.email))
}

/// What a tenant holds on the platform, as plans limit it.
#[derive(Debug, Deserialize, PartialEq, Eq)]
pub struct Usage {
    /// Its stores.
    pub stores: u64,
    /// Its custom domains.
    pub custom_domains: u64,
}

/// A tenant's stores and custom domains.
pub async fn usage(db: &impl Sql, tenant: TenantId) -> Result<Usage, SqlError> {
    let usage: Option<Usage> = db
        .first(Statement::new(
            "SELECT (SELECT COUNT(*) FROM stores WHERE tenant_id = ?1) AS stores, \
             (SELECT COUNT(*) FROM domains WHERE tenant_id = ?1 AND kind = 'custom') AS custom_domains",
            vec![tenant.to_string().into()],
        ))
        .await?;
    Ok(usage.unwrap_or(Usage { stores: 0, custom_domains: 0 }))
}

/// Where one of a tenant's stores lives.
#[derive(Debug, Deserialize)]
pub struct StorePlace {
    /// Store id.
    pub id: String,
    /// Its slug.
    pub slug: String,
    /// Its shard.
    pub shard: u16,
}

/// A tenant's stores and their shards.
pub async fn stores(db: &impl Sql, tenant: TenantId) -> Result<Vec<StorePlace>, SqlError> {
    db.all(Statement::new(
        "SELECT id, slug, shard FROM stores WHERE tenant_id = ?1",
        vec![tenant.to_string().into()],
    ))
    .await
}

/// How many products a store holds (in its shard).
pub async fn products(db: &StoreDb<impl Sql>) -> Result<u64, SqlError> {
    let count: Option<crate::repo::Count> =
        db.query_first("SELECT COUNT(*) AS n FROM products WHERE store_id = ?1", vec![]).await?;
    Ok(count.map_or(0, |c| c.n))
}

/// Records a Stripe event unless it was recorded before: no change means a duplicate.
pub async fn record_event(
    db: &impl Sql,
    id: &str,
    kind: &str,
    created: i64,
    tenant: Option<&str>,
    at: &str,
) -> Result<Outcome, SqlError> {
    db.run(Statement::new(
        "INSERT INTO stripe_events (id, type, created, tenant_id, applied_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
        vec![id.into(), kind.into(), created.into(), tenant.into(), at.into()],
    ))
    .await
}

#[derive(Deserialize)]
struct Seen {
    #[expect(dead_code, reason = "only whether the event was recorded matters")]
    id: String,
}

/// Whether a Stripe event was recorded.
pub async fn event_seen(db: &impl Sql, id: &str) -> Result<bool, SqlError> {
    let row: Option<Seen> =
        db.first(Statement::new("SELECT id FROM stripe_events WHERE id = ?1", vec![id.into()])).await?;
    Ok(row.is_some())
}

/// A paid Checkout: the plan, customer and subscription, unless a newer event applied. A status
/// the subscription's own events set first (within the same second) stays.
pub fn checkout_completed(
    tenant: &str,
    plan: Plan,
    customer: &str,
    subscription: &str,
    created: i64,
) -> Statement {
    Statement::new(
        "UPDATE tenants SET plan = ?2, stripe_customer_id = ?3, stripe_subscription_id = ?4, \
         subscription_status = CASE WHEN subscription_status IN ('none', 'canceled') THEN 'active' \
         ELSE subscription_status END, subscription_event_at = ?5 WHERE id = ?1 AND subscription_event_at <= ?5",
        vec![tenant.into(), plan.as_str().into(), customer.into(), subscription.into(), created.into()],
    )
}

/// A subscription created or changed: its status, and its plan when the price is known, unless a
/// newer event applied. An overdue payment starts the grace period at this event (a later overdue
/// event keeps the first start); once [`lapse`] has moved the tenant to Starter it stays there
/// whatever the event's price says, until an event says the subscription is paid again.
pub fn subscription_changed(
    tenant: &str,
    plan: Option<Plan>,
    subscription: &str,
    status: &str,
    created: i64,
) -> Statement {
    let overdue = domain::plans::payment_overdue(status);
    Statement::new(
        "UPDATE tenants SET \
         plan = CASE WHEN ?6 AND lapsed_at IS NOT NULL THEN 'starter' ELSE COALESCE(?2, plan) END, \
         past_due_since = CASE WHEN ?6 THEN COALESCE(past_due_since, ?5) END, \
         lapsed_at = CASE WHEN ?6 THEN lapsed_at END, \
         stripe_subscription_id = ?3, subscription_status = ?4, subscription_event_at = ?5 \
         WHERE id = ?1 AND subscription_event_at <= ?5",
        vec![
            tenant.into(),
            plan.map(Plan::as_str).into(),
            subscription.into(),
            status.into(),
            created.into(),
            i64::from(overdue).into(),
        ],
    )
}

/// A tenant whose paid plan's grace period is over.
#[derive(Debug, Deserialize, PartialEq, Eq)]
pub struct Lapsing {
    /// The tenant.
    pub id: String,
    /// The paid plan it still has.
    pub plan: String,
    /// Since when its payment is overdue (Unix seconds).
    pub past_due_since: i64,
}

/// The tenants on a paid plan whose payment has been overdue for the whole grace period at `now`
/// (Unix seconds), at most `limit`.
pub async fn lapsing(db: &impl Sql, now: i64, limit: u32) -> Result<Vec<Lapsing>, SqlError> {
    db.all(Statement::new(
        "SELECT id, plan, past_due_since FROM tenants WHERE past_due_since <= ?1 AND lapsed_at IS NULL \
         AND plan <> 'starter' ORDER BY past_due_since, id LIMIT ?2",
        vec![(now - domain::plans::grace_ends(0)).into(), limit.into()],
    ))
    .await
}

/// Moves a tenant from its paid plan to Starter at `at` (Unix seconds) when its payment is still
/// overdue since `since` (no change when it was paid meanwhile, or moved already).
pub fn lapse(tenant: &str, since: i64, at: i64) -> Statement {
    Statement::new(
        "UPDATE tenants SET plan = 'starter', lapsed_at = ?3 \
         WHERE id = ?1 AND past_due_since = ?2 AND lapsed_at IS NULL AND plan <> 'starter'",
        vec![tenant.into(), since.into(), at.into()],
    )
}

/// A subscription ended: back to Starter, unless a newer event applied.
pub fn subscription_deleted(tenant: &str, created: i64) -> Statement {
    Statement::new(
        "UPDATE tenants SET plan = 'starter', subscription_status = 'canceled', past_due_since = NULL, \
         lapsed_at = NULL, subscription_event_at = ?2 WHERE id = ?1 AND subscription_event_at <= ?2",
        vec![tenant.into(), created.into()],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::accounts;
    use crate::repo::testing::{block_on, platform, shard, store, tenant_id};

    const AT: &str = "2026-01-01T00:00:00Z";

    fn tenant_db() -> tenancy::shards::PlatformDb<tenancy::sqlite::Sqlite> {
        let db = platform();
        block_on(db.batch(vec![
            accounts::tenant(tenant_id(1), "Acme", AT),
            accounts::tenant(tenant_id(2), "B", AT),
        ]))
        .unwrap();
        db
    }

    fn billing(db: &impl Sql, n: u8) -> BillingRow {
        block_on(of(db, tenant_id(n))).unwrap().expect("the tenant exists")
    }

    #[test]
    fn a_new_tenant_is_on_starter_without_a_subscription() {
        let db = tenant_db();
        let row = billing(&db, 1);
        assert_eq!((row.plan.as_str(), row.subscription_status.as_str()), ("starter", "none"));
        assert_eq!((row.stripe_customer_id, row.stripe_subscription_id), (None, None));
    }

    #[test]
    fn a_stripe_event_is_recorded_once() {
        let db = tenant_db();
        let t = tenant_id(1).to_string();
        assert_eq!(block_on(record_event(&db, "evt_1", "x", 10, Some(&t), AT)).unwrap().changes, 1);
        assert_eq!(block_on(record_event(&db, "evt_1", "x", 10, Some(&t), AT)).unwrap().changes, 0);
        assert!(block_on(event_seen(&db, "evt_1")).unwrap());
        assert!(!block_on(event_seen(&db, "evt_2")).unwrap());
        assert_eq!(block_on(record_event(&db, "evt_3", "x", 10, None, AT)).unwrap().changes, 1);
    }

    #[test]
    fn an_older_event_changes_nothing_and_only_its_tenant_changes() {
        let db = tenant_db();
        let t = tenant_id(1).to_string();
        block_on(db.batch(vec![subscription_changed(&t, Some(Plan::Pro), "sub_1", "trialing", 20)])).unwrap();
        block_on(db.batch(vec![checkout_completed(&t, Plan::Growth, "cus_1", "sub_1", 20)])).unwrap();
        let row = billing(&db, 1);
        assert_eq!((row.plan.as_str(), row.subscription_status.as_str()), ("growth", "trialing"));
        assert_eq!(row.stripe_customer_id.as_deref(), Some("cus_1"));
        block_on(db.batch(vec![subscription_deleted(&t, 19)])).unwrap();
        assert_eq!(billing(&db, 1).plan, "growth");
        block_on(db.batch(vec![subscription_changed(&t, None, "sub_1", "past_due", 21)])).unwrap();
        let row = billing(&db, 1);
        assert_eq!((row.plan.as_str(), row.subscription_status.as_str()), ("growth", "past_due"));
        block_on(db.batch(vec![subscription_deleted(&t, 22)])).unwrap();
        let row = billing(&db, 1);
        assert_eq!((row.plan.as_str(), row.subscription_status.as_str()), ("starter", "canceled"));
        block_on(db.batch(vec![checkout_completed(&t, Plan::Pro, "cus_1", "sub_2", 23)])).unwrap();
        assert_eq!(billing(&db, 1).subscription_status, "active");
        assert_eq!(billing(&db, 2).plan, "starter");
    }

    #[test]
    fn an_overdue_payment_keeps_the_paid_plan_for_the_grace_period_then_starter_until_paid() {
        let db = tenant_db();
        let t = tenant_id(1).to_string();
        let day = 86_400;
        let grace = domain::plans::PAST_DUE_GRACE_DAYS * day;
        let changed = |plan, status, at| {
            block_on(db.batch(vec![subscription_changed(&t, plan, "sub_1", status, at)])).unwrap();
        };
        changed(Some(Plan::Growth), "active", 1_000);
        changed(Some(Plan::Growth), "past_due", 2_000);
        // Stripe's retries send more overdue events: the grace still counts from the first.
        changed(Some(Plan::Growth), "past_due", 2_000 + day);
        let row = billing(&db, 1);
        assert_eq!((row.plan.as_str(), row.past_due_since), ("growth", Some(2_000)));
        assert_eq!(block_on(lapsing(&db, 2_000 + grace - 1, 10)).unwrap(), vec![]);
        let due = block_on(lapsing(&db, 2_000 + grace, 10)).unwrap();
        assert_eq!(due, vec![Lapsing { id: t.clone(), plan: "growth".into(), past_due_since: 2_000 }]);
        assert_eq!(block_on(db.batch(vec![lapse(&t, 2_000, 2_000 + grace)])).unwrap()[0].changes, 1);
        assert_eq!(block_on(db.batch(vec![lapse(&t, 2_000, 2_000 + grace)])).unwrap()[0].changes, 0, "once");
        assert_eq!(block_on(lapsing(&db, 2_000 + grace, 10)).unwrap(), vec![]);
        // Still unpaid, with the paid plan's price on the event: still Starter.
        changed(Some(Plan::Growth), "unpaid", 2_000 + grace + day);
        changed(Some(Plan::Growth), "past_due", 2_000 + grace + day);
        assert_eq!((billing(&db, 1).plan.as_str(), billing(&db, 1).past_due_since), ("starter", Some(2_000)));
        // Paid: the plan comes back and the next failure starts a new grace period.
        changed(Some(Plan::Growth), "active", 2_000 + grace + 2 * day);
        let row = billing(&db, 1);
        assert_eq!((row.plan.as_str(), row.past_due_since), ("growth", None));
        // A payment made before the sweep came round: nothing lapses.
        changed(None, "past_due", 3 * grace);
        changed(None, "active", 3 * grace + day);
        assert_eq!(block_on(lapsing(&db, 5 * grace, 10)).unwrap(), vec![]);
        assert_eq!(block_on(db.batch(vec![lapse(&t, 3 * grace, 5 * grace)])).unwrap()[0].changes, 0);
        assert_eq!(billing(&db, 1).plan, "growth");
        assert_eq!(billing(&db, 2).past_due_since, None);
    }

    #[test]
    fn usage_counts_the_tenants_stores_and_custom_domains_only() {
        let db = tenant_db();
        let (t1, t2) = (tenant_id(1).to_string(), tenant_id(2).to_string());
        let store = |id: &str, tenant: &str, slug: &str, shard: i64| {
            Statement::new(
                "INSERT INTO stores (id, tenant_id, slug, name, niche, currency, shard, created_at) \
                 VALUES (?1, ?2, ?3, 'Shop', 'niche', 'USD', ?4, ?5)",
                vec![id.into(), tenant.into(), slug.into(), shard.into(), AT.into()],
            )
        };
        let domain = |host: &str, kind: &str| {
            Statement::new(
                "INSERT INTO domains (host, store_id, tenant_id, kind, created_at) VALUES (?1, 's1', ?2, ?3, ?4)",
                vec![host.into(), t1.clone().into(), kind.into(), AT.into()],
            )
        };
        block_on(db.batch(vec![
            store("s1", &t1, "a", 0),
            store("s2", &t2, "b", 3),
            domain("a.shop.example", "platform"),
            domain("a.example.com", "custom"),
        ]))
        .unwrap();
        let usage = block_on(usage(&db, tenant_id(1))).unwrap();
        assert_eq!(usage, Usage { stores: 1, custom_domains: 1 });
        let places = block_on(stores(&db, tenant_id(2))).unwrap();
        assert_eq!((places.len(), places[0].slug.as_str(), places[0].shard), (1, "b", 3));
    }

    #[test]
    fn a_stores_product_count_is_its_own() {
        let shard = shard();
        for (n, id) in [(1, "p1"), (1, "p2"), (2, "p3")] {
            shard
                .execute_script(&format!(
                    "INSERT INTO products (id, store_id, slug, title, description, features, meta_title, \
                     meta_description, keywords, price_minor, cost_minor, currency, images, status, created_at, updated_at) \
                     VALUES ('{id}', '{store}', '{id}', 'T', '[]', '[]', 'T', 'D', '[]', 100, 50, 'USD', '[]', 'draft', '{AT}', '{AT}')",
                    store = crate::repo::testing::store_id(n)
                ))
                .unwrap();
        }
        assert_eq!(block_on(products(&store(&shard, 1))).unwrap(), 2);
        assert_eq!(block_on(products(&store(&shard, 2))).unwrap(), 1);
        assert_eq!(block_on(products(&store(&shard, 3))).unwrap(), 0);
    }
}
