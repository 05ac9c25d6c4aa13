//! Two-factor sign-in with TOTP: enrolment (start, confirm with a first code, which hands out 10
//! recovery codes once), turning it off, the second step of a login, and the step-up check that
//! sensitive actions make.
//!
//! Step-up: a signed-in user with the factor on sends a current code (or an unused recovery code)
//! in the `X-Second-Factor` header with `POST /v1/api-keys`, `POST /v1/gdpr/erasure`,
//! `PATCH /v1/members/{user}` and `POST /v1/stores/{id}/payouts/onboarding`. Without it they
//! answer 403 `second_factor_required`; with a wrong or used code 403 `invalid_code`, both naming
//! the field `second_factor`. API keys are not asked (they cannot hold a second factor; three of
//! those routes refuse keys anyway), nor are users without the factor.

use crate::auth::password::{self, Verified};
use crate::auth::totp::{self, Keys};
use crate::auth::Principal;
use crate::config::Config;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::audit_log::entry;
use crate::repo::{accounts, two_factor as repo};
use crate::runtime::{now, random_bytes, rfc3339};
use crate::v1::accounts::{hash_token, parse_membership, rate_limit, start_session, TokenPair};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
use worker::Env;

/// The header that carries the second factor of a sensitive action.
pub const HEADER: &str = "x-second-factor";
/// The label authenticator apps show for the entry.
const ISSUER: &str = "Dropship";
/// How long a login waits for its second factor.
pub const CHALLENGE_TTL_SECS: i64 = 300;
/// Wrong codes a login challenge takes before it is burnt.
const CHALLENGE_ATTEMPTS: i64 = 5;

/// Whether the caller has two-factor sign-in on.
#[derive(Debug, Serialize)]
pub struct Status {
    enabled: bool,
    /// An enrolment was started and waits for its first code.
    pending: bool,
    recovery_codes_left: i64,
}

/// A started enrolment: the secret to add to an authenticator app, as text and as the URI its QR
/// code holds.
#[derive(Debug, Serialize)]
pub struct Enrolment {
    secret: String,
    otpauth_uri: String,
}

/// The recovery codes of a confirmed enrolment: shown this once.
#[derive(Debug, Serialize)]
pub struct RecoveryCodes {
    recovery_codes: Vec<String>,
}

/// What a login with the right password answers when the user has the factor on.
#[derive(Debug, Serialize)]
pub struct Challenge {
    second_factor_required: bool,
    challenge: String,
    expires_in: i64,
}

fn keys(config: &Config) -> Keys {
    Keys::new(config.jwt_key.as_bytes())
}

fn unix_now() -> i64 {
    now().unix_timestamp()
}

/// One of a TOTP code and a recovery code, as a request gives them: the text and its field.
fn given<'a>(
    code: &'a Option<String>,
    recovery_code: &'a Option<String>,
) -> ApiResult<(&'a str, &'static str)> {
    match (code.as_deref(), recovery_code.as_deref()) {
        (Some(code), None) => Ok((code, "code")),
        (None, Some(code)) => Ok((code, "recovery_code")),
        _ => Err(ApiError::invalid("code", "send either code (from the authenticator app) or recovery_code")),
    }
}

/// Checks a TOTP code or a recovery code against the user's factor, using it up: a TOTP step is
/// never accepted twice and a recovery code works once. `false` when wrong or used.
async fn accept(
    db: &impl Sql,
    keys: &Keys,
    user: &str,
    factor: &repo::FactorRow,
    text: &str,
) -> ApiResult<bool> {
    if totp::looks_like_code(text) {
        let secret = keys
            .open(user, &factor.secret_sealed)
            .ok_or_else(|| ApiError::internal("two-factor secret", "does not open under the key"))?;
        let Some(step) = totp::verify(&secret, text, unix_now(), factor.last_step) else {
            return Ok(false);
        };
        return Ok(repo::claim_step(db, user, step).await?.changes == 1);
    }
    let hash = keys.recovery_hash(user, text);
    Ok(repo::use_recovery_code(db, user, &hash, &rfc3339(now())).await?.changes == 1)
}

/// Wrong codes are limited as wrong passwords are: per IP and per account, across isolates.
async fn limit(env: &Env, ip: &str, user: &str) -> ApiResult<()> {
    rate_limit(env, &[format!("two-factor-ip:{ip}"), format!("two-factor-account:{user}")]).await
}

