//! A supplier's product feed at a URL (`SUPPLIER_FEED_URL`), in CSV or JSON.
//!
//! The columns, by name in a header row, in any order (others are ignored):
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `id` | yes | the supplier's product id |
//! | `title` | yes | the product's title |
//! | `cost` | yes | what the store pays, a decimal such as `8.49` (no thousands separators) |
//! | `currency` | no | ISO code of `cost`; USD when empty |
//! | `image_url` | no | the main image, `http(s)://` |
//! | `product_url` | yes | the product's page at the supplier, `http(s)://` |
//! | `orders_30d` | no | orders in the last 30 days, a whole number |
//! | `shipping_days` | no | typical days to deliver, a whole number |
//! | `category` | no | the supplier's category of the product, e.g. `Pet Grooming` |
//!
//! JSON is an array of objects with the same names (or `{"products": [...]}`); numbers may be
//! JSON numbers or strings. The format is told by the `Content-Type`, else by the first character.
//! Rows become [`SupplierProduct`]s with source `feed`; a bad row is skipped and counted, never
//! fatal.

use crate::{Catalog, Supplier};
use anyhow::{bail, Context};
use domain::{Currency, Money};
use queues::messages::SupplierProduct;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::collections::HashMap;

/// The source name, also each product's `source`.
const SOURCE: &str = "feed";

/// Columns a row cannot do without.
const REQUIRED: [&str; 4] = ["id", "title", "cost", "product_url"];

/// A supplier feed.
pub struct SupplierFeed {
    http: reqwest::Client,
    // Feed URLs often carry an access key in their query, so the URL is kept, and reported, as a
    // secret: errors say "the supplier feed", never where it is.
    url: SecretString,
}

impl SupplierFeed {
    /// From `SUPPLIER_FEED_URL`; `None` when it is unset.
    pub fn from_env(http: reqwest::Client) -> anyhow::Result<Option<Self>> {
        Ok(pipeline::config::optional("SUPPLIER_FEED_URL")
            .map(|url| Self::new(http, SecretString::from(url))))
    }

    /// A feed at `url`.
    pub fn new(http: reqwest::Client, url: SecretString) -> Self {
        Self { http, url }
    }
}

impl Supplier for SupplierFeed {
    const NAME: &'static str = SOURCE;

    async fn catalog(&self, _: &str) -> anyhow::Result<Catalog> {
        let response = self
            .http
            .get(self.url.expose_secret())
            .header("accept", "text/csv, application/json;q=0.9")
            .send()
            .await
            .map_err(reqwest::Error::without_url)
            .context("fetching the supplier feed")?;
        let status = response.status();
        if !status.is_success() {
            bail!("the supplier feed answered {status}");
        }
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let body = response
            .text()
            .await
            .map_err(reqwest::Error::without_url)
            .context("reading the supplier feed")?;
        let feed = parse_feed(&body, &content_type)?;
        let mut problems = Vec::new();
        if !feed.rejected.is_empty() {
            let total = feed.products.len() + feed.rejected.len();
            problems.push(format!("skipped {} of {total} rows", feed.rejected.len()));
            problems.extend(feed.rejected);
        }
        Ok(Catalog { products: feed.products, problems })
    }
}

/// A parsed feed.
#[derive(Debug, Clone, Default)]
pub struct Feed {
    /// Its good rows.
    pub products: Vec<SupplierProduct>,
    /// Why each bad row was skipped, e.g. ``row 7: cost `N/A` is not a valid amount``.
    pub rejected: Vec<String>,
}

/// Parses a feed, CSV or JSON as `content_type` (or else its first character) says. Fails only
/// when the whole document is unusable: not CSV or JSON, or missing a required column.
pub fn parse_feed(body: &str, content_type: &str) -> anyhow::Result<Feed> {
    let body = body.trim_start_matches('\u{feff}');
    let json = content_type.contains("json")
        || (!content_type.contains("csv") && body.trim_start().starts_with(['[', '{']));
    if json {
        parse_json(body)
    } else {
        parse_csv(body)
    }
}

