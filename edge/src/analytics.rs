//! Shopper analytics: daily counts per store and metric, added in batches (the storefront
//! aggregates page views, product views and adds to cart in its isolates; checkouts and
//! purchases are counted where they are written), and the merchant's report.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::orders::metric_statement;
use crate::stores::load;
use domain::StoreId;
use queues::internal_api::{ShopperEvents, SHOPPER_EVENTS_MAX};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use tenancy::shards::platform;
use worker::Env;

/// Metrics the storefront reports.
pub const STOREFRONT_METRICS: [&str; 3] = ["page_view", "product_view", "add_to_cart"];
/// Every metric of the report.
pub const METRICS: [&str; 5] = ["page_view", "product_view", "add_to_cart", "checkout_started", "purchase"];

fn is_day(text: &str) -> bool {
    time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).is_ok()
}

/// `POST /internal/shopper-events`: adds aggregated counts, one D1 batch per store.
pub async fn record(env: &Env, body: &str) -> ApiResult<Value> {
    let input: ShopperEvents = parse_json(body)?;
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
            .map(|c| metric_statement(&db, &c.metric, &c.day, c.count, 0))
            .collect::<worker::Result<Vec<_>>>()?;
        recorded += statements.len();
        db.batch(statements).await?;
    }
    Ok(json!({ "recorded": recorded }))
}

#[derive(Deserialize)]
struct Row {
    day: String,
    metric: String,
    count: i64,
}

/// `GET /v1/stores/{id}/analytics?from=&to=`: totals, rates and a daily series over UTC days
/// (default: the last 30 days to today); revenue comes from the orders themselves.
pub async fn report(
    env: &Env,
    store: &crate::stores::Store,
    from: Option<&str>,
    to: Option<&str>,
) -> ApiResult<Value> {
    let today = crate::runtime::now().date();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let parse = |field: &str, raw: Option<&str>, default: time::Date| match raw {
        None | Some("") => Ok(default),
        Some(raw) => time::Date::parse(raw, format)
            .map_err(|_| ApiError::invalid(field, format!("{field} must be a YYYY-MM-DD day"))),
    };
    let to = parse("to", to, today)?;
    let from = parse("from", from, to - time::Duration::days(29))?;
    if from > to || (to - from).whole_days() > 366 {
        return Err(ApiError::invalid("from", "from must be before to, at most 366 days apart"));
    }
    let (from_text, to_text) =
        (from.format(format).unwrap_or_default(), to.format(format).unwrap_or_default());
    let db = store.db(env)?;
    let rows: Vec<Row> = db
        .all(
            "SELECT day, metric, count FROM shopper_metrics WHERE store_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day",
            &[from_text.as_str().into(), to_text.as_str().into()],
        )
        .await?;
    let revenue: Option<Value> = db
        .first(
            "SELECT COALESCE(SUM(total_minor), 0) AS revenue, COUNT(*) AS orders FROM orders \
             WHERE store_id = ?1 AND substr(created_at, 1, 10) >= ?2 AND substr(created_at, 1, 10) <= ?3",
            &[from_text.as_str().into(), to_text.as_str().into()],
        )
        .await?;
    let revenue = revenue.unwrap_or(json!({ "revenue": 0, "orders": 0 }));
    let mut totals: BTreeMap<&str, i64> = METRICS.iter().map(|m| (*m, 0)).collect();
    let mut days: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for row in rows {
        if let Some(total) = totals.get_mut(row.metric.as_str()) {
            *total += row.count;
        }
        days.entry(row.day).or_default().insert(row.metric, row.count);
    }
    let rate = |num: i64, den: i64| {
        if den == 0 {
            0.0
        } else {
            (num as f64 / den as f64 * 10_000.0).round() / 10_000.0
        }
    };
    Ok(json!({
        "from": from_text,
        "to": to_text,
        "currency": store.row.currency,
        "page_views": totals["page_view"],
        "product_views": totals["product_view"],
        "add_to_cart": totals["add_to_cart"],
        "checkouts_started": totals["checkout_started"],
        "purchases": totals["purchase"],
        "revenue_minor": revenue["revenue"],
        "orders": revenue["orders"],
        "conversion_rate": rate(totals["purchase"], totals["page_view"]),
        "checkout_conversion_rate": rate(totals["purchase"], totals["checkout_started"]),
        "days": days.into_iter().map(|(day, metrics)| json!({ "day": day, "metrics": metrics })).collect::<Vec<_>>(),
    }))
}
