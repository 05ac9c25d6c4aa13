//! The sweep: sends the flow steps that are due, each once, by enqueueing its mail to the email
//! queue. The scheduled `sweep` function runs it every few minutes; everything it knows is in
//! DynamoDB, so it survives restarts and may overlap with itself.
//!
//! For each due-index entry of the last [`LOOKBACK_HOURS`] hour buckets:
//! 1. take the step: a conditional write flips it `scheduled` → `sending` under this sweep's
//!    claim, so of two overlapping sweeps only one takes it;
//! 2. re-check that the trigger still holds: the step is still ours (not cancelled by a purchase or
//!    an unsubscribe meanwhile), not stale, and a marketing step's recipient is not suppressed;
//! 3. enqueue an [`EmailRequested`](queues::messages::EmailRequested) whose idempotency key is
//!    [`flows::mail_key`];
//! 4. mark the step `sent` and drop the index entry.
//!
//! A crash between 3 and 4 leaves the step `sending`; once its [`LEASE`] runs out a later sweep
//! takes it again and enqueues the same key, which the email function's idempotency drops. A
//! failure before 3 gives the step back at once.

use crate::flow_edge::{self, FlowEdge};
use crate::flow_steps::{DueEntry, Finish, FlowSteps, StepState, Take, LEASE};
use crate::flows;
use crate::providers::BoxFuture;
use domain::StoreId;
use queues::email_api::{SendReport, SendStatus};
use queues::messages::EmailRequested;
use queues::publisher::SqsPublisher;
use queues::Envelope;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// How far back a sweep looks for due steps. A step missed for longer (the sweep was down for
/// two days) is left to expire: marketing steps would be stale by then anyway.
pub const LOOKBACK_HOURS: i64 = 48;
/// Steps handled per sweep at most; the rest wait for the next one.
pub const MAX_STEPS: usize = 500;

/// Where the sweep puts mails.
pub trait MailQueue: Send + Sync {
    /// Enqueues one mail.
    fn enqueue<'a>(&'a self, mail: &'a Envelope<EmailRequested>) -> BoxFuture<'a, anyhow::Result<()>>;
}

impl MailQueue for SqsPublisher {
    fn enqueue<'a>(&'a self, mail: &'a Envelope<EmailRequested>) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(self.send_all(std::slice::from_ref(mail)))
    }
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Mails enqueued.
    pub enqueued: usize,
    /// Steps taken but not sent: cancelled meanwhile, stale, or to a suppressed address.
    pub skipped: usize,
    /// Index entries dropped because their step was sent or cancelled before.
    pub dropped: usize,
    /// Steps another sweep holds.
    pub busy: usize,
    /// Steps that failed; they are retried by the next sweep.
    pub failed: usize,
    /// Whether due steps were left for the next sweep.
    pub more: bool,
}

/// What became of one due-index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Enqueued,
    Skipped(&'static str),
    Dropped,
    Busy,
}

/// Sends what is due at `now`. `claim` names this sweep (the invocation's request id).
///
/// Fails only when the index cannot be read; a step that fails is counted, logged and retried by
/// the next sweep.
pub async fn run(
    steps: &FlowSteps,
    queue: &dyn MailQueue,
    claim: &str,
    now: OffsetDateTime,
) -> anyhow::Result<Summary> {
    run_reporting(steps, queue, None, claim, now).await
}

/// [`run`], telling the edge what became of each step it took (sent, cancelled, skipped), so the
/// merchant sees a flow's sends.
pub async fn run_reporting(
    steps: &FlowSteps,
    queue: &dyn MailQueue,
    edge: Option<&dyn FlowEdge>,
    claim: &str,
    now: OffsetDateTime,
) -> anyhow::Result<Summary> {
    let mut news: Vec<(StoreId, SendReport)> = Vec::new();
    let summary = sweep_all(steps, queue, claim, now, &mut news).await;
    let mut stores: Vec<StoreId> = news.iter().map(|(store, _)| *store).collect();
    stores.sort_by_key(|s| s.to_string());
    stores.dedup();
    for store in stores {
        let sends: Vec<SendReport> =
            news.iter().filter(|(s, _)| *s == store).map(|(_, report)| report.clone()).collect();
        flow_edge::tell(edge, store, &sends).await;
    }
    summary
}

