//! Stores as the platform database holds them (`stores`, and their hosts in `domains`): loading
//! one by id, a tenant's stores, placement on a shard, settings, status and deletion. Custom
//! domains are managed in [`crate::repo::domains`].

use crate::error::{ApiError, ApiResult};
use domain::payouts::PayoutsStatus;
use domain::placement::ShardIndex;
use domain::{Currency, Plan, StoreId, StoreStatus, TenantId};
use serde::Deserialize;
use tenancy::routing::{MenuLink, RoutingRecord, StoreLook};
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};
use worker::Env;

/// A store as the platform database holds it, joined with its tenant's plan.
#[derive(Debug, Clone, Deserialize)]
pub struct StoreRow {
    /// Store id.
    pub id: String,
    /// Owning tenant.
    pub tenant_id: String,
    /// Slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Niche that steers research.
    pub niche: String,
    /// Currency code.
    pub currency: String,
    /// `active` or `suspended`.
    pub status: String,
    /// Shard index.
    pub shard: u16,
    /// 1 when imports are published at once.
    pub auto_publish: i64,
    /// Products a research run imports at most.
    pub max_imports_per_run: i64,
    /// The market the store sells to (ISO 3166-1 alpha-2).
    pub target_market: String,
    /// `classic`, `bold` or `minimal`.
    pub theme: String,
    /// Brand colour, `#rrggbb`.
    pub brand_color: String,
    /// Logo URL.
    pub logo_url: Option<String>,
    /// Font stack: `system`, `humanist`, `serif`, `rounded`, `inter` or `lora`.
    pub font: String,
    /// The home page's banner image URL.
    pub hero_image_url: Option<String>,
    /// The announcement bar's text; empty for none.
    pub announcement: String,
    /// The header menu, JSON: `[{"slug", "title"}]` ([`MenuLink`]s).
    pub menu: String,
    /// AI score from which research imports a candidate.
    pub import_threshold: i64,
    /// AI score from which research puts a candidate on the watchlist.
    pub watch_threshold: i64,
    /// What the supplier sync does with a product its supplier cannot deliver (`unpublish`, `zero`).
    pub out_of_stock: String,
    /// Creation time.
    pub created_at: String,
    /// The tenant's plan.
    pub plan: String,
    /// The tenant's subscription state (`none`, `trialing`, `active`, `past_due`, `canceled`).
    pub subscription_status: String,
    /// The store's Stripe Connect account, once onboarding started.
    pub stripe_account_id: Option<String>,
    /// Where that account stands ([`PayoutsStatus`]).
    pub payouts_status: String,
}

impl StoreRow {
    /// The header menu; empty when the stored JSON is not a menu.
    pub fn menu_links(&self) -> Vec<MenuLink> {
        serde_json::from_str(&self.menu).unwrap_or_default()
    }
}

/// A store that passed the platform's checks: ids parsed, shard and status known.
#[derive(Debug, Clone)]
pub struct Store {
    /// Store id.
    pub id: StoreId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Its shard.
    pub shard: ShardIndex,
    /// Its status.
    pub status: StoreStatus,
    /// The stored row.
    pub row: StoreRow,
}

impl Store {
    /// A handle on the store's own rows in its shard.
    pub fn db(&self, env: &Env) -> worker::Result<StoreDb> {
        StoreDb::open(env, self.shard, self.id)
    }

    /// What the store's hosts route to.
    pub fn routing_record(&self) -> RoutingRecord {
        RoutingRecord {
            store_id: self.id,
            tenant_id: self.tenant_id,
            shard: self.shard,
            status: self.status,
            name: self.row.name.clone(),
            currency: self.row.currency.parse().unwrap_or(Currency::Usd),
            look: StoreLook {
                theme: self.row.theme.clone(),
                brand_color: self.row.brand_color.clone(),
                logo_url: self.row.logo_url.clone(),
                font: self.row.font.clone(),
                hero_image_url: self.row.hero_image_url.clone(),
                announcement: self.row.announcement.clone(),
                menu: self.row.menu_links().iter().map(MenuLink::entry).collect(),
            },
            accepts_orders: self.payouts().accepts_orders(),
            market: self.row.target_market.clone(),
        }
    }

