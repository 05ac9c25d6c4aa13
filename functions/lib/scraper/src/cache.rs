//! Fetched pages kept for a day, so that research runs across many stores fetch a supplier page
//! once. The fetcher talks to a [`PageCache`]; [`MemoryCache`] serves tests and local runs,
//! [`DynamoCache`] the pipelines (item `pk = scrape#<sha256 of the URL>`, `sk = page`, with a TTL
//! on `expires_at`).

use crate::resolve::BoxFuture;
use anyhow::Context;
use aws_sdk_dynamodb::types::AttributeValue;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use time::OffsetDateTime;

/// How long a page is kept.
pub const PAGE_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// The largest body [`DynamoCache`] stores; DynamoDB items stop at 400 KB.
pub const MAX_STORED_BODY: usize = 300 * 1024;

/// A page as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedPage {
    /// Where the page was finally found, after redirects.
    pub final_url: String,
    /// Its status (always 2xx: only successes are kept).
    pub status: u16,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// Its body.
    pub body: String,
    /// When it was fetched.
    pub fetched_at: OffsetDateTime,
    /// When it stops being served.
    pub expires_at: OffsetDateTime,
}

/// Where fetched pages are kept, by the URL that was asked for.
pub trait PageCache: Send + Sync {
    /// The page kept for `url`, if it has not expired by `now`.
    fn get<'a>(
        &'a self,
        url: &'a str,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, anyhow::Result<Option<CachedPage>>>;

    /// Keeps `page` for `url` until its `expires_at`. An implementation may decline to keep a
    /// page (too large, say) and still answer `Ok`.
    fn put<'a>(&'a self, url: &'a str, page: &'a CachedPage) -> BoxFuture<'a, anyhow::Result<()>>;
}

/// The cache key of `url`: `scrape#` and the SHA-256 of the URL, in hex.
pub fn cache_key(url: &str) -> String {
    format!("scrape#{}", hex::encode(Sha256::digest(url.as_bytes())))
}

/// Pages kept in memory: for tests and local runs.
#[derive(Debug, Default)]
pub struct MemoryCache {
    pages: Mutex<HashMap<String, CachedPage>>,
}

impl MemoryCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many pages are kept, expired ones included.
    pub fn len(&self) -> usize {
        self.pages.lock().expect("not poisoned").len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl PageCache for MemoryCache {
    fn get<'a>(
        &'a self,
        url: &'a str,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, anyhow::Result<Option<CachedPage>>> {
        let page = self.pages.lock().expect("not poisoned").get(&cache_key(url)).cloned();
        Box::pin(async move { Ok(page.filter(|p| p.expires_at > now)) })
    }

    fn put<'a>(&'a self, url: &'a str, page: &'a CachedPage) -> BoxFuture<'a, anyhow::Result<()>> {
        self.pages.lock().expect("not poisoned").insert(cache_key(url), page.clone());
        Box::pin(async { Ok(()) })
    }
}

/// Pages in the pipelines' DynamoDB table (hash key `pk`, range key `sk`, TTL on `expires_at`).
/// Bodies over [`MAX_STORED_BODY`] are not kept. DynamoDB deletes expired items lazily, so reads
/// check `expires_at` themselves.
#[derive(Debug, Clone)]
pub struct DynamoCache {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoCache {
    /// Pages in `table` (the pipelines' `TABLE_NAME`).
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    fn key(url: &str) -> HashMap<String, AttributeValue> {
        HashMap::from([
            ("pk".to_owned(), AttributeValue::S(cache_key(url))),
            ("sk".to_owned(), AttributeValue::S("page".to_owned())),
        ])
    }
}

impl PageCache for DynamoCache {
    fn get<'a>(
        &'a self,
        url: &'a str,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, anyhow::Result<Option<CachedPage>>> {
        Box::pin(async move {
            let output = self
                .client
                .get_item()
                .table_name(&self.table)
                .set_key(Some(Self::key(url)))
                .send()
                .await
                .context("reading a cached page")?;
            let Some(item) = output.item else {
                return Ok(None);
            };
            let page = page_from_item(&item).context("reading a cached page's attributes")?;
            // Two URLs with one digest are not expected; a stored URL that differs is a miss.
            let same_url = item.get("url").and_then(|v| v.as_s().ok()).is_some_and(|u| u == url);
            Ok(page.filter(|p| same_url && p.expires_at > now))
        })
    }

