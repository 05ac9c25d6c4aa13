//! Account mails: email verification after sign-up, and password reset. Each mail carries a
//! single-use token (only its hash is stored) and goes out through the email pipeline's queue.

use super::accounts::{rate_limit, revoke_all_sessions};
use crate::auth::{password, Principal};
use crate::config::Config;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::audit_log::entry;
use crate::repo::email_tokens as tokens;
use crate::runtime::{now, now_ms, random_bytes, rfc3339};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::accounts::{check_password, Email, RESETS_PER_ACCOUNT_PER_HOUR};
use domain::TenantId;
use queues::messages::{EmailCategory, EmailRequested, EmailTemplate};
use queues::Envelope;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
use worker::Env;

/// How long a verification link works.
const VERIFY_TTL_MINUTES: i64 = 24 * 60;
/// How long a reset link works.
const RESET_TTL_MINUTES: i64 = 60;

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Records a new token for the user and mails its link. A queue failure is logged and answered
/// as success to the caller: the user can ask for the mail again.
async fn send_token(
    db: &impl Sql,
    config: &Config,
    tenant: TenantId,
    user: &str,
    email: &Email,
    purpose: EmailTemplate,
    ttl_minutes: i64,
) -> ApiResult<()> {
    let token = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    let token_hash = hash(&token);
    let at = now();
    let purpose_name = purpose.name();
    tokens::create(
        db,
        &token_hash,
        user,
        purpose_name,
        &rfc3339(at + time::Duration::minutes(ttl_minutes)),
        &rfc3339(at),
    )
    .await?;
    let (template, field) = match purpose {
        EmailTemplate::PasswordReset => (&config.reset_password_url_template, "reset_url"),
        _ => (&config.verify_email_url_template, "verify_url"),
    };
    let mut data = serde_json::Map::new();
    data.insert(field.into(), template.replace("{token}", &token).into());
    data.insert("expires_in_minutes".into(), ttl_minutes.into());
    let mail = EmailRequested {
        template: purpose,
        to: email.clone(),
        category: EmailCategory::Transactional,
        data,
        branding: Default::default(),
    };
    let envelope = Envelope::for_tenant(
        format!("{purpose_name}:{user}:{}", &token_hash[..16]),
        tenant,
        at,
        user.to_owned(),
        mail,
    );
    if let Err(error) = crate::sqs::send(&config.sqs, &config.sqs.email_queue_url, &envelope, now_ms()).await
    {
        worker::console_error!("enqueueing {purpose_name} mail: {error}");
    }
    Ok(())
}

/// Mails a verification link to a user who just signed up.
pub async fn send_verification(
    env: &Env,
    config: &Config,
    tenant: TenantId,
    user: &str,
    email: &Email,
) -> ApiResult<()> {
    send_token(
        &PlatformDb::open(env)?,
        config,
        tenant,
        user,
        email,
        EmailTemplate::VerifyEmail,
        VERIFY_TTL_MINUTES,
    )
    .await
}

/// `POST /v1/auth/verify-email/resend`: mails a new verification link to the caller.
pub async fn resend_verification(env: &Env, config: &Config, principal: &Principal) -> ApiResult<()> {
    let db = PlatformDb::open(env)?;
    let user = tokens::user(&db, &principal.user_id.to_string()).await?;
    let user = user.ok_or_else(|| ApiError::unauthorized("the account no longer exists"))?;
    if user.email_verified_at.is_some() {
        return Err(ApiError::new(409, "already_verified", "this email address is already verified"));
    }
    rate_limit(env, &[format!("verify-resend:{}", user.id)]).await?;
    let email = Email::parse(&user.email).map_err(|e| ApiError::internal("user row", e))?;
    send_token(
        &db,
        config,
        principal.tenant_id,
        &user.id,
        &email,
        EmailTemplate::VerifyEmail,
        VERIFY_TTL_MINUTES,
    )
    .await
}

fn invalid_token() -> ApiError {
    ApiError::new(400, "invalid_token", "this link is invalid or has expired; ask for a new one")
        .field("token")
}

