//! Handles a batch of import messages.

use crate::content::ContentWriter;
use crate::images::{publish_images, S3Media};
use anyhow::Context;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use domain::pricing::quote;
use domain::Plan;
use lambda_runtime::{Error, LambdaEvent};
use pipeline::edge::EdgeClient;
use queues::consumer::Consumer;
use queues::idempotency::DynamoStore;
use queues::internal_api::calls::ImportProduct;
use queues::internal_api::{PublishProduct, PublishStatus};
use queues::messages::ImportRequested;
use queues::Envelope;

/// Clients built once per cold start.
pub struct State {
    /// The edge's internal API.
    pub edge: EdgeClient,
    /// Idempotency records.
    pub idempotency: DynamoStore,
    /// Who writes product content.
    pub writer: ContentWriter,
    /// Downloads supplier images (SSRF-guarded, robots.txt-honouring).
    pub fetcher: scraper::Fetcher,
    /// Where converted images are stored.
    pub media: S3Media,
}

/// The SQS entry point: per-message handling with partial batch failures.
pub async fn handle(state: &State, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, Error> {
    Ok(Consumer::new("import", &state.idempotency)
        .handle_batch(event.payload, |envelope| import(state, envelope))
        .await)
}

/// Builds the publish request for one product.
pub fn publish_request(
    envelope: &Envelope<ImportRequested>,
    content: domain::content::ProductContent,
    images: Vec<String>,
) -> anyhow::Result<PublishProduct> {
    let product = &envelope.payload.product;
    let prices = quote(product.cost, None, &envelope.payload.pricing.unwrap_or_default())?;
    Ok(PublishProduct {
        tenant_id: envelope.tenant_id,
        source: product.source.clone(),
        source_product_id: product.source_product_id.clone(),
        content,
        price: prices.price,
        compare_at: prices.compare_at,
        cost: product.cost,
        // A product shoppers would see without a single picture waits as a draft instead.
        status: if images.is_empty() { PublishStatus::Draft } else { PublishStatus::Published },
        images,
        research_run_id: envelope.payload.run_id,
        score: Some(envelope.payload.score),
        category: product.category.clone(),
    })
}

async fn import(state: &State, envelope: Envelope<ImportRequested>) -> anyhow::Result<()> {
    // Any failure fails this message alone, for its queue to deliver again; a spent AI budget
    // defers the import that way rather than dropping it.
    let content = state
        .writer
        .product_content(
            envelope.tenant_id,
            envelope.payload.plan.unwrap_or(Plan::Starter),
            &envelope.payload.product,
        )
        .await
        .inspect_err(|e| {
            if e.is_budget_exceeded() {
                tracing::warn!(tenant_id = %envelope.tenant_id, "AI budget spent for today; import deferred");
            }
        })
        .context("writing the product's content")?;
    content.validate()?;
    let store_id = envelope.store()?;
    let images = publish_images(
        &state.fetcher,
        &state.media,
        &store_id.to_string(),
        &envelope.payload.product.image_urls,
    )
    .await
    .context("storing the product's images")?;
    if images.is_empty() {
        tracing::warn!("no supplier image could be used; the product is kept as a draft");
    } else if images.len() < envelope.payload.product.image_urls.len().min(crate::images::MAX_IMAGES) {
        tracing::warn!(kept = images.len(), "some supplier images could not be used");
    }
    let request = publish_request(&envelope, content, images)?;
    let published = state.edge.call::<ImportProduct>(&store_id, &request).await?;
    tracing::info!(product_id = %published.product_id, slug = %published.slug, created = published.created, "product published");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Currency, Money, StoreId, TenantId};
    use queues::messages::SupplierProduct;

    fn envelope() -> Envelope<ImportRequested> {
        Envelope::new(
            "import:s:aliexpress:1",
            TenantId::from_random_bytes([1; 16]),
            StoreId::from_random_bytes([2; 16]),
            time::OffsetDateTime::UNIX_EPOCH,
            "test",
            ImportRequested {
                run_id: None,
                product: SupplierProduct {
                    source: "aliexpress".into(),
                    source_product_id: "1".into(),
                    title: "Trekking Pole".into(),
                    cost: Money::from_minor(1_200, Currency::Usd),
                    list_price: None,
                    image_urls: vec!["https://ae01.alicdn.com/kf/pole.jpg".into()],
                    product_url: "https://www.aliexpress.com/item/1.html".into(),
                    category: Some("Hiking".into()),
                    orders_30d: Some(40),
                    rating_pct: Some(97.0),
                    shipping_days: Some(9),
                },
                score: 81.0,
                plan: None,
                pricing: None,
            },
        )
    }

    fn content() -> domain::content::ProductContent {
        domain::content::ProductContent {
            title: "Trekking Pole".into(),
            description: vec!["One.".into(), "Two.".into(), "Three.".into()],
            features: (0..5).map(|i| format!("Feature {i}")).collect(),
            meta_title: "Trekking Pole".into(),
            meta_description: "A pole.".into(),
            keywords: (0..10).map(|i| format!("kw{i}")).collect(),
        }
    }

    #[test]
    fn the_price_follows_the_stores_rules_and_the_defaults_without_them() {
        let default = publish_request(&envelope(), content(), vec![]).unwrap();
        assert_eq!((default.price.minor, default.compare_at.map(|m| m.minor)), (2_999, Some(4_199)));
        let mut mine = envelope();
        mine.payload.pricing = Some(domain::pricing::PricingRules {
            markup_bps: 30_000,
            min_margin_bps: 3_000,
            compare_at_bps: 0,
            psychological_endings: false,
        });
        let priced = publish_request(&mine, content(), vec![]).unwrap();
        assert_eq!(
            (priced.price.minor, priced.compare_at),
            (3_600, None),
            "3x a cost of 12.00, no compare-at"
        );
    }

    #[test]
    fn a_product_without_a_usable_image_waits_as_a_draft() {
        let without = publish_request(&envelope(), content(), vec![]).unwrap();
        assert_eq!(without.status, PublishStatus::Draft);
        let with = publish_request(&envelope(), content(), vec!["/media/pole.webp".into()]).unwrap();
        assert_eq!((with.status, with.category.as_deref()), (PublishStatus::Published, Some("Hiking")));
    }
}
