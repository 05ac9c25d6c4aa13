//! The fetcher: GET a page the way a polite, guarded crawler does.
//!
//! For each URL, and again for each redirect it leads to (at most
//! [`ScraperConfig::max_redirects`]), the fetcher checks the scheme, port and address
//! ([`AddressPolicy`]), asks the host's robots.txt, waits for the host's rate-limit slot, and
//! retries transient failures. Host names are resolved by the HTTP client through a checking
//! resolver ([`crate::resolve`]), so the address that was checked is the address connected to.
//! Bodies are read up to a limit; successful pages are cached.

use crate::address::{AddressPolicy, Refusal};
use crate::cache::{CachedPage, PageCache};
use crate::config::{ScraperConfig, PRODUCT_TOKEN};
use crate::rate::HostLimiter;
use crate::resolve::{resolve_checked, CheckedResolver, Lookup, ResolveError, SystemLookup};
use crate::retry::{is_retryable_status, parse_retry_after};
use crate::robots::{RobotsRules, MAX_ROBOTS_BYTES};
use anyhow::Context;
use reqwest::header::{ACCEPT, LOCATION, RETRY_AFTER};
use secrecy::ExposeSecret;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use time::OffsetDateTime;
use tokio::time::Instant;
use url::{Host, Url};

/// Sites whose robots.txt is remembered before expired entries are dropped.
const ROBOTS_REMEMBERED: usize = 1_024;

const ACCEPTED: &str = "text/html,application/xhtml+xml,application/ld+json,application/json;q=0.9,*/*;q=0.5";

/// A fetched page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The URL asked for, without its fragment.
    pub url: String,
    /// Where the page was found, after redirects.
    pub final_url: String,
    /// Its status (2xx).
    pub status: u16,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// Its body, decoded as UTF-8 (invalid sequences replaced).
    pub body: String,
    /// Whether it came from the cache.
    pub from_cache: bool,
}

/// Why a page could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The text is not an absolute URL.
    #[error("not an absolute URL: {0}")]
    InvalidUrl(String),
    /// The URL, or an address its host resolves to, may not be fetched. Nothing was sent to it.
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    /// The site's robots.txt disallows the URL for our crawler.
    #[error("robots.txt disallows {0}")]
    DisallowedByRobots(String),
    /// The redirects went on for too long.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// A redirect named no usable location.
    #[error("a {0} redirect without a usable Location")]
    BadRedirect(u16),
    /// The body passed the size limit.
    #[error("the body is larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// The site answered with a status other than 2xx (after retries, for transient ones).
    #[error("the site answered {status}")]
    Status {
        /// The status.
        status: u16,
        /// How long the site asked us to wait, if it did.
        retry_after: Option<Duration>,
    },
    /// The connection failed or timed out (after retries), or DNS failed.
    #[error("request failed: {0}")]
    Transport(String),
}

impl FetchError {
    /// Whether fetching later may succeed, so a queue message should be retried rather than
    /// dropped: transport failures, 429 and transient 5xx answers.
    pub fn is_retryable(&self) -> bool {
        match self {
            FetchError::Transport(_) => true,
            FetchError::Status { status, .. } => is_retryable_status(*status),
            _ => false,
        }
    }
}

/// A raw answer, before it becomes a [`Page`].
struct Fetched {
    final_url: Url,
    status: u16,
    content_type: Option<String>,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

/// Builds a [`Fetcher`].
pub struct FetcherBuilder {
    config: ScraperConfig,
    lookup: Arc<dyn Lookup>,
    cache: Option<Arc<dyn PageCache>>,
}

impl FetcherBuilder {
    /// Resolves host names through `lookup` instead of the system resolver (tests use a
    /// [`crate::StaticLookup`], so that no test ever asks a real DNS server).
    pub fn lookup(mut self, lookup: Arc<dyn Lookup>) -> Self {
        self.lookup = lookup;
        self
    }

