//! Links a mail may carry: absolute `http://` or `https://` URLs, checked once when the mail's
//! data is read. A mail's `href` takes only an [`HttpUrl`], so data cannot put a `javascript:` or
//! `data:` link into a mail.

use std::fmt;

/// An absolute `http://` or `https://` URL with a host and no whitespace or control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(String);

/// Why a value is not an [`HttpUrl`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an http:// or https:// URL")]
pub struct NotHttpUrl;

impl HttpUrl {
    /// `value` as a URL, if it is an absolute `http(s)` URL with a host and no whitespace.
    pub fn parse(value: &str) -> Result<Self, NotHttpUrl> {
        let lower = value.to_ascii_lowercase();
        let rest =
            lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).ok_or(NotHttpUrl)?;
        let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if host_end == 0 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(NotHttpUrl);
        }
        Ok(Self(value.to_owned()))
    }

    /// The URL as it was given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is HTTPS, or plain HTTP to a loopback host (the local stack): what a mail client
    /// may POST a one-click unsubscribe to, and where an API key may be sent.
    pub fn is_https_or_loopback(&self) -> bool {
        let lower = self.0.to_ascii_lowercase();
        let Some(authority) = lower.strip_prefix("http://") else { return true };
        let authority = &authority[..authority.find(['/', '?', '#']).unwrap_or(authority.len())];
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => authority.split(':').next().unwrap_or_default(),
        };
        is_loopback_host(host)
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `url` is an [`HttpUrl`] that [is HTTPS or loopback](HttpUrl::is_https_or_loopback).
pub fn is_https_or_loopback_url(url: &str) -> bool {
    HttpUrl::parse(url).is_ok_and(|url| url.is_https_or_loopback())
}

/// Whether `host` (a name or an address, IPv6 without brackets) is this machine.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_and_https_urls_with_a_host_are_accepted() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "//evil.example",
            "https://",
            "https://a b",
            "https:///path",
            "http://x.example/\nBcc",
            "ftp://x.example",
            "",
        ] {
            assert_eq!(HttpUrl::parse(bad), Err(NotHttpUrl), "{bad:?} was accepted");
        }
        for good in ["https://x.example/r?a=1&b=2", "HTTP://Shop.Example", "http://127.0.0.1:8787/u/1"] {
            assert_eq!(HttpUrl::parse(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn https_is_always_fine_and_plain_http_only_to_this_machine() {
        for url in [
            "https://shop.example.com/u",
            "http://127.0.0.1:8787/u/1",
            "http://demo.localhost:8788/u",
            "http://[::1]/u",
        ] {
            assert!(is_https_or_loopback_url(url), "{url}");
        }
        for url in ["http://shop.example.com/u", "http://localhost.example.com/u", "mailto:u@example.com"] {
            assert!(!is_https_or_loopback_url(url), "{url}");
        }
    }

    #[test]
    fn a_url_in_html_is_escaped() {
        let url = HttpUrl::parse("https://x.example/r?a=1&b=\"2\"").unwrap();
        assert_eq!(maud::html! { (url) }.into_string(), "https://x.example/r?a=1&amp;b=&quot;2&quot;");
    }
}