/// The user of a live token of `purpose`: it must exist, be unused and unexpired.
async fn holder(db: &impl Sql, token: &str, purpose: &str) -> ApiResult<String> {
    let user = tokens::holder(db, &hash(token.trim()), purpose, &rfc3339(now())).await?;
    user.ok_or_else(invalid_token)
}

/// Spends a token; refuses it if another request spent it first.
async fn spend(db: &impl Sql, token: &str) -> ApiResult<()> {
    if !tokens::spend(db, &hash(token.trim()), &rfc3339(now())).await? {
        return Err(invalid_token());
    }
    Ok(())
}

/// `GET /v1/auth/verify-email?token=`: the link in the verification mail.
pub async fn verify_email(env: &Env, token: Option<&str>) -> ApiResult<serde_json::Value> {
    let token =
        token.filter(|t| !t.is_empty()).ok_or_else(|| ApiError::invalid("token", "token is required"))?;
    let db = PlatformDb::open(env)?;
    let user = holder(&db, token, EmailTemplate::VerifyEmail.name()).await?;
    spend(&db, token).await?;
    let at = rfc3339(now());
    db.batch(vec![tokens::verify(&user, &at), entry(None, &user, "account.verify_email", &user, &at)])
        .await?;
    Ok(serde_json::json!({ "verified": true }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetRequest {
    email: String,
}

/// `POST /v1/auth/password-reset`: mails a reset link when the address has an account. The
/// answer is the same either way, so it tells nobody which addresses have accounts.
pub async fn request_reset(env: &Env, config: &Config, body: &str, ip: &str) -> ApiResult<()> {
    let input: ResetRequest = parse_json(body)?;
    let Ok(email) = Email::parse(&input.email) else {
        return Ok(());
    };
    rate_limit(env, &[format!("reset-ip:{ip}"), format!("reset-account:{email}")]).await?;
    let db = PlatformDb::open(env)?;
    let user = tokens::user_by_email(&db, email.as_str()).await?;
    let Some(user) = user else { return Ok(()) };
    let Some(tenant) = user.tenant_id.as_deref().and_then(|t| t.parse().ok()) else { return Ok(()) };
    // Anyone can ask for any address: past the hourly cap the answer stays the same, and no mail.
    let hour_ago = rfc3339(now() - time::Duration::hours(1));
    let purpose = EmailTemplate::PasswordReset.name();
    if tokens::created_since(&db, &user.id, purpose, &hour_ago).await? >= RESETS_PER_ACCOUNT_PER_HOUR {
        return Ok(());
    }
    send_token(&db, config, tenant, &user.id, &email, EmailTemplate::PasswordReset, RESET_TTL_MINUTES).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetConfirm {
    token: String,
    password: String,
}

/// `POST /v1/auth/password-reset/confirm`: sets the new password, voids the user's other reset
/// links and the API keys they made, and signs them out everywhere.
pub async fn confirm_reset(env: &Env, body: &str) -> ApiResult<()> {
    let input: ResetConfirm = parse_json(body)?;
    let db = PlatformDb::open(env)?;
    let user = holder(&db, &input.token, EmailTemplate::PasswordReset.name()).await?;
    let row = tokens::user(&db, &user).await?;
    let row =
        row.ok_or_else(|| ApiError::new(400, "invalid_token", "this link is invalid or has expired"))?;
    let email = Email::parse(&row.email).map_err(|e| ApiError::internal("user row", e))?;
    // The password is checked before the token is spent, so a refused password costs no new mail.
    check_password(&input.password, &email).map_err(|e| ApiError::invalid("password", e.to_string()))?;
    spend(&db, &input.token).await?;
    let at = rfc3339(now());
    let hash = password::hash(&input.password, random_bytes());
    db.batch(vec![
        tokens::reset_password(&user, &hash, &at),
        tokens::spend_resets(&user, &at),
        crate::repo::api_keys::revoke_made_by(&user, None, &at),
        entry(None, &user, "account.password_reset", &user, &at),
    ])
    .await?;
    revoke_all_sessions(&db, &user, "password_reset").await
}
