//! API keys as credentials: how a `dsk_...` key in a request is checked.

use super::Principal;
use crate::error::{ApiError, ApiResult};
use crate::repo::api_keys as keys;
use crate::runtime::{now, rfc3339};
use domain::accounts::Role;
use domain::{Plan, UserId};
use sha2::{Digest, Sha256};
use tenancy::shards::PlatformDb;
use worker::Env;

/// Every key starts with this, so leaked keys are easy to scan for.
pub const KEY_PREFIX: &str = "dsk_";

pub(crate) fn hash(key: &str) -> String {
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

/// The principal of a presented API key, or 401.
pub async fn authenticate(env: &Env, key: &str) -> ApiResult<Principal> {
    let refused = || ApiError::unauthorized("the API key is not valid");
    let db = PlatformDb::open(env)?;
    let row = keys::by_hash(&db, &hash(key)).await?;
    let row = row.ok_or_else(refused)?;
    if !Plan::parse(&row.plan).is_some_and(|p| p.limits().api_access) {
        return Err(ApiError::new(
            403,
            "plan_limit",
            "the plan no longer includes API access; the pro plan does",
        ));
    }
    keys::used(&db, &row.id, &rfc3339(now())).await?;
    Ok(Principal {
        user_id: row.created_by.parse::<UserId>().map_err(|_| refused())?,
        tenant_id: row.tenant_id.parse().map_err(|_| refused())?,
        role: role_of(&row.scope).ok_or_else(refused)?,
        session_id: None,
        api_key_id: Some(row.id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::accounts::Role;

    #[test]
    fn scopes_map_to_the_least_role_that_serves_them() {
        assert_eq!(role_of("read"), Some(Role::Viewer));
        assert_eq!(role_of("write"), Some(Role::Staff));
        assert_eq!(role_of("admin"), None);
    }
}
