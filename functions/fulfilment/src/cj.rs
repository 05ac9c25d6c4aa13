//! CJdropshipping orders of a paid order: the `createOrderV2` request of its CJ lines, the
//! outcome reported to the edge, and the tracking reading of a placed CJ order.
//!
//! A line's CJ variant id (`vid`) is the variant's supplier SKU when the edge sends one
//! (`sku_attr`), else the product's `source_product_id`: a CJ product is imported as one
//! listing per CJ variant, whose source id is that variant's `vid`. The order goes under
//! `orderNumber` `{order}-cj`, which the client looks up before placing, so a redelivered message
//! makes no second CJ order.

use domain::tracking::Progress;
use queues::fulfil_api::{FulfilmentLine, OpenSupplierOrder, ShipTo, SupplierOutcome, TrackingReading};
use suppliers::cj::{Cj, OrderProduct, PlaceOrder, Placement, Tracking, TrackingAnswer};

/// The supplier's name, as products' `source` carries it.
pub const SUPPLIER: &str = "cj";

/// Places the CJ order of an order's CJ lines and answers the outcome to report.
pub async fn place(
    client: Option<&Cj>,
    order_id: &str,
    to: &ShipTo,
    lines: &[FulfilmentLine],
) -> anyhow::Result<SupplierOutcome> {
    let outcome = |id: Option<String>, failure: Option<String>| SupplierOutcome {
        supplier: SUPPLIER.into(),
        supplier_order_id: id,
        failure,
    };
    let Some(client) = client else {
        return Ok(outcome(None, Some("CJ ordering is not configured".into())));
    };
    if let Some(line) = lines.iter().find(|l| vid(l).is_none()) {
        return Ok(outcome(None, Some(format!("line {} has no CJ variant id", line.position))));
    }
    let started = std::time::Instant::now();
    let placement = client.place_order(&request(order_id, to, lines)).await?;
    tracing::info!(order = %order_id, ms = started.elapsed().as_millis() as u64, ?placement, "CJ answered");
    Ok(match placement {
        Placement::Placed(id) => outcome(Some(id), None),
        Placement::Refused(reason) => outcome(None, Some(reason)),
    })
}

/// A line's CJ variant id: the variant's supplier SKU, else the product's source id.
pub fn vid(line: &FulfilmentLine) -> Option<&str> {
    [&line.sku_attr, &line.source_product_id]
        .into_iter()
        .filter_map(|v| v.as_deref().map(str::trim))
        .find(|v| !v.is_empty())
}

/// The `createOrderV2` request of an order's CJ lines (the shipping method and warehouse are the
/// client's).
pub fn request(order_id: &str, to: &ShipTo, lines: &[FulfilmentLine]) -> PlaceOrder {
    let country = domain::shipping::country_name(&to.country)
        .map(|n| n.strip_prefix("the ").unwrap_or(n).to_owned())
        .unwrap_or_else(|| to.country.clone());
    PlaceOrder {
        order_number: format!("{order_id}-{SUPPLIER}"),
        shipping_country_code: to.country.clone(),
        shipping_country: country,
        shipping_province: to.state.clone().unwrap_or_default(),
        shipping_city: to.city.clone(),
        shipping_address: to.line1.clone(),
        shipping_address2: to.line2.clone().filter(|l| !l.trim().is_empty()),
        shipping_customer_name: to.name.clone(),
        shipping_zip: to.postal_code.clone(),
        shipping_phone: to.phone.clone().unwrap_or_default(),
        logistic_name: String::new(),
        from_country_code: String::new(),
        pay_type: 2,
        products: lines
            .iter()
            .map(|l| OrderProduct {
                vid: vid(l).unwrap_or_default().to_owned(),
                quantity: l.quantity,
                store_line_item_id: format!("{order_id}-{}", l.position),
            })
            .collect(),
    }
}

/// Reads one open CJ order's tracking; `None` when CJ refused or the order is cancelled.
pub async fn read(
    client: &Cj,
    open: &OpenSupplierOrder,
    at: &str,
) -> anyhow::Result<Option<TrackingReading>> {
    match client.tracking(open.supplier_order_id.trim()).await? {
        TrackingAnswer::Tracked(tracking) => Ok(reading(open, &tracking, at)),
        TrackingAnswer::Refused(reason) => {
            tracing::warn!(order = %open.order_id, cj_order = %open.supplier_order_id, %reason, "CJ tracking refused");
            Ok(None)
        }
    }
}

