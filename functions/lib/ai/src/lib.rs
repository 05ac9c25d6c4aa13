//! The pipelines' AI layer: text generation with a strict output schema.
//!
//! One interface ([`provider::Provider`]) has three adapters: the Anthropic Messages API, any
//! OpenAI-compatible chat completions endpoint, and a deterministic offline generator that is
//! the default, so every pipeline runs with no account. Tasks ([`tasks`]) keep their prompts in
//! `prompts/<task>.md` and validate each answer against a strict schema; an invalid answer gets
//! one repair turn, then fails that item only. [`Ai`] adds a per-process concurrency limit,
//! retries with backoff on 429 and 5xx, and per-tenant daily budgets ([`budget`]) whose
//! exhaustion is the distinct [`AiError::BudgetExceeded`], on which callers defer the work.
//!
//! - [`config`]: `AI_PROVIDER`, `AI_MODEL`, keys and limits from the environment.
//! - [`provider`]: the adapters.
//! - [`tasks`]: `product_analysis` and `product_content`.
//! - [`output`]: finding the JSON object in a model's answer.
//! - [`prompt`]: `{{placeholder}}` templates.
//! - [`retry`]: backoff and attempts.
//! - [`budget`]: prices, daily budgets and where spend is counted.

pub mod budget;
mod client;
pub mod config;
pub mod output;
pub mod prompt;
pub mod provider;
pub mod retry;
pub mod tasks;

pub use budget::{BudgetStore, DailyBudget, DynamoBudget, MemoryBudget};
pub use client::{Ai, AiError, Scope};
pub use config::AiConfig;
pub use tasks::analysis::{AnalysisFacts, ProductAnalysis, Recommendation};
pub use tasks::ProductFacts;
