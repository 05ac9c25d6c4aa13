//! A store's automated email flows as the merchant runs them: switch each on or off, change its
//! steps' delays, subjects and intro text, see what each flow sent, and the segments its events
//! make (new and repeat customers, cart abandoners, contacts inactive for 60 days).
//!
//! The email pipeline reads the settings when an event starts a flow and reports each step's fate
//! (`/internal/stores/{id}/email/...`, contract in `queues::email_api`); the edge keeps both in D1.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::email_flows;
use crate::runtime::{now, rfc3339};
use crate::scope::StoreScope;
use domain::marketing::{check_steps, effective_delays, flow, StepSettings, FLOWS};
use queues::email_api::FlowSettings;
use serde::{Deserialize, Serialize};
use tenancy::shards::PlatformDb;
use tenancy::shards::StoreDb;
use worker::Env;

/// The mails of each flow's steps, in order (as the email pipeline sends them).
fn templates(flow: &str) -> &'static [&'static str] {
    match flow {
        "welcome" => &["welcome", "welcome_bestsellers", "welcome_discount"],
        "abandoned_cart" => &["cart_reminder", "cart_discount", "cart_final"],
        _ => &["order_confirmation", "shipping_update", "review_request", "cross_sell"],
    }
}

/// One step of a flow as the merchant sees it.
#[derive(Debug, Serialize)]
struct StepView {
    step: u8,
    template: &'static str,
    /// Hours after the trigger; `null` for the shipping update, sent when the order ships.
    delay_hours: Option<u32>,
    subject: Option<String>,
    intro: Option<String>,
}

/// A flow as the merchant sees it.
#[derive(Debug, Serialize)]
pub struct FlowView {
    flow: &'static str,
    enabled: bool,
    steps: Vec<StepView>,
    /// Steps by status: scheduled, sent, cancelled, skipped.
    sends: serde_json::Map<String, serde_json::Value>,
}

async fn counts(db: &StoreDb, flow: &str) -> ApiResult<serde_json::Map<String, serde_json::Value>> {
    let rows = email_flows::counts(db, flow).await?;
    let mut out = serde_json::Map::new();
    for status in ["scheduled", "sent", "cancelled", "skipped"] {
        let n = rows.iter().find(|r| r.status == status).map_or(0, |r| r.n);
        out.insert(status.into(), n.into());
    }
    Ok(out)
}

fn view(
    name: &'static str,
    settings: Option<&FlowSettings>,
    sends: serde_json::Map<String, serde_json::Value>,
) -> FlowView {
    let steps: &[StepSettings] = settings.map_or(&[], |s| s.steps.as_slice());
    let delays = effective_delays(name, steps);
    FlowView {
        flow: name,
        enabled: settings.is_none_or(|s| s.enabled),
        steps: templates(name)
            .iter()
            .zip(delays)
            .enumerate()
            .map(|(i, (template, delay_hours))| {
                let number = u8::try_from(i + 1).unwrap_or(u8::MAX);
                let changed = steps.iter().find(|s| s.step == number);
                StepView {
                    step: number,
                    template,
                    delay_hours,
                    subject: changed.and_then(|c| c.subject.clone()),
                    intro: changed.and_then(|c| c.intro.clone()),
                }
            })
            .collect(),
        sends,
    }
}

