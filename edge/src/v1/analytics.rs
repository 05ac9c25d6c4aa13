//! Shopper analytics as the merchant reads them: daily counts per metric over a date range. The
//! counts are written by [`crate::internal::events`] and where checkouts and purchases happen.

use crate::error::{ApiError, ApiResult};
use crate::repo::analytics;
use crate::scope::StoreScope;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Metrics the storefront reports.
pub const STOREFRONT_METRICS: [&str; 3] = ["page_view", "product_view", "add_to_cart"];
/// Every metric of the report.
pub const METRICS: [&str; 5] = ["page_view", "product_view", "add_to_cart", "checkout_started", "purchase"];

/// `GET /v1/stores/{id}/analytics?from=&to=`: totals, rates and a daily series over UTC days
/// (default: the last 30 days to today); revenue comes from the orders themselves.
pub async fn report(scope: &StoreScope, from: Option<&str>, to: Option<&str>) -> ApiResult<Value> {
    let store = &scope.store;
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
        // A rule across the two parameters (or `from` and today, when `to` is left out), which the
        // API document can only state in words: 422, where 400 is a parameter malformed alone.
        return Err(ApiError::unprocessable(
            "from",
            "from must not be after to, and at most 366 days before it",
        ));
    }
    let (from_text, to_text) =
        (from.format(format).unwrap_or_default(), to.format(format).unwrap_or_default());
    let rows = analytics::daily_counts(&scope.db, &from_text, &to_text).await?;
    let revenue = analytics::revenue(&scope.db, &from_text, &to_text).await?;
    let refunded = analytics::refunded(&scope.db, &from_text, &to_text).await?;
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
        "revenue_minor": revenue.revenue,
        "refunds_minor": refunded,
        "net_revenue_minor": revenue.revenue - refunded,
        "orders": revenue.orders,
        "conversion_rate": rate(totals["purchase"], totals["page_view"]),
        "checkout_conversion_rate": rate(totals["purchase"], totals["checkout_started"]),
        "days": days.into_iter().map(|(day, metrics)| json!({ "day": day, "metrics": metrics })).collect::<Vec<_>>(),
    }))
}
