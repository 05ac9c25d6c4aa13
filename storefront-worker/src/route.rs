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
    /// `/sitemaps/collections.xml`.
    CollectionsSitemap,
    /// `/sitemaps/posts.xml`.
    PostsSitemap,
    /// `/collections/{slug}?sort=&page=`.
    Collection(&'a str),
    /// `/blog`.
    Blog,
    /// `/blog/{slug}`.
    Post(&'a str),
    /// `/pages/{slug}`.
    Page(&'a str),
    /// `/cart` (GET shows it).
    Cart,
    /// `POST /cart/add`.
    CartAdd,
    /// `POST /cart/update`.
    CartUpdate,
    /// `POST /checkout`.
    Checkout,
    /// `POST /subscribe`: the footer's newsletter form.
    Subscribe,
    /// `/orders/{token}`: an order's status, by its unguessable token.
    Order(&'a str),
    /// `/orders/{token}/review`: the order's review page (GET) and its forms (POST).
    Review(&'a str),
    /// `/media/{name}.webp`: a product image from the media bucket.
    Media(&'a str),
    /// `/{key}.txt`: an IndexNow key file (8 to 128 letters, digits or dashes), answered when it
    /// is the platform's key, so that search engines accept the URLs the SEO engine submits.
    IndexNowKey(&'a str),
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
            "/sitemaps/collections.xml" => Route::CollectionsSitemap,
            "/sitemaps/posts.xml" => Route::PostsSitemap,
            "/blog" => Route::Blog,
            "/cart" => Route::Cart,
            "/cart/add" => Route::CartAdd,
            "/cart/update" => Route::CartUpdate,
            "/checkout" => Route::Checkout,
            "/subscribe" => Route::Subscribe,
            _ => {
                let (prefix, rest) = match path[1..].split_once('/') {
                    Some((prefix, rest)) => (prefix, rest),
                    None => {
                        return match path[1..].strip_suffix(".txt") {
                            Some(key) if is_indexnow_key(key) => Route::IndexNowKey(key),
                            _ => Route::NotFound,
                        }
                    }
                };
                match prefix {
                    "products" if is_slug(rest) => Route::Product(rest),
                    "collections" if is_slug(rest) => Route::Collection(rest),
                    "blog" if is_slug(rest) => Route::Post(rest),
                    "pages" if is_slug(rest) => Route::Page(rest),
                    "orders" if rest.len() == 48 && rest.bytes().all(|b| b.is_ascii_hexdigit()) => {
                        Route::Order(rest)
                    }
                    "orders"
                        if rest.len() == 55
                            && rest.ends_with("/review")
                            && rest[..48].bytes().all(|b| b.is_ascii_hexdigit()) =>
                    {
                        Route::Review(&rest[..48])
                    }
                    "media" if is_media(rest) => Route::Media(rest),
                    _ => Route::NotFound,
                }
            }
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
                | Route::CollectionsSitemap
                | Route::PostsSitemap
                | Route::Collection(_)
                | Route::Blog
                | Route::Post(_)
                | Route::Page(_)
        )
    }

    /// Whether the route takes a form `POST` (and nothing else).
    pub fn is_form(self) -> bool {
        matches!(self, Route::CartAdd | Route::CartUpdate | Route::Checkout | Route::Subscribe)
    }
}

/// Whether a path segment can name a media file: `name.webp` with a lowercase name.
fn is_media(segment: &str) -> bool {
    segment.strip_suffix(".webp").is_some_and(|name| {
        !name.is_empty()
            && name.len() <= 120
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    })
}

/// Whether a name can be an IndexNow key: 8 to 128 characters of `a-zA-Z0-9-` (the protocol's).
fn is_indexnow_key(name: &str) -> bool {
    (8..=128).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
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
        assert_eq!(Route::parse("/0f3a9c2e7b1d4e5f.txt"), Route::IndexNowKey("0f3a9c2e7b1d4e5f"));
        assert_eq!(Route::parse("/short.txt"), Route::NotFound);
        assert_eq!(Route::parse("/a_b-c_d_e_f.txt"), Route::NotFound);
        assert_eq!(Route::parse("/search"), Route::Search);
        assert_eq!(Route::parse("/favicon.svg"), Route::Favicon);
        assert_eq!(Route::parse("/sitemap.xml"), Route::SitemapIndex);
        assert_eq!(Route::parse("/sitemaps/pages.xml"), Route::PagesSitemap);
        assert_eq!(Route::parse("/sitemaps/products.xml"), Route::ProductsSitemap);
        assert_eq!(Route::parse("/products/slicker-brush-2"), Route::Product("slicker-brush-2"));
        assert_eq!(Route::parse("/collections/summer"), Route::Collection("summer"));
        assert_eq!(Route::parse("/blog"), Route::Blog);
        assert_eq!(Route::parse("/blog/guide"), Route::Post("guide"));
        assert_eq!(Route::parse("/pages/about"), Route::Page("about"));
        assert_eq!(Route::parse("/media/brush-480.webp"), Route::Media("brush-480.webp"));
        let token = "ab".repeat(24);
        assert_eq!(Route::parse(&format!("/orders/{token}")), Route::Order(&token));
    }

    #[test]
    fn carts_orders_and_media_are_never_cached_with_the_pages() {
        for route in [Route::Cart, Route::CartAdd, Route::Checkout, Route::Order("x"), Route::Media("a.webp")]
        {
            assert!(!route.is_cacheable(), "{route:?}");
        }
        assert!(Route::Checkout.is_form() && !Route::Cart.is_form());
        assert_eq!(Route::parse("/orders/short"), Route::NotFound);
        assert_eq!(Route::parse("/media/../secret.webp"), Route::NotFound);
        assert_eq!(Route::parse("/media/a.png"), Route::NotFound);
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
