//! Stores as the merchant manages them: creation (placement on a shard, host routing in KV),
//! settings, suspension and deletion.

use crate::auth::Principal;
use crate::config::Config;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::audit_log::entry;
use crate::repo::stores::{self as rows, load, Store, StoreRow};
use crate::runtime::{new_id, now, rfc3339};
use crate::scope::StoreScope;
use domain::placement::{place, ShardIndex, ShardLoad};
use domain::supply::OutOfStock;
use domain::{Currency, Niche, Plan, RunId, StoreHost, StoreId, StoreName, StoreSlug, StoreStatus, TenantId};
use serde::{Deserialize, Serialize};
use tenancy::routing::{MenuLink, Routing};
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
use worker::Env;

/// `GET /v1/stores`: the tenant's stores, oldest first.
pub async fn list(env: &Env, config: &Config, tenant: TenantId) -> ApiResult<Vec<StoreView>> {
    let rows = rows::of_tenant(&PlatformDb::open(env)?, tenant).await?;
    Ok(rows.iter().map(|row| StoreView::of(row, config)).collect())
}

/// The body of `POST /v1/stores`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateStore {
    name: String,
    slug: String,
    #[serde(default)]
    niche: String,
    #[serde(default = "default_currency")]
    currency: String,
    #[serde(default = "yes")]
    auto_publish: bool,
    /// Starts the store's launch (see [`crate::launch`]); `false` leaves the store empty for a
    /// catalog of the merchant's own.
    #[serde(default = "yes")]
    launch: bool,
}

fn default_currency() -> String {
    "USD".into()
}

fn yes() -> bool {
    true
}

/// The JSON form of a store.
#[derive(Debug, Serialize)]
pub struct StoreView {
    id: String,
    tenant_id: String,
    slug: String,
    name: String,
    niche: String,
    currency: String,
    status: String,
    plan: String,
    shard: u16,
    auto_publish: bool,
    max_imports_per_run: i64,
    target_market: String,
    theme: String,
    brand_color: String,
    logo_url: Option<String>,
    font: String,
    hero_image_url: Option<String>,
    announcement: String,
    menu: Vec<String>,
    import_threshold: i64,
    watch_threshold: i64,
    out_of_stock: String,
    host: String,
    url: String,
    created_at: String,
    /// Only in the answer to `POST /v1/stores`: the launch's research run, when one was started.
    #[serde(skip_serializing_if = "Option::is_none")]
    launch_run_id: Option<RunId>,
}

impl StoreView {
    /// The view of a store for the API.
    pub fn of(row: &StoreRow, config: &Config) -> Self {
        let host = format!("{}.{}", row.slug, config.shops_domain);
        Self {
            id: row.id.clone(),
            tenant_id: row.tenant_id.clone(),
            slug: row.slug.clone(),
            name: row.name.clone(),
            niche: row.niche.clone(),
            currency: row.currency.clone(),
            status: row.status.clone(),
            plan: row.plan.clone(),
            shard: row.shard,
            auto_publish: row.auto_publish != 0,
            max_imports_per_run: row.max_imports_per_run,
            target_market: row.target_market.clone(),
            theme: row.theme.clone(),
            brand_color: row.brand_color.clone(),
            logo_url: row.logo_url.clone(),
            font: row.font.clone(),
            hero_image_url: row.hero_image_url.clone(),
            announcement: row.announcement.clone(),
            menu: row.menu_links().into_iter().map(|link| link.slug).collect(),
            import_threshold: row.import_threshold,
            watch_threshold: row.watch_threshold,
            out_of_stock: row.out_of_stock.clone(),
            url: config.storefront_url(&host),
            host,
            created_at: row.created_at.clone(),
            launch_run_id: None,
        }
    }
}

