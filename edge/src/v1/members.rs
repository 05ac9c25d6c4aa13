//! A tenant's team: invitations by email with a role, accepting them, listing members, changing
//! roles and removing members. Only owners manage the team; the last owner cannot be removed.

use super::accounts::{start_session, TokenPair};
use crate::auth::password::{self, Verified};
use crate::auth::Principal;
use crate::config::Config;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::audit_log::entry;
use crate::repo::{accounts, members, sessions};
use crate::runtime::{new_id, now, now_ms, random_bytes, rfc3339};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::accounts::{
    check_password, invitation_cap, Email, InvitationCap, Role, INVITATIONS_PER_TEAM_PER_DAY,
};
use domain::UserId;
use queues::messages::{EmailCategory, EmailRequested, EmailTemplate};
use queues::Envelope;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
use worker::Env;

/// How long an invitation link works.
const INVITATION_TTL_DAYS: i64 = 7;

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

fn invited_role(raw: &str) -> ApiResult<Role> {
    match Role::parse(raw) {
        Some(role @ (Role::Staff | Role::Viewer)) => Ok(role),
        _ => Err(ApiError::invalid("role", "role must be staff or viewer")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Invite {
    email: String,
    role: String,
}

/// `POST /v1/members/invitations` (owner): mails an invitation link.
pub async fn invite(
    env: &Env,
    config: &Config,
    principal: &Principal,
    body: &str,
) -> ApiResult<serde_json::Value> {
    let input: Invite = parse_json(body)?;
    let email = Email::parse(&input.email).map_err(|e| ApiError::invalid("email", e.to_string()))?;
    let role = invited_role(&input.role)?;
    let db = PlatformDb::open(env)?;
    let tenant = principal.tenant_id.to_string();
    if members::is_member_email(&db, principal.tenant_id, email.as_str()).await? {
        return Err(ApiError::new(409, "already_member", "this person is already on the team").field("email"));
    }
    let at = now();
    let day_ago = rfc3339(at - time::Duration::days(1));
    let (by_team, to_address) =
        members::invitations_since(&db, principal.tenant_id, email.as_str(), &day_ago).await?;
    match invitation_cap(by_team, to_address) {
        Some(InvitationCap::Team) => {
            return Err(ApiError::new(
                429,
                "invitation_limit",
                format!(
                "a team sends at most {INVITATIONS_PER_TEAM_PER_DAY} invitations a day; try again tomorrow"
            ),
            ))
        }
        Some(InvitationCap::Address) => {
            return Err(ApiError::new(
                429,
                "invitation_limit",
                "this address has had as many invitations as it may get today; try again tomorrow",
            )
            .field("email"))
        }
        None => {}
    }
    let company = accounts::tenant_name(&db, principal.tenant_id).await?.unwrap_or_default();
    let token = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    let token_hash = hash(&token);
    let invitation = members::NewInvitation {
        token_hash: &token_hash,
        tenant: principal.tenant_id,
        email: email.as_str(),
        role: role.as_str(),
        invited_by: &principal.user_id.to_string(),
        expires_at: &rfc3339(at + time::Duration::days(INVITATION_TTL_DAYS)),
        at: &rfc3339(at),
    };
    db.batch(vec![
        members::invite(&invitation),
        entry(Some(principal.tenant_id), &principal.actor(), "member.invite", email.as_str(), &rfc3339(at)),
    ])
    .await?;
    let mut data = serde_json::Map::new();
    data.insert("company".into(), company.into());
    data.insert("role".into(), role.as_str().into());
    data.insert("accept_url".into(), config.accept_invitation_url_template.replace("{token}", &token).into());
    data.insert("expires_in_days".into(), INVITATION_TTL_DAYS.into());
    let mail = EmailRequested {
        template: EmailTemplate::Invitation,
        to: email.clone(),
        category: EmailCategory::Transactional,
        data,
        branding: Default::default(),
    };
    let envelope = Envelope::for_tenant(
        format!("invitation:{tenant}:{}", &token_hash[..16]),
        principal.tenant_id,
        at,
        principal.user_id.to_string(),
        mail,
    );
    if let Err(error) = crate::sqs::send(&config.sqs, &config.sqs.email_queue_url, &envelope, now_ms()).await
    {
        worker::console_error!("enqueueing invitation mail: {error}");
        return Err(ApiError::new(
            503,
            "queue_unavailable",
            "the invitation could not be mailed; try again shortly",
        ));
    }
    Ok(serde_json::json!({ "email": email.as_str(), "role": role.as_str(), "status": "invited" }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Accept {
    token: String,
    password: String,
}

/// `POST /v1/invitations/accept`: joins the team. A new address gets an account with the given
/// password; an existing account must give its own password. Answers with a session in the
/// tenant joined.
pub async fn accept(
    env: &Env,
    config: &Config,
    body: &str,
    user_agent: Option<&str>,
) -> ApiResult<TokenPair> {
    let input: Accept = parse_json(body)?;
    let db = PlatformDb::open(env)?;
    let at = rfc3339(now());
    let invalid =
        || ApiError::new(400, "invalid_token", "this invitation is invalid, used or expired").field("token");
    let invitation = members::invitation(&db, &hash(&input.token), &at).await?;
    let invitation = invitation.ok_or_else(invalid)?;
    let email = Email::parse(&invitation.email).map_err(|e| ApiError::internal("invitation row", e))?;
    let role = invited_role(&invitation.role)?;
    let existing = accounts::user_by_email(&db, email.as_str()).await?;
    let mut statements = Vec::new();
    let user_id: UserId = match existing {
        Some(user) => {
            if password::verify(&input.password, &user.password_hash) == Verified::No {
                return Err(ApiError::new(
                    401,
                    "invalid_credentials",
                    "give the password of your existing account",
                ));
            }
            user.id.parse().map_err(|e| ApiError::internal("user row", e))?
        }
        None => {
            check_password(&input.password, &email)
                .map_err(|e| ApiError::invalid("password", e.to_string()))?;
            let id: UserId = new_id();
            let hash = password::hash(&input.password, random_bytes());
            statements.push(accounts::user(id, email.as_str(), &hash, Some(&at), &at));
            id
        }
    };
    if !members::accept(&db, &hash(&input.token), &at).await? {
        return Err(invalid());
    }
    let tenant = invitation.tenant_id.parse().map_err(|e| ApiError::internal("invitation row", e))?;
    statements.push(accounts::join(tenant, user_id, role.as_str(), &at));
    statements.push(entry(Some(tenant), &user_id.to_string(), "member.join", role.as_str(), &at));
    db.batch(statements).await?;
    start_session(&db, config, user_id, tenant, role, user_agent).await
}

/// A team member.
#[derive(Debug, Serialize, Deserialize)]
pub struct Member {
    user_id: String,
    email: String,
    role: String,
    joined_at: String,
}

/// `GET /v1/members` (owner).
pub async fn list(env: &Env, principal: &Principal) -> ApiResult<Vec<Member>> {
    let members = members::members(&PlatformDb::open(env)?, principal.tenant_id).await?;
    Ok(members
        .into_iter()
        .map(|m| Member { user_id: m.user_id, email: m.email, role: m.role, joined_at: m.joined_at })
        .collect())
}

async fn owners(env: &Env, principal: &Principal) -> ApiResult<u64> {
    Ok(members::owners(&PlatformDb::open(env)?, principal.tenant_id).await?)
}

async fn role_of(env: &Env, principal: &Principal, user: &str) -> ApiResult<Role> {
    let role = members::role(&PlatformDb::open(env)?, principal.tenant_id, user).await?;
    role.as_deref().and_then(Role::parse).ok_or_else(|| ApiError::not_found("member"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeRole {
    role: String,
}

/// What a role change does.
#[derive(Debug, PartialEq)]
enum RoleChange {
    /// The member has that role already: nothing is written and no one is signed out.
    Unchanged,
    /// The role changes, and the member's sessions in the tenant end so it applies at once.
    To(Role),
}

/// Decides a role change from the member's current role, the wanted one and the tenant's
/// number of owners (which matters only when the member is an owner).
fn role_change(current: Role, wanted: Role, owners: u64) -> ApiResult<RoleChange> {
    if wanted == current {
        return Ok(RoleChange::Unchanged);
    }
    if current == Role::Owner && owners <= 1 {
        return Err(ApiError::new(409, "last_owner", "a tenant needs at least one owner").field("role"));
    }
    Ok(RoleChange::To(wanted))
}

/// `PATCH /v1/members/{user}` (owner): changes a member's role. Their sessions are revoked so
/// the new role applies at once; giving a member the role they have changes nothing.
pub async fn change_role(env: &Env, principal: &Principal, user: &str, body: &str) -> ApiResult<()> {
    let input: ChangeRole = parse_json(body)?;
    let wanted = Role::parse(&input.role)
        .ok_or_else(|| ApiError::invalid("role", "role must be owner, staff or viewer"))?;
    let current = role_of(env, principal, user).await?;
    let owner_count = if current == Role::Owner { owners(env, principal).await? } else { 0 };
    let RoleChange::To(role) = role_change(current, wanted, owner_count)? else {
        return Ok(());
    };
    let db = PlatformDb::open(env)?;
    let at = rfc3339(now());
    db.batch(vec![
        members::set_role(principal.tenant_id, user, role.as_str()),
        entry(Some(principal.tenant_id), &principal.actor(), "member.role", user, &at),
    ])
    .await?;
    revoke_tenant_sessions(env, principal, user, "role_changed").await
}

/// `DELETE /v1/members/{user}` (owner): removes a member, revokes the API keys they made for this
/// tenant and signs them out of it.
pub async fn remove(env: &Env, principal: &Principal, user: &str) -> ApiResult<()> {
    if role_of(env, principal, user).await? == Role::Owner && owners(env, principal).await? <= 1 {
        return Err(ApiError::new(409, "last_owner", "a tenant needs at least one owner"));
    }
    let db = PlatformDb::open(env)?;
    let at = rfc3339(now());
    db.batch(vec![
        members::remove(principal.tenant_id, user),
        crate::repo::api_keys::revoke_made_by(user, Some(principal.tenant_id), &at),
        entry(Some(principal.tenant_id), &principal.actor(), "member.remove", user, &at),
    ])
    .await?;
    revoke_tenant_sessions(env, principal, user, "membership_removed").await
}

async fn revoke_tenant_sessions(env: &Env, principal: &Principal, user: &str, why: &str) -> ApiResult<()> {
    let db = PlatformDb::open(env)?;
    sessions::revoke_in_tenant(&db, user, principal.tenant_id, why, &rfc3339(now())).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn giving_a_member_the_role_they_have_changes_nothing_even_for_the_last_owner() {
        for role in [Role::Owner, Role::Staff, Role::Viewer] {
            assert_eq!(role_change(role, role, 1).unwrap(), RoleChange::Unchanged);
        }
    }

    #[test]
    fn the_last_owner_cannot_step_down_but_one_of_two_owners_can() {
        let refused = role_change(Role::Owner, Role::Staff, 1).unwrap_err();
        assert_eq!((refused.status, refused.code), (409, "last_owner"));
        assert_eq!(role_change(Role::Owner, Role::Viewer, 2).unwrap(), RoleChange::To(Role::Viewer));
    }

    #[test]
    fn a_member_who_is_not_an_owner_changes_role_whatever_the_owners() {
        assert_eq!(role_change(Role::Staff, Role::Owner, 1).unwrap(), RoleChange::To(Role::Owner));
        assert_eq!(role_change(Role::Viewer, Role::Staff, 1).unwrap(), RoleChange::To(Role::Staff));
    }
}
