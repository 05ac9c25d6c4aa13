//! `order_shipped`: a supplier order of the shopper's order has shipped, with its tracking number
//! and, for a carrier whose tracking page is known, the link to it (transactional; the edge sends
//! it once per supplier order).

use super::layout::{button, document, plain_link, Footer, Text, BUTTON_ROW, PARAGRAPH, SMALL};
use super::{Fields, Frame, RenderError, Rendered};
use crate::http_url::HttpUrl;
use maud::html;

/// The data of the shipped mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderShipped {
    /// The number the shopper knows the order by, e.g. `#1042` (`order_number`).
    pub order_number: String,
    /// The carrier's tracking number (`tracking_number`).
    pub tracking_number: String,
    /// The carrier as the supplier names it (`carrier`).
    pub carrier: String,
    /// The carrier's tracking page (`tracking_url`; empty text when the carrier's page is not
    /// known, and then the mail gives the number alone).
    pub tracking_url: Option<HttpUrl>,
    /// The order's status page (`order_url`).
    pub order_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for OrderShipped {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        let tracking_url = match data.text("tracking_url")?.is_empty() {
            true => None,
            false => Some(data.url("tracking_url")?),
        };
        Ok(Self {
            order_number: data.text("order_number")?,
            tracking_number: data.text("tracking_number")?,
            carrier: data.text("carrier")?,
            tracking_url,
            order_url: data.url("order_url")?,
        })
    }
}

/// The news that (part of) an order has shipped, with its tracking number.
pub fn order_shipped(frame: &Frame, mail: &OrderShipped, unsubscribe: Option<&HttpUrl>) -> Rendered {
    let brand = frame.brand;
    let heading = "Your order is on its way";
    let footer = Footer::appended(unsubscribe);
    let shipped = format!("Your order {} from {brand} has shipped with {}.", mail.order_number, mail.carrier);
    let number = format!("Tracking number: {}", mail.tracking_number);
    let body = html! {
        p style=(PARAGRAPH) { (shipped) }
        p style=(PARAGRAPH) { (number) }
        @if let Some(url) = &mail.tracking_url {
            p style=(BUTTON_ROW) { (button(frame, url, "Track your package")) }
        }
        p style=(SMALL) { "Your order's details: " (plain_link(&mail.order_url)) }
    };
    let mut text = Text::new(frame, heading).paragraph(shipped).paragraph(number);
    if let Some(url) = &mail.tracking_url {
        text = text.link("Track your package", url);
    }
    let text = text.paragraph(format!("Your order's details: {}", mail.order_url)).end(frame, footer);
    Rendered {
        subject: format!("Your order {} has shipped", mail.order_number),
        html: document(frame, heading, body, footer),
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mails::Accent;
    use queues::messages::EmailTemplate;
    use serde_json::json;

    #[test]
    fn without_a_carrier_page_the_mail_gives_the_number_and_no_tracking_link() {
        let data = json!({
            "order_number": "#1001", "tracking_number": "LP00000000000002CN", "carrier": "Some Post",
            "tracking_url": "", "order_url": "https://shop.example.com/orders/t",
        });
        let data = data.as_object().unwrap();
        let mail: OrderShipped = Fields::new(EmailTemplate::OrderShipped, data).try_into().unwrap();
        assert_eq!(mail.tracking_url, None);
        let accent = Accent::or_default(None);
        let rendered = order_shipped(&Frame { brand: "Shop", accent: &accent, intro: None }, &mail, None);
        assert!(rendered.text.contains("Tracking number: LP00000000000002CN"));
        assert!(!rendered.text.contains("Track your package"));
        assert!(!rendered.html.contains("Track your package"));
    }
}
