//! Handles a batch of paid orders: one order each.
//!
//! For each order, reads it from the edge (address, lines with their supplier listings, supplier
//! orders already recorded), splits its lines by supplier, places each supplier's order that is
//! not recorded yet, and reports every supplier's answer to the edge, which moves the order to
//! `placed` or `failed` and records why. AliExpress orders carry `out_order_id`
//! `{order}-aliexpress`: AliExpress places one order per id, so a message handled twice (a
//! redelivery after a crash between placing and reporting) still makes one supplier order. CJ
//! orders carry `orderNumber` `{order}-cj`, looked up before placing (see [`crate::cj`]).
//! A supplier that cannot be reached fails the message, which SQS retries and then dead-letters.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent};
use pipeline::edge::EdgeClient;
use queues::consumer::Consumer;
use queues::fulfil_api::{
    FulfilmentLine, FulfilmentOrder, FulfilmentReport, FulfilmentRequest, ShipTo, SupplierOutcome,
};
use queues::idempotency::DynamoStore;
use queues::internal_api::calls::{ReadFulfilmentOrder, ReportFulfilment};
use queues::messages::OrderPaid;
use queues::Envelope;
use secrecy::{ExposeSecret, SecretString};
use suppliers::aliexpress::{AliExpress, LogisticsAddress, PlaceOrder, Placement, ProductItem};

/// Clients built once per cold start.
pub struct State {
    /// The edge's internal API.
    pub edge: EdgeClient,
    /// The AliExpress dropshipping API with the merchant's access token, when configured.
    pub aliexpress: Option<(AliExpress, SecretString)>,
    /// The CJdropshipping API with the account's API key, when configured.
    pub cj: Option<suppliers::cj::Cj>,
    /// Idempotency records.
    pub idempotency: DynamoStore,
}

/// The entry point: an SQS batch of the `fulfilment` queue (it has `Records`), or a tick of the
/// tracking schedule.
pub async fn dispatch(
    state: &State,
    event: LambdaEvent<serde_json::Value>,
) -> Result<serde_json::Value, Error> {
    let (payload, context) = event.into_parts();
    if payload.get("Records").is_some() {
        let batch: SqsEvent = serde_json::from_value(payload)?;
        return Ok(serde_json::to_value(handle(state, LambdaEvent::new(batch, context)).await?)?);
    }
    let tick: crate::tracking::Tick = serde_json::from_value(payload)?;
    Ok(serde_json::to_value(crate::tracking::tick(state, tick).await?)?)
}

