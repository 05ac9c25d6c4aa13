//! API keys: for tenants whose plan includes API access. A key acts in its tenant with the role
//! its scope maps to (`read` as viewer, `write` as staff), is shown once, stored hashed, and stops
//! working when revoked or when the plan no longer includes API access.

use crate::auth::api_keys::{hash, role_of, KEY_PREFIX};
use crate::auth::Principal;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::audit_log::audit;
use crate::runtime::{new_id, now, random_bytes, rfc3339};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::Plan;
use serde::{Deserialize, Serialize};
use tenancy::shards::platform;
use worker::Env;

#[derive(Deserialize)]
pub(crate) struct KeyRow {
    pub(crate) id: String,
    pub(crate) tenant_id: String,
    pub(crate) created_by: String,
    pub(crate) scope: String,
    pub(crate) plan: String,
}

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

#[derive(Deserialize)]
struct PlanRow {
    plan: String,
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
    let db = platform(env)?;
    let plan: Option<PlanRow> = db
        .prepare("SELECT plan FROM tenants WHERE id = ?1")
        .bind(&[principal.tenant_id.to_string().into()])?
        .first(None)
        .await?;
    let plan = plan.and_then(|p| Plan::parse(&p.plan)).unwrap_or(Plan::Starter);
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
    db.batch(vec![
        db.prepare(
            "INSERT INTO api_keys (id, tenant_id, created_by, name, prefix, key_hash, scope, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(&[
            id.to_string().into(),
            principal.tenant_id.to_string().into(),
            principal.user_id.to_string().into(),
            name.into(),
            prefix.clone().into(),
            hash(&key).into(),
            input.scope.clone().into(),
            at.clone().into(),
        ])?,
        audit(&db, Some(principal.tenant_id), &principal.actor(), "api_key.create", &id.to_string(), &at)?,
    ])
    .await?;
    Ok(CreatedKey {
        view: KeyView {
            id: id.to_string(),
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
    Ok(platform(env)?
        .prepare(
            "SELECT id, name, prefix, scope, created_at, last_used_at FROM api_keys \
             WHERE tenant_id = ?1 AND revoked_at IS NULL ORDER BY created_at DESC",
        )
        .bind(&[principal.tenant_id.to_string().into()])?
        .all()
        .await?
        .results()?)
}

/// `DELETE /v1/api-keys/{id}` (owner).
pub async fn revoke(env: &Env, principal: &Principal, id: &str) -> ApiResult<()> {
    let db = platform(env)?;
    let at = rfc3339(now());
    let result = db
        .prepare(
            "UPDATE api_keys SET revoked_at = ?3 WHERE id = ?1 AND tenant_id = ?2 AND revoked_at IS NULL",
        )
        .bind(&[id.into(), principal.tenant_id.to_string().into(), at.clone().into()])?
        .run()
        .await?;
    if result.meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
        return Err(ApiError::not_found("API key"));
    }
    db.batch(vec![audit(&db, Some(principal.tenant_id), &principal.actor(), "api_key.revoke", id, &at)?])
        .await?;
    Ok(())
}

/// An audit-log entry.
#[derive(Debug, Serialize, Deserialize)]
pub struct AuditEntry {
    id: i64,
    actor: String,
    action: String,
    target: Option<String>,
    at: String,
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
    let entries: Vec<AuditEntry> = platform(env)?
        .prepare("SELECT id, actor, action, target, at FROM audit_log WHERE tenant_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3")
        .bind(&[principal.tenant_id.to_string().into(), (before as f64).into(), f64::from(limit).into()])?
        .all()
        .await?
        .results()?;
    let next = (entries.len() == limit as usize).then(|| entries.last().map(|e| e.id)).flatten();
    Ok(serde_json::json!({ "entries": entries, "next_before": next }))
}
