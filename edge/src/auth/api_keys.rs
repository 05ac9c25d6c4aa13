//! API keys: for tenants whose plan includes API access. A key acts in its tenant with the role
//! its scope maps to (`read` as viewer, `write` as staff), is shown once, stored hashed, and stops
//! working when revoked or when the plan no longer includes API access.

use super::Principal;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::runtime::{new_id, now, random_bytes, rfc3339};
use crate::stores::audit;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::accounts::Role;
use domain::{Plan, UserId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tenancy::shards::platform;
use worker::Env;

/// Every key starts with this, so leaked keys are easy to scan for.
pub const KEY_PREFIX: &str = "dsk_";

fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The role a scope grants.
pub fn role_of(scope: &str) -> Option<Role> {
    match scope {
        "read" => Some(Role::Viewer),
        "write" => Some(Role::Staff),
        _ => None,
    }
}

#[derive(Deserialize)]
struct KeyRow {
    id: String,
    tenant_id: String,
    created_by: String,
    scope: String,
    plan: String,
}

/// The principal of a presented API key, or 401.
pub async fn authenticate(env: &Env, key: &str) -> ApiResult<Principal> {
    let refused = || ApiError::unauthorized("the API key is not valid");
    let db = platform(env)?;
    let row: Option<KeyRow> = db
        .prepare(
            "SELECT k.id, k.tenant_id, k.created_by, k.scope, t.plan FROM api_keys k JOIN tenants t ON t.id = k.tenant_id \
             WHERE k.key_hash = ?1 AND k.revoked_at IS NULL",
        )
        .bind(&[hash(key).into()])?
        .first(None)
        .await?;
    let row = row.ok_or_else(refused)?;
    if !Plan::parse(&row.plan).is_some_and(|p| p.limits().api_access) {
        return Err(ApiError::new(
            403,
            "plan_limit",
            "the plan no longer includes API access; the pro plan does",
        ));
    }
    db.prepare("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1")
        .bind(&[row.id.clone().into(), rfc3339(now()).into()])?
        .run()
        .await?;
    Ok(Principal {
        user_id: row.created_by.parse::<UserId>().map_err(|_| refused())?,
        tenant_id: row.tenant_id.parse().map_err(|_| refused())?,
        role: role_of(&row.scope).ok_or_else(refused)?,
        session_id: None,
        api_key_id: Some(row.id),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_map_to_the_least_role_that_serves_them() {
        assert_eq!(role_of("read"), Some(Role::Viewer));
        assert_eq!(role_of("write"), Some(Role::Staff));
        assert_eq!(role_of("admin"), None);
    }
}
