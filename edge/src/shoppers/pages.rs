//! The pages a shopper opens on the edge: what a mail's confirmation and unsubscribe links show. They are built
//! with the shared HTML layer, so the store's name and the address are escaped by construction.

use html::{document, html, Markup};

/// An HTML page with its status.
#[derive(Debug)]
pub struct Page {
    /// HTTP status.
    pub status: u16,
    /// The document.
    pub html: String,
}

/// A page of the store's, with its name above the heading; never indexed.
fn page(status: u16, store_name: &str, heading: &str, body: Markup) -> Page {
    let head = html! {
        meta name="robots" content="noindex";
        title { (heading) " · " (store_name) }
    };
    let body = html! {
        body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5" {
            p style="color:#52525b" { (store_name) }
            h1 { (heading) }
            (body)
        }
    };
    Page { status, html: document(head, body).into_string() }
}

/// Shows `a***@example.com` for `ada@example.com`: enough for its owner to recognise, not a
/// disclosure to whoever holds the link.
pub fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => "***".into(),
    }
}

/// The link names no contact of the store (or no store).
pub fn link_not_valid() -> Page {
    page(
        404,
        "",
        "This link does not work",
        html! { p { "The unsubscribe link is not valid. If you keep getting mail, use the link in the newest mail." } },
    )
}

/// Asks for a click (link scanners open links; they do not submit forms) that posts to the same
/// URL.
pub fn confirm(store_name: &str, email: &str) -> Page {
    page(
        200,
        store_name,
        "Unsubscribe?",
        html! {
            p { "Stop marketing mail from this shop to " (masked(email)) "?" }
            form method="post" {
                input type="hidden" name="List-Unsubscribe" value="One-Click";
                button type="submit" style="font-size:1rem;padding:.6rem 1.2rem" { "Unsubscribe" }
            }
        },
    )
}

/// The address was unsubscribed before this visit.
pub fn already_unsubscribed(store_name: &str, email: &str) -> Page {
    page(
        200,
        store_name,
        "You are unsubscribed",
        html! { p { (masked(email)) " gets no more marketing mail from this shop." } },
    )
}

/// The address has just been unsubscribed.
pub fn unsubscribed(store_name: &str, email: &str) -> Page {
    page(
        200,
        store_name,
        "You are unsubscribed",
        html! {
            p {
                (masked(email))
                " gets no more marketing mail from this shop. Order confirmations and shipping updates still arrive."
            }
        },
    )
}

/// The confirmation link names no contact waiting on it (used, replaced by a newer one, expired,
/// or no store).
pub fn confirmation_not_valid() -> Page {
    page(
        404,
        "",
        "This link does not work",
        html! {
            p {
                "The confirmation link is not valid: it was used already, a newer one was sent, or it is more than 7 days old. "
                "Sign up again in the shop to get a new one."
            }
        },
    )
}

/// Asks the shopper to confirm with a click that posts to the same URL.
pub fn confirm_subscription(store_name: &str, email: &str) -> Page {
    page(
        200,
        store_name,
        "Confirm your subscription",
        html! {
            p { "Get emails from this shop at " (masked(email)) "?" }
            form method="post" {
                button type="submit" style="font-size:1rem;padding:.6rem 1.2rem" { "Confirm subscription" }
            }
        },
    )
}

/// The address is on the store's list now.
pub fn subscription_confirmed(store_name: &str, email: &str) -> Page {
    page(
        200,
        store_name,
        "You are subscribed",
        html! {
            p { (masked(email)) " gets this shop's emails from now on. Every email has a link to unsubscribe." }
        },
    )
}

/// The store's plan holds no more contacts.
pub fn list_full(store_name: &str) -> Page {
    page(
        409,
        store_name,
        "We could not sign you up",
        html! { p { "This shop is not taking new subscribers right now. Please try again later." } },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE_NAME: &str = "Tom & Jerry's <script>alert(\"x\")</script>";

    #[test]
    fn the_unsubscribe_page_shows_little_of_the_address() {
        assert_eq!(masked("ada@example.com"), "a***@example.com");
        assert_eq!(masked("not-an-address"), "***");
    }

    #[test]
    fn snapshot_of_the_confirmation_page() {
        let page = confirm(HOSTILE_NAME, "ada@example.com");
        assert_eq!(page.status, 200);
        assert!(!page.html.contains("<script>"), "the store's name is escaped");
        insta::assert_snapshot!(page.html);
    }

    #[test]
    fn snapshot_of_the_already_unsubscribed_page() {
        insta::assert_snapshot!(already_unsubscribed(HOSTILE_NAME, "<b>@example.com").html);
    }

    #[test]
    fn snapshot_of_the_unsubscribed_page() {
        insta::assert_snapshot!(unsubscribed("Trail Gear", "ada@example.com").html);
    }

    #[test]
    fn snapshot_of_the_subscription_confirmation_pages() {
        let ask = confirm_subscription(HOSTILE_NAME, "ada@example.com");
        assert_eq!(ask.status, 200);
        assert!(!ask.html.contains("<script>") && !ask.html.contains("ada@"), "escaped and masked");
        insta::assert_snapshot!(ask.html);
        insta::assert_snapshot!(subscription_confirmed("Trail Gear", "ada@example.com").html);
        assert_eq!((confirmation_not_valid().status, list_full("Trail Gear").status), (404, 409));
    }

    #[test]
    fn snapshot_of_the_invalid_link_page() {
        let page = link_not_valid();
        assert_eq!(page.status, 404);
        insta::assert_snapshot!(page.html);
    }
}
