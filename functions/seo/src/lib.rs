//! The SEO engine: once a week per store (and when the merchant asks), it
//!
//! 1. researches keywords for the store's niche: a search engine's public autocomplete
//!    ([`sources::Autocomplete`], Google's `client=firefox` JSON) and, with a key, a SERP data API
//!    ([`sources::Serp`], SerpApi's JSON: related searches and questions);
//! 2. finds the keywords no product, collection or post answers ([`domain::seo::gaps`]);
//! 3. writes a blog post for each top gap through the AI interface and publishes it through the
//!    edge, its HTML built here from plain text, every text escaped ([`post::html`]);
//! 4. rewrites missing, too long, duplicated or weak product meta titles and descriptions, the
//!    old values kept by the edge;
//! 5. links related posts and products by shared keywords, capped both ways;
//! 6. tells search engines the changed URLs through IndexNow ([`sources::IndexNow`]);
//! 7. reports the run to the merchant.
//!
//! - [`config`]: the environment. [`sources`]: the external APIs. [`post`]: HTML of a post.
//! - [`run`]: one store's run. [`handler`]: the weekly tick (fan-out) and the queue.

pub mod config;
pub mod handler;
pub mod post;
pub mod run;
pub mod sources;
