//! The erasure function's confirmation that a tenant's pipeline data is gone.

use crate::error::ApiResult;
use crate::repo::audit_log::audit;
use crate::runtime::{now, rfc3339};
use crate::v1::gdpr::{erasure_row, ErasureView};
use tenancy::shards::platform;
use worker::Env;

/// `POST /internal/erasures/{id}/confirm`: the pipelines erased their part. Repeating it keeps
/// the first confirmation's time and adds the counts of later passes (normally zero).
pub async fn confirm_erasure(env: &Env, id: &str, body: &str) -> ApiResult<ErasureView> {
    let confirmation: queues::internal_api::ErasureConfirmation = crate::error::parse_json(body)?;
    let row = erasure_row(env, id).await?;
    let db = platform(env)?;
    let at = rfc3339(now());
    let tenant: Option<domain::TenantId> = row.tenant_id.parse().ok();
    let mut statements = vec![db
        .prepare(
            "UPDATE erasures SET pipelines_confirmed_at = COALESCE(pipelines_confirmed_at, ?2), \
             dynamodb_items = COALESCE(dynamodb_items, 0) + ?3, s3_objects = COALESCE(s3_objects, 0) + ?4 WHERE id = ?1",
        )
        .bind(&[
            id.into(),
            at.clone().into(),
            (confirmation.dynamodb_items as f64).into(),
            (confirmation.s3_objects as f64).into(),
        ])?];
    if row.pipelines_confirmed_at.is_none() {
        statements.push(audit(&db, tenant, "pipelines", "gdpr.erasure_confirmed", id, &at)?);
    }
    db.batch(statements).await?;
    Ok(erasure_row(env, id).await?.into())
}