    /// Caches pages in `cache`.
    pub fn cache(mut self, cache: Arc<dyn PageCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The fetcher.
    pub fn build(self) -> anyhow::Result<Fetcher> {
        let config = self.config;
        let policy = AddressPolicy { local_mode: config.local_mode };
        let mut trusted_host = None;
        let mut builder = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .pool_max_idle_per_host(2);
        match &config.proxy_url {
            Some(proxy) => {
                // Errors name the variable, never the value: it carries credentials.
                let url = Url::parse(proxy.expose_secret()).ok().context("SCRAPER_PROXY_URL is not a URL")?;
                trusted_host = url.host_str().map(str::to_ascii_lowercase);
                let proxy = reqwest::Proxy::all(url.as_str())
                    .ok()
                    .context("SCRAPER_PROXY_URL cannot be used as a proxy")?;
                builder = builder.proxy(proxy);
            }
            None => builder = builder.no_proxy(),
        }
        let resolver = CheckedResolver { lookup: Arc::clone(&self.lookup), policy, trusted_host };
        let client = builder.dns_resolver(resolver).build().context("building the scraper's HTTP client")?;
        Ok(Fetcher {
            client,
            lookup: self.lookup,
            policy,
            proxied: config.proxy_url.is_some(),
            limiter: HostLimiter::new(config.min_interval),
            robots: Mutex::new(HashMap::new()),
            cache: self.cache,
            config,
        })
    }
}

/// Fetches pages: SSRF-guarded, robots.txt-honouring, rate-limited per host, retried, cached.
/// Share one per process (it is `Send + Sync`): its rate limits and robots cache are per fetcher.
pub struct Fetcher {
    client: reqwest::Client,
    lookup: Arc<dyn Lookup>,
    policy: AddressPolicy,
    proxied: bool,
    limiter: HostLimiter,
    robots: Mutex<HashMap<String, (Arc<RobotsRules>, Instant)>>,
    cache: Option<Arc<dyn PageCache>>,
    config: ScraperConfig,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("policy", &self.policy)
            .field("proxied", &self.proxied)
            .field("cached", &self.cache.is_some())
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    /// A fetcher with `config`, the system resolver and no cache.
    pub fn new(config: ScraperConfig) -> anyhow::Result<Self> {
        Self::builder(config).build()
    }

    /// A builder, to choose the resolver and the cache.
    pub fn builder(config: ScraperConfig) -> FetcherBuilder {
        FetcherBuilder { config, lookup: Arc::new(SystemLookup), cache: None }
    }

    /// The address policy in force.
    pub fn policy(&self) -> AddressPolicy {
        self.policy
    }

    /// Fetches `url` (from the cache when it holds it). Anything but a 2xx answer is an error.
    pub async fn fetch(&self, url: &str) -> Result<Page, FetchError> {
        let mut url = Url::parse(url.trim()).map_err(|_| FetchError::InvalidUrl(excerpt(url)))?;
        url.set_fragment(None);
        let key = url.as_str().to_owned();
        if let Some(page) = self.cached(&key).await {
            return Ok(page);
        }
        let fetched = self.get(url, true, self.config.max_body_bytes, false).await?;
        if !(200..300).contains(&fetched.status) {
            return Err(FetchError::Status { status: fetched.status, retry_after: fetched.retry_after });
        }
        let page = Page {
            url: key,
            final_url: fetched.final_url.into(),
            status: fetched.status,
            content_type: fetched.content_type,
            body: String::from_utf8_lossy(&fetched.body).into_owned(),
            from_cache: false,
        };
        self.keep(&page).await;
        Ok(page)
    }

    /// Fetches `url` as bytes (an image, say), never from or into the page cache, with every
    /// guard of [`Fetcher::fetch`]; a body over `limit` bytes fails. Answers the bytes and the
    /// `Content-Type`.
    pub async fn fetch_bytes(
        &self,
        url: &str,
        limit: usize,
    ) -> Result<(Vec<u8>, Option<String>), FetchError> {
        let mut url = Url::parse(url.trim()).map_err(|_| FetchError::InvalidUrl(excerpt(url)))?;
        url.set_fragment(None);
        let fetched = self.get(url, true, limit, false).await?;
        if !(200..300).contains(&fetched.status) {
            return Err(FetchError::Status { status: fetched.status, retry_after: fetched.retry_after });
        }
        Ok((fetched.body, fetched.content_type))
    }

