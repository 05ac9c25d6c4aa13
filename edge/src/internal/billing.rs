//! Plans follow payment: an overdue subscription keeps its paid plan for
//! [`domain::plans::PAST_DUE_GRACE_DAYS`], its owner told when the grace ends, then the tenant is
//! on Starter until Stripe says it is paid ([`crate::repo::billing::subscription_changed`] brings
//! the plan back). No data is deleted or cut either way.

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::repo::audit_log::record;
use crate::repo::{billing, research_schedule};
use crate::runtime::{now, now_ms, rfc3339};
use domain::accounts::Email;
use domain::{Plan, TenantId};
use queues::envelope::Envelope;
use queues::internal_api::{LapseDuePlans, PlansLapsed};
use queues::messages::{EmailCategory, EmailRequested, EmailTemplate};
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
use time::OffsetDateTime;
use worker::Env;

/// A plan's name as the owner reads it.
fn plan_name(plan: &str) -> String {
    let plan = Plan::parse(plan).unwrap_or(Plan::Starter).as_str();
    plan[..1].to_ascii_uppercase() + &plan[1..]
}

/// The last day of a grace period that started at `since`, e.g. `14 December 2026` (UTC).
fn grace_end_day(since: i64) -> String {
    let end = OffsetDateTime::from_unix_timestamp(domain::plans::grace_ends(since)).unwrap_or_else(|_| now());
    format!("{} {} {}", end.day(), end.month(), end.year())
}

/// Queues `template` to the tenant's owner, keyed `key` (the email function sends a key once).
/// Queues a transactional mail to the tenant's owner, under `key` (the email function sends one
/// mail per key); nothing when the tenant has no owner with a valid address.
pub(crate) async fn mail_owner(
    db: &PlatformDb,
    config: &Config,
    tenant: TenantId,
    template: EmailTemplate,
    data: serde_json::Map<String, serde_json::Value>,
    key: String,
) -> ApiResult<()> {
    let Some(owner) = research_schedule::owner_email(db, &tenant.to_string()).await? else { return Ok(()) };
    let Ok(to) = Email::parse(&owner) else { return Ok(()) };
    let mail = EmailRequested {
        template,
        to,
        category: EmailCategory::Transactional,
        data,
        branding: Default::default(),
    };
    let envelope = Envelope::for_tenant(key, tenant, now(), tenant.to_string(), mail);
    crate::sqs::send(&config.sqs, &config.sqs.email_queue_url, &envelope, now_ms()).await.map_err(|e| {
        ApiError::new(503, "queue_unavailable", format!("sending the {} mail: {e}", template.name()))
    })?;
    Ok(())
}

fn billing_url(config: &Config) -> serde_json::Value {
    format!("{}/billing", config.billing_return_url.trim_end_matches('/')).into()
}

/// After a subscription event: when it left the payment overdue on a paid plan, tells the owner
/// until when the plan holds (once per overdue period: the key names its start).
pub async fn payment_overdue(env: &Env, config: &Config, tenant: TenantId) -> ApiResult<()> {
    let db = PlatformDb::open(env)?;
    let Some(row) = billing::of(&db, tenant).await? else { return Ok(()) };
    let (Some(since), true) = (row.past_due_since, row.plan != Plan::Starter.as_str()) else { return Ok(()) };
    let mut data = serde_json::Map::new();
    data.insert("plan".into(), plan_name(&row.plan).into());
    data.insert("grace_ends".into(), grace_end_day(since).into());
    data.insert("billing_url".into(), billing_url(config));
    let key = format!("payment_failed:{tenant}:{since}");
    mail_owner(&db, config, tenant, EmailTemplate::PaymentFailed, data, key).await
}

/// `POST /internal/billing/lapse`: moves the tenants whose grace period is over at the scheduled
/// time to Starter. Each owner's mail is queued first, keyed by the overdue period, so a sweep
/// that fails halfway mails nobody twice and moves the rest on its next tick.
pub async fn lapse(env: &Env, config: &Config, input: LapseDuePlans) -> ApiResult<PlansLapsed> {
    let limit = input.limit.clamp(1, 100);
    let at = queues::schedule::scheduled_time(input.at.as_deref(), now())
        .map_err(|e| ApiError::invalid("at", e))?;
    let db = PlatformDb::open(env)?;
    let mut due = billing::lapsing(&db, at.unix_timestamp(), limit + 1).await?;
    let more = due.len() > limit as usize;
    due.truncate(limit as usize);
    let mut lapsed = 0;
    for tenant in due {
        let id: TenantId = tenant.id.parse().map_err(|e| ApiError::internal("tenant id", e))?;
        let mut data = serde_json::Map::new();
        data.insert("plan".into(), plan_name(&tenant.plan).into());
        data.insert("billing_url".into(), billing_url(config));
        let key = format!("plan_lapsed:{id}:{}", tenant.past_due_since);
        mail_owner(&db, config, id, EmailTemplate::PlanLapsed, data, key).await?;
        if db.run(billing::lapse(&tenant.id, tenant.past_due_since, at.unix_timestamp())).await?.changes > 0 {
            record(&db, Some(id), "billing", "billing.plan_lapsed", &tenant.plan, &rfc3339(at)).await?;
            lapsed += 1;
        }
    }
    Ok(PlansLapsed { lapsed, more })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_reads_the_plan_by_name_and_the_last_day_of_grace_as_a_date() {
        assert_eq!(plan_name("growth"), "Growth");
        assert_eq!(plan_name("enterprise"), "Enterprise");
        // 2026-12-07T12:00:00Z plus seven days.
        assert_eq!(grace_end_day(1_796_644_800), "14 December 2026");
    }
}
