//! A tenant's team: invitations by email with a role, accepting them, listing members, changing
//! roles and removing members. Only owners manage the team; the last owner cannot be removed.

use super::accounts::{start_session, TokenPair};
use crate::auth::password::{self, Verified};
use crate::auth::Principal;
use crate::config::Config;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::audit_log::audit;
use crate::runtime::{new_id, now, now_ms, random_bytes, rfc3339};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::accounts::{check_password, Email, Role};
use domain::UserId;
use queues::messages::{EmailCategory, EmailRequested, EmailTemplate};
use queues::Envelope;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tenancy::shards::platform;
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
    let db = platform(env)?;
    let tenant = principal.tenant_id.to_string();
    let member: Option<serde_json::Value> = db
        .prepare("SELECT 1 AS n FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ?1 AND u.email = ?2")
        .bind(&[tenant.clone().into(), email.as_str().into()])?
        .first(None)
        .await?;
    if member.is_some() {
        return Err(ApiError::new(409, "already_member", "this person is already on the team").field("email"));
    }
    let company: Option<serde_json::Value> = db
        .prepare("SELECT name FROM tenants WHERE id = ?1")
        .bind(&[tenant.clone().into()])?
        .first(None)
        .await?;
    let company = company.and_then(|c| c["name"].as_str().map(str::to_owned)).unwrap_or_default();
    let token = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    let token_hash = hash(&token);
    let at = now();
    db.batch(vec![
        db.prepare(
            "INSERT INTO invitations (token_hash, tenant_id, email, role, invited_by, expires_at, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(&[
            token_hash.clone().into(),
            tenant.clone().into(),
            email.as_str().into(),
            role.as_str().into(),
            principal.user_id.to_string().into(),
            rfc3339(at + time::Duration::days(INVITATION_TTL_DAYS)).into(),
            rfc3339(at).into(),
        ])?,
        audit(&db, Some(principal.tenant_id), &principal.actor(), "member.invite", email.as_str(), &rfc3339(at))?,
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

#[derive(Deserialize)]
struct InvitationRow {
    tenant_id: String,
    email: String,
    role: String,
}

#[derive(Deserialize)]
struct UserRow {
    id: String,
    password_hash: String,
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
    let db = platform(env)?;
    let at = rfc3339(now());
    let invalid =
        || ApiError::new(400, "invalid_token", "this invitation is invalid, used or expired").field("token");
    let invitation: Option<InvitationRow> = db
        .prepare(
            "SELECT tenant_id, email, role FROM invitations WHERE token_hash = ?1 AND accepted_at IS NULL AND expires_at > ?2",
        )
        .bind(&[hash(&input.token).into(), at.clone().into()])?
        .first(None)
        .await?;
    let invitation = invitation.ok_or_else(invalid)?;
    let email = Email::parse(&invitation.email).map_err(|e| ApiError::internal("invitation row", e))?;
    let role = invited_role(&invitation.role)?;
    let existing: Option<UserRow> = db
        .prepare("SELECT id, password_hash FROM users WHERE email = ?1")
        .bind(&[email.as_str().into()])?
        .first(None)
        .await?;
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
            statements.push(
                db.prepare("INSERT INTO users (id, email, password_hash, email_verified_at, created_at) VALUES (?1, ?2, ?3, ?4, ?4)")
                    .bind(&[
                        id.to_string().into(),
                        email.as_str().into(),
                        password::hash(&input.password, random_bytes()).into(),
                        at.clone().into(),
                    ])?,
            );
            id
        }
    };
    let claimed = db
        .prepare("UPDATE invitations SET accepted_at = ?2 WHERE token_hash = ?1 AND accepted_at IS NULL")
        .bind(&[hash(&input.token).into(), at.clone().into()])?
        .run()
        .await?;
    if claimed.meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
        return Err(invalid());
    }
    let tenant = invitation.tenant_id.parse().map_err(|e| ApiError::internal("invitation row", e))?;
    statements.push(
        db.prepare("INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING")
            .bind(&[invitation.tenant_id.clone().into(), user_id.to_string().into(), role.as_str().into(), at.clone().into()])?,
    );
    statements.push(audit(&db, Some(tenant), &user_id.to_string(), "member.join", role.as_str(), &at)?);
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
    Ok(platform(env)?
        .prepare(
            "SELECT m.user_id, u.email, m.role, m.created_at AS joined_at FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.tenant_id = ?1 ORDER BY m.created_at",
        )
        .bind(&[principal.tenant_id.to_string().into()])?
        .all()
        .await?
        .results()?)
}

