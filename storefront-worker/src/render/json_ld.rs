//! Structured data (schema.org JSON-LD) for search engines, and the `<script>` it travels in.
//!
//! Values are built with `serde_json`, so every string is JSON-escaped; the page writes them with
//! [`html::json_ld`], which also escapes `<`, `>` and `&`, so that no text can close the script
//! element or open a comment in it.

use super::{Product, Site};
use crate::urls::{product_path, SEARCH_PATH};
use domain::Money;
use serde_json::{json, Value};

/// The amount of `money` as a decimal string in major units (`"29.99"`, `"1200"` for yen), from
/// the integer minor units without going through a float.
pub fn decimal_amount(money: Money) -> String {
    let scale = money.currency.minor_per_major().unsigned_abs();
    let sign = if money.minor < 0 { "-" } else { "" };
    let abs = money.minor.unsigned_abs();
    let mut fraction_digits = 0;
    let mut rest = scale;
    while rest > 1 {
        rest /= 10;
        fraction_digits += 1;
    }
    if fraction_digits == 0 {
        format!("{sign}{abs}")
    } else {
        format!("{sign}{}.{:0fraction_digits$}", abs / scale, abs % scale)
    }
}

/// The store as an Organization.
pub fn organization(site: &Site) -> Value {
    json!({
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": site.name,
        "url": site.origin.url("/"),
    })
}

/// The store as a WebSite that search engines can search.
pub fn website(site: &Site) -> Value {
    json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site.name,
        "url": site.origin.url("/"),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": site.origin.url(&format!("{SEARCH_PATH}?q={{search_term_string}}")),
            },
            "query-input": "required name=search_term_string",
        },
    })
}

/// A product with its offer.
pub fn product(site: &Site, product: &Product) -> Value {
    let url = site.origin.url(&product_path(&product.slug));
    let description = if product.description.is_empty() {
        product.meta_description.clone()
    } else {
        product.description.join("\n\n")
    };
    let mut data = json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "description": description,
        "sku": product.id,
        "productID": product.id,
        "url": url,
        "offers": {
            "@type": "Offer",
            "price": decimal_amount(product.price),
            "priceCurrency": product.price.currency.code(),
            "availability": if product.in_stock() { "https://schema.org/InStock" } else { "https://schema.org/OutOfStock" },
            "itemCondition": "https://schema.org/NewCondition",
            "url": url,
        },
    });
    if !product.images.is_empty() {
        let images: Vec<String> = product
            .images
            .iter()
            .map(|src| if src.starts_with('/') { site.origin.url(src) } else { src.clone() })
            .collect();
        data["image"] = json!(images);
    }
    if let Some((average, count)) = product.rating {
        data["aggregateRating"] = json!({
            "@type": "AggregateRating",
            "ratingValue": (average * 10.0).round() / 10.0,
            "reviewCount": count,
            "bestRating": 5,
            "worstRating": 1,
        });
        data["review"] = product
            .reviews
            .iter()
            .map(|r| {
                json!({
                    "@type": "Review",
                    "author": { "@type": "Person", "name": r.author },
                    "name": r.title,
                    "reviewBody": r.body,
                    "datePublished": r.created_at.get(..10).unwrap_or_default(),
                    "reviewRating": { "@type": "Rating", "ratingValue": r.rating, "bestRating": 5, "worstRating": 1 },
                })
            })
            .collect();
    }
    if let Some(compare_at) = product.compare_at.filter(|c| c.minor > product.price.minor) {
        data["offers"]["priceSpecification"] = json!({
            "@type": "UnitPriceSpecification",
            "priceType": "https://schema.org/StrikethroughPrice",
            "price": decimal_amount(compare_at),
            "priceCurrency": compare_at.currency.code(),
        });
    }
    data
}

/// A blog post as a BlogPosting.
pub fn blog_posting(site: &Site, post: &super::PostPage) -> Value {
    let url = site.origin.url(&crate::urls::post_path(&post.slug));
    let mut data = json!({
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.description(),
        "url": url,
        "mainEntityOfPage": url,
        "publisher": { "@type": "Organization", "name": site.name, "url": site.origin.url("/") },
        "author": { "@type": if post.author.is_empty() { "Organization" } else { "Person" },
                    "name": if post.author.is_empty() { site.name.as_str() } else { post.author.as_str() } },
    });
    if let Some(published) = &post.published_at {
        data["datePublished"] = json!(published);
    }
    data["dateModified"] = json!(post.updated_at);
    if !post.keywords.is_empty() {
        data["keywords"] = json!(post.keywords.join(", "));
    }
    data
}

