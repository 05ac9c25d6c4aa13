//! The mails that ask a store's owner to act on an order: one held for their approval
//! (`order_held`), and one a supplier did not take (`order_failed`). Both transactional; the edge
//! sends each once per order and state.

use super::layout::{button, document, fallback, Footer, Text, PARAGRAPH, WIDE_PARAGRAPH};
use super::{Fields, Frame, RenderError, Rendered};
use crate::http_url::HttpUrl;
use maud::html;

/// The data of both mails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderAttention {
    /// The store's name (`store`).
    pub store: String,
    /// The number the order is known by, e.g. `#1042` (`order_number`).
    pub order_number: String,
    /// Why the order needs the owner, as its timeline says it (`reason`).
    pub reason: String,
    /// The order's page in the dashboard (`order_url`).
    pub order_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for OrderAttention {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self {
            store: data.text("store")?,
            order_number: data.text("order_number")?,
            reason: data.text("reason")?,
            order_url: data.url("order_url")?,
        })
    }
}

/// An order that waits for the owner's approval before it goes to the suppliers.
pub fn order_held(frame: &Frame, mail: &OrderAttention, unsubscribe: Option<&HttpUrl>) -> Rendered {
    let heading = format!("Order {} is waiting for your approval", mail.order_number);
    let lines = [
        format!(
            "Order {} in {} is paid, and it has not been sent to its suppliers: {}.",
            mail.order_number, mail.store, mail.reason
        ),
        "Approve it to place it with the suppliers, or cancel it to refund the shopper in full.".to_owned(),
    ];
    attention(frame, &heading, &lines, "Review the order", mail, unsubscribe)
}

/// An order a supplier did not take.
pub fn order_failed(frame: &Frame, mail: &OrderAttention, unsubscribe: Option<&HttpUrl>) -> Rendered {
    let heading = format!("Order {} could not be placed with a supplier", mail.order_number);
    let lines = [
        format!("A supplier did not take order {} in {}: {}.", mail.order_number, mail.store, mail.reason),
        "The shopper has paid and is waiting. Refund them, or fulfil the order another way.".to_owned(),
    ];
    attention(frame, &heading, &lines, "Open the order", mail, unsubscribe)
}

fn attention(
    frame: &Frame,
    heading: &str,
    lines: &[String; 2],
    action: &str,
    mail: &OrderAttention,
    unsubscribe: Option<&HttpUrl>,
) -> Rendered {
    let footer = Footer::appended(unsubscribe);
    let body = html! {
        p style=(PARAGRAPH) { (lines[0]) }
        p style=(WIDE_PARAGRAPH) { (lines[1]) }
        p style=(WIDE_PARAGRAPH) { (button(frame, &mail.order_url, action)) }
        (fallback(&mail.order_url))
    };
    let text = Text::new(frame, heading)
        .paragraph(lines[0].as_str())
        .paragraph(lines[1].as_str())
        .link(action, &mail.order_url)
        .end(frame, footer);
    Rendered { subject: heading.to_owned(), html: document(frame, heading, body, footer), text }
}
