//! Handles a batch of scrape messages.

use anyhow::{bail, Context};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent};
use queues::consumer::Consumer;
use queues::idempotency::DynamoStore;
use queues::messages::{ImportRequested, ScrapeRequested, SupplierProduct};
use queues::publisher::SqsPublisher;
use queues::Envelope;
use scraper::{scrape_product, Availability, Fetcher, ScrapedProduct};
use sha2::{Digest, Sha256};

/// The source name of products read from their pages.
pub const SOURCE: &str = "scrape";

/// Clients built once per cold start.
pub struct State {
    /// The guarded fetcher, with its page cache.
    pub fetcher: Fetcher,
    /// The import queue.
    pub imports: SqsPublisher,
    /// Idempotency records.
    pub idempotency: DynamoStore,
}

/// The SQS entry point: per-message handling with partial batch failures.
pub async fn handle(state: &State, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, Error> {
    Ok(Consumer::new("scrape", &state.idempotency)
        .handle_batch(event.payload, |envelope| scrape(state, envelope))
        .await)
}

/// One page. A page that cannot be fetched, shows no product or no price fails the message, which
/// is retried and then dead-lettered; an unavailable product is skipped.
async fn scrape(state: &State, envelope: Envelope<ScrapeRequested>) -> anyhow::Result<()> {
    let store_id = envelope.store()?;
    let url = &envelope.payload.url;
    let scraped = scrape_product(&state.fetcher, url)
        .await
        .with_context(|| format!("fetching {url}"))?
        .with_context(|| format!("{url} shows no product"))?;
    if scraped.availability == Availability::OutOfStock {
        tracing::info!(%url, "product out of stock; not imported");
        return Ok(());
    }
    let product = supplier_product(scraped)?;
    let import = Envelope::new(
        format!("import:{store_id}:{}:{}", product.source, product.source_product_id),
        envelope.tenant_id,
        store_id,
        time::OffsetDateTime::now_utc(),
        envelope.correlation_id.clone(),
        ImportRequested {
            run_id: envelope.payload.run_id,
            product,
            score: 0.0,
            plan: envelope.payload.plan,
            pricing: envelope.payload.pricing,
        },
    );
    state.imports.send_all(&[import]).await?;
    Ok(())
}

/// The product a page shows, as import takes it: its price is what the store pays, its id is
/// derived from its page so that the same page is one product.
pub fn supplier_product(scraped: ScrapedProduct) -> anyhow::Result<SupplierProduct> {
    let Some(cost) = scraped.price else {
        bail!("{} states no price in a supported currency", scraped.source_url);
    };
    Ok(SupplierProduct {
        source: SOURCE.into(),
        source_product_id: hex::encode(&Sha256::digest(scraped.source_url.as_bytes())[..10]),
        title: scraped.title,
        cost,
        list_price: None,
        image_urls: scraped.images,
        product_url: scraped.source_url,
        category: None,
        orders_30d: None,
        rating_pct: None,
        shipping_days: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Currency, Money};

    fn scraped(price: Option<Money>) -> ScrapedProduct {
        ScrapedProduct {
            title: "Self-Cleaning Slicker Brush".into(),
            description: String::new(),
            price,
            currency: Some("USD".into()),
            images: vec!["https://cdn.example/a.jpg".into()],
            availability: Availability::InStock,
            source_url: "https://shop.example/products/brush".into(),
        }
    }

    #[test]
    fn the_same_page_is_the_same_product() {
        let one = supplier_product(scraped(Some(Money::from_minor(899, Currency::Usd)))).unwrap();
        let two = supplier_product(scraped(Some(Money::from_minor(999, Currency::Usd)))).unwrap();
        assert_eq!(one.source_product_id, two.source_product_id);
        assert_eq!((one.source.as_str(), one.cost.minor), ("scrape", 899));
    }

    #[test]
    fn a_page_without_a_price_is_refused() {
        let error = supplier_product(scraped(None)).unwrap_err().to_string();
        assert!(error.contains("states no price"), "{error}");
    }
}
