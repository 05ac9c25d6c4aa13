//! Competitors' Shopify stores, read through Shopify's public catalogue,
//! `GET {store}/products.json?limit=250&page=N`, paged until an empty page or a page limit.
//!
//! Competitors' products are not import candidates: they tell how contested a candidate is
//! (see [`crate::evidence`]). A product created after the store's last scan is marked new, for
//! the "competitors are already testing it" report.

use super::{list, Findings, Query, Source};
use anyhow::{bail, ensure, Context};
use domain::{Currency, Money};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Shopify's largest page.
const PAGE_SIZE: u32 = 250;

/// How the competitor source is configured.
#[derive(Debug, Clone)]
pub struct CompetitorConfig {
    /// The stores' base URLs (`COMPETITOR_STORES`, comma-separated; `https://` is assumed).
    pub stores: Vec<String>,
    /// Pages read per store at most (`COMPETITOR_MAX_PAGES`, default 4, i.e. 1,000 products).
    pub max_pages: u32,
    /// The currency the stores price in (`COMPETITOR_CURRENCY`, default USD); `products.json`
    /// does not say.
    pub currency: Currency,
}

impl CompetitorConfig {
    /// Reads the configuration through `var`; `None` when `COMPETITOR_STORES` is unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Option<Self>> {
        let Some(stores) = var("COMPETITOR_STORES") else {
            return Ok(None);
        };
        let stores: Vec<String> = list(&stores)
            .into_iter()
            .map(|s| {
                let s = s.trim_end_matches('/');
                if s.starts_with("https://") || s.starts_with("http://") {
                    s.to_owned()
                } else {
                    format!("https://{s}")
                }
            })
            .collect();
        ensure!(!stores.is_empty(), "COMPETITOR_STORES names no store");
        let max_pages = match var("COMPETITOR_MAX_PAGES") {
            Some(pages) => pages.parse().ok().filter(|p| *p > 0).with_context(|| {
                format!("COMPETITOR_MAX_PAGES: `{pages}` is not a positive number of pages")
            })?,
            None => 4,
        };
        let currency = match var("COMPETITOR_CURRENCY") {
            Some(code) => code.parse().with_context(|| format!("COMPETITOR_CURRENCY: `{code}`"))?,
            None => Currency::Usd,
        };
        Ok(Some(Self { stores, max_pages, currency }))
    }
}

/// What competitors sell.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Competition {
    /// Stores whose catalogue could be read; signals are shares of these.
    pub stores_scanned: u32,
    /// Their products.
    pub products: Vec<CompetitorProduct>,
}

impl Competition {
    /// Products created since the last scan.
    pub fn new_products(&self) -> impl Iterator<Item = &CompetitorProduct> {
        self.products.iter().filter(|p| p.new_since_last_scan)
    }
}

/// One product in a competitor's catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct CompetitorProduct {
    /// The store, as configured less its scheme (e.g. `pawsandclaws.example`).
    pub store: String,
    /// Shopify's product id.
    pub id: u64,
    /// The product's title (untrusted text).
    pub title: String,
    /// Its handle, the last part of its URL.
    pub handle: String,
    /// Its page in the store.
    pub url: String,
    /// When the store created it.
    pub created_at: Option<OffsetDateTime>,
    /// Its lowest variant price.
    pub price: Option<Money>,
    /// Its first image.
    pub image_url: Option<String>,
    /// Whether it was created after the scan's `since`.
    pub new_since_last_scan: bool,
}

/// A reader of competitors' public catalogues.
pub struct CompetitorStores {
    http: reqwest::Client,
    config: CompetitorConfig,
}

impl CompetitorStores {
    /// From `COMPETITOR_*` variables; `None` when no store is configured.
    pub fn from_env(http: reqwest::Client) -> anyhow::Result<Option<Self>> {
        Ok(CompetitorConfig::from_vars(pipeline::config::optional)?.map(|config| Self::new(http, config)))
    }

    /// A reader with this configuration.
    pub fn new(http: reqwest::Client, config: CompetitorConfig) -> Self {
        Self { http, config }
    }

