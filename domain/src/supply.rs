//! Supplier sync: what an imported product becomes when its supplier's price or stock moves.
//!
//! The hourly sync reads each imported product's supplier listing; [`reconcile`] compares it with
//! the product as the store sells it and answers the changes to make, each with the reason the
//! merchant will read. A cost change re-prices by the pricing rules (the minimum margin is never
//! broken), unless the merchant set the price by hand: then only the cost moves, the merchant's
//! price stays, and the history says so (and when it now sells below the minimum margin); a listing that is gone or sold out unpublishes the product or zeroes its stock, as the
//! store chooses, and its return undoes what the sync did (never what the merchant did).
//!
//! Reconciling twice with the same supplier state answers no changes the second time, which is
//! what makes a redelivered sync message harmless.
//!
//! [`follow_rules`] prices a product by the rules when its cost did not move: a price the merchant
//! hands back to them, or every product that follows them when the store's rules change.

use crate::money::Money;
use crate::pricing::{margin_bps, quote, PricingError, PricingRules};
use serde::{Deserialize, Serialize};

/// What a store does with a product its supplier cannot deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutOfStock {
    /// Take the product off the storefront (back on when the supplier has it again).
    #[default]
    Unpublish,
    /// Keep it listed with zero stock: shoppers see it sold out.
    Zero,
}

impl OutOfStock {
    /// The setting's name in the API and D1.
    pub fn name(self) -> &'static str {
        match self {
            OutOfStock::Unpublish => "unpublish",
            OutOfStock::Zero => "zero",
        }
    }

    /// The setting named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "unpublish" => Some(OutOfStock::Unpublish),
            "zero" => Some(OutOfStock::Zero),
            _ => None,
        }
    }
}

/// An imported product as the store sells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    /// The selling price.
    pub price: Money,
    /// The struck-through price, if any.
    pub compare_at: Option<Money>,
    /// What the supplier charged when last seen.
    pub cost: Money,
    /// Whether shoppers see it.
    pub published: bool,
    /// What the last sync saw: `Some(false)` when it found the listing unavailable and acted on it.
    pub supplier_available: Option<bool>,
    /// Whether the merchant set the price (or compare-at price) by hand: the sync then keeps it.
    pub priced_by_merchant: bool,
}

/// The supplier's listing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Supplied {
    /// The supplier's price, when the listing still exists.
    pub cost: Option<Money>,
    /// Whether the supplier can deliver it.
    pub available: bool,
}

/// One change to make to a product, with what it was and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `cost`, `price`, `compare_at`, `status` or `stock`.
    pub field: String,
    /// The value before, as the merchant reads it (`null` when there was none).
    pub old: Option<String>,
    /// The value after.
    pub new: Option<String>,
    /// Why, in a sentence.
    pub reason: String,
}

/// What the sync does to one product.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// New supplier cost, selling price and compare-at price, when the cost moved.
    pub reprice: Option<(Money, Money, Option<Money>)>,
    /// `Some(true)` publishes, `Some(false)` unpublishes.
    pub publish: Option<bool>,
    /// `Some(Some(0))` zeroes every variant's stock; `Some(None)` stops tracking it again.
    pub stock: Option<Option<i64>>,
    /// Whether the supplier can deliver it now (kept for the next sync).
    pub supplier_available: bool,
    /// The changes, for the product's history.
    pub changes: Vec<Change>,
}

fn change(field: &str, old: Option<String>, new: Option<String>, reason: impl Into<String>) -> Change {
    Change { field: field.to_owned(), old, new, reason: reason.into() }
}