async fn sweep_all(
    steps: &FlowSteps,
    queue: &dyn MailQueue,
    claim: &str,
    now: OffsetDateTime,
    news: &mut Vec<(StoreId, SendReport)>,
) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    for hours_back in (0..=LOOKBACK_HOURS).rev() {
        for entry in steps.due(now - Duration::hours(hours_back), now).await? {
            if summary.enqueued + summary.skipped + summary.dropped + summary.failed >= MAX_STEPS {
                summary.more = true;
                return Ok(summary);
            }
            match sweep_one(steps, queue, &entry, claim, now, news).await {
                Ok(Outcome::Enqueued) => summary.enqueued += 1,
                Ok(Outcome::Skipped(reason)) => {
                    tracing::info!(step = %entry.step_sk, reason, "flow step not sent");
                    summary.skipped += 1;
                }
                Ok(Outcome::Dropped) => summary.dropped += 1,
                Ok(Outcome::Busy) => summary.busy += 1,
                Err(error) => {
                    tracing::warn!(step = %entry.step_sk, error = format!("{error:#}"), "flow step failed; the next sweep retries it");
                    summary.failed += 1;
                }
            }
        }
    }
    Ok(summary)
}

async fn sweep_one(
    steps: &FlowSteps,
    queue: &dyn MailQueue,
    entry: &DueEntry,
    claim: &str,
    now: OffsetDateTime,
    news: &mut Vec<(StoreId, SendReport)>,
) -> anyhow::Result<Outcome> {
    let stored = match steps.take(entry, claim, now).await? {
        Take::Taken(stored) => stored,
        Take::Busy => return Ok(Outcome::Busy),
        Take::Gone => {
            steps.drop_entry(entry).await?;
            return Ok(Outcome::Dropped);
        }
    };
    let step = &stored.step;

    // The trigger may have been withdrawn between the query and the take.
    match steps.state(entry).await {
        Ok(Some(StepState { claim: Some(holder), .. })) if holder == claim => {}
        Ok(_) => {
            // Cancelled meanwhile (the cancel removes the claim): nothing to send.
            news.push((stored.store, flow_edge::report(step, SendStatus::Cancelled, Some("cancelled"))));
            steps.drop_entry(entry).await?;
            return Ok(Outcome::Skipped("cancelled"));
        }
        Err(error) => return Err(give_back(steps, entry, claim, error).await),
    }
    let reason = if flows::is_stale(step.marketing, step.due_at, now) {
        Some("stale")
    } else if step.marketing {
        match steps.is_suppressed(&step.to, stored.store).await {
            Ok(true) => Some("suppressed"),
            Ok(false) => None,
            Err(error) => return Err(give_back(steps, entry, claim, error).await),
        }
    } else {
        None
    };
    if let Some(reason) = reason {
        steps.finish(entry, claim, Finish::Cancelled(reason), now).await?;
        news.push((stored.store, flow_edge::report(step, SendStatus::Skipped, Some(reason))));
        steps.drop_entry(entry).await?;
        return Ok(Outcome::Skipped(reason));
    }

    let mail = Envelope::new(
        step.mail_key(stored.store),
        stored.tenant,
        stored.store,
        now,
        stored.correlation_id.clone(),
        step.request(),
    );
    if let Err(error) = queue.enqueue(&mail).await {
        return Err(give_back(steps, entry, claim, error).await);
    }
    news.push((stored.store, flow_edge::report(step, SendStatus::Sent, None)));
    // From here on the mail is out: failing leaves the step `sending`, and the sweep after the
    // lease enqueues the same key again, which the email function drops.
    if !steps.finish(entry, claim, Finish::Sent, now).await? {
        tracing::warn!(
            step = %entry.step_sk,
            lease_minutes = LEASE.whole_minutes(),
            "the step was cancelled or taken over while its mail was enqueued"
        );
    }
    if let Err(error) = steps.drop_entry(entry).await {
        // The next sweep finds the step sent and drops the entry then.
        tracing::warn!(error = format!("{error:#}"), "could not drop a due-index entry");
    }
    Ok(Outcome::Enqueued)
}

/// Releases a taken step after `error`, so the next sweep retries it at once; answers the error.
async fn give_back(steps: &FlowSteps, entry: &DueEntry, claim: &str, error: anyhow::Error) -> anyhow::Error {
    if let Err(release) = steps.release(entry, claim).await {
        tracing::warn!(
            error = format!("{release:#}"),
            "could not release a flow step; its lease will expire"
        );
    }
    error
}
