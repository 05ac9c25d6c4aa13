//! The email flows' steps in the pipeline table (hash key `pk`, range key `sk`), written when a
//! flow event is applied and read by the sweep that sends the due ones.
//!
//! - step: `pk = flow#<store>#<subject>`, `sk = <flow>#<step>`. `status` is `scheduled`,
//!   `sending` (a sweep holds it: `claim`, `lease_until`), `sent` or `cancelled` (`reason`);
//!   `due_at`, `template`, `category` (`marketing` or `transactional`), `to`, `data` and
//!   `branding` (JSON), `unsubscribe_url`, `tenant_id`, `store_id`, `correlation_id`. A step is
//!   written once (`attribute_not_exists`), so a flow runs once per subject. Cancelling a step
//!   that does not exist yet leaves a `cancelled` tombstone, which keeps a late trigger from
//!   starting it.
//! - due index: `pk = due#<yyyy-mm-ddThh>`, `sk = <due_at>#<store>#<subject>#<flow>#<step>`, with
//!   `step_pk` and `step_sk`: the hour is the step's due hour, or the hour it was stored when that
//!   is later, so a sweep that queries the last [`crate::sweep::LOOKBACK_HOURS`] hour buckets up to
//!   now finds every due step without a secondary index. Written before its step, removed by the
//!   sweep once the step is sent or found cancelled.
//! - contact: `pk = contact#<store>#<address>`, `sk = <flow>#<subject>`: the flows that mail an
//!   address, so that unsubscribing finds its cart and order flows too.
//! - suppression: `suppress#<store>#<address>` written when the address unsubscribes from a
//!   store, `suppress#<address>` on a hard bounce or complaint (see [`crate::records`]).
//!
//! Every item expires (`expires_at`) well after its flow ends.

use crate::flows::{self, Flow, Plan, Step};
use crate::records::{store_suppression_key, suppression_key};
use anyhow::{anyhow, Context};
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use domain::accounts::Email;
use domain::{StoreId, TenantId};
use queues::messages::{Branding, EmailTemplate};
use std::collections::HashMap;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// How long a sweep holds a step it took before another sweep may take it over: far longer than
/// the sweep function's timeout, so two live sweeps never both hold a step.
pub const LEASE: Duration = Duration::minutes(10);
/// How long steps and contacts are kept after they are due.
const KEEP: Duration = Duration::days(90);

type Item = HashMap<String, AttributeValue>;

/// Where a step came from: the event's tenant, store and trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin<'a> {
    /// The tenant the event acted for.
    pub tenant: TenantId,
    /// The store whose flows it drives.
    pub store: StoreId,
    /// The event's correlation id, carried on into the mails.
    pub correlation_id: &'a str,
}

/// What applying one plan did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Steps stored now.
    pub scheduled: usize,
    /// Steps that existed already (the flow ran before for this subject) and were left as they are.
    pub kept: usize,
    /// Steps cancelled (including tombstones for steps not stored yet).
    pub cancelled: usize,
}

/// A step's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting for its time.
    Scheduled,
    /// A sweep took it and is enqueueing its mail.
    Sending,
    /// Its mail was enqueued.
    Sent,
    /// It will not be sent.
    Cancelled,
}

impl Status {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Status::Scheduled => "scheduled",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Cancelled => "cancelled",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [Status::Scheduled, Status::Sending, Status::Sent, Status::Cancelled]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// A step as stored, with what the sweep needs to enqueue its mail.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredStep {
    /// The step.
    pub step: Step,
    /// Where it stands.
    pub status: Status,
    /// The tenant it was scheduled for.
    pub tenant: TenantId,
    /// Its store.
    pub store: StoreId,
    /// The trace of the event that scheduled it.
    pub correlation_id: String,
}

/// A step's status and holder, as a consistent read sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepState {
    /// Where it stands.
    pub status: Status,
    /// When it is due (`None` for a tombstone).
    pub due_at: Option<String>,
    /// The sweep that holds it, while `sending`.
    pub claim: Option<String>,
}

