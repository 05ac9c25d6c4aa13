//! Tracking of supplier orders: when a store's tracking is read, what a supplier order's tracking
//! makes of the order's state, which orders are flagged for the merchant, and which carrier
//! tracking pages a shopper can be sent to.
//!
//! The tracking schedule ticks every hour; a store is read on the ticks its plan's
//! [`crate::plans::PlanLimits::tracking_every_hours`] divides. A placed supplier order with no
//! tracking [`NO_TRACKING_AFTER`] after placement, or a shipped one whose tracking has not moved
//! for [`NO_UPDATE_AFTER`], flags its order (as DSers does).

use time::{Duration, OffsetDateTime};

/// A placed supplier order with no tracking number this long after placement is flagged.
pub const NO_TRACKING_AFTER: Duration = Duration::days(7);

/// A shipped supplier order whose tracking has not moved for this long is flagged.
pub const NO_UPDATE_AFTER: Duration = Duration::hours(48);

/// Whether a store whose plan reads tracking every `every_hours` hours is due on the hourly tick
/// at `at`: on the hours (counted from the Unix epoch, so in UTC) that `every_hours` divides. A
/// tick retried within its hour is due again, which the report's idempotency makes harmless.
pub fn is_due(every_hours: u8, at: OffsetDateTime) -> bool {
    let every = i64::from(every_hours.max(1));
    at.unix_timestamp().div_euclid(3600).rem_euclid(every) == 0
}

/// Where a supplier order stands, as its tracking says; ordered from least to most advanced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Progress {
    /// Placed, not handed to a carrier yet.
    Placed,
    /// With a carrier, under a tracking number.
    Shipped,
    /// Delivered to the shopper.
    Delivered,
}

impl Progress {
    /// The state's name, as `supplier_orders.status` and `orders.fulfilment` store it.
    pub fn name(self) -> &'static str {
        match self {
            Progress::Placed => "placed",
            Progress::Shipped => "shipped",
            Progress::Delivered => "delivered",
        }
    }

    /// Reads a stored name; `None` for a state tracking does not move (failed, cancelled, ...).
    pub fn parse(raw: &str) -> Option<Self> {
        [Progress::Placed, Progress::Shipped, Progress::Delivered].into_iter().find(|p| p.name() == raw)
    }
}

/// The order's state from its supplier orders' progress: the least advanced of them (an order
/// whose goods come from two suppliers has shipped when both have). `None` when none is tracked.
pub fn order_progress(supplier_orders: &[Progress]) -> Option<Progress> {
    supplier_orders.iter().copied().min()
}

/// Why an order is flagged for the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// A supplier order has no tracking number 7 days after it was placed.
    NoTracking,
    /// A shipped supplier order's tracking has not moved for 48 hours.
    NoUpdate,
}

impl Flag {
    /// Every flag.
    pub const ALL: [Flag; 2] = [Flag::NoTracking, Flag::NoUpdate];

    /// The flag's name in the API and D1.
    pub fn name(self) -> &'static str {
        match self {
            Flag::NoTracking => "no_tracking",
            Flag::NoUpdate => "no_update",
        }
    }

    /// Reads a flag's name.
    pub fn parse(raw: &str) -> Option<Self> {
        Flag::ALL.into_iter().find(|f| f.name() == raw)
    }
}

/// A supplier order's tracking facts at one reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tracked {
    /// Where it stands.
    pub progress: Progress,
    /// When it was placed.
    pub placed_at: OffsetDateTime,
    /// When its tracking last moved (the newest carrier event), if it has any.
    pub last_update: Option<OffsetDateTime>,
    /// Whether it has a tracking number.
    pub has_tracking: bool,
}

/// The flag a supplier order raises at `now`, if any.
pub fn flag(tracked: &Tracked, now: OffsetDateTime) -> Option<Flag> {
    match tracked.progress {
        Progress::Placed if !tracked.has_tracking && now - tracked.placed_at >= NO_TRACKING_AFTER => {
            Some(Flag::NoTracking)
        }
        Progress::Placed => None,
        Progress::Shipped => {
            let last = tracked.last_update.unwrap_or(tracked.placed_at);
            (now - last >= NO_UPDATE_AFTER).then_some(Flag::NoUpdate)
        }
        Progress::Delivered => None,
    }
}

/// The order's flag: the first its supplier orders raise, `no_tracking` before `no_update`.
pub fn order_flag(supplier_orders: &[Tracked], now: OffsetDateTime) -> Option<Flag> {
    let raised: Vec<Flag> = supplier_orders.iter().filter_map(|t| flag(t, now)).collect();
    Flag::ALL.into_iter().find(|f| raised.contains(f))
}

