//! The dashboard's pages, as pure functions from what the API answered to markup: the shell
//! (header, navigation, messages) and small parts (form fields, the CSRF field, numbers), then one
//! module per area. Every page works without script; `/assets/dash.js` only adds conveniences.

pub mod account;
pub mod chart;
pub mod commerce;
pub mod content;
pub mod domains;
pub mod email;
pub mod security;
pub mod store;
pub mod tenant;

use html::{document, html, Markup};
use serde_json::Value;

/// The stylesheet's path (served by the Worker, `'self'` in the Content-Security-Policy).
pub const CSS_PATH: &str = "/assets/dash.css";
/// The script's path.
pub const JS_PATH: &str = "/assets/dash.js";
/// The icon's path (without it, browsers ask for /favicon.ico).
pub const ICON_PATH: &str = "/assets/icon.svg";

/// Who is signed in, for the header.
pub struct Viewer<'a> {
    /// `owner`, `staff` or `viewer`.
    pub role: &'a str,
    /// The form token for the log-out button.
    pub csrf: &'a str,
}

/// The store a page is about, for the navigation.
pub struct StoreNav<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its shop's URL.
    pub url: &'a str,
}

/// A page's frame.
pub struct Shell<'a> {
    /// The `<title>` and the `<h1>`.
    pub title: &'a str,
    /// The signed-in merchant, if any.
    pub viewer: Option<Viewer<'a>>,
    /// The store, on store pages.
    pub store: Option<StoreNav<'a>>,
    /// A confirmation to show at the top.
    pub notice: Option<&'a str>,
    /// An error to show at the top.
    pub error: Option<&'a str>,
    /// Reload the page after this many seconds (a run in progress), without script.
    pub refresh_secs: Option<u32>,
}

impl<'a> Shell<'a> {
    /// A frame with only a title.
    pub fn new(title: &'a str) -> Self {
        Shell { title, viewer: None, store: None, notice: None, error: None, refresh_secs: None }
    }
}

/// The whole page around `body`.
pub fn page(shell: &Shell, body: Markup) -> Markup {
    page_with_error(shell, None, body)
}

/// The whole page around `body`, with `error` at the top when the shell has none of its own.
pub fn page_with_error(shell: &Shell, error: Option<&str>, body: Markup) -> Markup {
    let head = html! {
        title { (shell.title) " · Dropship" }
        meta name="description" content="Dropship merchant dashboard";
        @if let Some(secs) = shell.refresh_secs { meta http-equiv="refresh" content=(secs); }
        link rel="icon" type="image/svg+xml" href=(ICON_PATH);
        link rel="stylesheet" href=(CSS_PATH);
        script src=(JS_PATH) defer {}
    };
    let body = html! {
        body {
            a.skip href="#main" { "Skip to content" }
            header.top {
                a.brand href="/" { "Dropship" }
                @if let Some(viewer) = &shell.viewer {
                    nav aria-label="Main" {
                        ul {
                            @if let Some(store) = &shell.store {
                                li { a href={ "/stores/" (store.id) } { "Home" } }
                                li { a href={ "/stores/" (store.id) "/products" } { "Products" } }
                                li { a href={ "/stores/" (store.id) "/research" } { "Research" } }
                                li { a href={ "/stores/" (store.id) "/watchlist" } { "Watchlist" } }
                                li { a href={ "/stores/" (store.id) "/orders" } { "Orders" } }
                                li { a href={ "/stores/" (store.id) "/look" } { "Look" } }
                                li { a href={ "/stores/" (store.id) "/posts" } { "Blog" } }
                                li { a href={ "/stores/" (store.id) "/pages" } { "Pages" } }
                                li { a href={ "/stores/" (store.id) "/email" } { "Email" } }
                                li { a href={ "/stores/" (store.id) "/contacts" } { "Contacts" } }
                                li { a href={ "/stores/" (store.id) "/shipping" } { "Shipping" } }
                                li { a href={ "/stores/" (store.id) "/payouts" } { "Payouts" } }
                                li { a href={ "/stores/" (store.id) "/domains" } { "Domains" } }
                                li { a href=(store.url) { "View shop" } }
                            }
                            li { a href="/team" { "Team" } }
                            li { a href="/sessions" { "Sessions" } }
                            li { a href="/security" { "Security" } }
                            li { a href="/api-keys" { "API keys" } }
                            li { a href="/billing" { "Billing" } }
                            li { a href="/data" { "Your data" } }
                        }
                    }
                    form.logout method="post" action="/logout" {
                        (csrf_field(viewer.csrf))
                        span.role { "Role: " (viewer.role) }
                        " "
                        button type="submit" { "Log out" }
                    }
                }
            }
            main #main {
                @if let Some(store) = &shell.store { p.store-name { (store.name) } }
                h1 { (shell.title) }
                @if let Some(notice) = shell.notice { p.notice role="status" { (notice) } }
                @if let Some(error) = shell.error.or(error) { p.error role="alert" { (error) } }
                (body)
            }
        }
    };
    document(head, body)
}

