//! Retail pricing from supplier cost: markup, psychological endings, compare-at prices, competitor
//! awareness and a minimum margin that is never broken. All in integer minor units.

use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};

/// A store's pricing rules. Ratios are in basis points (10,000 = 1x or 100%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingRules {
    /// Target price as a multiple of cost (25,000 = 2.5x).
    pub markup_bps: u32,
    /// The smallest gross margin a price may have (3,000 = 30%).
    pub min_margin_bps: u32,
    /// The compare-at ("was") price as a multiple of the price (14,000 = 1.4x); 0 for none.
    pub compare_at_bps: u32,
    /// Whether prices end just under a round number (29.99 rather than 30.00).
    pub psychological_endings: bool,
}

impl Default for PricingRules {
    fn default() -> Self {
        Self {
            markup_bps: 25_000,
            min_margin_bps: 3_000,
            compare_at_bps: 14_000,
            psychological_endings: true,
        }
    }
}

/// The bounds a store's rules are held to, field by field (inclusive).
pub const MARKUP_BPS: (u32, u32) = (10_000, 100_000);
/// The minimum margin a store may ask: up to 90%.
pub const MIN_MARGIN_BPS: (u32, u32) = (0, 9_000);
/// A compare-at ratio, when there is one (0 means none).
pub const COMPARE_AT_BPS: (u32, u32) = (10_001, 30_000);

/// A rule outside its bounds, named by its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} must be {expected}")]
pub struct RulesError {
    /// The field, as the API names it.
    pub field: &'static str,
    /// What it must be, in words.
    pub expected: &'static str,
}

impl PricingRules {
    /// Checks each ratio against its bounds ([`MARKUP_BPS`], [`MIN_MARGIN_BPS`],
    /// [`COMPARE_AT_BPS`]), naming the first field out of them.
    pub fn validate(&self) -> Result<(), RulesError> {
        let within = |v: u32, (lo, hi): (u32, u32)| (lo..=hi).contains(&v);
        if !within(self.markup_bps, MARKUP_BPS) {
            return Err(RulesError { field: "markup_bps", expected: "between 10000 (1x) and 100000 (10x)" });
        }
        if !within(self.min_margin_bps, MIN_MARGIN_BPS) {
            return Err(RulesError { field: "min_margin_bps", expected: "between 0 and 9000 (90%)" });
        }
        if self.compare_at_bps != 0 && !within(self.compare_at_bps, COMPARE_AT_BPS) {
            return Err(RulesError {
                field: "compare_at_bps",
                expected: "0 (no compare-at price) or between 10001 and 30000 (3x)",
            });
        }
        Ok(())
    }
}

/// The gross margin of `price` over `cost` in basis points (negative when it sells below cost; 0
/// for a price of zero or less).
pub fn margin_bps(price: Money, cost: Money) -> i64 {
    if price.minor <= 0 {
        return 0;
    }
    (price.minor - cost.minor) * 10_000 / price.minor
}

/// Why no price could be set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// A cost of zero or less cannot be marked up.
    #[error("supplier cost must be positive")]
    NonPositiveCost,
    /// The rules cannot be met (a minimum margin of 100% or more).
    #[error("minimum margin must be below 100%")]
    ImpossibleMargin,
    /// Cost and competitor price are in different currencies.
    #[error("competitor price is in {0}, cost in {1}")]
    CurrencyMismatch(&'static str, &'static str),
}

/// The prices set for a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The selling price.
    pub price: Money,
    /// The compare-at price shown struck through, if any; always above the price.
    pub compare_at: Option<Money>,
    /// The gross margin of the price in basis points.
    pub margin_bps: u32,
}

/// Prices a product from its supplier cost and, when known, the lowest competitor price.
///
/// The price starts at cost times the markup and takes the nearest `.99` ending. A cheaper
/// competitor pulls it down to the `.99` just under the competitor's price. Neither may go below
/// the minimum margin: when they would, the price rises to the first ending that keeps it, even if
/// that stays above the competitor.
pub fn quote(cost: Money, competitor: Option<Money>, rules: &PricingRules) -> Result<Quote, PricingError> {
    if cost.minor <= 0 {
        return Err(PricingError::NonPositiveCost);
    }
    if rules.min_margin_bps >= 10_000 {
        return Err(PricingError::ImpossibleMargin);
    }
    if let Some(c) = competitor {
        if c.currency != cost.currency {
            return Err(PricingError::CurrencyMismatch(c.currency.code(), cost.currency.code()));
        }
    }
    let unit = ending_unit(cost.currency);
    let floor = min_price_for_margin(cost.minor, rules.min_margin_bps);
    let target = mul_bps(cost.minor, rules.markup_bps).max(floor);
    let undercut = competitor.map(|c| c.minor - 1).filter(|&under| under < target);
    let mut price = match (undercut, rules.psychological_endings) {
        // Matching a competitor rounds down, so the ending never lifts us back above them.
        (Some(under), true) => charm_down(under.max(floor), unit),
        (Some(under), false) => under.max(floor),
        (None, true) => charm_nearest(target, unit),
        (None, false) => target,
    };
    while price < floor {
        price += if rules.psychological_endings { unit } else { floor - price };
    }
    let compare_at = (rules.compare_at_bps > 10_000).then(|| {
        let raw = mul_bps(price, rules.compare_at_bps);
        let minor = if rules.psychological_endings { charm_nearest(raw, unit) } else { raw };
        let minor = if minor > price { minor } else { price + unit };
        Money::from_minor(minor, cost.currency)
    });
    Ok(Quote {
        price: Money::from_minor(price, cost.currency),
        compare_at,
        margin_bps: (((price - cost.minor) * 10_000) / price) as u32,
    })
}

