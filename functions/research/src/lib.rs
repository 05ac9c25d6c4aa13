//! The research stage: for each research message, asks the research sources (supplier catalogues,
//! a supplier feed, Reddit, competitors' stores) for candidates and evidence, scores them with the
//! domain model, enqueues imports for the best, and reports the run.
//!
//! - [`sources`]: one adapter per external service, behind [`sources::Source`].
//! - [`evidence`]: posts and competitor listings turned into candidates' signals.
//! - [`candidates`]: scoring, de-duplication and selection.
//! - [`velocity`]: supplier order counts snapshotted over time, for sales velocity.
//! - [`handler`]: the SQS entry point.

pub mod candidates;
pub mod evidence;
pub mod handler;
pub mod sources;
pub mod velocity;
mod words;
