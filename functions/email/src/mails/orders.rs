//! The post-purchase mails: the order confirmation and the shipping update (transactional), the
//! review request and the cross-sell (marketing, with the shopper's unsubscribe link).

use super::layout::{button, document, plain_link, Footer, Text, BUTTON_ROW, PARAGRAPH, SMALL};
use super::{Fields, Frame, RenderError, Rendered};
use crate::http_url::HttpUrl;
use maud::html;

/// `order_confirmation`: what was ordered and the order's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderConfirmation {
    /// `Hi Ada,` (`greeting`).
    pub greeting: String,
    /// The number the shopper knows the order by, e.g. `#1042` (`order_number`).
    pub order_number: String,
    /// `Slicker brush × 2, Dog shampoo` (`items_summary`).
    pub items_summary: String,
    /// The amount paid, formatted, e.g. `$24.99` (`total`).
    pub total: String,
    /// The order's status page (`order_url`).
    pub order_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for OrderConfirmation {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self {
            greeting: data.text("greeting")?,
            order_number: data.text("order_number")?,
            items_summary: data.text("items_summary")?,
            total: data.text("total")?,
            order_url: data.url("order_url")?,
        })
    }
}

/// The confirmation of an order.
pub fn order_confirmation(
    frame: &Frame,
    mail: &OrderConfirmation,
    unsubscribe: Option<&HttpUrl>,
) -> Rendered {
    let brand = frame.brand;
    let heading = "Thank you for your order";
    let footer = Footer::appended(unsubscribe);
    let order = format!(
        "We have your order {} at {brand}: {}, {} in total.",
        mail.order_number, mail.items_summary, mail.total
    );
    let next = "We will email you again when it ships.";
    let body = html! {
        p style=(PARAGRAPH) { (mail.greeting) }
        p style=(PARAGRAPH) { (order) }
        p style=(PARAGRAPH) { (next) }
        p style=(BUTTON_ROW) { (button(frame, &mail.order_url, "View your order")) }
    };
    let text = Text::new(frame, heading)
        .paragraph(mail.greeting.as_str())
        .paragraph(order)
        .paragraph(next)
        .link("View your order", &mail.order_url)
        .end(frame, footer);
    Rendered {
        subject: format!("Order {} confirmed", mail.order_number),
        html: document(frame, heading, body, footer),
        text,
    }
}

/// `shipping_update`: the carrier's tracking page and the order's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingUpdate {
    /// `Hi Ada,` (`greeting`).
    pub greeting: String,
    /// The number the shopper knows the order by (`order_number`).
    pub order_number: String,
    /// The carrier's tracking page (`tracking_url`).
    pub tracking_url: HttpUrl,
    /// The order's status page (`order_url`).
    pub order_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for ShippingUpdate {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self {
            greeting: data.text("greeting")?,
            order_number: data.text("order_number")?,
            tracking_url: data.url("tracking_url")?,
            order_url: data.url("order_url")?,
        })
    }
}

/// The news that an order has shipped.
pub fn shipping_update(frame: &Frame, mail: &ShippingUpdate, unsubscribe: Option<&HttpUrl>) -> Rendered {
    let brand = frame.brand;
    let heading = "Your order is on its way";
    let footer = Footer::appended(unsubscribe);
    let shipped = format!("Good news: your order {} from {brand} has shipped.", mail.order_number);
    let body = html! {
        p style=(PARAGRAPH) { (mail.greeting) }
        p style=(PARAGRAPH) { (shipped) }
        p style=(BUTTON_ROW) { (button(frame, &mail.tracking_url, "Track your package")) }
        p style=(SMALL) { "Your order's details: " (plain_link(&mail.order_url)) }
    };
    let text = Text::new(frame, heading)
        .paragraph(mail.greeting.as_str())
        .paragraph(shipped)
        .link("Track your package", &mail.tracking_url)
        .paragraph(format!("Your order's details: {}", mail.order_url))
        .end(frame, footer);
    Rendered {
        subject: format!("Your order {} has shipped", mail.order_number),
        html: document(frame, heading, body, footer),
        text,
    }
}

/// `order_refunded`: what was refunded of which order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRefunded {
    /// The number the shopper knows the order by (`order_number`).
    pub order_number: String,
    /// The amount refunded, formatted in the order's currency (`amount`).
    pub amount: String,
    /// 1 when the whole order is now refunded, 0 for part of it (`full`).
    pub full: bool,
    /// The order's status page (`order_url`).
    pub order_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for OrderRefunded {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self {
            order_number: data.text("order_number")?,
            amount: data.text("amount")?,
            full: data.count("full")? > 0,
            order_url: data.url("order_url")?,
        })
    }
}

