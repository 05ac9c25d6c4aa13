//! A store page: about, contact, shipping, returns, privacy, terms or a custom page.

use super::{layout, Head, Site};
use crate::urls::page_path;
use html::{html, Sanitized};

/// What a store page shows.
#[derive(Debug, Clone)]
pub struct StorePage {
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Body, HTML (sanitised again here).
    pub body_html: String,
    /// Meta description.
    pub meta_description: String,
}

/// A store page.
pub fn store_page(site: &Site, page: &StorePage) -> String {
    let body = html! {
        article {
            h1 { (page.title) }
            (Sanitized::from_untrusted(&page.body_html))
        }
    };
    let title = format!("{} | {}", page.title, site.name);
    let description = if page.meta_description.trim().is_empty() {
        format!("{} at {}.", page.title, site.name)
    } else {
        page.meta_description.clone()
    };
    let canonical = site.origin.url(&page_path(&page.slug));
    let head = Head {
        title: &title,
        description: &description,
        canonical: Some(&canonical),
        og_type: "website",
        image: None,
        price: None,
        noindex: false,
        json_ld: Vec::new(),
        icon: true,
        refresh: false,
    };
    layout(site, Some(""), &head, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{hostile_site, site, snapshot};

    #[test]
    fn a_store_page_shows_its_sanitised_body_with_its_own_title_and_canonical_url() {
        let page = StorePage {
            slug: "about".into(),
            title: "About us".into(),
            body_html: "<p>Hi</p><img src=x onerror=alert(1)>".into(),
            meta_description: String::new(),
        };
        let html = store_page(&site("Cozy Pets"), &page);
        assert!(html.contains("<article><h1>About us</h1><p>Hi</p></article>"));
        assert!(html.contains("<title>About us | Cozy Pets</title>"));
        assert!(html.contains("href=\"http://demo.localhost:8788/pages/about\""));
        assert!(!html.contains("onerror"));
    }

    #[test]
    fn snapshot_of_a_store_page() {
        let page = StorePage {
            slug: "shipping".into(),
            title: "Shipping & <returns>".into(),
            body_html: "<h2>Times</h2><p>1 to 3 days, \"usually\" 'fast' & tracked.</p>\
                        <ul><li>EU</li><li><a href=\"https://carrier.example/track?a=1&b=2\">Track</a></li></ul>\
                        <iframe src=\"https://evil.example\"></iframe><p style=\"x\">Bye</p>"
                .into(),
            meta_description: String::new(),
        };
        insta::assert_snapshot!(snapshot(&store_page(&hostile_site(), &page)));
    }
}
