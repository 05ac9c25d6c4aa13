//! Who is calling: the access-token or API-key check every account and store route goes
//! through, the tokens themselves and password hashing. Signing up, in and out are handlers of
//! the merchant API ([`crate::v1::accounts`]).

pub mod api_keys;
pub mod jwt;
pub mod password;
pub mod totp;

use crate::error::{ApiError, ApiResult};
use crate::http::Ctx;
use crate::repo::stores::Store;
use domain::accounts::{Action, Role};
use domain::{SessionId, TenantId, UserId};

/// The authenticated caller of a `/v1` route.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user.
    pub user_id: UserId,
    /// The tenant the call acts in.
    pub tenant_id: TenantId,
    /// The user's role there.
    pub role: Role,
    /// The session the access token came from; `None` when an API key authenticated the call.
    pub session_id: Option<SessionId>,
    /// The API key that authenticated the call, if one did.
    pub api_key_id: Option<String>,
}

impl Principal {
    /// Reads and verifies the bearer credential: an access token, or an API key (`dsk_...`).
    pub async fn from_ctx(ctx: &Ctx<'_>) -> ApiResult<Self> {
        let (env, config) = (ctx.env, &ctx.config);
        let now = (crate::runtime::now_ms() / 1_000) as i64;
        let header = ctx.header("authorization").unwrap_or_default();
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(|| ApiError::unauthorized("a bearer access token or API key is required"))?;
        if token.starts_with(api_keys::KEY_PREFIX) {
            return api_keys::authenticate(env, token).await;
        }
        let claims = jwt::verify(config.jwt_key.as_bytes(), token, now)
            .map_err(|e| ApiError::unauthorized(e.to_string()))?;
        // The token proves who signed in; the session and membership rows say whether that still
        // holds. Reading them (one primary-key lookup) makes sign-out, session revocation, removal
        // and role changes take effect on the next request rather than when the token expires.
        let live = crate::repo::sessions::live_role(
            &tenancy::shards::PlatformDb::open(env)?,
            claims.sid,
            claims.sub,
            claims.tid,
        )
        .await?;
        let role = live
            .and_then(|role| Role::parse(&role))
            .ok_or_else(|| ApiError::unauthorized("the session has ended; sign in again"))?;
        Ok(Self {
            user_id: claims.sub,
            tenant_id: claims.tid,
            role,
            session_id: Some(claims.sid),
            api_key_id: None,
        })
    }

    /// Who the audit log names for the caller's writes: the API key, or the signed-in user.
    pub fn actor(&self) -> String {
        match &self.api_key_id {
            Some(key) => format!("key:{key}"),
            None => self.user_id.to_string(),
        }
    }

    /// The caller's session; account and key management need a signed-in person, not a key.
    pub fn session(&self) -> ApiResult<SessionId> {
        self.session_id
            .ok_or_else(|| ApiError::new(403, "session_required", "sign in to do this; API keys cannot"))
    }

    /// 403 unless the caller's role allows the action.
    pub fn require(&self, action: Action) -> ApiResult<()> {
        if self.role.allows(action) {
            return Ok(());
        }
        let needed = match action {
            Action::Read => "viewer",
            Action::Operate => "staff",
            Action::Administer => "owner",
        };
        Err(ApiError::new(
            403,
            "forbidden",
            format!("this needs the {needed} role; you are {}", self.role.as_str()),
        ))
    }

    /// A store of the caller's tenant, checked for the action. Another tenant's store answers
    /// 404, exactly as a store that does not exist.
    pub fn store(&self, store: Store, action: Action) -> ApiResult<Store> {
        if store.tenant_id != self.tenant_id {
            return Err(ApiError::not_found("store"));
        }
        self.require(action)?;
        Ok(store)
    }
}