    async fn cached(&self, key: &str) -> Option<Page> {
        let cache = self.cache.as_ref()?;
        match cache.get(key, OffsetDateTime::now_utc()).await {
            Ok(Some(kept)) => Some(Page {
                url: key.to_owned(),
                final_url: kept.final_url,
                status: kept.status,
                content_type: kept.content_type,
                body: kept.body,
                from_cache: true,
            }),
            Ok(None) => None,
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "page cache unreadable; fetching");
                None
            }
        }
    }

    async fn keep(&self, page: &Page) {
        let Some(cache) = &self.cache else { return };
        let now = OffsetDateTime::now_utc();
        let kept = CachedPage {
            final_url: page.final_url.clone(),
            status: page.status,
            content_type: page.content_type.clone(),
            body: page.body.clone(),
            fetched_at: now,
            expires_at: now + self.config.cache_ttl,
        };
        if let Err(error) = cache.put(&page.url, &kept).await {
            tracing::warn!(error = format!("{error:#}"), "page not cached");
        }
    }

    /// GETs `url`, following redirects with every hop checked. `robots` says whether robots.txt
    /// is consulted (not for robots.txt itself); a body over `limit` fails, or is cut when
    /// `truncate`.
    async fn get(
        &self,
        mut url: Url,
        robots: bool,
        limit: usize,
        truncate: bool,
    ) -> Result<Fetched, FetchError> {
        for _ in 0..=self.config.max_redirects {
            self.check_target(&url).await?;
            if robots {
                self.check_robots(&url).await?;
            }
            let mut response = self.send(&url).await?;
            let status = response.status().as_u16();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let next = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok())
                    .ok_or(FetchError::BadRedirect(status))?;
                tracing::debug!(from = %url, to = %next, status, "redirect");
                url = next;
                url.set_fragment(None);
                continue;
            }
            let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let content_type = header(reqwest::header::CONTENT_TYPE);
            let retry_after = header(RETRY_AFTER).and_then(|v| parse_retry_after(&v, SystemTime::now()));
            let body = read_body(&mut response, limit, truncate).await?;
            return Ok(Fetched { final_url: url, status, content_type, retry_after, body });
        }
        Err(FetchError::TooManyRedirects(self.config.max_redirects))
    }

    /// Everything knowable before connecting. Without a proxy, the addresses of a host name are
    /// checked by the client's resolver as it connects; through a proxy, which resolves names
    /// itself, they are checked here.
    async fn check_target(&self, url: &Url) -> Result<(), FetchError> {
        self.policy.check_url(url)?;
        if let (true, Some(Host::Domain(name))) = (self.proxied, url.host()) {
            resolve_checked(self.lookup.as_ref(), self.policy, name).await.map_err(|error| match error {
                ResolveError::Refused(refusal) => FetchError::Refused(refusal),
                ResolveError::Lookup(error) => FetchError::Transport(format!("DNS lookup failed: {error}")),
            })?;
        }
        Ok(())
    }

    async fn check_robots(&self, url: &Url) -> Result<(), FetchError> {
        let rules = self.robots_for(url).await?;
        let path = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        if rules.is_allowed(&path) {
            Ok(())
        } else {
            Err(FetchError::DisallowedByRobots(url.to_string()))
        }
    }

    /// The rules of `url`'s site, from memory or fetched. A refusal while fetching robots.txt
    /// (the host resolves to a refused address, or robots.txt redirects to one) refuses the page
    /// too, and is not remembered: the next fetch meets the same refusal, before connecting.
    async fn robots_for(&self, url: &Url) -> Result<Arc<RobotsRules>, FetchError> {
        let origin = url.origin().ascii_serialization();
        if let Some((rules, until)) = self.robots.lock().expect("not poisoned").get(&origin) {
            if *until > Instant::now() {
                return Ok(Arc::clone(rules));
            }
        }
        let robots_url = url.join("/robots.txt").expect("an http(s) URL joins an absolute path");
        let answer = Box::pin(self.get(robots_url, false, MAX_ROBOTS_BYTES, true)).await;
        let rules = match answer {
            Ok(fetched) => RobotsRules::for_status(fetched.status).unwrap_or_else(|| {
                RobotsRules::parse(&String::from_utf8_lossy(&fetched.body), PRODUCT_TOKEN)
            }),
            // Google treats robots.txt lost in redirects as absent.
            Err(FetchError::TooManyRedirects(_) | FetchError::BadRedirect(_)) => RobotsRules::AllowAll,
            Err(refused @ FetchError::Refused(_)) => return Err(refused),
            Err(error) => {
                tracing::info!(%origin, %error, "robots.txt unreadable; not crawling the site for now");
                RobotsRules::DisallowAll
            }
        };
        let ttl = match rules {
            RobotsRules::DisallowAll => self.config.robots_failure_ttl,
            _ => self.config.robots_ttl,
        };
        let rules = Arc::new(rules);
        let mut remembered = self.robots.lock().expect("not poisoned");
        if remembered.len() >= ROBOTS_REMEMBERED {
            let now = Instant::now();
            remembered.retain(|_, (_, until)| *until > now);
        }
        remembered.insert(origin, (Arc::clone(&rules), Instant::now() + ttl));
        Ok(rules)
    }

    /// Sends one GET, retrying transient failures; answers the last response when retries run
    /// out on a transient status.
    async fn send(&self, url: &Url) -> Result<reqwest::Response, FetchError> {
        let host = url.host_str().unwrap_or_default();
        let mut retry = 0;
        loop {
            self.limiter.acquire(host).await;
            let (status, retry_after, outcome) =
                match self.client.get(url.clone()).header(ACCEPT, ACCEPTED).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        if !is_retryable_status(status) {
                            return Ok(response);
                        }
                        let retry_after = response
                            .headers()
                            .get(RETRY_AFTER)
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| parse_retry_after(v, SystemTime::now()));
                        (Some(status), retry_after, Ok(response))
                    }
                    Err(error) => {
                        if let Some(refusal) = refusal_in(&error) {
                            return Err(FetchError::Refused(refusal));
                        }
                        (None, None, Err(FetchError::Transport(describe(&error))))
                    }
                };
            match self.config.retry.delay(status, retry_after, retry, fastrand::f64()) {
                Some(wait) => {
                    tracing::warn!(%host, ?status, retry, wait_ms = wait.as_millis() as u64, "fetch failed; retrying");
                    tokio::time::sleep(wait).await;
                    retry += 1;
                }
                None => return outcome,
            }
        }
    }
}

/// The refusal raised by [`CheckedResolver`], found in the client error's chain of causes.
fn refusal_in(error: &reqwest::Error) -> Option<Refusal> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if let Some(ResolveError::Refused(refusal)) = current.downcast_ref::<ResolveError>() {
            return Some(refusal.clone());
        }
        cause = current.source();
    }
    None
}

/// A transport error with its causes, which carry the useful part ("connection refused").
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(current) = cause {
        text.push_str(": ");
        text.push_str(&current.to_string());
        cause = current.source();
    }
    text
}

async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
    truncate: bool,
) -> Result<Vec<u8>, FetchError> {
    if !truncate && response.content_length().is_some_and(|length| length > limit as u64) {
        return Err(FetchError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|error| FetchError::Transport(describe(&error)))? {
        if body.len() + chunk.len() > limit {
            if truncate {
                body.extend_from_slice(&chunk[..limit - body.len()]);
                break;
            }
            return Err(FetchError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn excerpt(text: &str) -> String {
    text.chars().take(80).collect()
}