/// The SQS entry point: per-message handling with partial batch failures.
pub async fn handle(state: &State, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, Error> {
    Ok(Consumer::new("fulfilment", &state.idempotency)
        .handle_batch(event.payload, |envelope| fulfil(state, envelope))
        .await)
}

async fn fulfil(state: &State, envelope: Envelope<OrderPaid>) -> anyhow::Result<()> {
    let store = envelope.store()?;
    let request = FulfilmentRequest { order_id: envelope.payload.order_id.clone() };
    let order = state.edge.call::<ReadFulfilmentOrder>(&store, &request).await?;
    let mut outcomes = Vec::new();
    for (supplier, lines) in split(&order) {
        let failure = |reason: &str| SupplierOutcome {
            supplier: supplier.clone(),
            supplier_order_id: None,
            failure: Some(reason.to_owned()),
        };
        let Some(ship_to) = &order.ship_to else {
            outcomes.push(failure("the order has no shipping address"));
            continue;
        };
        match (supplier.as_str(), &state.aliexpress) {
            ("aliexpress", Some((client, token))) => {
                let request = aliexpress_order(&order.order_id, ship_to, &lines);
                let started = std::time::Instant::now();
                let placement = client.place_order(token.expose_secret(), &request).await?;
                tracing::info!(order = %order.order_id, ms = started.elapsed().as_millis() as u64, ?placement, "AliExpress answered");
                outcomes.push(match placement {
                    Placement::Placed(ids) => SupplierOutcome {
                        supplier: supplier.clone(),
                        supplier_order_id: Some(ids.join(",")),
                        failure: None,
                    },
                    Placement::Refused(reason) => failure(&reason),
                });
            }
            ("aliexpress", None) => outcomes.push(failure("AliExpress ordering is not configured")),
            (crate::cj::SUPPLIER, _) => {
                outcomes.push(crate::cj::place(state.cj.as_ref(), &order.order_id, ship_to, &lines).await?)
            }
            (other, _) => {
                outcomes.push(failure(&format!("orders cannot be placed with {other} automatically")))
            }
        }
    }
    if outcomes.is_empty() {
        tracing::info!(order = %order.order_id, state = %order.state, "nothing left to place");
        return Ok(());
    }
    let recorded = state
        .edge
        .call::<ReportFulfilment>(&store, &FulfilmentReport { order_id: order.order_id.clone(), outcomes })
        .await?;
    tracing::info!(order = %order.order_id, state = %recorded.state, "fulfilment reported");
    Ok(())
}

/// The order's lines by supplier, for the suppliers with no supplier order recorded yet; lines of
/// the merchant's own stock are theirs to ship and go to no supplier.
pub fn split(order: &FulfilmentOrder) -> Vec<(String, Vec<FulfilmentLine>)> {
    let mut groups: Vec<(String, Vec<FulfilmentLine>)> = Vec::new();
    for line in &order.lines {
        let Some(supplier) = &line.source else { continue };
        if order.supplier_orders.iter().any(|s| &s.supplier == supplier) {
            continue;
        }
        match groups.iter_mut().find(|(s, _)| s == supplier) {
            Some((_, lines)) => lines.push(line.clone()),
            None => groups.push((supplier.clone(), vec![line.clone()])),
        }
    }
    groups
}

/// The `aliexpress.ds.order.create` request of an order's AliExpress lines.
pub fn aliexpress_order(order_id: &str, to: &ShipTo, lines: &[FulfilmentLine]) -> PlaceOrder {
    let phone = to.phone.clone().unwrap_or_default();
    let (phone_country, mobile_no) = split_phone(&phone);
    PlaceOrder {
        out_order_id: format!("{order_id}-aliexpress"),
        logistics_address: LogisticsAddress {
            contact_person: to.name.clone(),
            full_name: to.name.clone(),
            address: to.line1.clone(),
            address2: to.line2.clone(),
            city: to.city.clone(),
            province: to.state.clone(),
            zip: to.postal_code.clone(),
            country: to.country.clone(),
            mobile_no,
            phone_country,
        },
        product_items: lines
            .iter()
            .map(|l| ProductItem {
                product_id: l.source_product_id.clone().unwrap_or_default(),
                product_count: l.quantity,
                sku_attr: l.sku_attr.clone().unwrap_or_default(),
                order_memo: None,
            })
            .collect(),
    }
}

/// `+1 555 010 0199` as (`+1`, `5550100199`): the calling code is the digits after `+` up to the
/// first separator; a number without `+` is all national digits.
fn split_phone(phone: &str) -> (Option<String>, String) {
    let phone = phone.trim();
    match phone.strip_prefix('+') {
        Some(rest) => {
            let code: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let national: String = rest[code.len()..].chars().filter(char::is_ascii_digit).collect();
            if code.is_empty() || national.is_empty() {
                (None, phone.chars().filter(char::is_ascii_digit).collect())
            } else {
                (Some(format!("+{code}")), national)
            }
        }
        None => (None, phone.chars().filter(char::is_ascii_digit).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use queues::fulfil_api::SupplierOrderView;

    fn line(position: u32, source: Option<&str>) -> FulfilmentLine {
        FulfilmentLine {
            position,
            product_id: format!("p{position}"),
            title: "Lamp".into(),
            quantity: 2,
            unit_price_minor: 1999,
            source: source.map(Into::into),
            source_product_id: source.map(|_| format!("100{position}")),
            sku_attr: None,
        }
    }

    fn order(lines: Vec<FulfilmentLine>, recorded: &[&str]) -> FulfilmentOrder {
        FulfilmentOrder {
            order_id: "o1".into(),
            number: 1001,
            state: "paid".into(),
            ship_to: Some(ShipTo {
                name: "Ada Lovelace".into(),
                phone: Some("+1 555 010 0199".into()),
                line1: "1 Main Street".into(),
                city: "Springfield".into(),
                postal_code: "62701".into(),
                country: "US".into(),
                ..ShipTo::default()
            }),
            lines,
            currency: "USD".into(),
            supplier_orders: recorded
                .iter()
                .map(|s| SupplierOrderView {
                    supplier: (*s).into(),
                    status: "placed".into(),
                    supplier_order_id: Some("1".into()),
                    reason: None,
                })
                .collect(),
        }
    }

    #[test]
    fn an_order_splits_by_supplier_and_the_merchants_own_lines_go_to_none() {
        let o = order(
            vec![
                line(0, Some("aliexpress")),
                line(1, None),
                line(2, Some("cj")),
                line(3, Some("aliexpress")),
            ],
            &[],
        );
        let groups = split(&o);
        let shape: Vec<(&str, Vec<u32>)> =
            groups.iter().map(|(s, l)| (s.as_str(), l.iter().map(|l| l.position).collect())).collect();
        assert_eq!(shape, [("aliexpress", vec![0, 3]), ("cj", vec![2])]);
    }

    #[test]
    fn a_supplier_with_a_recorded_order_is_not_placed_again() {
        let o = order(vec![line(0, Some("aliexpress")), line(1, Some("cj"))], &["aliexpress"]);
        assert_eq!(split(&o).iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(), ["cj"]);
    }

    #[test]
    fn the_aliexpress_request_carries_the_address_phone_and_products_under_one_out_order_id() {
        let o = order(vec![line(0, Some("aliexpress"))], &[]);
        let request = aliexpress_order("o1", o.ship_to.as_ref().unwrap(), &o.lines);
        assert_eq!(request.out_order_id, "o1-aliexpress");
        let a = &request.logistics_address;
        assert_eq!(
            (a.full_name.as_str(), a.address.as_str(), a.zip.as_str(), a.country.as_str()),
            ("Ada Lovelace", "1 Main Street", "62701", "US")
        );
        assert_eq!((a.phone_country.as_deref(), a.mobile_no.as_str()), (Some("+1"), "5550100199"));
        assert_eq!(
            (request.product_items[0].product_id.as_str(), request.product_items[0].product_count),
            ("1000", 2)
        );
    }

    #[test]
    fn phones_split_into_calling_code_and_national_digits() {
        assert_eq!(split_phone("+44 20 7946 0000"), (Some("+44".into()), "2079460000".into()));
        assert_eq!(split_phone("(555) 010-0199"), (None, "5550100199".into()));
        assert_eq!(split_phone(""), (None, String::new()));
    }
}
