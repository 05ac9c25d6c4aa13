//! The abandoned-cart mails: a reminder, the store's offer to complete the order, and a last call.
//! Marketing: each ends with the shopper's unsubscribe link.

use super::layout::{button, document, Footer, Text, BUTTON_ROW, PARAGRAPH};
use super::{Fields, Frame, RenderError, Rendered};
use crate::http_url::HttpUrl;
use maud::html;

/// `cart_reminder` and `cart_final`: what is in the cart and the way back to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cart {
    /// `Slicker brush × 2, Dog shampoo` (`items_summary`).
    pub items_summary: String,
    /// The cart in the shop (`cart_url`).
    pub cart_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for Cart {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self { items_summary: data.text("items_summary")?, cart_url: data.url("cart_url")? })
    }
}

/// The first reminder of a cart left unbought.
pub fn cart_reminder(frame: &Frame, mail: &Cart, unsubscribe: &HttpUrl) -> Rendered {
    let brand = frame.brand;
    let heading = "You left something behind";
    let footer = Footer::shopped(unsubscribe);
    let saved = format!("Your cart at {brand} is saved: {}.", mail.items_summary);
    let later = "Pick up where you left off whenever you are ready.";
    let body = html! {
        p style=(PARAGRAPH) { (saved) }
        p style=(PARAGRAPH) { (later) }
        p style=(BUTTON_ROW) { (button(frame, &mail.cart_url, "Return to your cart")) }
    };
    let text = Text::new(frame, heading)
        .paragraph(saved)
        .paragraph(later)
        .link("Return to your cart", &mail.cart_url)
        .end(frame, footer);
    Rendered {
        subject: format!("You left something in your cart at {brand}"),
        html: document(frame, heading, body, footer),
        text,
    }
}

/// The last call: the cart will not be kept much longer.
pub fn cart_final(frame: &Frame, mail: &Cart, unsubscribe: &HttpUrl) -> Rendered {
    let brand = frame.brand;
    let heading = "Your cart expires soon";
    let footer = Footer::shopped(unsubscribe);
    let holding =
        format!("We are holding {} for you a little longer, but not for much longer.", mail.items_summary);
    let body = html! {
        p style=(PARAGRAPH) { (holding) }
        p style=(BUTTON_ROW) { (button(frame, &mail.cart_url, "Complete your order")) }
    };
    let text = Text::new(frame, heading)
        .paragraph(holding)
        .link("Complete your order", &mail.cart_url)
        .end(frame, footer);
    Rendered {
        subject: format!("Last chance: your cart at {brand} expires soon"),
        html: document(frame, heading, body, footer),
        text,
    }
}

/// `cart_discount`: the cart and the store's offer to complete the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartDiscount {
    /// `Slicker brush × 2, Dog shampoo` (`items_summary`).
    pub items_summary: String,
    /// The cart in the shop (`cart_url`).
    pub cart_url: HttpUrl,
    /// The code to enter at checkout (`discount_code`).
    pub discount_code: String,
    /// Percent off (`discount_percent`).
    pub discount_percent: u64,
}

impl TryFrom<Fields<'_>> for CartDiscount {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self {
            items_summary: data.text("items_summary")?,
            cart_url: data.url("cart_url")?,
            discount_code: data.text("discount_code")?,
            discount_percent: data.count("discount_percent")?,
        })
    }
}

/// The second reminder, with the store's offer.
pub fn cart_discount(frame: &Frame, mail: &CartDiscount, unsubscribe: &HttpUrl) -> Rendered {
    let brand = frame.brand;
    let (percent, code) = (mail.discount_percent, &mail.discount_code);
    let heading = format!("{percent}% off to complete your order");
    let footer = Footer::shopped(unsubscribe);
    let still = format!("Still thinking about {}?", mail.items_summary);
    let offer = format!("Complete your order at {brand} with the code {code} and get {percent}% off.");
    let body = html! {
        p style=(PARAGRAPH) { (still) }
        p style=(PARAGRAPH) { (offer) }
        p style=(BUTTON_ROW) { (button(frame, &mail.cart_url, "Complete your order")) }
    };
    let text = Text::new(frame, &heading)
        .paragraph(still)
        .paragraph(offer)
        .link("Complete your order", &mail.cart_url)
        .end(frame, footer);
    Rendered {
        subject: format!("{percent}% off the items in your cart"),
        html: document(frame, &heading, body, footer),
        text,
    }
}
