//! The platform's audit log: who changed what, when.

use domain::TenantId;
use worker::wasm_bindgen::JsValue;
use worker::D1Database;

/// An audit-log insert for a write.
pub fn audit(
    db: &D1Database,
    tenant: Option<TenantId>,
    actor: &str,
    action: &str,
    target: &str,
    at: &str,
) -> worker::Result<worker::D1PreparedStatement> {
    db.prepare("INSERT INTO audit_log (tenant_id, actor, action, target, at) VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind(&[
            tenant.map_or(JsValue::NULL, |t| t.to_string().into()),
            actor.into(),
            action.into(),
            target.into(),
            at.into(),
        ])
}
