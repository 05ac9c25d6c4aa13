//! The weighted model that ranks research candidates.
//!
//! Each signal is normalised to 0..=100 before weighting. The weights, in points out of 100:
//!
//! | group | signal | points |
//! |---|---|---|
//! | social engagement (40) | TikTok | 25 |
//! | | Instagram | 10 |
//! | | Reddit | 5 |
//! | market signals (30) | sales velocity | 15 |
//! | | order count | 10 |
//! | | price point | 5 |
//! | competition (15) | saturation (low is good) | 10 |
//! | | competitor count (few is good) | 5 |
//! | SEO potential (10) | search volume | 7 |
//! | | keyword competition (low is good) | 3 |
//! | fundamentals (5) | margin | 3 |
//! | | shipping time | 2 |
//!
//! Sources cover different signals, so a signal no source measured is left out and the score is
//! the weighted mean over the measured ones; [`Score::coverage`] says how many of the 100 points
//! were measured, so a thin score can be told from a strong one.

use serde::{Deserialize, Serialize};

/// The normalised signals of one candidate; `None` where no source measured the signal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signals {
    /// TikTok engagement.
    pub tiktok: Option<u8>,
    /// Instagram engagement.
    pub instagram: Option<u8>,
    /// Reddit engagement.
    pub reddit: Option<u8>,
    /// Supplier orders per day, recent.
    pub sales_velocity: Option<u8>,
    /// Supplier orders, total.
    pub order_count: Option<u8>,
    /// How close the retail price is to the impulse-buy sweet spot.
    pub price_point: Option<u8>,
    /// Market saturation, already inverted: 100 means unsaturated.
    pub saturation: Option<u8>,
    /// Competitor count, already inverted: 100 means no competitor.
    pub competitor_count: Option<u8>,
    /// Search volume for the product's keywords.
    pub search_volume: Option<u8>,
    /// Keyword competition, already inverted: 100 means easy to rank.
    pub keyword_competition: Option<u8>,
    /// Gross margin at the target price.
    pub margin: Option<u8>,
    /// Shipping time, already inverted: 100 means fast.
    pub shipping_time: Option<u8>,
}

/// A candidate's score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The weighted mean of the measured signals, 0 to 100.
    pub value: f32,
    /// How many of the model's 100 points were measured.
    pub coverage: u8,
}

impl Signals {
    fn weighted(&self) -> [(Option<u8>, u8); 12] {
        [
            (self.tiktok, 25),
            (self.instagram, 10),
            (self.reddit, 5),
            (self.sales_velocity, 15),
            (self.order_count, 10),
            (self.price_point, 5),
            (self.saturation, 10),
            (self.competitor_count, 5),
            (self.search_volume, 7),
            (self.keyword_competition, 3),
            (self.margin, 3),
            (self.shipping_time, 2),
        ]
    }

    /// Scores the candidate with the weighted model.
    pub fn score(&self) -> Score {
        let (mut sum, mut weight) = (0u32, 0u32);
        for (signal, points) in self.weighted() {
            if let Some(value) = signal {
                sum += u32::from(value.min(100)) * u32::from(points);
                weight += u32::from(points);
            }
        }
        let value = if weight == 0 { 0.0 } else { sum as f32 / weight as f32 };
        Score { value, coverage: weight as u8 }
    }

    /// Takes each signal measured by `other` where this one has none: how candidates for the same
    /// product from different sources combine.
    pub fn merge(&mut self, other: &Signals) {
        let fields = [
            (&mut self.tiktok, other.tiktok),
            (&mut self.instagram, other.instagram),
            (&mut self.reddit, other.reddit),
            (&mut self.sales_velocity, other.sales_velocity),
            (&mut self.order_count, other.order_count),
            (&mut self.price_point, other.price_point),
            (&mut self.saturation, other.saturation),
            (&mut self.competitor_count, other.competitor_count),
            (&mut self.search_volume, other.search_volume),
            (&mut self.keyword_competition, other.keyword_competition),
            (&mut self.margin, other.margin),
            (&mut self.shipping_time, other.shipping_time),
        ];
        for (mine, theirs) in fields {
            if mine.is_none() {
                *mine = theirs;
            }
        }
    }
}

