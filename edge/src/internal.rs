//! Authentication of the internal API: HMAC signatures, freshness, and single-use nonces.

use crate::error::{ApiError, ApiResult};
use queues::internal_api::{
    verify, SignedHeaders, MAX_SKEW_SECS, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use tenancy::shards::platform;
use worker::wasm_bindgen::JsValue;
use worker::{Env, Request};

/// Verifies the signature of an internal request and records its nonce, refusing replays.
pub async fn authenticate(
    env: &Env,
    secret: &str,
    req: &Request,
    path_and_query: &str,
    body: &[u8],
) -> ApiResult<()> {
    let headers = req.headers();
    let (timestamp, nonce, signature) =
        (headers.get(TIMESTAMP_HEADER)?, headers.get(NONCE_HEADER)?, headers.get(SIGNATURE_HEADER)?);
    let now = (crate::runtime::now_ms() / 1_000) as i64;
    let signed = SignedHeaders {
        timestamp: timestamp.as_deref(),
        nonce: nonce.as_deref(),
        signature: signature.as_deref(),
    };
    let nonce = verify(secret.as_bytes(), req.method().as_ref(), path_and_query, body, signed, now)
        .map_err(|e| ApiError::unauthorized(e.to_string()))?;

    let db = platform(env)?;
    let recorded = db
        .prepare(
            "INSERT INTO internal_nonces (nonce, expires_at) VALUES (?1, ?2) ON CONFLICT (nonce) DO NOTHING",
        )
        .bind(&[JsValue::from_str(nonce), JsValue::from_f64((now + 2 * MAX_SKEW_SECS) as f64)])?
        .run()
        .await?;
    if recorded.meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
        return Err(ApiError::unauthorized("request was already used (replay)"));
    }
    // Nonces older than the freshness window can never be replayed: expired requests are stale.
    db.prepare("DELETE FROM internal_nonces WHERE expires_at < ?1")
        .bind(&[JsValue::from_f64(now as f64)])?
        .run()
        .await?;
    Ok(())
}
