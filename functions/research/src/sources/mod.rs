//! Research sources, each an adapter that speaks its service's wire format behind [`Source`].
//!
//! A source either lists products that can be imported (the suppliers of the `suppliers` library:
//! the AliExpress affiliate API, a supplier feed) or brings evidence about products (Reddit posts,
//! competitors' catalogues, Google Trends, TikTok videos), each adapter here. Each is
//! configured from the environment; one with no configuration is skipped, and one that fails or
//! runs out of time lowers the run's coverage and never fails the run.

pub mod competitors;
pub mod links;
pub mod reddit;
pub mod tiktok;
pub mod trends;

use queues::internal_api::SourceCoverage;
use queues::messages::SupplierProduct;
use std::future::Future;
use std::time::Duration;
use suppliers::aliexpress::AliExpress;
use suppliers::feed::SupplierFeed;
use suppliers::{Catalog, Supplier};
use time::OffsetDateTime;

/// How long one source may take before the run goes on without it.
pub const SOURCE_TIMEOUT: Duration = Duration::from_secs(10);

/// The coverage note of a source that has no configuration.
pub const SKIPPED: &str = "skipped: not configured";

/// What a run asks of its sources.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// The store's niche, which steers keyword searches.
    pub niche: &'a str,
    /// When the store was last scanned, so that competitors' products added since can be told.
    pub since: Option<OffsetDateTime>,
}

/// One research source.
///
/// The future is `Send`: the research Lambda runs on a multi-threaded runtime and asks its sources
/// concurrently.
pub trait Source: Send + Sync {
    /// The source's name in coverage reports.
    const NAME: &'static str;

    /// Asks the source. An error means the source gave nothing usable; a partial answer is `Ok`
    /// with its [`Findings::problems`] said.
    fn find(&self, query: &Query<'_>) -> impl Future<Output = anyhow::Result<Findings>> + Send;
}

/// What one source found.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    /// Products that can be imported.
    pub products: Vec<SupplierProduct>,
    /// Social posts that talk about products; `Some` when the source was read, even if empty,
    /// since "nobody talks about it" is a measurement too.
    pub mentions: Option<Vec<reddit::Mention>>,
    /// Products that competitors already sell.
    pub competition: Option<competitors::Competition>,
    /// Interest over time of the niche's keywords; `Some` when the source was read.
    pub trends: Option<Vec<trends::Trend>>,
    /// TikTok videos of the niche; `Some` when the source was read, even if empty.
    pub videos: Option<Vec<tiktok::Video>>,
    /// What went wrong without costing the whole answer (a bad feed row, one subreddit down).
    pub problems: Vec<String>,
}

impl Findings {
    /// How many things the source brought: products, posts or competitor listings.
    pub fn found(&self) -> usize {
        self.products.len()
            + self.mentions.as_ref().map_or(0, Vec::len)
            + self.competition.as_ref().map_or(0, |c| c.products.len())
            + self.trends.as_ref().map_or(0, Vec::len)
            + self.videos.as_ref().map_or(0, Vec::len)
    }
}

/// A supplier's catalogue, as findings.
fn supplied(catalog: Catalog) -> Findings {
    Findings { products: catalog.products, problems: catalog.problems, ..Findings::default() }
}

impl Source for AliExpress {
    const NAME: &'static str = <AliExpress as Supplier>::NAME;

    /// The best sellers for the niche's keywords.
    async fn find(&self, query: &Query<'_>) -> anyhow::Result<Findings> {
        self.catalog(query.niche).await.map(supplied)
    }
}

impl Source for SupplierFeed {
    const NAME: &'static str = <SupplierFeed as Supplier>::NAME;

    /// The feed's products of the niche: a feed lists all it sells, whatever the niche, so the
    /// products whose title and category share no word with the niche are left out.
    async fn find(&self, query: &Query<'_>) -> anyhow::Result<Findings> {
        let mut findings = self.catalog(query.niche).await.map(supplied)?;
        findings.products.retain(|p| of_niche(query.niche, p));
        Ok(findings)
    }
}

/// Words of a niche that say nothing of a product's kind.
const GENERIC_WORDS: &[&str] = &[
    "and",
    "the",
    "for",
    "with",
    "gear",
    "product",
    "supply",
    "supplie",
    "store",
    "shop",
    "item",
    "stuff",
    "good",
    "equipment",
    "essential",
    "accessorie",
    "best",
    "top",
];

/// A word as niches and titles are compared: lower case, without a plural `s`.
fn word_key(word: &str) -> String {
    let word = word.to_lowercase();
    match word.strip_suffix('s') {
        Some(stem) if word.len() > 3 && !stem.ends_with('s') => stem.to_owned(),
        _ => word,
    }
}