/// One entry of the due index: a step that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueEntry {
    /// The index item's key.
    pub index_pk: String,
    /// The index item's range key.
    pub index_sk: String,
    /// The step's key.
    pub step_pk: String,
    /// The step's range key.
    pub step_sk: String,
    /// When the step is due, as stored.
    pub due_at: String,
}

/// The result of trying to take a due step.
#[derive(Debug, Clone, PartialEq)]
pub enum Take {
    /// This sweep holds the step now and must enqueue it, or release it.
    Taken(Box<StoredStep>),
    /// Another sweep holds it.
    Busy,
    /// It was sent, cancelled, or the index entry is stale: nothing to send.
    Gone,
}

/// How a sweep leaves a step it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// The mail was enqueued.
    Sent,
    /// The mail will not be sent, for this reason.
    Cancelled(&'static str),
}

/// The steps, index and contacts in DynamoDB.
#[derive(Debug, Clone)]
pub struct FlowSteps {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl FlowSteps {
    /// Steps in `table`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    /// Applies one event's plan at `now`. Safe to repeat: every write is conditional or the same
    /// again, so a retried or duplicated event changes nothing more.
    pub async fn apply(
        &self,
        origin: &Origin<'_>,
        plan: &Plan,
        now: OffsetDateTime,
    ) -> anyhow::Result<Applied> {
        match plan {
            Plan::Start { flow, subject, contact, steps } => {
                self.remember_contact(origin.store, contact, *flow, subject, now).await?;
                let mut applied = Applied::default();
                for step in steps {
                    if self.schedule(origin, step, now).await? {
                        applied.scheduled += 1;
                    } else {
                        applied.kept += 1;
                    }
                }
                Ok(applied)
            }
            Plan::Stop { flow, subject, reason } => {
                let mut applied = Applied::default();
                for rule in flow.steps() {
                    if self.cancel(origin.store, *flow, subject, rule.number, reason, false, now).await? {
                        applied.cancelled += 1;
                    }
                }
                Ok(applied)
            }
            Plan::Shipped { order_id, shipped_at, tracking_url } => {
                let confirmation = self
                    .stored(&step_pk(origin.store, order_id), &step_sk(Flow::PostPurchase, 1))
                    .await?
                    .ok_or_else(|| {
                        anyhow!("order `{order_id}` has no post-purchase flow yet: its order_placed event comes first")
                    })?;
                let step = flows::shipping_step(&confirmation.step, *shipped_at, tracking_url);
                let scheduled = self.schedule(origin, &step, now).await?;
                Ok(Applied { scheduled: usize::from(scheduled), kept: usize::from(!scheduled), cancelled: 0 })
            }
            Plan::Unsubscribe { contact } => self.unsubscribe(origin.store, contact, now).await,
            Plan::Suppress { contact, reason } => self.suppress(None, contact, reason, now).await,
        }
    }

