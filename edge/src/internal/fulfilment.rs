//! Fulfilment, edge side: the paid order the fulfilment function places (address, lines with
//! their supplier listings and recorded costs, supplier orders already recorded, what the store
//! asks before placing), and what the suppliers answered, which moves the order to `placed` or
//! `failed`, or the function's hold, which moves it to `awaiting_approval`; each move is kept in
//! its history.

use crate::error::{ApiError, ApiResult};
use crate::internal::StoreAccess;
use crate::repo::fulfilment as repo;
use crate::repo::orders;
use crate::runtime::{now, rfc3339};
use queues::fulfil_api::{
    FulfilmentLine, FulfilmentOrder, FulfilmentRecorded, FulfilmentReport, FulfilmentRequest, ShipTo,
    SupplierOrderView,
};
use queues::messages::EmailTemplate;
use serde_json::Value;

/// Suppliers one report names at most.
const MAX_OUTCOMES: usize = 20;
/// A hold's reason is at most this long (bytes).
const MAX_HOLD_REASON: usize = 1_000;

/// `POST /internal/stores/{id}/fulfilment/order`.
pub async fn order(access: &StoreAccess, input: FulfilmentRequest) -> ApiResult<FulfilmentOrder> {
    let db = &access.db;
    let row = orders::get(db, &input.order_id).await?.ok_or_else(|| ApiError::not_found("order"))?;
    let lines = repo::lines(db, &row.id).await?;
    let placed = repo::supplier_orders(db, &row.id).await?;
    let policy = repo::policy(db).await?.unwrap_or_default();
    let text = |v: &Value, k: &str| v[k].as_str().map(str::to_owned);
    let count = |v: &Value, k: &str| v[k].as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
    Ok(FulfilmentOrder {
        ship_to: ship_to(&row),
        order_id: row.id,
        number: row.number,
        state: row.fulfilment,
        currency: row.currency,
        lines: lines
            .iter()
            .map(|l| FulfilmentLine {
                position: count(l, "position"),
                product_id: text(l, "product_id").unwrap_or_default(),
                title: text(l, "title").unwrap_or_default(),
                quantity: count(l, "quantity"),
                unit_price_minor: l["unit_price_minor"].as_i64().unwrap_or(0),
                source: text(l, "source"),
                source_product_id: text(l, "source_product_id"),
                sku_attr: None,
                cost_minor: l["cost_minor"].as_i64().filter(|c| *c > 0),
            })
            .collect(),
        supplier_orders: placed
            .iter()
            .map(|s| SupplierOrderView {
                supplier: text(s, "supplier").unwrap_or_default(),
                status: text(s, "status").unwrap_or_default(),
                supplier_order_id: text(s, "supplier_order_id"),
                reason: text(s, "reason"),
            })
            .collect(),
        min_margin_bps: policy["min_margin_bps"]
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(domain::pricing::PricingRules::default().min_margin_bps),
        approve_by_hand: policy["approve_by_hand"].as_i64() == Some(1),
        approved: row.approved_by.is_some(),
    })
}

/// The recorded address as the suppliers take it; `None` when the order has none.
fn ship_to(row: &orders::OrderRow) -> Option<ShipTo> {
    let address: serde_json::Value = serde_json::from_str(row.shipping_address.as_deref()?).ok()?;
    let text = |k: &str| address[k].as_str().map(str::to_owned);
    Some(ShipTo {
        name: row.shipping_name.clone().unwrap_or_default(),
        phone: row.shipping_phone.clone(),
        line1: text("line1").unwrap_or_default(),
        line2: text("line2"),
        city: text("city").unwrap_or_default(),
        state: text("state"),
        postal_code: text("postal_code").unwrap_or_default(),
        country: text("country").unwrap_or_default(),
    })
}

/// Checks a report before the store is read.
pub fn check_report(input: &FulfilmentReport) -> ApiResult<()> {
    let well_formed = |o: &queues::fulfil_api::SupplierOutcome| {
        (1..=32).contains(&o.supplier.len()) && o.supplier_order_id.is_none() != o.failure.is_none()
    };
    if let Some(reason) = &input.hold {
        if !input.outcomes.is_empty() || !(1..=MAX_HOLD_REASON).contains(&reason.len()) {
            return Err(ApiError::invalid("hold", "a hold has no outcomes and a reason of 1 to 1000 bytes"));
        }
        return Ok(());
    }
    if input.outcomes.is_empty()
        || input.outcomes.len() > MAX_OUTCOMES
        || !input.outcomes.iter().all(well_formed)
    {
        return Err(ApiError::invalid(
            "outcomes",
            "1 to 20 suppliers, each named in 1 to 32 characters with either a supplier_order_id or a failure",
        ));
    }
    Ok(())
}

/// The order's state once its suppliers answered: `failed` (with the first refusal) when any
/// supplier refused, else `placed`.
pub fn state_after(answers: &[(String, Option<String>)]) -> (&'static str, Option<String>) {
    match answers.iter().find_map(|(supplier, failure)| failure.as_ref().map(|f| format!("{supplier}: {f}")))
    {
        Some(reason) => ("failed", Some(reason)),
        None => ("placed", None),
    }
}

