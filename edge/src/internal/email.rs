//! What the email function reads (a store's flow settings) and records (the sends it scheduled).

use crate::error::{ApiError, ApiResult};
use crate::internal::StoreAccess;
use crate::repo::email_flows;
use crate::runtime::{now, rfc3339};
use domain::marketing::flow;
use queues::email_api::{SendReports, SendStatus, SendsRecorded, StoreFlowSettings};

/// `POST /internal/stores/{id}/email/flows`: the store's flow settings for the email pipeline.
pub async fn internal_settings(access: &StoreAccess) -> ApiResult<StoreFlowSettings> {
    Ok(StoreFlowSettings { flows: email_flows::settings(&access.db).await? })
}

/// `POST /internal/stores/{id}/email/sends`: records what became of flow steps. `scheduled`
/// only adds a step not seen before; later news updates it, but never sets a sent step back; a
/// report without a recipient (a purchase's cancellation) only updates steps still scheduled.
pub async fn internal_record(access: &StoreAccess, input: SendReports) -> ApiResult<SendsRecorded> {
    let db = &access.db;
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
        let report = email_flows::SendReport {
            flow: &send.flow,
            subject: &send.subject,
            step: send.step,
            template: &send.template,
            recipient: &send.recipient,
            status,
            reason: send.reason.as_deref(),
            due_at: &send.due_at,
        };
        let statement = email_flows::record_send(db, &report, &at)?;
        statements.push(statement);
    }
    for chunk in statements.chunks(100) {
        db.execute_batch(chunk.to_vec()).await?;
    }
    let recorded = u32::try_from(input.sends.len()).map_err(|e| ApiError::internal("sends", e))?;
    Ok(SendsRecorded { recorded })
}

/// What [`internal_record`] checks before the store is read: at most 1000 reports at once.
pub fn check_sends(input: &SendReports) -> ApiResult<()> {
    if input.sends.len() > 1_000 {
        return Err(ApiError::invalid("sends", "send at most 1000 reports at once"));
    }
    Ok(())
}