/// `POST /v1/stores`: creates a store, places it on a shard and routes its host.
pub async fn create(
    env: &Env,
    config: &Config,
    body: &str,
    principal: &Principal,
) -> ApiResult<(StoreView, Store)> {
    let input: CreateStore = parse_json(body)?;
    let name = StoreName::parse(&input.name).map_err(|e| ApiError::invalid("name", e.to_string()))?;
    let slug = StoreSlug::parse(&input.slug).map_err(|e| ApiError::invalid("slug", e.to_string()))?;
    let currency: Currency = input
        .currency
        .parse()
        .map_err(|e: domain::money::UnsupportedCurrency| ApiError::invalid("currency", e.to_string()))?;
    let niche = Niche::parse(&input.niche)
        .map_err(|e| ApiError::invalid("niche", e.to_string()))?
        .unwrap_or_else(|| Niche::from_name(&name));
    let host = StoreHost::platform_subdomain(&slug, &config.shops_domain)
        .map_err(|e| ApiError::invalid("slug", e.to_string()))?;

    let db = PlatformDb::open(env)?;
    let created_at = rfc3339(now());
    let store_id: StoreId = new_id();
    let tenant_id = principal.tenant_id;
    if rows::held_for_another(&db, slug.as_str(), tenant_id, &created_at).await? {
        return Err(ApiError::new(
            409,
            "slug_taken",
            format!(
                "slug `{slug}` belonged to a store deleted less than {} days ago and is held until then",
                rows::NAME_HOLD_DAYS
            ),
        )
        .field("slug"));
    }
    let tenant = rows::placement(&db, tenant_id).await?;
    let tenant = tenant.ok_or_else(|| ApiError::unauthorized("the tenant no longer exists"))?;
    let plan = Plan::parse(&tenant.plan).unwrap_or(Plan::Starter);
    let owned = tenant.stores;
    if let Some(max) = plan.limits().stores {
        if owned >= u64::from(max) {
            let lifts =
                Plan::ALL.into_iter().find(|p| p.limits().stores.is_none_or(|m| u64::from(m) > owned));
            return Err(ApiError::new(
                403,
                "plan_limit",
                format!(
                    "the {} plan allows {max} store(s); the {} plan allows more",
                    plan.as_str(),
                    lifts.unwrap_or(Plan::Enterprise).as_str()
                ),
            ));
        }
    }
    let dedicated = tenant.dedicated_shard.map(ShardIndex);

    let counts = rows::shard_counts(&db).await?;
    let dedicated_shards = rows::dedicated_shards(&db).await?;
    let loads: Vec<ShardLoad> = (0..config.store_shards)
        .map(|i| ShardLoad {
            shard: ShardIndex(i),
            stores: counts.iter().find(|c| c.shard == i).map_or(0, |c| c.stores),
            dedicated_to_other: dedicated_shards.contains(&i),
        })
        .collect();
    let shard =
        place(store_id, dedicated, &loads).map_err(|e| ApiError::new(503, "no_capacity", e.to_string()))?;

    let new = rows::NewStore {
        id: store_id,
        tenant: tenant_id,
        slug: slug.as_str(),
        name: name.as_str(),
        niche: niche.as_str(),
        currency: currency.code(),
        shard,
        auto_publish: input.auto_publish,
        host: host.as_str(),
        at: &created_at,
    };
    let mut statements = rows::create(&new);
    statements.push(entry(
        Some(tenant_id),
        &principal.actor(),
        "store.create",
        &store_id.to_string(),
        &created_at,
    ));

    if let Err(error) = db.batch(statements).await {
        if error.is_unique_violation() {
            return Err(
                ApiError::new(409, "slug_taken", format!("slug `{slug}` is already taken")).field("slug")
            );
        }
        return Err(ApiError::internal("creating store", error.to_string()));
    }

    let store = load(&db, store_id).await?;
    Routing::new(env.kv(crate::config::EDGE_KV)?).publish(&host, &store.routing_record()).await?;

    let launch_run_id = match input.launch {
        true => crate::launch::start(env, config, &store, &store.db(env)?).await?,
        false => None,
    };
    Ok((StoreView { launch_run_id, ..StoreView::of(&store.row, config) }, store))
}

/// The body of `PATCH /v1/stores/{id}`: only the fields sent change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateStore {
    name: Option<String>,
    niche: Option<String>,
    auto_publish: Option<bool>,
    max_imports_per_run: Option<u16>,
    target_market: Option<String>,
    theme: Option<String>,
    brand_color: Option<String>,
    /// `Some(None)` (JSON `null`) removes the logo.
    #[serde(default, deserialize_with = "crate::error::present")]
    logo_url: Option<Option<String>>,
    font: Option<String>,
    /// `Some(None)` (JSON `null`) removes the banner image.
    #[serde(default, deserialize_with = "crate::error::present")]
    hero_image_url: Option<Option<String>>,
    announcement: Option<String>,
    menu: Option<Vec<String>>,
    import_threshold: Option<u8>,
    watch_threshold: Option<u8>,
    out_of_stock: Option<String>,
}

/// The store settings after a PATCH, checked field by field.
struct Settings {
    target_market: String,
    theme: String,
    brand_color: String,
    logo_url: Option<String>,
    font: String,
    hero_image_url: Option<String>,
    announcement: String,
    import_threshold: i64,
    watch_threshold: i64,
    out_of_stock: &'static str,
}