    /// Where the store's payout account stands.
    pub fn payouts(&self) -> PayoutsStatus {
        PayoutsStatus::parse(&self.row.payouts_status).unwrap_or(PayoutsStatus::NotStarted)
    }

    /// The tenant's plan.
    pub fn plan(&self) -> Plan {
        Plan::parse(&self.row.plan).unwrap_or(Plan::Starter)
    }
}

/// The columns of a [`StoreRow`], joined with its tenant's plan; a `WHERE` on `s.` follows.
const STORE_SELECT: &str =
    "SELECT s.id, s.tenant_id, s.slug, s.name, s.niche, s.currency, s.status, s.shard, \
     s.auto_publish, s.max_imports_per_run, s.target_market, s.theme, s.brand_color, s.logo_url, \
     s.font, s.hero_image_url, s.announcement, s.menu, s.import_threshold, s.watch_threshold, s.out_of_stock, s.created_at, t.plan, t.subscription_status, \
     s.stripe_account_id, s.payouts_status FROM stores s JOIN tenants t ON t.id = s.tenant_id";

/// A store's row by id.
pub async fn row(db: &impl Sql, id: StoreId) -> Result<Option<StoreRow>, SqlError> {
    db.first(Statement::new(format!("{STORE_SELECT} WHERE s.id = ?1"), vec![id.to_string().into()])).await
}

/// Loads a store by id; 404 when it does not exist.
pub async fn load(db: &impl Sql, id: StoreId) -> ApiResult<Store> {
    let row = row(db, id).await?.ok_or_else(|| ApiError::not_found("store"))?;
    let tenant_id = row.tenant_id.parse().map_err(|e| ApiError::internal("store row", e))?;
    let status = StoreStatus::parse(&row.status).unwrap_or(StoreStatus::Suspended);
    Ok(Store { id, tenant_id, shard: ShardIndex(row.shard), status, row })
}

/// A tenant's stores, oldest first.
pub async fn of_tenant(db: &impl Sql, tenant: TenantId) -> Result<Vec<StoreRow>, SqlError> {
    db.all(Statement::new(
        format!("{STORE_SELECT} WHERE s.tenant_id = ?1 ORDER BY s.created_at, s.id"),
        vec![tenant.to_string().into()],
    ))
    .await
}

/// What placing a tenant's new store depends on.
#[derive(Debug, Deserialize)]
pub struct TenantPlacement {
    /// The tenant's plan.
    pub plan: String,
    /// The shard reserved for the tenant, if any.
    pub dedicated_shard: Option<u16>,
    /// How many stores the tenant has.
    pub stores: u64,
}

/// A tenant's plan, dedicated shard and store count.
pub async fn placement(db: &impl Sql, tenant: TenantId) -> Result<Option<TenantPlacement>, SqlError> {
    db.first(Statement::new(
        "SELECT plan, dedicated_shard, (SELECT COUNT(*) FROM stores WHERE tenant_id = ?1) AS stores \
         FROM tenants WHERE id = ?1",
        vec![tenant.to_string().into()],
    ))
    .await
}

/// How full a shard is.
#[derive(Debug, Deserialize, PartialEq, Eq)]
pub struct ShardCount {
    /// The shard.
    pub shard: u16,
    /// Its stores.
    pub stores: u32,
}

/// The stores of every shard that has any.
pub async fn shard_counts(db: &impl Sql) -> Result<Vec<ShardCount>, SqlError> {
    db.all(Statement::new("SELECT shard, COUNT(*) AS stores FROM stores GROUP BY shard", vec![])).await
}

#[derive(Deserialize)]
struct Dedicated {
    shard: u16,
}

/// The shards reserved for a tenant.
pub async fn dedicated_shards(db: &impl Sql) -> Result<Vec<u16>, SqlError> {
    let rows: Vec<Dedicated> = db
        .all(Statement::new(
            "SELECT DISTINCT dedicated_shard AS shard FROM tenants WHERE dedicated_shard IS NOT NULL",
            vec![],
        ))
        .await?;
    Ok(rows.into_iter().map(|r| r.shard).collect())
}

