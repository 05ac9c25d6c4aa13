//! One product page, end to end: fetch it, read its product, and for a Shopify store complete
//! what the markup lacks from the store's product JSON (an API answer beats scraping).

use crate::extract::{
    extract_product, extract_shopify_product, shopify_json_url, Availability, ScrapedProduct,
};
use crate::fetch::{FetchError, Fetcher};

/// The product on the page at `url`, or `None` when the page shows none. When the page is a
/// Shopify product page and lacks a price or images, `/products/<handle>.json` fills them in
/// (priced in the currency the page states); a failure there keeps what the page gave.
pub async fn scrape_product(fetcher: &Fetcher, url: &str) -> Result<Option<ScrapedProduct>, FetchError> {
    let page = fetcher.fetch(url).await?;
    let from_page = extract_product(&page.body, &page.final_url);
    let incomplete = from_page.as_ref().is_none_or(|p| p.price.is_none() || p.images.is_empty());
    let Some(json_url) = shopify_json_url(&page.final_url).filter(|_| incomplete) else {
        return Ok(from_page);
    };
    let currency = from_page.as_ref().and_then(|p| p.currency.as_deref()).and_then(|c| c.parse().ok());
    let json = match fetcher.fetch(&json_url).await {
        Ok(json) => json,
        Err(error) => {
            tracing::debug!(%error, "no Shopify product JSON; keeping the page's data");
            return Ok(from_page);
        }
    };
    let Ok(from_json) = extract_shopify_product(&json.body, &page.final_url, currency) else {
        return Ok(from_page);
    };
    Ok(Some(match from_page {
        None => from_json,
        Some(mut product) => {
            product.price = product.price.or(from_json.price);
            if product.images.is_empty() {
                product.images = from_json.images;
            }
            if product.description.is_empty() {
                product.description = from_json.description;
            }
            if product.availability == Availability::Unknown {
                product.availability = from_json.availability;
            }
            product
        }
    }))
}
