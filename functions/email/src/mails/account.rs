//! The account mails the edge sends: confirming a merchant's address, resetting a password, an
//! invitation to a tenant's team, and a shopper's confirmation of a sign-up to a store's mail.
//! All transactional.

use super::layout::{button, document, fallback, Footer, Text, NOTE, WIDE_PARAGRAPH};
use super::{Fields, Frame, RenderError, Rendered};
use crate::http_url::HttpUrl;
use maud::html;

/// `verify_email`: the link that confirms a merchant's address after sign-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyEmail {
    /// Confirms the address (`verify_url`).
    pub verify_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for VerifyEmail {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self { verify_url: data.url("verify_url")? })
    }
}

/// The mail confirming a merchant's address.
pub fn verify_email(frame: &Frame, mail: &VerifyEmail, unsubscribe: Option<&HttpUrl>) -> Rendered {
    let brand = frame.brand;
    let heading = "Confirm your email address";
    let footer = Footer::appended(unsubscribe);
    let body = html! {
        p style=(WIDE_PARAGRAPH) { "Confirm this address to finish setting up your account." }
        p style=(WIDE_PARAGRAPH) { (button(frame, &mail.verify_url, "Confirm email address")) }
        (fallback(&mail.verify_url))
        p style=(NOTE) { "If you did not sign up for " (brand) ", you can ignore this email." }
    };
    let text = Text::new(frame, heading)
        .paragraph("Open this link to confirm this address and finish setting up your account:")
        .paragraph(mail.verify_url.as_str())
        .paragraph(format!("If you did not sign up for {brand}, you can ignore this email."))
        .end(frame, footer);
    Rendered {
        subject: format!("Confirm your email address for {brand}"),
        html: document(frame, heading, body, footer),
        text,
    }
}

/// `password_reset`: a link to choose a new password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    /// Opens the form for the new password (`reset_url`).
    pub reset_url: HttpUrl,
    /// How long the link works (`expires_in_minutes`).
    pub expires_in_minutes: u64,
}

impl TryFrom<Fields<'_>> for PasswordReset {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self { reset_url: data.url("reset_url")?, expires_in_minutes: data.count("expires_in_minutes")? })
    }
}

/// The mail with a link to choose a new password.
pub fn password_reset(frame: &Frame, mail: &PasswordReset, unsubscribe: Option<&HttpUrl>) -> Rendered {
    let (brand, minutes) = (frame.brand, mail.expires_in_minutes);
    let heading = "Reset your password";
    let footer = Footer::appended(unsubscribe);
    let body = html! {
        p style=(WIDE_PARAGRAPH) {
            "Someone asked to reset the password of your " (brand) " account. The link below works for "
            (minutes) " minutes."
        }
        p style=(WIDE_PARAGRAPH) { (button(frame, &mail.reset_url, "Choose a new password")) }
        (fallback(&mail.reset_url))
        p style=(NOTE) { "If it was not you, ignore this email: your password stays as it is." }
    };
    let text = Text::new(frame, heading)
        .paragraph(format!(
            "Someone asked to reset the password of your {brand} account. Open this link to choose a new one \
             (it works for {minutes} minutes):"
        ))
        .paragraph(mail.reset_url.as_str())
        .paragraph("If it was not you, ignore this email: your password stays as it is.")
        .end(frame, footer);
    Rendered {
        subject: format!("Reset your {brand} password"),
        html: document(frame, heading, body, footer),
        text,
    }
}

/// `invitation`: an invitation to help run a tenant's stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// The tenant's name (`company`).
    pub company: String,
    /// The role offered, e.g. `staff` (`role`).
    pub role: String,
    /// Accepts the invitation (`accept_url`).
    pub accept_url: HttpUrl,
    /// How long the link works (`expires_in_days`).
    pub expires_in_days: u64,
}

impl TryFrom<Fields<'_>> for Invitation {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self {
            company: data.text("company")?,
            role: data.text("role")?,
            accept_url: data.url("accept_url")?,
            expires_in_days: data.count("expires_in_days")?,
        })
    }
}

/// The invitation to join a tenant's team.
pub fn invitation(frame: &Frame, mail: &Invitation, unsubscribe: Option<&HttpUrl>) -> Rendered {
    let (company, role, days) = (&mail.company, &mail.role, mail.expires_in_days);
    let heading = format!("Join {company}");
    let footer = Footer::appended(unsubscribe);
    let body = html! {
        p style=(WIDE_PARAGRAPH) {
            "You have been invited to help run " (company) "'s stores as " (role)
            ". The link below works for " (days) " days."
        }
        p style=(WIDE_PARAGRAPH) { (button(frame, &mail.accept_url, "Accept the invitation")) }
        (fallback(&mail.accept_url))
        p style=(NOTE) { "If you were not expecting this, ignore this email." }
    };
    let text = Text::new(frame, &heading)
        .paragraph(format!(
            "You have been invited to help run {company}'s stores as {role}. Open this link to accept \
             (it works for {days} days):"
        ))
        .paragraph(mail.accept_url.as_str())
        .paragraph("If you were not expecting this, ignore this email.")
        .end(frame, footer);
    Rendered {
        subject: format!("You're invited to join {company} on {}", frame.brand),
        html: document(frame, &heading, body, footer),
        text,
    }
}

/// `confirm_subscription`: the link a shopper opens to confirm signing up to a store's mail
/// (double opt-in). Sent in the store's name; transactional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmSubscription {
    /// Confirms the address (`confirm_url`).
    pub confirm_url: HttpUrl,
}

impl TryFrom<Fields<'_>> for ConfirmSubscription {
    type Error = RenderError;
    fn try_from(data: Fields<'_>) -> Result<Self, RenderError> {
        Ok(Self { confirm_url: data.url("confirm_url")? })
    }
}

/// The mail asking a shopper to confirm their subscription.
pub fn confirm_subscription(
    frame: &Frame,
    mail: &ConfirmSubscription,
    unsubscribe: Option<&HttpUrl>,
) -> Rendered {
    let brand = frame.brand;
    let heading = "Confirm your subscription";
    let footer = Footer::appended(unsubscribe);
    let asked =
        format!("This address was signed up for emails from {brand}. Confirm it to start receiving them.");
    let ignore = "If you did not sign up, ignore this email: until the address is confirmed, the shop sends it no newsletters or offers.";
    let body = html! {
        p style=(WIDE_PARAGRAPH) { (asked) }
        p style=(WIDE_PARAGRAPH) { (button(frame, &mail.confirm_url, "Confirm subscription")) }
        (fallback(&mail.confirm_url))
        p style=(NOTE) { (ignore) }
    };
    let text = Text::new(frame, heading)
        .paragraph(asked)
        .link("Confirm subscription", &mail.confirm_url)
        .paragraph(ignore)
        .end(frame, footer);
    Rendered {
        subject: format!("Confirm your subscription to {brand}"),
        html: document(frame, heading, body, footer),
        text,
    }
}