/// A new store.
pub struct NewStore<'a> {
    /// Store id.
    pub id: StoreId,
    /// Owning tenant.
    pub tenant: TenantId,
    /// Its slug (unique across the platform).
    pub slug: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Niche.
    pub niche: &'a str,
    /// Currency code.
    pub currency: &'a str,
    /// Its shard.
    pub shard: ShardIndex,
    /// Whether imports are published at once.
    pub auto_publish: bool,
    /// Its platform host (`slug.shops-domain`), verified from the start.
    pub host: &'a str,
    /// Creation time.
    pub at: &'a str,
}

/// The statements that create an active store with its platform host; they commit together. A
/// taken slug or host is a unique violation.
pub fn create(store: &NewStore<'_>) -> Vec<Statement> {
    vec![
        Statement::new(
            "INSERT INTO stores (id, tenant_id, slug, name, niche, currency, status, shard, auto_publish, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?8, ?9)",
            vec![
                store.id.to_string().into(),
                store.tenant.to_string().into(),
                store.slug.into(),
                store.name.into(),
                store.niche.into(),
                store.currency.into(),
                u32::from(store.shard.0).into(),
                store.auto_publish.into(),
                store.at.into(),
            ],
        ),
        Statement::new(
            "INSERT INTO domains (host, store_id, tenant_id, kind, verified_at, created_at) VALUES (?1, ?2, ?3, 'platform', ?4, ?4)",
            vec![store.host.into(), store.id.to_string().into(), store.tenant.to_string().into(), store.at.into()],
        ),
    ]
}

/// A store's settings as a PATCH leaves them.
pub struct Settings<'a> {
    /// Display name.
    pub name: &'a str,
    /// Niche.
    pub niche: &'a str,
    /// Whether imports are published at once.
    pub auto_publish: bool,
    /// Products a research run imports at most.
    pub max_imports_per_run: i64,
    /// The market it sells to.
    pub target_market: &'a str,
    /// Theme.
    pub theme: &'a str,
    /// Brand colour.
    pub brand_color: &'a str,
    /// Logo URL; `None` removes it.
    pub logo_url: Option<&'a str>,
    /// Font stack.
    pub font: &'a str,
    /// Banner image URL; `None` removes it.
    pub hero_image_url: Option<&'a str>,
    /// Announcement text; empty for none.
    pub announcement: &'a str,
    /// The header menu as JSON ([`MenuLink`]s).
    pub menu: &'a str,
    /// AI score from which research imports.
    pub import_threshold: i64,
    /// AI score from which research watches.
    pub watch_threshold: i64,
    /// What the supplier sync does with an unavailable product.
    pub out_of_stock: &'a str,
}

/// Writes a store's settings.
pub fn update(id: StoreId, settings: &Settings<'_>) -> Statement {
    Statement::new(
        "UPDATE stores SET name = ?2, niche = ?3, auto_publish = ?4, max_imports_per_run = ?5, \
         target_market = ?6, theme = ?7, brand_color = ?8, logo_url = ?9, import_threshold = ?10, \
         watch_threshold = ?11, out_of_stock = ?12, font = ?13, hero_image_url = ?14, announcement = ?15, \
         menu = ?16 WHERE id = ?1",
        vec![
            id.to_string().into(),
            settings.name.into(),
            settings.niche.into(),
            settings.auto_publish.into(),
            settings.max_imports_per_run.into(),
            settings.target_market.into(),
            settings.theme.into(),
            settings.brand_color.into(),
            settings.logo_url.into(),
            settings.import_threshold.into(),
            settings.watch_threshold.into(),
            settings.out_of_stock.into(),
            settings.font.into(),
            settings.hero_image_url.into(),
            settings.announcement.into(),
            settings.menu.into(),
        ],
    )
}

/// The slug and title of every collection of a store (at most [`MENU_CANDIDATES`]), for checking
/// and titling the menu a merchant saves.
pub async fn collection_links<D: Sql>(db: &StoreDb<D>) -> Result<Vec<MenuLink>, SqlError> {
    db.query_all(
        &format!(
            "SELECT slug, title FROM collections WHERE store_id = ?1 ORDER BY slug LIMIT {MENU_CANDIDATES}"
        ),
        vec![],
    )
    .await
}

