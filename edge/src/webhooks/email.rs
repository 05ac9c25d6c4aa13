//! The mail providers' event webhooks: hard bounces and spam complaints put the address on the
//! suppression list, which every marketing send checks.
//!
//! - Resend signs with Svix: `svix-id`, `svix-timestamp` and `svix-signature` (`v1,<base64>`,
//!   space-separated when the secret rotates) over `<id>.<timestamp>.<body>`, HMAC-SHA256 keyed
//!   with the base64 part of the `whsec_...` secret. Events `email.bounced` (not `Transient`) and
//!   `email.complained` count.
//! - SendGrid's Signed Event Webhook: `X-Twilio-Email-Event-Webhook-Signature` is a base64 DER
//!   ECDSA P-256/SHA-256 signature over the `X-Twilio-Email-Event-Webhook-Timestamp` value
//!   followed by the body, checked with the account's public key (base64 DER). Events `bounce`
//!   (not `blocked`, a soft bounce) and `spamreport` count.
//!
//! Both refuse a timestamp more than five minutes away. The suppression list lives in DynamoDB,
//! which belongs to the pipelines: the edge verifies and forwards each address as an
//! `address_suppressed` flow event (idempotent per provider event).

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::runtime::{now, now_ms};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::accounts::Email;
use domain::placement::ShardIndex;
use hmac::{Hmac, Mac};
use queues::messages::{FlowEvent, FlowTrigger, SuppressionReason, PLATFORM_TENANT};
use queues::Envelope;
use serde_json::Value;
use sha2::Sha256;
use worker::Env;

/// How far a webhook's timestamp may be from now.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a webhook is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// A signature header is missing or malformed.
    #[error("the webhook's signature headers are missing or malformed")]
    Headers,
    /// The timestamp is too old or in the future.
    #[error("the webhook's timestamp is more than five minutes away")]
    Stale,
    /// No signature matches.
    #[error("the webhook's signature does not match")]
    Signature,
    /// The configured secret or key is unusable.
    #[error("the webhook secret is not configured correctly")]
    Secret,
    /// The body is not the provider's JSON.
    #[error("the webhook body is not the provider's event JSON")]
    Body,
}

/// One address a provider reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The provider's id of the event (idempotency).
    pub event_id: String,
    /// The address.
    pub email: Email,
    /// Bounce or complaint.
    pub reason: SuppressionReason,
}

fn fresh(timestamp: &str, now: i64) -> Result<(), WebhookError> {
    let at: i64 = timestamp.trim().parse().map_err(|_| WebhookError::Headers)?;
    if (now - at).abs() > TOLERANCE_SECS {
        return Err(WebhookError::Stale);
    }
    Ok(())
}

/// Verifies a Svix-signed (Resend) delivery.
pub fn verify_svix(
    secret: &str,
    id: Option<&str>,
    timestamp: Option<&str>,
    signatures: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), WebhookError> {
    let (Some(id), Some(timestamp), Some(signatures)) = (id, timestamp, signatures) else {
        return Err(WebhookError::Headers);
    };
    fresh(timestamp, now)?;
    let key =
        STANDARD.decode(secret.strip_prefix("whsec_").unwrap_or(secret)).map_err(|_| WebhookError::Secret)?;
    let mut signed = Vec::with_capacity(id.len() + timestamp.len() + body.len() + 2);
    signed.extend_from_slice(id.as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(timestamp.as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(body);
    for candidate in signatures.split_whitespace() {
        let Some(encoded) = candidate.strip_prefix("v1,") else { continue };
        let Ok(signature) = STANDARD.decode(encoded) else { continue };
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| WebhookError::Secret)?;
        mac.update(&signed);
        if mac.verify_slice(&signature).is_ok() {
            return Ok(());
        }
    }
    Err(WebhookError::Signature)
}

/// The addresses a Resend event reports (`svix_id` names the delivery).
pub fn resend_reports(svix_id: &str, body: &[u8]) -> Result<Vec<Report>, WebhookError> {
    let event: Value = serde_json::from_slice(body).map_err(|_| WebhookError::Body)?;
    let reason = match event["type"].as_str().ok_or(WebhookError::Body)? {
        "email.bounced" => {
            let kind = event["data"]["bounce"]["type"].as_str().unwrap_or("Permanent");
            if kind.eq_ignore_ascii_case("transient") {
                return Ok(Vec::new());
            }
            SuppressionReason::Bounced
        }
        "email.complained" => SuppressionReason::Complained,
        _ => return Ok(Vec::new()),
    };
    let to = match &event["data"]["to"] {
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect::<Vec<_>>(),
        Value::String(one) => vec![one.as_str()],
        _ => return Err(WebhookError::Body),
    };
    Ok(to
        .into_iter()
        .filter_map(|address| Email::parse(address).ok())
        .map(|email| Report { event_id: format!("resend:{svix_id}"), email, reason })
        .collect())
}

/// Verifies a SendGrid Signed Event Webhook delivery against the account's public key (base64
/// DER SubjectPublicKeyInfo).
pub async fn verify_sendgrid(
    public_key: &str,
    signature: Option<&str>,
    timestamp: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), WebhookError> {
    let (signature, signed) = sendgrid_signed(signature, timestamp, body, now)?;
    let key = STANDARD.decode(public_key.trim()).map_err(|_| WebhookError::Secret)?;
    match ecdsa_p256_verify(&key, &signature, &signed).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(WebhookError::Signature),
        Err(()) => Err(WebhookError::Secret),
    }
}