    /// Stores `step` and its index entry unless the step exists; answers whether it was stored.
    async fn schedule(&self, origin: &Origin<'_>, step: &Step, now: OffsetDateTime) -> anyhow::Result<bool> {
        let pk = step_pk(origin.store, &step.subject);
        let sk = step_sk(step.flow, step.number);
        let due_at = stamp(step.due_at);
        // The index entry first: a step is never stored without one. An entry whose step turns
        // out to exist already is dropped by the sweep, which checks `due_at` before taking.
        let bucket_time = step.due_at.max(now);
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(format!("due#{}", hour(bucket_time))))
            .item(
                "sk",
                s(format!("{due_at}#{}#{}#{}#{}", origin.store, step.subject, step.flow.name(), step.number)),
            )
            .item("step_pk", s(&pk))
            .item("step_sk", s(&sk))
            .item("expires_at", expires(bucket_time + Duration::days(7)))
            .send()
            .await
            .context("writing a due-index entry")?;
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(&pk))
            .item("sk", s(&sk))
            .item("flow", s(step.flow.name()))
            .item("subject", s(&step.subject))
            .item("step", AttributeValue::N(step.number.to_string()))
            .item("status", s(Status::Scheduled.name()))
            .item("due_at", s(&due_at))
            .item("template", s(step.template.name()))
            .item("category", s(if step.marketing { "marketing" } else { "transactional" }))
            .item("to", s(step.to.as_str()))
            .item("data", s(serde_json::to_string(&step.data)?))
            .item("branding", s(serde_json::to_string(&step.branding)?))
            .item("unsubscribe_url", s(&step.unsubscribe_url))
            .item("tenant_id", s(origin.tenant.to_string()))
            .item("store_id", s(origin.store.to_string()))
            .item("correlation_id", s(origin.correlation_id))
            .item("scheduled_at", s(stamp(now)))
            .item("expires_at", expires(step.due_at + KEEP))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(true),
            Err(error) if is_conditional_failure(&error) => Ok(false),
            Err(error) => Err(anyhow::Error::new(error).context("storing a flow step")),
        }
    }

    async fn remember_contact(
        &self,
        store: StoreId,
        contact: &Email,
        flow: Flow,
        subject: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(contact_pk(store, contact)))
            .item("sk", s(format!("{}#{subject}", flow.name())))
            .item("flow", s(flow.name()))
            .item("subject", s(subject))
            .item("expires_at", expires(now + Duration::days(30) + KEEP))
            .send()
            .await
            .context("recording the contact's flow")?;
        Ok(())
    }

    /// Cancels one step unless it was sent. `marketing_only` spares transactional steps and
    /// writes no tombstone; otherwise a step not stored yet is stored cancelled.
    #[expect(clippy::too_many_arguments, reason = "one key of four parts, plus what to record")]
    async fn cancel(
        &self,
        store: StoreId,
        flow: Flow,
        subject: &str,
        number: u8,
        reason: &str,
        marketing_only: bool,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let condition = if marketing_only {
            "attribute_exists(pk) AND #status IN (:scheduled, :sending) AND #category = :marketing"
        } else {
            "attribute_not_exists(pk) OR #status IN (:scheduled, :sending)"
        };
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(step_pk(store, subject)))
            .key("sk", s(step_sk(flow, number)))
            .update_expression(
                "SET #status = :cancelled, #reason = :reason, cancelled_at = :now, \
                 expires_at = if_not_exists(expires_at, :expires) REMOVE claim, lease_until",
            )
            .condition_expression(condition)
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#reason", "reason")
            .expression_attribute_values(":cancelled", s(Status::Cancelled.name()))
            .expression_attribute_values(":reason", s(reason))
            .expression_attribute_values(":now", s(stamp(now)))
            .expression_attribute_values(":expires", expires(now + KEEP))
            .expression_attribute_values(":scheduled", s(Status::Scheduled.name()))
            .expression_attribute_values(":sending", s(Status::Sending.name()));
        if marketing_only {
            update = update
                .expression_attribute_names("#category", "category")
                .expression_attribute_values(":marketing", s("marketing"));
        }
        match update.send().await {
            Ok(_) => Ok(true),
            Err(error) if is_conditional_failure(&error) => Ok(false),
            Err(error) => Err(anyhow::Error::new(error).context("cancelling a flow step")),
        }
    }

    /// Puts `contact` on `store`'s suppression list (`None`: the platform's) for `reason`, unless
    /// it is there already (the first reason is kept). Safe to repeat.
    pub async fn suppress(
        &self,
        store: Option<StoreId>,
        contact: &Email,
        reason: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<Applied> {
        let key = match store {
            Some(store) => store_suppression_key(store, contact),
            None => suppression_key(contact),
        };
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(key))
            .item("reason", s(reason))
            .item("since", s(stamp(now)))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put {
            // Already suppressed (a bounce, a complaint, an earlier unsubscribe): keep that reason.
            Err(error) if is_conditional_failure(&error) => {}
            other => {
                other.context("writing the suppression record")?;
            }
        }
        Ok(Applied::default())
    }

    /// Suppresses `contact` for marketing mail, then cancels the marketing steps of every flow
    /// that mails it in `store`. Suppression comes first: a flow started meanwhile is stopped by
    /// the sweep's suppression check.
    async fn unsubscribe(
        &self,
        store: StoreId,
        contact: &Email,
        now: OffsetDateTime,
    ) -> anyhow::Result<Applied> {
        self.suppress(Some(store), contact, "unsubscribed", now).await?;
        let mut applied = Applied::default();
        for item in self.query_all(&contact_pk(store, contact), None).await? {
            let (Some(flow), Some(subject)) =
                (text(&item, "flow").and_then(Flow::parse), text(&item, "subject"))
            else {
                continue;
            };
            for rule in flow.steps().iter().filter(|r| r.marketing) {
                if self.cancel(store, flow, subject, rule.number, "unsubscribed", true, now).await? {
                    applied.cancelled += 1;
                }
            }
        }
        Ok(applied)
    }

    /// The due-index entries of the hour bucket that holds `hour`, due at `now` or before.
    pub async fn due(&self, hour_of: OffsetDateTime, now: OffsetDateTime) -> anyhow::Result<Vec<DueEntry>> {
        // `<due_at>#...` sorts before `<now>$` exactly when due_at <= now ('#' < '$').
        let upper = format!("{}$", stamp(now));
        let items = self.query_all(&format!("due#{}", hour(hour_of)), Some(&upper)).await?;
        Ok(items
            .iter()
            .filter_map(|item| {
                let index_sk = text(item, "sk")?.to_owned();
                Some(DueEntry {
                    index_pk: text(item, "pk")?.to_owned(),
                    due_at: index_sk.split('#').next()?.to_owned(),
                    index_sk,
                    step_pk: text(item, "step_pk")?.to_owned(),
                    step_sk: text(item, "step_sk")?.to_owned(),
                })
            })
            .collect())
    }

    /// Takes the step of `entry` for the sweep `claim`, if it is still scheduled at the entry's
    /// time (or held by a sweep whose lease ran out). The conditional write is what keeps two
    /// overlapping sweeps from both taking a step.
    pub async fn take(&self, entry: &DueEntry, claim: &str, now: OffsetDateTime) -> anyhow::Result<Take> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&entry.step_pk))
            .key("sk", s(&entry.step_sk))
            .update_expression(
                "SET #status = :sending, claim = :claim, lease_until = :lease, \
                 attempts = if_not_exists(attempts, :zero) + :one",
            )
            .condition_expression(
                "due_at = :due AND (#status = :scheduled OR (#status = :sending AND lease_until < :now))",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":sending", s(Status::Sending.name()))
            .expression_attribute_values(":scheduled", s(Status::Scheduled.name()))
            .expression_attribute_values(":claim", s(claim))
            .expression_attribute_values(
                ":lease",
                AttributeValue::N((now + LEASE).unix_timestamp().to_string()),
            )
            .expression_attribute_values(":now", AttributeValue::N(now.unix_timestamp().to_string()))
            .expression_attribute_values(":due", s(&entry.due_at))
            .expression_attribute_values(":zero", AttributeValue::N("0".into()))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match update {
            Ok(output) => {
                let item = output.attributes.context("the taken step came back empty")?;
                Ok(Take::Taken(Box::new(parse_step(&item)?)))
            }
            Err(error) if is_conditional_failure(&error) => {
                Ok(match self.state(entry).await? {
                    Some(state) if state.due_at.as_deref() == Some(entry.due_at.as_str()) => {
                        match state.status {
                            // Held by a live sweep, or released between our query and our write.
                            Status::Sending | Status::Scheduled => Take::Busy,
                            Status::Sent | Status::Cancelled => Take::Gone,
                        }
                    }
                    // No step, a tombstone, or a step due at another time: the entry is stale.
                    _ => Take::Gone,
                })
            }
            Err(error) => Err(anyhow::Error::new(error).context("taking a due flow step")),
        }
    }

    /// The status and holder of the step of `entry` (a consistent read).
    pub async fn state(&self, entry: &DueEntry) -> anyhow::Result<Option<StepState>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(&entry.step_pk))
            .key("sk", s(&entry.step_sk))
            .consistent_read(true)
            .projection_expression("#status, due_at, claim")
            .expression_attribute_names("#status", "status")
            .send()
            .await
            .context("reading a flow step's status")?;
        Ok(output.item().and_then(|item| {
            Some(StepState {
                status: text(item, "status").and_then(Status::parse)?,
                due_at: text(item, "due_at").map(str::to_owned),
                claim: text(item, "claim").map(str::to_owned),
            })
        }))
    }

    /// The whole step stored under `pk` and `sk` (a consistent read); `None` if there is none.
    pub async fn stored(&self, pk: &str, sk: &str) -> anyhow::Result<Option<StoredStep>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .key("sk", s(sk))
            .consistent_read(true)
            .send()
            .await
            .context("reading a flow step")?;
        output.item().map(parse_step).transpose()
    }

    /// The step of `subject`'s `flow` numbered `number` in `store`, as stored.
    pub async fn step(
        &self,
        store: StoreId,
        flow: Flow,
        subject: &str,
        number: u8,
    ) -> anyhow::Result<Option<StoredStep>> {
        self.stored(&step_pk(store, subject), &step_sk(flow, number)).await
    }

    /// Leaves a step this sweep holds as sent or cancelled; answers `false` when the sweep no
    /// longer held it (it was cancelled meanwhile, or its lease ran out and another sweep took it).
    pub async fn finish(
        &self,
        entry: &DueEntry,
        claim: &str,
        finish: Finish,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let (status, reason) = match finish {
            Finish::Sent => (Status::Sent, "sent"),
            Finish::Cancelled(reason) => (Status::Cancelled, reason),
        };
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&entry.step_pk))
            .key("sk", s(&entry.step_sk))
            .update_expression(
                "SET #status = :status, #reason = :reason, finished_at = :now REMOVE claim, lease_until",
            )
            .condition_expression("#status = :sending AND claim = :claim")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#reason", "reason")
            .expression_attribute_values(":status", s(status.name()))
            .expression_attribute_values(":reason", s(reason))
            .expression_attribute_values(":now", s(stamp(now)))
            .expression_attribute_values(":sending", s(Status::Sending.name()))
            .expression_attribute_values(":claim", s(claim))
            .send()
            .await;
        match update {
            Ok(_) => Ok(true),
            Err(error) if is_conditional_failure(&error) => Ok(false),
            Err(error) => Err(anyhow::Error::new(error).context("finishing a flow step")),
        }
    }

    /// Gives a step this sweep holds back to the schedule, after a failure, so the next sweep
    /// takes it without waiting for the lease.
    pub async fn release(&self, entry: &DueEntry, claim: &str) -> anyhow::Result<()> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&entry.step_pk))
            .key("sk", s(&entry.step_sk))
            .update_expression("SET #status = :scheduled REMOVE claim, lease_until")
            .condition_expression("#status = :sending AND claim = :claim")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":scheduled", s(Status::Scheduled.name()))
            .expression_attribute_values(":sending", s(Status::Sending.name()))
            .expression_attribute_values(":claim", s(claim))
            .send()
            .await;
        match update {
            Ok(_) => Ok(()),
            Err(error) if is_conditional_failure(&error) => Ok(()),
            Err(error) => Err(anyhow::Error::new(error).context("releasing a flow step")),
        }
    }

    /// Removes a due-index entry whose step needs no more sending.
    pub async fn drop_entry(&self, entry: &DueEntry) -> anyhow::Result<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(&entry.index_pk))
            .key("sk", s(&entry.index_sk))
            .send()
            .await
            .context("removing a due-index entry")?;
        Ok(())
    }

    /// Whether marketing mail from `store` to `address` is suppressed (platform-wide, or by an
    /// unsubscribe from that store).
    pub async fn is_suppressed(&self, address: &Email, store: StoreId) -> anyhow::Result<bool> {
        crate::records::is_suppressed(&self.client, &self.table, address, Some(store)).await
    }

    /// Every item under `pk`, with `sk < below` when given.
    async fn query_all(&self, pk: &str, below: Option<&str>) -> anyhow::Result<Vec<Item>> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .expression_attribute_values(":pk", s(pk))
                .set_exclusive_start_key(start.take());
            query = match below {
                Some(below) => query
                    .key_condition_expression("pk = :pk AND sk < :below")
                    .expression_attribute_values(":below", s(below)),
                None => query.key_condition_expression("pk = :pk"),
            };
            let output = query.send().await.with_context(|| format!("querying `{pk}`"))?;
            items.extend(output.items.unwrap_or_default());
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }
}