/// `GET /v1/auth/two-factor` (signed in).
pub async fn status(env: &Env, principal: &Principal) -> ApiResult<Status> {
    let db = PlatformDb::open(env)?;
    let user = principal.user_id.to_string();
    let factor = repo::factor(&db, &user).await?;
    let enabled = factor.as_ref().is_some_and(|f| f.enabled_at.is_some());
    Ok(Status {
        enabled,
        pending: factor.is_some() && !enabled,
        recovery_codes_left: if enabled { repo::recovery_codes_left(&db, &user).await? } else { 0 },
    })
}

fn already_on() -> ApiError {
    ApiError::new(409, "two_factor_enabled", "two-factor sign-in is already on; turn it off first")
}

/// `POST /v1/auth/two-factor/enrolment` (signed in): a new secret, not on until confirmed.
pub async fn start(env: &Env, config: &Config, principal: &Principal) -> ApiResult<Enrolment> {
    let db = PlatformDb::open(env)?;
    let user = principal.user_id.to_string();
    let account = accounts::user_by_id(&db, &user).await?.ok_or_else(|| ApiError::not_found("user"))?;
    let secret: [u8; totp::SECRET_LEN] = random_bytes();
    let sealed = keys(config).seal(&user, &secret, random_bytes());
    if repo::start_enrolment(&db, &user, &sealed, &rfc3339(now())).await?.changes == 0 {
        return Err(already_on());
    }
    Ok(Enrolment {
        secret: totp::base32(&secret),
        otpauth_uri: totp::otpauth_uri(ISSUER, &account.email, &secret),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Confirm {
    code: String,
}

/// `POST /v1/auth/two-factor/enrolment/confirm` (signed in): a first code from the app turns the
/// factor on; the answer holds the 10 recovery codes, which are never shown again.
pub async fn confirm(
    env: &Env,
    config: &Config,
    principal: &Principal,
    body: &str,
    ip: &str,
) -> ApiResult<RecoveryCodes> {
    let input: Confirm = parse_json(body)?;
    let db = PlatformDb::open(env)?;
    let user = principal.user_id.to_string();
    let factor = repo::factor(&db, &user).await?.ok_or_else(|| {
        ApiError::new(409, "no_enrolment", "start an enrolment first (POST /v1/auth/two-factor/enrolment)")
    })?;
    if factor.enabled_at.is_some() {
        return Err(already_on());
    }
    limit(env, ip, &user).await?;
    let keys = keys(config);
    let secret = keys
        .open(&user, &factor.secret_sealed)
        .ok_or_else(|| ApiError::internal("two-factor secret", "does not open under the key"))?;
    let step = totp::verify(&secret, &input.code, unix_now(), 0).ok_or_else(|| {
        ApiError::new(403, "invalid_code", "that code is not the app's current one; try the next")
            .field("code")
    })?;
    let codes: Vec<String> = (0..totp::RECOVERY_CODES).map(|_| totp::recovery_code(random_bytes())).collect();
    let hashes: Vec<String> = codes.iter().map(|c| keys.recovery_hash(&user, c)).collect();
    let at = rfc3339(now());
    let mut statements = repo::enable(&user, step, &hashes, &at);
    statements.push(entry(Some(principal.tenant_id), &user, "account.two_factor_on", &user, &at));
    let outcomes = db.batch(statements).await?;
    if outcomes.first().is_none_or(|o| o.changes == 0) {
        return Err(already_on());
    }
    Ok(RecoveryCodes { recovery_codes: codes })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Disable {
    password: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    recovery_code: Option<String>,
}

/// `POST /v1/auth/two-factor/disable` (signed in): needs the password and a current code or a
/// recovery code.
pub async fn disable(
    env: &Env,
    config: &Config,
    principal: &Principal,
    body: &str,
    ip: &str,
) -> ApiResult<()> {
    let input: Disable = parse_json(body)?;
    let (text, field) = given(&input.code, &input.recovery_code)?;
    let db = PlatformDb::open(env)?;
    let user = principal.user_id.to_string();
    let factor = repo::factor(&db, &user).await?.filter(|f| f.enabled_at.is_some());
    let factor =
        factor.ok_or_else(|| ApiError::new(409, "two_factor_off", "two-factor sign-in is not on"))?;
    limit(env, ip, &user).await?;
    let account = accounts::user_by_id(&db, &user).await?.ok_or_else(|| ApiError::not_found("user"))?;
    if password::verify(&input.password, &account.password_hash) == Verified::No {
        return Err(ApiError::new(403, "wrong_password", "the password is not right").field("password"));
    }
    if !accept(&db, &keys(config), &user, &factor, text).await? {
        return Err(invalid_code(403, field));
    }
    let at = rfc3339(now());
    let mut statements = repo::disable(&user);
    statements.push(entry(Some(principal.tenant_id), &user, "account.two_factor_off", &user, &at));
    db.batch(statements).await?;
    Ok(())
}

fn invalid_code(status: u16, field: &str) -> ApiError {
    let detail = match field {
        "recovery_code" => "that recovery code is not one of yours, or was used already",
        _ => "that code is wrong or was used already; wait for the app's next code",
    };
    ApiError::new(status, "invalid_code", detail).field(field)
}

/// The challenge a login answers with when the user has the factor on; `None` when they do not.
pub(crate) async fn challenge_if_on(db: &impl Sql, user: &str, tenant: &str) -> ApiResult<Option<Challenge>> {
    if !repo::enabled(db, user).await? {
        return Ok(None);
    }
    let token = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    let at = now();
    let expires = rfc3339(at + time::Duration::seconds(CHALLENGE_TTL_SECS));
    db.batch(repo::open_challenge(&hash_token(&token), user, tenant, &expires, &rfc3339(at))).await?;
    Ok(Some(Challenge { second_factor_required: true, challenge: token, expires_in: CHALLENGE_TTL_SECS }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecondStep {
    challenge: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    recovery_code: Option<String>,
}

/// `POST /v1/auth/login/second-factor`: the challenge of a login and a TOTP code or a recovery
/// code; the tokens when they hold.
pub async fn complete_login(
    env: &Env,
    config: &Config,
    body: &str,
    ip: &str,
    user_agent: Option<&str>,
) -> ApiResult<TokenPair> {
    let input: SecondStep = parse_json(body)?;
    let (text, field) = given(&input.code, &input.recovery_code)?;
    let refused = || {
        ApiError::new(401, "invalid_challenge", "the sign-in has expired or was used; log in again")
            .field("challenge")
    };
    let db = PlatformDb::open(env)?;
    let hash = hash_token(input.challenge.trim());
    let at = rfc3339(now());
    let open = repo::challenge(&db, &hash, &at, CHALLENGE_ATTEMPTS).await?.ok_or_else(refused)?;
    limit(env, ip, &open.user_id).await?;
    let factor = repo::factor(&db, &open.user_id).await?.filter(|f| f.enabled_at.is_some());
    let factor = factor.ok_or_else(refused)?;
    if !accept(&db, &keys(config), &open.user_id, &factor, text).await? {
        repo::challenge_failed(&db, &hash).await?;
        return Err(invalid_code(401, field));
    }
    if repo::use_challenge(&db, &hash, &at).await?.changes == 0 {
        return Err(refused());
    }
    let membership = accounts::membership_of(&db, &open.user_id, &open.tenant_id).await?;
    let membership = membership.ok_or_else(refused)?;
    let (user_id, tenant_id, role) = parse_membership(&open.user_id, &membership)?;
    let what = if field == "code" { "account.login" } else { "account.login_recovery_code" };
    db.batch(vec![entry(Some(tenant_id), &open.user_id, what, &open.user_id, &at)]).await?;
    start_session(&db, config, user_id, tenant_id, role, user_agent).await
}

/// The step-up check of a sensitive action: passes for API keys and for users without the
/// factor; otherwise needs a current code or an unused recovery code in `second_factor` (the
/// `X-Second-Factor` header), which it uses up.
pub async fn step_up(
    env: &Env,
    config: &Config,
    principal: &Principal,
    second_factor: Option<&str>,
    ip: &str,
) -> ApiResult<()> {
    if principal.session_id.is_none() {
        return Ok(());
    }
    let db = PlatformDb::open(env)?;
    let user = principal.user_id.to_string();
    let Some(factor) = repo::factor(&db, &user).await?.filter(|f| f.enabled_at.is_some()) else {
        return Ok(());
    };
    let Some(text) = second_factor.map(str::trim).filter(|t| !t.is_empty()) else {
        return Err(ApiError::new(
            403,
            "second_factor_required",
            "this action needs a current code from your authenticator app (or a recovery code) in the X-Second-Factor header",
        )
        .field("second_factor"));
    };
    limit(env, ip, &user).await?;
    if !accept(&db, &keys(config), &user, &factor, text).await? {
        return Err(invalid_code(403, "second_factor"));
    }
    Ok(())
}