fn parse_csv(body: &str) -> anyhow::Result<Feed> {
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(body.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .context("the supplier feed has no CSV header")?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect();
    for column in REQUIRED {
        if !headers.iter().any(|h| h == column) {
            bail!("the supplier feed has no `{column}` column");
        }
    }
    let mut feed = Feed::default();
    for (index, record) in reader.records().enumerate() {
        // Row numbers count the header as row 1, as a spreadsheet shows them.
        let line = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                feed.rejected.push(format!("row {line}: {}", csv_problem(&error)));
                continue;
            }
        };
        let row: HashMap<&str, &str> =
            headers.iter().map(String::as_str).zip(record.iter()).filter(|(_, v)| !v.is_empty()).collect();
        match product(|name| row.get(name).map(|v| (*v).to_owned())) {
            Ok(p) => feed.products.push(p),
            Err(why) => feed.rejected.push(format!("row {line}: {why}")),
        }
    }
    Ok(feed)
}

fn csv_problem(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "not UTF-8".into(),
        _ => "unreadable CSV".into(),
    }
}

fn parse_json(body: &str) -> anyhow::Result<Feed> {
    let document: Value = serde_json::from_str(body).context("the supplier feed is not valid JSON")?;
    let rows = match document {
        Value::Array(rows) => rows,
        Value::Object(mut object) => match object.remove("products") {
            Some(Value::Array(rows)) => rows,
            _ => bail!("the supplier feed's JSON is neither an array nor {{\"products\": [...]}}"),
        },
        _ => bail!("the supplier feed's JSON is neither an array nor {{\"products\": [...]}}"),
    };
    let mut feed = Feed::default();
    for (index, row) in rows.into_iter().enumerate() {
        let line = index + 1;
        let Value::Object(fields) = row else {
            feed.rejected.push(format!("row {line}: not an object"));
            continue;
        };
        let text = |name: &str| match fields.get(name)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            // A JSON number is read by its decimal text, never through float arithmetic.
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match product(text) {
            Ok(p) => feed.products.push(p),
            Err(why) => feed.rejected.push(format!("row {line}: {why}")),
        }
    }
    Ok(feed)
}

/// One row, its fields looked up by column name, into a product; the error says why not.
fn product(field: impl Fn(&str) -> Option<String>) -> Result<SupplierProduct, String> {
    let need = |name: &str| field(name).ok_or_else(|| format!("missing {name}"));
    let id = need("id")?;
    let title = need("title")?;
    let currency: Currency = match field("currency") {
        Some(code) => code
            .to_ascii_uppercase()
            .parse()
            .map_err(|_| format!("currency `{}` is not supported", shown(&code)))?,
        None => Currency::Usd,
    };
    let cost_text = need("cost")?;
    let cost = Money::parse_decimal(&cost_text, currency)
        .ok()
        .filter(|m| m.minor > 0)
        .ok_or_else(|| format!("cost `{}` is not a valid amount", shown(&cost_text)))?;
    let product_url = need("product_url")?;
    if !is_web_url(&product_url) {
        return Err(format!("product_url `{}` is not an http(s) URL", shown(&product_url)));
    }
    let image_urls = match field("image_url") {
        Some(url) if is_web_url(&url) => vec![url],
        Some(url) => return Err(format!("image_url `{}` is not an http(s) URL", shown(&url))),
        None => Vec::new(),
    };
    let whole = |name: &str| -> Result<Option<u64>, String> {
        field(name)
            .map(|v| v.parse::<u64>().map_err(|_| format!("{name} `{}` is not a whole number", shown(&v))))
            .transpose()
    };
    let orders_30d = whole("orders_30d")?;
    let shipping_days = whole("shipping_days")?
        .map(|d| u32::try_from(d).map_err(|_| format!("shipping_days `{d}` is out of range")))
        .transpose()?;
    Ok(SupplierProduct {
        source: SOURCE.into(),
        source_product_id: id,
        title,
        cost,
        list_price: None,
        image_urls,
        product_url,
        category: field("category"),
        orders_30d,
        rating_pct: None,
        shipping_days,
    })
}

fn is_web_url(text: &str) -> bool {
    (text.starts_with("https://") || text.starts_with("http://")) && !text.contains(char::is_whitespace)
}

