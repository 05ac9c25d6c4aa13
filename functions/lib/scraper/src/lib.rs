//! Product pages from supplier and competitor sites.
//!
//! - [`Fetcher`] GETs pages as a polite, guarded crawler: it refuses private, loopback,
//!   link-local and metadata addresses after DNS resolution and on every redirect
//!   ([`address`]), honours robots.txt ([`robots`]), spaces requests per host ([`rate`]),
//!   retries transient failures ([`retry`]) and caches pages for a day ([`cache`]).
//! - [`extract`] reads a product out of a page's text: JSON-LD, Open Graph, Shopify product
//!   JSON. Pure functions, tested on recorded pages.
//! - [`scrape_product`] puts the two together for one product URL.
//!
//! Configuration is read from the environment by [`ScraperConfig::from_env`].

pub mod address;
pub mod cache;
pub mod config;
pub mod extract;
pub mod fetch;
pub mod rate;
pub mod resolve;
pub mod retry;
pub mod robots;
mod scrape;

pub use address::{classify, AddressClass, AddressPolicy, Refusal};
pub use cache::{CachedPage, DynamoCache, MemoryCache, PageCache};
pub use config::{ScraperConfig, PRODUCT_TOKEN, USER_AGENT};
pub use extract::{extract_product, extract_shopify_product, shopify_json_url, Availability, ScrapedProduct};
pub use fetch::{FetchError, Fetcher, FetcherBuilder, Page};
pub use resolve::{Lookup, StaticLookup, SystemLookup};
pub use retry::RetryPolicy;
pub use scrape::scrape_product;