async fn owners(env: &Env, principal: &Principal) -> ApiResult<u64> {
    let n: Option<serde_json::Value> = platform(env)?
        .prepare("SELECT COUNT(*) AS n FROM memberships WHERE tenant_id = ?1 AND role = 'owner'")
        .bind(&[principal.tenant_id.to_string().into()])?
        .first(None)
        .await?;
    Ok(n.and_then(|v| v["n"].as_u64()).unwrap_or(0))
}

async fn role_of(env: &Env, principal: &Principal, user: &str) -> ApiResult<Role> {
    let row: Option<serde_json::Value> = platform(env)?
        .prepare("SELECT role FROM memberships WHERE tenant_id = ?1 AND user_id = ?2")
        .bind(&[principal.tenant_id.to_string().into(), user.into()])?
        .first(None)
        .await?;
    row.and_then(|r| r["role"].as_str().and_then(Role::parse)).ok_or_else(|| ApiError::not_found("member"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeRole {
    role: String,
}

/// `PATCH /v1/members/{user}` (owner): changes a member's role. Their sessions are revoked so
/// the new role applies at once.
pub async fn change_role(env: &Env, principal: &Principal, user: &str, body: &str) -> ApiResult<()> {
    let input: ChangeRole = parse_json(body)?;
    let role = Role::parse(&input.role)
        .ok_or_else(|| ApiError::invalid("role", "role must be owner, staff or viewer"))?;
    let current = role_of(env, principal, user).await?;
    if current == Role::Owner && role != Role::Owner && owners(env, principal).await? <= 1 {
        return Err(ApiError::new(409, "last_owner", "a tenant needs at least one owner").field("role"));
    }
    let db = platform(env)?;
    let at = rfc3339(now());
    db.batch(vec![
        db.prepare("UPDATE memberships SET role = ?3 WHERE tenant_id = ?1 AND user_id = ?2").bind(&[
            principal.tenant_id.to_string().into(),
            user.into(),
            role.as_str().into(),
        ])?,
        audit(&db, Some(principal.tenant_id), &principal.actor(), "member.role", user, &at)?,
    ])
    .await?;
    revoke_tenant_sessions(env, principal, user, "role_changed").await
}

/// `DELETE /v1/members/{user}` (owner): removes a member and signs them out of this tenant.
pub async fn remove(env: &Env, principal: &Principal, user: &str) -> ApiResult<()> {
    if role_of(env, principal, user).await? == Role::Owner && owners(env, principal).await? <= 1 {
        return Err(ApiError::new(409, "last_owner", "a tenant needs at least one owner"));
    }
    let db = platform(env)?;
    let at = rfc3339(now());
    db.batch(vec![
        db.prepare("DELETE FROM memberships WHERE tenant_id = ?1 AND user_id = ?2")
            .bind(&[principal.tenant_id.to_string().into(), user.into()])?,
        audit(&db, Some(principal.tenant_id), &principal.actor(), "member.remove", user, &at)?,
    ])
    .await?;
    revoke_tenant_sessions(env, principal, user, "membership_removed").await
}

async fn revoke_tenant_sessions(env: &Env, principal: &Principal, user: &str, why: &str) -> ApiResult<()> {
    platform(env)?
        .prepare("UPDATE sessions SET revoked_at = ?3, revoked_why = ?4 WHERE user_id = ?1 AND tenant_id = ?2 AND revoked_at IS NULL")
        .bind(&[user.into(), principal.tenant_id.to_string().into(), rfc3339(now()).into(), why.into()])?
        .run()
        .await?;
    Ok(())
}