/// Normalisers from raw measurements to 0..=100.
pub mod normalise {
    /// A count on a log scale: 0 maps to 0, `full` and above to 100.
    pub fn log_scale(count: u64, full: u64) -> u8 {
        LogScale::new(full).of(count)
    }

    /// [`log_scale`] for one `full`, its logarithm taken once for the many counts put on it.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct LogScale {
        full: u64,
        full_ln: f64,
    }

    impl LogScale {
        /// The scale on which `full` and above map to 100.
        pub fn new(full: u64) -> Self {
            Self { full, full_ln: (full as f64).ln_1p() }
        }

        /// `count` on this scale: `ln(1 + count) / ln(1 + full)` in percent, rounded, at most 100.
        pub fn of(&self, count: u64) -> u8 {
            if count == 0 || self.full <= 1 {
                return 0;
            }
            // At or past `full` the ratio is at least 1, as the logarithm grows: taken without it
            // where consecutive counts are far enough apart for that to hold in floating point.
            if count >= self.full && self.full <= u64::from(u32::MAX) {
                return 100;
            }
            let ratio = ((count as f64).ln_1p() / self.full_ln).min(1.0);
            (ratio * 100.0).round() as u8
        }
    }

    /// Orders per day: 100 a day or more is the top of the scale.
    pub fn sales_velocity(orders_per_day: f64) -> u8 {
        if !orders_per_day.is_finite() || orders_per_day <= 0.0 {
            return 0;
        }
        log_scale(orders_per_day.round() as u64, 100)
    }

    /// Total orders: 10,000 is the top of the scale.
    pub fn order_count(orders: u64) -> u8 {
        log_scale(orders, 10_000)
    }

    /// Retail price in minor units: the impulse-buy band of 15 to 60 scores 100, falling away
    /// to 0 at 0 and at 300.
    pub fn price_point(retail_minor: i64) -> u8 {
        let (low, high, ceiling) = (1_500, 6_000, 30_000);
        match retail_minor {
            p if p <= 0 => 0,
            p if p < low => (p * 100 / low) as u8,
            p if p <= high => 100,
            p if p < ceiling => (100 - (p - high) * 100 / (ceiling - high)) as u8,
            _ => 0,
        }
    }

    /// Gross margin in basis points: 60% or more scores 100, none scores 0.
    pub fn margin(margin_bps: i64) -> u8 {
        (margin_bps.clamp(0, 6_000) * 100 / 6_000) as u8
    }

    /// Shipping days: a week or less scores 100, 30 days or more scores 0.
    pub fn shipping_time(days: u32) -> u8 {
        match days {
            0..=7 => 100,
            d if d >= 30 => 0,
            d => (100 - (d - 7) * 100 / 23) as u8,
        }
    }

    /// A rating in percent (e.g. 97.5) is passed through, clamped.
    pub fn percent(value: f64) -> u8 {
        if value.is_finite() {
            value.clamp(0.0, 100.0).round() as u8
        } else {
            0
        }
    }
}

/// Sales velocity from supplier order counts snapshotted over time.
///
/// Suppliers report orders over a rolling 30 days (`orders_30d`); research records that count once
/// a day per product. Each snapshot is a daily rate (count / 30) at the time it was taken; the
/// 7-day and 30-day velocities are the mean rates over the snapshots of those windows. A product
/// selling faster this week than over the month has momentum, which lifts its signal (at most
/// double, at least half).
pub mod velocity {
    use super::normalise;

