//! The cart cookie: the cart's compact form, signed with HMAC-SHA256 under a key derived from
//! the storefront's secret and bound to the store, so a shopper cannot forge lines and a cart
//! cannot travel to another store. Nothing about a cart is written to the database.

use domain::cart::Cart;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The cookie holding the signed cart.
pub const COOKIE: &str = "cart";
/// The cookie holding the number of units, readable by the page script (not a secret).
pub const COUNT_COOKIE: &str = "cart_n";
/// How long a cart lives in the browser.
pub const MAX_AGE_SECS: u32 = 30 * 24 * 3600;

fn mac(secret: &[u8], store: &str, payload: &str) -> String {
    let mut key = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    key.update(b"storefront cart v1");
    let derived = key.finalize().into_bytes();
    let mut mac = Hmac::<Sha256>::new_from_slice(&derived).expect("HMAC takes keys of any length");
    mac.update(store.as_bytes());
    mac.update(b"\n");
    mac.update(payload.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// The cookie value of a cart: its compact form (commas swapped for `!`, which cookies allow)
/// and a signature.
pub fn seal(secret: &[u8], store: &str, cart: &Cart) -> String {
    let payload = cart.encode().replace(',', "!");
    let signature = mac(secret, store, &payload);
    format!("{payload}.{signature}")
}

/// The cart in a cookie value, if it is well formed and was signed for this store.
pub fn open(secret: &[u8], store: &str, value: &str) -> Option<Cart> {
    let (payload, signature) = value.rsplit_once('.')?;
    let expected = mac(secret, store, payload);
    // Constant time: the comparison does not stop at the first difference.
    if expected.len() != signature.len()
        || expected.bytes().zip(signature.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) != 0
    {
        return None;
    }
    Cart::decode(&payload.replace('!', ","))
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').map(str::trim).find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// The `Set-Cookie` values that store a cart (and its unit count) for the store's origin.
pub fn set_cookies(secret: &[u8], store: &str, cart: &Cart, secure: bool) -> [String; 2] {
    let secure = if secure { "; Secure" } else { "" };
    [
        format!(
            "{COOKIE}={}; Path=/; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Lax{secure}",
            seal(secret, store, cart)
        ),
        format!("{COUNT_COOKIE}={}; Path=/; Max-Age={MAX_AGE_SECS}; SameSite=Lax{secure}", cart.units()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "0b6f2c1e-8a43-4c5e-9f1a-3d2b7c6e5a41";

    fn cart() -> Cart {
        let mut cart = Cart::new("cartid0123456789");
        cart.add(P, Some("v1"), 2).unwrap();
        cart.add("p2", None, 1).unwrap();
        cart
    }

    #[test]
    fn a_sealed_cart_opens_for_its_store_only() {
        let sealed = seal(b"secret", "store-a", &cart());
        assert!(!sealed.contains(','), "cookie values may not hold commas");
        assert_eq!(open(b"secret", "store-a", &sealed), Some(cart()));
        assert_eq!(open(b"secret", "store-b", &sealed), None);
        assert_eq!(open(b"other", "store-a", &sealed), None);
    }

    #[test]
    fn a_tampered_cart_is_refused() {
        let sealed = seal(b"secret", "store-a", &cart());
        let forged = sealed.replacen("*2", "*9", 1);
        assert_eq!(open(b"secret", "store-a", &forged), None);
        assert_eq!(open(b"secret", "store-a", "garbage"), None);
        assert_eq!(open(b"secret", "store-a", ""), None);
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let header = "cart_n=3; cart=abc.def; other=1";
        assert_eq!(cookie(header, "cart"), Some("abc.def"));
        assert_eq!(cookie(header, "cart_n"), Some("3"));
        assert_eq!(cookie(header, "missing"), None);
    }

    #[test]
    fn the_cart_cookie_is_http_only_and_the_count_is_readable() {
        let [cart_cookie, count] = set_cookies(b"s", "store", &cart(), true);
        assert!(
            cart_cookie.starts_with("cart=")
                && cart_cookie.contains("HttpOnly")
                && cart_cookie.ends_with("Secure")
        );
        assert!(count.starts_with("cart_n=3;") && !count.contains("HttpOnly"));
    }
}
