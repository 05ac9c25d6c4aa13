//! schema.org `Product` data in JSON-LD blocks.
//!
//! Before parsing, every bare JSON number is turned into a string ([`numbers_as_strings`]), so
//! that a price written as `19.99` reaches [`super::parse_price`] as the text `"19.99"`, never as
//! a float.

use super::{html, Availability, Facts};
use serde_json::{Map, Value};

/// How deep into a JSON-LD document a `Product` is looked for.
const MAX_DEPTH: usize = 10;

/// The first `Product` in the page's JSON-LD blocks; blocks that are not valid JSON are skipped.
pub(crate) fn product_facts(page: &str) -> Option<Facts> {
    html::json_ld_blocks(page).into_iter().find_map(|block| {
        let value: Value = serde_json::from_str(&numbers_as_strings(unwrap_block(&block))).ok()?;
        find_product(&value, 0).map(facts)
    })
}

/// A block without the comment or CDATA markers some sites wrap it in.
fn unwrap_block(block: &str) -> &str {
    let mut text = block.trim();
    for (open, close) in
        [("<!--", "-->"), ("//<![CDATA[", "//]]>"), ("/*<![CDATA[*/", "/*]]>*/"), ("<![CDATA[", "]]>")]
    {
        if let Some(inner) = text.strip_prefix(open) {
            text = inner.trim_start();
            text = text.strip_suffix(close).unwrap_or(text).trim();
        }
    }
    text
}

/// JSON text with its bare numbers quoted (`{"price": 19.99}` becomes `{"price": "19.99"}`), and
/// raw control characters inside strings, which are invalid JSON but common in the wild, turned
/// into spaces.
pub(crate) fn numbers_as_strings(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 32);
    let mut chars = json.chars().peekable();
    let (mut in_string, mut escaped) = (false, false);
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                c if (c as u32) < 0x20 => {
                    out.push(' ');
                    continue;
                }
                _ => {}
            }
            out.push(c);
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if c == '-' || c.is_ascii_digit() {
            out.push('"');
            out.push(c);
            while let Some(&next) = chars.peek() {
                if !(next.is_ascii_digit() || matches!(next, '.' | 'e' | 'E' | '+' | '-')) {
                    break;
                }
                out.push(next);
                chars.next();
            }
            out.push('"');
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `node`'s `@type` names a product (`Product`, `ProductGroup`, `schema:Product`,
/// `https://schema.org/Product`, or a list holding one).
fn is_product(node: &Map<String, Value>) -> bool {
    let named = |t: &str| {
        let local = t.rsplit(['/', ':', '#']).next().unwrap_or("");
        matches!(local, "Product" | "ProductGroup" | "IndividualProduct" | "ProductModel" | "SomeProducts")
    };
    match node.get("@type") {
        Some(Value::String(t)) => named(t),
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).any(named),
        _ => false,
    }
}

/// The first product node, depth first (so `@graph` members and a page's `mainEntity` are found).
fn find_product(value: &Value, depth: usize) -> Option<&Map<String, Value>> {
    if depth > MAX_DEPTH {
        return None;
    }
    match value {
        Value::Object(node) if is_product(node) => Some(node),
        // The page's own product is named by these before anything related to it.
        Value::Object(node) => ["@graph", "mainEntity", "mainEntityOfPage", "about", "itemOffered"]
            .iter()
            .filter_map(|key| node.get(*key))
            .chain(node.values())
            .find_map(|v| find_product(v, depth + 1)),
        Value::Array(items) => items.iter().find_map(|v| find_product(v, depth + 1)),
        _ => None,
    }
}

/// A text value: a string, the first string of a list, or a `{"@value": ...}` object.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => items.iter().find_map(|v| text(Some(v))),
        Value::Object(node) => text(node.get("@value")),
        _ => None,
    }
}

fn images(value: Option<&Value>, out: &mut Vec<String>) {
    match value {
        Some(Value::String(url)) => out.push(url.clone()),
        Some(Value::Array(items)) => items.iter().for_each(|v| images(Some(v), out)),
        Some(Value::Object(node)) => {
            if let Some(url) = text(node.get("url").or(node.get("contentUrl")).or(node.get("@id"))) {
                out.push(url);
            }
        }
        _ => {}
    }
}

/// One offer's price, currency and availability.
#[derive(Debug, Default)]
pub(crate) struct Offer {
    pub(crate) amount: Option<String>,
    pub(crate) currency: Option<String>,
    pub(crate) availability: Option<Availability>,
}

fn offers(value: Option<&Value>, out: &mut Vec<Offer>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Some(Value::Array(items)) => items.iter().for_each(|v| offers(Some(v), out, depth + 1)),
        Some(Value::Object(node)) => {
            let specification = node.get("priceSpecification").map(|s| match s {
                Value::Array(items) => items.first().unwrap_or(s),
                _ => s,
            });
            let from_spec = |key: &str| specification.and_then(|s| text(s.get(key)));
            let aggregate =
                node.get("@type").and_then(Value::as_str).is_some_and(|t| t.ends_with("AggregateOffer"));
            let amount = if aggregate {
                text(node.get("lowPrice")).or_else(|| text(node.get("price")))
            } else {
                text(node.get("price")).or_else(|| from_spec("price"))
            };
            out.push(Offer {
                amount,
                currency: text(node.get("priceCurrency")).or_else(|| from_spec("priceCurrency")),
                availability: text(node.get("availability")).map(|a| Availability::parse(&a)),
            });
            // An AggregateOffer may list its offers too.
            offers(node.get("offers"), out, depth + 1);
        }
        _ => {}
    }
}

