//! Host routing records and cache versions in KV.
//!
//! KV is eventually consistent (up to ~60 s between locations) and takes about one write per
//! second per key, so it holds only what changes rarely: which store a host serves, and a store's
//! cache version. The isolate keeps records it has read for [`ISOLATE_TTL_MS`] so that a busy
//! storefront does not read KV on every request.

use domain::placement::ShardIndex;
use domain::{Currency, StoreHost, StoreId, StoreStatus, TenantId};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use worker::kv::KvStore;

/// How long an isolate trusts a record it read. Bounds how late a storefront sees a change.
pub const ISOLATE_TTL_MS: f64 = 5_000.0;
/// Records kept per isolate at most; the oldest half is dropped past that.
const ISOLATE_CACHE_MAX: usize = 4_096;

/// What a host serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingRecord {
    /// The store.
    pub store_id: StoreId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// The store database shard it lives on.
    pub shard: ShardIndex,
    /// Whether shoppers may see it.
    pub status: StoreStatus,
    /// The store's display name.
    pub name: String,
    /// The currency it sells in.
    pub currency: Currency,
    /// The look the merchant chose; absent in records written before themes existed.
    #[serde(default)]
    pub look: StoreLook,
    /// Whether the store takes orders: its payout account can receive the money. Absent, and so
    /// false, in records written before payouts existed.
    #[serde(default)]
    pub accepts_orders: bool,
    /// The store's target market (ISO 3166-1 alpha-2): where it ships until its merchant sets
    /// shipping countries. Empty in records written before it was kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub market: String,
}

/// How a store's pages look: theme, brand colour, logo, font, hero image, announcement and menu,
/// chosen in the store's settings. Fields added after the first are absent from older records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreLook {
    /// `classic`, `bold` or `minimal`.
    pub theme: String,
    /// The brand colour as `#rrggbb`.
    pub brand_color: String,
    /// An absolute `https:` (or local `http:`) URL of the logo, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// The font stack: `system`, `humanist`, `serif`, `rounded`, `inter` or `lora`.
    #[serde(default = "system_font")]
    pub font: String,
    /// An absolute `https:` (or local `http:`) URL of the home page's banner image, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hero_image_url: Option<String>,
    /// The announcement bar's text; empty for no bar.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub announcement: String,
    /// The header menu: collections in the merchant's order, each a [`MenuLink::entry`]. Text
    /// rather than a struct: a struct's deserializer costs the storefront's wasm 2.8 KB.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub menu: Vec<String>,
}

/// A collection in a store's menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuLink {
    /// The collection's slug (`a-z`, `0-9` and `-`).
    pub slug: String,
    /// Its title when the menu was saved.
    pub title: String,
}

impl MenuLink {
    /// The link as [`StoreLook::menu`] holds it: `<slug> <title>` (a slug has no space).
    pub fn entry(&self) -> String {
        format!("{} {}", self.slug, self.title)
    }

    /// The slug and title of an entry; `None` for text that is not one.
    pub fn parse(entry: &str) -> Option<(&str, &str)> {
        // A byte search: `split_once` brings a char searcher into the storefront's wasm.
        let space = entry.bytes().position(|b| b == b' ').filter(|at| *at > 0)?;
        Some((&entry[..space], &entry[space + 1..]))
    }
}

fn system_font() -> String {
    "system".into()
}

impl Default for StoreLook {
    fn default() -> Self {
        Self {
            theme: "classic".into(),
            brand_color: "#1d4ed8".into(),
            logo_url: None,
            font: system_font(),
            hero_image_url: None,
            announcement: String::new(),
            menu: Vec::new(),
        }
    }
}

/// The KV key of a host's routing record.
pub fn host_key(host: &StoreHost) -> String {
    format!("host:{host}")
}

/// The KV key of a store's cache version.
pub fn cache_version_key(store: StoreId) -> String {
    format!("store:{store}:cache-version")
}

thread_local! {
    static ISOLATE_CACHE: RefCell<HashMap<String, (f64, Option<String>)>> = RefCell::new(HashMap::new());
}

fn cached(key: &str, now_ms: f64) -> Option<Option<String>> {
    ISOLATE_CACHE
        .with(|c| c.borrow().get(key).filter(|(at, _)| now_ms - at < ISOLATE_TTL_MS).map(|(_, v)| v.clone()))
}