/// A refund the merchant issued: the amount, and when a card refund usually arrives (Stripe's
/// documented 5 to 10 business days).
pub fn order_refunded(frame: &Frame, mail: &OrderRefunded, unsubscribe: Option<&HttpUrl>) -> Rendered {
    let brand = frame.brand;
    let heading = "Your refund is on its way";
    let footer = Footer::appended(unsubscribe);
    let what = if mail.full {
        format!("{brand} has refunded your order {} in full: {}.", mail.order_number, mail.amount)
    } else {
        format!("{brand} has refunded {} of your order {}.", mail.amount, mail.order_number)
    };
    let when =
        "The money goes back to the card you paid with; banks usually show it within 5 to 10 business days.";
    let body = html! {
        p style=(PARAGRAPH) { (what) }
        p style=(PARAGRAPH) { (when) }
        p style=(SMALL) { "Your order's details: " (plain_link(&mail.order_url)) }
    };
    let text = Text::new(frame, heading)
        .paragraph(what.as_str())
        .paragraph(when)
        .paragraph(format!("Your order's details: {}", mail.order_url))
        .end(frame, footer);
    Rendered {
        subject: format!("Refund for your order {}", mail.order_number),
        html: document(frame, heading, body, footer),
        text,
    }
}

/// `review_request`: the order and where to review it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequest {
    /// `Hi Ada,` (`greeting`).
    pub greeting: String,
    /// The number the shopper knows the order by (`order_number`).
    pub order_number: String,
    /// `Slicker brush × 2, Dog shampoo` (`items_summary`).
    pub items_summary: String,
    /// Where to write the review (`review_url`).
    pub review_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for ReviewRequest {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self {
            greeting: data.text("greeting")?,
            order_number: data.text("order_number")?,
            items_summary: data.text("items_summary")?,
            review_url: data.url("review_url")?,
        })
    }
}

/// The request for a review of an order that should have arrived.
pub fn review_request(frame: &Frame, mail: &ReviewRequest, unsubscribe: &HttpUrl) -> Rendered {
    let brand = frame.brand;
    let heading = "How was your order?";
    let footer = Footer::shopped(unsubscribe);
    let ask = format!(
        "Your order {} ({}) should have arrived by now. Would you tell other shoppers what you think? \
         It takes a minute.",
        mail.order_number, mail.items_summary
    );
    let body = html! {
        p style=(PARAGRAPH) { (mail.greeting) }
        p style=(PARAGRAPH) { (ask) }
        p style=(BUTTON_ROW) { (button(frame, &mail.review_url, "Write a review")) }
    };
    let text = Text::new(frame, heading)
        .paragraph(mail.greeting.as_str())
        .paragraph(ask)
        .link("Write a review", &mail.review_url)
        .end(frame, footer);
    Rendered {
        subject: format!("How was your order from {brand}?"),
        html: document(frame, heading, body, footer),
        text,
    }
}

/// `cross_sell`: what was ordered and the shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossSell {
    /// `Hi Ada,` (`greeting`).
    pub greeting: String,
    /// `Slicker brush × 2, Dog shampoo` (`items_summary`).
    pub items_summary: String,
    /// The shop (`store_url`).
    pub store_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for CrossSell {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self {
            greeting: data.text("greeting")?,
            items_summary: data.text("items_summary")?,
            store_url: data.url("store_url")?,
        })
    }
}

/// The mail pointing a past customer back to the shop.
pub fn cross_sell(frame: &Frame, mail: &CrossSell, unsubscribe: &HttpUrl) -> Rendered {
    let brand = frame.brand;
    let heading = "You might also like";
    let footer = Footer::shopped(unsubscribe);
    let again = format!(
        "Thanks again for ordering {}. Have a look at what is new at {brand} since then.",
        mail.items_summary
    );
    let body = html! {
        p style=(PARAGRAPH) { (mail.greeting) }
        p style=(PARAGRAPH) { (again) }
        p style=(BUTTON_ROW) { (button(frame, &mail.store_url, "See what is new")) }
    };
    let text = Text::new(frame, heading)
        .paragraph(mail.greeting.as_str())
        .paragraph(again)
        .link("See what is new", &mail.store_url)
        .end(frame, footer);
    Rendered {
        subject: format!("New at {brand}, picked for you"),
        html: document(frame, heading, body, footer),
        text,
    }
}
