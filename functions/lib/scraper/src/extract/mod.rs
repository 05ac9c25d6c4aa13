//! Product data from fetched pages: pure functions over the text of a page.
//!
//! Three sources, best first: schema.org JSON-LD (`<script type="application/ld+json">`, a
//! `Product` anywhere in it, `@graph` included), Open Graph `<meta>` tags (`og:*`,
//! `product:price:*`), and Shopify's product JSON (`/products/<handle>.json`). Each yields
//! `Facts`; facts are merged field by field and checked once into a [`ScrapedProduct`].
//!
//! Everything a supplier page says is untrusted: text is reduced to plain text, prices are read
//! as decimal strings into integer [`Money`] (never through a float), and image URLs must be
//! absolute `https` URLs, resolved against the page, on a public host.

pub mod html;
mod jsonld;
mod opengraph;
mod shopify;

pub use shopify::{extract_shopify_product, shopify_json_url, ShopifyError};

use crate::address::AddressPolicy;
use domain::{Currency, Money};
use serde::{Deserialize, Serialize};
use url::{Host, Url};

/// The longest title kept, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// The longest description kept, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 5_000;
/// Images kept at most.
pub const MAX_IMAGES: usize = 20;
/// The longest image URL kept, in bytes.
pub const MAX_IMAGE_URL_BYTES: usize = 2_048;

/// Whether a product can be bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// In stock (limited availability and online- or in-store-only included).
    InStock,
    /// Out of stock or sold out.
    OutOfStock,
    /// Can be ordered before release.
    PreOrder,
    /// Can be ordered; ships when restocked.
    BackOrder,
    /// No longer made.
    Discontinued,
    /// The page does not say.
    Unknown,
}

impl Availability {
    /// Reads schema.org values (`https://schema.org/InStock`, `InStock`) and Open Graph ones
    /// (`in stock`, `oos`).
    pub fn parse(text: &str) -> Availability {
        let word = text
            .trim()
            .rsplit(['/', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
            .replace([' ', '_', '-'], "");
        match word.as_str() {
            "instock" | "limitedavailability" | "onlineonly" | "instoreonly" | "available" => {
                Availability::InStock
            }
            "outofstock" | "oos" | "soldout" | "unavailable" => Availability::OutOfStock,
            "preorder" | "presale" => Availability::PreOrder,
            "backorder" => Availability::BackOrder,
            "discontinued" => Availability::Discontinued,
            _ => Availability::Unknown,
        }
    }
}

/// A product read from a page, checked and cleaned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScrapedProduct {
    /// The product's name, plain text.
    pub title: String,
    /// Its description, plain text (markup removed); may be empty.
    pub description: String,
    /// Its price (the lowest offer), when the page states one in a supported currency.
    pub price: Option<Money>,
    /// The ISO 4217 code the page prices in, supported or not.
    pub currency: Option<String>,
    /// Its images: absolute `https` URLs on public hosts, at most [`MAX_IMAGES`], no duplicates.
    pub images: Vec<String>,
    /// Whether it can be bought.
    pub availability: Availability,
    /// The page it was read from.
    pub source_url: String,
}

/// What one source says about a product, unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    pub(crate) title: Option<String>,
    /// Markup or text.
    pub(crate) description: Option<String>,
    /// A decimal amount as written.
    pub(crate) amount: Option<String>,
    pub(crate) currency: Option<String>,
    /// As written: relative, protocol-relative or absolute.
    pub(crate) images: Vec<String>,
    pub(crate) availability: Option<Availability>,
}

impl Facts {
    /// Fills what `self` lacks from `other`; images are added after `self`'s.
    pub(crate) fn or(mut self, other: Facts) -> Facts {
        self.title = self.title.or(other.title);
        self.description = self.description.or(other.description);
        if self.amount.is_none() {
            self.amount = other.amount;
            self.currency = self.currency.or(other.currency);
        } else if self.currency.is_none() {
            self.currency = other.currency;
        }
        self.images.extend(other.images);
        self.availability = self.availability.or(other.availability);
        self
    }

