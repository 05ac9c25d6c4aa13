//! Handles a batch of supplier-sync messages: one store each.
//!
//! For each store, pages through its imported products (from the edge), asks their suppliers for
//! the listing now (AliExpress by product id, 20 per call; the supplier feed read once), and
//! reports what it saw to the edge, which applies the store's rules and records the changes. A
//! supplier that cannot be reached fails the message, which is retried and then dead-lettered;
//! what was already reported stays applied, and reporting it again changes nothing.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent};
use pipeline::edge::EdgeClient;
use queues::consumer::Consumer;
use queues::idempotency::DynamoStore;
use queues::internal_api::calls::{ApplySupplierSync, ListSupplierListings};
use queues::messages::{SupplierProduct, SupplierSyncRequested};
use queues::sync_api::{Listing, ListingsPage, Observed, SupplierSync, MAX_OBSERVED};
use queues::Envelope;
use std::collections::HashMap;
use suppliers::aliexpress::{AliExpress, DETAIL_IDS_MAX};
use suppliers::feed::SupplierFeed;
use suppliers::Supplier;

/// The suppliers the sync can ask, each when configured.
pub struct Suppliers {
    /// The AliExpress affiliate API.
    pub aliexpress: Option<AliExpress>,
    /// The supplier feed.
    pub feed: Option<SupplierFeed>,
}

/// Clients built once per cold start.
pub struct State {
    /// The edge's internal API.
    pub edge: EdgeClient,
    /// The suppliers.
    pub suppliers: Suppliers,
    /// Idempotency records.
    pub idempotency: DynamoStore,
}

/// Imported products read from the edge per page.
const PAGE: u32 = 500;

/// The SQS entry point: per-message handling with partial batch failures.
pub async fn handle(state: &State, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, Error> {
    Ok(Consumer::new("sync", &state.idempotency)
        .handle_batch(event.payload, |envelope| sync(state, envelope))
        .await)
}

async fn sync(state: &State, envelope: Envelope<SupplierSyncRequested>) -> anyhow::Result<()> {
    let store = envelope.store()?;
    let mut feed: Option<HashMap<String, SupplierProduct>> = None;
    let (mut checked, mut changed, mut unsupported) = (0, 0, 0);
    let mut after = None;
    loop {
        let page =
            state.edge.call::<ListSupplierListings>(&store, &ListingsPage { after, limit: PAGE }).await?;
        let mut observed = Vec::with_capacity(page.listings.len());
        let aliexpress: Vec<&Listing> = page.listings.iter().filter(|l| l.source == "aliexpress").collect();
        if let (Some(client), false) = (&state.suppliers.aliexpress, aliexpress.is_empty()) {
            for chunk in aliexpress.chunks(DETAIL_IDS_MAX) {
                let ids: Vec<String> = chunk.iter().map(|l| l.source_product_id.clone()).collect();
                let found = by_id(client.product_details(&ids).await?);
                observed.extend(chunk.iter().map(|l| compare(l, found.get(&l.source_product_id))));
            }
        }
        let from_feed: Vec<&Listing> = page.listings.iter().filter(|l| l.source == "feed").collect();
        if let (Some(source), false) = (&state.suppliers.feed, from_feed.is_empty()) {
            if feed.is_none() {
                feed = Some(by_id(source.catalog("").await?.products));
            }
            let products = feed.as_ref().expect("read above");
            observed.extend(from_feed.iter().map(|l| compare(l, products.get(&l.source_product_id))));
        }
        unsupported += page.listings.len() - observed.len();
        for chunk in observed.chunks(MAX_OBSERVED) {
            let applied = state
                .edge
                .call::<ApplySupplierSync>(
                    &store,
                    &SupplierSync {
                        tenant_id: envelope.tenant_id,
                        sync_id: envelope.payload.sync_id.clone(),
                        observed: chunk.to_vec(),
                    },
                )
                .await?;
            checked += applied.checked;
            changed += applied.changed;
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    tracing::info!(%store, checked, changed, unsupported, "supplier sync done");
    Ok(())
}

fn by_id(products: Vec<SupplierProduct>) -> HashMap<String, SupplierProduct> {
    products.into_iter().map(|p| (p.source_product_id.clone(), p)).collect()
}

/// What the supplier's answer says of one listing: its price, or gone when it did not answer for it.
pub fn compare(listing: &Listing, found: Option<&SupplierProduct>) -> Observed {
    Observed {
        source: listing.source.clone(),
        source_product_id: listing.source_product_id.clone(),
        cost: found.map(|p| p.cost),
        available: found.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Currency, Money};

    fn listing(id: &str) -> Listing {
        Listing { product_id: format!("p-{id}"), source: "aliexpress".into(), source_product_id: id.into() }
    }

    #[test]
    fn a_listing_the_supplier_answers_for_carries_its_price_and_one_it_does_not_is_gone() {
        let product: SupplierProduct = serde_json::from_value(serde_json::json!({
            "source": "aliexpress", "source_product_id": "1005", "title": "Lamp",
            "cost": {"minor": 1599, "currency": "USD"}, "list_price": null, "image_urls": [],
            "product_url": "https://example.com/1005", "category": null, "orders_30d": null,
            "rating_pct": null, "shipping_days": null
        }))
        .unwrap();
        let found = by_id(vec![product]);
        let seen = compare(&listing("1005"), found.get("1005"));
        assert_eq!((seen.cost, seen.available), (Some(Money::from_minor(1599, Currency::Usd)), true));
        let gone = compare(&listing("2006"), found.get("2006"));
        assert_eq!((gone.cost, gone.available), (None, false));
    }
}