/// `value * bps / 10,000`, rounded up so prices never fall below what the ratio asks.
fn mul_bps(value: i64, bps: u32) -> i64 {
    (value * i64::from(bps) + 9_999) / 10_000
}

/// The smallest price whose margin over `cost` is at least `min_margin_bps`.
fn min_price_for_margin(cost: i64, min_margin_bps: u32) -> i64 {
    let keep = 10_000 - i64::from(min_margin_bps);
    (cost * 10_000 + keep - 1) / keep
}

/// The step between psychological price points: one major unit, or 100 for currencies without
/// a minor unit.
fn ending_unit(currency: Currency) -> i64 {
    match currency.minor_per_major() {
        1 => 100,
        scale => scale,
    }
}

/// The nearest price ending just under a whole unit: 30.00 -> 29.99, 12.40 -> 11.99,
/// 12.60 -> 12.99, ¥2,950 -> ¥2,999.
fn charm_nearest(minor: i64, unit: i64) -> i64 {
    ((minor + unit / 2) / unit * unit - 1).max(unit - 1)
}

/// The highest price at or below `minor` ending just under a whole unit: 20.59 -> 19.99.
fn charm_down(minor: i64, unit: i64) -> i64 {
    ((minor + 1) / unit * unit - 1).max(unit - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Usd)
    }

    #[test]
    fn default_markup_is_two_and_a_half_times_cost_with_a_99_ending() {
        let q = quote(usd(1_200), None, &PricingRules::default()).unwrap();
        assert_eq!(q.price, usd(2_999));
    }

    #[test]
    fn a_round_target_becomes_29_99_not_30_00() {
        let rules = PricingRules { markup_bps: 25_000, ..PricingRules::default() };
        assert_eq!(quote(usd(1_196), None, &rules).unwrap().price, usd(2_999));
    }

    #[test]
    fn compare_at_price_sits_above_the_price() {
        let q = quote(usd(1_000), None, &PricingRules::default()).unwrap();
        assert_eq!(q.price, usd(2_499));
        assert_eq!(q.compare_at, Some(usd(3_499)));
    }

    #[test]
    fn a_cheaper_competitor_is_undercut_within_the_margin() {
        let q = quote(usd(1_000), Some(usd(2_000)), &PricingRules::default()).unwrap();
        assert_eq!(q.price, usd(1_999));
        assert!(q.margin_bps >= 3_000);
    }

    #[test]
    fn the_minimum_margin_is_never_broken_to_match_a_competitor() {
        let q = quote(usd(1_000), Some(usd(1_100)), &PricingRules::default()).unwrap();
        assert!(q.margin_bps >= 3_000, "margin {}", q.margin_bps);
        assert_eq!(q.price, usd(1_499));
    }

    #[test]
    fn yen_prices_end_in_99_yen() {
        let q = quote(Money::from_minor(1_180, Currency::Jpy), None, &PricingRules::default()).unwrap();
        assert_eq!(q.price.minor, 2_999);
    }

    #[test]
    fn zero_cost_and_impossible_margins_are_refused() {
        assert_eq!(quote(usd(0), None, &PricingRules::default()), Err(PricingError::NonPositiveCost));
        let rules = PricingRules { min_margin_bps: 10_000, ..PricingRules::default() };
        assert_eq!(quote(usd(100), None, &rules), Err(PricingError::ImpossibleMargin));
    }

    #[test]
    fn rules_out_of_bounds_name_their_field() {
        assert_eq!(PricingRules::default().validate(), Ok(()));
        let field = |rules: PricingRules| rules.validate().unwrap_err().field;
        assert_eq!(field(PricingRules { markup_bps: 9_999, ..PricingRules::default() }), "markup_bps");
        assert_eq!(field(PricingRules { markup_bps: 100_001, ..PricingRules::default() }), "markup_bps");
        assert_eq!(
            field(PricingRules { min_margin_bps: 9_001, ..PricingRules::default() }),
            "min_margin_bps"
        );
        assert_eq!(
            field(PricingRules { compare_at_bps: 10_000, ..PricingRules::default() }),
            "compare_at_bps"
        );
        assert_eq!(
            field(PricingRules { compare_at_bps: 30_001, ..PricingRules::default() }),
            "compare_at_bps"
        );
        assert_eq!(PricingRules { compare_at_bps: 0, ..PricingRules::default() }.validate(), Ok(()));
    }

    #[test]
    fn margin_is_what_the_price_keeps_over_cost() {
        assert_eq!(margin_bps(usd(2_000), usd(1_500)), 2_500);
        assert_eq!(margin_bps(usd(1_000), usd(1_500)), -5_000);
    }

    proptest! {
        #[test]
        fn every_quote_keeps_the_minimum_margin_and_ends_in_99(
            cost in 1i64..1_000_000,
            competitor in proptest::option::of(1i64..3_000_000),
            markup in 10_000u32..50_000,
            min_margin in 0u32..9_000,
        ) {
            let rules = PricingRules { markup_bps: markup, min_margin_bps: min_margin, ..PricingRules::default() };
            let q = quote(usd(cost), competitor.map(usd), &rules).unwrap();
            prop_assert!(q.margin_bps >= min_margin);
            prop_assert_eq!(q.price.minor % 100, 99);
            if let Some(compare_at) = q.compare_at {
                prop_assert!(compare_at.minor > q.price.minor);
            }
        }
    }
}