fn remember(key: &str, value: Option<String>, now_ms: f64) {
    ISOLATE_CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= ISOLATE_CACHE_MAX {
            let mut ages: Vec<f64> = cache.values().map(|(at, _)| *at).collect();
            ages.sort_by(f64::total_cmp);
            let cutoff = ages[ages.len() / 2];
            cache.retain(|_, (at, _)| *at > cutoff);
        }
        cache.insert(key.to_owned(), (now_ms, value));
    });
}

fn forget(key: &str) {
    ISOLATE_CACHE.with(|c| c.borrow_mut().remove(key));
}

/// Reads and writes routing records and cache versions.
pub struct Routing {
    kv: KvStore,
}

impl Routing {
    /// Routing over the `EDGE_KV` namespace.
    pub fn new(kv: KvStore) -> Self {
        Self { kv }
    }

    async fn get_text(&self, key: &str, now_ms: f64) -> worker::Result<Option<String>> {
        if let Some(hit) = cached(key, now_ms) {
            return Ok(hit);
        }
        let value = self.kv.get(key).text().await?;
        remember(key, value.clone(), now_ms);
        Ok(value)
    }

    /// The record of a host, if it serves a store.
    pub async fn resolve(&self, host: &StoreHost, now_ms: f64) -> worker::Result<Option<RoutingRecord>> {
        match self.get_text(&host_key(host), now_ms).await? {
            Some(text) => Ok(Some(serde_json::from_str(&text)?)),
            None => Ok(None),
        }
    }

    /// Points a host at a store.
    pub async fn publish(&self, host: &StoreHost, record: &RoutingRecord) -> worker::Result<()> {
        let key = host_key(host);
        self.kv.put(&key, serde_json::to_string(record)?)?.execute().await?;
        forget(&key);
        Ok(())
    }

    /// Removes a host.
    pub async fn unpublish(&self, host: &StoreHost) -> worker::Result<()> {
        let key = host_key(host);
        self.kv.delete(&key).await?;
        forget(&key);
        Ok(())
    }

    /// Forgets the store's cache version (the store is gone).
    pub async fn forget_store(&self, store: StoreId) -> worker::Result<()> {
        let key = cache_version_key(store);
        self.kv.delete(&key).await?;
        forget(&key);
        Ok(())
    }

    /// The store's cache version: part of every cached page's key.
    pub async fn cache_version(&self, store: StoreId, now_ms: f64) -> worker::Result<String> {
        Ok(self.get_text(&cache_version_key(store), now_ms).await?.unwrap_or_else(|| "0".to_owned()))
    }

    /// Moves the store to a new cache version so no cached page of the old one is served again.
    /// The version is the time of the change, so a second bump in the same millisecond is a no-op.
    pub async fn bump_cache_version(&self, store: StoreId, now_ms: f64) -> worker::Result<()> {
        let key = cache_version_key(store);
        self.kv.put(&key, format!("{}", now_ms as u64))?.execute().await?;
        forget(&key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_menu_link_reads_back_from_its_entry_even_with_spaces_in_the_title() {
        let link = MenuLink { slug: "dog-beds".into(), title: "Beds for big dogs".into() };
        assert_eq!(MenuLink::parse(&link.entry()), Some(("dog-beds", "Beds for big dogs")));
        assert_eq!(MenuLink::parse("no-title"), None);
    }

    #[test]
    fn a_record_written_before_the_newer_look_fields_reads_with_their_defaults() {
        let look: StoreLook = serde_json::from_str(r##"{"theme":"bold","brand_color":"#000000"}"##).unwrap();
        assert_eq!((look.font.as_str(), look.announcement.as_str()), ("system", ""));
        assert!(look.menu.is_empty() && look.hero_image_url.is_none());
    }

    #[test]
    fn keys_are_namespaced_by_kind() {
        let host = StoreHost::parse("cozy.localhost").unwrap();
        assert_eq!(host_key(&host), "host:cozy.localhost");
        let store = StoreId::from_random_bytes([0; 16]);
        assert!(cache_version_key(store).starts_with("store:"));
        assert!(cache_version_key(store).ends_with(":cache-version"));
    }

    #[test]
    fn the_isolate_cache_expires_entries() {
        remember("k", Some("v".into()), 1_000.0);
        assert_eq!(cached("k", 1_000.0 + ISOLATE_TTL_MS - 1.0), Some(Some("v".into())));
        assert_eq!(cached("k", 1_000.0 + ISOLATE_TTL_MS), None);
    }

    #[test]
    fn the_isolate_cache_also_remembers_unknown_hosts() {
        remember("missing", None, 0.0);
        assert_eq!(cached("missing", 1.0), Some(None));
    }
}