/// `POST /internal/stores/{id}/fulfilment/report`: records each supplier's answer once (a second
/// report of a supplier changes nothing), then moves the order and adds the change to its
/// history when its state changed.
pub async fn report(
    env: &worker::Env,
    config: &crate::config::Config,
    access: &StoreAccess,
    input: FulfilmentReport,
) -> ApiResult<FulfilmentRecorded> {
    let db = &access.db;
    let row = orders::get(db, &input.order_id).await?.ok_or_else(|| ApiError::not_found("order"))?;
    let at = rfc3339(now());
    if let Some(reason) = &input.hold {
        // Held only from `paid` and never once approved; a redelivered hold records nothing.
        if db.execute_batch(vec![repo::hold(db, &row.id, reason)?]).await?[0].changes == 0 {
            return Ok(FulfilmentRecorded { state: row.fulfilment });
        }
        db.execute_batch(vec![repo::event(db, &row.id, "awaiting_approval", reason, &at)?]).await?;
        tell_owner(env, config, access, &row, EmailTemplate::OrderHeld, reason).await?;
        return Ok(FulfilmentRecorded { state: "awaiting_approval".to_owned() });
    }
    let mut statements = Vec::with_capacity(input.outcomes.len());
    for o in &input.outcomes {
        statements.push(repo::supplier_answer(
            db,
            &row.id,
            &o.supplier,
            o.supplier_order_id.as_deref(),
            o.failure.as_deref(),
            &at,
        )?);
    }
    db.execute_batch(statements).await?;
    let recorded = repo::supplier_orders(db, &row.id).await?;
    let text = |v: &Value, k: &str| v[k].as_str().map(str::to_owned);
    let answers: Vec<(String, Option<String>)> =
        recorded.iter().map(|s| (text(s, "supplier").unwrap_or_default(), text(s, "reason"))).collect();
    let (state, reason) = state_after(&answers);
    if state != row.fulfilment && matches!(row.fulfilment.as_str(), "paid" | "awaiting_approval") {
        let cause = match &reason {
            Some(reason) => reason.clone(),
            None => recorded
                .iter()
                .map(|s| {
                    format!(
                        "{} order {}",
                        s["supplier"].as_str().unwrap_or("?"),
                        s["supplier_order_id"].as_str().unwrap_or("?")
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        };
        db.execute_batch(vec![
            repo::set_state(db, &row.id, state, reason.as_deref())?,
            repo::event(db, &row.id, state, &cause, &at)?,
        ])
        .await?;
        if state == "failed" {
            tell_owner(env, config, access, &row, EmailTemplate::OrderFailed, &cause).await?;
        }
        return Ok(FulfilmentRecorded { state: state.to_owned() });
    }
    Ok(FulfilmentRecorded { state: row.fulfilment })
}

/// Mails the store's owner that the order needs them (held for approval, or failed), once per
/// order and template: the mail's key names both, so a repeated report sends nothing more.
async fn tell_owner(
    env: &worker::Env,
    config: &crate::config::Config,
    access: &StoreAccess,
    order: &orders::OrderRow,
    template: EmailTemplate,
    reason: &str,
) -> ApiResult<()> {
    let store = &access.store;
    let mut data = serde_json::Map::new();
    data.insert("store".into(), store.row.name.clone().into());
    data.insert("order_number".into(), format!("#{}", order.number).into());
    data.insert("reason".into(), reason.into());
    let dashboard = config.billing_return_url.trim_end_matches('/');
    data.insert("order_url".into(), format!("{dashboard}/stores/{}/orders/{}", store.id, order.id).into());
    let key = format!("{}:{}:{}", template.name(), store.id, order.id);
    let db = tenancy::shards::PlatformDb::open(env)?;
    crate::internal::billing::mail_owner(&db, config, store.tenant_id, template, data, key).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use queues::fulfil_api::SupplierOutcome;

    #[test]
    fn any_refusal_fails_the_order_with_its_supplier_and_reason() {
        let placed = ("aliexpress".to_owned(), None);
        let refused = ("cj".to_owned(), Some("sold out".to_owned()));
        assert_eq!(state_after(std::slice::from_ref(&placed)), ("placed", None));
        assert_eq!(state_after(&[placed, refused]), ("failed", Some("cj: sold out".into())));
    }

    #[test]
    fn a_report_names_each_supplier_with_an_order_id_or_a_failure() {
        let outcome = |id: Option<&str>, failure: Option<&str>| SupplierOutcome {
            supplier: "aliexpress".into(),
            supplier_order_id: id.map(Into::into),
            failure: failure.map(Into::into),
        };
        let report = |outcomes| FulfilmentReport { order_id: "o1".into(), outcomes, hold: None };
        assert!(check_report(&report(vec![outcome(Some("1"), None)])).is_ok());
        assert!(check_report(&report(vec![outcome(None, Some("sold out"))])).is_ok());
        assert!(check_report(&report(vec![outcome(None, None)])).is_err());
        assert!(check_report(&report(vec![outcome(Some("1"), Some("x"))])).is_err());
        assert!(check_report(&report(vec![])).is_err());
        let hold = |outcomes, reason: &str| FulfilmentReport {
            order_id: "o1".into(),
            outcomes,
            hold: Some(reason.into()),
        };
        assert!(check_report(&hold(vec![], "the store approves orders by hand")).is_ok());
        assert!(check_report(&hold(vec![], "")).is_err(), "a hold says why");
        assert!(
            check_report(&hold(vec![outcome(Some("1"), None)], "x")).is_err(),
            "held or placed, not both"
        );
    }
}