/// The trail Home > product.
pub fn breadcrumbs(site: &Site, product: &Product) -> Value {
    json!({
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            { "@type": "ListItem", "position": 1, "name": "Home", "item": site.origin.url("/") },
            {
                "@type": "ListItem",
                "position": 2,
                "name": product.title,
                "item": site.origin.url(&product_path(&product.slug)),
            },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{hostile_site, site};
    use domain::Currency;

    /// The script element the page writes `data` in.
    fn script(data: &Value) -> String {
        html::json_ld(data).into_string()
    }

    fn brush() -> Product {
        Product {
            id: "prd_123".into(),
            slug: "slicker-brush".into(),
            title: "Slicker Brush".into(),
            price: Money::from_minor(2999, Currency::Usd),
            compare_at: None,
            images: vec!["https://img.example/1.jpg".into(), "https://img.example/2.jpg".into()],
            description: vec!["Soft pins.".into(), "Easy to clean.".into()],
            features: vec![],
            meta_title: "Slicker Brush | Cozy Pets".into(),
            meta_description: "Groom in minutes.".into(),
            variants: vec![],
            related: vec![],
            reviews: vec![],
            rating: None,
            delivery: crate::render::Delivery::default(),
        }
    }

    #[test]
    fn decimal_amounts_come_from_minor_units_exactly() {
        assert_eq!(decimal_amount(Money::from_minor(2999, Currency::Usd)), "29.99");
        assert_eq!(decimal_amount(Money::from_minor(5, Currency::Eur)), "0.05");
        assert_eq!(decimal_amount(Money::from_minor(100, Currency::Gbp)), "1.00");
        assert_eq!(decimal_amount(Money::from_minor(1200, Currency::Jpy)), "1200");
        assert_eq!(decimal_amount(Money::from_minor(-250, Currency::Usd)), "-2.50");
        assert_eq!(decimal_amount(Money::from_minor(i64::MIN, Currency::Usd)), "-92233720368547758.08");
    }

    #[test]
    fn product_json_ld_has_an_offer_with_a_decimal_price() {
        let data = product(&site("Cozy Pets"), &brush());
        assert_eq!(data["@type"], "Product");
        assert_eq!(data["name"], "Slicker Brush");
        assert_eq!(data["sku"], "prd_123");
        assert_eq!(data["productID"], "prd_123");
        assert_eq!(data["description"], "Soft pins.\n\nEasy to clean.");
        assert_eq!(data["image"], json!(["https://img.example/1.jpg", "https://img.example/2.jpg"]));
        let offer = &data["offers"];
        assert_eq!(offer["@type"], "Offer");
        assert_eq!(offer["price"], "29.99");
        assert_eq!(offer["priceCurrency"], "USD");
        assert_eq!(offer["availability"], "https://schema.org/InStock");
        assert_eq!(offer["itemCondition"], "https://schema.org/NewCondition");
        assert_eq!(offer["url"], "http://demo.localhost:8788/products/slicker-brush");
    }

    #[test]
    fn a_product_without_images_or_description_leaves_image_out_and_uses_its_meta_description() {
        let data = product(&site("Cozy Pets"), &Product { images: vec![], description: vec![], ..brush() });
        assert!(data.get("image").is_none());
        assert_eq!(data["description"], "Groom in minutes.");
    }

    #[test]
    fn breadcrumbs_lead_from_home_to_the_product() {
        let data = breadcrumbs(&site("Cozy Pets"), &brush());
        let items = data["itemListElement"].as_array().unwrap();
        assert_eq!(items[0]["position"], 1);
        assert_eq!(items[0]["item"], "http://demo.localhost:8788/");
        assert_eq!(items[1]["position"], 2);
        assert_eq!(items[1]["name"], "Slicker Brush");
        assert_eq!(items[1]["item"], "http://demo.localhost:8788/products/slicker-brush");
    }

    #[test]
    fn the_website_can_be_searched_on_its_origin() {
        let data = website(&site("Cozy Pets"));
        let action = &data["potentialAction"];
        assert_eq!(action["@type"], "SearchAction");
        assert_eq!(
            action["target"]["urlTemplate"],
            "http://demo.localhost:8788/search?q={search_term_string}"
        );
        assert_eq!(action["query-input"], "required name=search_term_string");
        assert_eq!(organization(&site("Cozy Pets"))["url"], "http://demo.localhost:8788/");
    }

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let html = script(&json!({ "name": "</script><script>alert(1)</script> & <!--" }));
        assert_eq!(html.matches("</script>").count(), 1);
        assert!(!html.contains("<!--"));
        assert!(html.contains("\\u003c/script\\u003e"));
        assert!(html.contains("\\u0026"));
        let json =
            html.trim_start_matches("<script type=\"application/ld+json\">").trim_end_matches("</script>");
        let parsed: Value = serde_json::from_str(json).unwrap();
        assert_eq!(parsed["name"], "</script><script>alert(1)</script> & <!--");
    }

    fn hostile_brush() -> Product {
        Product {
            title: "Slicker <Brush> & \"Comb\"</script>".into(),
            compare_at: Some(Money::from_minor(3999, Currency::Usd)),
            images: vec!["/media/brush.webp".into(), "https://img.example/2.jpg?w=1&h=2".into()],
            description: vec!["Rosie's <b>soft</b> pins.".into(), "Easy & quick.".into()],
            ..brush()
        }
    }

    #[test]
    fn snapshot_of_the_product_json_ld() {
        insta::assert_snapshot!(script(&product(&hostile_site(), &hostile_brush())));
    }

    #[test]
    fn snapshot_of_the_product_breadcrumbs_json_ld() {
        insta::assert_snapshot!(script(&breadcrumbs(&hostile_site(), &hostile_brush())));
    }

    #[test]
    fn snapshot_of_the_article_json_ld() {
        let post = crate::render::PostPage {
            slug: "brushing-guide".into(),
            title: "How to brush <long> & \"short\" hair</script>".into(),
            body_html: "<p>Body</p>".into(),
            excerpt: "Rosie's steps <b>to</b> calm.".into(),
            meta_title: String::new(),
            meta_description: String::new(),
            author: "Ada <Lovelace>".into(),
            keywords: vec!["cat <grooming>".into(), "brush & comb".into()],
            published_at: Some("2026-11-20T10:00:00Z".into()),
            updated_at: "2026-11-21T10:00:00Z".into(),
        };
        insta::assert_snapshot!(script(&blog_posting(&hostile_site(), &post)));
    }

    #[test]
    fn snapshot_of_the_website_and_organization_json_ld() {
        insta::assert_snapshot!("website", script(&website(&hostile_site())));
        insta::assert_snapshot!("organization", script(&organization(&hostile_site())));
    }
}
