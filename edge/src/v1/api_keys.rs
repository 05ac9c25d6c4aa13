//! API keys: for tenants whose plan includes API access. A key acts in its tenant with the role
//! its scope maps to (`read` as viewer, `write` as staff), is shown once, stored hashed, and stops
//! working when revoked or when the plan no longer includes API access.

use crate::auth::api_keys::{hash, role_of, KEY_PREFIX};
use crate::auth::Principal;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::api_keys as keys;
use crate::repo::audit_log::{self, entry};
use crate::repo::billing;
use crate::runtime::{new_id, now, random_bytes, rfc3339};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::Plan;
use serde::{Deserialize, Serialize};
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
use worker::Env;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    name: String,
    scope: String,
}

/// A key as listed: never the key itself.
#[derive(Debug, Serialize, Deserialize)]
pub struct KeyView {
    id: String,
    name: String,
    prefix: String,
    scope: String,
    created_at: String,
    last_used_at: Option<String>,
}

/// A new key: the only time the key is shown.
#[derive(Debug, Serialize)]
pub struct CreatedKey {
    #[serde(flatten)]
    view: KeyView,
    key: String,
}

/// `POST /v1/api-keys` (owner, signed in).
pub async fn create(env: &Env, principal: &Principal, body: &str) -> ApiResult<CreatedKey> {
    let input: NewKey = parse_json(body)?;
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(ApiError::invalid("name", "name must be 1 to 60 characters"));
    }
    if role_of(&input.scope).is_none() {
        return Err(ApiError::invalid("scope", "scope must be read or write"));
    }
    let db = PlatformDb::open(env)?;
    let plan = billing::plan(&db, principal.tenant_id).await?;
    let plan = plan.and_then(|p| Plan::parse(&p)).unwrap_or(Plan::Starter);
    if !plan.limits().api_access {
        return Err(ApiError::new(
            403,
            "plan_limit",
            format!("the {} plan has no API access; the pro plan includes it", plan.as_str()),
        ));
    }
    let key = format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(random_bytes::<32>()));
    let id: domain::SessionId = new_id();
    let prefix: String = key.chars().take(KEY_PREFIX.len() + 6).collect();
    let at = rfc3339(now());
    let (id, tenant, user) = (id.to_string(), principal.tenant_id, principal.user_id.to_string());
    let stored = keys::NewKey {
        id: &id,
        tenant,
        created_by: &user,
        name,
        prefix: &prefix,
        key_hash: &hash(&key),
        scope: &input.scope,
        at: &at,
    };
    db.batch(vec![
        keys::create(&stored),
        entry(Some(tenant), &principal.actor(), "api_key.create", &id, &at),
    ])
    .await?;
    Ok(CreatedKey {
        view: KeyView {
            id,
            name: name.to_owned(),
            prefix,
            scope: input.scope,
            created_at: at,
            last_used_at: None,
        },
        key,
    })
}

/// `GET /v1/api-keys` (owner): live keys.
pub async fn list(env: &Env, principal: &Principal) -> ApiResult<Vec<KeyView>> {
    let keys = keys::live(&PlatformDb::open(env)?, principal.tenant_id).await?;
    Ok(keys
        .into_iter()
        .map(|k| KeyView {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            scope: k.scope,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
        })
        .collect())
}

/// `DELETE /v1/api-keys/{id}` (owner).
pub async fn revoke(env: &Env, principal: &Principal, id: &str) -> ApiResult<()> {
    let db = PlatformDb::open(env)?;
    let at = rfc3339(now());
    if keys::revoke(&db, principal.tenant_id, id, &at).await?.changes == 0 {
        return Err(ApiError::not_found("API key"));
    }
    db.batch(vec![entry(Some(principal.tenant_id), &principal.actor(), "api_key.revoke", id, &at)]).await?;
    Ok(())
}

/// `GET /v1/audit-log?before=&limit=` (owner): newest first.
pub async fn audit_log(
    env: &Env,
    principal: &Principal,
    before: Option<&str>,
    limit: Option<&str>,
) -> ApiResult<serde_json::Value> {
    let limit: u32 = match limit {
        None => 100,
        Some(raw) => raw
            .parse()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| ApiError::invalid("limit", "limit must be 1 to 500"))?,
    };
    let before: i64 = match before {
        None => i64::MAX,
        Some(raw) => raw.parse().map_err(|_| ApiError::invalid("before", "before must be an entry id"))?,
    };
    let entries = audit_log::page(&PlatformDb::open(env)?, principal.tenant_id, before, limit).await?;
    let next = (entries.len() == limit as usize).then(|| entries.last().map(|e| e.id)).flatten();
    Ok(serde_json::json!({ "entries": entries, "next_before": next }))
}
