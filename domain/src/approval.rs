//! Whether a paid order goes to its suppliers at once, waits for the merchant's approval, or
//! fails, once the suppliers' current listings are read again just before placing.
//!
//! A listing the supplier no longer has fails the order. The margin of the order's lines at the
//! suppliers' current cost under the store's minimum, or a store that approves orders by hand,
//! holds the order for the merchant, with the reason they read in its timeline. An order the
//! merchant approved is placed without the margin hold; its listings are still checked.

use crate::money::{Currency, Money};

/// What the supplier lists now for one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// Listed, at this cost for one, in the order's currency (minor units).
    Priced(i64),
    /// The supplier no longer lists it.
    Gone,
    /// Not read (the merchant's own stock, a supplier without a price check, another currency):
    /// it counts neither for nor against the order.
    Unknown,
}

/// One line of the order as the re-check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The product's title when ordered.
    pub title: String,
    /// How many.
    pub quantity: u32,
    /// What the shopper paid for one (minor units).
    pub unit_price_minor: i64,
    /// The supplier's cost for one that the store recorded (what the price was set from).
    pub recorded_cost_minor: Option<i64>,
    /// What the supplier lists now.
    pub now: Listing,
}

/// What the store asks of its orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The store's minimum margin (basis points of the price).
    pub min_margin_bps: u32,
    /// Whether the merchant approves every order by hand.
    pub approve_by_hand: bool,
    /// Whether the merchant approved this order already.
    pub approved: bool,
}

/// What becomes of the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Place it with its suppliers.
    Place,
    /// Hold it for the merchant, for this reason.
    Wait(String),
    /// Fail it, for this reason.
    Fail(String),
}

/// Decides what becomes of an order whose listings were just read again.
pub fn decide(lines: &[Line], policy: Policy, currency: Currency) -> Decision {
    if let Some(gone) = lines.iter().find(|l| l.now == Listing::Gone) {
        return Decision::Fail(format!("the supplier no longer lists {}", gone.title));
    }
    if policy.approved {
        return Decision::Place;
    }
    let (mut revenue, mut cost) = (0i64, 0i64);
    let mut rises = Vec::new();
    for line in lines {
        let Listing::Priced(now) = line.now else { continue };
        let quantity = i64::from(line.quantity);
        revenue += line.unit_price_minor * quantity;
        cost += now * quantity;
        if let Some(then) = line.recorded_cost_minor.filter(|then| now > *then) {
            rises.push((line.title.as_str(), then, now));
        }
    }
    let min = i64::from(policy.min_margin_bps);
    if revenue > 0 && (revenue - cost) * 10_000 < min * revenue {
        let margin_bps = (revenue - cost) * 10_000 / revenue;
        let money = |minor| Money::from_minor(minor, currency);
        let named = rises.len() > 1;
        let rose: Vec<String> = rises
            .iter()
            .map(|(title, then, now)| {
                let of = if named { format!(" of {title}") } else { String::new() };
                format!("the supplier's price{of} rose from {} to {}", money(*then), money(*now))
            })
            .collect();
        let margin = format!(
            "the margin would be {}%, under the store's {}",
            margin_bps.div_euclid(100),
            percent(policy.min_margin_bps)
        );
        return Decision::Wait(if rose.is_empty() {
            margin
        } else {
            format!("{}: {margin}", rose.join(", "))
        });
    }
    if policy.approve_by_hand {
        return Decision::Wait("the store approves orders by hand".to_owned());
    }
    Decision::Place
}