/// `GET /v1/stores/{id}/email/flows`: every flow with its settings and its sends by status.
pub async fn list(scope: &StoreScope) -> ApiResult<serde_json::Value> {
    let _store = &scope.store;
    let db = &scope.db;
    let settings = email_flows::settings(db).await?;
    let mut flows = Vec::with_capacity(FLOWS.len());
    for name in FLOWS {
        let sends = counts(db, name).await?;
        flows.push(view(name, settings.iter().find(|s| s.flow == name), sends));
    }
    Ok(serde_json::json!({ "flows": flows }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    steps: Option<Vec<StepSettings>>,
}

/// `PATCH /v1/stores/{id}/email/flows/{flow}`: switches a flow on or off and replaces its step
/// settings (`steps` lists every changed step; a step left out runs with the defaults). Applies
/// to flows started from now on.
pub async fn update(env: &Env, scope: &StoreScope, flow_name: &str, body: &str) -> ApiResult<FlowView> {
    let store = &scope.store;
    let actor = &scope.actor();
    let (name, _) = flow(flow_name).map_err(|_| ApiError::not_found("flow"))?;
    let change: Change = parse_json(body)?;
    let db = &scope.db;
    let current = email_flows::settings(db).await?.into_iter().find(|s| s.flow == name);
    let steps = match change.steps {
        Some(steps) => check_steps(name, &steps).map_err(|e| {
            // The steps a flow has, which of them wait and their order: rules the API document
            // states only in words, as it cannot tie the body to the path's flow or items together.
            if e.spans_steps() {
                ApiError::unprocessable(e.field(), e.to_string())
            } else {
                ApiError::invalid(e.field(), e.to_string())
            }
        })?,
        None => current.as_ref().map(|c| c.steps.clone()).unwrap_or_default(),
    };
    let enabled = change.enabled.or(current.as_ref().map(|c| c.enabled)).unwrap_or(true);
    let at = rfc3339(now());
    let steps_json = serde_json::to_string(&steps).map_err(|e| ApiError::internal("flow settings", e))?;
    email_flows::save_settings(db, name, enabled, &steps_json, &at).await?;
    crate::repo::audit_log::record(
        &PlatformDb::open(env)?,
        Some(store.tenant_id),
        actor,
        "email.flow_update",
        &format!("{}:{name}", store.id),
        &at,
    )
    .await?;
    let settings = FlowSettings { flow: name.to_owned(), enabled, steps };
    Ok(view(name, Some(&settings), counts(db, name).await?))
}

/// One step's fate as the merchant sees it.
#[derive(Debug, Serialize)]
pub struct SendView {
    subject: String,
    step: i64,
    template: String,
    recipient: String,
    status: String,
    reason: Option<String>,
    due_at: String,
    updated_at: String,
}

/// `GET /v1/stores/{id}/email/flows/{flow}/sends?status=`: the flow's steps, newest news first
/// (at most 200), with the counts by status.
pub async fn sends(
    scope: &StoreScope,
    flow_name: &str,
    status: Option<&str>,
) -> ApiResult<serde_json::Value> {
    let _store = &scope.store;
    let (name, _) = flow(flow_name).map_err(|_| ApiError::not_found("flow"))?;
    let status = match status.unwrap_or("") {
        s @ ("" | "scheduled" | "sent" | "cancelled" | "skipped") => s,
        _ => return Err(ApiError::invalid("status", "status must be scheduled, sent, cancelled or skipped")),
    };
    let db = &scope.db;
    let rows: Vec<SendView> =
        email_flows::sends(db, name, status).await?.into_iter().map(SendView::from).collect();
    Ok(serde_json::json!({ "flow": name, "counts": counts(db, name).await?, "sends": rows }))
}

/// `GET /v1/stores/{id}/email/segments`: who is in each segment (first 100 addresses) and how
/// many. Derived from the flows' own records: orders from post-purchase flows, carts from
/// abandoned-cart flows (bought when a purchase cancelled their steps), activity from orders and
/// sign-ups.
pub async fn segments(scope: &StoreScope) -> ApiResult<serde_json::Value> {
    let _store = &scope.store;
    let db = &scope.db;
    let customers = email_flows::customers(db).await?;
    let pick = |keep: &dyn Fn(u64) -> bool| -> Vec<String> {
        customers.iter().filter(|c| keep(c.orders)).map(|c| c.recipient.clone()).collect()
    };
    let new_customers = pick(&|orders| orders == 1);
    let repeat_customers = pick(&|orders| orders >= 2);
    let mut cart_abandoners = email_flows::cart_abandoners(db).await?;
    cart_abandoners.dedup();
    let since = rfc3339(now() - time::Duration::days(60));
    let inactive_60_days = email_flows::inactive_since(db, &since).await?;
    let segment = |members: Vec<String>| serde_json::json!({ "count": members.len(), "members": members.into_iter().take(100).collect::<Vec<_>>() });
    Ok(serde_json::json!({
        "new_customers": segment(new_customers),
        "repeat_customers": segment(repeat_customers),
        "cart_abandoners": segment(cart_abandoners),
        "inactive_60_days": segment(inactive_60_days),
    }))
}

impl From<email_flows::SendRow> for SendView {
    fn from(row: email_flows::SendRow) -> Self {
        SendView {
            subject: row.subject,
            step: row.step,
            template: row.template,
            recipient: row.recipient,
            status: row.status,
            reason: row.reason,
            due_at: row.due_at,
            updated_at: row.updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flow_without_settings_shows_its_default_steps() {
        let flow = view("post_purchase", None, serde_json::Map::new());
        assert!(flow.enabled);
        let delays: Vec<Option<u32>> = flow.steps.iter().map(|s| s.delay_hours).collect();
        assert_eq!(delays, vec![Some(0), None, Some(336), Some(720)]);
        assert_eq!(flow.steps[3].template, "cross_sell");
    }

    #[test]
    fn a_changed_step_shows_the_merchants_values() {
        let settings = FlowSettings {
            flow: "welcome".into(),
            enabled: false,
            steps: vec![StepSettings {
                step: 2,
                delay_hours: Some(72),
                subject: Some("Hi".into()),
                intro: None,
            }],
        };
        let flow = view("welcome", Some(&settings), serde_json::Map::new());
        assert!(!flow.enabled);
        assert_eq!((flow.steps[1].delay_hours, flow.steps[1].subject.as_deref()), (Some(72), Some("Hi")));
        assert_eq!(flow.steps[0].delay_hours, Some(0));
    }
}
