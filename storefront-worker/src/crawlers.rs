//! What search engine crawlers read: `robots.txt`, the sitemap index and its sitemaps.
//!
//! Every URL is absolute on the request's origin and XML-escaped; the search page is never
//! listed (it is `noindex`).

use crate::urls::{product_path, Origin};
use std::fmt::Write;

/// The path of the sitemap index.
pub const SITEMAP_INDEX_PATH: &str = "/sitemap.xml";
/// The path of the sitemap of the shop's fixed pages.
pub const PAGES_SITEMAP_PATH: &str = "/sitemaps/pages.xml";
/// The path of the sitemap of the published products.
pub const PRODUCTS_SITEMAP_PATH: &str = "/sitemaps/products.xml";
/// The path of the sitemap of the collections.
pub const COLLECTIONS_SITEMAP_PATH: &str = "/sitemaps/collections.xml";
/// The path of the sitemap of the published blog posts.
pub const POSTS_SITEMAP_PATH: &str = "/sitemaps/posts.xml";
/// Most URLs one sitemap may list (sitemaps.org).
pub const SITEMAP_MAX_URLS: usize = 50_000;

const XML_HEADER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// A published product as the products sitemap lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapProduct {
    /// URL slug.
    pub slug: String,
    /// When it last changed, RFC 3339.
    pub updated_at: String,
}

/// Escapes text for XML content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// The W3C date (`YYYY-MM-DD`) of an RFC 3339 timestamp, or `None` when it is not one.
pub fn w3c_date(rfc3339: &str) -> Option<&str> {
    let date = rfc3339.get(..10)?;
    let rest = &rfc3339[10..];
    let b = date.as_bytes();
    let digits = |range: std::ops::Range<usize>| b[range].iter().all(u8::is_ascii_digit);
    let shaped = digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10);
    if !shaped || !(rest.is_empty() || rest.starts_with(['T', 't', ' '])) {
        return None;
    }
    let month: u8 = date[5..7].parse().ok()?;
    let day: u8 = date[8..10].parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(date)
}

/// `robots.txt`: everything may be crawled but the cart and checkout; names the sitemap index.
pub fn robots(origin: &Origin) -> String {
    format!(
        "User-agent: *\nAllow: /\nDisallow: /cart\nDisallow: /checkout\nDisallow: /orders/\n\nSitemap: {}\n",
        origin.url(SITEMAP_INDEX_PATH)
    )
}

/// The sitemap index: the pages sitemap and the products sitemap.
pub fn sitemap_index(origin: &Origin) -> String {
    let mut xml = format!("{XML_HEADER}<sitemapindex xmlns=\"{SITEMAP_NS}\">\n");
    for path in [PAGES_SITEMAP_PATH, PRODUCTS_SITEMAP_PATH, COLLECTIONS_SITEMAP_PATH, POSTS_SITEMAP_PATH] {
        let _ = writeln!(xml, "<sitemap><loc>{}</loc></sitemap>", xml_escape(&origin.url(path)));
    }
    xml.push_str("</sitemapindex>\n");
    xml
}

/// The sitemap of the shop's fixed pages: the home page, the blog and the store's pages.
pub fn pages_sitemap(origin: &Origin, pages: &[SitemapProduct]) -> String {
    url_set(
        [(origin.url("/"), None), (origin.url(crate::urls::BLOG_PATH), None)].into_iter().chain(
            pages
                .iter()
                .take(SITEMAP_MAX_URLS - 2)
                .map(|p| (origin.url(&crate::urls::page_path(&p.slug)), w3c_date(&p.updated_at))),
        ),
    )
}

/// The sitemap of the collections or of the published posts (`path` makes each entry's path).
pub fn entries_sitemap(origin: &Origin, entries: &[SitemapProduct], path: fn(&str) -> String) -> String {
    url_set(
        entries.iter().take(SITEMAP_MAX_URLS).map(|e| (origin.url(&path(&e.slug)), w3c_date(&e.updated_at))),
    )
}

/// The sitemap of published products, each with the date it last changed.
pub fn products_sitemap(origin: &Origin, products: &[SitemapProduct]) -> String {
    url_set(
        products
            .iter()
            .take(SITEMAP_MAX_URLS)
            .map(|p| (origin.url(&product_path(&p.slug)), w3c_date(&p.updated_at))),
    )
}

