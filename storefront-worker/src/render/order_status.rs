//! The order status page with the order's delivery: its state, each parcel's carrier and
//! tracking number (a link to the carrier's own tracking page only for carriers whose page
//! `domain::tracking::carrier_url` knows; the number alone otherwise), and the dates the order
//! moved.

use super::{layout, Head, Site};
use domain::Money;
use html::html;

/// An order as its status page shows it, reached by its unguessable link.
#[derive(Debug, Clone)]
pub struct OrderView {
    /// The order number, once the payment is confirmed.
    pub number: Option<i64>,
    /// Lines: title, variant, units, unit price.
    pub items: Vec<(String, Option<String>, u32, Money)>,
    /// What was (or is to be) paid.
    pub total: Money,
    /// The shopper's email.
    pub email: String,
    /// Whether the shopper just came back from paying.
    pub just_paid: bool,
}

/// An order's delivery as the shopper may see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderTracking {
    /// The order's fulfilment state (`paid`, `placed`, `shipped`, `delivered`, ...), once paid.
    pub state: Option<String>,
    /// Its parcels with a tracking number.
    pub parcels: Vec<Parcel>,
    /// The moves of the order: the day (`YYYY-MM-DD`) and the state it moved to, oldest first.
    pub timeline: Vec<(String, String)>,
}

/// A parcel on its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parcel {
    /// The carrier, as the supplier names it.
    pub carrier: Option<String>,
    /// The carrier's tracking number.
    pub number: String,
    /// Whether the carrier delivered it.
    pub delivered: bool,
}

/// What a state means to the shopper; `None` for states the shopper is not shown as a move.
fn label(state: &str) -> Option<&'static str> {
    Some(match state {
        "paid" | "awaiting_approval" | "failed" => "Paid",
        "placed" => "Ordered from our supplier",
        "shipped" => "Shipped",
        "delivered" => "Delivered",
        "cancelled" => "Cancelled",
        _ => return None,
    })
}