/// The key of the steps of one subject in one store.
pub fn step_pk(store: StoreId, subject: &str) -> String {
    format!("flow#{store}#{subject}")
}

/// The range key of one step.
pub fn step_sk(flow: Flow, number: u8) -> String {
    format!("{}#{number}", flow.name())
}

/// The key of an address's flows in one store.
pub fn contact_pk(store: StoreId, contact: &Email) -> String {
    format!("contact#{store}#{}", contact.as_str())
}

/// A time as stored: `2026-11-26T10:00:00Z`, whole seconds, fixed width so strings sort as times.
pub fn stamp(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"))
        .expect("a UTC time always formats")
}

/// The due-index hour bucket of a time: `2026-11-26T10`.
pub fn hour(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(format_description!("[year]-[month]-[day]T[hour]"))
        .expect("a UTC time always formats")
}

fn parse_stamp(value: &str) -> anyhow::Result<OffsetDateTime> {
    let at = PrimitiveDateTime::parse(
        value,
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"),
    )
    .with_context(|| format!("`{value}` is not a stored time"))?;
    Ok(at.assume_utc())
}

fn parse_step(item: &Item) -> anyhow::Result<StoredStep> {
    let field = |name: &str| text(item, name).with_context(|| format!("the flow step has no `{name}`"));
    let flow = Flow::parse(field("flow")?).context("unknown flow")?;
    let number: u8 = item
        .get("step")
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .context("the flow step has no `step`")?;
    let template: EmailTemplate =
        serde_json::from_value(field("template")?.into()).context("unknown template")?;
    let branding: Branding = serde_json::from_str(field("branding")?).context("the step's branding")?;
    Ok(StoredStep {
        step: Step {
            flow,
            subject: field("subject")?.to_owned(),
            number,
            due_at: parse_stamp(field("due_at")?)?,
            template,
            marketing: field("category")? == "marketing",
            to: Email::parse(field("to")?).map_err(|e| anyhow!("the step's recipient: {e}"))?,
            data: serde_json::from_str(field("data")?).context("the step's data")?,
            branding,
            unsubscribe_url: field("unsubscribe_url")?.to_owned(),
        },
        status: Status::parse(field("status")?).context("unknown status")?,
        tenant: field("tenant_id")?.parse().context("the step's tenant")?,
        store: field("store_id")?.parse().context("the step's store")?,
        correlation_id: field("correlation_id")?.to_owned(),
    })
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name).and_then(|v| v.as_s().ok()).map(String::as_str)
}

