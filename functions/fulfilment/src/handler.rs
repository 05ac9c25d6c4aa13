//! Handles a batch of paid orders: one order each.
//!
//! For each order, reads it from the edge (address, lines with their supplier listings, supplier
//! orders already recorded, what the store asks before placing), splits its lines by supplier,
//! reads the suppliers' current listings again and decides with [`domain::approval::decide`]: a
//! listing gone fails the order; a margin under the store's minimum at the current cost, or a
//! store that approves orders by hand, holds it for the merchant (reported as a hold, nothing
//! placed) until the merchant approves it. Otherwise it places each supplier's order that is not
//! recorded yet, and reports every supplier's answer to the edge, which moves the order to
//! `placed` or `failed` and records why. An order that waits or was cancelled is left alone. AliExpress orders carry `out_order_id`
//! `{order}-aliexpress`: AliExpress places one order per id, so a message handled twice (a
//! redelivery after a crash between placing and reporting) still makes one supplier order. CJ
//! orders carry `orderNumber` `{order}-cj`, looked up before placing (see [`crate::cj`]).
//! A supplier that cannot be reached fails the message, which SQS retries; on its last delivery
//! ([`MAX_RECEIVES`]) the order is reported failed with that supplier named, its owner is mailed,
//! and the message is failed once more, into the dead-letter queue.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use domain::approval::{decide, Decision, Line, Listing, Policy};
use lambda_runtime::{Error, LambdaEvent};
use pipeline::edge::EdgeClient;
use queues::consumer::Consumer;
use queues::fulfil_api::{
    FulfilmentLine, FulfilmentOrder, FulfilmentReport, FulfilmentRequest, ShipTo, SupplierOutcome,
};
use queues::idempotency::DynamoStore;
use queues::internal_api::calls::{ReadFulfilmentOrder, ReportFulfilment};
use queues::messages::OrderPaid;
use queues::messages::SupplierProduct;
use queues::Envelope;
use secrecy::{ExposeSecret, SecretString};
use suppliers::aliexpress::{
    AliExpress, LogisticsAddress, PlaceOrder, Placement, ProductItem, DETAIL_IDS_MAX,
};

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

/// Deliveries of a message before SQS moves it to the dead-letter queue: the fulfilment queue's
/// `max_receive_count` in `infra/wiring.json` (a test holds the two equal).
pub const MAX_RECEIVES: u32 = 3;