fn word_keys(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(word_key)
}

/// Whether a product is of the niche: its title or category has one of the niche's words (those
/// of three letters or more that name a kind of product). A niche without such a word takes
/// every product.
pub fn of_niche(niche: &str, product: &SupplierProduct) -> bool {
    let wanted: Vec<String> =
        word_keys(niche).filter(|w| w.len() > 2 && !GENERIC_WORDS.contains(&w.as_str())).collect();
    if wanted.is_empty() {
        return true;
    }
    let category = product.category.as_deref().unwrap_or_default();
    word_keys(&product.title).chain(word_keys(category)).any(|w| wanted.contains(&w))
}

/// A source's findings with its coverage line.
#[derive(Debug, Clone)]
pub struct Gathered {
    /// What the run report says of the source.
    pub coverage: SourceCoverage,
    /// What it found; empty when it was skipped or failed.
    pub findings: Findings,
}

/// Problems listed in a coverage line at most; the rest are counted.
const PROBLEMS_SHOWN: usize = 5;

/// Asks one source, if configured, within `limit`, and says how it went.
pub async fn gather<S: Source>(source: Option<&S>, query: &Query<'_>, limit: Duration) -> Gathered {
    let coverage = |candidates: usize, error: Option<String>| SourceCoverage {
        source: S::NAME.into(),
        candidates: u32::try_from(candidates).unwrap_or(u32::MAX),
        error,
    };
    let Some(source) = source else {
        return Gathered { coverage: coverage(0, Some(SKIPPED.into())), findings: Findings::default() };
    };
    let error = match tokio::time::timeout(limit, source.find(query)).await {
        Ok(Ok(findings)) => {
            let error = describe(&findings.problems);
            if let Some(error) = &error {
                tracing::warn!(source = S::NAME, error, "source answered in part");
            }
            return Gathered { coverage: coverage(findings.found(), error), findings };
        }
        Ok(Err(error)) => format!("{error:#}"),
        Err(_) => format!("timed out after {} s", limit.as_secs_f32()),
    };
    tracing::warn!(source = S::NAME, error, "source failed; run continues");
    Gathered { coverage: coverage(0, Some(error)), findings: Findings::default() }
}

fn describe(problems: &[String]) -> Option<String> {
    if problems.is_empty() {
        return None;
    }
    let mut text = problems.iter().take(PROBLEMS_SHOWN).cloned().collect::<Vec<_>>().join("; ");
    if problems.len() > PROBLEMS_SHOWN {
        text.push_str(&format!("; and {} more", problems.len() - PROBLEMS_SHOWN));
    }
    Some(text)
}

/// Every source the research stage knows, each `None` when not configured.
pub struct Sources {
    /// The AliExpress affiliate API.
    pub aliexpress: Option<AliExpress>,
    /// Reddit's product-discovery communities.
    pub reddit: Option<reddit::Reddit>,
    /// Competitors' Shopify stores.
    pub competitors: Option<competitors::CompetitorStores>,
    /// A supplier's CSV or JSON feed.
    pub feed: Option<SupplierFeed>,
    /// Google Trends for the niche's keywords.
    pub trends: Option<trends::GoogleTrends>,
    /// TikTok videos of the niche, through an Apify actor.
    pub tiktok: Option<tiktok::TikTok>,
}

impl Sources {
    /// Each source from its environment variables. `http` must not follow redirects (it is used
    /// for signed and authenticated calls); `storefronts` may, since shops move between domains.
    pub fn from_env(http: &reqwest::Client, storefronts: &reqwest::Client) -> anyhow::Result<Self> {
        Ok(Self {
            aliexpress: AliExpress::from_env(http.clone())?,
            reddit: reddit::Reddit::from_env(http.clone())?,
            competitors: competitors::CompetitorStores::from_env(storefronts.clone())?,
            feed: SupplierFeed::from_env(http.clone())?,
            trends: trends::GoogleTrends::from_env(http.clone())?,
            tiktok: tiktok::TikTok::from_env(http.clone())?,
        })
    }

