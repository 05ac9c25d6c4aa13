//! The home page: the store's newest products, and the store itself as structured data.

use super::{card_grid, escape, json_ld, layout, Card, Head, Site};

/// The home page with the newest published products.
pub fn home(site: &Site, products: &[Card]) -> String {
    let mut body = format!("<h1>{}</h1>", escape(&site.name));
    if products.is_empty() {
        body.push_str("<p>New products are on their way. Check back soon.</p>");
    } else {
        body.push_str("<h2>New arrivals</h2>");
        body.push_str(&card_grid(products));
    }
    let title = format!("{} | Shop new arrivals", site.name);
    let description = format!("Shop {}: new arrivals and best sellers.", site.name);
    let canonical = site.origin.url("/");
    let head = Head {
        title: &title,
        description: &description,
        canonical: Some(&canonical),
        og_type: "website",
        image: products.iter().find_map(|p| p.image.as_deref()),
        price: None,
        noindex: false,
        json_ld: vec![json_ld::organization(site), json_ld::website(site)],
        icon: true,
    };
    layout(&site.name, Some(""), &head, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{card, site, tags};

    #[test]
    fn the_home_page_lists_products_with_prices() {
        let html = home(&site("Cozy Pets"), &[card("Slicker Brush")]);
        assert!(html.contains("<a href=\"/products/brush\">"));
        assert!(html.contains("Slicker Brush"));
        assert!(html.contains("$29.99"));
        assert!(html.contains("Regular price: </span>$39.99</s>"));
    }

    #[test]
    fn supplier_text_cannot_inject_markup() {
        let html = home(&site("<b>Shop</b>"), &[card("<script>alert(1)</script>")]);
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<b>Shop</b>"));
    }

    #[test]
    fn an_empty_store_says_products_are_coming() {
        let html = home(&site("Cozy Pets"), &[]);
        assert!(html.contains("Cozy Pets"));
        assert!(html.contains("New products are on their way"));
    }

    #[test]
    fn the_home_page_has_a_canonical_url_and_social_meta_on_the_request_origin() {
        let html = home(&site("Cozy Pets"), &[card("Slicker Brush")]);
        assert!(html.contains("<title>Cozy Pets | Shop new arrivals</title>"));
        assert!(html.contains(
            "<meta name=\"description\" content=\"Shop Cozy Pets: new arrivals and best sellers.\">"
        ));
        assert!(html.contains("<link rel=\"canonical\" href=\"http://demo.localhost:8788/\">"));
        assert!(html.contains("<meta property=\"og:type\" content=\"website\">"));
        assert!(html.contains("<meta property=\"og:url\" content=\"http://demo.localhost:8788/\">"));
        assert!(html.contains("<meta property=\"og:site_name\" content=\"Cozy Pets\">"));
        assert!(html.contains("<meta property=\"og:image\" content=\"https://img.example/brush.jpg\">"));
        assert!(html.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"));
        assert!(!html.contains("noindex"));
    }

    #[test]
    fn the_home_page_describes_the_organization_and_its_site_search() {
        let html = home(&site("Cozy Pets"), &[]);
        assert!(html.contains("\"@type\":\"Organization\""));
        assert!(html.contains("\"@type\":\"WebSite\""));
        assert!(html.contains("\"urlTemplate\":\"http://demo.localhost:8788/search?q={search_term_string}\""));
        assert!(!html.contains("og:image"));
        assert!(html.contains("<meta name=\"twitter:card\" content=\"summary\">"));
    }

    #[test]
    fn card_images_have_a_size_and_only_the_first_row_loads_eagerly() {
        let cards: Vec<Card> = (0..6).map(|i| card(&format!("Brush {i}"))).collect();
        let html = home(&site("Cozy Pets"), &cards);
        let images = tags(&html, "img");
        assert_eq!(images.len(), 6);
        assert!(images
            .iter()
            .all(|img| img.contains("width=\"400\" height=\"400\"") && img.contains("alt=\"\"")));
        assert_eq!(images.iter().filter(|img| img.contains("loading=\"lazy\"")).count(), 2);
    }
}
