//! What crosses a queue or the edge's internal API, and how consumers handle it.
//!
//! Producers (the edge, the fan-out, research) and consumers (research, import) share these types,
//! so a contract change breaks the build, not production.
//!
//! - [`envelope`]: the versioned envelope every queued message travels in.
//! - [`messages`]: the typed payloads, one per queue.
//! - [`internal_api`]: the signed HTTP contract through which functions write to the edge.
//! - [`seo_api`]: the SEO engine's part of it (context, posts, product rewrites, reports).
//! - [`email_api`]: the email pipeline's part of it (flow settings, the sends a merchant sees).
//! - [`fulfil_api`]: the fulfilment function's part of it (the order to place, what suppliers answered).
//! - `consumer`, `idempotency`, `publisher` (feature `lambda`): SQS batch handling with partial
//!   failures, the DynamoDB idempotency guard, and sending envelopes to SQS.

pub mod email_api;
pub mod envelope;
pub mod fulfil_api;
pub mod internal_api;
pub mod messages;
pub mod schedule;
pub mod seo_api;
pub mod sync_api;

#[cfg(feature = "lambda")]
pub mod consumer;
#[cfg(feature = "lambda")]
pub mod erased;
#[cfg(feature = "lambda")]
pub mod idempotency;
#[cfg(feature = "lambda")]
pub mod publisher;

pub use envelope::{Envelope, EnvelopeError, Message};