    /// One day's recorded count for one product.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Snapshot {
        /// Days since 1970-01-01 (UTC).
        pub day: i64,
        /// Orders over the 30 days before, as the supplier reported that day.
        pub orders_30d: u64,
    }

    /// Orders per day over two windows.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct Velocity {
        /// Mean orders per day over the snapshots of the last 7 days.
        pub per_day_7d: f64,
        /// Mean over the last 30 days; `None` until a snapshot at least 7 days old exists, since
        /// a month told by one week is the week again.
        pub per_day_30d: Option<f64>,
    }

    fn mean_rate(snapshots: &[Snapshot], today: i64, days: i64) -> Option<f64> {
        let rates: Vec<f64> = snapshots
            .iter()
            .filter(|s| s.day > today - days && s.day <= today)
            .map(|s| s.orders_30d as f64 / 30.0)
            .collect();
        (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64)
    }

    /// The velocities on `today` from a product's snapshots; `None` with no snapshot in the last
    /// 7 days.
    pub fn velocity(snapshots: &[Snapshot], today: i64) -> Option<Velocity> {
        let per_day_7d = mean_rate(snapshots, today, 7)?;
        let history = snapshots.iter().any(|s| s.day <= today - 7 && s.day > today - 30);
        let per_day_30d = if history { mean_rate(snapshots, today, 30) } else { None };
        Some(Velocity { per_day_7d, per_day_30d })
    }

    impl Velocity {
        /// The week's rate against the month's, within 0.5 and 2; 1 without a month of history.
        pub fn momentum(&self) -> f64 {
            match self.per_day_30d {
                Some(month) if month > 0.0 => (self.per_day_7d / month).clamp(0.5, 2.0),
                Some(_) if self.per_day_7d > 0.0 => 2.0,
                _ => 1.0,
            }
        }

        /// The sales velocity signal, 0 to 100: the week's rate, lifted or lowered by momentum.
        pub fn signal(&self) -> u8 {
            normalise::sales_velocity(self.per_day_7d * self.momentum())
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn snap(day: i64, orders_30d: u64) -> Snapshot {
            Snapshot { day, orders_30d }
        }

        #[test]
        fn one_snapshot_is_this_weeks_rate_and_no_month_yet() {
            let v = velocity(&[snap(100, 900)], 100).unwrap();
            assert_eq!((v.per_day_7d, v.per_day_30d, v.momentum()), (30.0, None, 1.0));
            assert_eq!(v.signal(), normalise::sales_velocity(30.0));
        }

        #[test]
        fn a_product_selling_faster_this_week_scores_above_one_slowing_down() {
            let rising: Vec<Snapshot> =
                (0..30).map(|d| snap(100 - d, if d < 7 { 1_800 } else { 600 })).collect();
            let falling: Vec<Snapshot> =
                (0..30).map(|d| snap(100 - d, if d < 7 { 600 } else { 1_800 })).collect();
            let (up, down) = (velocity(&rising, 100).unwrap(), velocity(&falling, 100).unwrap());
            assert_eq!(up.per_day_7d, 60.0);
            assert!(up.momentum() > 1.0 && down.momentum() < 1.0);
            assert!(up.signal() > down.signal());
        }

        #[test]
        fn snapshots_outside_the_windows_and_in_the_future_are_ignored() {
            assert_eq!(velocity(&[snap(50, 900)], 100), None, "nothing this week");
            let v = velocity(&[snap(101, 9_000), snap(99, 300), snap(60, 9_000)], 100).unwrap();
            assert_eq!((v.per_day_7d, v.per_day_30d), (10.0, None));
        }

        #[test]
        fn momentum_stays_within_half_and_double() {
            let v = Velocity { per_day_7d: 100.0, per_day_30d: Some(1.0) };
            assert_eq!(v.momentum(), 2.0);
            let v = Velocity { per_day_7d: 0.0, per_day_30d: Some(10.0) };
            assert_eq!((v.momentum(), v.signal()), (0.5, 0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all(value: u8) -> Signals {
        let v = Some(value);
        Signals {
            tiktok: v,
            instagram: v,
            reddit: v,
            sales_velocity: v,
            order_count: v,
            price_point: v,
            saturation: v,
            competitor_count: v,
            search_volume: v,
            keyword_competition: v,
            margin: v,
            shipping_time: v,
        }
    }

    #[test]
    fn the_weights_add_up_to_one_hundred_points() {
        assert_eq!(all(100).score(), Score { value: 100.0, coverage: 100 });
    }

    #[test]
    fn tiktok_outweighs_everything_else_on_its_own() {
        let tiktok = Signals { tiktok: Some(100), ..all(0) }.score();
        let velocity = Signals { sales_velocity: Some(100), ..all(0) }.score();
        assert_eq!(tiktok.value, 25.0);
        assert_eq!(velocity.value, 15.0);
    }

    #[test]
    fn unmeasured_signals_lower_coverage_not_the_score() {
        let supplier_only = Signals {
            sales_velocity: Some(80),
            order_count: Some(80),
            price_point: Some(80),
            margin: Some(80),
            shipping_time: Some(80),
            ..Signals::default()
        };
        let score = supplier_only.score();
        assert_eq!(score.value, 80.0);
        assert_eq!(score.coverage, 35);
    }

    #[test]
    fn nothing_measured_scores_zero() {
        assert_eq!(Signals::default().score(), Score { value: 0.0, coverage: 0 });
    }

    #[test]
    fn merging_keeps_what_was_measured_and_fills_the_gaps() {
        let mut supplier = Signals { order_count: Some(90), ..Signals::default() };
        supplier.merge(&Signals { order_count: Some(10), tiktok: Some(70), ..Signals::default() });
        assert_eq!(supplier.order_count, Some(90));
        assert_eq!(supplier.tiktok, Some(70));
    }

    #[test]
    fn prices_in_the_impulse_band_score_best() {
        assert_eq!(normalise::price_point(2_999), 100);
        assert!(normalise::price_point(500) < 50);
        assert!(normalise::price_point(20_000) < 50);
        assert_eq!(normalise::price_point(50_000), 0);
    }

    #[test]
    fn slow_shipping_scores_low() {
        assert_eq!(normalise::shipping_time(5), 100);
        assert_eq!(normalise::shipping_time(30), 0);
        assert!(normalise::shipping_time(15) < 70);
    }

    #[test]
    fn order_counts_use_a_log_scale() {
        assert_eq!(normalise::order_count(0), 0);
        assert_eq!(normalise::order_count(10_000), 100);
        assert!(normalise::order_count(100) > 40);
    }

    proptest! {
        #[test]
        fn a_score_stays_within_zero_and_one_hundred(values in proptest::collection::vec(proptest::option::of(0u8..=255), 12)) {
            let s = Signals {
                tiktok: values[0], instagram: values[1], reddit: values[2], sales_velocity: values[3],
                order_count: values[4], price_point: values[5], saturation: values[6],
                competitor_count: values[7], search_volume: values[8], keyword_competition: values[9],
                margin: values[10], shipping_time: values[11],
            };
            let score = s.score();
            prop_assert!((0.0..=100.0).contains(&score.value));
            prop_assert!(score.coverage <= 100);
        }

        #[test]
        fn a_log_scale_taken_once_puts_counts_where_the_formula_does(
            count in prop_oneof![0u64..50_000, 0u64..30_000_000, any::<u64>()],
            full in prop_oneof![
                Just(10u64), Just(100), Just(2_000), Just(10_000), Just(20_000), Just(100_000),
                Just(1_000_000), Just(10_000_000), 0u64..5, any::<u32>().prop_map(u64::from), any::<u64>(),
            ],
            near in -3i64..=3,
        ) {
            // The formula as it stood, before the scale kept its logarithm and stopped at `full`.
            let formula = |count: u64| -> u8 {
                if count == 0 || full <= 1 {
                    return 0;
                }
                let ratio = ((count as f64).ln_1p() / (full as f64).ln_1p()).min(1.0);
                (ratio * 100.0).round() as u8
            };
            let scale = normalise::LogScale::new(full);
            prop_assert_eq!(scale.of(count), formula(count));
            let around = full.saturating_add_signed(near);
            prop_assert_eq!(scale.of(around), formula(around));
            prop_assert_eq!(normalise::log_scale(around, full), formula(around));
        }
    }
}