/// Collections a menu is chosen from at most.
pub const MENU_CANDIDATES: u32 = 1_000;

/// Suspends or resumes a store.
pub fn set_status(id: StoreId, status: StoreStatus) -> Statement {
    Statement::new(
        "UPDATE stores SET status = ?2 WHERE id = ?1",
        vec![id.to_string().into(), status.as_str().into()],
    )
}

#[derive(Deserialize)]
struct HostRow {
    host: String,
}

/// A store's hosts; with `verified_only`, those that route to it (platform hosts, and custom
/// domains once verified).
pub async fn hosts(db: &impl Sql, id: StoreId, verified_only: bool) -> Result<Vec<String>, SqlError> {
    let sql = if verified_only {
        "SELECT host FROM domains WHERE store_id = ?1 AND verified_at IS NOT NULL"
    } else {
        "SELECT host FROM domains WHERE store_id = ?1"
    };
    let rows: Vec<HostRow> = db.all(Statement::new(sql, vec![id.to_string().into()])).await?;
    Ok(rows.into_iter().map(|r| r.host).collect())
}

/// The statements that delete a store and its hosts from the platform database.
pub fn delete(id: StoreId, held_until: &str) -> Vec<Statement> {
    let hold = |select: &str| {
        Statement::new(
            format!(
                "INSERT INTO held_names (name, tenant_id, held_until) {select} \
                 ON CONFLICT (name) DO UPDATE SET tenant_id = excluded.tenant_id, held_until = excluded.held_until"
            ),
            vec![id.to_string().into(), held_until.into()],
        )
    };
    vec![
        hold("SELECT slug, tenant_id, ?2 FROM stores WHERE id = ?1"),
        hold("SELECT host, tenant_id, ?2 FROM domains WHERE store_id = ?1"),
        Statement::new("DELETE FROM domains WHERE store_id = ?1", vec![id.to_string().into()]),
        Statement::new("DELETE FROM stores WHERE id = ?1", vec![id.to_string().into()]),
    ]
}

/// Whether `name` (a slug or a host) is held at `at` for a tenant other than `tenant`: a store of
/// that tenant had it and was deleted less than [`NAME_HOLD_DAYS`] ago.
pub async fn held_for_another(
    db: &impl Sql,
    name: &str,
    tenant: TenantId,
    at: &str,
) -> Result<bool, SqlError> {
    let row: Option<crate::repo::Count> = db
        .first(Statement::new(
            "SELECT COUNT(*) AS n FROM held_names WHERE name = ?1 AND held_until > ?2 AND tenant_id != ?3",
            vec![name.into(), at.into(), tenant.to_string().into()],
        ))
        .await?;
    Ok(row.is_some_and(|r| r.n > 0))
}

/// Days a deleted store's slug and hosts stay held for its tenant.
pub const NAME_HOLD_DAYS: i64 = 30;

/// A store of a tenant with its shard: where its rows live.
#[derive(Debug, Deserialize)]
pub struct Placed {
    /// Store id.
    pub id: String,
    /// Its shard.
    pub shard: u16,
}

/// Where each of a tenant's stores lives.
pub async fn placed_of_tenant(db: &impl Sql, tenant: TenantId) -> Result<Vec<Placed>, SqlError> {
    db.all(Statement::new(
        "SELECT id, shard FROM stores WHERE tenant_id = ?1",
        vec![tenant.to_string().into()],
    ))
    .await
}

/// A store the hourly supplier sync checks.
#[derive(Debug, Deserialize)]
pub struct SyncedStore {
    /// Store id.
    pub id: String,
    /// Its tenant.
    pub tenant_id: String,
    /// Its tenant's plan.
    pub plan: String,
}

