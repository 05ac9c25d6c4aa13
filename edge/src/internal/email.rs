//! What the email function reads (a store's flow settings) and records (the sends it scheduled).

use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::stores::load;
use crate::runtime::{now, rfc3339};
use crate::v1::email_flows::settings_rows;
use domain::marketing::flow;
use domain::StoreId;
use queues::email_api::{SendReports, SendStatus, StoreFlowSettings};
use tenancy::shards::platform;
use worker::wasm_bindgen::JsValue;
use worker::Env;

/// `POST /internal/stores/{id}/email/flows`: the store's flow settings for the email pipeline.
pub async fn internal_settings(env: &Env, store_id: StoreId) -> ApiResult<StoreFlowSettings> {
    let store = load(&platform(env)?, store_id).await?;
    Ok(StoreFlowSettings { flows: settings_rows(&store.db(env)?).await? })
}

/// `POST /internal/stores/{id}/email/sends`: records what became of flow steps. `scheduled`
/// only adds a step not seen before; later news updates it, but never sets a sent step back; a
/// report without a recipient (a purchase's cancellation) only updates steps still scheduled.
pub async fn internal_record(env: &Env, store_id: StoreId, body: &str) -> ApiResult<serde_json::Value> {
    let input: SendReports = parse_json(body)?;
    if input.sends.len() > 1_000 {
        return Err(ApiError::invalid("sends", "send at most 1000 reports at once"));
    }
    let store = load(&platform(env)?, store_id).await?;
    let db = store.db(env)?;
    let at = rfc3339(now());
    let mut statements = Vec::with_capacity(input.sends.len());
    for send in &input.sends {
        flow(&send.flow).map_err(|e| ApiError::invalid("flow", e.to_string()))?;
        let status = match send.status {
            SendStatus::Scheduled => "scheduled",
            SendStatus::Sent => "sent",
            SendStatus::Cancelled => "cancelled",
            SendStatus::Skipped => "skipped",
        };
        let key: [JsValue; 3] =
            [send.flow.clone().into(), send.subject.clone().into(), f64::from(send.step).into()];
        let statement = if send.recipient.is_empty() {
            db.statement(
                "UPDATE email_sends SET status = ?5, reason = ?6, updated_at = ?7 \
                 WHERE store_id = ?1 AND flow = ?2 AND subject = ?3 AND step = ?4 AND status = 'scheduled'",
                &[
                    key[0].clone(),
                    key[1].clone(),
                    key[2].clone(),
                    status.into(),
                    crate::runtime::nullable(send.reason.clone()),
                    at.clone().into(),
                ],
            )?
        } else {
            let on_conflict = if send.status == SendStatus::Scheduled {
                "DO NOTHING"
            } else {
                "DO UPDATE SET status = excluded.status, reason = excluded.reason, updated_at = excluded.updated_at \
                 WHERE email_sends.status <> 'sent'"
            };
            db.statement(
                &format!(
                    "INSERT INTO email_sends (store_id, flow, subject, step, template, recipient, status, reason, due_at, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (store_id, flow, subject, step) {on_conflict}"
                ),
                &[
                    key[0].clone(),
                    key[1].clone(),
                    key[2].clone(),
                    send.template.clone().into(),
                    send.recipient.clone().into(),
                    status.into(),
                    crate::runtime::nullable(send.reason.clone()),
                    send.due_at.clone().into(),
                    at.clone().into(),
                ],
            )?
        };
        statements.push(statement);
    }
    for chunk in statements.chunks(100) {
        db.batch(chunk.to_vec()).await?;
    }
    Ok(serde_json::json!({ "recorded": input.sends.len() }))
}
