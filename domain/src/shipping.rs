//! Shipping at checkout: a store's shipping settings (the countries it ships to, its standard and
//! express rates, free shipping over an amount, automatic tax), the rates a cart is offered with
//! their delivery estimates, and whether a cart can ship to a country.

use serde::{Deserialize, Serialize};

/// Countries a store may ship to at most.
pub const MAX_COUNTRIES: usize = 60;
/// The highest shipping rate or free-shipping threshold, in minor units.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000;

/// Countries Stripe Checkout refuses in `shipping_address_collection[allowed_countries]`.
const STRIPE_UNSUPPORTED: [&str; 11] = ["AS", "CX", "CU", "IR", "KP", "MP", "PW", "SD", "SY", "UM", "VI"];

/// A store's shipping settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingSettings {
    /// Countries the store ships to (ISO 3166-1 alpha-2, upper case, no repeats).
    pub countries: Vec<String>,
    /// The standard rate, in the store's currency's minor units (0: free).
    pub standard_minor: i64,
    /// The express rate; `None` when the store offers no express shipping.
    pub express_minor: Option<i64>,
    /// Standard shipping is free from this cart subtotal on; `None`: never.
    pub free_over_minor: Option<i64>,
    /// Whether Stripe computes and adds tax.
    pub automatic_tax: bool,
}

impl ShippingSettings {
    /// What a store ships with until its merchant says otherwise: standard shipping, free, to its
    /// target market only; no express; no automatic tax.
    pub fn default_for(target_market: &str) -> Self {
        Self {
            countries: vec![target_market.to_ascii_uppercase()],
            standard_minor: 0,
            express_minor: None,
            free_over_minor: None,
            automatic_tax: false,
        }
    }

    /// Checks every field, naming the first one that breaks a rule.
    pub fn validate(&self) -> Result<(), ShippingError> {
        if self.countries.is_empty() || self.countries.len() > MAX_COUNTRIES {
            return Err(ShippingError::Invalid("countries", "1 to 60 countries"));
        }
        for (i, code) in self.countries.iter().enumerate() {
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(ShippingError::Invalid("countries", "each an ISO 3166-1 alpha-2 code"));
            }
            if STRIPE_UNSUPPORTED.contains(&code.as_str()) {
                return Err(ShippingError::Invalid(
                    "countries",
                    "Stripe Checkout ships to none of AS, CX, CU, IR, KP, MP, PW, SD, SY, UM, VI",
                ));
            }
            if self.countries[..i].contains(code) {
                return Err(ShippingError::Invalid("countries", "each country once"));
            }
        }
        let amounts = [
            ("standard_minor", Some(self.standard_minor)),
            ("express_minor", self.express_minor),
            ("free_over_minor", self.free_over_minor),
        ];
        for (field, amount) in amounts {
            if amount.is_some_and(|a| !(0..=MAX_AMOUNT_MINOR).contains(&a)) {
                return Err(ShippingError::Invalid(field, "must be 0 to 1000000"));
            }
        }
        Ok(())
    }

    /// Whether a cart may be sent to `country` (any case).
    pub fn check_destination(&self, country: &str) -> Result<(), ShippingError> {
        let country = country.to_ascii_uppercase();
        if self.countries.contains(&country) {
            Ok(())
        } else {
            Err(ShippingError::CannotShip(country))
        }
    }

    /// The rates a cart of `subtotal_minor`, supplied by `sources` (each line's supplier, `None`
    /// for the merchant's own stock), is offered: standard first (free from the threshold on),
    /// then express when the store has it.
    pub fn rates(&self, subtotal_minor: i64, sources: &[Option<&str>]) -> Vec<Rate> {
        let standard_free = self.free_over_minor.is_some_and(|over| subtotal_minor >= over);
        let mut rates = vec![Rate {
            kind: RateKind::Standard,
            amount_minor: if standard_free { 0 } else { self.standard_minor },
            days: delivery_days(RateKind::Standard, sources),
        }];
        if let Some(express) = self.express_minor {
            rates.push(Rate {
                kind: RateKind::Express,
                amount_minor: express,
                days: delivery_days(RateKind::Express, sources),
            });
        }
        rates
    }
}

