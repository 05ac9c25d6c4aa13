//! The SEO engine's part of the edge's internal API (all `POST`, HMAC-signed):
//!
//! | path | body | answer |
//! |---|---|---|
//! | `/internal/seo/due` | [`ClaimSeoWeek`] | [`DueSeoRuns`]: stores claimed for the week, each with a new run |
//! | `/internal/stores/{id}/seo/context` | `{}` | [`SeoContext`]: what the store's pages say |
//! | `/internal/stores/{id}/seo/posts` | [`PublishPost`] | [`PublishedPost`] (idempotent per slug) |
//! | `/internal/stores/{id}/seo/products` | [`ProductRewrites`] | [`RewritesApplied`] (old values kept) |
//! | `/internal/stores/{id}/seo/links` | [`PostLinks`] | [`LinksUpdated`] |
//! | `/internal/stores/{id}/seo/runs/{run}/report` | [`SeoReport`] | [`SeoRunRecorded`] |

use domain::{RunId, StoreId, TenantId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Claims the stores whose SEO run for `week` has not started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimSeoWeek {
    /// ISO week, e.g. `2026-W48`.
    pub week: String,
    /// Stores to claim at most.
    pub limit: u32,
}

/// One claimed store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueSeoRun {
    /// The store.
    pub store_id: StoreId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// The run recorded for it.
    pub run_id: RunId,
}

/// The claimed stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueSeoRuns {
    /// Claimed now; an empty list means every store has its run for the week.
    pub runs: Vec<DueSeoRun>,
}

/// A product as the SEO engine reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeoProduct {
    /// Id.
    pub id: String,
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// First description paragraph.
    pub summary: String,
    /// Meta title.
    pub meta_title: String,
    /// Meta description.
    pub meta_description: String,
    /// Keywords.
    pub keywords: Vec<String>,
}

/// A collection, post or page as the SEO engine reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeoPage {
    /// Id.
    pub id: String,
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Keywords (posts), else empty.
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// What the store's pages say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeoContext {
    /// The tenant the store belongs to.
    pub tenant_id: TenantId,
    /// Display name.
    pub name: String,
    /// Niche.
    pub niche: String,
    /// Market (ISO 3166-1 alpha-2).
    pub market: String,
    /// The storefront's base URL, e.g. `https://cozy.shops.example` (no trailing slash).
    pub url: String,
    /// Published products.
    pub products: Vec<SeoProduct>,
    /// Collections.
    pub collections: Vec<SeoPage>,
    /// Blog posts.
    pub posts: Vec<SeoPage>,
    /// The tenant's plan, whose daily AI budget the run spends.
    #[serde(default = "starter")]
    pub plan: domain::Plan,
}

fn starter() -> domain::Plan {
    domain::Plan::Starter
}

/// A blog post to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishPost {
    /// The run writing it.
    pub run_id: RunId,
    /// Headline.
    pub title: String,
    /// Summary shown in lists.
    pub excerpt: String,
    /// Body: HTML of `h2`, `h3`, `p`, `ul`, `li`, `strong`, `em` and `a href`, nothing else.
    pub body_html: String,
    /// Page title.
    pub meta_title: String,
    /// Search result summary.
    pub meta_description: String,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Products it links to.
    pub related_product_ids: Vec<String>,
}

/// A published post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedPost {
    /// Id.
    pub post_id: String,
    /// Slug.
    pub slug: String,
    /// Whether this call created it (false: a post with that slug existed).
    pub created: bool,
}

/// One field rewrite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRewrite {
    /// Product id.
    pub product_id: String,
    /// `meta_title` or `meta_description`.
    pub field: String,
    /// The value it replaces (applied only while the product still has it).
    pub old: String,
    /// The new value.
    pub new: String,
    /// Why: `missing`, `too_long`, `duplicate`, `weak`.
    pub reason: String,
}

/// A run's product rewrites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRewrites {
    /// The run.
    pub run_id: RunId,
    /// The rewrites.
    pub rewrites: Vec<ProductRewrite>,
}

/// Answer to [`ProductRewrites`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewritesApplied {
    /// Rewrites applied: those whose old value the product still had.
    pub applied: u32,
}

/// Related products per post (post id to product ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostLinks {
    /// The links.
    pub links: BTreeMap<String, Vec<String>>,
}

/// Answer to [`PostLinks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinksUpdated {
    /// Posts whose related products were set.
    pub updated: u32,
}

/// Answer to [`SeoReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeoRunRecorded {
    /// `completed`.
    pub status: String,
}

/// A run's report for the merchant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeoReport {
    /// Keywords found, best first (at most 50).
    pub keywords: Vec<String>,
    /// Which sources answered, e.g. `autocomplete: 24`, `serp: failed`.
    pub sources: Vec<String>,
    /// Content gaps, best first (at most 20).
    pub gaps: Vec<String>,
    /// Posts published: title, URL, words.
    pub posts: Vec<ReportedPost>,
    /// Product fields rewritten.
    pub products_improved: u32,
    /// Internal links placed.
    pub links: u32,
    /// URLs sent to IndexNow.
    pub indexnow_urls: u32,
    /// Whether IndexNow took them.
    pub indexnow_ok: bool,
    /// What went wrong, if the run did not finish everything.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// A post in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedPost {
    /// Headline.
    pub title: String,
    /// Public URL.
    pub url: String,
    /// Words in the body.
    pub words: u32,
    /// The search phrase it answers.
    pub keyword: String,
}
