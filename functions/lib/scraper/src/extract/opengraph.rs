//! Open Graph `<meta>` tags: `og:title`, `og:description`, `og:image`, and the product
//! extension's `product:price:amount`, `product:price:currency` and `product:availability`
//! (Shopify themes also write them as `og:price:*`).

use super::{html, Availability, Facts};

/// The page's Open Graph facts, whatever the page is.
pub(crate) fn page_facts(page: &str) -> Facts {
    facts(&html::meta_tags(page))
}

/// The page's Open Graph facts when they describe a product: `og:type` is a product type, or a
/// price is given.
pub(crate) fn product_facts(page: &str) -> Option<Facts> {
    let metas = html::meta_tags(page);
    let kind = first(&metas, &["og:type"]).map(|t| t.to_ascii_lowercase());
    let is_product =
        kind.as_deref().is_some_and(|t| t == "product" || t.starts_with("product.") || t == "og:product");
    let facts = facts(&metas);
    (is_product || facts.amount.is_some()).then_some(facts)
}

fn first(metas: &[(String, String)], keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|key| metas.iter().find(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.clone()))
}

fn facts(metas: &[(String, String)]) -> Facts {
    let images = metas
        .iter()
        .filter(|(k, _)| {
            matches!(k.as_str(), "og:image" | "og:image:secure_url" | "og:image:url" | "twitter:image")
        })
        .map(|(_, v)| v.clone())
        .collect();
    Facts {
        // Attribute values arrive decoded; escaped again, they are not decoded twice as text.
        title: first(metas, &["og:title", "twitter:title"]).map(|t| html::escape_text(&t)),
        description: first(metas, &["og:description", "description", "twitter:description"])
            .map(|d| html::escape_text(&d)),
        amount: first(metas, &["product:price:amount", "og:price:amount", "product:sale_price:amount"]),
        currency: first(
            metas,
            &["product:price:currency", "og:price:currency", "product:sale_price:currency"],
        ),
        images,
        availability: first(metas, &["product:availability", "og:availability"])
            .map(|a| Availability::parse(&a)),
    }
}