/// The carrier's own tracking page for a number, for the carriers whose page takes the number in
/// its address; `None` for any other carrier, or a number that is not 4 to 40 letters, digits and
/// dashes (then the shopper is shown the number alone).
pub fn carrier_url(carrier: &str, number: &str) -> Option<String> {
    let plausible =
        (4..=40).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !plausible {
        return None;
    }
    let page = match carrier.trim().to_ascii_lowercase().as_str() {
        "cainiao" | "aliexpress standard shipping" => "https://global.cainiao.com/newDetail.htm?mailNoList=",
        "usps" => "https://tools.usps.com/go/TrackConfirmAction?tLabels=",
        "ups" => "https://www.ups.com/track?tracknum=",
        "dhl" => "https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id=",
        "fedex" => "https://www.fedex.com/fedextrack/?trknbr=",
        "yunexpress" => "https://www.yuntrack.com/parcelTracking?id=",
        _ => return None,
    };
    Some(format!("{page}{number}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plans::Plan;
    use time::macros::datetime;

    #[test]
    fn tracking_is_read_every_12_hours_on_starter_and_more_often_on_higher_plans() {
        let hours: Vec<u8> = Plan::ALL.into_iter().map(|p| p.limits().tracking_every_hours).collect();
        assert_eq!(hours, [12, 6, 2, 1]);
        let day = datetime!(2026-12-07 00:00 UTC);
        let due = |plan: Plan| {
            (0..24).filter(|h| is_due(plan.limits().tracking_every_hours, day + Duration::hours(*h))).count()
        };
        assert_eq!(
            [due(Plan::Starter), due(Plan::Growth), due(Plan::Pro), due(Plan::Enterprise)],
            [2, 4, 12, 24]
        );
    }

    #[test]
    fn a_starter_store_is_due_at_midnight_and_noon_utc_and_anywhere_within_that_hour() {
        assert!(is_due(12, datetime!(2026-12-07 12:00 UTC)));
        assert!(is_due(12, datetime!(2026-12-07 00:59:59 UTC)));
        assert!(!is_due(12, datetime!(2026-12-07 13:00 UTC)));
        assert!(is_due(0, datetime!(2026-12-07 13:00 UTC)), "a zero cadence reads every hour");
    }

    #[test]
    fn an_order_moves_as_its_least_advanced_supplier_order() {
        use Progress::*;
        assert_eq!(order_progress(&[Shipped]), Some(Shipped));
        assert_eq!(order_progress(&[Delivered, Shipped]), Some(Shipped));
        assert_eq!(order_progress(&[Delivered, Delivered]), Some(Delivered));
        assert_eq!(order_progress(&[]), None);
        assert_eq!(Progress::parse("failed"), None);
        assert_eq!(Progress::parse("delivered"), Some(Delivered));
    }

    fn tracked(progress: Progress, last_update: Option<OffsetDateTime>) -> Tracked {
        Tracked {
            progress,
            placed_at: datetime!(2026-12-01 10:00 UTC),
            last_update,
            has_tracking: progress != Progress::Placed,
        }
    }

    #[test]
    fn a_placed_order_without_tracking_is_flagged_seven_days_after_placement() {
        let t = tracked(Progress::Placed, None);
        assert_eq!(flag(&t, datetime!(2026-12-08 09:59 UTC)), None);
        assert_eq!(flag(&t, datetime!(2026-12-08 10:00 UTC)), Some(Flag::NoTracking));
    }

    #[test]
    fn a_shipped_order_is_flagged_after_48_hours_without_an_update_and_a_delivered_one_never() {
        let t = tracked(Progress::Shipped, Some(datetime!(2026-12-03 08:00 UTC)));
        assert_eq!(flag(&t, datetime!(2026-12-05 07:59 UTC)), None);
        assert_eq!(flag(&t, datetime!(2026-12-05 08:00 UTC)), Some(Flag::NoUpdate));
        let delivered = tracked(Progress::Delivered, Some(datetime!(2026-12-03 08:00 UTC)));
        assert_eq!(flag(&delivered, datetime!(2027-01-01 00:00 UTC)), None);
    }

    #[test]
    fn an_order_shows_no_tracking_before_no_update() {
        let now = datetime!(2026-12-20 00:00 UTC);
        let both = [tracked(Progress::Shipped, None), tracked(Progress::Placed, None)];
        assert_eq!(order_flag(&both, now), Some(Flag::NoTracking));
        assert_eq!(order_flag(&[], now), None);
        for f in Flag::ALL {
            assert_eq!(Flag::parse(f.name()), Some(f));
        }
    }

    #[test]
    fn only_known_carriers_with_plausible_numbers_get_a_tracking_link() {
        assert_eq!(
            carrier_url("Cainiao", "LP00000000000002CN").as_deref(),
            Some("https://global.cainiao.com/newDetail.htm?mailNoList=LP00000000000002CN")
        );
        assert_eq!(
            carrier_url(" USPS ", "9400111").as_deref(),
            Some("https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111")
        );
        assert_eq!(carrier_url("Some Local Post", "LP0001"), None);
        assert_eq!(carrier_url("Cainiao", "LP1&x=<script>"), None);
        assert_eq!(carrier_url("Cainiao", "LP1"), None);
    }
}
