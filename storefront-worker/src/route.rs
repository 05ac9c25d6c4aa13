//! Which page a request path asks for, and whether that page may be cached at the edge.

use crate::urls::FAVICON_PATH;

/// Longest product slug looked up: `slugify` makes at most 80 characters, plus a `-N` suffix.
const SLUG_MAX: usize = 100;

/// A page of the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    /// `/robots.txt`.
    Robots,
    /// `/`: the newest products.
    Home,
    /// `/products/{slug}`.
    Product(&'a str),
    /// `/search?q=...`.
    Search,
    /// `/favicon.svg`: the store's icon.
    Favicon,
    /// `/sitemap.xml`: the sitemap index.
    SitemapIndex,
    /// `/sitemaps/pages.xml`.
    PagesSitemap,
    /// `/sitemaps/products.xml`.
    ProductsSitemap,
    /// Anything else.
    NotFound,
}

impl<'a> Route<'a> {
    /// The route of a URL path (without its query).
    pub fn parse(path: &'a str) -> Self {
        match path {
            "/" => Route::Home,
            "/robots.txt" => Route::Robots,
            "/search" => Route::Search,
            FAVICON_PATH => Route::Favicon,
            "/sitemap.xml" => Route::SitemapIndex,
            "/sitemaps/pages.xml" => Route::PagesSitemap,
            "/sitemaps/products.xml" => Route::ProductsSitemap,
            _ => match path.strip_prefix("/products/") {
                Some(slug) if is_slug(slug) => Route::Product(slug),
                _ => Route::NotFound,
            },
        }
    }

    /// Whether the page is the same for every shopper until the store's cache version changes, so
    /// it may be kept in the edge cache. Search results depend on the query string, which is not
    /// part of the cache key, and are never cached.
    pub fn is_cacheable(self) -> bool {
        matches!(
            self,
            Route::Home
                | Route::Favicon
                | Route::Product(_)
                | Route::SitemapIndex
                | Route::PagesSitemap
                | Route::ProductsSitemap
        )
    }
}

/// Whether a path segment can be a product slug; anything else is a 404 without a query.
fn is_slug(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= SLUG_MAX
        && segment.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shop_paths_map_to_their_pages() {
        assert_eq!(Route::parse("/"), Route::Home);
        assert_eq!(Route::parse("/robots.txt"), Route::Robots);
        assert_eq!(Route::parse("/search"), Route::Search);
        assert_eq!(Route::parse("/favicon.svg"), Route::Favicon);
        assert_eq!(Route::parse("/sitemap.xml"), Route::SitemapIndex);
        assert_eq!(Route::parse("/sitemaps/pages.xml"), Route::PagesSitemap);
        assert_eq!(Route::parse("/sitemaps/products.xml"), Route::ProductsSitemap);
        assert_eq!(Route::parse("/products/slicker-brush-2"), Route::Product("slicker-brush-2"));
    }

    #[test]
    fn paths_that_cannot_hold_a_slug_are_not_found_without_a_query() {
        for path in ["/products/", "/products/a/b", "/products/%3Cx%3E", "/products/Brush", "/search/", "/x"]
        {
            assert_eq!(Route::parse(path), Route::NotFound, "{path}");
        }
        assert_eq!(Route::parse(&format!("/products/{}", "a".repeat(SLUG_MAX + 1))), Route::NotFound);
    }

    #[test]
    fn search_results_and_unknown_paths_are_never_cached() {
        assert!(!Route::Search.is_cacheable());
        assert!(!Route::NotFound.is_cacheable());
        assert!(!Route::Robots.is_cacheable());
        assert!(Route::Home.is_cacheable());
        assert!(Route::Product("brush").is_cacheable());
        assert!(Route::ProductsSitemap.is_cacheable());
        assert!(Route::Favicon.is_cacheable());
    }
}
