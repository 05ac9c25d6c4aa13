//! Stripe's wire format: form-encoded API calls, and webhook signature verification.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use worker::{Fetch, Headers, Method, Request, RequestInit};

/// How old a signed webhook may be.
pub const WEBHOOK_TOLERANCE_SECS: i64 = 300;

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// No usable `t=` and `v1=` in the header.
    Malformed,
    /// Outside the tolerance window.
    Stale,
    /// No `v1` signature matches.
    Mismatch,
}

/// Verifies a `Stripe-Signature` header (`t=<unix>,v1=<hex>[,v1=<hex>...]`) over the raw payload:
/// HMAC-SHA256 of `"<t>.<payload>"` under the endpoint secret, compared in constant time.
pub fn verify_signature(secret: &str, header: &str, payload: &str, now: i64) -> Result<i64, SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > WEBHOOK_TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    let signed = format!("{timestamp}.{payload}");
    let matches = signatures.iter().any(|candidate| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(signed.as_bytes());
        mac.verify_slice(candidate).is_ok()
    });
    if matches {
        Ok(timestamp)
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Form-encodes parameters the way Stripe reads them (`a[b][c]=v`).
pub fn form(params: &[(&str, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", urlencoding::encode(k), urlencoding::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A Stripe API client.
pub struct Stripe<'a> {
    /// API base URL (`https://api.stripe.com` or the local stand-in).
    pub base_url: &'a str,
    /// Secret API key.
    pub secret_key: &'a str,
}

impl Stripe<'_> {
    /// Calls the API; returns the JSON answer or Stripe's error message.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, String)],
        idempotency_key: Option<&str>,
    ) -> Result<serde_json::Value, String> {
        let headers = Headers::new();
        let set = |name: &str, value: &str| headers.set(name, value).map_err(|e| e.to_string());
        set("authorization", &format!("Bearer {}", self.secret_key))?;
        set("stripe-version", "2024-06-20")?;
        let mut init = RequestInit::new();
        let url = format!("{}{path}", self.base_url.trim_end_matches('/'));
        if method == Method::Get {
            init.with_method(method);
        } else {
            set("content-type", "application/x-www-form-urlencoded")?;
            if let Some(key) = idempotency_key {
                set("idempotency-key", key)?;
            }
            init.with_method(method).with_body(Some(form(params).into()));
        }
        init.with_headers(headers);
        let request = Request::new_with_init(&url, &init).map_err(|e| e.to_string())?;
        let mut response =
            Fetch::Request(request).send().await.map_err(|e| format!("Stripe unreachable: {e}"))?;
        let status = response.status_code();
        let body: serde_json::Value = response.json().await.map_err(|e| format!("Stripe answer: {e}"))?;
        if !(200..300).contains(&status) {
            let message = body["error"]["message"].as_str().unwrap_or("unknown error");
            return Err(format!("Stripe answered {status}: {message}"));
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, t: i64, payload: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{payload}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn a_correctly_signed_fresh_webhook_verifies() {
        let header = format!("t=1000,v1={}", sign("whsec_test", 1000, "{}"));
        assert_eq!(verify_signature("whsec_test", &header, "{}", 1010), Ok(1000));
    }

    #[test]
    fn any_of_several_v1_signatures_may_match_during_secret_rotation() {
        let header = format!("t=1000,v1={},v1={}", sign("old", 1000, "{}"), sign("whsec_test", 1000, "{}"));
        assert_eq!(verify_signature("whsec_test", &header, "{}", 1000), Ok(1000));
    }

    #[test]
    fn tampered_stale_and_malformed_webhooks_are_refused() {
        let header = format!("t=1000,v1={}", sign("whsec_test", 1000, "{}"));
        assert_eq!(verify_signature("whsec_test", &header, "{ }", 1000), Err(SignatureError::Mismatch));
        assert_eq!(verify_signature("other", &header, "{}", 1000), Err(SignatureError::Mismatch));
        assert_eq!(verify_signature("whsec_test", &header, "{}", 1301), Err(SignatureError::Stale));
        assert_eq!(verify_signature("whsec_test", "v1=00", "{}", 0), Err(SignatureError::Malformed));
    }

    #[test]
    fn nested_parameters_are_form_encoded_with_brackets() {
        assert_eq!(
            form(&[
                ("line_items[0][price]", "price_x".into()),
                ("success_url", "https://a.b/?s={ID}".into())
            ]),
            "line_items%5B0%5D%5Bprice%5D=price_x&success_url=https%3A%2F%2Fa.b%2F%3Fs%3D%7BID%7D"
        );
    }
}
