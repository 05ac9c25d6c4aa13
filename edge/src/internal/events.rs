//! Shopper events the storefront aggregates and sends in batches (page views, add to cart).

use crate::error::{ApiError, ApiResult};
use crate::repo::analytics;
use crate::repo::stores::load;
use crate::v1::analytics::STOREFRONT_METRICS;
use domain::StoreId;
use queues::internal_api::{EventsRecorded, ShopperEvents, SHOPPER_EVENTS_MAX};
use std::collections::BTreeMap;
use tenancy::shards::platform;
use worker::Env;

fn is_day(text: &str) -> bool {
    time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).is_ok()
}

/// `POST /internal/shopper-events`: adds aggregated counts, one D1 batch per store.
pub async fn record(env: &Env, input: ShopperEvents) -> ApiResult<EventsRecorded> {
    if input.counts.len() > SHOPPER_EVENTS_MAX {
        return Err(ApiError::invalid("counts", format!("at most {SHOPPER_EVENTS_MAX} counts per call")));
    }
    let mut by_store: BTreeMap<StoreId, Vec<_>> = BTreeMap::new();
    for (i, count) in input.counts.iter().enumerate() {
        if !STOREFRONT_METRICS.contains(&count.metric.as_str()) || !is_day(&count.day) || count.count == 0 {
            return Err(ApiError::invalid(
                &format!("counts[{i}]"),
                "a metric the storefront reports, a YYYY-MM-DD day and a count",
            ));
        }
        by_store.entry(count.store_id).or_default().push(count);
    }
    let platform = platform(env)?;
    let mut recorded = 0;
    for (store_id, counts) in by_store {
        // A store deleted since the counts were taken loses them.
        let Ok(store) = load(&platform, store_id).await else { continue };
        let db = store.db(env)?;
        let statements = counts
            .iter()
            .map(|c| analytics::add(&db, &c.metric, &c.day, c.count, 0))
            .collect::<Result<Vec<_>, _>>()?;
        recorded += statements.len();
        db.execute_batch(statements).await?;
    }
    let recorded = u32::try_from(recorded).map_err(|e| ApiError::internal("shopper events", e))?;
    Ok(EventsRecorded { recorded })
}