    fn put<'a>(&'a self, url: &'a str, page: &'a CachedPage) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if page.body.len() > MAX_STORED_BODY {
                tracing::debug!(bytes = page.body.len(), "page too large to cache");
                return Ok(());
            }
            let mut item = Self::key(url);
            item.insert("url".into(), AttributeValue::S(url.to_owned()));
            item.insert("final_url".into(), AttributeValue::S(page.final_url.clone()));
            item.insert("status".into(), AttributeValue::N(page.status.to_string()));
            if let Some(content_type) = &page.content_type {
                item.insert("content_type".into(), AttributeValue::S(content_type.clone()));
            }
            item.insert("body".into(), AttributeValue::S(page.body.clone()));
            item.insert("fetched_at".into(), AttributeValue::N(page.fetched_at.unix_timestamp().to_string()));
            item.insert("expires_at".into(), AttributeValue::N(page.expires_at.unix_timestamp().to_string()));
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .send()
                .await
                .context("caching a page")?;
            Ok(())
        })
    }
}

fn page_from_item(item: &HashMap<String, AttributeValue>) -> anyhow::Result<Option<CachedPage>> {
    let s = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
    let n = |name: &str| -> anyhow::Result<i64> {
        let text = item.get(name).and_then(|v| v.as_n().ok()).with_context(|| format!("no `{name}`"))?;
        text.parse().with_context(|| format!("`{name}` is not a whole number"))
    };
    let (Some(final_url), Some(body)) = (s("final_url"), s("body")) else {
        return Ok(None);
    };
    Ok(Some(CachedPage {
        final_url,
        status: u16::try_from(n("status")?).context("`status` is out of range")?,
        content_type: s("content_type"),
        body,
        fetched_at: OffsetDateTime::from_unix_timestamp(n("fetched_at")?)?,
        expires_at: OffsetDateTime::from_unix_timestamp(n("expires_at")?)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn page(expires_at: OffsetDateTime) -> CachedPage {
        CachedPage {
            final_url: "https://shop.example/p".into(),
            status: 200,
            content_type: Some("text/html".into()),
            body: "<html></html>".into(),
            fetched_at: expires_at - PAGE_TTL,
            expires_at,
        }
    }

    #[test]
    fn the_key_is_the_sha256_of_the_url_under_a_scrape_prefix() {
        assert_eq!(
            cache_key("https://shop.example/"),
            format!("scrape#{}", hex::encode(Sha256::digest(b"https://shop.example/")))
        );
        assert_eq!(cache_key("x").len(), "scrape#".len() + 64);
    }

    #[tokio::test]
    async fn a_kept_page_is_served_until_it_expires() {
        let cache = MemoryCache::new();
        let expires = datetime!(2026-11-02 12:00 UTC);
        cache.put("https://shop.example/p", &page(expires)).await.unwrap();
        let before = cache.get("https://shop.example/p", datetime!(2026-11-02 11:59 UTC)).await.unwrap();
        assert_eq!(before, Some(page(expires)));
        assert_eq!(cache.get("https://shop.example/p", expires).await.unwrap(), None);
        assert_eq!(cache.get("https://shop.example/q", datetime!(2026-11-01 0:00 UTC)).await.unwrap(), None);
    }

    #[test]
    fn a_stored_item_reads_back_as_the_page() {
        let expires = datetime!(2026-11-02 12:00 UTC);
        let original = page(expires);
        let mut item = DynamoCache::key("u");
        item.insert("final_url".into(), AttributeValue::S(original.final_url.clone()));
        item.insert("status".into(), AttributeValue::N("200".into()));
        item.insert("content_type".into(), AttributeValue::S("text/html".into()));
        item.insert("body".into(), AttributeValue::S(original.body.clone()));
        item.insert("fetched_at".into(), AttributeValue::N(original.fetched_at.unix_timestamp().to_string()));
        item.insert("expires_at".into(), AttributeValue::N(expires.unix_timestamp().to_string()));
        assert_eq!(page_from_item(&item).unwrap(), Some(original));
    }
}
