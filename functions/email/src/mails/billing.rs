//! The mails about the tenant's own subscription, to its owner: a payment that failed, with the
//! day its paid plan holds until, and the plan moving to Starter when that day passed unpaid.
//! Both transactional.

use super::layout::{button, document, fallback, Footer, Text, WIDE_PARAGRAPH};
use super::{Fields, Frame, RenderError, Rendered};
use crate::http_url::HttpUrl;
use maud::html;

/// `payment_failed`: the subscription's payment failed and the plan holds until a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFailed {
    /// The paid plan's name, e.g. `Growth` (`plan`).
    pub plan: String,
    /// The last day of the grace period, as the owner reads it, e.g. `14 December 2026`
    /// (`grace_ends`).
    pub grace_ends: String,
    /// Where the owner updates the payment method (`billing_url`).
    pub billing_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for PaymentFailed {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self {
            plan: data.text("plan")?,
            grace_ends: data.text("grace_ends")?,
            billing_url: data.url("billing_url")?,
        })
    }
}

/// The mail telling the owner that a payment failed and until when the plan holds.
pub fn payment_failed(frame: &Frame, mail: &PaymentFailed, unsubscribe: Option<&HttpUrl>) -> Rendered {
    let brand = frame.brand;
    let heading = "Your payment did not go through";
    let footer = Footer::appended(unsubscribe);
    let failed = format!("The payment for your {brand} {} plan did not go through.", mail.plan);
    let holds = format!(
        "Your stores keep the {} plan until {}. If no payment has gone through by then, your account \
         moves to the Starter plan and its limits. Nothing is deleted.",
        mail.plan, mail.grace_ends
    );
    let body = html! {
        p style=(WIDE_PARAGRAPH) { (failed) }
        p style=(WIDE_PARAGRAPH) { (holds) }
        p style=(WIDE_PARAGRAPH) { (button(frame, &mail.billing_url, "Update your payment method")) }
        (fallback(&mail.billing_url))
    };
    let text = Text::new(frame, heading)
        .paragraph(failed)
        .paragraph(holds)
        .link("Update your payment method", &mail.billing_url)
        .end(frame, footer);
    Rendered {
        subject: format!("Action needed: your {brand} payment did not go through"),
        html: document(frame, heading, body, footer),
        text,
    }
}

/// `plan_lapsed`: the grace period ended unpaid and the tenant is on Starter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLapsed {
    /// The paid plan it had, e.g. `Growth` (`plan`).
    pub plan: String,
    /// Where the owner pays to get the plan back (`billing_url`).
    pub billing_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for PlanLapsed {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self { plan: data.text("plan")?, billing_url: data.url("billing_url")? })
    }
}

/// The mail telling the owner that the account moved to Starter.
pub fn plan_lapsed(frame: &Frame, mail: &PlanLapsed, unsubscribe: Option<&HttpUrl>) -> Rendered {
    let brand = frame.brand;
    let heading = "Your account is on the Starter plan";
    let footer = Footer::appended(unsubscribe);
    let moved = format!(
        "The payment for your {brand} {} plan is still outstanding, so your account has moved to the \
         Starter plan and its limits.",
        mail.plan
    );
    let kept = format!(
        "Your stores, products and customers are all still there. Once the payment goes through, the {} \
         plan comes back.",
        mail.plan
    );
    let body = html! {
        p style=(WIDE_PARAGRAPH) { (moved) }
        p style=(WIDE_PARAGRAPH) { (kept) }
        p style=(WIDE_PARAGRAPH) { (button(frame, &mail.billing_url, "Update your payment method")) }
        (fallback(&mail.billing_url))
    };
    let text = Text::new(frame, heading)
        .paragraph(moved)
        .paragraph(kept)
        .link("Update your payment method", &mail.billing_url)
        .end(frame, footer);
    Rendered {
        subject: format!("Your {brand} account is now on the Starter plan"),
        html: document(frame, heading, body, footer),
        text,
    }
}
