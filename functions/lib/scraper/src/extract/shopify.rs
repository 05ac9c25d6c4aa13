//! Shopify's public product JSON, `GET /products/<handle>.json`: an API answer, preferred to the
//! page's markup when a store is on Shopify. It does not state the store's currency, so the
//! caller says it (from the page's Open Graph tags, say).

use super::jsonld::{cheapest, numbers_as_strings, Offer};
use super::{Availability, Facts, ScrapedProduct};
use domain::Currency;
use serde::Deserialize;
use url::Url;

#[derive(Debug, Deserialize)]
struct Document {
    product: Product,
}

#[derive(Debug, Deserialize)]
struct Product {
    title: Option<String>,
    body_html: Option<String>,
    #[serde(default)]
    variants: Vec<Variant>,
    #[serde(default)]
    images: Vec<Image>,
    image: Option<Image>,
}

#[derive(Debug, Deserialize)]
struct Variant {
    // Numbers are turned into strings before parsing, so a price reads the same either way.
    price: Option<String>,
    available: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct Image {
    src: Option<String>,
}

/// Why a Shopify product JSON gave no product.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShopifyError {
    /// The text is not a `{"product": {...}}` document.
    #[error("not a Shopify product document: {0}")]
    NotAProduct(String),
    /// The page URL is not an absolute URL.
    #[error("not an absolute URL: {0}")]
    BadPageUrl(String),
    /// The product has no title.
    #[error("the product has no title")]
    NoTitle,
}

/// The product in a `/products/<handle>.json` answer. Images are resolved against `page_url`
/// (the product's page, which becomes the source URL); prices are in `currency` when it is known.
pub fn extract_shopify_product(
    json: &str,
    page_url: &str,
    currency: Option<Currency>,
) -> Result<ScrapedProduct, ShopifyError> {
    let page =
        Url::parse(page_url).map_err(|_| ShopifyError::BadPageUrl(page_url.chars().take(80).collect()))?;
    let document: Document = serde_json::from_str(&numbers_as_strings(json))
        .map_err(|error| ShopifyError::NotAProduct(error.to_string()))?;
    let product = document.product;
    let offers: Vec<Offer> = product
        .variants
        .iter()
        .map(|v| Offer {
            amount: v.price.clone(),
            currency: None,
            availability: v
                .available
                .map(|a| if a { Availability::InStock } else { Availability::OutOfStock }),
        })
        .collect();
    let (amount, _, availability) = cheapest(&offers);
    let images = product.images.iter().chain(product.image.iter()).filter_map(|i| i.src.clone()).collect();
    let facts = Facts {
        title: product.title,
        description: product.body_html,
        amount,
        currency: currency.map(|c| c.code().to_owned()),
        images,
        availability,
    };
    facts.into_product(&page).ok_or(ShopifyError::NoTitle)
}

/// The product JSON of a Shopify product page: `https://store/products/<handle>.json` for
/// `https://store/products/<handle>` (also under `/collections/<c>/` or a locale prefix).
/// `None` when the URL is not a product page's.
pub fn shopify_json_url(page_url: &str) -> Option<String> {
    let url = Url::parse(page_url).ok()?;
    let segments: Vec<&str> = url.path_segments()?.collect();
    let [.., products, handle] = segments.as_slice() else {
        return None;
    };
    let handle = handle.strip_suffix(".json").or_else(|| handle.strip_suffix(".js")).unwrap_or(handle);
    let valid = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'%' | b'.');
    if *products != "products" || handle.is_empty() || !handle.bytes().all(valid) {
        return None;
    }
    let mut json = url.clone();
    json.set_path(&format!("/products/{handle}.json"));
    json.set_query(None);
    json.set_fragment(None);
    Some(json.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_url_of_a_product_page_drops_collections_locales_and_queries() {
        let json = |u| shopify_json_url(u);
        assert_eq!(
            json("https://s.example/products/lamp").as_deref(),
            Some("https://s.example/products/lamp.json")
        );
        assert_eq!(
            json("https://s.example/collections/all/products/lamp?variant=1#x").as_deref(),
            Some("https://s.example/products/lamp.json")
        );
        assert_eq!(
            json("https://s.example/en-ca/products/lamp.json").as_deref(),
            Some("https://s.example/products/lamp.json")
        );
        assert_eq!(json("https://s.example/pages/about"), None);
        assert_eq!(json("https://s.example/products/"), None);
        assert_eq!(json("https://s.example/products"), None);
    }

    #[test]
    fn numeric_prices_read_like_string_prices() {
        let json = r#"{"product":{"title":"Mug","variants":[{"price":12.5},{"price":"11.00"}]}}"#;
        let product =
            extract_shopify_product(json, "https://s.example/products/mug", Some(Currency::Usd)).unwrap();
        assert_eq!(product.price.map(|m| m.minor), Some(1100));
    }

    #[test]
    fn without_a_currency_the_price_is_left_out() {
        let json = r#"{"product":{"title":"Mug","variants":[{"price":"11.00"}]}}"#;
        let product = extract_shopify_product(json, "https://s.example/products/mug", None).unwrap();
        assert_eq!(product.price, None);
        assert_eq!(product.currency, None);
    }

    #[test]
    fn a_document_without_a_product_is_an_error() {
        let error = extract_shopify_product(r#"{"products":[]}"#, "https://s.example/products/mug", None);
        assert!(matches!(error, Err(ShopifyError::NotAProduct(_))));
        let untitled = extract_shopify_product(r#"{"product":{"title":"  "}}"#, "https://s.example/p", None);
        assert_eq!(untitled, Err(ShopifyError::NoTitle));
    }
}
