//! The tracking job: the hourly schedule invokes the function with `{"job": "tracking", "at":
//! ...}`. For each active store whose plan's tracking cadence is due at that hour
//! (`domain::tracking::is_due`), it reads each open supplier order's tracking (AliExpress:
//! `aliexpress.ds.order.tracking.get`; CJ: `getOrderDetail`, see [`crate::cj::reading`]) and
//! reports every reading to the edge, which moves the
//! orders, records the moves once, flags late orders and sends the shipped mail once. A store
//! whose reads or report fail is logged and left to the next due tick; the others go on.

use domain::tracking::{is_due, Progress};
use domain::Plan;
use lambda_runtime::Error;
use queues::fulfil_api::{OpenSupplierOrdersPage, TrackingReading, TrackingReport, MAX_READINGS};
use queues::internal_api::calls::{ListOpenSupplierOrders, ListSyncStores, ReportTracking};
use queues::sync_api::{SyncStore, SyncStoresPage};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use suppliers::aliexpress::TrackingAnswer;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::handler::State;

/// The schedule's input, as written in `infra/wiring.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tick {
    /// Which job: `tracking`, the only one.
    pub job: Job,
    /// The time the schedule fired for (RFC 3339), written by the scheduler; the function's clock
    /// when left out.
    #[serde(default)]
    pub at: Option<String>,
}

/// The scheduled jobs of the function.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    /// Read the tracking of the due stores' open supplier orders.
    Tracking,
}

/// What a tick did.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Stores whose tracking was due.
    pub stores: u32,
    /// Supplier orders whose tracking was read.
    pub read: u32,
    /// Supplier orders whose state or tracking changed.
    pub changed: u32,
    /// Stores whose tracking could not be read or reported.
    pub failed: u32,
}

/// Stores per page of the store list.
const STORE_PAGE: u32 = 500;

/// Runs one tick.
pub async fn tick(state: &State, tick: Tick) -> Result<Summary, Error> {
    let Job::Tracking = tick.job;
    let at = queues::schedule::scheduled_time(tick.at.as_deref(), OffsetDateTime::now_utc())?;
    let mut summary = Summary::default();
    if state.aliexpress.is_none() && state.cj.is_none() {
        tracing::info!("no supplier ordering is configured: no tracking to read");
        return Ok(summary);
    }
    let mut after = None;
    loop {
        let page =
            state.edge.call::<ListSyncStores>(&(), &SyncStoresPage { after, limit: STORE_PAGE }).await?;
        for store in page.stores.iter().filter(|s| due(s, at)) {
            summary.stores += 1;
            match track_store(state, store, at).await {
                Ok((read, changed)) => {
                    summary.read += read;
                    summary.changed += changed;
                }
                Err(error) => {
                    summary.failed += 1;
                    tracing::warn!(store = %store.store_id, error = format!("{error:#}"), "tracking not read");
                }
            }
        }
        match page.stores.last() {
            Some(last) if page.stores.len() == STORE_PAGE as usize => after = Some(last.store_id),
            _ => break,
        }
    }
    tracing::info!(?summary, "tracking tick done");
    Ok(summary)
}

/// Whether the store's plan reads tracking on the tick at `at`.
pub fn due(store: &SyncStore, at: OffsetDateTime) -> bool {
    is_due(store.plan.unwrap_or(Plan::Starter).limits().tracking_every_hours, at)
}

/// Reads and reports one store's open supplier orders, a page at a time.
async fn track_store(state: &State, store: &SyncStore, at: OffsetDateTime) -> anyhow::Result<(u32, u32)> {
    let (mut read, mut changed, mut after) = (0, 0, None);
    let at_text = at.format(&Rfc3339)?;
    loop {
        let page = OpenSupplierOrdersPage { after: after.clone(), limit: MAX_READINGS as u32 };
        let open = state.edge.call::<ListOpenSupplierOrders>(&store.store_id, &page).await?;
        let mut readings = Vec::new();
        for order in &open.orders {
            if order.supplier == crate::cj::SUPPLIER {
                if let Some(client) = &state.cj {
                    readings.extend(crate::cj::read(client, order, &at_text).await?);
                }
                continue;
            }
            let Some((client, token)) = state.aliexpress.as_ref().filter(|_| order.supplier == "aliexpress")
            else {
                continue;
            };
            let token = token.expose_secret();
            let mut answers = Vec::new();
            for id in order.supplier_order_id.split(',').map(str::trim).filter(|id| !id.is_empty()) {
                match client.tracking(token, id).await? {
                    TrackingAnswer::Tracked(tracking) => answers.push(tracking),
                    TrackingAnswer::Refused(reason) => {
                        tracing::warn!(order = %order.order_id, ae_order = id, %reason, "tracking refused")
                    }
                }
            }
            if let Some(reading) = reading(&order.order_id, &answers) {
                readings.push(reading);
            }
        }
        read += readings.len() as u32;
        if !readings.is_empty() {
            let report = TrackingReport { at: at_text.clone(), readings };
            changed += state.edge.call::<ReportTracking>(&store.store_id, &report).await?.changed;
        }
        match open.orders.last() {
            Some(last) if open.orders.len() == MAX_READINGS => {
                after = Some((last.order_id.clone(), last.supplier.clone()))
            }
            _ => break,
        }
    }
    Ok((read, changed))
}

