//! GDPR: everything a tenant owns, as one downloadable JSON archive.

use crate::auth::Principal;
use crate::error::ApiResult;
use crate::runtime::{now, rfc3339};
use crate::stores::{audit, load};
use serde_json::{json, Value};
use tenancy::shards::platform;
use worker::wasm_bindgen::JsValue;
use worker::Env;

async fn rows(env: &Env, sql: &str, tenant: &str) -> ApiResult<Vec<Value>> {
    Ok(platform(env)?.prepare(sql).bind(&[JsValue::from_str(tenant)])?.all().await?.results()?)
}

/// `GET /v1/gdpr/export` (owner, signed in): the tenant, its members, stores with their domains,
/// products and research runs, API keys (never their hashes), invitations and audit log. Secrets
/// (password hashes, token hashes) are not personal data of the requester and stay out.
pub async fn export(env: &Env, principal: &Principal) -> ApiResult<Value> {
    let tenant = principal.tenant_id.to_string();
    let tenant_row = rows(
        env,
        "SELECT id, name, plan, subscription_status, stripe_customer_id, created_at FROM tenants WHERE id = ?1",
        &tenant,
    )
    .await?;
    let members = rows(
        env,
        "SELECT u.id, u.email, u.email_verified_at, u.created_at, m.role, m.created_at AS joined_at \
         FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ?1",
        &tenant,
    )
    .await?;
    let store_ids =
        rows(env, "SELECT id FROM stores WHERE tenant_id = ?1 ORDER BY created_at", &tenant).await?;
    let db = platform(env)?;
    let mut stores = Vec::new();
    for id in store_ids.iter().filter_map(|r| r["id"].as_str()).filter_map(|id| id.parse().ok()) {
        let store = load(&db, id).await?;
        let shard = store.db(env)?;
        let products: Vec<Value> =
            shard.all("SELECT * FROM products WHERE store_id = ?1 ORDER BY created_at", &[]).await?;
        let runs: Vec<Value> =
            shard.all("SELECT * FROM research_runs WHERE store_id = ?1 ORDER BY created_at", &[]).await?;
        let domains: Vec<Value> = db
            .prepare("SELECT host, kind, verified_at, created_at FROM domains WHERE store_id = ?1")
            .bind(&[JsValue::from_str(&id.to_string())])?
            .all()
            .await?
            .results()?;
        stores.push(json!({ "store": serde_json::to_value(StoreExport::of(&store)).unwrap_or_default(),
                            "domains": domains, "products": products, "research_runs": runs }));
    }
    let api_keys = rows(
        env,
        "SELECT id, name, prefix, scope, created_at, last_used_at, revoked_at FROM api_keys WHERE tenant_id = ?1",
        &tenant,
    )
    .await?;
    let invitations = rows(
        env,
        "SELECT email, role, expires_at, accepted_at, created_at FROM invitations WHERE tenant_id = ?1",
        &tenant,
    )
    .await?;
    let audit_log = rows(
        env,
        "SELECT id, actor, action, target, at FROM audit_log WHERE tenant_id = ?1 ORDER BY id",
        &tenant,
    )
    .await?;
    let at = rfc3339(now());
    db.batch(vec![audit(&db, Some(principal.tenant_id), &principal.actor(), "gdpr.export", &tenant, &at)?])
        .await?;
    Ok(json!({
        "format": "dropship-export/1",
        "exported_at": at,
        "tenant": tenant_row.into_iter().next(),
        "members": members,
        "stores": stores,
        "api_keys": api_keys,
        "invitations": invitations,
        "audit_log": audit_log,
    }))
}

#[derive(serde::Serialize)]
struct StoreExport<'a> {
    id: String,
    slug: &'a str,
    name: &'a str,
    niche: &'a str,
    currency: &'a str,
    status: &'a str,
    created_at: &'a str,
}

impl<'a> StoreExport<'a> {
    fn of(store: &'a crate::stores::Store) -> Self {
        Self {
            id: store.id.to_string(),
            slug: &store.row.slug,
            name: &store.row.name,
            niche: &store.row.niche,
            currency: &store.row.currency,
            status: &store.row.status,
            created_at: &store.row.created_at,
        }
    }
}
