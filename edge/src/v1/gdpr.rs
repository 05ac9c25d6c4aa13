//! GDPR for a tenant: everything it owns as one downloadable JSON archive, erasure of the whole
//! tenant, and the erasure's status.

use crate::auth::Principal;
use crate::error::ApiResult;
use crate::repo::audit_log::audit;
use crate::repo::stores::load;
use crate::runtime::{now, rfc3339};
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
        // Every table of the shard that holds store rows: products, variants, collections,
        // pages, posts, orders, research runs, watchlist... whatever later migrations add.
        let tables = shard.dump().await?;
        let domains: Vec<Value> = db
            .prepare("SELECT host, kind, verified_at, created_at FROM domains WHERE store_id = ?1")
            .bind(&[JsValue::from_str(&id.to_string())])?
            .all()
            .await?
            .results()?;
        let mut entry = serde_json::Map::new();
        entry.insert("store".into(), serde_json::to_value(StoreExport::of(&store)).unwrap_or_default());
        entry.insert("domains".into(), Value::Array(domains));
        for (table, rows) in tables {
            entry.insert(table, Value::Array(rows));
        }
        stores.push(Value::Object(entry));
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
    fn of(store: &'a crate::repo::stores::Store) -> Self {
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

/// The body of `POST /v1/gdpr/erasure`: the owner's password, again, and the tenant's name
/// typed out, because nothing brings the data back.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EraseTenant {
    password: String,
    confirm: String,
}

#[derive(serde::Deserialize)]
struct OwnerRow {
    password_hash: String,
    name: String,
    stripe_subscription_id: Option<String>,
    subscription_status: String,
}

#[derive(serde::Deserialize)]
struct StoreRef {
    id: String,
}

#[derive(serde::Deserialize)]
struct HostRef {
    host: String,
}

/// What `POST /v1/gdpr/erasure` and `GET /v1/gdpr/erasures/{id}` answer.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct ErasureView {
    pub(crate) id: String,
    /// `erasing_pipelines` until the pipelines confirm, then `completed`.
    pub(crate) status: String,
    pub(crate) requested_at: String,
    pub(crate) data_erased_at: Option<String>,
    pub(crate) pipelines_confirmed_at: Option<String>,
    pub(crate) dynamodb_items: Option<i64>,
    pub(crate) s3_objects: Option<i64>,
}

#[derive(serde::Deserialize)]
pub(crate) struct ErasureRow {
    pub(crate) id: String,
    pub(crate) tenant_id: String,
    pub(crate) requested_at: String,
    pub(crate) data_erased_at: Option<String>,
    pub(crate) pipelines_confirmed_at: Option<String>,
    pub(crate) dynamodb_items: Option<i64>,
    pub(crate) s3_objects: Option<i64>,
}

impl From<ErasureRow> for ErasureView {
    fn from(row: ErasureRow) -> Self {
        let status = match (&row.data_erased_at, &row.pipelines_confirmed_at) {
            (None, _) => "erasing",
            (Some(_), None) => "erasing_pipelines",
            (Some(_), Some(_)) => "completed",
        };
        Self {
            id: row.id,
            status: status.into(),
            requested_at: row.requested_at,
            data_erased_at: row.data_erased_at,
            pipelines_confirmed_at: row.pipelines_confirmed_at,
            dynamodb_items: row.dynamodb_items,
            s3_objects: row.s3_objects,
        }
    }
}

pub(crate) async fn erasure_row(env: &Env, id: &str) -> ApiResult<ErasureRow> {
    let row: Option<ErasureRow> = platform(env)?
        .prepare(
            "SELECT id, tenant_id, requested_at, data_erased_at, pipelines_confirmed_at, dynamodb_items, s3_objects \
             FROM erasures WHERE id = ?1",
        )
        .bind(&[JsValue::from_str(id)])?
        .first(None)
        .await?;
    row.ok_or_else(|| crate::error::ApiError::not_found("erasure"))
}