/// Active stores of tenants whose subscription is not cancelled, in id order, after `after`
/// (empty for the first page).
pub async fn synced_page(db: &impl Sql, after: &str, limit: u32) -> Result<Vec<SyncedStore>, SqlError> {
    db.all(Statement::new(
        "SELECT s.id, s.tenant_id, t.plan FROM stores s JOIN tenants t ON t.id = s.tenant_id \
         WHERE s.status = 'active' AND t.subscription_status != 'canceled' AND s.id > ?1 \
         ORDER BY s.id LIMIT ?2",
        vec![after.into(), limit.into()],
    ))
    .await
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::repo::accounts;
    use crate::repo::testing::{block_on, platform, store_id, tenant_id};
    use tenancy::shards::PlatformDb;
    use tenancy::sqlite::Sqlite;

    const AT: &str = "2026-01-01T00:00:00Z";

    /// Adds store `n` of tenant `tenant` on shard `shard`, with slug `s<n>` and host
    /// `s<n>.shops.test`.
    pub(crate) fn add(db: &impl Sql, n: u8, tenant: u8, shard: u16) {
        let (slug, host) = (format!("s{n}"), format!("s{n}.shops.test"));
        let at = format!("2026-01-01T00:00:{n:02}Z");
        let store = NewStore {
            id: store_id(n),
            tenant: tenant_id(tenant),
            slug: &slug,
            name: "Shop",
            niche: "garden",
            currency: "EUR",
            shard: ShardIndex(shard),
            auto_publish: false,
            host: &host,
            at: &at,
        };
        block_on(db.batch(create(&store))).expect("the store is created");
    }

    /// Tenants 1 and 2.
    pub(crate) fn tenants() -> PlatformDb<Sqlite> {
        let db = platform();
        block_on(db.batch(vec![
            accounts::tenant(tenant_id(1), "One", AT),
            accounts::tenant(tenant_id(2), "Two", AT),
        ]))
        .unwrap();
        db
    }

    #[test]
    fn a_created_store_loads_with_its_tenants_plan_and_defaults() {
        let db = tenants();
        add(&db, 1, 1, 2);
        let store = block_on(load(&db, store_id(1))).expect("the store exists");
        assert_eq!(
            (store.tenant_id, store.shard, store.status),
            (tenant_id(1), ShardIndex(2), StoreStatus::Active)
        );
        let row = &store.row;
        assert_eq!((row.plan.as_str(), row.currency.as_str(), row.auto_publish), ("starter", "EUR", 0));
        assert_eq!((row.theme.as_str(), row.import_threshold, row.watch_threshold), ("classic", 80, 65));
        assert_eq!((row.out_of_stock.as_str(), row.logo_url.as_deref()), ("unpublish", None));
        assert_eq!(block_on(hosts(&db, store_id(1), true)).unwrap(), ["s1.shops.test"]);
    }

    #[test]
    fn a_missing_store_is_not_found() {
        let db = tenants();
        let error = block_on(load(&db, store_id(9))).unwrap_err();
        assert_eq!(error.status, 404);
    }

    #[test]
    fn a_taken_slug_is_a_unique_violation() {
        let db = tenants();
        add(&db, 1, 1, 0);
        let store = NewStore {
            id: store_id(2),
            tenant: tenant_id(2),
            slug: "s1",
            name: "Copy",
            niche: "",
            currency: "USD",
            shard: ShardIndex(0),
            auto_publish: true,
            host: "other.shops.test",
            at: AT,
        };
        assert!(block_on(db.batch(create(&store))).unwrap_err().is_unique_violation());
        assert!(block_on(row(&db, store_id(2))).unwrap().is_none());
    }

    #[test]
    fn a_tenant_lists_only_its_stores_oldest_first_and_is_counted_for_placement() {
        let db = tenants();
        add(&db, 2, 1, 0);
        add(&db, 1, 1, 1);
        add(&db, 3, 2, 1);
        let ids: Vec<_> = block_on(of_tenant(&db, tenant_id(1))).unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(ids, [store_id(1).to_string(), store_id(2).to_string()]);
        let placement = block_on(placement(&db, tenant_id(1))).unwrap().expect("the tenant exists");
        assert_eq!(
            (placement.plan.as_str(), placement.dedicated_shard, placement.stores),
            ("starter", None, 2)
        );
        let mut counts = block_on(shard_counts(&db)).unwrap();
        counts.sort_by_key(|c| c.shard);
        assert_eq!(counts, [ShardCount { shard: 0, stores: 1 }, ShardCount { shard: 1, stores: 2 }]);
        assert!(block_on(dedicated_shards(&db)).unwrap().is_empty());
    }

    #[test]
    fn settings_and_status_change_only_their_store() {
        let db = tenants();
        add(&db, 1, 1, 0);
        add(&db, 2, 1, 0);
        let settings = Settings {
            name: "New",
            niche: "pets",
            auto_publish: true,
            max_imports_per_run: 9,
            target_market: "DE",
            theme: "bold",
            brand_color: "#000000",
            logo_url: Some("https://example.com/logo.png"),
            import_threshold: 90,
            watch_threshold: 70,
            out_of_stock: "zero",
            font: "serif",
            hero_image_url: Some("https://example.com/hero.jpg"),
            announcement: "Free returns within 30 days",
            menu: r#"[{"slug":"toys","title":"Toys"}]"#,
        };
        block_on(
            db.batch(vec![update(store_id(1), &settings), set_status(store_id(1), StoreStatus::Suspended)]),
        )
        .unwrap();
        let one = block_on(load(&db, store_id(1))).unwrap();
        assert_eq!((one.row.name.as_str(), one.row.auto_publish, one.row.max_imports_per_run), ("New", 1, 9));
        assert_eq!(one.row.logo_url.as_deref(), Some("https://example.com/logo.png"));
        assert_eq!(one.status, StoreStatus::Suspended);
        let look = one.routing_record().look;
        assert_eq!(
            (look.font.as_str(), look.announcement.as_str()),
            ("serif", "Free returns within 30 days")
        );
        assert_eq!(look.hero_image_url.as_deref(), Some("https://example.com/hero.jpg"));
        assert_eq!(look.menu, ["toys Toys"]);
        let two = block_on(load(&db, store_id(2))).unwrap();
        assert_eq!((two.row.name.as_str(), two.status), ("Shop", StoreStatus::Active));
        block_on(db.batch(vec![update(store_id(1), &Settings { logo_url: None, ..settings })])).unwrap();
        assert_eq!(block_on(load(&db, store_id(1))).unwrap().row.logo_url, None);
        // The fonts the shop serves itself are kept (platform migration 0016); others are refused.
        block_on(db.batch(vec![update(store_id(1), &Settings { font: "lora", ..settings })])).unwrap();
        assert_eq!(block_on(load(&db, store_id(1))).unwrap().routing_record().look.font, "lora");
        assert!(
            block_on(db.batch(vec![update(store_id(1), &Settings { font: "comic", ..settings })])).is_err()
        );
        // The target market travels with the routing record, for the shop's shipping facts.
        assert_eq!(block_on(load(&db, store_id(1))).unwrap().routing_record().market, "DE");
    }

    #[test]
    fn deleting_a_store_removes_its_hosts_and_leaves_the_others() {
        let db = tenants();
        add(&db, 1, 1, 0);
        add(&db, 2, 1, 0);
        block_on(db.batch(delete(store_id(1), "2026-02-01T00:00:00Z"))).unwrap();
        assert!(block_on(row(&db, store_id(1))).unwrap().is_none());
        assert!(block_on(hosts(&db, store_id(1), false)).unwrap().is_empty());
        assert_eq!(block_on(hosts(&db, store_id(2), false)).unwrap(), ["s2.shops.test"]);
    }

    #[test]
    fn a_deleted_stores_slug_and_hosts_are_held_for_other_tenants_until_the_hold_ends() {
        let db = tenants();
        add(&db, 1, 1, 0);
        block_on(db.batch(delete(store_id(1), "2026-02-01T00:00:00Z"))).unwrap();
        let held = |name: &str, tenant: u8, at: &str| {
            block_on(held_for_another(&db, name, tenant_id(tenant), at)).unwrap()
        };
        assert!(held("s1", 2, "2026-01-15T00:00:00Z"), "another tenant waits for the slug");
        assert!(held("s1.shops.test", 2, "2026-01-15T00:00:00Z"), "and for the host");
        assert!(!held("s1", 1, "2026-01-15T00:00:00Z"), "the tenant that had it may take it back");
        assert!(!held("s1", 2, "2026-02-01T00:00:01Z"), "the hold ends");
        assert!(!held("s2", 2, "2026-01-15T00:00:00Z"));
    }
}
