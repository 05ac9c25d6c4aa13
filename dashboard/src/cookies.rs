//! The dashboard's cookies: the session (the edge's access token and its rotating refresh token)
//! and the CSRF nonce. Every one is `HttpOnly`, `Secure` and `SameSite=Lax`, on path `/`.

/// The edge's JWT access token (short-lived: the edge's `expires_in`).
pub const ACCESS: &str = "dash_access";
/// The edge's refresh token (rotated by the edge at each refresh).
pub const REFRESH: &str = "dash_refresh";
/// The random nonce the CSRF tokens of forms are signed over.
pub const CSRF: &str = "dash_csrf";
/// How long the refresh cookie is kept (the edge decides how long the token itself is good).
pub const REFRESH_MAX_AGE_SECS: u32 = 30 * 24 * 3600;

/// A `Set-Cookie` value for `name=value`, kept `max_age_secs` seconds.
pub fn set(name: &str, value: &str, max_age_secs: u32) -> String {
    format!("{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; Secure; SameSite=Lax")
}

/// A `Set-Cookie` value that removes cookie `name`.
pub fn clear(name: &str) -> String {
    set(name, "", 0)
}

/// The value of cookie `name` in a `Cookie` request header, if it is there and not empty.
pub fn get<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name && !value.is_empty()).then_some(value)
    })
}

/// Whether a cookie value is made only of characters that need no quoting (the edge's tokens are
/// base64url and dots, the nonce hex); anything else is refused rather than stored.
pub fn is_plain(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_cookie_is_http_only_secure_and_lax() {
        assert_eq!(
            set(ACCESS, "abc.def", 600),
            "dash_access=abc.def; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=Lax"
        );
        assert_eq!(clear(REFRESH), "dash_refresh=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax");
    }

    #[test]
    fn a_cookie_is_read_by_its_exact_name() {
        let header = "other=1; dash_access_x=no; dash_access=tok.en; dash_csrf=";
        assert_eq!(get(header, ACCESS), Some("tok.en"));
        assert_eq!(get(header, CSRF), None, "an empty value counts as absent");
        assert_eq!(get(header, REFRESH), None);
        assert_eq!(get("", ACCESS), None);
    }

    #[test]
    fn only_plain_token_characters_go_into_a_cookie() {
        assert!(is_plain("eyJhbGciOi.J9-_x"));
        assert!(!is_plain("a;b"));
        assert!(!is_plain("a b"));
        assert!(!is_plain(""));
    }
}