/// One supplier order's reading from the tracking of its AliExpress orders (one per seller):
/// as far as the least advanced of them, with the first tracking number and carrier found.
/// `None` when none of them could be read.
pub fn reading(order_id: &str, answers: &[suppliers::aliexpress::Tracking]) -> Option<TrackingReading> {
    let status = answers.iter().filter_map(|t| Progress::parse(t.status)).min()?;
    let first = answers.iter().find(|t| t.number.is_some());
    let last_event_at = answers
        .iter()
        .filter_map(|t| t.last_event_ms)
        .max()
        .and_then(|ms| OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok())
        .and_then(|t| t.format(&Rfc3339).ok());
    Some(TrackingReading {
        order_id: order_id.to_owned(),
        supplier: "aliexpress".into(),
        status: status.name().into(),
        tracking_number: first.and_then(|t| t.number.clone()),
        carrier: first.and_then(|t| t.carrier.clone()),
        last_event_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use suppliers::aliexpress::Tracking;
    use time::macros::datetime;

    #[test]
    fn the_schedule_input_in_wiring_is_a_valid_tick() {
        let wiring: serde_json::Value =
            serde_json::from_str(include_str!("../../../infra/wiring.json")).expect("wiring.json is JSON");
        let mut ticks = 0;
        for (name, schedule) in wiring["schedules"].as_object().expect("schedules") {
            if schedule["function"] == "fulfilment" {
                serde_json::from_value::<Tick>(schedule["input"].clone())
                    .unwrap_or_else(|e| panic!("schedule {name}: {e}"));
                ticks += 1;
            }
        }
        assert_eq!(ticks, 1, "one tracking schedule");
    }

    #[test]
    fn a_starter_store_is_read_twice_a_day_and_a_store_of_an_unknown_plan_as_starter() {
        let store = |plan| SyncStore {
            store_id: "6f1c2b1e-3d4a-4b5c-8d6e-7f8091a2b3c4".parse().unwrap(),
            tenant_id: "0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d".parse().unwrap(),
            plan,
        };
        assert!(due(&store(Some(Plan::Starter)), datetime!(2026-12-07 12:00 UTC)));
        assert!(!due(&store(Some(Plan::Starter)), datetime!(2026-12-07 13:00 UTC)));
        assert!(due(&store(Some(Plan::Enterprise)), datetime!(2026-12-07 13:00 UTC)));
        assert!(!due(&store(None), datetime!(2026-12-07 13:00 UTC)));
    }

    #[test]
    fn an_order_split_by_seller_moves_as_its_least_advanced_part_with_the_first_number() {
        let t = |status, number: Option<&str>, ms| Tracking {
            status,
            number: number.map(Into::into),
            carrier: number.map(|_| "Cainiao".into()),
            last_event_ms: ms,
        };
        let r = reading("o1", &[t("placed", None, None), t("shipped", Some("LP1"), Some(1_765_000_000_000))])
            .unwrap();
        assert_eq!((r.status.as_str(), r.tracking_number.as_deref()), ("placed", Some("LP1")));
        assert_eq!(r.last_event_at.as_deref(), Some("2025-12-06T05:46:40Z"));
        let r = reading("o1", &[t("delivered", Some("LP1"), None)]).unwrap();
        assert_eq!((r.status.as_str(), r.carrier.as_deref()), ("delivered", Some("Cainiao")));
        assert_eq!(reading("o1", &[]), None);
    }
}
