//! Custom domains: a merchant adds a host, proves ownership with a TXT record at
//! `_dropship-challenge.<host>` (checked through a DNS-over-HTTPS resolver), and the host is then
//! routed to the store. A host belongs to one store only.

use crate::config::Config;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::audit_log::entry;
use crate::repo::domains::{self, DomainRow};
use crate::repo::stores::Store;
use crate::runtime::{now, random_bytes, rfc3339};
use crate::scope::StoreScope;
use domain::dns::{txt_answers, txt_query};
use domain::{Plan, StoreHost};
use serde::{Deserialize, Serialize};
use tenancy::routing::Routing;
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
use worker::{Env, Fetch, Headers, Method, Request, RequestInit};

/// The label under which the challenge TXT record lives.
pub const CHALLENGE_LABEL: &str = "_dropship-challenge";

/// The TXT record that proves a domain's `challenge`.
pub(crate) fn txt_record(challenge: &str) -> String {
    format!("dropship-verify={challenge}")
}

/// A domain as the API shows it.
#[derive(Debug, Serialize, Deserialize)]
pub struct DomainView {
    host: String,
    kind: String,
    status: String,
    txt_name: Option<String>,
    txt_value: Option<String>,
    verified_at: Option<String>,
    record_missing_since: Option<String>,
}

impl From<DomainRow> for DomainView {
    fn from(row: DomainRow) -> Self {
        let pending = row.verified_at.is_none();
        Self {
            txt_name: (row.kind == "custom").then(|| format!("{CHALLENGE_LABEL}.{}", row.host)),
            // Kept after verification too: the daily check looks for it.
            txt_value: row.challenge.as_deref().map(txt_record),
            status: if pending { "pending".into() } else { "active".into() },
            host: row.host,
            kind: row.kind,
            verified_at: row.verified_at,
            record_missing_since: row.record_missing_since,
        }
    }
}

async fn row(env: &Env, store: &Store, host: &str) -> ApiResult<DomainRow> {
    let row = domains::get(&PlatformDb::open(env)?, store.id, host).await?;
    row.ok_or_else(|| ApiError::not_found("domain"))
}