/// Compares a product with its supplier's listing and answers what to change.
pub fn reconcile(
    listed: &Listed,
    supplied: &Supplied,
    rules: &PricingRules,
    out_of_stock: OutOfStock,
) -> Result<Outcome, PricingError> {
    let mut outcome = Outcome { supplier_available: supplied.available, ..Outcome::default() };
    if let Some(cost) = supplied.cost.filter(|c| c.currency == listed.cost.currency && *c != listed.cost) {
        let moved = format!("the supplier's price went from {} to {}", listed.cost, cost);
        if listed.priced_by_merchant {
            // The merchant's price is theirs: the cost moves, the price does not.
            if rules.min_margin_bps >= 10_000 {
                return Err(PricingError::ImpossibleMargin);
            }
            let margin = margin_bps(listed.price, cost);
            let below = if margin < i64::from(rules.min_margin_bps) {
                format!(", below the store's minimum margin of {}%", rules.min_margin_bps / 100)
            } else {
                String::new()
            };
            let reason = format!(
                "{moved}; the price {} was set by the merchant and is kept (margin {}%{below})",
                listed.price,
                margin / 100
            );
            outcome.changes.push(change(
                "cost",
                Some(listed.cost.to_string()),
                Some(cost.to_string()),
                reason,
            ));
            outcome.reprice = Some((cost, listed.price, listed.compare_at));
        } else {
            reprice(&mut outcome, listed, cost, &moved, rules)?;
        }
    }
    let was_withdrawn = listed.supplier_available == Some(false);
    match (supplied.available, was_withdrawn, out_of_stock) {
        (false, false, OutOfStock::Unpublish) => {
            if listed.published {
                outcome.publish = Some(false);
                outcome.changes.push(change(
                    "status",
                    Some("published".into()),
                    Some("draft".into()),
                    "the supplier has none in stock; unpublished by the store's setting",
                ));
            } else {
                // A draft the merchant keeps: nothing to take down, and nothing to put back later.
                outcome.supplier_available = true;
            }
        }
        (false, false, OutOfStock::Zero) => {
            outcome.stock = Some(Some(0));
            outcome.changes.push(change(
                "stock",
                None,
                Some("0".into()),
                "the supplier has none in stock; sold out by the store's setting",
            ));
        }
        (true, true, _) if !listed.published && out_of_stock == OutOfStock::Unpublish => {
            outcome.publish = Some(true);
            outcome.changes.push(change(
                "status",
                Some("draft".into()),
                Some("published".into()),
                "the supplier has it in stock again",
            ));
        }
        (true, true, _) if out_of_stock == OutOfStock::Zero => {
            outcome.stock = Some(None);
            outcome.changes.push(change(
                "stock",
                Some("0".into()),
                None,
                "the supplier has it in stock again",
            ));
        }
        // Still out (already acted on: remembered, so its return undoes it), still in, or back
        // after the merchant published it again by hand.
        _ => {}
    }
    Ok(outcome)
}

/// Re-prices by the store's rules after the cost moved (`moved` says how).
fn reprice(
    outcome: &mut Outcome,
    listed: &Listed,
    cost: Money,
    moved: &str,
    rules: &PricingRules,
) -> Result<(), PricingError> {
    let prices = quote(cost, None, rules)?;
    outcome.changes.push(change("cost", Some(listed.cost.to_string()), Some(cost.to_string()), moved));
    if prices.price != listed.price {
        outcome.changes.push(change(
            "price",
            Some(listed.price.to_string()),
            Some(prices.price.to_string()),
            format!("{moved}; re-priced by the store's rules (margin {}%)", prices.margin_bps / 100),
        ));
    }
    if prices.compare_at != listed.compare_at {
        outcome.changes.push(change(
            "compare_at",
            listed.compare_at.map(|m| m.to_string()),
            prices.compare_at.map(|m| m.to_string()),
            "follows the new price",
        ));
    }
    outcome.reprice = Some((cost, prices.price, prices.compare_at));
    Ok(())
}

/// Why a product is priced by the rules when its cost did not move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowRules {
    /// The merchant handed a price they had set back to the store's rules.
    HandedBack,
    /// The merchant changed the store's rules.
    RulesChanged,
}

