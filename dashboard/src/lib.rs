//! The merchants' dashboard Worker: server-rendered pages over the edge's `/v1` API.
//!
//! The dashboard holds no data and has no database binding: each page calls the API with the
//! merchant's own access token, exactly as a merchant's script would, so the API decides what
//! each role may see and do, and a refusal becomes a page that says so. The session is the
//! edge's access token and rotating refresh token, kept in `HttpOnly`, `Secure`, `SameSite=Lax`
//! cookies ([`cookies`]); every form carries a signed double-submit token ([`csrf`]); every
//! answer carries a Content-Security-Policy that allows only our own stylesheet and script and
//! no framing.

pub mod api;
pub mod cookies;
pub mod csrf;
pub mod form;
pub mod handlers;
pub mod pages;
pub mod range;
pub mod session;

use worker::{event, Context, Date, Env, Request, Response};

/// The Content-Security-Policy of every answer: our own stylesheet and script only, no inline
/// script or style, forms post only to us, and no page can be framed.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let started = Date::now().as_millis();
    let mut response = match handlers::handle(req, &env).await {
        Ok(response) => response,
        Err(error) => {
            worker::console_error!("dashboard: {error}");
            let page = pages::message(
                &pages::Shell::new("Something went wrong"),
                "The page could not be shown. Please try again.",
                Some(("/", "Back to the dashboard")),
            );
            Response::from_html(page.into_string())?.with_status(500)
        }
    };
    let headers = response.headers_mut();
    headers.set("content-security-policy", CSP)?;
    headers.set("x-content-type-options", "nosniff")?;
    headers.set("referrer-policy", "same-origin")?;
    headers.set("x-frame-options", "DENY")?;
    headers.set("server-timing", &format!("app;dur={}", Date::now().as_millis().saturating_sub(started)))?;
    Ok(response)
}
