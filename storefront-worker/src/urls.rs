//! The shop's URLs: the origin a shopper reached the store on, and the paths of its pages.
//!
//! Absolute URLs (canonical links, Open Graph, JSON-LD, sitemaps) are built from the origin of the
//! request, so one store answers correctly on its platform sub-domain, its own domain and locally.

use domain::StoreHost;
use std::fmt;
use worker::url::form_urlencoded;

/// Scheme, host and (non-default) port a store was reached on, e.g. `https://shop.example` or
/// `http://demo.localhost:8788`. Never ends with a slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl Origin {
    /// The origin of a request: its URL's scheme and its `Host` header as received, already
    /// validated as `host`. The host is taken in its normalised form (lowercase, no trailing dot)
    /// and the port is kept unless it is the scheme's default; a scheme other than `http` counts as
    /// `https`.
    pub fn new(scheme: &str, host: &StoreHost, host_header: &str) -> Self {
        let (scheme, default_port) =
            if scheme.eq_ignore_ascii_case("http") { ("http", 80) } else { ("https", 443) };
        let port = host_header
            .rsplit_once(':')
            .and_then(|(_, port)| port.parse::<u16>().ok())
            .filter(|port| *port != default_port);
        match port {
            Some(port) => Self(format!("{scheme}://{host}:{port}")),
            None => Self(format!("{scheme}://{host}")),
        }
    }

    /// The absolute URL of a path on this origin; `path` starts with `/`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    /// The origin text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The path of the search page.
pub const SEARCH_PATH: &str = "/search";

/// The slug of the collection of every published product (`/collections/all`), which no stored
/// collection answers for.
pub const ALL_PRODUCTS: &str = "all";

/// The path of the store's icon, an SVG that the store's pages link.
pub const FAVICON_PATH: &str = "/favicon.svg";

/// The path of a product page. Slugs are `domain::content::slugify` output (lowercase ASCII words
/// and hyphens), so they need no percent-encoding.
pub fn product_path(slug: &str) -> String {
    format!("/products/{slug}")
}

/// The path of a collection page.
pub fn collection_path(slug: &str) -> String {
    format!("/collections/{slug}")
}

/// The path of the blog index.
pub const BLOG_PATH: &str = "/blog";

/// The path of a blog post.
pub fn post_path(slug: &str) -> String {
    format!("/blog/{slug}")
}

/// The path of a store page (about, contact, ...).
pub fn page_path(slug: &str) -> String {
    format!("/pages/{slug}")
}

/// The path of the search results for `query`, or of the empty search page.
pub fn search_path(query: &str) -> String {
    if query.is_empty() {
        SEARCH_PATH.to_owned()
    } else {
        let encoded: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
        format!("{SEARCH_PATH}?q={encoded}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(scheme: &str, header: &str) -> Origin {
        Origin::new(scheme, &StoreHost::parse(header).unwrap(), header)
    }

    #[test]
    fn a_local_origin_keeps_its_scheme_and_port() {
        assert_eq!(origin("http", "demo.localhost:8788").as_str(), "http://demo.localhost:8788");
    }

    #[test]
    fn a_production_origin_is_https_without_a_port() {
        assert_eq!(origin("https", "shop.example").as_str(), "https://shop.example");
        assert_eq!(origin("https", "shop.example:443").as_str(), "https://shop.example");
        assert_eq!(origin("http", "shop.example:80").as_str(), "http://shop.example");
    }

    #[test]
    fn the_origin_host_is_normalised_so_every_spelling_shares_one_canonical_url() {
        assert_eq!(origin("HTTPS", "Shop.Example.").as_str(), "https://shop.example");
    }

    #[test]
    fn unknown_schemes_count_as_https() {
        assert_eq!(origin("ws", "shop.example").as_str(), "https://shop.example");
    }

    #[test]
    fn absolute_urls_join_the_origin_and_the_path() {
        assert_eq!(
            origin("https", "shop.example").url("/products/brush"),
            "https://shop.example/products/brush"
        );
    }

    #[test]
    fn search_paths_encode_the_query() {
        assert_eq!(search_path(""), "/search");
        assert_eq!(search_path("dog & cat/100%"), "/search?q=dog+%26+cat%2F100%25");
    }
}