/// `GET /v1/stores/{id}/domains`.
pub async fn list(env: &Env, scope: &StoreScope) -> ApiResult<Vec<DomainView>> {
    let store = &scope.store;
    let rows = domains::of_store(&PlatformDb::open(env)?, store.id).await?;
    Ok(rows.into_iter().map(DomainView::from).collect())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddDomain {
    host: String,
}

/// `POST /v1/stores/{id}/domains`: records a pending custom domain and says which TXT record
/// proves it.
pub async fn add(env: &Env, scope: &StoreScope, config: &Config, body: &str) -> ApiResult<DomainView> {
    let store = &scope.store;
    let principal = &scope.principal;
    let input: AddDomain = parse_json(body)?;
    let host = StoreHost::parse(&input.host).map_err(|e| ApiError::invalid("host", e.to_string()))?;
    if !host.as_str().contains('.') {
        return Err(ApiError::invalid(
            "host",
            "host must be a domain name with a dot, such as shop.example.com",
        ));
    }
    let shops = config.shops_domain.as_str();
    if host.as_str() == shops || host.as_str().ends_with(&format!(".{shops}")) {
        // The platform's own hosts are taken: each store already has one under them.
        return Err(ApiError::new(
            409,
            "domain_taken",
            format!("{shops} and the hosts under it are the platform's own; use a domain of your own"),
        )
        .field("host"));
    }
    let plan = store.plan();
    let db = PlatformDb::open(env)?;
    let owned = domains::custom_count(&db, store.tenant_id).await?;
    if let Some(max) = plan.limits().custom_domains {
        if owned >= u64::from(max) {
            let lifts = Plan::ALL
                .into_iter()
                .find(|p| p.limits().custom_domains.is_none_or(|m| u64::from(m) > owned));
            return Err(ApiError::new(
                403,
                "plan_limit",
                format!(
                    "the {} plan allows {max} custom domain(s); the {} plan allows more",
                    plan.as_str(),
                    lifts.unwrap_or(Plan::Enterprise).as_str()
                ),
            )
            .field("host"));
        }
    }
    let challenge = hex::encode(random_bytes::<16>());
    let at = rfc3339(now());
    if crate::repo::stores::held_for_another(&db, host.as_str(), store.tenant_id, &at).await? {
        return Err(ApiError::new(
            409,
            "domain_taken",
            format!(
                "this host served a store deleted less than {} days ago and is held until then",
                crate::repo::stores::NAME_HOLD_DAYS
            ),
        )
        .field("host"));
    }
    let inserted = db
        .batch(vec![
            domains::release_expired(host.as_str(), &pending_cutoff()),
            domains::add_custom(store.id, store.tenant_id, host.as_str(), &challenge, &at),
            entry(Some(store.tenant_id), &principal.actor(), "domain.add", host.as_str(), &at),
        ])
        .await;
    if let Err(error) = inserted {
        if error.is_unique_violation() {
            return Err(
                ApiError::new(409, "domain_taken", "this host already belongs to a store").field("host")
            );
        }
        return Err(ApiError::internal("adding domain", error));
    }
    Ok(row(env, store, host.as_str()).await?.into())
}

/// Pending claims made before this instant have expired.
fn pending_cutoff() -> String {
    rfc3339(now() - time::Duration::days(domain::dns::PENDING_DOMAIN_DAYS))
}

/// Asks the DNS-over-HTTPS resolver for the TXT records of `name`.
pub(crate) async fn lookup_txt(doh_url: &str, name: &str) -> ApiResult<Vec<String>> {
    let id = u16::from_be_bytes(random_bytes::<2>());
    let query = txt_query(name, id).map_err(|e| ApiError::invalid("host", e.to_string()))?;
    let headers = Headers::new();
    headers.set("content-type", "application/dns-message")?;
    headers.set("accept", "application/dns-message")?;
    let mut init = RequestInit::new();
    let body = worker::js_sys::Uint8Array::from(query.as_slice());
    init.with_method(Method::Post).with_headers(headers).with_body(Some(body.into()));
    let unavailable = |e: String| {
        worker::console_error!("DNS-over-HTTPS lookup: {e}");
        ApiError::new(503, "dns_unavailable", "the DNS check could not run; try again shortly")
    };
    let mut response = Fetch::Request(Request::new_with_init(doh_url, &init)?)
        .send()
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    if response.status_code() != 200 {
        return Err(unavailable(format!("resolver answered {}", response.status_code())));
    }
    let bytes = response.bytes().await.map_err(|e| unavailable(e.to_string()))?;
    match txt_answers(&bytes, id) {
        Ok(texts) => Ok(texts),
        Err(domain::dns::DnsError::Rcode(3)) => Ok(Vec::new()),
        Err(e) => Err(unavailable(e.to_string())),
    }
}

/// `POST /v1/stores/{id}/domains/{host}/verify`: checks the TXT record and, when it holds the
/// challenge, routes the host to the store.
pub async fn verify(env: &Env, scope: &StoreScope, config: &Config, host: &str) -> ApiResult<DomainView> {
    let store = &scope.store;
    let principal = &scope.principal;
    // A claim left unproven too long is gone: the merchant adds the domain again.
    PlatformDb::open(env)?.batch(vec![domains::release_expired(host, &pending_cutoff())]).await?;
    let current = row(env, store, host).await?;
    if current.verified_at.is_some() {
        return Ok(current.into());
    }
    let challenge =
        current.challenge.clone().ok_or_else(|| ApiError::internal("domain row", "no challenge"))?;
    let name = format!("{CHALLENGE_LABEL}.{host}");
    let found = lookup_txt(&config.doh_url, &name).await?;
    let expected = txt_record(&challenge);
    if !found.iter().any(|t| t.trim() == expected) {
        return Err(ApiError::new(
            409,
            "verification_failed",
            format!("no TXT record `{expected}` at {name} yet ({} TXT record(s) found); DNS changes can take a while", found.len()),
        ));
    }
    // Proven: Cloudflare serves the shop on it once its custom hostname exists.
    let hostname = config.cloudflare.create_hostname(host).await.map_err(unavailable)?;
    let db = PlatformDb::open(env)?;
    let at = rfc3339(now());
    db.batch(vec![
        domains::verified(store.id, host, &at, &hostname),
        entry(Some(store.tenant_id), &principal.actor(), "domain.verify", host, &at),
    ])
    .await?;
    let record = store.routing_record();
    let routed = StoreHost::parse(host).map_err(|e| ApiError::internal("domain row", e))?;
    Routing::new(env.kv(crate::config::EDGE_KV)?).publish(&routed, &record).await?;
    Ok(row(env, store, host).await?.into())
}

pub(crate) fn unavailable(error: String) -> ApiError {
    worker::console_error!("custom hostname: {error}");
    ApiError::new(
        503,
        "domains_unavailable",
        "the domain could not be connected or released; try again shortly",
    )
}

/// Deletes the Cloudflare custom hostnames of a store's domains (the store is going).
pub async fn release_hostnames(env: &Env, config: &Config, store: domain::StoreId) -> ApiResult<()> {
    for id in domains::hostname_ids(&PlatformDb::open(env)?, store).await? {
        config.cloudflare.delete_hostname(&id).await.map_err(unavailable)?;
    }
    Ok(())
}

/// `DELETE /v1/stores/{id}/domains/{host}`: stops routing a custom domain and deletes its
/// Cloudflare custom hostname.
pub async fn remove(env: &Env, scope: &StoreScope, config: &Config, host: &str) -> ApiResult<()> {
    let store = &scope.store;
    let principal = &scope.principal;
    let current = row(env, store, host).await?;
    if current.kind != "custom" {
        return Err(ApiError::new(409, "platform_domain", "the store's own sub-domain cannot be removed")
            .field("host"));
    }
    if let Some(hostname) = &current.cf_hostname_id {
        config.cloudflare.delete_hostname(hostname).await.map_err(unavailable)?;
    }
    let db = PlatformDb::open(env)?;
    let at = rfc3339(now());
    db.batch(vec![
        domains::remove(store.id, host),
        entry(Some(store.tenant_id), &principal.actor(), "domain.remove", host, &at),
    ])
    .await?;
    if let Ok(routed) = StoreHost::parse(host) {
        Routing::new(env.kv(crate::config::EDGE_KV)?).unpublish(&routed).await?;
    }
    Ok(())
}
