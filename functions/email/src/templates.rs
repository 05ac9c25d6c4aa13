//! The template files, compiled into the binary: `templates/<name>.html` and `templates/<name>.txt`.
//!
//! The text file's first line is the subject (`Subject: ...`), then a blank line, then the text
//! part. A template added to [`EmailTemplate`] without its files does not compile.

use queues::messages::EmailTemplate;

/// One mail's template sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// The name, as on the wire and in the file names.
    pub name: &'static str,
    /// `templates/<name>.html`.
    pub html: &'static str,
    /// `templates/<name>.txt`, subject line included.
    pub text: &'static str,
}

macro_rules! files {
    ($name:literal) => {
        Template {
            name: $name,
            html: include_str!(concat!("../templates/", $name, ".html")),
            text: include_str!(concat!("../templates/", $name, ".txt")),
        }
    };
}

/// The sources of `template`.
pub fn template(template: EmailTemplate) -> Template {
    match template {
        EmailTemplate::VerifyEmail => files!("verify_email"),
        EmailTemplate::Invitation => files!("invitation"),
        EmailTemplate::PasswordReset => files!("password_reset"),
        EmailTemplate::ResearchReport => files!("research_report"),
        EmailTemplate::Welcome => files!("welcome"),
        EmailTemplate::WelcomeBestsellers => files!("welcome_bestsellers"),
        EmailTemplate::WelcomeDiscount => files!("welcome_discount"),
        EmailTemplate::CartReminder => files!("cart_reminder"),
        EmailTemplate::CartDiscount => files!("cart_discount"),
        EmailTemplate::CartFinal => files!("cart_final"),
        EmailTemplate::OrderConfirmation => files!("order_confirmation"),
        EmailTemplate::ShippingUpdate => files!("shipping_update"),
        EmailTemplate::ReviewRequest => files!("review_request"),
        EmailTemplate::CrossSell => files!("cross_sell"),
    }
}

/// A text template split into its subject line and its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextParts<'a> {
    /// The subject template.
    pub subject: &'a str,
    /// The text part's template.
    pub body: &'a str,
}

/// Splits a `.txt` template into subject and body; `None` when it does not start with a
/// `Subject:` line followed by a blank line.
pub fn split_subject(text: &str) -> Option<TextParts<'_>> {
    let (first, rest) = text.split_once('\n')?;
    let subject = first.strip_prefix("Subject:")?.trim();
    let body = rest.strip_prefix("\r\n").or_else(|| rest.strip_prefix('\n'))?;
    (!subject.is_empty()).then_some(TextParts { subject, body })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::placeholders;

    #[test]
    fn every_template_has_a_subject_line_and_both_parts() {
        for t in EmailTemplate::ALL {
            let files = template(t);
            assert_eq!(files.name, t.name());
            let parts =
                split_subject(files.text).unwrap_or_else(|| panic!("{}.txt has no subject line", t.name()));
            assert!(!parts.body.trim().is_empty(), "{}.txt has no body", t.name());
            assert!(files.html.contains("</body>"), "{}.html is not a whole document", t.name());
        }
    }

    #[test]
    fn every_template_parses_and_both_parts_need_the_same_data() {
        for t in EmailTemplate::ALL {
            let files = template(t);
            let parts = split_subject(files.text).unwrap();
            let mut html: Vec<String> = placeholders(files.name, files.html).unwrap();
            let mut text: Vec<String> = placeholders(files.name, parts.body).unwrap();
            text.extend(placeholders(files.name, parts.subject).unwrap());
            html.retain(|n| n != "accent_color");
            for names in [&mut html, &mut text] {
                names.sort();
                names.dedup();
            }
            assert_eq!(html, text, "{}: the HTML and text parts use different placeholders", t.name());
        }
    }

    #[test]
    fn a_text_template_without_a_subject_line_is_refused() {
        assert_eq!(split_subject("Hello\n\nbody"), None);
        assert_eq!(split_subject("Subject: Hi\nbody"), None);
        assert_eq!(split_subject("Subject: Hi\n\nbody"), Some(TextParts { subject: "Hi", body: "body" }));
    }
}