    /// Checks and cleans the facts; `None` without a title.
    pub(crate) fn into_product(self, page_url: &Url) -> Option<ScrapedProduct> {
        let title =
            truncate_chars(&html::plain_text(self.title.as_deref()?).replace('\n', " "), MAX_TITLE_CHARS);
        if title.is_empty() {
            return None;
        }
        let description = truncate_chars(
            &html::plain_text(self.description.as_deref().unwrap_or("")),
            MAX_DESCRIPTION_CHARS,
        );
        let currency = self.currency.as_deref().and_then(currency_code);
        let price = match (&self.amount, &currency) {
            (Some(amount), Some(code)) => {
                code.parse::<Currency>().ok().and_then(|currency| parse_price(amount, currency))
            }
            _ => None,
        };
        let mut images: Vec<String> = Vec::new();
        for raw in &self.images {
            if images.len() == MAX_IMAGES {
                break;
            }
            if let Some(image) = image_url(raw, page_url) {
                if !images.contains(&image) {
                    images.push(image);
                }
            }
        }
        Some(ScrapedProduct {
            title,
            description,
            price,
            currency,
            images,
            availability: self.availability.unwrap_or(Availability::Unknown),
            source_url: page_url.to_string(),
        })
    }
}

/// The product on an HTML page, from its JSON-LD, completed by its Open Graph tags. `None` when
/// the page shows no product: no JSON-LD `Product`, and no Open Graph tags of type `product` or
/// with a price.
pub fn extract_product(html: &str, page_url: &str) -> Option<ScrapedProduct> {
    let page_url = Url::parse(page_url).ok()?;
    let from_json_ld = jsonld::product_facts(html);
    let from_meta = opengraph::product_facts(html);
    let facts = match (from_json_ld, from_meta) {
        (Some(ld), Some(og)) => ld.or(og),
        (Some(ld), None) => ld.or(opengraph::page_facts(html)),
        (None, Some(og)) => og,
        (None, None) => return None,
    };
    facts.into_product(&page_url)
}

/// A three-letter ISO 4217 code, upper-cased.
fn currency_code(text: &str) -> Option<String> {
    let code = text.trim();
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic())).then(|| code.to_ascii_uppercase())
}

/// Reads a decimal amount exactly: `19.99`, `19.9`, `19.990`, `1,299.00`. Zeros past the
/// currency's minor unit are dropped; other extra digits, negative amounts, exponents and
/// comma decimals (`19,99`, ambiguous) are refused.
pub fn parse_price(text: &str, currency: Currency) -> Option<Money> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    // Thousands separators only in the unambiguous `1,299.00` / `1,299` shape.
    let grouped: Vec<&str> = whole.split(',').collect();
    if grouped.len() > 1
        && (grouped[0].is_empty() || grouped[0].len() > 3 || grouped[1..].iter().any(|g| g.len() != 3))
    {
        return None;
    }
    let whole = whole.replace(',', "");
    let digits = if currency.minor_per_major() == 1 { 0 } else { 2 };
    let mut fraction = fraction.to_owned();
    while fraction.len() > digits && fraction.ends_with('0') {
        fraction.pop();
    }
    let normal = if fraction.is_empty() { whole } else { format!("{whole}.{fraction}") };
    if normal.starts_with('-') {
        return None;
    }
    Money::parse_decimal(&normal, currency).ok()
}

