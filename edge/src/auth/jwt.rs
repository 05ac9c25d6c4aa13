//! Access tokens: compact JWS with HS256, checked strictly.
//!
//! Only `HS256` is accepted (so `alg: none` and algorithm confusion are refused), the signature is
//! compared in constant time, and the audience, issuer, expiry and issue time are all checked.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::accounts::Role;
use domain::{SessionId, TenantId, UserId};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Who issues merchant access tokens.
pub const ISSUER: &str = "dropship-edge";
/// The merchant API's audience.
pub const AUDIENCE: &str = "dropship-merchant-api";
/// Access tokens live this long; revoking a session stops refreshes at once and access tokens
/// within this bound.
pub const ACCESS_TTL_SECS: i64 = 600;
/// Clock skew tolerated on `iat`.
const LEEWAY_SECS: i64 = 30;

/// What an access token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The user.
    pub sub: UserId,
    /// The tenant the token acts in.
    pub tid: TenantId,
    /// The user's role in that tenant when the token was issued.
    pub role: Role,
    /// The session (refresh-token family) it came from.
    pub sid: SessionId,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires at, Unix seconds.
    pub exp: i64,
}

/// Why a token was refused. The API answers every one of them with the same 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not three base64url parts of JSON.
    #[error("malformed token")]
    Malformed,
    /// Any algorithm but HS256, including `none`.
    #[error("unsupported token algorithm")]
    Algorithm,
    /// The signature does not match.
    #[error("bad token signature")]
    Signature,
    /// Wrong issuer or audience.
    #[error("token is not for this API")]
    Audience,
    /// Expired, or issued in the future.
    #[error("token expired")]
    Expired,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    typ: Option<String>,
}

fn mac(key: &[u8], signing_input: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(signing_input.as_bytes());
    mac
}

/// Signs claims into a token.
pub fn issue(key: &[u8], claims: &Claims) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"));
    let signing_input = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(mac(key, &signing_input).finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// Verifies a token and returns its claims.
pub fn verify(key: &[u8], token: &str, now: i64) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header: Header = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or(TokenError::Malformed)?;
    if header.alg != "HS256" {
        return Err(TokenError::Algorithm);
    }
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::Malformed)?;
    let signing_input = &token[..token.len() - token.rsplit('.').next().map_or(0, str::len) - 1];
    mac(key, signing_input).verify_slice(&signature).map_err(|_| TokenError::Signature)?;
    let claims: Claims = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or(TokenError::Malformed)?;
    if claims.iss != ISSUER || claims.aud != AUDIENCE {
        return Err(TokenError::Audience);
    }
    if claims.exp <= now || claims.iat > now + LEEWAY_SECS {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"unit-test-signing-key-0123456789";

    fn claims(now: i64) -> Claims {
        Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: UserId::from_random_bytes([1; 16]),
            tid: TenantId::from_random_bytes([2; 16]),
            role: Role::Staff,
            sid: SessionId::from_random_bytes([3; 16]),
            iat: now,
            exp: now + ACCESS_TTL_SECS,
        }
    }

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let token = issue(KEY, &claims(1_000));
        assert_eq!(verify(KEY, &token, 1_001), Ok(claims(1_000)));
    }

    #[test]
    fn an_alg_none_token_is_refused() {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(1_000)).unwrap());
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert_eq!(verify(KEY, &format!("{header}.{payload}."), 1_001), Err(TokenError::Algorithm));
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let token = issue(b"another-key", &claims(1_000));
        assert_eq!(verify(KEY, &token, 1_001), Err(TokenError::Signature));
    }

    #[test]
    fn a_token_with_edited_claims_is_refused() {
        let token = issue(KEY, &claims(1_000));
        let mut forged = claims(1_000);
        forged.role = Role::Owner;
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let parts: Vec<&str> = token.split('.').collect();
        let tampered = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert_eq!(verify(KEY, &tampered, 1_001), Err(TokenError::Signature));
    }

    #[test]
    fn an_expired_token_or_one_for_another_audience_is_refused() {
        assert_eq!(
            verify(KEY, &issue(KEY, &claims(1_000)), 1_000 + ACCESS_TTL_SECS),
            Err(TokenError::Expired)
        );
        let other = Claims { aud: "another-api".into(), ..claims(1_000) };
        assert_eq!(verify(KEY, &issue(KEY, &other), 1_001), Err(TokenError::Audience));
    }

    #[test]
    fn garbage_is_malformed() {
        assert_eq!(verify(KEY, "not-a-token", 0), Err(TokenError::Malformed));
        assert_eq!(verify(KEY, "a.b.c.d", 0), Err(TokenError::Malformed));
    }
}
