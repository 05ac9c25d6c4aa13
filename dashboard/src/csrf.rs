//! CSRF tokens, signed double-submit: a random nonce lives in an `HttpOnly` cookie, and every
//! form carries `HMAC-SHA256(secret, "csrf:" + nonce)`. A cross-site page can neither read the
//! cookie nor compute the token, so a form post whose token does not match the cookie's nonce
//! did not come from one of our pages. The `Origin` header, when the browser sends one, must be
//! ours as well.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The form field that carries the token.
pub const FIELD: &str = "csrf";

fn mac(secret: &[u8], nonce: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(b"csrf:");
    mac.update(nonce.as_bytes());
    mac
}

/// The token forms carry for the cookie's `nonce`.
pub fn token(secret: &[u8], nonce: &str) -> String {
    hex::encode(mac(secret, nonce).finalize().into_bytes())
}

/// Whether `submitted` is the token for `nonce` (compared in constant time).
pub fn verify(secret: &[u8], nonce: &str, submitted: &str) -> bool {
    let Ok(bytes) = hex::decode(submitted) else { return false };
    !nonce.is_empty() && mac(secret, nonce).verify_slice(&bytes).is_ok()
}

/// Whether a request's `Origin` header (absent on some same-origin posts) allows it: no header,
/// or exactly `own_origin`.
pub fn origin_allowed(origin: Option<&str>, own_origin: &str) -> bool {
    origin.is_none_or(|o| o == own_origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a local test secret of enough length";

    #[test]
    fn a_token_verifies_only_against_its_own_nonce_and_secret() {
        let t = token(SECRET, "n1");
        assert!(verify(SECRET, "n1", &t));
        assert!(!verify(SECRET, "n2", &t), "another browser's nonce");
        assert!(!verify(b"another secret entirely, also long", "n1", &t));
        assert!(!verify(SECRET, "", &token(SECRET, "")), "no cookie, no token");
        assert!(!verify(SECRET, "n1", "not hex"));
        assert!(!verify(SECRET, "n1", &t[..10]));
    }

    #[test]
    fn a_post_from_another_origin_is_refused() {
        assert!(origin_allowed(None, "http://localhost:8789"));
        assert!(origin_allowed(Some("http://localhost:8789"), "http://localhost:8789"));
        assert!(!origin_allowed(Some("https://evil.example"), "http://localhost:8789"));
        assert!(!origin_allowed(Some("null"), "http://localhost:8789"));
    }
}
