//! Sign-up, login, token refresh with rotation and reuse detection, logout and sessions.

use crate::auth::jwt::{self, Claims, ACCESS_TTL_SECS, AUDIENCE, ISSUER};
use crate::auth::password::{self, Verified};
use crate::auth::Principal;
use crate::config::Config;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::audit_log::entry;
use crate::repo::{accounts, sessions};
use crate::runtime::{new_id, now, random_bytes, rfc3339};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::accounts::{check_password, Email, Role};
use domain::{SessionId, StoreName, TenantId, UserId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
use worker::Env;

/// How long a session may be refreshed without a new login.
const SESSION_TTL_SECS: i64 = 30 * 24 * 3600;
/// The rate-limiting binding for sign-up and login (`[[ratelimits]]` in wrangler.toml).
const AUTH_LIMITER: &str = "AUTH_LIMITER";

/// Tokens handed to a signed-in client.
#[derive(Debug, Serialize)]
pub struct TokenPair {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    refresh_token: String,
    session_id: SessionId,
    user_id: UserId,
    tenant_id: TenantId,
    role: Role,
}

pub(crate) fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Refuses the call when this IP or account went over the limit; the limiter is shared by every
/// isolate of the location, so the limit holds across isolates.
pub(crate) async fn rate_limit(env: &Env, keys: &[String]) -> ApiResult<()> {
    let limiter = env.rate_limiter(AUTH_LIMITER)?;
    for key in keys {
        if !limiter.limit(key.clone()).await?.success {
            return Err(ApiError::new(429, "rate_limited", "too many attempts; wait a minute and try again"));
        }
    }
    Ok(())
}

/// Starts a session: a new refresh-token family, and the first token pair.
pub(crate) async fn start_session(
    db: &impl Sql,
    config: &Config,
    user: UserId,
    tenant: TenantId,
    role: Role,
    user_agent: Option<&str>,
) -> ApiResult<TokenPair> {
    let session: SessionId = new_id();
    let at = now();
    let expires = at + time::Duration::seconds(SESSION_TTL_SECS);
    let refresh = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    let user_agent = user_agent.map(|ua| ua.chars().take(200).collect::<String>());
    db.batch(sessions::start(
        session,
        user,
        tenant,
        user_agent.as_deref(),
        &rfc3339(at),
        &rfc3339(expires),
        &hash_token(&refresh),
    ))
    .await?;
    Ok(pair(config, user, tenant, role, session, refresh))
}

fn pair(
    config: &Config,
    user: UserId,
    tenant: TenantId,
    role: Role,
    session: SessionId,
    refresh: String,
) -> TokenPair {
    let iat = now().unix_timestamp();
    let claims = Claims {
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        sub: user,
        tid: tenant,
        role,
        sid: session,
        iat,
        exp: iat + ACCESS_TTL_SECS,
    };
    TokenPair {
        access_token: jwt::issue(config.jwt_key.as_bytes(), &claims),
        token_type: "Bearer",
        expires_in: ACCESS_TTL_SECS,
        refresh_token: refresh,
        session_id: session,
        user_id: user,
        tenant_id: tenant,
        role,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignUp {
    email: String,
    password: String,
    company: String,
}

/// `POST /v1/auth/signup`: creates a tenant on the Starter plan, its owner, and a session.
pub async fn signup(
    env: &Env,
    config: &Config,
    body: &str,
    ip: &str,
    user_agent: Option<&str>,
) -> ApiResult<TokenPair> {
    let input: SignUp = parse_json(body)?;
    let email = Email::parse(&input.email).map_err(|e| ApiError::invalid("email", e.to_string()))?;
    rate_limit(env, &[format!("signup-ip:{ip}")]).await?;
    check_password(&input.password, &email).map_err(|e| ApiError::invalid("password", e.to_string()))?;
    let company = StoreName::parse(&input.company)
        .map_err(|_| ApiError::invalid("company", "company must be 1 to 80 characters"))?;

    let db = PlatformDb::open(env)?;
    let (user, tenant): (UserId, TenantId) = (new_id(), new_id());
    let at = rfc3339(now());
    let hash = password::hash(&input.password, random_bytes());
    let mut statements = accounts::sign_up(tenant, company.as_str(), user, email.as_str(), &hash, &at);
    statements.push(entry(Some(tenant), &user.to_string(), "account.signup", &user.to_string(), &at));
    if let Err(error) = db.batch(statements).await {
        if error.is_unique_violation() {
            return Err(ApiError::new(
                409,
                "email_taken",
                "an account with this email exists; log in instead",
            )
            .field("email"));
        }
        return Err(ApiError::internal("signing up", error));
    }
    crate::v1::email_tokens::send_verification(env, config, tenant, &user.to_string(), &email).await?;
    start_session(&db, config, user, tenant, Role::Owner, user_agent).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    email: String,
    password: String,
    #[serde(default)]
    tenant_id: Option<String>,
}

/// A hash to verify against when the email is unknown, so both cases take the same time.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// What a login with the right password answers: the tokens, or, when the user has two-factor
/// sign-in on, a challenge to complete at `POST /v1/auth/login/second-factor`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum LoginAnswer {
    /// Signed in.
    Tokens(TokenPair),
    /// The second factor is needed.
    SecondFactor(crate::v1::two_factor::Challenge),
}

/// `POST /v1/auth/login`.
pub async fn login(
    env: &Env,
    config: &Config,
    body: &str,
    ip: &str,
    user_agent: Option<&str>,
) -> ApiResult<LoginAnswer> {
    let input: Login = parse_json(body)?;
    let invalid = || ApiError::new(401, "invalid_credentials", "email or password is wrong");
    let email = Email::parse(&input.email).map_err(|_| invalid())?;
    rate_limit(env, &[format!("login-ip:{ip}"), format!("login-account:{email}")]).await?;
    let db = PlatformDb::open(env)?;
    let Some(user) = accounts::user_by_email(&db, email.as_str()).await? else {
        let _ = password::verify(&input.password, DUMMY_HASH);
        return Err(invalid());
    };
    match password::verify(&input.password, &user.password_hash) {
        Verified::No => return Err(invalid()),
        Verified::Yes => {}
        Verified::YesRehash => {
            accounts::set_password_hash(&db, &user.id, &password::hash(&input.password, random_bytes()))
                .await?;
        }
    }
    let memberships = accounts::memberships(&db, &user.id).await?;
    let membership = match input.tenant_id.as_deref() {
        Some(wanted) => memberships.iter().find(|m| m.tenant_id == wanted),
        None => memberships.first(),
    }
    .ok_or_else(|| ApiError::new(403, "no_membership", "you are not a member of that tenant"))?;
    let (user_id, tenant_id, role) = parse_membership(&user.id, membership)?;
    if let Some(challenge) =
        crate::v1::two_factor::challenge_if_on(&db, &user.id, &membership.tenant_id).await?
    {
        return Ok(LoginAnswer::SecondFactor(challenge));
    }
    let at = rfc3339(now());
    db.batch(vec![entry(Some(tenant_id), &user.id, "account.login", &user.id, &at)]).await?;
    Ok(LoginAnswer::Tokens(start_session(&db, config, user_id, tenant_id, role, user_agent).await?))
}

pub(crate) fn parse_membership(
    user: &str,
    m: &accounts::MembershipRow,
) -> ApiResult<(UserId, TenantId, Role)> {
    let user_id = user.parse().map_err(|e| ApiError::internal("user row", e))?;
    let tenant_id = m.tenant_id.parse().map_err(|e| ApiError::internal("membership row", e))?;
    let role = Role::parse(&m.role).ok_or_else(|| ApiError::internal("membership row", "unknown role"))?;
    Ok((user_id, tenant_id, role))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Refresh {
    refresh_token: String,
}

async fn revoke(db: &impl Sql, session: &str, why: &str) -> ApiResult<()> {
    sessions::revoke(db, session, why, &rfc3339(now())).await?;
    Ok(())
}

/// `POST /v1/auth/refresh`: exchanges a refresh token for a new pair. A token that was already
/// exchanged means it was stolen or replayed: its whole session is revoked.
pub async fn refresh(env: &Env, config: &Config, body: &str) -> ApiResult<TokenPair> {
    let input: Refresh = parse_json(body)?;
    let refused =
        || ApiError::new(401, "invalid_refresh_token", "the refresh token is not valid; log in again");
    let db = PlatformDb::open(env)?;
    let presented = hash_token(input.refresh_token.trim());
    let row = sessions::refresh_token(&db, &presented).await?;
    let row = row.ok_or_else(refused)?;
    let at = now();
    if row.revoked_at.is_some() || row.expires_at <= rfc3339(at) {
        return Err(refused());
    }
    if row.rotated_at.is_some() {
        revoke(&db, &row.session_id, "refresh_token_reused").await?;
        return Err(ApiError::new(
            401,
            "refresh_token_reused",
            "this refresh token was already used; the session is revoked",
        ));
    }
    let claimed = sessions::claim_refresh_token(&db, &presented, &rfc3339(at)).await?;
    if claimed.changes == 0 {
        // Two refreshes raced with the same token: one of them is a replay.
        revoke(&db, &row.session_id, "refresh_token_reused").await?;
        return Err(refused());
    }
    let membership = accounts::membership_of(&db, &row.user_id, &row.tenant_id).await?;
    let Some(membership) = membership else {
        revoke(&db, &row.session_id, "membership_removed").await?;
        return Err(refused());
    };
    let (user_id, tenant_id, role) = parse_membership(&row.user_id, &membership)?;
    let session: SessionId = row.session_id.parse().map_err(|e| ApiError::internal("session row", e))?;
    let next = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    db.batch(sessions::renew(&row.session_id, &hash_token(&next), &rfc3339(at))).await?;
    Ok(pair(config, user_id, tenant_id, role, session, next))
}

/// Revokes every live session of a user (after a password reset).
pub(crate) async fn revoke_all_sessions(db: &impl Sql, user: &str, why: &str) -> ApiResult<()> {
    sessions::revoke_all(db, user, why, &rfc3339(now())).await?;
    Ok(())
}

/// `POST /v1/auth/logout`: revokes the caller's session.
pub async fn logout(env: &Env, principal: &Principal) -> ApiResult<()> {
    revoke(&PlatformDb::open(env)?, &principal.session()?.to_string(), "logout").await
}

/// A session as its owner sees it.
#[derive(Debug, Serialize, Deserialize)]
pub struct SessionView {
    id: String,
    user_agent: Option<String>,
    created_at: String,
    last_used_at: String,
    #[serde(default)]
    current: bool,
}

/// `GET /v1/auth/sessions`: the caller's live sessions.
pub async fn sessions(env: &Env, principal: &Principal) -> ApiResult<Vec<SessionView>> {
    let live = sessions::live(&PlatformDb::open(env)?, principal.user_id, &rfc3339(now())).await?;
    let current = principal.session()?.to_string();
    Ok(live
        .into_iter()
        .map(|s| SessionView {
            current: s.id == current,
            id: s.id,
            user_agent: s.user_agent,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
        })
        .collect())
}

/// `DELETE /v1/auth/sessions/{id}`: revokes one of the caller's sessions.
pub async fn revoke_session(env: &Env, principal: &Principal, id: &str) -> ApiResult<()> {
    let db = PlatformDb::open(env)?;
    if sessions::revoke_own(&db, id, principal.user_id, &rfc3339(now())).await?.changes == 0 {
        return Err(ApiError::not_found("session"));
    }
    Ok(())
}