/// Font stacks a store may use (the storefront's `Font`).
const FONTS: [&str; 6] = ["system", "humanist", "serif", "rounded", "inter", "lora"];
/// Characters of the announcement bar at most.
pub const ANNOUNCEMENT_MAX_CHARS: usize = 120;
/// Collections in the header menu at most.
pub const MENU_MAX_LINKS: usize = 8;

/// An image URL setting: `http(s)`, at most 2,048 characters, nothing that ends an attribute.
fn image_url(
    field: &str,
    input: &Option<Option<String>>,
    stored: &Option<String>,
) -> ApiResult<Option<String>> {
    match input {
        Some(Some(url)) => {
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() <= 2048
                && !url.chars().any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>');
            if !ok {
                return Err(ApiError::invalid(field, format!("{field} must be an http(s) URL")));
            }
            Ok(Some(url.clone()))
        }
        Some(None) => Ok(None),
        None => Ok(stored.clone()),
    }
}

/// The announcement as stored: trimmed, one line of at most [`ANNOUNCEMENT_MAX_CHARS`].
fn announcement(input: Option<&str>, stored: &str) -> ApiResult<String> {
    let Some(text) = input else { return Ok(stored.to_owned()) };
    let text = text.trim();
    if text.chars().count() > ANNOUNCEMENT_MAX_CHARS || text.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "announcement",
            format!("announcement must be one line of at most {ANNOUNCEMENT_MAX_CHARS} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// Checks the slugs of a menu on their own: at most [`MENU_MAX_LINKS`], each a slug, none twice.
fn menu_shape(slugs: &[String]) -> ApiResult<()> {
    if slugs.len() > MENU_MAX_LINKS {
        return Err(ApiError::invalid("menu", format!("menu holds at most {MENU_MAX_LINKS} collections")));
    }
    for (i, slug) in slugs.iter().enumerate() {
        let is_slug = (1..=100).contains(&slug.len())
            && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !is_slug {
            return Err(ApiError::invalid("menu", "menu items must be collection slugs (a-z, 0-9, -)"));
        }
        if slugs[..i].contains(slug) {
            return Err(ApiError::invalid("menu", format!("menu names the collection {slug:?} twice")));
        }
    }
    Ok(())
}

/// The menu's links for the slugs sent (checked by [`menu_shape`]), in their order, titled from
/// the store's collections; 422 for a slug no collection has.
fn menu(slugs: &[String], collections: &[MenuLink]) -> ApiResult<Vec<MenuLink>> {
    let mut links: Vec<MenuLink> = Vec::with_capacity(slugs.len());
    for slug in slugs {
        let Some(link) = collections.iter().find(|c| c.slug == *slug) else {
            return Err(ApiError::unprocessable("menu", format!("the store has no collection {slug:?}")));
        };
        links.push(link.clone());
    }
    Ok(links)
}

fn settings(input: &UpdateStore, row: &StoreRow) -> ApiResult<Settings> {
    let target_market = match input.target_market.as_deref() {
        Some(m) if m.len() == 2 && m.bytes().all(|b| b.is_ascii_alphabetic()) => m.to_ascii_uppercase(),
        Some(_) => {
            return Err(ApiError::invalid("target_market", "target_market must be a two-letter country code"))
        }
        None => row.target_market.clone(),
    };
    let theme = match input.theme.as_deref() {
        Some(t @ ("classic" | "bold" | "minimal")) => t.to_owned(),
        Some(_) => return Err(ApiError::invalid("theme", "theme must be classic, bold or minimal")),
        None => row.theme.clone(),
    };
    let brand_color = match input.brand_color.as_deref() {
        Some(c) if c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit()) => {
            c.to_ascii_lowercase()
        }
        Some(_) => return Err(ApiError::invalid("brand_color", "brand_color must look like #1d4ed8")),
        None => row.brand_color.clone(),
    };
    let logo_url = image_url("logo_url", &input.logo_url, &row.logo_url)?;
    let font = match input.font.as_deref() {
        Some(f) if FONTS.contains(&f) => f.to_owned(),
        Some(_) => {
            return Err(ApiError::invalid(
                "font",
                "font must be system, humanist, serif, rounded, inter or lora",
            ))
        }
        None => row.font.clone(),
    };
    let hero_image_url = image_url("hero_image_url", &input.hero_image_url, &row.hero_image_url)?;
    let announcement = announcement(input.announcement.as_deref(), &row.announcement)?;
    let import_threshold = input.import_threshold.map_or(row.import_threshold, i64::from);
    let watch_threshold = input.watch_threshold.map_or(row.watch_threshold, i64::from);
    if import_threshold > 100 {
        return Err(ApiError::invalid("import_threshold", "import_threshold must be 0 to 100"));
    }
    if watch_threshold > import_threshold {
        return Err(ApiError::unprocessable(
            "watch_threshold",
            "watch_threshold must not exceed import_threshold (the one sent, or the store's)",
        ));
    }
    let out_of_stock = match input.out_of_stock.as_deref() {
        Some(name) => OutOfStock::parse(name)
            .ok_or_else(|| ApiError::invalid("out_of_stock", "out_of_stock must be unpublish or zero"))?,
        None => OutOfStock::parse(&row.out_of_stock).unwrap_or_default(),
    }
    .name();
    Ok(Settings {
        target_market,
        theme,
        brand_color,
        logo_url,
        font,
        hero_image_url,
        announcement,
        import_threshold,
        watch_threshold,
        out_of_stock,
    })
}

/// Rewrites the routing record of every host of the store, after a change shoppers must see.
pub(crate) async fn republish(env: &Env, store: &Store) -> ApiResult<()> {
    let hosts = rows::hosts(&PlatformDb::open(env)?, store.id, true).await?;
    let record = store.routing_record();
    let routing = Routing::new(env.kv(crate::config::EDGE_KV)?);
    for host in hosts {
        if let Ok(host) = StoreHost::parse(&host) {
            routing.publish(&host, &record).await?;
        }
    }
    routing.bump_cache_version(store.id, crate::runtime::now_ms() as f64).await?;
    Ok(())
}

/// `PATCH /v1/stores/{id}`.
pub async fn update(env: &Env, scope: &StoreScope, config: &Config, body: &str) -> ApiResult<StoreView> {
    let store = &scope.store;
    let principal = &scope.principal;
    let input: UpdateStore = parse_json(body)?;
    let name = match input.name.as_deref() {
        Some(raw) => {
            StoreName::parse(raw).map_err(|e| ApiError::invalid("name", e.to_string()))?.as_str().to_owned()
        }
        None => store.row.name.clone(),
    };
    let niche = match input.niche.as_deref() {
        Some(sent) => match Niche::parse(sent).map_err(|e| ApiError::invalid("niche", e.to_string()))? {
            Some(niche) => niche.as_str().to_owned(),
            // Blank: read from the name, as at creation (a stored name always parses).
            None => StoreName::parse(&name)
                .map_or_else(|_| name.to_lowercase(), |n| Niche::from_name(&n).as_str().to_owned()),
        },
        None => store.row.niche.clone(),
    };
    let auto_publish = input.auto_publish.unwrap_or(store.row.auto_publish != 0);
    let max_imports = i64::from(input.max_imports_per_run.unwrap_or(store.row.max_imports_per_run as u16));
    if !(1..=50).contains(&max_imports) {
        return Err(ApiError::invalid("max_imports_per_run", "max_imports_per_run must be 1 to 50"));
    }
    let settings = settings(&input, &store.row)?;
    let menu_json = match &input.menu {
        Some(slugs) => {
            menu_shape(slugs)?;
            let collections = rows::collection_links(&store.db(env)?).await?;
            serde_json::to_string(&menu(slugs, &collections)?).map_err(|e| ApiError::internal("menu", e))?
        }
        None => store.row.menu.clone(),
    };
    let db = PlatformDb::open(env)?;
    let at = rfc3339(now());
    let written = rows::Settings {
        name: &name,
        niche: &niche,
        auto_publish,
        max_imports_per_run: max_imports,
        target_market: &settings.target_market,
        theme: &settings.theme,
        brand_color: &settings.brand_color,
        logo_url: settings.logo_url.as_deref(),
        font: &settings.font,
        hero_image_url: settings.hero_image_url.as_deref(),
        announcement: &settings.announcement,
        menu: &menu_json,
        import_threshold: settings.import_threshold,
        watch_threshold: settings.watch_threshold,
        out_of_stock: settings.out_of_stock,
    };
    db.batch(vec![
        rows::update(store.id, &written),
        entry(Some(store.tenant_id), &principal.actor(), "store.update", &store.id.to_string(), &at),
    ])
    .await?;
    let store = load(&db, store.id).await?;
    republish(env, &store).await?;
    Ok(StoreView::of(&store.row, config))
}

/// `POST /v1/stores/{id}/suspend` and `/resume`: a suspended store answers shoppers with 503 and
/// gets no research.
pub async fn set_status(
    env: &Env,
    scope: &StoreScope,
    config: &Config,
    status: StoreStatus,
) -> ApiResult<StoreView> {
    let store = &scope.store;
    let principal = &scope.principal;
    let db = PlatformDb::open(env)?;
    let at = rfc3339(now());
    let action = if status == StoreStatus::Active { "store.resume" } else { "store.suspend" };
    db.batch(vec![
        rows::set_status(store.id, status),
        entry(Some(store.tenant_id), &principal.actor(), action, &store.id.to_string(), &at),
    ])
    .await?;
    let store = load(&db, store.id).await?;
    republish(env, &store).await?;
    Ok(StoreView::of(&store.row, config))
}

/// `DELETE /v1/stores/{id}`: removes the store's rows from its shard, its hosts from KV, and
/// the store from the platform database.
pub async fn delete(env: &Env, scope: &StoreScope, config: &Config) -> ApiResult<()> {
    let store = &scope.store;
    let principal = &scope.principal;
    // First, so that a failure leaves the store whole: its custom domains stop reaching the shop.
    crate::v1::domains::release_hostnames(env, config, store.id).await?;
    // Every table of the shard that holds store rows, whatever later migrations add.
    crate::repo::erasures::erase_store(&scope.db).await?;
    let db = PlatformDb::open(env)?;
    let hosts = rows::hosts(&db, store.id, false).await?;
    let routing = Routing::new(env.kv(crate::config::EDGE_KV)?);
    for host in &hosts {
        if let Ok(host) = StoreHost::parse(host) {
            routing.unpublish(&host).await?;
        }
    }
    let at = rfc3339(now());
    let held_until = rfc3339(now() + time::Duration::days(rows::NAME_HOLD_DAYS));
    let mut statements = rows::delete(store.id, &held_until);
    statements.push(entry(
        Some(store.tenant_id),
        &principal.actor(),
        "store.delete",
        &store.id.to_string(),
        &at,
    ));
    db.batch(statements).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(slug: &str, title: &str) -> MenuLink {
        MenuLink { slug: slug.into(), title: title.into() }
    }

    #[test]
    fn a_menu_takes_the_collections_titles_in_the_order_sent() {
        let collections = [link("a-toys", "Toys"), link("beds", "Beds"), link("collars", "Collars")];
        let slugs = ["collars".to_owned(), "a-toys".to_owned()];
        menu_shape(&slugs).unwrap();
        assert_eq!(menu(&slugs, &collections).unwrap(), [link("collars", "Collars"), link("a-toys", "Toys")]);
    }

    #[test]
    fn a_menu_naming_no_collection_repeating_one_or_too_long_is_refused_with_its_field() {
        let collections = [link("beds", "Beds")];
        let unknown = menu(&["toys".to_owned()], &collections).unwrap_err();
        assert_eq!((unknown.status, unknown.field.as_deref()), (422, Some("menu")));
        let twice = menu_shape(&["beds".to_owned(), "beds".to_owned()]).unwrap_err();
        assert_eq!((twice.status, twice.field.as_deref()), (400, Some("menu")));
        let many: Vec<String> = (0..=MENU_MAX_LINKS).map(|i| format!("c{i}")).collect();
        assert_eq!(menu_shape(&many).unwrap_err().status, 400);
        assert_eq!(menu_shape(&["Beds!".to_owned()]).unwrap_err().status, 400);
    }

    #[test]
    fn an_announcement_is_one_trimmed_line_of_at_most_120_characters() {
        assert_eq!(announcement(Some("  Free returns  "), "old").unwrap(), "Free returns");
        assert_eq!(announcement(None, "old").unwrap(), "old");
        assert_eq!(announcement(Some(&"é".repeat(120)), "").unwrap().chars().count(), 120);
        for bad in ["é".repeat(121), "two\nlines".to_owned()] {
            let error = announcement(Some(&bad), "").unwrap_err();
            assert_eq!((error.status, error.field.as_deref()), (400, Some("announcement")));
        }
    }

    #[test]
    fn image_settings_are_http_urls_and_null_removes_them() {
        let stored = Some("https://a.example/x.jpg".to_owned());
        assert_eq!(image_url("hero_image_url", &None, &stored).unwrap(), stored);
        assert_eq!(image_url("hero_image_url", &Some(None), &stored).unwrap(), None);
        let error = image_url("hero_image_url", &Some(Some("javascript:x".into())), &None).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("hero_image_url"));
    }
}