/// The SQS entry point: per-message handling with partial batch failures.
pub async fn handle(state: &State, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, Error> {
    let last = last_deliveries(&event.payload);
    Ok(Consumer::new("fulfilment", &state.idempotency)
        .handle_batch(event.payload, |envelope| {
            let last_delivery = last.contains(&envelope.idempotency_key);
            fulfil(state, envelope, last_delivery)
        })
        .await)
}

/// The idempotency keys of the batch's messages on their last delivery: a supplier that fails
/// them now is given up on, and the order is marked failed before the message is dead-lettered.
pub fn last_deliveries(event: &SqsEvent) -> std::collections::HashSet<String> {
    event
        .records
        .iter()
        .filter(|r| {
            r.attributes.get("ApproximateReceiveCount").and_then(|n| n.parse::<u32>().ok()).unwrap_or(1)
                >= MAX_RECEIVES
        })
        .filter_map(|r| serde_json::from_str::<serde_json::Value>(r.body.as_deref()?).ok())
        .filter_map(|body| body["idempotency_key"].as_str().map(str::to_owned))
        .collect()
}

/// A supplier call's answer. On a message's last delivery a failed call is given up on: `None`,
/// the error kept in `given_up` to dead-letter the message once the order's failure is reported.
fn or_give_up<T>(
    answer: anyhow::Result<T>,
    last_delivery: bool,
    given_up: &mut Option<anyhow::Error>,
) -> anyhow::Result<Option<T>> {
    match answer {
        Ok(answer) => Ok(Some(answer)),
        Err(error) if last_delivery => {
            tracing::error!(error = format!("{error:#}"), "a supplier failed on the message's last delivery");
            *given_up = Some(error);
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// The failure reported for a supplier given up on (its error stays in the logs: it is not the
/// merchant's to read).
fn no_answer(supplier: &str) -> String {
    format!("{supplier} did not answer after {MAX_RECEIVES} attempts; nothing was placed with it")
}

async fn fulfil(state: &State, envelope: Envelope<OrderPaid>, last_delivery: bool) -> anyhow::Result<()> {
    let store = envelope.store()?;
    let request = FulfilmentRequest { order_id: envelope.payload.order_id.clone() };
    let order = state.edge.call::<ReadFulfilmentOrder>(&store, &request).await?;
    if matches!(order.state.as_str(), "awaiting_approval" | "cancelled") {
        tracing::info!(order = %order.order_id, state = %order.state, approved = envelope.payload.approved, "not placed: the order waits for the merchant or was cancelled");
        return Ok(());
    }
    let groups = split(&order);
    if groups.is_empty() {
        tracing::info!(order = %order.order_id, state = %order.state, "nothing left to place");
        return Ok(());
    }
    let mut given_up = None;
    let mut checked = Vec::new();
    let mut unread = None;
    for (supplier, lines) in &groups {
        let read = listings(state, supplier, lines, &order.currency).await;
        let Some(now) = or_give_up(read, last_delivery, &mut given_up)? else {
            unread = Some(supplier.clone());
            continue;
        };
        checked.extend(lines.iter().zip(now).map(|(l, now)| Line {
            title: l.title.clone(),
            quantity: l.quantity,
            unit_price_minor: l.unit_price_minor,
            recorded_cost_minor: l.cost_minor,
            now,
        }));
    }
    let policy = Policy {
        min_margin_bps: order.min_margin_bps,
        approve_by_hand: order.approve_by_hand,
        approved: order.approved,
    };
    let currency = order.currency.parse().unwrap_or(domain::Currency::Usd);
    let mut outcomes = Vec::new();
    let mut hold = None;
    let decision = match unread {
        // Its listings could not be read again: the order is not placed unchecked.
        Some(supplier) => Decision::Fail(no_answer(&supplier)),
        None => decide(&checked, policy, currency),
    };
    match decision {
        Decision::Place => {}
        Decision::Wait(reason) => hold = Some(reason),
        Decision::Fail(reason) => outcomes.extend(groups.iter().map(|(supplier, _)| SupplierOutcome {
            supplier: supplier.clone(),
            supplier_order_id: None,
            failure: Some(reason.clone()),
        })),
    }
    let to_place = if hold.is_some() || !outcomes.is_empty() { Vec::new() } else { groups };
    for (supplier, lines) in to_place {
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
                let placed = client.place_order(token.expose_secret(), &request).await;
                let Some(placement) = or_give_up(placed, last_delivery, &mut given_up)? else {
                    outcomes.push(failure(&no_answer("AliExpress")));
                    continue;
                };
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
                let placed = crate::cj::place(state.cj.as_ref(), &order.order_id, ship_to, &lines).await;
                match or_give_up(placed, last_delivery, &mut given_up)? {
                    Some(outcome) => outcomes.push(outcome),
                    None => outcomes.push(failure(&no_answer("CJdropshipping"))),
                }
            }
            (other, _) => {
                outcomes.push(failure(&format!("orders cannot be placed with {other} automatically")))
            }
        }
    }
    if outcomes.is_empty() && hold.is_none() {
        tracing::info!(order = %order.order_id, state = %order.state, "nothing left to place");
        return Ok(());
    }
    let report = FulfilmentReport { order_id: order.order_id.clone(), outcomes, hold };
    let recorded = state.edge.call::<ReportFulfilment>(&store, &report).await?;
    tracing::info!(order = %order.order_id, state = %recorded.state, "fulfilment reported");
    match given_up {
        // The order is failed and its owner told; the message goes to the dead-letter queue, where
        // the outage shows.
        Some(error) => Err(error.context("a supplier was given up on after the last delivery")),
        None => Ok(()),
    }
}

/// What each supplier lists now for `lines`, in their order. AliExpress answers its current
/// price (the affiliate listing: no stock count, so a sold-out item is still refused at placement
/// with the supplier's reason); other suppliers are not read ([`Listing::Unknown`]).
async fn listings(
    state: &State,
    supplier: &str,
    lines: &[FulfilmentLine],
    currency: &str,
) -> anyhow::Result<Vec<Listing>> {
    let client = match (supplier, &state.aliexpress) {
        ("aliexpress", Some((client, _))) => client,
        _ => return Ok(vec![Listing::Unknown; lines.len()]),
    };
    let mut ids: Vec<String> = lines.iter().filter_map(|l| l.source_product_id.clone()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut found = Vec::new();
    for chunk in ids.chunks(DETAIL_IDS_MAX) {
        found.extend(client.product_details(chunk).await?);
    }
    Ok(lines.iter().map(|l| listing(l, &found, currency)).collect())
}

/// A line's listing among those a supplier answered: gone when the supplier left it out, priced
/// when it is in the order's currency.
pub fn listing(line: &FulfilmentLine, found: &[SupplierProduct], currency: &str) -> Listing {
    let Some(id) = &line.source_product_id else { return Listing::Unknown };
    match found.iter().find(|p| &p.source_product_id == id) {
        None => Listing::Gone,
        Some(p) if p.cost.currency.code() == currency => Listing::Priced(p.cost.minor),
        Some(_) => Listing::Unknown,
    }
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

    #[test]
    fn the_last_delivery_is_the_fulfilment_queues_max_receive_count() {
        let wiring: serde_json::Value =
            serde_json::from_str(include_str!("../../../infra/wiring.json")).unwrap();
        assert_eq!(wiring["queues"]["fulfilment"]["max_receive_count"], MAX_RECEIVES);
    }

    #[test]
    fn messages_on_their_last_delivery_are_known_by_their_key() {
        let record = |key: &str, count: &str| {
            let mut record = aws_lambda_events::event::sqs::SqsMessage::default();
            record.body = Some(serde_json::json!({ "idempotency_key": key }).to_string());
            record.attributes.insert("ApproximateReceiveCount".into(), count.into());
            record
        };
        let mut event = SqsEvent::default();
        event.records = vec![record("a", "1"), record("b", "3"), record("c", "4"), Default::default()];
        let last = last_deliveries(&event);
        assert_eq!(last, ["b".to_owned(), "c".to_owned()].into_iter().collect());
    }

    #[test]
    fn a_supplier_error_is_given_up_on_only_on_the_last_delivery() {
        let mut given_up = None;
        assert!(or_give_up::<()>(Err(anyhow::anyhow!("timed out")), false, &mut given_up).is_err());
        assert!(given_up.is_none(), "an earlier delivery fails the message, to be retried");
        assert_eq!(or_give_up::<()>(Err(anyhow::anyhow!("timed out")), true, &mut given_up).unwrap(), None);
        assert!(given_up.is_some(), "the last one reports the failure, then dead-letters");
        assert_eq!(or_give_up(Ok(7), true, &mut None).unwrap(), Some(7));
        assert_eq!(
            no_answer("AliExpress"),
            "AliExpress did not answer after 3 attempts; nothing was placed with it"
        );
    }
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
            cost_minor: Some(849),
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
            min_margin_bps: 3_000,
            approve_by_hand: false,
            approved: false,
        }
    }

    #[test]
    fn a_lines_listing_is_gone_when_the_supplier_left_it_out_and_priced_in_the_orders_currency() {
        let product = |id: &str, minor: i64, currency| SupplierProduct {
            source: "aliexpress".into(),
            source_product_id: id.into(),
            title: "Lamp".into(),
            cost: domain::Money::from_minor(minor, currency),
            list_price: None,
            image_urls: vec![],
            product_url: String::new(),
            category: None,
            orders_30d: None,
            rating_pct: None,
            shipping_days: None,
        };
        let found =
            [product("1000", 1500, domain::Currency::Usd), product("1002", 900, domain::Currency::Eur)];
        assert_eq!(listing(&line(0, Some("aliexpress")), &found, "USD"), Listing::Priced(1500));
        assert_eq!(listing(&line(1, Some("aliexpress")), &found, "USD"), Listing::Gone);
        assert_eq!(
            listing(&line(2, Some("aliexpress")), &found, "USD"),
            Listing::Unknown,
            "another currency"
        );
        assert_eq!(listing(&line(3, None), &found, "USD"), Listing::Unknown, "the merchant's own stock");
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
