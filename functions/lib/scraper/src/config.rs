//! The fetcher's settings, read once from the environment; a bad variable fails with its name.
//!
//! | variable | meaning |
//! |---|---|
//! | `SCRAPER_ALLOW_LOOPBACK` | `1` in the local stack and tests only: loopback addresses and any port may be fetched (never private ranges or metadata) |
//! | `SCRAPER_PROXY_URL` | an `http://` or `https://` proxy every request goes through, credentials in its user info; kept secret, never logged |
//! | `SCRAPER_MIN_INTERVAL_MS` | the least time between two requests to one host (default 1000) |
//! | `TABLE_NAME` | the pipelines' DynamoDB table, for [`crate::DynamoCache`] |

use crate::retry::RetryPolicy;
use anyhow::{bail, ensure, Context};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// The user agent the scraper announces itself with.
pub const USER_AGENT: &str = "DropshipResearchBot/0.1 (+https://dropship.example/bot)";

/// The product token robots.txt groups are matched against.
pub const PRODUCT_TOKEN: &str = "DropshipResearchBot";

/// How the fetcher behaves.
#[derive(Debug, Clone)]
pub struct ScraperConfig {
    /// Local mode: loopback addresses and any port may be fetched. Never in production.
    pub local_mode: bool,
    /// The proxy every request goes through, if any.
    pub proxy_url: Option<SecretString>,
    /// The least time between two requests to one host.
    pub min_interval: Duration,
    /// The largest body read; a larger one fails the fetch.
    pub max_body_bytes: usize,
    /// Redirects followed at most.
    pub max_redirects: usize,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for one request, from sending to the last byte of the body.
    pub request_timeout: Duration,
    /// How failed requests are retried.
    pub retry: RetryPolicy,
    /// How long a fetched page is cached.
    pub cache_ttl: Duration,
    /// How long a site's robots.txt rules are kept.
    pub robots_ttl: Duration,
    /// How long "disallow all" is kept after robots.txt could not be read (5xx, unreachable).
    pub robots_failure_ttl: Duration,
    /// The user agent sent.
    pub user_agent: String,
    /// The pipelines' table (`TABLE_NAME`), for a DynamoDB page cache.
    pub table: Option<String>,
}

impl Default for ScraperConfig {
    /// Production's settings: no loopback, no proxy, one request per second per host.
    fn default() -> Self {
        Self {
            local_mode: false,
            proxy_url: None,
            min_interval: Duration::from_secs(1),
            max_body_bytes: 2 * 1024 * 1024,
            max_redirects: 5,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            retry: RetryPolicy::default(),
            cache_ttl: crate::cache::PAGE_TTL,
            robots_ttl: Duration::from_secs(24 * 60 * 60),
            robots_failure_ttl: Duration::from_secs(10 * 60),
            user_agent: USER_AGENT.to_owned(),
            table: None,
        }
    }
}

impl ScraperConfig {
    /// Reads the process environment (empty counts as unset).
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads variables through `get`, which answers `None` for unset ones.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let local_mode = match get("SCRAPER_ALLOW_LOOPBACK").as_deref() {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => bail!("SCRAPER_ALLOW_LOOPBACK `{other}` is not 1 or 0"),
        };
        let mut config = Self { local_mode, table: get("TABLE_NAME"), ..Self::default() };
        if let Some(proxy) = get("SCRAPER_PROXY_URL") {
            let proxy = SecretString::from(proxy);
            // The value carries credentials: errors name the variable, never the value.
            let usable = url::Url::parse(proxy.expose_secret())
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
            ensure!(usable, "SCRAPER_PROXY_URL is not an http:// or https:// URL with a host");
            config.proxy_url = Some(proxy);
        }
        if let Some(ms) = get("SCRAPER_MIN_INTERVAL_MS") {
            let ms: u64 = ms.parse().with_context(|| {
                format!("SCRAPER_MIN_INTERVAL_MS `{ms}` is not a whole number of milliseconds")
            })?;
            config.min_interval = Duration::from_millis(ms);
        }
        Ok(config)
    }

    /// Settings for tests against a server on 127.0.0.1: local mode, no spacing, short retries.
    pub fn for_local_tests() -> Self {
        Self {
            local_mode: true,
            min_interval: Duration::ZERO,
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(40),
                max_retry_after: Duration::from_secs(2),
            },
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> anyhow::Result<ScraperConfig> {
        let vars: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ScraperConfig::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_are_production_safe() {
        let config = read(&[]).unwrap();
        assert!(!config.local_mode);
        assert!(config.proxy_url.is_none());
        assert_eq!(config.min_interval, Duration::from_secs(1));
        assert_eq!(config.max_body_bytes, 2 * 1024 * 1024);
        assert_eq!(config.max_redirects, 5);
    }

    #[test]
    fn loopback_is_allowed_only_when_asked_for_with_1() {
        assert!(read(&[("SCRAPER_ALLOW_LOOPBACK", "1")]).unwrap().local_mode);
        assert!(!read(&[("SCRAPER_ALLOW_LOOPBACK", "0")]).unwrap().local_mode);
        let error = read(&[("SCRAPER_ALLOW_LOOPBACK", "yes")]).unwrap_err();
        assert!(error.to_string().contains("SCRAPER_ALLOW_LOOPBACK"));
    }

    #[test]
    fn a_bad_proxy_url_is_reported_without_its_credentials() {
        let error = read(&[("SCRAPER_PROXY_URL", "socks5://user:hunter2@proxy.example:1080")]).unwrap_err();
        let message = format!("{error:#}");
        assert!(message.contains("SCRAPER_PROXY_URL"));
        assert!(!message.contains("hunter2"));
        let config = read(&[("SCRAPER_PROXY_URL", "http://user:hunter2@proxy.example:3128")]).unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
    }

    #[test]
    fn the_interval_and_table_are_read() {
        let config = read(&[("SCRAPER_MIN_INTERVAL_MS", "2500"), ("TABLE_NAME", "pipeline")]).unwrap();
        assert_eq!(config.min_interval, Duration::from_millis(2500));
        assert_eq!(config.table.as_deref(), Some("pipeline"));
        assert!(read(&[("SCRAPER_MIN_INTERVAL_MS", "1s")]).is_err());
    }
}
