//! Money as integer minor units of an ISO 4217 currency. Never floats.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A currency code the platform sells in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Currency {
    /// US dollar.
    Usd,
    /// Euro.
    Eur,
    /// Pound sterling.
    Gbp,
    /// Canadian dollar.
    Cad,
    /// Australian dollar.
    Aud,
    /// Japanese yen (no minor unit).
    Jpy,
}

/// A currency code that is not supported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported currency `{0}`: use one of USD, EUR, GBP, CAD, AUD, JPY")]
pub struct UnsupportedCurrency(pub String);

impl Currency {
    /// The ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
            Currency::Cad => "CAD",
            Currency::Aud => "AUD",
            Currency::Jpy => "JPY",
        }
    }

    /// How many minor units make one major unit (100 cents to the dollar, 1 for the yen).
    pub fn minor_per_major(self) -> i64 {
        match self {
            Currency::Jpy => 1,
            _ => 100,
        }
    }

    /// The symbol shown before an amount.
    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Usd => "$",
            Currency::Eur => "€",
            Currency::Gbp => "£",
            Currency::Cad => "CA$",
            Currency::Aud => "A$",
            Currency::Jpy => "¥",
        }
    }
}

impl FromStr for Currency {
    type Err = UnsupportedCurrency;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "USD" => Ok(Currency::Usd),
            "EUR" => Ok(Currency::Eur),
            "GBP" => Ok(Currency::Gbp),
            "CAD" => Ok(Currency::Cad),
            "AUD" => Ok(Currency::Aud),
            "JPY" => Ok(Currency::Jpy),
            _ => Err(UnsupportedCurrency(s.chars().take(8).collect())),
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = UnsupportedCurrency;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.code().to_owned()
    }
}

/// An amount in minor units (cents) of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The amount in minor units.
    pub minor: i64,
    /// Its currency.
    pub currency: Currency,
}

/// A decimal amount that cannot be read as money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid amount")]
pub struct InvalidAmount(pub String);

impl Money {
    /// An amount of minor units.
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Parses a decimal string such as `"12.5"` or `"$12.50"` exactly, without going through a
    /// float. More fraction digits than the currency has are refused rather than rounded.
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Self, InvalidAmount> {
        let invalid = || InvalidAmount(text.chars().take(32).collect());
        let trimmed = text.trim().trim_start_matches(currency.symbol()).trim_start_matches('$');
        let (negative, digits) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let scale = currency.minor_per_major();
        let fraction_digits = if scale == 1 { 0 } else { 2 };
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || fraction.len() > fraction_digits
        {
            return Err(invalid());
        }
        let whole: i64 = whole.parse().map_err(|_| invalid())?;
        let mut fraction_value: i64 =
            if fraction.is_empty() { 0 } else { fraction.parse().map_err(|_| invalid())? };
        for _ in fraction.len()..fraction_digits {
            fraction_value *= 10;
        }
        let minor =
            whole.checked_mul(scale).and_then(|m| m.checked_add(fraction_value)).ok_or_else(invalid)?;
        Ok(Self::from_minor(if negative { -minor } else { minor }, currency))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = self.currency.minor_per_major();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if scale == 1 {
            write!(f, "{sign}{}{abs}", self.currency.symbol())
        } else {
            let scale = scale as u64;
            write!(f, "{sign}{}{}.{:02}", self.currency.symbol(), abs / scale, abs % scale)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decimal_strings_parse_exactly_into_cents() {
        assert_eq!(Money::parse_decimal("12.5", Currency::Usd).unwrap().minor, 1250);
        assert_eq!(Money::parse_decimal("$0.07", Currency::Usd).unwrap().minor, 7);
        assert_eq!(Money::parse_decimal("1500", Currency::Jpy).unwrap().minor, 1500);
    }

    #[test]
    fn amounts_with_too_many_decimals_are_refused_not_rounded() {
        assert!(Money::parse_decimal("1.999", Currency::Usd).is_err());
        assert!(Money::parse_decimal("1.5", Currency::Jpy).is_err());
        assert!(Money::parse_decimal("abc", Currency::Usd).is_err());
        assert!(Money::parse_decimal("", Currency::Usd).is_err());
    }

    #[test]
    fn money_displays_with_symbol_and_two_decimals() {
        assert_eq!(Money::from_minor(2999, Currency::Usd).to_string(), "$29.99");
        assert_eq!(Money::from_minor(5, Currency::Eur).to_string(), "€0.05");
        assert_eq!(Money::from_minor(1200, Currency::Jpy).to_string(), "¥1200");
    }

    #[test]
    fn unknown_currencies_are_refused_by_name() {
        let err = "XYZ".parse::<Currency>().unwrap_err();
        assert!(err.to_string().contains("XYZ"));
    }

    proptest! {
        #[test]
        fn display_then_parse_gives_back_the_same_amount(minor in 0i64..1_000_000_000) {
            let money = Money::from_minor(minor, Currency::Usd);
            prop_assert_eq!(Money::parse_decimal(&money.to_string(), Currency::Usd).unwrap(), money);
        }
    }
}