/// The order status page; until Stripe's confirmation arrives it says so and refreshes itself.
pub fn order_status(site: &Site, view: &OrderView, tracking: &OrderTracking) -> String {
    let state = tracking.state.as_deref().and_then(label).unwrap_or("Paid");
    let delivered = tracking.state.as_deref() == Some("delivered");
    let body = html! {
        @match view.number {
            Some(number) => {
                @if view.just_paid {
                    p role="status" { "Thank you! Your payment was received." }
                }
                h1 { "Order #" (number) }
                p {
                    "Status: " strong { (state) } "."
                    @if tracking.parcels.is_empty() && !delivered {
                        " We email " (view.email) " when it ships."
                    }
                }
                @if !tracking.parcels.is_empty() {
                    h2 { "Tracking" }
                    ul class="tracking" {
                        @for parcel in &tracking.parcels {
                            li {
                                @if let Some(carrier) = &parcel.carrier {
                                    (carrier) ": "
                                }
                                @match parcel.carrier.as_deref().and_then(|c| domain::tracking::carrier_url(c, &parcel.number)) {
                                    Some(url) => a href=(url) rel="noopener noreferrer" { (parcel.number) },
                                    None => span class="tracking-number" { (parcel.number) },
                                }
                                @if parcel.delivered {
                                    " (delivered)"
                                }
                            }
                        }
                    }
                }
                @if !tracking.timeline.is_empty() {
                    h2 { "History" }
                    ol class="timeline" {
                        @for (day, moved_to) in &tracking.timeline {
                            @if let Some(moved_to) = label(moved_to) {
                                li { time datetime=(day) { (day) } ": " (moved_to) }
                            }
                        }
                    }
                }
            }
            None => {
                h1 { "Confirming your payment" }
                p role="status" {
                    "We are waiting for the payment confirmation. This page refreshes by itself."
                }
            }
        }
        table {
            caption class="vh" { "Items" }
            thead {
                tr {
                    th scope="col" { "Item" }
                    th scope="col" { "Quantity" }
                    th scope="col" { "Price" }
                }
            }
            tbody {
                @for (title, variant, quantity, price) in &view.items {
                    tr {
                        td {
                            (title)
                            @if let Some(variant) = variant {
                                " (" (variant) ")"
                            }
                        }
                        td { (quantity) }
                        td { (price) }
                    }
                }
            }
        }
        p class="price" { "Total: " (view.total) }
    };
    let title = match view.number {
        Some(n) => format!("Order #{n} | {}", site.name),
        None => format!("Confirming your order | {}", site.name),
    };
    // Until the payment is confirmed, the page reloads itself to show it.
    let head = Head { refresh: view.number.is_none(), ..Head::plain(&title, "Your order.") };
    layout(site, None, &head, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{hostile_site, site, snapshot};
    use domain::Currency;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Usd)
    }

    fn view() -> OrderView {
        OrderView {
            number: Some(1001),
            items: vec![("Brush <b>".into(), None, 1, Money::from_minor(2499, Currency::Usd))],
            total: Money::from_minor(2499, Currency::Usd),
            email: "ada@example.com".into(),
            just_paid: false,
        }
    }

    #[test]
    fn a_shipped_order_shows_its_tracking_number_linked_to_a_known_carrier_and_its_history() {
        let tracking = OrderTracking {
            state: Some("shipped".into()),
            parcels: vec![Parcel {
                carrier: Some("Cainiao".into()),
                number: "LP00000000000002CN".into(),
                delivered: false,
            }],
            timeline: vec![
                ("2026-12-07".into(), "paid".into()),
                ("2026-12-07".into(), "placed".into()),
                ("2026-12-08".into(), "shipped".into()),
            ],
        };
        let html = order_status(&site("Cozy Pets"), &view(), &tracking);
        assert!(html.contains("Status: <strong>Shipped</strong>."), "{html}");
        assert!(html.contains(
            "Cainiao: <a href=\"https://global.cainiao.com/newDetail.htm?mailNoList=LP00000000000002CN\" rel=\"noopener noreferrer\">LP00000000000002CN</a>"
        ));
        assert!(html.contains("<li><time datetime=\"2026-12-08\">2026-12-08</time>: Shipped</li>"));
        assert!(!html.contains("when it ships"));
        assert!(html.contains("Brush &lt;b&gt;"));
    }

    #[test]
    fn an_unknown_carriers_number_is_shown_without_a_link_and_escaped() {
        let tracking = OrderTracking {
            state: Some("shipped".into()),
            parcels: vec![Parcel {
                carrier: Some("<i>Post</i>".into()),
                number: "A<script>".into(),
                delivered: false,
            }],
            timeline: Vec::new(),
        };
        let html = order_status(&site("Cozy Pets"), &view(), &tracking);
        assert!(
            html.contains("&lt;i&gt;Post&lt;/i&gt;: <span class=\"tracking-number\">A&lt;script&gt;</span>"),
            "{html}"
        );
        assert!(!html.contains("<a href=\"https://global.cainiao"));
    }

    #[test]
    fn a_paid_order_without_tracking_promises_the_mail_when_it_ships() {
        let tracking = OrderTracking { state: Some("paid".into()), ..OrderTracking::default() };
        let html = order_status(&site("Cozy Pets"), &view(), &tracking);
        assert!(
            html.contains("Status: <strong>Paid</strong>. We email ada@example.com when it ships."),
            "{html}"
        );
        assert!(!html.contains("Tracking"));
    }

    #[test]
    fn an_unconfirmed_order_refreshes_itself_and_a_paid_one_shows_its_number() {
        let view = OrderView {
            number: None,
            items: vec![("Brush".into(), None, 1, usd(1999))],
            total: usd(1999),
            email: "a@example.com".into(),
            just_paid: true,
        };
        let waiting = order_status(&site("Cozy Pets"), &view, &OrderTracking::default());
        assert!(waiting.contains("<meta http-equiv=\"refresh\" content=\"3\">"));
        let paid = order_status(
            &site("Cozy Pets"),
            &OrderView { number: Some(1001), ..view },
            &OrderTracking::default(),
        );
        assert!(paid.contains("<h1>Order #1001</h1>"));
        assert!(paid.contains("Thank you! Your payment was received."));
        assert!(!paid.contains("http-equiv"));
    }

    fn hostile_order(number: Option<i64>) -> OrderView {
        OrderView {
            number,
            items: vec![
                ("Slicker <Brush>".into(), Some("Rosie's \"red\"".into()), 2, usd(1999)),
                ("Bowl & Mat".into(), None, 1, usd(650)),
            ],
            total: usd(4648),
            email: "ada+<shop>@example.com".into(),
            just_paid: true,
        }
    }

    #[test]
    fn snapshot_of_a_paid_order() {
        insta::assert_snapshot!(snapshot(&order_status(
            &hostile_site(),
            &hostile_order(Some(1001)),
            &OrderTracking::default()
        )));
    }

    #[test]
    fn snapshot_of_an_order_waiting_for_its_payment() {
        insta::assert_snapshot!(snapshot(&order_status(
            &hostile_site(),
            &hostile_order(None),
            &OrderTracking::default()
        )));
    }
}