    /// One store's catalogue, page after page. Unreadable products are skipped and counted.
    pub async fn catalogue(
        &self,
        store: &str,
        since: Option<OffsetDateTime>,
    ) -> anyhow::Result<(Vec<CompetitorProduct>, usize)> {
        let label = label(store);
        let (mut products, mut unreadable) = (Vec::new(), 0);
        for page in 1..=self.config.max_pages {
            let response = self
                .http
                .get(format!("{store}/products.json?limit={PAGE_SIZE}&page={page}"))
                .header("accept", "application/json")
                .send()
                .await
                .with_context(|| format!("{label}: fetching page {page}"))?;
            let status = response.status();
            ensure!(status.is_success(), "{label}: page {page} answered {status}");
            let body = response.text().await.with_context(|| format!("{label}: reading page {page}"))?;
            let (found, skipped) = parse_products(store, &body, self.config.currency, since)
                .with_context(|| format!("{label}: page {page}"))?;
            unreadable += skipped;
            if found.is_empty() && skipped == 0 {
                return Ok((products, unreadable));
            }
            products.extend(found);
        }
        tracing::info!(
            store = label,
            pages = self.config.max_pages,
            "competitor catalogue cut at the page limit"
        );
        Ok((products, unreadable))
    }
}

impl Source for CompetitorStores {
    const NAME: &'static str = "competitors";

    /// Every store at once; stores that fail are listed as problems, and the source fails only if
    /// none can be read.
    async fn find(&self, query: &Query<'_>) -> anyhow::Result<Findings> {
        let answers = futures_util::future::join_all(
            self.config.stores.iter().map(|store| self.catalogue(store, query.since)),
        )
        .await;
        let mut findings = Findings::default();
        let mut competition = Competition::default();
        for (store, answer) in self.config.stores.iter().zip(answers) {
            match answer {
                Ok((products, unreadable)) => {
                    competition.stores_scanned += 1;
                    competition.products.extend(products);
                    if unreadable > 0 {
                        findings
                            .problems
                            .push(format!("{}: skipped {unreadable} unreadable products", label(store)));
                    }
                }
                Err(error) => findings.problems.push(format!("{error:#}")),
            }
        }
        if competition.stores_scanned == 0 {
            bail!("no competitor store could be read: {}", findings.problems.join("; "));
        }
        findings.competition = Some(competition);
        Ok(findings)
    }
}

fn label(store: &str) -> &str {
    store.split_once("://").map_or(store, |(_, rest)| rest)
}

#[derive(Deserialize)]
struct Page {
    products: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Product {
    id: u64,
    title: String,
    handle: String,
    created_at: Option<String>,
    #[serde(default)]
    variants: Vec<Variant>,
    #[serde(default)]
    images: Vec<Image>,
}

#[derive(Deserialize)]
struct Variant {
    price: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Image {
    src: String,
}

/// Reads one `products.json` page of the store at `store` (its base URL): the products, and how
/// many were unreadable. Variant prices are decimal strings, read exactly.
pub fn parse_products(
    store: &str,
    body: &str,
    currency: Currency,
    since: Option<OffsetDateTime>,
) -> anyhow::Result<(Vec<CompetitorProduct>, usize)> {
    let page: Page = serde_json::from_str(body).context("not a Shopify products page")?;
    let total = page.products.len();
    let products: Vec<CompetitorProduct> = page
        .products
        .into_iter()
        .filter_map(|value| serde_json::from_value::<Product>(value).ok())
        .filter(|p| !p.title.trim().is_empty())
        .map(|p| {
            let created_at = p.created_at.as_deref().and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok());
            let price = p
                .variants
                .iter()
                .filter_map(|v| match v.price.as_ref()? {
                    serde_json::Value::String(s) => Money::parse_decimal(s, currency).ok(),
                    // Some themes' proxies answer numbers; their decimal text is read, not a float.
                    serde_json::Value::Number(n) => Money::parse_decimal(&n.to_string(), currency).ok(),
                    _ => None,
                })
                .min_by_key(|m| m.minor);
            CompetitorProduct {
                store: label(store).to_owned(),
                id: p.id,
                url: format!("{store}/products/{}", p.handle),
                title: p.title,
                handle: p.handle,
                new_since_last_scan: matches!((since, created_at), (Some(s), Some(c)) if c > s),
                created_at,
                price,
                image_url: p.images.into_iter().map(|i| i.src).find(|u| u.starts_with("https://")),
            }
        })
        .collect();
    let unreadable = total - products.len();
    Ok((products, unreadable))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use time::macros::datetime;