fn url_set<'a>(urls: impl Iterator<Item = (String, Option<&'a str>)>) -> String {
    let mut xml = format!("{XML_HEADER}<urlset xmlns=\"{SITEMAP_NS}\">\n");
    for (loc, lastmod) in urls {
        let _ = write!(xml, "<url><loc>{}</loc>", xml_escape(&loc));
        if let Some(date) = lastmod {
            let _ = write!(xml, "<lastmod>{date}</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::StoreHost;

    fn origin() -> Origin {
        Origin::new("http", &StoreHost::parse("demo.localhost:8788").unwrap(), "demo.localhost:8788")
    }

    fn product(slug: &str, updated_at: &str) -> SitemapProduct {
        SitemapProduct { slug: slug.into(), updated_at: updated_at.into() }
    }

    #[test]
    fn robots_txt_points_at_the_sitemap_on_the_request_origin() {
        assert!(robots(&origin()).contains("\nSitemap: http://demo.localhost:8788/sitemap.xml\n"));
    }

    #[test]
    fn the_sitemap_index_lists_the_pages_and_products_sitemaps() {
        let xml = sitemap_index(&origin());
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns="));
        assert!(xml.contains("<sitemap><loc>http://demo.localhost:8788/sitemaps/pages.xml</loc></sitemap>"));
        assert!(
            xml.contains("<sitemap><loc>http://demo.localhost:8788/sitemaps/products.xml</loc></sitemap>")
        );
        assert!(xml.ends_with("</sitemapindex>\n"));
        assert!(xml.contains("/sitemaps/collections.xml") && xml.contains("/sitemaps/posts.xml"));
    }

    #[test]
    fn collections_and_posts_have_sitemaps_of_their_own() {
        let xml = entries_sitemap(
            &origin(),
            &[product("summer", "2026-05-01T00:00:00Z")],
            crate::urls::collection_path,
        );
        assert!(xml.contains(
            "<loc>http://demo.localhost:8788/collections/summer</loc><lastmod>2026-05-01</lastmod>"
        ));
        let xml = entries_sitemap(&origin(), &[product("guide", "")], crate::urls::post_path);
        assert!(xml.contains("<url><loc>http://demo.localhost:8788/blog/guide</loc></url>"));
    }

    #[test]
    fn the_pages_sitemap_lists_the_home_page_but_not_search() {
        let xml = pages_sitemap(&origin(), &[product("about", "2026-01-02T00:00:00Z")]);
        assert!(xml.contains("<url><loc>http://demo.localhost:8788/</loc></url>"));
        assert!(xml.contains("<url><loc>http://demo.localhost:8788/blog</loc></url>"));
        assert!(
            xml.contains("<loc>http://demo.localhost:8788/pages/about</loc><lastmod>2026-01-02</lastmod>")
        );
        assert!(!xml.contains("/search"));
    }

    #[test]
    fn the_products_sitemap_lists_each_product_with_its_last_change_date() {
        let xml = products_sitemap(
            &origin(),
            &[
                product("slicker-brush", "2025-03-04T10:11:12.345Z"),
                product("bowl", "2025-01-02T00:00:00+02:00"),
            ],
        );
        assert!(xml.contains(
            "<url><loc>http://demo.localhost:8788/products/slicker-brush</loc><lastmod>2025-03-04</lastmod></url>"
        ));
        assert!(
            xml.contains("<loc>http://demo.localhost:8788/products/bowl</loc><lastmod>2025-01-02</lastmod>")
        );
        assert!(xml.ends_with("</urlset>\n"));
    }

    #[test]
    fn a_product_without_a_readable_date_is_listed_without_lastmod() {
        let xml = products_sitemap(&origin(), &[product("bowl", "yesterday")]);
        assert!(xml.contains("<url><loc>http://demo.localhost:8788/products/bowl</loc></url>"));
    }

    #[test]
    fn sitemap_urls_are_xml_escaped() {
        let xml = products_sitemap(&origin(), &[product("a&b<c>", "")]);
        assert!(xml.contains("/products/a&amp;b&lt;c&gt;</loc>"));
    }

    #[test]
    fn only_rfc3339_timestamps_give_a_w3c_date() {
        assert_eq!(w3c_date("2025-03-04T10:11:12Z"), Some("2025-03-04"));
        assert_eq!(w3c_date("2025-03-04"), Some("2025-03-04"));
        for bad in ["", "2025-3-4", "2025-13-01T00:00:00Z", "2025-03-00", "2025-03-04X", "20250304T000000Z"] {
            assert_eq!(w3c_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn snapshot_of_robots_txt() {
        insta::assert_snapshot!(robots(&origin()));
    }

    #[test]
    fn snapshot_of_the_sitemap_index() {
        insta::assert_snapshot!(sitemap_index(&origin()));
    }

    #[test]
    fn snapshot_of_the_pages_sitemap() {
        let pages = [product("about", "2026-01-02T00:00:00Z"), product("terms", "not a date")];
        insta::assert_snapshot!(pages_sitemap(&origin(), &pages));
    }

    #[test]
    fn snapshot_of_the_products_sitemap() {
        let products = [
            product("slicker-brush", "2025-03-04T10:11:12.345Z"),
            product("a&b<c>'d\"", "2025-01-02T00:00:00+02:00"),
            product("bowl", ""),
        ];
        insta::assert_snapshot!(products_sitemap(&origin(), &products));
    }

    #[test]
    fn snapshot_of_the_collections_sitemap() {
        let collections = [product("summer", "2026-05-01T00:00:00Z"), product("x&y", "")];
        insta::assert_snapshot!(entries_sitemap(&origin(), &collections, crate::urls::collection_path));
    }

    #[test]
    fn snapshot_of_the_posts_sitemap() {
        let posts = [product("brushing-guide", "2026-11-20T10:00:00Z")];
        insta::assert_snapshot!(entries_sitemap(&origin(), &posts, crate::urls::post_path));
    }
}