/// Basis points as a percentage: `30%`, `29.5%`, `12.25%`.
fn percent(bps: u32) -> String {
    let (whole, rest) = (bps / 100, bps % 100);
    match rest {
        0 => format!("{whole}%"),
        r if r % 10 == 0 => format!("{whole}.{}%", r / 10),
        r => format!("{whole}.{r:02}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(title: &str, price: i64, recorded: Option<i64>, now: Listing) -> Line {
        Line { title: title.into(), quantity: 1, unit_price_minor: price, recorded_cost_minor: recorded, now }
    }

    const STORE: Policy = Policy { min_margin_bps: 3_000, approve_by_hand: false, approved: false };

    #[test]
    fn an_order_whose_margin_holds_is_placed_at_once() {
        let lines = [line("Brush", 2499, Some(849), Listing::Priced(849))];
        assert_eq!(decide(&lines, STORE, Currency::Usd), Decision::Place);
        let cheaper = [line("Brush", 2499, Some(849), Listing::Priced(520))];
        assert_eq!(decide(&cheaper, STORE, Currency::Usd), Decision::Place);
    }

    #[test]
    fn a_price_rise_under_the_minimum_margin_waits_with_the_old_and_new_price() {
        let lines = [line("Brush", 1705, Some(849), Listing::Priced(1500))];
        assert_eq!(
            decide(&lines, STORE, Currency::Usd),
            Decision::Wait(
                "the supplier's price rose from $8.49 to $15.00: the margin would be 12%, under the store's 30%"
                    .into()
            )
        );
    }

    #[test]
    fn the_margin_is_the_whole_orders_with_quantities_and_names_each_rise() {
        let mut lamp = line("Lamp", 1000, Some(300), Listing::Priced(800));
        lamp.quantity = 2;
        let glove = line("Glove", 1000, Some(200), Listing::Priced(900));
        // Revenue 3000, cost 2500: 16.66%, under 30%.
        assert_eq!(
            decide(&[lamp.clone(), glove], STORE, Currency::Usd),
            Decision::Wait(
                "the supplier's price of Lamp rose from $3.00 to $8.00, the supplier's price of Glove rose from $2.00 to $9.00: \
                 the margin would be 16%, under the store's 30%"
                    .into()
            )
        );
        // A line the merchant stocks, or a price not read, counts for nothing.
        let own = line("Mug", 100_000, None, Listing::Unknown);
        assert!(matches!(decide(&[lamp, own], STORE, Currency::Usd), Decision::Wait(_)));
    }

    #[test]
    fn exactly_the_minimum_margin_is_placed_and_one_unit_under_waits() {
        let at = [line("Brush", 1000, None, Listing::Priced(700))];
        assert_eq!(decide(&at, STORE, Currency::Usd), Decision::Place);
        let under = [line("Brush", 1000, None, Listing::Priced(701))];
        assert_eq!(
            decide(&under, STORE, Currency::Usd),
            Decision::Wait("the margin would be 29%, under the store's 30%".into()),
            "no rise to name: the merchant's own price is low"
        );
    }

    #[test]
    fn a_store_that_approves_by_hand_holds_every_order_until_approved() {
        let lines = [line("Brush", 2499, Some(849), Listing::Priced(849))];
        let by_hand = Policy { approve_by_hand: true, ..STORE };
        assert_eq!(
            decide(&lines, by_hand, Currency::Usd),
            Decision::Wait("the store approves orders by hand".into())
        );
        assert_eq!(decide(&lines, Policy { approved: true, ..by_hand }, Currency::Usd), Decision::Place);
    }

    #[test]
    fn an_approved_order_skips_the_margin_hold_but_not_the_listing_check() {
        let approved = Policy { approved: true, ..STORE };
        let risen = [line("Brush", 1705, Some(849), Listing::Priced(1500))];
        assert_eq!(decide(&risen, approved, Currency::Usd), Decision::Place);
        let gone = [risen[0].clone(), line("Glove", 900, Some(200), Listing::Gone)];
        assert_eq!(
            decide(&gone, approved, Currency::Usd),
            Decision::Fail("the supplier no longer lists Glove".into())
        );
    }

    #[test]
    fn a_loss_reads_as_a_negative_margin() {
        let lines = [line("Brush", 1000, Some(500), Listing::Priced(1050))];
        assert_eq!(
            decide(&lines, STORE, Currency::Usd),
            Decision::Wait(
                "the supplier's price rose from $5.00 to $10.50: the margin would be -5%, under the store's 30%".into()
            )
        );
    }

    #[test]
    fn percentages_keep_their_fraction() {
        assert_eq!(
            (percent(3_000), percent(2_950), percent(1_225), percent(0)),
            ("30%".into(), "29.5%".into(), "12.25%".into(), "0%".into())
        );
    }
}