/// What a SendGrid delivery signed (the timestamp, then the body) and its signature as WebCrypto
/// takes it: `r‖s`, 32 bytes each (IEEE P1363), where SendGrid sends DER.
pub fn sendgrid_signed(
    signature: Option<&str>,
    timestamp: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<([u8; 64], Vec<u8>), WebhookError> {
    let (Some(signature), Some(timestamp)) = (signature, timestamp) else {
        return Err(WebhookError::Headers);
    };
    fresh(timestamp, now)?;
    let der = STANDARD.decode(signature.trim()).map_err(|_| WebhookError::Headers)?;
    let signature = p1363_of_der(&der).ok_or(WebhookError::Signature)?;
    let mut signed = Vec::with_capacity(timestamp.len() + body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.extend_from_slice(body);
    Ok((signature, signed))
}

/// An ECDSA P-256 signature's DER form (`SEQUENCE { INTEGER r, INTEGER s }`) as `r‖s`; `None`
/// when it is not exactly that.
pub fn p1363_of_der(der: &[u8]) -> Option<[u8; 64]> {
    let (&tag, rest) = der.split_first()?;
    let (&length, rest) = rest.split_first()?;
    if tag != 0x30 || usize::from(length) != rest.len() || length >= 0x80 {
        return None;
    }
    let mut out = [0u8; 64];
    let mut rest = rest;
    for half in out.chunks_exact_mut(32) {
        let (&tag, after) = rest.split_first()?;
        let (&length, after) = after.split_first()?;
        let length = usize::from(length);
        if tag != 0x02 || length == 0 || length > after.len() {
            return None;
        }
        let (integer, after) = after.split_at(length);
        let integer = match integer {
            [0, tail @ ..] if tail.first().is_some_and(|b| b & 0x80 != 0) => tail,
            [first, ..] if first & 0x80 != 0 => return None,
            _ => integer,
        };
        if integer.len() > 32 {
            return None;
        }
        half[32 - integer.len()..].copy_from_slice(integer);
        rest = after;
    }
    rest.is_empty().then_some(out)
}

/// ECDSA P-256 / SHA-256 through the runtime's WebCrypto (`crypto.subtle`), which costs the
/// Worker no wasm: the `p256` crate cost the edge about 45 KB. `Err` when the key is unusable.
#[cfg(target_arch = "wasm32")]
async fn ecdsa_p256_verify(spki: &[u8], signature: &[u8; 64], data: &[u8]) -> Result<bool, ()> {
    use worker::js_sys::{global, Array, Function, Object, Promise, Reflect, Uint8Array};
    use worker::wasm_bindgen::{JsCast, JsValue};
    use worker::wasm_bindgen_futures::JsFuture;
    let get = |target: &JsValue, key: &str| Reflect::get(target, &JsValue::from_str(key)).map_err(|_| ());
    let subtle = get(&get(&global().into(), "crypto")?, "subtle")?;
    let call = |method: &str, args: Array| -> Result<JsFuture, ()> {
        let function: Function = get(&subtle, method)?.dyn_into().map_err(|_| ())?;
        let promise: Promise = function.apply(&subtle, &args).map_err(|_| ())?.dyn_into().map_err(|_| ())?;
        Ok(JsFuture::from(promise))
    };
    let algorithm = |fields: &[(&str, &str)]| {
        let object = Object::new();
        for (key, value) in fields {
            let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
        }
        JsValue::from(object)
    };
    let key = call(
        "importKey",
        Array::of5(
            &JsValue::from_str("spki"),
            &Uint8Array::from(spki),
            &algorithm(&[("name", "ECDSA"), ("namedCurve", "P-256")]),
            &JsValue::FALSE,
            &Array::of1(&JsValue::from_str("verify")),
        ),
    )?
    .await
    .map_err(|_| ())?;
    let verified = call(
        "verify",
        Array::of4(
            &algorithm(&[("name", "ECDSA"), ("hash", "SHA-256")]),
            &key,
            &Uint8Array::from(&signature[..]),
            &Uint8Array::from(data),
        ),
    )?
    .await
    .map_err(|_| ())?;
    Ok(verified.as_bool() == Some(true))
}

/// The same check natively (the edge's tests), with the `p256` crate on exactly WebCrypto's
/// inputs: the key's DER and the `r‖s` signature.
#[cfg(not(target_arch = "wasm32"))]
async fn ecdsa_p256_verify(spki: &[u8], signature: &[u8; 64], data: &[u8]) -> Result<bool, ()> {
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::{Signature, VerifyingKey};
    use p256::pkcs8::DecodePublicKey;
    let key = VerifyingKey::from_public_key_der(spki).map_err(|_| ())?;
    let Ok(signature) = Signature::from_slice(signature) else { return Ok(false) };
    Ok(key.verify(data, &signature).is_ok())
}

/// The addresses a SendGrid event batch reports.
pub fn sendgrid_reports(body: &[u8]) -> Result<Vec<Report>, WebhookError> {
    let events: Vec<Value> = serde_json::from_slice(body).map_err(|_| WebhookError::Body)?;
    Ok(events
        .iter()
        .filter_map(|event| {
            let reason = match (event["event"].as_str()?, event["type"].as_str()) {
                ("bounce", Some("blocked")) => return None,
                ("bounce", _) => SuppressionReason::Bounced,
                ("spamreport", _) => SuppressionReason::Complained,
                _ => return None,
            };
            let email = Email::parse(event["email"].as_str()?).ok()?;
            let id = event["sg_event_id"].as_str().map_or_else(
                || format!("sendgrid:{}:{}", reason.name(), email.as_str()),
                |id| format!("sendgrid:{id}"),
            );
            Some(Report { event_id: id, email, reason })
        })
        .collect())
}

fn refused(error: WebhookError) -> ApiError {
    match error {
        WebhookError::Body => ApiError::new(400, "invalid_body", error.to_string()),
        WebhookError::Secret => ApiError::internal("email webhook", error),
        _ => ApiError::unauthorized(error.to_string()),
    }
}

async fn forward(env: &Env, config: &Config, reports: Vec<Report>) -> ApiResult<usize> {
    let tenant = PLATFORM_TENANT.parse().map_err(|e| ApiError::internal("platform tenant", e))?;
    let at = now();
    for report in &reports {
        let envelope = Envelope::for_tenant(
            format!("flow:address_suppressed:{}:{}", report.event_id, report.email),
            tenant,
            at,
            report.event_id.clone(),
            FlowEvent {
                occurred_at: at,
                trigger: FlowTrigger::AddressSuppressed {
                    email: report.email.clone(),
                    reason: report.reason,
                },
            },
        );
        // The provider retries a failed delivery; an answered 503 makes it do so.
        crate::sqs::send(&config.sqs, &config.sqs.flows_queue_url, &envelope, now_ms()).await.map_err(
            |e| {
                worker::console_error!("enqueueing a suppression: {e}");
                ApiError::new(503, "unavailable", "try again later")
            },
        )?;
        mark_contacts(env, config, &report.email, report.reason).await?;
    }
    Ok(reports.len())
}

/// Marks the address's subscribed contacts, in every store, as bounced or complained: merchants
/// see why it gets no more mail, and the plan's contact limit stops counting it. A report names an
/// address, not a store, so this is the one write that goes to each shard by address rather than
/// through a store's handle (`contacts_by_email`); it changes rows of that exact address only.
async fn mark_contacts(
    env: &Env,
    config: &Config,
    email: &Email,
    reason: SuppressionReason,
) -> ApiResult<()> {
    let at = crate::runtime::rfc3339(now());
    for shard in 0..config.store_shards {
        let shard = env.d1(&ShardIndex(shard).binding())?;
        crate::repo::contacts::mark_undeliverable(&shard, email.as_str(), reason.name(), &at).await?;
    }
    Ok(())
}

/// `POST /v1/webhooks/resend`.
pub async fn resend(
    env: &Env,
    config: &Config,
    headers: [Option<String>; 3],
    body: &str,
) -> ApiResult<serde_json::Value> {
    let secret = config
        .resend_webhook_secret
        .as_deref()
        .ok_or_else(|| ApiError::new(404, "not_found", "no Resend webhook is configured"))?;
    let [id, timestamp, signature] = headers;
    let now_s = (now_ms() / 1_000) as i64;
    verify_svix(secret, id.as_deref(), timestamp.as_deref(), signature.as_deref(), body.as_bytes(), now_s)
        .map_err(refused)?;
    let reports = resend_reports(id.as_deref().unwrap_or_default(), body.as_bytes()).map_err(refused)?;
    Ok(serde_json::json!({ "suppressed": forward(env, config, reports).await? }))
}

/// `POST /v1/webhooks/sendgrid`.
pub async fn sendgrid(
    env: &Env,
    config: &Config,
    signature: Option<String>,
    timestamp: Option<String>,
    body: &str,
) -> ApiResult<serde_json::Value> {
    let key = config
        .sendgrid_webhook_public_key
        .as_deref()
        .ok_or_else(|| ApiError::new(404, "not_found", "no SendGrid webhook is configured"))?;
    let now_s = (now_ms() / 1_000) as i64;
    verify_sendgrid(key, signature.as_deref(), timestamp.as_deref(), body.as_bytes(), now_s)
        .await
        .map_err(refused)?;
    let reports = sendgrid_reports(body.as_bytes()).map_err(refused)?;
    Ok(serde_json::json!({ "suppressed": forward(env, config, reports).await? }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const NOW: i64 = 1_790_000_000;

    fn svix_sign(id: &str, timestamp: &str, body: &str) -> String {
        let key = STANDARD.decode(&SECRET["whsec_".len()..]).unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }

    const BOUNCE: &str = r#"{"type":"email.bounced","created_at":"2026-11-26T10:00:00.000Z","data":{"email_id":"4ef9","to":["Gone@Example.com"],"bounce":{"type":"Permanent","subType":"General"}}}"#;

    #[test]
    fn a_signed_resend_bounce_suppresses_its_recipient() {
        let ts = NOW.to_string();
        let signature = format!("v1,bm90IHRoaXMgb25l {}", svix_sign("msg_1", &ts, BOUNCE));
        verify_svix(SECRET, Some("msg_1"), Some(&ts), Some(&signature), BOUNCE.as_bytes(), NOW + 10).unwrap();
        let reports = resend_reports("msg_1", BOUNCE.as_bytes()).unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!(
            (reports[0].email.as_str(), reports[0].reason),
            ("gone@example.com", SuppressionReason::Bounced)
        );
    }

    #[test]
    fn a_tampered_stale_or_unsigned_resend_delivery_is_refused() {
        let ts = NOW.to_string();
        let signature = svix_sign("msg_1", &ts, BOUNCE);
        let tampered = BOUNCE.replace("Gone", "Other");
        assert_eq!(
            verify_svix(SECRET, Some("msg_1"), Some(&ts), Some(&signature), tampered.as_bytes(), NOW),
            Err(WebhookError::Signature)
        );
        assert_eq!(
            verify_svix(SECRET, Some("msg_1"), Some(&ts), Some(&signature), BOUNCE.as_bytes(), NOW + 301),
            Err(WebhookError::Stale)
        );
        assert_eq!(
            verify_svix(SECRET, Some("msg_2"), Some(&ts), Some(&signature), BOUNCE.as_bytes(), NOW),
            Err(WebhookError::Signature)
        );
        assert_eq!(
            verify_svix(SECRET, None, Some(&ts), Some(&signature), BOUNCE.as_bytes(), NOW),
            Err(WebhookError::Headers)
        );
    }

    #[test]
    fn soft_bounces_and_other_events_suppress_nobody() {
        let transient = BOUNCE.replace("Permanent", "Transient");
        assert!(resend_reports("m", transient.as_bytes()).unwrap().is_empty());
        let delivered = r#"{"type":"email.delivered","data":{"to":["a@example.com"]}}"#;
        assert!(resend_reports("m", delivered.as_bytes()).unwrap().is_empty());
        let complaint = r#"{"type":"email.complained","data":{"to":["a@example.com"]}}"#;
        assert_eq!(
            resend_reports("m", complaint.as_bytes()).unwrap()[0].reason,
            SuppressionReason::Complained
        );
        assert_eq!(resend_reports("m", b"nope"), Err(WebhookError::Body));
    }

    #[test]
    fn a_sendgrid_batch_signed_with_the_accounts_key_is_verified_and_read() {
        use p256::ecdsa::signature::Signer;
        use p256::ecdsa::{Signature, SigningKey};
        let signing = SigningKey::from_slice(&[7u8; 32]).unwrap();
        // SubjectPublicKeyInfo of a P-256 key: the fixed algorithm header, then the point.
        let mut der = hex::decode("3059301306072a8648ce3d020106082a8648ce3d030107034200").unwrap();
        der.extend_from_slice(signing.verifying_key().to_encoded_point(false).as_bytes());
        let public = STANDARD.encode(der);
        let body = r#"[{"email":"hard@example.com","event":"bounce","type":"bounce","sg_event_id":"ev1"},{"email":"soft@example.com","event":"bounce","type":"blocked","sg_event_id":"ev2"},{"email":"angry@example.com","event":"spamreport","sg_event_id":"ev3"},{"email":"ok@example.com","event":"delivered","sg_event_id":"ev4"}]"#;
        let ts = NOW.to_string();
        let signature: Signature = signing.sign(format!("{ts}{body}").as_bytes());
        let header = STANDARD.encode(signature.to_der().as_bytes());
        let verify = |body: &str, now: i64| {
            pollster::block_on(verify_sendgrid(&public, Some(&header), Some(&ts), body.as_bytes(), now))
        };
        verify(body, NOW).unwrap();
        let reports = sendgrid_reports(body.as_bytes()).unwrap();
        let got: Vec<(&str, SuppressionReason, &str)> =
            reports.iter().map(|r| (r.email.as_str(), r.reason, r.event_id.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("hard@example.com", SuppressionReason::Bounced, "sendgrid:ev1"),
                ("angry@example.com", SuppressionReason::Complained, "sendgrid:ev3"),
            ]
        );
        let tampered = body.replace("hard@", "else@");
        assert_eq!(verify(&tampered, NOW), Err(WebhookError::Signature));
        assert_eq!(verify(body, NOW - 1_000), Err(WebhookError::Stale));
    }

    #[test]
    fn a_der_signature_becomes_r_then_s_padded_to_32_bytes_each() {
        use p256::ecdsa::signature::Signer;
        use p256::ecdsa::{Signature, SigningKey};
        let signing = SigningKey::from_slice(&[9u8; 32]).unwrap();
        // Many signatures: short integers (leading zero bytes dropped) and high-bit ones (a zero
        // byte prepended) both come up.
        for n in 0..200u32 {
            let signature: Signature = signing.sign(&n.to_be_bytes());
            let der = signature.to_der();
            assert_eq!(p1363_of_der(der.as_bytes()), Some(<[u8; 64]>::from(signature.to_bytes())), "{n}");
        }
        let good: Signature = signing.sign(b"x");
        let good = good.to_der().as_bytes().to_vec();
        let mut trailing = good.clone();
        trailing.push(0);
        for bad in [&[][..], &[0x30, 0x00], &good[..good.len() - 1], &trailing[..], &[0x31, 0x02, 0x02, 0x00]]
        {
            assert_eq!(p1363_of_der(bad), None, "{bad:02x?}");
        }
    }
}
