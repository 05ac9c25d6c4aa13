//! The erasure function's confirmation that a tenant's pipeline data is gone.

use crate::error::ApiResult;
use crate::repo::audit_log::entry;
use crate::repo::erasures;
use crate::runtime::{now, rfc3339};
use crate::v1::gdpr::{self, erasure_row};
use queues::internal_api::{ErasureConfirmation, ErasureView};
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
use worker::Env;

/// `POST /internal/erasures/{id}/confirm`: the pipelines erased their part. Repeating it keeps
/// the first confirmation's time and adds the counts of later passes (normally zero).
pub async fn confirm_erasure(
    env: &Env,
    id: &str,
    confirmation: ErasureConfirmation,
) -> ApiResult<ErasureView> {
    let row = erasure_row(env, id).await?;
    let db = PlatformDb::open(env)?;
    let at = rfc3339(now());
    let tenant: Option<domain::TenantId> = row.tenant_id.parse().ok();
    let mut statements =
        vec![erasures::confirm(id, &at, confirmation.dynamodb_items, confirmation.s3_objects)];
    if row.pipelines_confirmed_at.is_none() {
        statements.push(entry(tenant, "pipelines", "gdpr.erasure_confirmed", id, &at));
    }
    db.batch(statements).await?;
    Ok(contract_view(erasure_row(env, id).await?.into()))
}

/// The owner's view of an erasure (`GET /v1/gdpr/erasures/{id}`) as the contract types it: the
/// same fields, so the same JSON.
fn contract_view(view: gdpr::ErasureView) -> ErasureView {
    ErasureView {
        id: view.id,
        status: view.status,
        requested_at: view.requested_at,
        data_erased_at: view.data_erased_at,
        pipelines_confirmed_at: view.pipelines_confirmed_at,
        dynamodb_items: view.dynamodb_items,
        s3_objects: view.s3_objects,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pipelines_read_an_erasure_in_the_same_json_as_the_owner() {
        let owner = |s3_objects| gdpr::ErasureView {
            id: "e1".into(),
            status: "completed".into(),
            requested_at: "2026-12-01T00:00:00Z".into(),
            data_erased_at: Some("2026-12-01T00:00:01Z".into()),
            pipelines_confirmed_at: None,
            dynamodb_items: Some(12),
            s3_objects,
        };
        for s3_objects in [Some(3), None] {
            let expected = serde_json::to_string(&owner(s3_objects)).unwrap();
            assert_eq!(serde_json::to_string(&contract_view(owner(s3_objects))).unwrap(), expected);
        }
    }
}
