//! Tracking, edge side: the open supplier orders the tracking job reads, and what their tracking
//! said, which moves each supplier order and its order (placed → shipped → delivered, each move
//! in the order's history once), sets the order's flag (`domain::tracking`) and sends the shopper
//! the shipped mail once per supplier order.

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::internal::StoreAccess;
use crate::repo::fulfilment as repo;
use crate::repo::orders;
use crate::runtime::{now, now_ms, rfc3339};
use domain::tracking::{order_flag, order_progress, Progress, Tracked};
use queues::fulfil_api::{
    OpenSupplierOrder, OpenSupplierOrders, OpenSupplierOrdersPage, TrackingReading, TrackingRecorded,
    TrackingReport, MAX_READINGS,
};
use queues::messages::{Branding, EmailCategory, EmailRequested, EmailTemplate};
use queues::Envelope;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// `POST /internal/stores/{id}/fulfilment/open`.
pub async fn open(access: &StoreAccess, page: OpenSupplierOrdersPage) -> ApiResult<OpenSupplierOrders> {
    let (order, supplier) = page.after.unwrap_or_default();
    let limit = page.limit.clamp(1, MAX_READINGS as u32);
    let rows = repo::open_page(&access.db, (&order, &supplier), limit).await?;
    let text = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let orders = rows
        .iter()
        .map(|r| OpenSupplierOrder {
            order_id: text(r, "order_id"),
            supplier: text(r, "supplier"),
            supplier_order_id: text(r, "supplier_order_id"),
            status: text(r, "status"),
        })
        .collect();
    Ok(OpenSupplierOrders { orders })
}

fn time_of(raw: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(raw, &Rfc3339).ok()
}

/// Checks a report before the store is read.
pub fn check_report(input: &TrackingReport) -> ApiResult<()> {
    if time_of(&input.at).is_none() {
        return Err(ApiError::invalid("at", "at must be an RFC 3339 time"));
    }
    let short = |v: &Option<String>, max: usize| v.as_ref().is_none_or(|v| (1..=max).contains(&v.len()));
    let well_formed = |r: &TrackingReading| {
        Progress::parse(&r.status).is_some()
            && short(&r.tracking_number, 64)
            && short(&r.carrier, 64)
            && r.last_event_at.as_deref().is_none_or(|t| time_of(t).is_some())
    };
    if input.readings.is_empty()
        || input.readings.len() > MAX_READINGS
        || !input.readings.iter().all(well_formed)
    {
        return Err(ApiError::invalid(
            "readings",
            "1 to 100 readings, each placed, shipped or delivered, with a tracking number and carrier of at most 64 characters",
        ));
    }
    Ok(())
}

/// `POST /internal/stores/{id}/fulfilment/tracking`: per order read, applies each reading that
/// moves a supplier order forward or gives it tracking (never backward), records each move once,
/// sends the shipped mail of each supplier order that has just shipped (before the move is
/// written: a failed write is retried by the next reading and the mail's key makes it one mail),
/// then sets the order's state and flag as of the report's time.
pub async fn report(
    config: &Config,
    access: &StoreAccess,
    input: TrackingReport,
) -> ApiResult<TrackingRecorded> {
    let db = &access.db;
    let reckoned = time_of(&input.at).unwrap_or_else(now);
    let at = rfc3339(now());
    let mut order_ids: Vec<&str> = input.readings.iter().map(|r| r.order_id.as_str()).collect();
    order_ids.sort_unstable();
    order_ids.dedup();
    let (mut changed, mut flagged) = (0, 0);
    for order_id in order_ids {
        let Some(order) = orders::get(db, order_id).await? else { continue };
        let mut rows = repo::supplier_orders(db, order_id).await?;
        let mut statements = Vec::new();
        for reading in input.readings.iter().filter(|r| r.order_id == order_id) {
            let Some(row) = rows.iter_mut().find(|s| s["supplier"] == reading.supplier.as_str()) else {
                continue;
            };
            let from = row["status"].as_str().unwrap_or_default().to_owned();
            let (Some(old), Some(new)) = (Progress::parse(&from), Progress::parse(&reading.status)) else {
                continue;
            };
            let number = reading.tracking_number.as_deref();
            let moved = new > old;
            let news = number.is_some_and(|n| row["tracking_number"].as_str() != Some(n))
                || reading
                    .last_event_at
                    .as_deref()
                    .is_some_and(|t| row["tracking_updated_at"].as_str() != Some(t));
            if new < old || !(moved || news) {
                continue;
            }
            changed += 1;
            statements.push(repo::tracking(
                db,
                order_id,
                &reading.supplier,
                &from,
                new.name(),
                number,
                reading.carrier.as_deref(),
                reading.last_event_at.as_deref(),
                &at,
            )?);
            row["status"] = new.name().into();
            if let Some(n) = number {
                row["tracking_number"] = n.into();
            }
            if let Some(c) = &reading.carrier {
                row["carrier"] = c.as_str().into();
            }
            if let Some(t) = &reading.last_event_at {
                row["tracking_updated_at"] = t.as_str().into();
            }
            if !moved {
                continue;
            }
            let carrier = row["carrier"].as_str().unwrap_or("the carrier").to_owned();
            let tracking = row["tracking_number"].as_str().unwrap_or_default().to_owned();
            let supplier_order = row["supplier_order_id"].as_str().unwrap_or("?");
            let cause = match new {
                Progress::Delivered => {
                    format!("{} order {supplier_order} delivered ({carrier} {tracking})", reading.supplier)
                }
                _ => format!(
                    "{} order {supplier_order} shipped with {carrier}, tracking {tracking}",
                    reading.supplier
                ),
            };
            statements.push(repo::event_once(db, order_id, new.name(), &cause, &at)?);
            if old == Progress::Placed && !tracking.is_empty() {
                tell_shopper(config, access, &order, &reading.supplier, &carrier, &tracking).await?;
            }
        }
        let tracked: Vec<(Progress, Tracked)> = rows
            .iter()
            .filter_map(|s| {
                let progress = Progress::parse(s["status"].as_str()?)?;
                Some((
                    progress,
                    Tracked {
                        progress,
                        placed_at: time_of(s["created_at"].as_str()?)?,
                        last_update: s["tracking_updated_at"].as_str().and_then(time_of),
                        has_tracking: s["tracking_number"].is_string(),
                    },
                ))
            })
            .collect();
        let progress: Vec<Progress> = tracked.iter().map(|(p, _)| *p).collect();
        let facts: Vec<Tracked> = tracked.into_iter().map(|(_, t)| t).collect();
        let flag = order_flag(&facts, reckoned).map(|f| f.name());
        flagged += u32::from(flag.is_some());
        if let Some(state) = order_progress(&progress) {
            if state.name() != order.fulfilment || flag != order.flag.as_deref() {
                statements.push(repo::set_tracked(db, order_id, state.name(), flag)?);
            }
        }
        if !statements.is_empty() {
            db.execute_batch(statements).await?;
        }
    }
    Ok(TrackingRecorded { changed, flagged })
}