/// A value as quoted in a problem: short, and on one line.
fn shown(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = include_str!("../../../../local/fixtures/feed/supplier.csv");
    const JSON: &str = include_str!("../../../../local/fixtures/feed/supplier.json");

    #[test]
    fn the_recorded_csv_feed_parses_and_its_bad_row_is_named() {
        let feed = parse_feed(CSV, "text/csv").unwrap();
        assert!(feed.products.len() >= 8, "{}", feed.products.len());
        assert!(feed.products.iter().all(|p| p.source == "feed" && p.cost.minor > 0));
        assert_eq!(feed.rejected, vec!["row 9: cost `N/A` is not a valid amount"]);
        assert!(
            feed.products.iter().any(|p| p.title == r#"Dog Bath Brush, Soft Silicone "Bath Buddy" Massager"#),
            "quoted commas and doubled quotes are read as CSV"
        );
    }

    #[test]
    fn the_recorded_json_feed_parses_into_the_same_products() {
        let json = parse_feed(JSON, "application/json").unwrap();
        let csv = parse_feed(CSV, "text/csv").unwrap();
        assert!(json.rejected.is_empty(), "{:?}", json.rejected);
        assert_eq!(json.products, csv.products);
    }

    #[test]
    fn the_format_is_sniffed_when_the_content_type_says_nothing() {
        assert_eq!(parse_feed(JSON, "").unwrap().products.len(), parse_feed(CSV, "").unwrap().products.len());
    }

    #[test]
    fn costs_are_read_exactly_in_their_currency() {
        let csv = "id,title,cost,currency,product_url\n\
                   a,Lamp,12.5,eur,https://s.example/a\n\
                   b,Bowl,$0.07,,https://s.example/b\n";
        let feed = parse_feed(csv, "text/csv").unwrap();
        assert_eq!(feed.products[0].cost, Money::from_minor(1_250, Currency::Eur));
        assert_eq!(feed.products[1].cost, Money::from_minor(7, Currency::Usd));
    }

    #[test]
    fn each_kind_of_bad_row_is_skipped_with_its_reason() {
        let csv = "\u{feff}id,title,cost,currency,image_url,product_url,orders_30d,shipping_days\n\
                   1,,3.00,,,https://s.example/1,,\n\
                   2,Mat,3.999,,,https://s.example/2,,\n\
                   3,Mat,3.00,XYZ,,https://s.example/3,,\n\
                   4,Mat,3.00,,,ftp://s.example/4,,\n\
                   5,Mat,3.00,,javascript:alert(1),https://s.example/5,,\n\
                   6,Mat,3.00,,,https://s.example/6,1.2k,\n\
                   7,Mat,3.00,,,https://s.example/7,,-2\n\
                   8,Mat,0,,,https://s.example/8,,\n\
                   9,Mat,3.00,,,https://s.example/9,12,7\n";
        let feed = parse_feed(csv, "").unwrap();
        assert_eq!(feed.products.len(), 1);
        assert_eq!(
            feed.rejected,
            vec![
                "row 2: missing title",
                "row 3: cost `3.999` is not a valid amount",
                "row 4: currency `XYZ` is not supported",
                "row 5: product_url `ftp://s.example/4` is not an http(s) URL",
                "row 6: image_url `javascript:alert(1)` is not an http(s) URL",
                "row 7: orders_30d `1.2k` is not a whole number",
                "row 8: shipping_days `-2` is not a whole number",
                "row 9: cost `0` is not a valid amount",
            ]
        );
    }

    #[test]
    fn a_feed_without_a_required_column_is_unusable() {
        let err = parse_feed("id,title,price,product_url\n1,Mat,3.00,https://s.example/1\n", "text/csv")
            .unwrap_err();
        assert!(err.to_string().contains("`cost`"));
    }

    #[test]
    fn json_rows_that_are_not_objects_are_skipped() {
        let feed = parse_feed(
            r#"{"products":[42,{"id":7,"title":"Mat","cost":3.5,"product_url":"https://s.example/7"}]}"#,
            "",
        )
        .unwrap();
        assert_eq!(feed.rejected, vec!["row 1: not an object"]);
        assert_eq!(feed.products[0].source_product_id, "7");
        assert_eq!(feed.products[0].cost.minor, 350);
    }
}