/// Prices a product by the store's rules from its supplier cost, when the cost did not move: the
/// new price and compare-at price, and the history entries that say why. A price handed back
/// always gets an entry (the merchant asked, even when the price stays); a rules change writes
/// entries only for what moved, so re-pricing twice by the same rules writes nothing the second
/// time.
pub fn follow_rules(
    price: Money,
    compare_at: Option<Money>,
    cost: Money,
    rules: &PricingRules,
    why: FollowRules,
) -> Result<(Money, Option<Money>, Vec<Change>), PricingError> {
    let prices = quote(cost, None, rules)?;
    let basis = format!("from the supplier's price {cost} (margin {}%)", prices.margin_bps / 100);
    let reason = match why {
        FollowRules::HandedBack => {
            format!("the merchant handed the price back to the store's rules: priced {basis}")
        }
        FollowRules::RulesChanged => format!("the store's pricing rules changed: re-priced {basis}"),
    };
    let mut changes = Vec::new();
    if prices.price != price || why == FollowRules::HandedBack {
        changes.push(change("price", Some(price.to_string()), Some(prices.price.to_string()), reason));
    }
    if prices.compare_at != compare_at {
        changes.push(change(
            "compare_at",
            compare_at.map(|m| m.to_string()),
            prices.compare_at.map(|m| m.to_string()),
            "follows the new price",
        ));
    }
    Ok((prices.price, prices.compare_at, changes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Usd)
    }

    fn listed() -> Listed {
        let prices = quote(usd(1_240), None, &PricingRules::default()).unwrap();
        Listed {
            price: prices.price,
            compare_at: prices.compare_at,
            cost: usd(1_240),
            published: true,
            supplier_available: None,
            priced_by_merchant: false,
        }
    }

    fn sync(listed: &Listed, cost: Option<i64>, available: bool, setting: OutOfStock) -> Outcome {
        reconcile(listed, &Supplied { cost: cost.map(usd), available }, &PricingRules::default(), setting)
            .unwrap()
    }

    #[test]
    fn an_unchanged_listing_changes_nothing() {
        let outcome = sync(&listed(), Some(1_240), true, OutOfStock::Unpublish);
        assert_eq!(outcome, Outcome { supplier_available: true, ..Outcome::default() });
    }

    #[test]
    fn a_cost_rise_reprices_by_the_rules_and_says_why() {
        let outcome = sync(&listed(), Some(1_600), true, OutOfStock::Unpublish);
        let (cost, price, compare_at) = outcome.reprice.unwrap();
        assert_eq!((cost, price), (usd(1_600), usd(3_999)), "2.5x with a .99 ending");
        assert!(compare_at.unwrap().minor > price.minor);
        let fields: Vec<&str> = outcome.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["cost", "price", "compare_at"]);
        assert_eq!(outcome.changes[1].old.as_deref(), Some("$30.99"));
        assert_eq!(outcome.changes[1].new.as_deref(), Some("$39.99"));
        assert!(outcome.changes[1].reason.contains("from $12.40 to $16.00"), "{:?}", outcome.changes[1]);
    }

    #[test]
    fn a_price_the_merchant_set_is_kept_when_the_cost_moves_and_the_history_says_so() {
        let mine = Listed { price: usd(2_499), compare_at: None, priced_by_merchant: true, ..listed() };
        let outcome = sync(&mine, Some(1_600), true, OutOfStock::Unpublish);
        assert_eq!(outcome.reprice, Some((usd(1_600), usd(2_499), None)), "only the cost moves");
        assert_eq!(outcome.changes.len(), 1, "{:?}", outcome.changes);
        let entry = &outcome.changes[0];
        assert_eq!((entry.field.as_str(), entry.new.as_deref()), ("cost", Some("$16.00")));
        assert!(
            entry.reason.contains("$24.99 was set by the merchant and is kept (margin 35%)"),
            "{entry:?}"
        );
        assert!(!entry.reason.contains("minimum"), "35% keeps the 30% minimum: {entry:?}");
    }

    #[test]
    fn a_merchant_price_now_below_the_minimum_margin_is_kept_and_flagged() {
        let mine = Listed { price: usd(1_999), priced_by_merchant: true, ..listed() };
        let outcome = sync(&mine, Some(1_800), true, OutOfStock::Unpublish);
        let (_, price, compare_at) = outcome.reprice.unwrap();
        assert_eq!((price, compare_at), (usd(1_999), mine.compare_at), "never re-priced");
        let reason = &outcome.changes[0].reason;
        assert!(reason.contains("margin 9%, below the store's minimum margin of 30%"), "{reason}");
    }

    #[test]
    fn a_steep_cost_rise_never_breaks_the_minimum_margin() {
        let rules = PricingRules { markup_bps: 10_500, ..PricingRules::default() };
        let outcome = reconcile(
            &listed(),
            &Supplied { cost: Some(usd(5_000)), available: true },
            &rules,
            OutOfStock::Zero,
        )
        .unwrap();
        let (_, price, _) = outcome.reprice.unwrap();
        assert!((price.minor - 5_000) * 10_000 / price.minor >= 3_000, "{price}");
    }

    #[test]
    fn a_sold_out_listing_unpublishes_and_its_return_publishes_again() {
        let out = sync(&listed(), None, false, OutOfStock::Unpublish);
        assert_eq!((out.publish, out.supplier_available), (Some(false), false));
        let withdrawn = Listed { published: false, supplier_available: Some(false), ..listed() };
        let still_out = sync(&withdrawn, None, false, OutOfStock::Unpublish);
        assert!(
            still_out.changes.is_empty() && !still_out.supplier_available,
            "acted on once: {still_out:?}"
        );
        let back = sync(&withdrawn, Some(1_240), true, OutOfStock::Unpublish);
        assert_eq!((back.publish, back.supplier_available), (Some(true), true));
        assert_eq!(back.changes[0].reason, "the supplier has it in stock again");
    }

    #[test]
    fn a_draft_the_merchant_keeps_is_never_published_by_the_sync() {
        let draft = Listed { published: false, ..listed() };
        let out = sync(&draft, None, false, OutOfStock::Unpublish);
        assert!(out.changes.is_empty() && out.supplier_available, "{out:?}");
        let back = sync(&draft, Some(1_240), true, OutOfStock::Unpublish);
        assert_eq!(back.publish, None);
    }

    #[test]
    fn a_sold_out_listing_zeroes_stock_by_setting_and_its_return_untracks_it() {
        let out = sync(&listed(), Some(1_240), false, OutOfStock::Zero);
        assert_eq!((out.stock, out.publish), (Some(Some(0)), None));
        let zeroed = Listed { supplier_available: Some(false), ..listed() };
        assert!(sync(&zeroed, Some(1_240), false, OutOfStock::Zero).changes.is_empty());
        assert_eq!(sync(&zeroed, Some(1_240), true, OutOfStock::Zero).stock, Some(None));
    }

    #[test]
    fn a_merchant_who_republished_by_hand_is_left_alone() {
        // The sync unpublished it; the merchant published it again; the supplier is still out.
        let republished = Listed { published: true, supplier_available: Some(false), ..listed() };
        let out = sync(&republished, None, false, OutOfStock::Unpublish);
        assert!(out.changes.is_empty(), "{out:?}");
    }

    #[test]
    fn a_cost_in_another_currency_is_not_a_change() {
        let outcome = reconcile(
            &listed(),
            &Supplied { cost: Some(Money::from_minor(1_500, Currency::Eur)), available: true },
            &PricingRules::default(),
            OutOfStock::Unpublish,
        )
        .unwrap();
        assert!(outcome.reprice.is_none());
    }

    #[test]
    fn a_price_handed_back_follows_the_rules_and_the_history_says_the_merchant_asked() {
        let rules = PricingRules::default();
        let (price, compare_at, changes) =
            follow_rules(usd(1_999), None, usd(1_240), &rules, FollowRules::HandedBack).unwrap();
        assert_eq!((price, compare_at), (usd(3_099), Some(usd(4_299))), "2.5x cost, 1.4x compare-at");
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["price", "compare_at"]);
        assert_eq!((changes[0].old.as_deref(), changes[0].new.as_deref()), (Some("$19.99"), Some("$30.99")));
        assert!(changes[0].reason.contains("handed the price back to the store's rules"), "{:?}", changes[0]);
        assert!(
            changes[0].reason.contains("from the supplier's price $12.40 (margin 59%)"),
            "{:?}",
            changes[0]
        );
        let (_, _, again) =
            follow_rules(price, compare_at, usd(1_240), &rules, FollowRules::HandedBack).unwrap();
        assert_eq!(again.len(), 1, "a price handed back is always recorded, even when it stays: {again:?}");
    }

    #[test]
    fn new_rules_reprice_what_moved_and_the_same_rules_again_write_nothing() {
        let three_x = PricingRules { markup_bps: 30_000, compare_at_bps: 0, ..PricingRules::default() };
        let before = listed();
        let (price, compare_at, changes) =
            follow_rules(before.price, before.compare_at, before.cost, &three_x, FollowRules::RulesChanged)
                .unwrap();
        assert_eq!((price, compare_at), (usd(3_699), None));
        assert!(changes[0].reason.starts_with("the store's pricing rules changed: re-priced"), "{changes:?}");
        assert_eq!(changes[1].new, None, "no compare-at under the new rules");
        let (_, _, again) =
            follow_rules(price, compare_at, before.cost, &three_x, FollowRules::RulesChanged).unwrap();
        assert!(again.is_empty(), "{again:?}");
    }

    #[test]
    fn a_product_without_a_cost_cannot_follow_the_rules() {
        let refused =
            follow_rules(usd(1_999), None, usd(0), &PricingRules::default(), FollowRules::HandedBack);
        assert_eq!(refused, Err(PricingError::NonPositiveCost));
    }
}
