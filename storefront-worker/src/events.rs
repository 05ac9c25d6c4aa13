//! Shopper events counted in the isolate, per store, UTC day and metric, and handed over in
//! batches: no database write per request. A batch is due when [`FLUSH_AT_COUNT`] events are
//! pending or the oldest pending one is older than the flush interval; a failed hand-over is
//! put back and retried with the next batch. An isolate that is evicted loses what it had not
//! handed over yet (at most one interval's worth), which analytics can afford.

use domain::StoreId;
use queues::internal_api::MetricCount;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Pending events that make a batch due at once.
pub const FLUSH_AT_COUNT: u32 = 200;

#[derive(Default)]
struct Pending {
    counts: BTreeMap<(StoreId, String, &'static str), u32>,
    total: u32,
    oldest_ms: Option<f64>,
}

thread_local! {
    static PENDING: RefCell<Pending> = RefCell::new(Pending::default());
}

/// The UTC day (`YYYY-MM-DD`) of a Unix time in milliseconds.
pub fn utc_day(ms: f64) -> String {
    let days = (ms / 86_400_000.0).floor() as i64;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Counts one event.
pub fn record(store: StoreId, metric: &'static str, now_ms: f64) {
    add(store, utc_day(now_ms), metric, 1, now_ms);
}

fn add(store: StoreId, day: String, metric: &'static str, count: u32, now_ms: f64) {
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        *p.counts.entry((store, day, metric)).or_default() += count;
        p.total += count;
        p.oldest_ms.get_or_insert(now_ms);
    });
}

/// The pending counts, taken, when a batch is due.
pub fn take_due(now_ms: f64, interval_ms: f64) -> Option<Vec<MetricCount>> {
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        let due = p.total >= FLUSH_AT_COUNT || p.oldest_ms.is_some_and(|t| now_ms - t >= interval_ms);
        if !due || p.counts.is_empty() {
            return None;
        }
        let taken = std::mem::take(&mut *p);
        Some(
            taken
                .counts
                .into_iter()
                .map(|((store_id, day, metric), count)| MetricCount {
                    store_id,
                    day,
                    metric: metric.to_owned(),
                    count,
                })
                .collect(),
        )
    })
}

/// Puts back counts whose hand-over failed.
pub fn restore(counts: Vec<MetricCount>, now_ms: f64) {
    for c in counts {
        let metric = match c.metric.as_str() {
            "page_view" => "page_view",
            "product_view" => "product_view",
            _ => "add_to_cart",
        };
        add(c.store_id, c.day, metric, c.count, now_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_calendar_days() {
        assert_eq!(utc_day(0.0), "1970-01-01");
        assert_eq!(utc_day(1_795_651_200_000.0), "2026-11-26");
        assert_eq!(utc_day(951_782_400_000.0), "2000-02-29");
        assert_eq!(utc_day(1_795_737_599_999.0), "2026-11-26");
    }

    #[test]
    fn events_are_aggregated_and_handed_over_when_due() {
        let store = StoreId::from_random_bytes([7; 16]);
        record(store, "page_view", 1_000.0);
        record(store, "page_view", 1_500.0);
        record(store, "product_view", 1_600.0);
        assert_eq!(take_due(2_000.0, 5_000.0), None, "not due yet");
        let batch = take_due(6_000.0, 5_000.0).unwrap();
        assert_eq!(batch.len(), 2);
        assert_eq!(batch.iter().find(|c| c.metric == "page_view").unwrap().count, 2);
        assert_eq!(take_due(100_000.0, 5_000.0), None, "nothing left");
        restore(batch, 7_000.0);
        assert_eq!(take_due(12_000.0, 5_000.0).unwrap().iter().map(|c| c.count).sum::<u32>(), 3);
    }
}
