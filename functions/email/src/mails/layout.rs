//! The parts every mail is built from: the HTML document (brand line, heading, the merchant's
//! intro, the unsubscribe line), the button and the link to paste, and the plain-text part laid
//! out the same way. Every value goes into the HTML through `maud`, which escapes it; every link
//! is an [`HttpUrl`].

use super::Frame;
use crate::http_url::HttpUrl;
use maud::{html, Markup, DOCTYPE};

/// The accent colour when a store sets none (or an invalid one).
pub const DEFAULT_ACCENT: &str = "#2563eb";

/// A store's accent colour, `#rgb` or `#rrggbb`: safe inside a `style` attribute, where escaping
/// alone would not stop `red;background:url(…)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accent(String);

impl Accent {
    /// The store's colour when it is a hex colour, else [`DEFAULT_ACCENT`].
    pub fn or_default(color: Option<&str>) -> Self {
        let hex = |c: &&str| {
            c.strip_prefix('#')
                .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit()))
        };
        Self(color.filter(hex).unwrap_or(DEFAULT_ACCENT).to_owned())
    }
}

impl std::fmt::Display for Accent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The unsubscribe line of a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Footer<'a> {
    /// None: a transactional mail.
    None,
    /// The mail's own line at the end of its card: `You get this email because you <reason> <brand>.`
    Because {
        /// `subscribed to` or `shopped at`.
        reason: &'static str,
        /// The one-click unsubscribe link.
        unsubscribe: &'a HttpUrl,
    },
    /// A line under the card, for a mail without its own line that is sent as marketing.
    Appended(&'a HttpUrl),
}

impl<'a> Footer<'a> {
    /// The footer of a mail that has no unsubscribe line of its own.
    pub fn appended(unsubscribe: Option<&'a HttpUrl>) -> Self {
        unsubscribe.map_or(Footer::None, Footer::Appended)
    }

    /// The line for a subscriber (the welcome series).
    pub fn subscribed(unsubscribe: &'a HttpUrl) -> Self {
        Footer::Because { reason: "subscribed to", unsubscribe }
    }

    /// The line for a shopper (carts and orders).
    pub fn shopped(unsubscribe: &'a HttpUrl) -> Self {
        Footer::Because { reason: "shopped at", unsubscribe }
    }
}

/// A paragraph of the card.
pub const PARAGRAPH: &str = "margin:0 0 16px";
/// The paragraph holding a flow mail's button.
pub const BUTTON_ROW: &str = "margin:8px 0 24px";
/// A paragraph of an account mail, and the one holding its button.
pub const WIDE_PARAGRAPH: &str = "margin:0 0 24px";
/// A small grey paragraph (what to do if the mail was unexpected).
pub const NOTE: &str = "margin:0;font-size:13px;color:#71717a";
/// A small grey paragraph followed by another.
pub const SMALL: &str = "margin:0 0 12px;font-size:13px;color:#71717a";

const BODY: &str = "margin:0;padding:24px;background:#f4f4f5;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#18181b;line-height:1.5";
const CARD: &str = "max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px";
const OWN_FOOTER: &str =
    "margin:24px 0 0;padding-top:16px;border-top:1px solid #e4e4e7;font-size:12px;color:#71717a";
const APPENDED_FOOTER: &str =
    "max-width:560px;margin:16px auto 0;font-size:12px;color:#71717a;text-align:center";
const GREY_LINK: &str = "color:#71717a";

/// The whole HTML document: `heading` is also its title; `body` follows the heading and the
/// merchant's intro.
pub fn document(frame: &Frame, heading: &str, body: Markup, footer: Footer) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (heading) }
            }
            body style=(BODY) {
                div style=(CARD) {
                    p style={ "margin:0 0 24px;font-size:14px;font-weight:600;color:" (frame.accent) } {
                        (frame.brand)
                    }
                    h1 style="margin:0 0 16px;font-size:22px" { (heading) }
                    @if let Some(intro) = frame.intro {
                        @for line in intro.split('\n').map(str::trim).filter(|line| !line.is_empty()) {
                            p style=(PARAGRAPH) { (line) }
                        }
                    }
                    (body)
                    @if let Footer::Because { reason, unsubscribe } = footer {
                        p style=(OWN_FOOTER) {
                            "You get this email because you " (reason) " " (frame.brand) ". "
                            a href=(unsubscribe) style=(GREY_LINK) { "Unsubscribe" }
                        }
                    }
                }
                @if let Footer::Appended(unsubscribe) = footer {
                    p style=(APPENDED_FOOTER) {
                        "You get these emails from " (frame.brand) ". "
                        a href=(unsubscribe) style=(GREY_LINK) { "Unsubscribe" }
                    }
                }
            }
        }
    }
    .into_string()
}

/// The mail's call to action: a button in the store's colour.
pub fn button(frame: &Frame, url: &HttpUrl, label: &str) -> Markup {
    html! {
        a href=(url) style={
            "display:inline-block;background:" (frame.accent)
            ";color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600"
        } { (label) }
    }
}

/// `url` written out as a small link, for readers whose client shows no button.
pub fn plain_link(url: &HttpUrl) -> Markup {
    html! { a href=(url) style="color:#71717a;word-break:break-all" { (url) } }
}

/// The link to paste when the button does not work.
pub fn fallback(url: &HttpUrl) -> Markup {
    html! {
        p style=(SMALL) {
            "If the button does not work, paste this link into your browser:" br; (plain_link(url))
        }
    }
}

/// The plain-text part: paragraphs separated by a blank line, no markup and no escaping.
#[derive(Debug, Clone)]
pub struct Text(Vec<String>);

impl Text {
    /// A text part opening with `heading` and the merchant's intro.
    pub fn new(frame: &Frame, heading: &str) -> Self {
        let mut paragraphs = vec![heading.to_owned()];
        paragraphs.extend(frame.intro.map(|intro| intro.trim().to_owned()).filter(|i| !i.is_empty()));
        Self(paragraphs)
    }

    /// Adds a paragraph.
    pub fn paragraph(mut self, paragraph: impl Into<String>) -> Self {
        self.0.push(paragraph.into());
        self
    }

    /// Adds `label:` and the link on its own line below.
    pub fn link(self, label: &str, url: &HttpUrl) -> Self {
        self.paragraph(format!("{label}:")).paragraph(url.as_str())
    }

    /// The text part, with its unsubscribe line.
    pub fn end(mut self, frame: &Frame, footer: Footer) -> String {
        match footer {
            Footer::None => {}
            Footer::Because { reason, unsubscribe } => self.0.push(format!(
                "--\nYou get this email because you {reason} {}. Unsubscribe: {unsubscribe}",
                frame.brand
            )),
            Footer::Appended(unsubscribe) => self
                .0
                .push(format!("--\nYou get these emails from {}. Unsubscribe: {unsubscribe}", frame.brand)),
        }
        let mut text = self.0.join("\n\n");
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accent_that_is_not_a_hex_colour_falls_back_to_the_platform_colour() {
        assert_eq!(Accent::or_default(Some("#ff6600")), Accent("#ff6600".into()));
        assert_eq!(Accent::or_default(Some("#abc")), Accent("#abc".into()));
        for bad in ["red;background:url(https://evil.example)", "#ff66", "ff6600", "#gggggg", ""] {
            assert_eq!(Accent::or_default(Some(bad)), Accent(DEFAULT_ACCENT.into()), "{bad}");
        }
        assert_eq!(Accent::or_default(None), Accent(DEFAULT_ACCENT.into()));
    }
}