/// `POST /v1/gdpr/erasure` (owner, signed in): erases the tenant. Its D1 rows in the platform
/// database and every store shard, and its KV keys, go now; the pipelines are asked through the
/// erasure queue to delete their DynamoDB items and S3 objects, and confirm. A subscription is
/// cancelled first. Members who belong to no other tenant lose their account; others keep it.
///
/// What stays: the erasure's own row and two audit entries (requested, confirmed), which name
/// only random ids. The request is refused as a whole (nothing erased) when the queue or Stripe
/// cannot be reached.
pub async fn erase(
    env: &Env,
    config: &crate::config::Config,
    principal: &Principal,
    body: &str,
) -> ApiResult<ErasureView> {
    use crate::error::ApiError;
    principal.require(domain::accounts::Action::Administer)?;
    principal.session()?;
    let input: EraseTenant = crate::error::parse_json(body)?;
    let db = platform(env)?;
    let tenant = principal.tenant_id.to_string();
    let owner: OwnerRow = db
        .prepare(
            "SELECT u.password_hash, t.name, t.stripe_subscription_id, t.subscription_status \
             FROM users u JOIN tenants t ON t.id = ?2 WHERE u.id = ?1",
        )
        .bind(&[principal.user_id.to_string().into(), tenant.clone().into()])?
        .first(None)
        .await?
        .ok_or_else(|| ApiError::unauthorized("the session has ended; sign in again"))?;
    if crate::auth::password::verify(&input.password, &owner.password_hash)
        == crate::auth::password::Verified::No
    {
        return Err(ApiError::new(403, "wrong_password", "the password is not right").field("password"));
    }
    if input.confirm.trim() != owner.name {
        return Err(ApiError::invalid("confirm", "type the account's name exactly to confirm the erasure"));
    }

    // A running subscription would go on charging a customer who no longer exists.
    if let Some(subscription) =
        owner.stripe_subscription_id.as_deref().filter(|_| owner.subscription_status != "canceled")
    {
        config
            .stripe
            .client()
            .call(worker::Method::Delete, &format!("/v1/subscriptions/{subscription}"), &[], None)
            .await
            .map_err(|e| {
                worker::console_error!("cancelling the subscription before erasure: {e}");
                ApiError::new(
                    503,
                    "billing_unavailable",
                    "billing is unavailable; nothing was erased, try again shortly",
                )
            })?;
    }

    let stores: Vec<StoreRef> = db
        .prepare("SELECT id FROM stores WHERE tenant_id = ?1")
        .bind(&[tenant.clone().into()])?
        .all()
        .await?
        .results()?;
    let store_ids: Vec<domain::StoreId> = stores.iter().filter_map(|s| s.id.parse().ok()).collect();
    let id = uuid_text(crate::runtime::random_bytes::<16>());
    let at = rfc3339(now());
    db.batch(vec![
        db.prepare("INSERT INTO erasures (id, tenant_id, store_ids, requested_at) VALUES (?1, ?2, ?3, ?4)")
            .bind(&[
            id.clone().into(),
            tenant.clone().into(),
            serde_json::to_string(&stores.iter().map(|s| &s.id).collect::<Vec<_>>())
                .unwrap_or_default()
                .into(),
            at.clone().into(),
        ])?,
        audit(&db, Some(principal.tenant_id), &principal.actor(), "gdpr.erasure_requested", &id, &at)?,
    ])
    .await?;

    // The pipelines' part first: once the rows below are gone, nothing would remember to ask.
    let envelope = queues::Envelope::for_tenant(
        format!("erasure:{id}"),
        principal.tenant_id,
        now(),
        id.clone(),
        queues::messages::TenantErasureRequested { erasure_id: id.clone(), store_ids: store_ids.clone() },
    );
    if let Err(error) =
        crate::sqs::send(&config.sqs, &config.sqs.erasure_queue_url, &envelope, crate::runtime::now_ms())
            .await
    {
        worker::console_error!("enqueueing the erasure: {error}");
        db.prepare("DELETE FROM erasures WHERE id = ?1").bind(&[id.clone().into()])?.run().await?;
        return Err(ApiError::new(
            503,
            "erasure_unavailable",
            "the erasure could not start; nothing was erased, try again shortly",
        ));
    }

    // Store data and routing.
    let routing = tenancy::routing::Routing::new(env.kv(crate::config::EDGE_KV)?);
    for store_id in &store_ids {
        let store = load(&db, *store_id).await?;
        store.db(env)?.erase().await?;
        let hosts: Vec<HostRef> = db
            .prepare("SELECT host FROM domains WHERE store_id = ?1")
            .bind(&[store_id.to_string().into()])?
            .all()
            .await?
            .results()?;
        for host in hosts.iter().filter_map(|h| domain::StoreHost::parse(&h.host).ok()) {
            routing.unpublish(&host).await?;
        }
        routing.forget_store(*store_id).await?;
    }

    // The platform's rows: accounts that belong to no other tenant, then everything keyed by
    // the tenant (sessions, refresh tokens, email tokens, memberships cascade from the tenant
    // and its users). Foreign keys are checked at commit.
    let t = || JsValue::from_str(&tenant);
    db.batch(vec![
        db.prepare("PRAGMA defer_foreign_keys = on"),
        db.prepare(
            "DELETE FROM users WHERE id IN (SELECT user_id FROM memberships WHERE tenant_id = ?1) \
             AND id NOT IN (SELECT user_id FROM memberships WHERE tenant_id <> ?1)",
        )
        .bind(&[t()])?,
        db.prepare("DELETE FROM sessions WHERE tenant_id = ?1").bind(&[t()])?,
        db.prepare("DELETE FROM memberships WHERE tenant_id = ?1").bind(&[t()])?,
        db.prepare("DELETE FROM invitations WHERE tenant_id = ?1").bind(&[t()])?,
        db.prepare("DELETE FROM api_keys WHERE tenant_id = ?1").bind(&[t()])?,
        db.prepare("DELETE FROM domains WHERE tenant_id = ?1").bind(&[t()])?,
        db.prepare("DELETE FROM stores WHERE tenant_id = ?1").bind(&[t()])?,
        db.prepare("DELETE FROM stripe_events WHERE tenant_id = ?1").bind(&[t()])?,
        db.prepare("DELETE FROM audit_log WHERE tenant_id = ?1 AND action NOT LIKE 'gdpr.erasure%'")
            .bind(&[t()])?,
        db.prepare("DELETE FROM tenants WHERE id = ?1").bind(&[t()])?,
        db.prepare("UPDATE erasures SET data_erased_at = ?2 WHERE id = ?1")
            .bind(&[id.clone().into(), rfc3339(now()).into()])?,
    ])
    .await?;
    Ok(erasure_row(env, &id).await?.into())
}

/// `GET /v1/gdpr/erasures/{id}`: where an erasure stands. The id is 128 random bits, given only
/// to the owner who asked; the answer names no one.
pub async fn erasure_status(env: &Env, id: &str) -> ApiResult<ErasureView> {
    Ok(erasure_row(env, id).await?.into())
}

fn uuid_text(bytes: [u8; 16]) -> String {
    let mut b = bytes;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}