/// The hidden CSRF field every form carries.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// A labelled input. `error` is shown under it and tied to it for screen readers when the API
/// named this field.
pub struct Field<'a> {
    /// The label's text.
    pub label: &'a str,
    /// The input's name and id.
    pub name: &'a str,
    /// `text`, `email`, `password`, `number`...
    pub kind: &'a str,
    /// The current value (never a password).
    pub value: &'a str,
    /// Whether the browser should require it.
    pub required: bool,
    /// The `autocomplete` hint.
    pub autocomplete: &'a str,
    /// A hint under the label.
    pub hint: Option<&'a str>,
}

impl<'a> Field<'a> {
    /// A required text field.
    pub fn text(label: &'a str, name: &'a str, value: &'a str) -> Self {
        Field { label, name, kind: "text", value, required: true, autocomplete: "off", hint: None }
    }

    /// Renders it, with `error` when the API refused this field.
    pub fn render(&self, error: Option<&str>) -> Markup {
        let hint_id = format!("{}-hint", self.name);
        let error_id = format!("{}-error", self.name);
        let described = match (self.hint.is_some(), error.is_some()) {
            (true, true) => Some(format!("{hint_id} {error_id}")),
            (true, false) => Some(hint_id.clone()),
            (false, true) => Some(error_id.clone()),
            (false, false) => None,
        };
        html! {
            div.field {
                label for=(self.name) { (self.label) }
                @if let Some(hint) = self.hint { span.hint id=(hint_id) { (hint) } }
                input id=(self.name) name=(self.name) type=(self.kind) value=(self.value)
                    required[self.required] autocomplete=(self.autocomplete)
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[described];
                @if let Some(error) = error { span.field-error id=(error_id) { (error) } }
            }
        }
    }
}

/// `v[key]` as text, or empty.
pub fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("")
}

/// An amount of minor units in `currency`, as the shop writes it.
pub fn money(minor: i64, currency: &str) -> String {
    match currency.parse::<domain::Currency>() {
        Ok(c) => domain::Money::from_minor(minor, c).to_string(),
        Err(_) => format!("{minor} {currency}"),
    }
}

/// The first ten characters of a timestamp (its day).
pub fn day(stamp: &str) -> &str {
    stamp.get(..10).unwrap_or(stamp)
}

/// A page that only says something: errors, confirmations.
pub fn message(shell: &Shell, text: &str, link: Option<(&str, &str)>) -> Markup {
    page(
        shell,
        html! {
            p { (text) }
            @if let Some((href, label)) = link { p { a href=(href) { (label) } } }
        },
    )
}

/// The shell the pages' tests render in: the owner of a store whose name needs escaping.
#[cfg(test)]
pub(crate) fn test_shell(title: &str) -> Shell<'_> {
    Shell {
        viewer: Some(Viewer { role: "owner", csrf: "tok" }),
        store: Some(StoreNav { id: "s1", name: "Cozy <Paws>", url: "http://cozy.localhost:8788/" }),
        ..Shell::new(title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_of_an_error_page_for_a_forbidden_action() {
        let mut shell = Shell::new("Not allowed");
        shell.viewer = Some(Viewer { role: "viewer", csrf: "tok" });
        let html =
            message(&shell, "Your role does not allow this. This needs the owner role.", Some(("/", "Back")));
        insta::assert_snapshot!(html.into_string());
    }

    #[test]
    fn a_field_refused_by_the_api_says_why_next_to_it() {
        let html = Field::text("Shop address", "slug", "<x>").render(Some("that address is taken"));
        insta::assert_snapshot!(html.into_string(), @r#"<div class="field"><label for="slug">Shop address</label><input id="slug" name="slug" type="text" value="&lt;x&gt;" required autocomplete="off" aria-invalid="true" aria-describedby="slug-error"><span class="field-error" id="slug-error">that address is taken</span></div>"#);
    }

    #[test]
    fn amounts_are_written_in_the_store_currency() {
        assert_eq!(money(1250, "USD"), "$12.50");
        assert_eq!(money(5, "XXX"), "5 XXX");
    }
}