    const RECORDED: &str = include_str!("../../../../local/fixtures/shopify/pawsandclaws.json");
    const STORE: &str = "https://pawsandclaws.example";

    #[test]
    fn the_recorded_catalogue_parses_with_exact_prices() {
        let (products, unreadable) = parse_products(STORE, RECORDED, Currency::Usd, None).unwrap();
        assert_eq!(unreadable, 0);
        assert!(products.len() >= 8, "{}", products.len());
        let brush = products.iter().find(|p| p.title.contains("Slicker Brush")).unwrap();
        assert_eq!(brush.store, "pawsandclaws.example");
        assert!(brush.url.starts_with("https://pawsandclaws.example/products/"));
        assert!(brush.price.unwrap().minor > 0);
        assert!(brush.created_at.is_some());
        assert!(brush.image_url.as_deref().unwrap().starts_with("https://cdn.shopify.com/"));
        assert!(products.iter().all(|p| !p.new_since_last_scan), "nothing is new without a last scan");
    }

    #[test]
    fn the_lowest_variant_price_is_kept_and_bad_prices_are_ignored() {
        let body = r#"{"products":[{"id":1,"title":"Lamp","handle":"lamp","variants":[
            {"price":"24.95"},{"price":"19.90"},{"price":"n/a"},{"price":"12.345"}],"images":[]}]}"#;
        let (products, _) = parse_products(STORE, body, Currency::Usd, None).unwrap();
        assert_eq!(products[0].price, Some(Money::from_minor(1_990, Currency::Usd)));
    }

    #[test]
    fn products_created_after_the_last_scan_are_new() {
        let body = r#"{"products":[
            {"id":1,"title":"Old","handle":"old","created_at":"2024-04-01T10:00:00-04:00"},
            {"id":2,"title":"Fresh","handle":"fresh","created_at":"2024-06-02T10:00:00-04:00"}]}"#;
        let since = datetime!(2024-06-01 00:00 UTC);
        let (products, _) = parse_products(STORE, body, Currency::Usd, Some(since)).unwrap();
        let competition = Competition { stores_scanned: 1, products };
        let new: Vec<&str> = competition.new_products().map(|p| p.title.as_str()).collect();
        assert_eq!(new, vec!["Fresh"]);
    }

    #[test]
    fn an_unreadable_product_is_counted_not_fatal() {
        let body = r#"{"products":[{"id":"x"},{"id":2,"title":"Bowl","handle":"bowl"}]}"#;
        let (products, unreadable) = parse_products(STORE, body, Currency::Usd, None).unwrap();
        assert_eq!((products.len(), unreadable), (1, 1));
    }

    #[test]
    fn a_page_that_is_not_a_catalogue_is_an_error() {
        assert!(parse_products(STORE, "<html>Enter store password</html>", Currency::Usd, None).is_err());
    }

    #[test]
    fn stores_are_read_from_a_list_and_default_to_https() {
        let vars: HashMap<&str, &str> =
            HashMap::from([("COMPETITOR_STORES", "pawsandclaws.example/, http://127.0.0.1:9101/shops/x")]);
        let config = CompetitorConfig::from_vars(|n| vars.get(n).map(|v| (*v).to_owned())).unwrap().unwrap();
        assert_eq!(config.stores, vec!["https://pawsandclaws.example", "http://127.0.0.1:9101/shops/x"]);
        assert_eq!((config.max_pages, config.currency), (4, Currency::Usd));
        assert!(CompetitorConfig::from_vars(|_| None).unwrap().is_none());
    }
}