    /// The names of the configured sources, for the cold-start log.
    pub fn configured(&self) -> Vec<&'static str> {
        [
            self.aliexpress.as_ref().map(|_| <AliExpress as Source>::NAME),
            self.reddit.as_ref().map(|_| reddit::Reddit::NAME),
            self.competitors.as_ref().map(|_| competitors::CompetitorStores::NAME),
            self.feed.as_ref().map(|_| <SupplierFeed as Source>::NAME),
            self.trends.as_ref().map(|_| trends::GoogleTrends::NAME),
            self.tiktok.as_ref().map(|_| tiktok::TikTok::NAME),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Asks every source at once, each within `limit` (TikTok within its actor run's own limit,
    /// if longer); one line per source, configured or not.
    pub async fn gather(&self, query: &Query<'_>, limit: Duration) -> Vec<Gathered> {
        let tiktok_limit = self.tiktok.as_ref().map_or(limit, |t| t.time_limit().max(limit));
        let (aliexpress, reddit, competitors, feed, trends, tiktok) = tokio::join!(
            gather(self.aliexpress.as_ref(), query, limit),
            gather(self.reddit.as_ref(), query, limit),
            gather(self.competitors.as_ref(), query, limit),
            gather(self.feed.as_ref(), query, limit),
            gather(self.trends.as_ref(), query, limit),
            gather(self.tiktok.as_ref(), query, tiktok_limit),
        );
        vec![aliexpress, reddit, competitors, feed, trends, tiktok]
    }
}

/// Splits a comma-separated list, dropping blanks.
pub(crate) fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::bail;

    const QUERY: Query<'static> = Query { niche: "pet grooming", since: None };

    struct Slow;
    impl Source for Slow {
        const NAME: &'static str = "slow";
        async fn find(&self, _: &Query<'_>) -> anyhow::Result<Findings> {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(Findings::default())
        }
    }

    struct Broken;
    impl Source for Broken {
        const NAME: &'static str = "broken";
        async fn find(&self, _: &Query<'_>) -> anyhow::Result<Findings> {
            bail!("the service answered 503")
        }
    }

    struct Partial(usize);
    impl Source for Partial {
        const NAME: &'static str = "partial";
        async fn find(&self, _: &Query<'_>) -> anyhow::Result<Findings> {
            Ok(Findings {
                mentions: Some(Vec::new()),
                problems: (0..self.0).map(|i| format!("row {i}: bad")).collect(),
                ..Findings::default()
            })
        }
    }

    #[tokio::test]
    async fn an_unconfigured_source_is_reported_as_skipped_not_failed() {
        let gathered = gather::<Broken>(None, &QUERY, SOURCE_TIMEOUT).await;
        assert_eq!(gathered.coverage.source, "broken");
        assert_eq!(gathered.coverage.candidates, 0);
        assert_eq!(gathered.coverage.error.as_deref(), Some(SKIPPED));
    }

    #[tokio::test]
    async fn a_failing_source_reports_its_error_and_finds_nothing() {
        let gathered = gather(Some(&Broken), &QUERY, SOURCE_TIMEOUT).await;
        assert_eq!(gathered.coverage.error.as_deref(), Some("the service answered 503"));
        assert_eq!(gathered.findings.found(), 0);
    }

    #[tokio::test]
    async fn a_slow_source_is_cut_off_at_its_time_limit() {
        let started = std::time::Instant::now();
        let gathered = gather(Some(&Slow), &QUERY, Duration::from_millis(50)).await;
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(gathered.coverage.error.as_deref(), Some("timed out after 0.05 s"));
    }

    #[tokio::test]
    async fn partial_problems_are_listed_then_counted() {
        let gathered = gather(Some(&Partial(7)), &QUERY, SOURCE_TIMEOUT).await;
        let error = gathered.coverage.error.unwrap();
        assert!(error.starts_with("row 0: bad; row 1: bad"), "{error}");
        assert!(error.ends_with("; and 2 more"), "{error}");
        assert!(gathered.findings.mentions.is_some());
    }

    fn product(title: &str, category: Option<&str>) -> SupplierProduct {
        SupplierProduct {
            source: "feed".into(),
            source_product_id: "1".into(),
            title: title.into(),
            cost: domain::Money::from_minor(100, domain::Currency::Usd),
            list_price: None,
            image_urls: Vec::new(),
            product_url: "https://example.com/1".into(),
            category: category.map(str::to_owned),
            orders_30d: None,
            rating_pct: None,
            shipping_days: None,
        }
    }

    #[test]
    fn a_product_is_of_the_niche_when_its_title_or_category_shares_a_word_with_it() {
        assert!(of_niche("pet grooming", &product("Cat Grass Growing Kit", Some("Pet Supplies"))));
        assert!(of_niche("Camping Gear", &product("Ultralight Tents for camping", None)));
        assert!(of_niche("dogs", &product("Reflective Dog Leash", None)), "plurals are one word");
        assert!(!of_niche("camping gear", &product("Kitchen Gear Organizer", Some("Kitchen"))));
        assert!(!of_niche("underwater basket weaving", &product("Dog Bath Brush", Some("Pet Grooming"))));
        assert!(of_niche("gear", &product("Anything", None)), "a niche without a kind takes all");
    }

    #[test]
    fn lists_drop_blanks_and_spaces() {
        assert_eq!(list(" a, ,b ,"), vec!["a", "b"]);
    }
}
