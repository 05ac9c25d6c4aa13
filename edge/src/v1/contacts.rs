//! A store's mailing contacts, as the merchant lists and imports them.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::contacts;
use crate::runtime::{new_id, now, random_bytes, rfc3339};
use crate::scope::StoreScope;
use crate::shoppers::subscriptions::{
    clean_name, ensure_room, hash, tenant_contacts, ContactView, Import, IMPORT_MAX,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::accounts::Email;
use worker::Env;

/// `GET /v1/stores/{id}/contacts?status=`: the store's contacts, newest first (at most 500), with
/// the account's count against its plan.
pub async fn list(env: &Env, scope: &StoreScope, status: Option<&str>) -> ApiResult<serde_json::Value> {
    let store = &scope.store;
    let status = match status.unwrap_or("") {
        s @ ("" | "subscribed" | "unsubscribed" | "bounced" | "complained") => s,
        _ => {
            return Err(ApiError::invalid(
                "status",
                "status must be subscribed, unsubscribed, bounced or complained",
            ))
        }
    };
    let contacts: Vec<ContactView> =
        contacts::list(&scope.db, status).await?.into_iter().map(ContactView::from).collect();
    let used = tenant_contacts(env, store).await?;
    Ok(serde_json::json!({
        "contacts": contacts,
        "account": { "subscribed": used, "limit": store.plan().limits().email_contacts, "plan": store.plan().as_str() },
    }))
}

/// `POST /v1/stores/{id}/contacts/import`: adds up to 1,000 contacts who opted in elsewhere, all
/// or nothing. Imported contacts get no welcome series; addresses already listed are skipped.
pub async fn import(env: &Env, scope: &StoreScope, body: &str) -> ApiResult<serde_json::Value> {
    let store = &scope.store;
    let input: Import = parse_json(body)?;
    if input.contacts.is_empty() || input.contacts.len() > IMPORT_MAX {
        return Err(ApiError::invalid("contacts", format!("send 1 to {IMPORT_MAX} contacts")));
    }
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::with_capacity(input.contacts.len());
    for (i, contact) in input.contacts.into_iter().enumerate() {
        let email = Email::parse(&contact.email)
            .map_err(|e| ApiError::invalid(&format!("contacts[{i}].email"), e.to_string()))?;
        if seen.insert(email.as_str().to_owned()) {
            rows.push((email, clean_name(contact.first_name)));
        }
    }
    let db = &scope.db;
    let listed = contacts::emails(db).await?;
    let listed: std::collections::HashSet<&str> = listed.iter().map(String::as_str).collect();
    rows.retain(|(email, _)| !listed.contains(email.as_str()));
    ensure_room(env, store, rows.len() as u64).await?;
    let at = rfc3339(now());
    let mut statements = Vec::with_capacity(rows.len());
    for (email, first_name) in &rows {
        let id: domain::ProductId = new_id();
        let token = URL_SAFE_NO_PAD.encode(random_bytes::<24>());
        let id = id.to_string();
        let unsubscribe_hash = hash(&token);
        let contact = contacts::NewContact {
            id: &id,
            email: email.as_str(),
            first_name: first_name.as_deref(),
            source: "import",
            unsubscribe_hash: &unsubscribe_hash,
            at: &at,
        };
        statements.push(contacts::insert(db, &contact)?);
    }
    for chunk in statements.chunks(200) {
        db.execute_batch(chunk.to_vec()).await?;
    }
    Ok(serde_json::json!({ "imported": rows.len() }))
}