/// Standard or express.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateKind {
    /// The supplier's ordinary line.
    Standard,
    /// The supplier's express line.
    Express,
}

impl RateKind {
    /// Its key, kept in the rate's metadata and on the order.
    pub fn key(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Express => "express",
        }
    }
}

/// One shipping rate a cart is offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    /// Standard or express.
    pub kind: RateKind,
    /// What it costs, in minor units (0: free).
    pub amount_minor: i64,
    /// Business days from order to delivery, fewest and most.
    pub days: (u32, u32),
}

impl Rate {
    /// What the shopper reads on the payment page.
    pub fn display_name(&self) -> &'static str {
        match (self.kind, self.amount_minor) {
            (RateKind::Standard, 0) => "Free shipping",
            (RateKind::Standard, _) => "Standard shipping",
            (RateKind::Express, _) => "Express shipping",
        }
    }
}

/// Business days a supplier's line takes to deliver (processing plus transit), fewest and most:
/// AliExpress and CJdropshipping ship from their warehouses abroad; a product with no supplier
/// ships from the merchant's own stock.
pub fn supplier_days(kind: RateKind, source: Option<&str>) -> (u32, u32) {
    match (kind, source) {
        (RateKind::Standard, Some("aliexpress")) => (10, 20),
        (RateKind::Express, Some("aliexpress")) => (5, 10),
        (RateKind::Standard, Some("cj")) => (8, 15),
        (RateKind::Express, Some("cj")) => (4, 8),
        (RateKind::Standard, _) => (3, 7),
        (RateKind::Express, _) => (1, 3),
    }
}

/// The delivery estimate of a cart: the slowest supplier's, since the order arrives when its last
/// parcel does.
pub fn delivery_days(kind: RateKind, sources: &[Option<&str>]) -> (u32, u32) {
    sources
        .iter()
        .map(|s| supplier_days(kind, *s))
        .fold(supplier_days(kind, None), |(a, b), (c, d)| (a.max(c), b.max(d)))
}

/// The English name of a country a store may ship to, by its ISO 3166-1 alpha-2 code (upper
/// case); `None` for codes outside this list of common markets, which pages show as the code.
pub fn country_name(code: &str) -> Option<&'static str> {
    const NAMES: [(&str, &str); 48] = [
        ("AE", "the United Arab Emirates"),
        ("AR", "Argentina"),
        ("AT", "Austria"),
        ("AU", "Australia"),
        ("BE", "Belgium"),
        ("BR", "Brazil"),
        ("CA", "Canada"),
        ("CH", "Switzerland"),
        ("CL", "Chile"),
        ("CO", "Colombia"),
        ("CZ", "Czechia"),
        ("DE", "Germany"),
        ("DK", "Denmark"),
        ("EE", "Estonia"),
        ("ES", "Spain"),
        ("FI", "Finland"),
        ("FR", "France"),
        ("GB", "the United Kingdom"),
        ("GR", "Greece"),
        ("HK", "Hong Kong"),
        ("HU", "Hungary"),
        ("IE", "Ireland"),
        ("IL", "Israel"),
        ("IN", "India"),
        ("IT", "Italy"),
        ("JP", "Japan"),
        ("KR", "South Korea"),
        ("LT", "Lithuania"),
        ("LU", "Luxembourg"),
        ("LV", "Latvia"),
        ("MX", "Mexico"),
        ("MY", "Malaysia"),
        ("NL", "the Netherlands"),
        ("NO", "Norway"),
        ("NZ", "New Zealand"),
        ("PH", "the Philippines"),
        ("PL", "Poland"),
        ("PT", "Portugal"),
        ("RO", "Romania"),
        ("SA", "Saudi Arabia"),
        ("SE", "Sweden"),
        ("SG", "Singapore"),
        ("SI", "Slovenia"),
        ("SK", "Slovakia"),
        ("TH", "Thailand"),
        ("TR", "Türkiye"),
        ("US", "the United States"),
        ("ZA", "South Africa"),
    ];
    NAMES.binary_search_by(|(c, _)| (*c).cmp(code)).ok().map(|i| NAMES[i].1)
}