/// The reading of a CJ order's detail. CJ's order detail carries no carrier event times, so a
/// move CJ reports (placed → shipped → delivered) is dated at the tick `at` that first saw it,
/// and an unchanged state carries no time: the edge keeps the one it has, and a shipped order
/// that stays shipped is flagged 48 hours after its shipment was seen.
pub fn reading(open: &OpenSupplierOrder, tracking: &Tracking, at: &str) -> Option<TrackingReading> {
    let status = tracking.status?;
    let moved = Progress::parse(status) > Progress::parse(&open.status);
    Some(TrackingReading {
        order_id: open.order_id.clone(),
        supplier: SUPPLIER.into(),
        status: status.into(),
        tracking_number: tracking.number.clone(),
        carrier: tracking.carrier.clone(),
        last_event_at: moved.then(|| at.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(position: u32, source_id: &str, sku: Option<&str>) -> FulfilmentLine {
        FulfilmentLine {
            position,
            product_id: format!("p{position}"),
            title: "Lamp".into(),
            quantity: 2,
            unit_price_minor: 1999,
            source: Some("cj".into()),
            source_product_id: Some(source_id.into()),
            sku_attr: sku.map(Into::into),
            cost_minor: None,
        }
    }

    fn ship_to() -> ShipTo {
        ShipTo {
            name: "Ada Lovelace".into(),
            phone: Some("+1 555 010 0199".into()),
            line1: "1 Main Street".into(),
            line2: Some(" ".into()),
            city: "Springfield".into(),
            state: Some("IL".into()),
            postal_code: "62701".into(),
            country: "US".into(),
        }
    }

    #[test]
    fn the_cj_request_carries_the_address_and_each_lines_vid_under_the_orders_number() {
        let lines = [line(0, "V-ONE", None), line(3, "P-TWO", Some("V-TWO-RED"))];
        let request = request("o1", &ship_to(), &lines);
        assert_eq!(request.order_number, "o1-cj");
        assert_eq!(
            (request.shipping_country_code.as_str(), request.shipping_country.as_str()),
            ("US", "United States")
        );
        assert_eq!(
            (
                request.shipping_customer_name.as_str(),
                request.shipping_address.as_str(),
                request.shipping_city.as_str(),
                request.shipping_province.as_str(),
                request.shipping_zip.as_str(),
                request.shipping_phone.as_str(),
            ),
            ("Ada Lovelace", "1 Main Street", "Springfield", "IL", "62701", "+1 555 010 0199")
        );
        assert_eq!(request.shipping_address2, None, "a blank second line is left out");
        let products: Vec<(&str, u32, &str)> = request
            .products
            .iter()
            .map(|p| (p.vid.as_str(), p.quantity, p.store_line_item_id.as_str()))
            .collect();
        assert_eq!(products, [("V-ONE", 2, "o1-0"), ("V-TWO-RED", 2, "o1-3")]);
    }

    #[test]
    fn a_line_without_a_variant_id_has_no_vid() {
        let mut l = line(0, " ", Some(""));
        assert_eq!(vid(&l), None);
        l.source_product_id = None;
        assert_eq!(vid(&l), None);
    }

    #[test]
    fn a_move_is_dated_at_the_tick_that_saw_it_and_a_standstill_is_not() {
        let open = OpenSupplierOrder {
            order_id: "o1".into(),
            supplier: "cj".into(),
            supplier_order_id: "2".into(),
            status: "placed".into(),
        };
        let tracked = |status| Tracking {
            status,
            cj_status: "X".into(),
            number: Some("CJPKL1".into()),
            carrier: Some("CJPacket Ordinary".into()),
        };
        let at = "2026-12-08T06:00:00Z";
        let shipped = reading(&open, &tracked(Some("shipped")), at).unwrap();
        assert_eq!(
            (shipped.status.as_str(), shipped.tracking_number.as_deref(), shipped.last_event_at.as_deref()),
            ("shipped", Some("CJPKL1"), Some(at))
        );
        assert_eq!(reading(&open, &tracked(Some("placed")), at).unwrap().last_event_at, None);
        let open = OpenSupplierOrder { status: "shipped".into(), ..open };
        assert_eq!(reading(&open, &tracked(Some("shipped")), at).unwrap().last_event_at, None);
        assert_eq!(
            reading(&open, &tracked(Some("delivered")), at).unwrap().last_event_at.as_deref(),
            Some(at)
        );
        assert_eq!(reading(&open, &tracked(None), at), None, "a cancelled order is not read");
    }
}
