//! The platform's mails, one function per [`EmailTemplate`], each taking a struct of exactly the
//! data its mail needs and returning its subject, HTML part and text part.
//!
//! The HTML is written with `maud`, checked at compile time, and every value in it is escaped;
//! a link can only be an [`HttpUrl`]. The text part is plain text. [`render`] is the boundary:
//! it reads a request's data (a JSON map on the wire) into the mail's struct, naming the mail and
//! the field when one is missing or wrong.
//!
//! - [`account`]: confirming an address, resetting a password, joining a team.
//! - [`research`]: a research run's report; [`launch`]: a new store's launch is done.
//! - [`welcome`], [`cart`], [`orders`]: the email flows' mails; [`shipped`]: a supplier order shipped.
//! - [`attention`]: an order that needs its store's owner; [`billing`]: the tenant's subscription.
//! - [`layout`]: the parts they share; [`data`]: reading the wire's data.

pub mod account;
pub mod attention;
pub mod billing;
pub mod cart;
pub mod data;
pub mod launch;
pub mod layout;
pub mod orders;
pub mod research;
pub mod shipped;
pub mod welcome;

#[cfg(test)]
mod snapshot;

pub use data::{Fields, RenderError};
pub use layout::{Accent, DEFAULT_ACCENT};

use crate::http_url::HttpUrl;
use queues::messages::EmailTemplate;
use serde_json::{Map, Value};

/// What every mail shares, filled by the email function rather than taken from the mail's data.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// The store's name, else the platform's: one line, already bounded.
    pub brand: &'a str,
    /// The colour of the brand line and the button.
    pub accent: &'a Accent,
    /// The merchant's own paragraphs after the heading (flow settings), plain text.
    pub intro: Option<&'a str>,
}

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The subject line, before the email function bounds it.
    pub subject: String,
    /// The HTML part: a whole document.
    pub html: String,
    /// The plain-text part.
    pub text: String,
}

/// Renders `template` from a request's `data`. `unsubscribe` is the marketing category's link:
/// a marketing mail needs it and shows it in its own words; any other mail sent as marketing gets
/// a line of its own under the card.
pub fn render(
    template: EmailTemplate,
    frame: &Frame,
    unsubscribe: Option<&HttpUrl>,
    data: &Map<String, Value>,
) -> Result<Rendered, RenderError> {
    let fields = Fields::new(template, data);
    let marketing = || unsubscribe.ok_or(RenderError::MarketingOnly { template: template.name() });
    Ok(match template {
        EmailTemplate::VerifyEmail => account::verify_email(frame, &fields.try_into()?, unsubscribe),
        EmailTemplate::PasswordReset => account::password_reset(frame, &fields.try_into()?, unsubscribe),
        EmailTemplate::Invitation => account::invitation(frame, &fields.try_into()?, unsubscribe),
        EmailTemplate::ResearchReport => research::research_report(frame, &fields.try_into()?, unsubscribe),
        EmailTemplate::Welcome => welcome::welcome(frame, &fields.try_into()?, marketing()?),
        EmailTemplate::WelcomeBestsellers => {
            welcome::welcome_bestsellers(frame, &fields.try_into()?, marketing()?)
        }
        EmailTemplate::WelcomeDiscount => welcome::welcome_discount(frame, &fields.try_into()?, marketing()?),
        EmailTemplate::CartReminder => cart::cart_reminder(frame, &fields.try_into()?, marketing()?),
        EmailTemplate::CartDiscount => cart::cart_discount(frame, &fields.try_into()?, marketing()?),
        EmailTemplate::CartFinal => cart::cart_final(frame, &fields.try_into()?, marketing()?),
        EmailTemplate::OrderConfirmation => {
            orders::order_confirmation(frame, &fields.try_into()?, unsubscribe)
        }
        EmailTemplate::ShippingUpdate => orders::shipping_update(frame, &fields.try_into()?, unsubscribe),
        EmailTemplate::ReviewRequest => orders::review_request(frame, &fields.try_into()?, marketing()?),
        EmailTemplate::CrossSell => orders::cross_sell(frame, &fields.try_into()?, marketing()?),
        EmailTemplate::StoreReady => launch::store_ready(frame, &fields.try_into()?, unsubscribe),
        EmailTemplate::OrderRefunded => orders::order_refunded(frame, &fields.try_into()?, unsubscribe),
        EmailTemplate::OrderShipped => shipped::order_shipped(frame, &fields.try_into()?, unsubscribe),
        EmailTemplate::PaymentFailed => billing::payment_failed(frame, &fields.try_into()?, unsubscribe),
        EmailTemplate::PlanLapsed => billing::plan_lapsed(frame, &fields.try_into()?, unsubscribe),
        EmailTemplate::ConfirmSubscription => {
            account::confirm_subscription(frame, &fields.try_into()?, unsubscribe)
        }
        EmailTemplate::OrderHeld => attention::order_held(frame, &fields.try_into()?, unsubscribe),
        EmailTemplate::OrderFailed => attention::order_failed(frame, &fields.try_into()?, unsubscribe),
    })
}