/// An amount as a number to compare, in millionths; `None` when it is not a plain decimal.
pub(crate) fn decimal_key(amount: &str) -> Option<u128> {
    let amount = amount.trim().replace(',', "");
    let (whole, fraction) = amount.split_once('.').unwrap_or((&amount, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: u128 = whole.parse().ok()?;
    let mut millionths: u128 = 0;
    for (i, digit) in fraction.bytes().take(6).enumerate() {
        millionths += u128::from(digit - b'0') * 10u128.pow(5 - i as u32);
    }
    whole.checked_mul(1_000_000)?.checked_add(millionths)
}

/// The lowest non-zero price among `offers` in the first currency they name, and the best
/// availability (in stock if any offer is).
pub(crate) fn cheapest(offers: &[Offer]) -> (Option<String>, Option<String>, Option<Availability>) {
    let priced: Vec<(&Offer, u128)> = offers
        .iter()
        .filter_map(|o| Some((o, o.amount.as_deref().and_then(decimal_key)?)))
        .filter(|(_, key)| *key > 0)
        .collect();
    let currency = priced.iter().find_map(|(o, _)| o.currency.clone());
    let best = priced
        .iter()
        .filter(|(o, _)| currency.is_none() || o.currency.is_none() || o.currency == currency)
        .min_by_key(|(_, key)| *key)
        .and_then(|(o, _)| o.amount.clone());
    let known = || offers.iter().filter_map(|o| o.availability).filter(|a| *a != Availability::Unknown);
    let availability = if known().any(|a| a == Availability::InStock) {
        Some(Availability::InStock)
    } else {
        known().next()
    };
    (best, currency, availability)
}

fn facts(product: &Map<String, Value>) -> Facts {
    let mut all_offers = Vec::new();
    offers(product.get("offers"), &mut all_offers, 0);
    let mut image_urls = Vec::new();
    images(product.get("image"), &mut image_urls);
    // A ProductGroup prices and pictures its variants.
    if let Some(Value::Array(variants)) = product.get("hasVariant") {
        for variant in variants.iter().take(100) {
            offers(variant.get("offers"), &mut all_offers, 1);
            images(variant.get("image"), &mut image_urls);
        }
    }
    let (amount, currency, availability) = cheapest(&all_offers);
    Facts {
        title: text(product.get("name")),
        description: text(product.get("description")),
        amount,
        currency,
        images: image_urls,
        availability,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bare_numbers_become_strings_and_strings_stay_as_they_are() {
        assert_eq!(
            numbers_as_strings(r#"{"price": 19.99, "n": -1e3, "s": "a 1.5 \"q\" 2", "b": [true, null, 0]}"#),
            r#"{"price": "19.99", "n": "-1e3", "s": "a 1.5 \"q\" 2", "b": [true, null, "0"]}"#
        );
    }

    #[test]
    fn raw_line_breaks_inside_strings_do_not_spoil_the_block() {
        let value: Value =
            serde_json::from_str(&numbers_as_strings("{\"d\": \"line one\nline two\"}")).unwrap();
        assert_eq!(value["d"], "line one line two");
    }

    #[test]
    fn a_float_price_keeps_every_digit_as_written() {
        let block = r#"<script type="application/ld+json">{"@type":"Product","name":"A",
            "offers":{"@type":"Offer","price":0.30000000000000004,"priceCurrency":"USD"}}</script>"#;
        assert_eq!(product_facts(block).unwrap().amount.as_deref(), Some("0.30000000000000004"));
    }

    #[test]
    fn the_cheapest_offer_in_the_first_currency_wins() {
        let offer = |amount: &str, currency: &str| Offer {
            amount: Some(amount.into()),
            currency: Some(currency.into()),
            availability: None,
        };
        let (amount, currency, _) = cheapest(&[
            offer("25.00", "USD"),
            offer("9.00", "EUR"),
            offer("19.50", "USD"),
            offer("0", "USD"),
        ]);
        assert_eq!(amount.as_deref(), Some("19.50"));
        assert_eq!(currency.as_deref(), Some("USD"));
    }

    #[test]
    fn decimal_keys_order_amounts_without_floats() {
        assert!(decimal_key("19.5") > decimal_key("19.49"));
        assert_eq!(decimal_key("1,299.00"), Some(1_299_000_000));
        assert_eq!(decimal_key("abc"), None);
        assert_eq!(decimal_key("-1"), None);
    }

    #[test]
    fn commented_and_cdata_wrapped_blocks_are_unwrapped() {
        assert_eq!(unwrap_block("  <!-- {\"a\":1} -->  "), "{\"a\":1}");
        assert_eq!(unwrap_block("//<![CDATA[\n{\"a\":1}\n//]]>"), "{\"a\":1}");
    }

    proptest! {
        #[test]
        fn quoting_numbers_keeps_every_string_and_every_number_as_written(
            texts in proptest::collection::vec("[ -~\u{e9}]{0,12}", 0..4),
            numbers in proptest::collection::vec("-?(0|[1-9][0-9]{0,8})(\\.[0-9]{1,4})?", 0..4),
        ) {
            let json = serde_json::to_string(&serde_json::json!({"t": texts})).unwrap();
            let json = format!("{{\"n\": [{}], \"s\": {json}}}", numbers.join(", "));
            let value: Value = serde_json::from_str(&numbers_as_strings(&json)).unwrap();
            let read: Vec<&str> = value["n"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            prop_assert_eq!(read, numbers.iter().map(String::as_str).collect::<Vec<_>>());
            prop_assert_eq!(&value["s"]["t"], &serde_json::json!(texts));
        }
    }
}