/// An image URL as the product keeps it: resolved against the page, `https`, no credentials, on
/// the default port of a public host, not too long.
pub fn image_url(raw: &str, page_url: &Url) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_IMAGE_URL_BYTES {
        return None;
    }
    let url = page_url.join(raw).ok()?;
    if url.scheme() != "https"
        || url.port().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return None;
    }
    match url.host()? {
        Host::Ipv4(ip) => AddressPolicy::PUBLIC.check_ip(ip.into()).ok()?,
        Host::Ipv6(ip) => AddressPolicy::PUBLIC.check_ip(ip.into()).ok()?,
        Host::Domain(name) => crate::address::check_host_name(name).ok()?,
    }
    let url = url.to_string();
    (url.len() <= MAX_IMAGE_URL_BYTES).then_some(url)
}

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => text[..end].trim_end().to_owned(),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn prices_are_read_exactly_from_decimal_strings() {
        let usd = |text| parse_price(text, Currency::Usd).map(|m| m.minor);
        assert_eq!(usd("19.99"), Some(1999));
        assert_eq!(usd(" 19.9 "), Some(1990));
        assert_eq!(usd("19"), Some(1900));
        assert_eq!(usd("19.990"), Some(1999));
        assert_eq!(usd("1,299.00"), Some(129_900));
        assert_eq!(usd("12,345,678"), Some(1_234_567_800));
        assert_eq!(usd("0.1"), Some(10));
        assert_eq!(usd("19.999"), None);
        assert_eq!(usd("19,99"), None);
        assert_eq!(usd("1,29.00"), None);
        assert_eq!(usd("-5.00"), None);
        assert_eq!(usd("1e3"), None);
        assert_eq!(usd(""), None);
        assert_eq!(parse_price("1500", Currency::Jpy).map(|m| m.minor), Some(1500));
        assert_eq!(parse_price("1500.00", Currency::Jpy).map(|m| m.minor), Some(1500));
    }

    #[test]
    fn image_urls_are_resolved_against_the_page_and_must_be_public_https() {
        let page = Url::parse("https://shop.example/products/lamp").unwrap();
        let image = |raw| image_url(raw, &page);
        assert_eq!(image("/cdn/lamp.jpg").as_deref(), Some("https://shop.example/cdn/lamp.jpg"));
        assert_eq!(image("//cdn.example/a.jpg?v=1").as_deref(), Some("https://cdn.example/a.jpg?v=1"));
        assert_eq!(image("b.png").as_deref(), Some("https://shop.example/products/b.png"));
        for refused in [
            "http://cdn.example/a.jpg",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "https://169.254.169.254/latest/meta-data/x.jpg",
            "https://10.0.0.2/a.jpg",
            "https://[::1]/a.jpg",
            "https://user:pw@cdn.example/a.jpg",
            "https://cdn.example:8443/a.jpg",
            "https://metadata.google.internal/a.jpg",
            "",
        ] {
            assert_eq!(image(refused), None, "{refused}");
        }
        let long = format!("https://cdn.example/{}", "a".repeat(MAX_IMAGE_URL_BYTES));
        assert_eq!(image(&long), None);
    }

    #[test]
    fn availability_reads_schema_org_and_open_graph_spellings() {
        assert_eq!(Availability::parse("https://schema.org/InStock"), Availability::InStock);
        assert_eq!(Availability::parse("http://schema.org/OutOfStock"), Availability::OutOfStock);
        assert_eq!(Availability::parse("schema:PreOrder"), Availability::PreOrder);
        assert_eq!(Availability::parse("in stock"), Availability::InStock);
        assert_eq!(Availability::parse("oos"), Availability::OutOfStock);
        assert_eq!(Availability::parse("LimitedAvailability"), Availability::InStock);
        assert_eq!(Availability::parse("whenever"), Availability::Unknown);
    }

    #[test]
    fn a_currency_code_must_be_three_letters() {
        assert_eq!(currency_code(" usd "), Some("USD".into()));
        assert_eq!(currency_code("SEK"), Some("SEK".into()));
        assert_eq!(currency_code("US$"), None);
        assert_eq!(currency_code("dollars"), None);
    }

    #[test]
    fn a_price_in_an_unsupported_currency_keeps_its_code_but_no_amount() {
        let facts = Facts {
            title: Some("Lamp".into()),
            amount: Some("199.00".into()),
            currency: Some("sek".into()),
            ..Facts::default()
        };
        let product = facts.into_product(&Url::parse("https://shop.example/p").unwrap()).unwrap();
        assert_eq!(product.price, None);
        assert_eq!(product.currency.as_deref(), Some("SEK"));
    }

    #[test]
    fn titles_are_plain_text_on_one_line_and_bounded() {
        let facts =
            Facts { title: Some(format!("<b>Big</b>\n&amp; {}", "x".repeat(400))), ..Facts::default() };
        let product = facts.into_product(&Url::parse("https://shop.example/p").unwrap()).unwrap();
        assert!(product.title.starts_with("Big & xxx"));
        assert_eq!(product.title.chars().count(), MAX_TITLE_CHARS);
    }

    proptest! {
        #[test]
        fn a_plain_decimal_price_reads_as_the_domain_reads_it(whole in 0u32..10_000_000, cents in 0u32..100) {
            let text = format!("{whole}.{cents:02}");
            prop_assert_eq!(parse_price(&text, Currency::Eur), Money::parse_decimal(&text, Currency::Eur).ok());
            prop_assert_eq!(parse_price(&format!("{text}0"), Currency::Eur).map(|m| m.minor), Some(i64::from(whole) * 100 + i64::from(cents)));
        }
    }
}
