//! Configuration from the environment, parsed once at start; a missing variable fails with its
//! name.
//!
//! | variable | meaning |
//! |---|---|
//! | `EDGE_INTERNAL_URL` | the edge's internal API |
//! | `TABLE_NAME` | the pipeline table (idempotency, AI budgets) |
//! | `SEO_QUEUE_URL` | the `seo` queue the weekly fan-out fills |
//! | `SEO_AUTOCOMPLETE_URL` | autocomplete endpoint (default Google's `suggestqueries`) |
//! | `SEO_SERP_URL`, `SEO_SERP_API_KEY` | a SerpApi-compatible endpoint; off without a key |
//! | `INDEXNOW_URL`, `INDEXNOW_KEY` | IndexNow endpoint (default `api.indexnow.org`) and the key; off without a key |
//! | `SEO_POSTS_PER_RUN` | blog posts per run at most (default 2) |

use anyhow::Context;
use pipeline::config::{optional, required};
use secrecy::SecretString;

/// Google's public autocomplete.
pub const DEFAULT_AUTOCOMPLETE_URL: &str = "https://suggestqueries.google.com/complete/search";
/// SerpApi.
pub const DEFAULT_SERP_URL: &str = "https://serpapi.com/search.json";
/// IndexNow's shared endpoint.
pub const DEFAULT_INDEXNOW_URL: &str = "https://api.indexnow.org/indexnow";

/// What the function reads from its environment (the edge and AI settings are read by their own
/// crates).
#[derive(Debug, Clone)]
pub struct Config {
    /// The pipeline table.
    pub table: String,
    /// The `seo` queue.
    pub queue_url: String,
    /// Autocomplete endpoint.
    pub autocomplete_url: String,
    /// SERP API endpoint and key, when keyed.
    pub serp: Option<(String, SecretString)>,
    /// IndexNow endpoint and key, when keyed.
    pub indexnow: Option<(String, String)>,
    /// Posts per run at most.
    pub posts_per_run: usize,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        let posts_per_run = match optional("SEO_POSTS_PER_RUN") {
            Some(n) => n.parse().with_context(|| format!("SEO_POSTS_PER_RUN `{n}` is not a number"))?,
            None => 2,
        };
        Ok(Self {
            table: required("TABLE_NAME")?,
            queue_url: required("SEO_QUEUE_URL")?,
            autocomplete_url: optional("SEO_AUTOCOMPLETE_URL")
                .unwrap_or_else(|| DEFAULT_AUTOCOMPLETE_URL.into()),
            serp: optional("SEO_SERP_API_KEY").map(|key| {
                (optional("SEO_SERP_URL").unwrap_or_else(|| DEFAULT_SERP_URL.into()), SecretString::from(key))
            }),
            indexnow: optional("INDEXNOW_KEY")
                .map(|key| (optional("INDEXNOW_URL").unwrap_or_else(|| DEFAULT_INDEXNOW_URL.into()), key)),
            posts_per_run,
        })
    }
}