/// A broken shipping rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShippingError {
    /// A setting out of its limits: the field and the rule.
    #[error("{0}: {1}")]
    Invalid(&'static str, &'static str),
    /// The store does not ship to this country.
    #[error("this store does not ship to {0}")]
    CannotShip(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ShippingSettings {
        ShippingSettings {
            countries: vec!["US".into(), "CA".into()],
            standard_minor: 499,
            express_minor: Some(1499),
            free_over_minor: Some(5000),
            automatic_tax: true,
        }
    }

    #[test]
    fn a_new_store_ships_free_to_its_target_market_only() {
        let s = ShippingSettings::default_for("gb");
        assert_eq!(s.countries, ["GB"]);
        assert!(s.validate().is_ok());
        assert_eq!(s.rates(100, &[]).len(), 1);
        assert_eq!(s.rates(100, &[])[0].display_name(), "Free shipping");
    }

    #[test]
    fn standard_shipping_is_free_from_the_threshold_and_express_never_is() {
        let s = settings();
        let below = s.rates(4999, &[Some("aliexpress")]);
        assert_eq!((below[0].amount_minor, below[0].display_name()), (499, "Standard shipping"));
        let above = s.rates(5000, &[Some("aliexpress")]);
        assert_eq!((above[0].amount_minor, above[0].display_name()), (0, "Free shipping"));
        assert_eq!((above[1].amount_minor, above[1].kind), (1499, RateKind::Express));
    }

    #[test]
    fn the_estimate_is_the_slowest_suppliers() {
        assert_eq!(delivery_days(RateKind::Standard, &[None, Some("cj")]), (8, 15));
        assert_eq!(delivery_days(RateKind::Standard, &[Some("cj"), Some("aliexpress")]), (10, 20));
        assert_eq!(delivery_days(RateKind::Express, &[None]), (1, 3));
        assert_eq!(delivery_days(RateKind::Standard, &[]), (3, 7));
    }

    #[test]
    fn a_cart_cannot_ship_outside_the_stores_countries() {
        let s = settings();
        assert!(s.check_destination("us").is_ok());
        assert_eq!(s.check_destination("FR"), Err(ShippingError::CannotShip("FR".into())));
        assert_eq!(s.check_destination("FR").unwrap_err().to_string(), "this store does not ship to FR");
    }

    #[test]
    fn settings_out_of_their_limits_name_their_field() {
        let field = |s: ShippingSettings| match s.validate() {
            Err(ShippingError::Invalid(field, _)) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(ShippingSettings { countries: vec![], ..settings() }), "countries");
        assert_eq!(field(ShippingSettings { countries: vec!["usa".into()], ..settings() }), "countries");
        assert_eq!(
            field(ShippingSettings { countries: vec!["US".into(), "US".into()], ..settings() }),
            "countries"
        );
        assert_eq!(field(ShippingSettings { countries: vec!["KP".into()], ..settings() }), "countries");
        assert_eq!(field(ShippingSettings { standard_minor: -1, ..settings() }), "standard_minor");
        assert_eq!(
            field(ShippingSettings { express_minor: Some(MAX_AMOUNT_MINOR + 1), ..settings() }),
            "express_minor"
        );
        assert_eq!(field(ShippingSettings { free_over_minor: Some(-5), ..settings() }), "free_over_minor");
        let many = (0..=MAX_COUNTRIES).map(|i| format!("A{}", (b'A' + (i % 26) as u8) as char)).collect();
        assert_eq!(field(ShippingSettings { countries: many, ..settings() }), "countries");
    }

    #[test]
    fn common_markets_have_names_and_others_do_not() {
        assert_eq!(country_name("US"), Some("the United States"));
        assert_eq!(country_name("DE"), Some("Germany"));
        assert_eq!(country_name("ZA"), Some("South Africa"));
        assert_eq!(country_name("AE"), Some("the United Arab Emirates"));
        assert_eq!(country_name("XK"), None);
        assert_eq!(country_name("us"), None);
    }
}
