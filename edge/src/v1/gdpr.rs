//! GDPR for a tenant: everything it owns as one downloadable JSON archive, erasure of the whole
//! tenant, and the erasure's status.

use crate::auth::Principal;
use crate::error::ApiResult;
use crate::repo::audit_log::entry;
use crate::repo::erasures::{self, ErasureRow};
use crate::repo::stores::{self, load};
use crate::runtime::{now, rfc3339};
use serde_json::{json, Value};
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
use worker::Env;

/// `GET /v1/gdpr/export` (owner, signed in): the tenant, its members, stores with their domains,
/// products and research runs, API keys (never their hashes), invitations and audit log. Secrets
/// (password hashes, token hashes) are not personal data of the requester and stay out.
pub async fn export(env: &Env, principal: &Principal) -> ApiResult<Value> {
    let tenant = principal.tenant_id.to_string();
    let db = PlatformDb::open(env)?;
    let platform = erasures::export(&db, &tenant).await?;
    let store_ids = erasures::store_ids(&db, &tenant).await?;
    let mut stores = Vec::new();
    for id in store_ids.iter().filter_map(|id| id.parse().ok()) {
        let store = load(&db, id).await?;
        let shard = store.db(env)?;
        // Every table of the shard that holds store rows: products, variants, collections,
        // pages, posts, orders, research runs, watchlist... whatever later migrations add.
        let tables = erasures::store_rows(&shard).await?;
        let domains = erasures::store_domains(&db, &id.to_string()).await?;
        let mut archive = serde_json::Map::new();
        archive.insert("store".into(), serde_json::to_value(StoreExport::of(&store)).unwrap_or_default());
        archive.insert("domains".into(), Value::Array(domains));
        for (table, rows) in tables {
            archive.insert(table, Value::Array(rows));
        }
        stores.push(Value::Object(archive));
    }
    let at = rfc3339(now());
    db.batch(vec![entry(Some(principal.tenant_id), &principal.actor(), "gdpr.export", &tenant, &at)]).await?;
    Ok(json!({
        "format": "dropship-export/1",
        "exported_at": at,
        "tenant": platform.tenant,
        "members": platform.members,
        "stores": stores,
        "api_keys": platform.api_keys,
        "invitations": platform.invitations,
        "audit_log": platform.audit_log,
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
    let row = erasures::get(&PlatformDb::open(env)?, id).await?;
    row.ok_or_else(|| crate::error::ApiError::not_found("erasure"))
}

/// `POST /v1/gdpr/erasure` (owner, signed in): erases the tenant. Its D1 rows in the platform
/// database and every store shard, and its KV keys, go now; the pipelines are asked through the
/// erasure queue to delete their DynamoDB items and S3 objects (those of stores deleted before
/// too), and confirm. A subscription is cancelled first, and the Stripe customer deleted.
/// Members who belong to no other tenant lose their account; others keep it.
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
    let db = PlatformDb::open(env)?;
    let tenant = principal.tenant_id.to_string();
    let owner = erasures::owner(&db, &principal.user_id.to_string(), &tenant)
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

    // The customer holds the owner's name, address and payment methods at Stripe. Deleting it
    // also ends any subscription left; one already gone (404) is what was asked for.
    if let Some(customer) = owner.stripe_customer_id.as_deref() {
        let path = format!("/v1/customers/{customer}");
        match config.stripe.client().call(worker::Method::Delete, &path, &[], None).await {
            Ok(_) => {}
            Err(e) if e.starts_with("Stripe answered 404") => {}
            Err(e) => {
                worker::console_error!("deleting the Stripe customer before erasure: {e}");
                return Err(ApiError::new(
                    503,
                    "billing_unavailable",
                    "billing is unavailable; nothing was erased, try again shortly",
                ));
            }
        }
    }

    // The pipelines also hold data of the stores deleted before: their ids go in the message.
    let stores = erasures::erasure_store_ids(&db, &tenant).await?;
    let store_ids: Vec<domain::StoreId> = stores.iter().filter_map(|s| s.parse().ok()).collect();
    let live = erasures::store_ids(&db, &tenant).await?;
    let live_ids: Vec<domain::StoreId> = live.iter().filter_map(|s| s.parse().ok()).collect();
    let id = uuid_text(crate::runtime::random_bytes::<16>());
    let at = rfc3339(now());
    db.batch(vec![
        erasures::request(&id, &tenant, &serde_json::to_string(&stores).unwrap_or_default(), &at),
        entry(Some(principal.tenant_id), &principal.actor(), "gdpr.erasure_requested", &id, &at),
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
        erasures::withdraw(&db, &id).await?;
        return Err(ApiError::new(
            503,
            "erasure_unavailable",
            "the erasure could not start; nothing was erased, try again shortly",
        ));
    }

    // Store data and routing.
    let routing = tenancy::routing::Routing::new(env.kv(crate::config::EDGE_KV)?);
    for store_id in &live_ids {
        let store = load(&db, *store_id).await?;
        // The erasure goes on when Cloudflare cannot be reached: its custom hostnames then
        // point at hosts no store answers for.
        if let Err(error) = crate::v1::domains::release_hostnames(env, config, *store_id).await {
            worker::console_error!("erasure: releasing the custom hostnames of {store_id}: {error:?}");
        }
        erasures::erase_store(&store.db(env)?).await?;
        let hosts = stores::hosts(&db, *store_id, false).await?;
        for host in hosts.iter().filter_map(|h| domain::StoreHost::parse(h).ok()) {
            routing.unpublish(&host).await?;
        }
        routing.forget_store(*store_id).await?;
    }

    // The platform's rows: accounts that belong to no other tenant, then everything keyed by
    // the tenant.
    db.batch(erasures::erase_tenant(&tenant, &id, &rfc3339(now()))).await?;
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