/// The shopper's shipped mail for one supplier order, keyed `shipped:{order}:{supplier}` so that
/// it goes out once however often the move is read.
async fn tell_shopper(
    config: &Config,
    access: &StoreAccess,
    order: &orders::OrderRow,
    supplier: &str,
    carrier: &str,
    tracking: &str,
) -> ApiResult<()> {
    let store = &access.store;
    let Ok(to) = domain::accounts::Email::parse(&order.email) else { return Ok(()) };
    let shop = config.shop_url(&store.row.slug);
    let mut data = serde_json::Map::new();
    data.insert("order_number".into(), format!("#{}", order.number).into());
    data.insert("tracking_number".into(), tracking.into());
    data.insert("carrier".into(), carrier.into());
    // Empty when the carrier's tracking page is not known: the mail then gives the number alone.
    let url = domain::tracking::carrier_url(carrier, tracking).unwrap_or_default();
    data.insert("tracking_url".into(), url.into());
    let token = order_token(access, &order.id).await?;
    data.insert("order_url".into(), format!("{}/orders/{token}", shop.trim_end_matches('/')).into());
    let mail = EmailRequested {
        template: EmailTemplate::OrderShipped,
        to,
        category: EmailCategory::Transactional,
        data,
        branding: Branding {
            store_name: Some(store.row.name.clone()),
            accent_color: Some(store.row.brand_color.clone()),
            reply_to: None,
        },
    };
    let key = format!("shipped:{}:{supplier}", order.id);
    let envelope = Envelope::new(key.clone(), store.tenant_id, store.id, now(), key, mail);
    crate::sqs::send(&config.sqs, &config.sqs.email_queue_url, &envelope, now_ms())
        .await
        .map_err(|e| ApiError::new(503, "queue_unavailable", format!("enqueueing the shipped mail: {e}")))?;
    Ok(())
}

/// The order's status page token.
async fn order_token(access: &StoreAccess, order: &str) -> ApiResult<String> {
    let row: Option<Value> = access
        .db
        .query_first("SELECT access_token FROM orders WHERE store_id = ?1 AND id = ?2", vec![order.into()])
        .await?;
    Ok(row.and_then(|r| r["access_token"].as_str().map(str::to_owned)).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(status: &str, number: Option<&str>) -> TrackingReading {
        TrackingReading {
            order_id: "o1".into(),
            supplier: "aliexpress".into(),
            status: status.into(),
            tracking_number: number.map(Into::into),
            carrier: Some("Cainiao".into()),
            last_event_at: Some("2026-12-07T10:00:00Z".into()),
        }
    }

    #[test]
    fn a_report_carries_a_time_and_readings_of_known_states_with_short_numbers() {
        let report = |at: &str, readings| TrackingReport { at: at.into(), readings };
        assert!(check_report(&report("2026-12-07T12:00:00Z", vec![reading("shipped", Some("LP1"))])).is_ok());
        assert!(check_report(&report("noon", vec![reading("shipped", Some("LP1"))])).is_err());
        assert!(check_report(&report("2026-12-07T12:00:00Z", vec![reading("lost", None)])).is_err());
        assert!(check_report(&report(
            "2026-12-07T12:00:00Z",
            vec![reading("shipped", Some(&"9".repeat(65)))]
        ))
        .is_err());
        assert!(check_report(&report("2026-12-07T12:00:00Z", vec![])).is_err());
    }
}
