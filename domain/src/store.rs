//! Stores: their slug, name, host names and lifecycle status.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a store field was refused. The message names the rule so that the API can pass it on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreFieldError {
    /// The slug breaks the slug rules.
    #[error("slug must be 3 to 40 characters of a-z, 0-9 and inner hyphens")]
    SlugFormat,
    /// The slug is kept for the platform itself.
    #[error("slug `{0}` is reserved")]
    SlugReserved(String),
    /// The name is blank or too long.
    #[error("name must be 1 to 80 characters")]
    NameLength,
    /// The host is not a valid DNS name.
    #[error("`{0}` is not a valid host name")]
    Host(String),
    /// The niche is too long or holds control characters.
    #[error("niche must be at most 80 characters, without control characters")]
    Niche,
}

/// Sub-domains that belong to the platform and can never be a store.
const RESERVED_SLUGS: &[&str] = &[
    "www",
    "api",
    "app",
    "admin",
    "dashboard",
    "mail",
    "email",
    "static",
    "assets",
    "cdn",
    "status",
    "help",
    "support",
    "docs",
    "blog",
    "internal",
    "shop",
    "store",
    "stores",
    "billing",
];

/// A store's URL-safe short name; also its sub-domain on the platform's shops domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StoreSlug(String);

impl StoreSlug {
    /// Parses a slug: 3 to 40 lowercase ASCII letters, digits and hyphens, not starting or ending
    /// with a hyphen, not reserved.
    pub fn parse(raw: &str) -> Result<Self, StoreFieldError> {
        let ok_len = (3..=40).contains(&raw.len());
        let ok_chars = raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let ok_ends = !raw.starts_with('-') && !raw.ends_with('-') && !raw.contains("--");
        if !(ok_len && ok_chars && ok_ends) {
            return Err(StoreFieldError::SlugFormat);
        }
        if RESERVED_SLUGS.contains(&raw) {
            return Err(StoreFieldError::SlugReserved(raw.to_owned()));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StoreSlug {
    type Error = StoreFieldError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<StoreSlug> for String {
    fn from(value: StoreSlug) -> Self {
        value.0
    }
}

impl fmt::Display for StoreSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A store's display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StoreName(String);

impl StoreName {
    /// Trims the name and checks it is 1 to 80 characters.
    pub fn parse(raw: &str) -> Result<Self, StoreFieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.chars().count() > 80 || trimmed.chars().any(char::is_control) {
            return Err(StoreFieldError::NameLength);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StoreName {
    type Error = StoreFieldError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<StoreName> for String {
    fn from(value: StoreName) -> Self {
        value.0
    }
}

/// What a store sells, in the merchant's words ("camping", "pet grooming"): it steers research's
/// queries and the content the store is written with, so a store always has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Niche(String);

/// Words that say a name is a shop's, not what it sells: dropped when a niche is read from a name.
const SHOP_WORDS: &[&str] = &[
    "and", "boutique", "co", "company", "emporium", "goods", "hq", "inc", "llc", "ltd", "market", "mart",
    "official", "online", "outlet", "shop", "shoppe", "store", "supply", "the",
];

impl Niche {
    /// Trims the niche and checks it is 1 to 80 characters without control characters; `None`
    /// for a blank one, which [`Niche::from_name`] then replaces.
    pub fn parse(raw: &str) -> Result<Option<Self>, StoreFieldError> {
        let trimmed = raw.trim();
        if trimmed.chars().count() > 80 || trimmed.chars().any(char::is_control) {
            return Err(StoreFieldError::Niche);
        }
        Ok((!trimmed.is_empty()).then(|| Self(trimmed.to_owned())))
    }

    /// The niche a store's name suggests when its merchant gave none: the name's words in lower
    /// case without the words every shop name has ("Trail Gear Co." → "trail gear"), or the whole
    /// name when nothing else is left.
    pub fn from_name(name: &StoreName) -> Self {
        let words: Vec<String> = name
            .as_str()
            .split(|c: char| !c.is_alphanumeric() && c != '\'')
            .map(|w| w.trim_matches('\'').trim_end_matches("'s").to_lowercase())
            .filter(|w| !w.is_empty() && !SHOP_WORDS.contains(&w.as_str()))
            .collect();
        if words.is_empty() {
            Self(name.as_str().to_lowercase())
        } else {
            Self(words.join(" "))
        }
    }

    /// The niche text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Niche {
    type Error = StoreFieldError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)?.ok_or(StoreFieldError::Niche)
    }
}

impl From<Niche> for String {
    fn from(value: Niche) -> Self {
        value.0
    }
}

/// A host name that shoppers reach a store on: lowercase, without port or trailing dot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StoreHost(String);

impl StoreHost {
    /// Normalises a `Host` header value (drops the port and a trailing dot, lowercases) and checks
    /// it is a DNS name.
    pub fn parse(raw: &str) -> Result<Self, StoreFieldError> {
        let without_port = match raw.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => raw,
        };
        let host = without_port.trim_end_matches('.').to_ascii_lowercase();
        let labels_ok = host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        if host.is_empty() || host.len() > 253 || !labels_ok {
            return Err(StoreFieldError::Host(raw.chars().take(64).collect()));
        }
        Ok(Self(host))
    }

    /// The platform sub-domain of a store: `<slug>.<shops domain>`.
    pub fn platform_subdomain(slug: &StoreSlug, shops_domain: &str) -> Result<Self, StoreFieldError> {
        Self::parse(&format!("{}.{}", slug.as_str(), shops_domain))
    }

    /// The host text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StoreHost {
    type Error = StoreFieldError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<StoreHost> for String {
    fn from(value: StoreHost) -> Self {
        value.0
    }
}

impl fmt::Display for StoreHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a store is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreStatus {
    /// Open to shoppers; pipelines run.
    Active,
    /// Closed to shoppers (503) and no pipeline runs, e.g. after a failed payment.
    Suspended,
}

impl StoreStatus {
    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreStatus::Active => "active",
            StoreStatus::Suspended => "suspended",
        }
    }

    /// Parses the stored text form.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(StoreStatus::Active),
            "suspended" => Some(StoreStatus::Suspended),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_accept_lowercase_words_joined_by_hyphens() {
        assert_eq!(StoreSlug::parse("cozy-pets-2").unwrap().as_str(), "cozy-pets-2");
    }

    #[test]
    fn slugs_refuse_uppercase_edges_and_length() {
        for bad in ["Cozy", "-cozy", "cozy-", "co", "a--b", "cozy pets", &"x".repeat(41), "cozy.pets"] {
            assert_eq!(StoreSlug::parse(bad), Err(StoreFieldError::SlugFormat), "{bad}");
        }
    }

    #[test]
    fn platform_sub_domains_cannot_be_taken_as_slugs() {
        assert_eq!(StoreSlug::parse("api"), Err(StoreFieldError::SlugReserved("api".into())));
    }

    #[test]
    fn host_headers_are_normalised_without_port_and_case() {
        assert_eq!(StoreHost::parse("Cozy.LocalHost:8788").unwrap().as_str(), "cozy.localhost");
        assert_eq!(StoreHost::parse("shop.example.com.").unwrap().as_str(), "shop.example.com");
    }

    #[test]
    fn forged_host_headers_are_refused() {
        for bad in [
            "",
            "a..b",
            "evil.com/x",
            "-a.com",
            "a b.com",
            "café.com",
            "x.com:99:99",
            "shop.localhost:8788@evil.example",
            "shop_1.localhost",
        ] {
            assert!(StoreHost::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(StoreName::parse("  Cozy Pets ").unwrap().as_str(), "Cozy Pets");
        assert!(StoreName::parse("   ").is_err());
        assert!(StoreName::parse(&"n".repeat(81)).is_err());
    }

    #[test]
    fn a_niche_left_blank_is_read_from_the_store_name() {
        let niche = |name: &str| Niche::from_name(&StoreName::parse(name).unwrap()).as_str().to_owned();
        assert_eq!(niche("Trail Gear"), "trail gear");
        assert_eq!(niche("The Camping Co."), "camping");
        assert_eq!(niche("Paws & Claws Shop"), "paws claws");
        assert_eq!(niche("Maria's Kitchen Store"), "maria kitchen");
        // A name of shop words only is still a niche: the name itself.
        assert_eq!(niche("The Shop"), "the shop");
    }

    #[test]
    fn a_niche_is_trimmed_and_at_most_80_characters() {
        assert_eq!(Niche::parse("  camping ").unwrap().unwrap().as_str(), "camping");
        assert_eq!(Niche::parse("   ").unwrap(), None);
        assert_eq!(Niche::parse(&"a".repeat(81)), Err(StoreFieldError::Niche));
        assert_eq!(Niche::parse("camp\u{7}ing"), Err(StoreFieldError::Niche));
    }
}