fn expires(at: OffsetDateTime) -> AttributeValue {
    AttributeValue::N(at.unix_timestamp().to_string())
}

fn is_conditional_failure<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    matches!(error, SdkError::ServiceError(e) if e.err().code() == Some("ConditionalCheckFailedException"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn stored_times_are_fixed_width_whole_seconds_and_read_back() {
        let at = datetime!(2026-11-26 09:05:07.75 +01:00);
        assert_eq!(stamp(at), "2026-11-26T08:05:07Z");
        assert_eq!(hour(at), "2026-11-26T08");
        assert_eq!(parse_stamp("2026-11-26T08:05:07Z").unwrap(), datetime!(2026-11-26 08:05:07 UTC));
        assert!(parse_stamp("yesterday").is_err());
    }

    #[test]
    fn steps_are_keyed_by_store_and_subject_then_flow_and_number() {
        let store = StoreId::from_random_bytes([2; 16]);
        assert_eq!(step_pk(store, "cart-1"), format!("flow#{store}#cart-1"));
        assert_eq!(step_sk(Flow::AbandonedCart, 2), "abandoned_cart#2");
        let ada = Email::parse("Ada@Example.com").unwrap();
        assert_eq!(contact_pk(store, &ada), format!("contact#{store}#ada@example.com"));
    }

    #[test]
    fn a_due_time_sorts_below_the_query_bound_of_the_same_second() {
        let now = stamp(datetime!(2026-11-26 10:00 UTC));
        assert!(format!("{now}#store#cart#abandoned_cart#1") < format!("{now}$"));
        assert!(format!("{}#s", stamp(datetime!(2026-11-26 10:00:01 UTC))) > format!("{now}$"));
    }
}
