//! The welcome series a new subscriber gets: a welcome, the store's bestsellers, and the store's
//! first-order offer. Marketing: each ends with the subscriber's unsubscribe link.

use super::layout::{button, document, Footer, Text, BUTTON_ROW, PARAGRAPH};
use super::{Fields, Frame, RenderError, Rendered};
use crate::http_url::HttpUrl;
use maud::html;

/// `welcome` and `welcome_bestsellers`: a greeting and a link to the shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    /// `Hi Ada,` (`greeting`).
    pub greeting: String,
    /// The shop (`store_url`).
    pub store_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for Welcome {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self { greeting: data.text("greeting")?, store_url: data.url("store_url")? })
    }
}

/// The first mail of the welcome series.
pub fn welcome(frame: &Frame, mail: &Welcome, unsubscribe: &HttpUrl) -> Rendered {
    let brand = frame.brand;
    let heading = format!("Welcome to {brand}");
    let footer = Footer::subscribed(unsubscribe);
    let body = html! {
        p style=(PARAGRAPH) { (mail.greeting) }
        p style=(PARAGRAPH) {
            "Thanks for signing up. You will be the first to hear about new arrivals and offers at " (brand) "."
        }
        p style=(BUTTON_ROW) { (button(frame, &mail.store_url, "Visit the shop")) }
    };
    let text = Text::new(frame, &heading)
        .paragraph(mail.greeting.as_str())
        .paragraph(format!(
            "Thanks for signing up. You will be the first to hear about new arrivals and offers at {brand}."
        ))
        .link("Visit the shop", &mail.store_url)
        .end(frame, footer);
    Rendered { subject: format!("Welcome to {brand}!"), html: document(frame, &heading, body, footer), text }
}

/// The second mail of the welcome series: the store's most popular products.
pub fn welcome_bestsellers(frame: &Frame, mail: &Welcome, unsubscribe: &HttpUrl) -> Rendered {
    let brand = frame.brand;
    let heading = "Our customers' favourites";
    let footer = Footer::subscribed(unsubscribe);
    let pitch = format!(
        "Not sure where to start? These are the products other customers love most at {brand} right now."
    );
    let body = html! {
        p style=(PARAGRAPH) { (mail.greeting) }
        p style=(PARAGRAPH) { (pitch) }
        p style=(BUTTON_ROW) { (button(frame, &mail.store_url, "See the bestsellers")) }
    };
    let text = Text::new(frame, heading)
        .paragraph(mail.greeting.as_str())
        .paragraph(pitch)
        .link("See the bestsellers", &mail.store_url)
        .end(frame, footer);
    Rendered {
        subject: format!("Our most popular products at {brand}"),
        html: document(frame, heading, body, footer),
        text,
    }
}

/// `welcome_discount`: the greeting, the shop and the store's first-order offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WelcomeDiscount {
    /// `Hi Ada,` (`greeting`).
    pub greeting: String,
    /// The shop (`store_url`).
    pub store_url: HttpUrl,
    /// The code to enter at checkout (`discount_code`).
    pub discount_code: String,
    /// Percent off (`discount_percent`).
    pub discount_percent: u64,
}

impl TryFrom<Fields<'_>> for WelcomeDiscount {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self {
            greeting: data.text("greeting")?,
            store_url: data.url("store_url")?,
            discount_code: data.text("discount_code")?,
            discount_percent: data.count("discount_percent")?,
        })
    }
}

/// The last mail of the welcome series: the first-order offer.
pub fn welcome_discount(frame: &Frame, mail: &WelcomeDiscount, unsubscribe: &HttpUrl) -> Rendered {
    let brand = frame.brand;
    let (percent, code) = (mail.discount_percent, &mail.discount_code);
    let heading = format!("{percent}% off your first order");
    let footer = Footer::subscribed(unsubscribe);
    let offer = format!("Your first order at {brand} is {percent}% off. Enter the code {code} at checkout.");
    let body = html! {
        p style=(PARAGRAPH) { (mail.greeting) }
        p style=(PARAGRAPH) { (offer) }
        p style=(BUTTON_ROW) { (button(frame, &mail.store_url, "Start shopping")) }
    };
    let text = Text::new(frame, &heading)
        .paragraph(mail.greeting.as_str())
        .paragraph(offer)
        .link("Start shopping", &mail.store_url)
        .end(frame, footer);
    Rendered {
        subject: format!("{percent}% off your first order at {brand}"),
        html: document(frame, &heading, body, footer),
        text,
    }
}
