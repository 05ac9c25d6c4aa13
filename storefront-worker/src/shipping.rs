//! What the shop states about shipping: the store's shipping settings, read in the same round
//! trip as the page's other rows, and applied as the edge's checkout applies them (the rates,
//! their delivery estimates and the free-shipping threshold all come from `domain::shipping`).

use domain::shipping::ShippingSettings;
use serde::Deserialize;

/// The store's shipping settings row (none until the merchant sets them).
pub const SQL: &str = "SELECT countries, standard_minor, express_minor, free_over_minor \
     FROM shipping_settings WHERE store_id = ?1";

/// A row of [`SQL`].
#[derive(Debug, Deserialize)]
pub struct Row {
    countries: String,
    standard_minor: i64,
    express_minor: Option<i64>,
    free_over_minor: Option<i64>,
}

/// The settings the checkout applies: the row's, or for a store that never set them, free
/// standard shipping to its target market (`market`; empty in routing records older than it,
/// and then no country is stated).
pub fn settings(row: Option<Row>, market: &str) -> ShippingSettings {
    match row {
        Some(row) => ShippingSettings {
            countries: serde_json::from_str(&row.countries).unwrap_or_default(),
            standard_minor: row.standard_minor,
            express_minor: row.express_minor,
            free_over_minor: row.free_over_minor,
            automatic_tax: false,
        },
        None if market.is_empty() => {
            ShippingSettings { countries: Vec::new(), ..ShippingSettings::default_for("") }
        }
        None => ShippingSettings::default_for(market),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_that_never_set_shipping_ships_free_to_its_market_as_its_checkout_does() {
        let settings = settings(None, "gb");
        assert_eq!(settings, ShippingSettings::default_for("GB"));
        assert!(super::settings(None, "").countries.is_empty());
    }

    #[test]
    fn the_row_is_read_as_the_merchant_set_it() {
        let row = Row {
            countries: r#"["US","CA"]"#.into(),
            standard_minor: 499,
            express_minor: Some(1499),
            free_over_minor: Some(5000),
        };
        let settings = settings(Some(row), "US");
        assert_eq!(settings.countries, ["US", "CA"]);
        assert_eq!(
            (settings.standard_minor, settings.express_minor, settings.free_over_minor),
            (499, Some(1499), Some(5000))
        );
    }
}
