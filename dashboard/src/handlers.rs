//! Requests to pages: each handler reads the session, calls the API, and renders a page or
//! redirects (post/redirect/get). A refusal from the API becomes a page or a form message; an
//! ended session sends the merchant to the login page.

use crate::api::{Api, ApiError};
use crate::form::{is_host, is_id, is_slug, Form};
use crate::pages::account::{self, Refusal};
use crate::pages::commerce;
use crate::pages::content;
use crate::pages::domains as domain_pages;
use crate::pages::email;
use crate::pages::security;
use crate::pages::store::{self as store_pages, Home, LookForm, NewStore, THEMES};
use crate::pages::tenant::{self, Erasure, NewKey};
use crate::pages::{self, text, Shell, StoreNav, Viewer};
use crate::range::{self, Range};
use crate::session::Claims;
use crate::{cookies, csrf};
use html::Markup;
use serde_json::{json, Value};
use worker::{Date, Env, Method, Request, Response};

const CSS: &str = include_str!("assets/dash.css");
const JS: &str = include_str!("assets/dash.js");
const ICON: &str = include_str!("assets/icon.svg");

/// A short confirmation chosen by the `notice` query parameter (never text from the query).
fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "verify" => "Welcome! We mailed you a link to verify your email address.",
        "logged_out" => "You are logged out.",
        "password_set" => "Your password is set. Log in with it.",
        "revoked" => "That session is signed out.",
        "others_revoked" => "Every other session is signed out.",
        "invited" => "The invitation is on its way.",
        "saved" => "Saved.",
        "published" => "Published.",
        "none_selected" => "Select at least one product.",
        "importing" => "The product is being imported; it appears in your products once read.",
        "refunded" => "Refunded. The customer is told by email.",
        "approved" => "Approved: the order is on its way to the supplier.",
        "cancelled" => "Cancelled and refunded in full. The customer is told by email.",
        "key_revoked" => "The key is revoked: it no longer works.",
        "unpublished" => "Unpublished: it is a draft again.",
        "post_deleted" => "The post is deleted.",
        "confirm_delete" => "Tick the box to confirm the deletion.",
        "plan_change" => "Your plan change is on its way to Stripe: it applies once Stripe confirms it.",
        "checkout_cancelled" => "The checkout was cancelled: nothing was charged.",
        "checkout_done" => "Thank you! Your plan applies as soon as Stripe confirms the payment.",
        "domain_added" => "The domain is added. Add its DNS record, then check it.",
        "domain_verified" => "The domain is verified: it serves your shop.",
        "domain_removed" => "The domain is removed: it no longer serves your shop.",
        "two_factor_off" => "Two-factor sign-in is off.",
        _ => return None,
    })
}

/// One browser request and what the answer will set.
struct Call {
    path: String,
    query: Form,
    cookie: String,
    user_agent: Option<String>,
    set_cookies: Vec<String>,
    nonce: String,
    secret: String,
    edge: String,
    now: i64,
    access: Option<String>,
    claims: Option<Claims>,
    /// The code of a step-up prompt, when the form carried one.
    second_factor: Option<String>,
}

fn setting(env: &Env, name: &str) -> worker::Result<String> {
    env.var(name)
        .map(|v| v.to_string())
        .or_else(|_| env.secret(name).map(|s| s.to_string()))
        .map_err(|_| worker::Error::RustError(format!("configuration `{name}` is not set")))
}

/// Cryptographically random bytes from Web Crypto, hex-encoded.
fn random_hex() -> String {
    use worker::js_sys::{global, Function, Reflect, Uint8Array};
    use worker::wasm_bindgen::{JsCast, JsValue};
    let buffer = Uint8Array::new_with_length(16);
    let crypto = Reflect::get(&global(), &JsValue::from_str("crypto")).expect("Workers expose crypto");
    let get_random_values: Function = Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))
        .expect("Workers expose crypto.getRandomValues")
        .unchecked_into();
    get_random_values.call1(&crypto, &buffer).expect("getRandomValues fills the buffer");
    let mut out = [0u8; 16];
    buffer.copy_to(&mut out);
    hex::encode(out)
}

fn html_page(status: u16, markup: Markup) -> worker::Result<Response> {
    Ok(Response::from_html(markup.into_string())?.with_status(status))
}

fn redirect(location: &str) -> worker::Result<Response> {
    let mut response = Response::empty()?.with_status(303);
    response.headers_mut().set("location", location)?;
    Ok(response)
}

/// Where to go after logging in: a path of ours, never another site.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencoding::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Call {
    fn csrf_token(&self) -> String {
        csrf::token(self.secret.as_bytes(), &self.nonce)
    }

    fn api(&self) -> Api {
        Api {
            base: self.edge.clone(),
            token: self.access.clone(),
            user_agent: self.user_agent.clone(),
            second_factor: self.second_factor.clone(),
        }
    }

    /// Keeps the tokens of a sign-in, refresh or accepted invitation in the session cookies.
    fn start_session(&mut self, tokens: &Value) -> bool {
        let (Some(access), Some(refresh)) =
            (tokens["access_token"].as_str(), tokens["refresh_token"].as_str())
        else {
            return false;
        };
        if !cookies::is_plain(access) || !cookies::is_plain(refresh) {
            return false;
        }
        let Some(claims) = Claims::read(access) else { return false };
        let ttl = tokens["expires_in"].as_u64().unwrap_or(600).min(u64::from(u32::MAX)) as u32;
        self.set_cookies.push(cookies::set(cookies::ACCESS, access, ttl));
        self.set_cookies.push(cookies::set(cookies::REFRESH, refresh, cookies::REFRESH_MAX_AGE_SECS));
        self.access = Some(access.to_owned());
        self.claims = Some(claims);
        true
    }

    fn end_session(&mut self) {
        self.set_cookies.push(cookies::clear(cookies::ACCESS));
        self.set_cookies.push(cookies::clear(cookies::REFRESH));
        self.access = None;
        self.claims = None;
    }

    /// Whether a merchant is signed in, refreshing the access token with the refresh token when
    /// it has expired or is about to.
    async fn signed_in(&mut self) -> bool {
        if let Some(access) = cookies::get(&self.cookie, cookies::ACCESS) {
            if let Some(claims) = Claims::read(access).filter(|c| c.fresh_at(self.now, 30)) {
                self.access = Some(access.to_owned());
                self.claims = Some(claims);
                return true;
            }
        }
        let Some(refresh) = cookies::get(&self.cookie, cookies::REFRESH).map(str::to_owned) else {
            return false;
        };
        match self.api().post("/v1/auth/refresh", &json!({ "refresh_token": refresh })).await {
            Ok(tokens) if self.start_session(&tokens) => true,
            _ => {
                self.end_session();
                false
            }
        }
    }

    fn to_login(&self) -> worker::Result<Response> {
        redirect(&format!("/login?{}", query(&[("next", &self.path)])))
    }

    fn can_edit(&self) -> bool {
        self.claims.as_ref().is_some_and(Claims::can_edit)
    }

    /// The step-up prompt for a sensitive action the API refused for want of a code (or for a
    /// wrong one): the same form, sent again with the code.
    fn step_up(&mut self, sent: &Form, error: &ApiError) -> worker::Result<Response> {
        let (message, field) = refused(error);
        let retried = self.second_factor.is_some() || field.as_deref() != Some("second_factor");
        let refusal = Refusal { message: retried.then_some(message.as_str()), field: field.as_deref() };
        let token = self.csrf_token();
        let action = self.path.clone();
        let shell = Shell { error: refusal.message, ..shell(self, &token, "Confirm with your code", None) };
        html_page(if retried { 403 } else { 200 }, security::step_up(&shell, &token, &action, sent, &refusal))
    }

    /// The answer for an API error that ends a page.
    fn failure(&mut self, error: &ApiError) -> worker::Result<Response> {
        if *error == ApiError::SignedOut {
            self.end_session();
            return self.to_login();
        }
        let title = match error {
            ApiError::Forbidden(_) => "Not allowed",
            ApiError::NotFound => "Not found",
            _ => "Something went wrong",
        };
        let token = self.csrf_token();
        let shell = Shell {
            viewer: self.claims.as_ref().map(|c| Viewer { role: &c.role, csrf: &token }),
            ..Shell::new(title)
        };
        html_page(
            error.status(),
            pages::message(&shell, &error.message(), Some(("/", "Back to the dashboard"))),
        )
    }
}

/// Answers one request.
pub async fn handle(mut req: Request, env: &Env) -> worker::Result<Response> {
    let url = req.url()?;
    let path = url.path().to_owned();
    match path.as_str() {
        "/assets/dash.css" => return asset(CSS, "text/css; charset=utf-8"),
        "/assets/dash.js" => return asset(JS, "text/javascript; charset=utf-8"),
        "/assets/icon.svg" => return asset(ICON, "image/svg+xml"),
        "/health" => return Response::ok("ok"),
        _ => {}
    }
    let secret = setting(env, "CSRF_SECRET")?;
    domain::secrets::signing_key("CSRF_SECRET", &secret)
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    let headers = req.headers();
    let cookie = headers.get("cookie")?.unwrap_or_default();
    let host = headers.get("host")?.unwrap_or_default();
    let origin_header = headers.get("origin")?;
    let user_agent = headers.get("user-agent")?;
    let mut set_cookies = Vec::new();
    let nonce = match cookies::get(&cookie, cookies::CSRF).filter(|n| cookies::is_plain(n)) {
        Some(nonce) => nonce.to_owned(),
        None => {
            let nonce = random_hex();
            set_cookies.push(cookies::set(cookies::CSRF, &nonce, cookies::REFRESH_MAX_AGE_SECS));
            nonce
        }
    };
    let method = req.method();
    let body = if method == Method::Post { Form::parse(&req.text().await?) } else { Form::parse("") };
    let mut call = Call {
        path: path.clone(),
        query: Form::parse(url.query().unwrap_or("")),
        cookie,
        user_agent,
        set_cookies,
        nonce,
        secret,
        edge: setting(env, "EDGE_URL")?,
        now: (Date::now().as_millis() / 1000) as i64,
        access: None,
        claims: None,
        // Only what a code can hold goes into the header.
        second_factor: Some(body.get("second_factor"))
            .filter(|c| !c.is_empty())
            .map(|c| c.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect()),
    };
    let mut response = if method == Method::Post
        && !(csrf::origin_allowed(origin_header.as_deref(), &format!("{}://{host}", url.scheme()))
            && csrf::verify(
                call.secret.as_bytes(),
                cookies::get(&call.cookie, cookies::CSRF).unwrap_or(""),
                body.get(csrf::FIELD),
            )) {
        let shell = Shell::new("This form has expired");
        html_page(
            403,
            pages::message(
                &shell,
                "Please go back, reload the page and send the form again.",
                Some(("/", "Back to the dashboard")),
            ),
        )?
    } else {
        route(&mut call, &method, &body).await?
    };
    let headers = response.headers_mut();
    for cookie in &call.set_cookies {
        headers.append("set-cookie", cookie)?;
    }
    headers.set("cache-control", "no-store")?;
    Ok(response)
}

fn asset(body: &'static str, content_type: &str) -> worker::Result<Response> {
    let mut response = Response::ok(body)?;
    response.headers_mut().set("content-type", content_type)?;
    response.headers_mut().set("cache-control", "public, max-age=300")?;
    Ok(response)
}

macro_rules! signed_in {
    ($call:expr) => {
        if !$call.signed_in().await {
            return $call.to_login();
        }
    };
}

macro_rules! or_fail {
    ($call:expr, $result:expr) => {
        match $result {
            Ok(value) => value,
            Err(error) => return $call.failure(&error),
        }
    };
}

async fn route(call: &mut Call, method: &Method, body: &Form) -> worker::Result<Response> {
    let path = call.path.clone();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let post = *method == Method::Post;
    if !post && *method != Method::Get && *method != Method::Head {
        return Response::error("Method not allowed", 405);
    }
    match parts.as_slice() {
        [""] => root(call).await,
        ["login"] if post => login_post(call, body).await,
        ["login"] => login_get(call).await,
        ["login", "second-factor"] if post => second_factor_post(call, body).await,
        ["security"] if !post => security_page(call).await,
        ["security", "enrol"] if post => enrol(call).await,
        ["security", "confirm"] if post => confirm_two_factor(call, body).await,
        ["security", "disable"] if post => disable_two_factor(call, body).await,
        ["signup"] if post => signup_post(call, body).await,
        ["signup"] => html_page(200, account::signup(&call.csrf_token(), "", "", &Refusal::default())),
        ["logout"] if post => logout(call).await,
        ["verify-email"] => verify_email(call).await,
        ["forgot-password"] if post => forgot_post(call, body).await,
        ["forgot-password"] => {
            html_page(200, account::forgot(&call.csrf_token(), false, &Refusal::default()))
        }
        ["reset-password"] if post => reset_post(call, body).await,
        ["reset-password"] => {
            html_page(200, account::reset(&call.csrf_token(), call.query.get("token"), &Refusal::default()))
        }
        ["accept-invitation"] if post => accept_post(call, body).await,
        ["accept-invitation"] => {
            html_page(200, account::accept(&call.csrf_token(), call.query.get("token"), &Refusal::default()))
        }
        ["sessions"] if !post => sessions(call).await,
        ["sessions", "others"] if post => sign_out_others(call).await,
        ["sessions", id] if post && is_id(id) => sign_out_one(call, id).await,
        ["team"] => team(call, post.then_some(body)).await,
        ["api-keys"] => api_keys(call, post.then_some(body)).await,
        ["api-keys", kid, "revoke"] if post && is_id(kid) => revoke_key(call, kid).await,
        ["billing"] if !post => billing(call).await,
        ["billing", "checkout"] if post => checkout(call, body).await,
        ["billing", "plan"] if post => change_plan(call, body).await,
        ["data"] if !post => data(call, None).await,
        ["data", "erasure"] if post => data(call, Some(body)).await,
        ["data", "export"] if post => export(call).await,
        ["erasures", eid] if !post && is_id(eid) => erasure(call, eid).await,
        ["onboarding"] => onboarding(call, post.then_some(body)).await,
        ["stores", id] if !post && is_id(id) => home(call, id).await,
        ["stores", id, "products"] if is_id(id) => products(call, id, post.then_some(body)).await,
        ["stores", id, "products", pid] if is_id(id) && is_id(pid) => {
            product(call, id, pid, post.then_some(body)).await
        }
        ["stores", id, "products", pid, "publish"] if post && is_id(id) && is_id(pid) => {
            publish(call, id, pid).await
        }
        ["stores", id, "products", pid, "follow-rules"] if post && is_id(id) && is_id(pid) => {
            follow_rules(call, id, pid).await
        }
        ["stores", id, "pricing"] if is_id(id) => pricing(call, id, post.then_some(body)).await,
        ["stores", id, "look"] if is_id(id) => look(call, id, post.then_some(body)).await,
        ["stores", id, "orders"] if !post && is_id(id) => orders(call, id).await,
        ["stores", id, "orders", oid] if !post && is_id(id) && is_id(oid) => order(call, id, oid, None).await,
        ["stores", id, "orders", oid, "refunds"] if post && is_id(id) && is_id(oid) => {
            order(call, id, oid, Some(body)).await
        }
        ["stores", id, "orders", oid, what @ ("approve" | "cancel")] if post && is_id(id) && is_id(oid) => {
            decide_order(call, id, oid, what).await
        }
        ["stores", id, "fulfilment"] if post && is_id(id) => approval_setting(call, id, body).await,
        ["stores", id, "domains"] if is_id(id) => {
            domains(call, id, post.then_some(DomainAction::Add(body))).await
        }
        ["stores", id, "domains", host, "verify"] if post && is_id(id) && is_host(host) => {
            domains(call, id, Some(DomainAction::Verify(host))).await
        }
        ["stores", id, "domains", host, "remove"] if post && is_id(id) && is_host(host) => {
            domains(call, id, Some(DomainAction::Remove(host))).await
        }
        ["stores", id, "posts"] if !post && is_id(id) => posts(call, id).await,
        ["stores", id, "posts", "new"] if is_id(id) => blog_post(call, id, None, post.then_some(body)).await,
        ["stores", id, "posts", pid] if is_id(id) && is_id(pid) => {
            blog_post(call, id, Some(pid), post.then_some(body)).await
        }
        ["stores", id, "posts", pid, "status"] if post && is_id(id) && is_id(pid) => {
            post_status(call, id, pid, body).await
        }
        ["stores", id, "posts", pid, "delete"] if post && is_id(id) && is_id(pid) => {
            delete_post(call, id, pid, body).await
        }
        ["stores", id, "pages"] if !post && is_id(id) => store_pages(call, id).await,
        ["stores", id, "pages", slug] if is_id(id) && is_slug(slug) => {
            store_page(call, id, slug, post.then_some(body)).await
        }
        ["stores", id, "email"] if !post && is_id(id) => email_flows(call, id, None).await,
        ["stores", id, "email", flow] if post && is_id(id) && email::FLOWS.iter().any(|(f, _)| f == flow) => {
            email_flows(call, id, Some((flow, body))).await
        }
        ["stores", id, "contacts"] if !post && is_id(id) => contacts(call, id).await,
        ["stores", id, "payouts"] if is_id(id) => payouts(call, id, post.then_some(body)).await,
        ["stores", id, "shipping"] if is_id(id) => shipping(call, id, post.then_some(body)).await,
        ["stores", id, "research"] if is_id(id) => research(call, id, post).await,
        ["stores", id, "research", rid] if !post && is_id(id) && is_id(rid) => run(call, id, rid).await,
        ["stores", id, "watchlist"] if !post && is_id(id) => watchlist(call, id).await,
        ["stores", id, "watchlist", wid] if post && is_id(id) => import_watched(call, id, wid).await,
        _ => html_page(
            404,
            pages::message(
                &Shell::new("Not found"),
                "There is no page here.",
                Some(("/", "Back to the dashboard")),
            ),
        ),
    }
}

async fn root(call: &mut Call) -> worker::Result<Response> {
    signed_in!(call);
    let stores = or_fail!(call, call.api().get("/v1/stores").await);
    match stores["stores"].get(0).and_then(|s| s["id"].as_str()) {
        Some(id) => redirect(&format!("/stores/{id}")),
        None => redirect("/onboarding"),
    }
}

async fn login_get(call: &mut Call) -> worker::Result<Response> {
    if call.signed_in().await {
        return redirect(safe_next(call.query.get("next")));
    }
    let refusal = Refusal::default();
    let page = account::login(
        &call.csrf_token(),
        "",
        call.query.get("next"),
        notice(call.query.get("notice")),
        &refusal,
    );
    html_page(200, page)
}

/// A signed-in page's frame.
fn shell<'a>(call: &'a Call, token: &'a str, title: &'a str, store: Option<&'a Value>) -> Shell<'a> {
    Shell {
        viewer: call.claims.as_ref().map(|c| Viewer { role: &c.role, csrf: token }),
        store: store.map(|s| StoreNav { id: text(s, "id"), name: text(s, "name"), url: text(s, "url") }),
        notice: notice(call.query.get("notice")),
        ..Shell::new(title)
    }
}

/// The message and field of a refused form.
fn refused(error: &ApiError) -> (String, Option<String>) {
    match error {
        ApiError::Refused { message, field } => (message.clone(), field.clone()),
        other => (other.message(), None),
    }
}

async fn login_post(call: &mut Call, body: &Form) -> worker::Result<Response> {
    let email = body.get("email");
    let answer =
        call.api().post("/v1/auth/login", &json!({ "email": email, "password": body.raw("password") })).await;
    let (status, message) = match answer {
        Ok(tokens) if call.start_session(&tokens) => return redirect(safe_next(body.get("next"))),
        Ok(answer) if answer["second_factor_required"] == true => {
            let challenge = text(&answer, "challenge");
            let page =
                security::second_step(&call.csrf_token(), challenge, body.get("next"), &Refusal::default());
            return html_page(200, page);
        }
        Ok(_) => (502, ApiError::Unavailable(200).message()),
        Err(ApiError::SignedOut) => (401, "That email and password do not match an account.".to_owned()),
        Err(error) => (error.status(), refused(&error).0),
    };
    let refusal = Refusal { message: Some(&message), field: None };
    html_page(status, account::login(&call.csrf_token(), email, body.get("next"), None, &refusal))
}

/// The login's second step: the challenge and a TOTP code, or (anything else typed) a recovery
/// code.
async fn second_factor_post(call: &mut Call, body: &Form) -> worker::Result<Response> {
    let (challenge, typed) = (body.get("challenge"), body.get("code"));
    let digits = typed.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let field = if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        "code"
    } else {
        "recovery_code"
    };
    let answer = call
        .api()
        .post("/v1/auth/login/second-factor", &json!({ "challenge": challenge, field: typed }))
        .await;
    let (status, message) = match answer {
        Ok(tokens) if call.start_session(&tokens) => return redirect(safe_next(body.get("next"))),
        Ok(_) => (502, ApiError::Unavailable(200).message()),
        Err(ApiError::SignedOut) => (
            401,
            "That code did not work, or this sign-in expired: try the app's next code, or start again."
                .to_owned(),
        ),
        Err(error) => (error.status(), refused(&error).0),
    };
    let refusal = Refusal { message: Some(&message), field: Some("code") };
    html_page(status, security::second_step(&call.csrf_token(), challenge, body.get("next"), &refusal))
}

/// The account security page: two-factor sign-in on or off.
async fn security_page(call: &mut Call) -> worker::Result<Response> {
    signed_in!(call);
    let status = or_fail!(call, call.api().get("/v1/auth/two-factor").await);
    let token = call.csrf_token();
    html_page(
        200,
        security::security(&shell(call, &token, "Security", None), &token, &status, &Refusal::default()),
    )
}

/// Starts an enrolment: the QR code, the key, and the form for the first code.
async fn enrol(call: &mut Call) -> worker::Result<Response> {
    signed_in!(call);
    let started = or_fail!(call, call.api().post("/v1/auth/two-factor/enrolment", &json!({})).await);
    let token = call.csrf_token();
    let (secret, uri) = (text(&started, "secret"), text(&started, "otpauth_uri"));
    let shell = shell(call, &token, "Turn on two-factor sign-in", None);
    html_page(200, security::enrol(&shell, &token, secret, uri, &Refusal::default()))
}

/// Confirms an enrolment with the app's first code: the recovery codes, once; a wrong code shows
/// the QR code again.
async fn confirm_two_factor(call: &mut Call, body: &Form) -> worker::Result<Response> {
    signed_in!(call);
    let answer =
        call.api().post("/v1/auth/two-factor/enrolment/confirm", &json!({ "code": body.get("code") })).await;
    let failure = match answer {
        Ok(codes) => {
            let token = call.csrf_token();
            return html_page(
                200,
                security::recovery_codes(&shell(call, &token, "Your recovery codes", None), &codes),
            );
        }
        Err(error @ ApiError::Refused { .. }) => refused(&error),
        Err(error) => return call.failure(&error),
    };
    let refusal = Refusal { message: Some(&failure.0), field: failure.1.as_deref() };
    let token = call.csrf_token();
    let shell = Shell { error: refusal.message, ..shell(call, &token, "Turn on two-factor sign-in", None) };
    let (secret, uri) = (body.get("secret"), body.get("uri"));
    html_page(400, security::enrol(&shell, &token, secret, uri, &refusal))
}

/// Turns two-factor sign-in off with the password and a code (or a recovery code).
async fn disable_two_factor(call: &mut Call, body: &Form) -> worker::Result<Response> {
    signed_in!(call);
    let typed = body.get("code");
    let digits = typed.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let field = if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        "code"
    } else {
        "recovery_code"
    };
    let off = json!({ "password": body.raw("password"), field: typed });
    let failure = match call.api().post("/v1/auth/two-factor/disable", &off).await {
        Ok(_) => return redirect("/security?notice=two_factor_off"),
        Err(error @ ApiError::Refused { .. }) => refused(&error),
        Err(error) => return call.failure(&error),
    };
    let status = or_fail!(call, call.api().get("/v1/auth/two-factor").await);
    // The form has one field for either kind of code.
    let field = failure.1.as_deref().map(|f| if f == "recovery_code" { "code" } else { f });
    let refusal = Refusal { message: Some(&failure.0), field };
    let token = call.csrf_token();
    let shell = Shell { error: refusal.message, ..shell(call, &token, "Security", None) };
    html_page(400, security::security(&shell, &token, &status, &refusal))
}

async fn signup_post(call: &mut Call, body: &Form) -> worker::Result<Response> {
    let (email, company) = (body.get("email"), body.get("company"));
    let answer = call
        .api()
        .post(
            "/v1/auth/signup",
            &json!({ "email": email, "password": body.raw("password"), "company": company }),
        )
        .await;
    let (message, field) = match answer {
        Ok(tokens) if call.start_session(&tokens) => return redirect("/onboarding?notice=verify"),
        Ok(_) => (ApiError::Unavailable(200).message(), None),
        Err(error) => refused(&error),
    };
    let refusal = Refusal { message: Some(&message), field: field.as_deref() };
    html_page(400, account::signup(&call.csrf_token(), email, company, &refusal))
}

async fn logout(call: &mut Call) -> worker::Result<Response> {
    if call.signed_in().await {
        // The session ends in the browser whatever the API answers.
        let _ = call.api().post("/v1/auth/logout", &json!({})).await;
    }
    call.end_session();
    redirect("/login?notice=logged_out")
}

async fn verify_email(call: &mut Call) -> worker::Result<Response> {
    let token = call.query.get("token");
    let path = format!("/v1/auth/verify-email?{}", query(&[("token", token)]));
    match call.api().get(&path).await {
        Ok(_) => html_page(200, account::verified(Ok(()))),
        Err(error) => html_page(error.status(), account::verified(Err(&refused(&error).0))),
    }
}

async fn forgot_post(call: &mut Call, body: &Form) -> worker::Result<Response> {
    match call.api().post("/v1/auth/password-reset", &json!({ "email": body.get("email") })).await {
        Ok(_) => html_page(200, account::forgot(&call.csrf_token(), true, &Refusal::default())),
        Err(error) => {
            let (message, _) = refused(&error);
            let refusal = Refusal { message: Some(&message), field: None };
            html_page(error.status(), account::forgot(&call.csrf_token(), false, &refusal))
        }
    }
}

async fn reset_post(call: &mut Call, body: &Form) -> worker::Result<Response> {
    let token = body.get("token");
    let answer = call
        .api()
        .post("/v1/auth/password-reset/confirm", &json!({ "token": token, "password": body.raw("password") }))
        .await;
    match answer {
        Ok(_) => {
            call.end_session();
            redirect("/login?notice=password_set")
        }
        Err(error) => {
            let (message, field) = refused(&error);
            let refusal = Refusal { message: Some(&message), field: field.as_deref() };
            html_page(error.status(), account::reset(&call.csrf_token(), token, &refusal))
        }
    }
}

async fn accept_post(call: &mut Call, body: &Form) -> worker::Result<Response> {
    let token = body.get("token");
    let answer = call
        .api()
        .post("/v1/invitations/accept", &json!({ "token": token, "password": body.raw("password") }))
        .await;
    let (message, field) = match answer {
        Ok(tokens) if call.start_session(&tokens) => return redirect("/"),
        Ok(_) => (ApiError::Unavailable(200).message(), None),
        Err(ApiError::SignedOut) => {
            ("That password does not match the account this invitation is for.".to_owned(), None)
        }
        Err(error) => refused(&error),
    };
    let refusal = Refusal { message: Some(&message), field: field.as_deref() };
    html_page(400, account::accept(&call.csrf_token(), token, &refusal))
}

async fn sessions(call: &mut Call) -> worker::Result<Response> {
    signed_in!(call);
    let list = or_fail!(call, call.api().get("/v1/auth/sessions").await);
    let token = call.csrf_token();
    html_page(200, account::sessions(&shell(call, &token, "Sessions", None), &token, &list))
}

async fn sign_out_one(call: &mut Call, id: &str) -> worker::Result<Response> {
    signed_in!(call);
    or_fail!(call, call.api().delete(&format!("/v1/auth/sessions/{id}")).await);
    redirect("/sessions?notice=revoked")
}

async fn sign_out_others(call: &mut Call) -> worker::Result<Response> {
    signed_in!(call);
    let list = or_fail!(call, call.api().get("/v1/auth/sessions").await);
    for s in list["sessions"].as_array().map(Vec::as_slice).unwrap_or_default() {
        if let (Some(id), false) = (s["id"].as_str(), s["current"] == true) {
            if is_id(id) {
                or_fail!(call, call.api().delete(&format!("/v1/auth/sessions/{id}")).await);
            }
        }
    }
    redirect("/sessions?notice=others_revoked")
}

async fn team(call: &mut Call, post: Option<&Form>) -> worker::Result<Response> {
    signed_in!(call);
    let mut refusal_text = (String::new(), None);
    if let Some(body) = post {
        let invite = json!({ "email": body.get("email"), "role": body.get("role") });
        match call.api().post("/v1/members/invitations", &invite).await {
            Ok(_) => return redirect("/team?notice=invited"),
            Err(ApiError::SignedOut) => return call.failure(&ApiError::SignedOut),
            Err(error) => refusal_text = refused(&error),
        }
    }
    let members = call.api().get("/v1/members").await;
    let token = call.csrf_token();
    let members_view = match &members {
        Ok(list) => Ok(list),
        Err(ApiError::Forbidden(_)) => Err("Only the tenant's owner sees and manages the team."),
        Err(error) => return call.failure(error),
    };
    let refusal = Refusal {
        message: (!refusal_text.0.is_empty()).then_some(refusal_text.0.as_str()),
        field: refusal_text.1.as_deref(),
    };
    let status = if post.is_some() { 400 } else { 200 };
    html_page(status, account::team(&shell(call, &token, "Team", None), &token, members_view, &refusal))
}

/// The API keys page; with `post`, the new-key form was sent: the key is made and its secret
/// shown on this answer only (never in an address), or the refusal shows with what was typed.
async fn api_keys(call: &mut Call, post: Option<&Form>) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let empty = Form::parse("");
    let body = post.unwrap_or(&empty);
    let typed = NewKey { name: body.get("name"), scope: body.get("scope") };
    let mut created = None;
    let mut failure = (String::new(), None);
    if post.is_some() {
        match api.post("/v1/api-keys", &json!({ "name": typed.name, "scope": typed.scope })).await {
            Ok(key) => created = Some(key),
            Err(error @ ApiError::Refused { .. }) if security::is_step_up(refused(&error).1.as_deref()) => {
                return call.step_up(body, &error);
            }
            Err(error @ ApiError::Refused { .. }) => failure = refused(&error),
            Err(error) => return call.failure(&error),
        }
    }
    let keys = api.get("/v1/api-keys").await;
    let keys = match &keys {
        Ok(list) => Ok(list),
        Err(ApiError::Forbidden(_)) => Err("Only the account's owner sees and manages API keys."),
        Err(error) => return call.failure(error),
    };
    let refusal = Refusal {
        message: (!failure.0.is_empty()).then_some(failure.0.as_str()),
        field: failure.1.as_deref(),
    };
    let token = call.csrf_token();
    let shell = Shell { error: refusal.message, ..shell(call, &token, "API keys", None) };
    // A made key's form starts afresh; a refused one keeps what was typed.
    let typed = if created.is_some() { NewKey::default() } else { typed };
    let status = if refusal.message.is_some() { 400 } else { 200 };
    html_page(status, tenant::api_keys(&shell, &token, keys, created.as_ref(), &typed, &refusal))
}

async fn revoke_key(call: &mut Call, kid: &str) -> worker::Result<Response> {
    signed_in!(call);
    or_fail!(call, call.api().delete(&format!("/v1/api-keys/{kid}")).await);
    redirect("/api-keys?notice=key_revoked")
}

/// The billing page; Stripe's Checkout sends the merchant back with `checkout` (a session id, or
/// `cancelled`), which chooses the notice.
async fn billing(call: &mut Call) -> worker::Result<Response> {
    signed_in!(call);
    let current = or_fail!(call, call.api().get("/v1/billing").await);
    let token = call.csrf_token();
    let mut frame = shell(call, &token, "Billing", None);
    frame.notice = match call.query.get("checkout") {
        "" => frame.notice,
        "cancelled" => notice("checkout_cancelled"),
        _ => notice("checkout_done"),
    };
    let is_owner = call.claims.as_ref().is_some_and(Claims::is_owner);
    html_page(200, tenant::billing(&frame, &token, &current, is_owner))
}

/// Starts Stripe's Checkout for a paid plan and links to it.
async fn checkout(call: &mut Call, body: &Form) -> worker::Result<Response> {
    signed_in!(call);
    let plan = body.get("plan");
    let session = or_fail!(call, call.api().post("/v1/billing/checkout", &json!({ "plan": plan })).await);
    let url = text(&session, "checkout_url");
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return call.failure(&ApiError::Unavailable(502));
    }
    let token = call.csrf_token();
    html_page(200, tenant::checkout(&shell(call, &token, "Payment", None), text(&session, "plan"), url))
}

/// Changes a running subscription's plan; a refusal (a downgrade the stores would not fit) shows
/// on the billing page.
async fn change_plan(call: &mut Call, body: &Form) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let message = match api.post("/v1/billing/plan", &json!({ "plan": body.get("plan") })).await {
        Ok(_) => return redirect("/billing?notice=plan_change"),
        Err(error @ ApiError::Refused { .. }) => refused(&error).0,
        Err(error) => return call.failure(&error),
    };
    let current = or_fail!(call, api.get("/v1/billing").await);
    let token = call.csrf_token();
    let shell = Shell { error: Some(&message), ..shell(call, &token, "Billing", None) };
    let is_owner = call.claims.as_ref().is_some_and(Claims::is_owner);
    html_page(400, tenant::billing(&shell, &token, &current, is_owner))
}

/// The data page; with `post`, the erasure form was sent: the tenant is erased and the browser
/// sent to the erasure's status page (the session ends with the tenant), or the refusal shows.
async fn data(call: &mut Call, post: Option<&Form>) -> worker::Result<Response> {
    signed_in!(call);
    let empty = Form::parse("");
    let body = post.unwrap_or(&empty);
    let mut failure = (String::new(), None);
    if post.is_some() {
        let erase = json!({ "password": body.raw("password"), "confirm": body.get("confirm") });
        match call.api().post("/v1/gdpr/erasure", &erase).await {
            Ok(erasure) if is_id(text(&erasure, "id")) => {
                let next = format!("/erasures/{}", text(&erasure, "id"));
                call.end_session();
                return redirect(&next);
            }
            Ok(_) => return call.failure(&ApiError::Unavailable(502)),
            Err(error @ ApiError::Refused { .. }) if security::is_step_up(refused(&error).1.as_deref()) => {
                return call.step_up(body, &error);
            }
            Err(error @ ApiError::Refused { .. }) => failure = refused(&error),
            Err(error) => return call.failure(&error),
        }
    }
    let refusal = Refusal {
        message: (!failure.0.is_empty()).then_some(failure.0.as_str()),
        field: failure.1.as_deref(),
    };
    let token = call.csrf_token();
    let is_owner = call.claims.as_ref().is_some_and(Claims::is_owner);
    let shell = Shell { error: refusal.message, ..shell(call, &token, "Your data", None) };
    let page = tenant::data(&shell, &token, is_owner, &Erasure { confirm: body.get("confirm") }, &refusal);
    html_page(if post.is_some() { 400 } else { 200 }, page)
}

/// The GDPR export as a file to download (`dropship-export-<day>.json`).
async fn export(call: &mut Call) -> worker::Result<Response> {
    signed_in!(call);
    let archive = or_fail!(call, call.api().get("/v1/gdpr/export").await);
    let day = time::OffsetDateTime::from_unix_timestamp(call.now)
        .map(|t| range::format(t.date()))
        .unwrap_or_default();
    let mut response = Response::ok(archive.to_string())?;
    let headers = response.headers_mut();
    headers.set("content-type", "application/json; charset=utf-8")?;
    headers.set("content-disposition", &format!("attachment; filename=\"dropship-export-{day}.json\""))?;
    Ok(response)
}

/// An erasure's status page: no session (the tenant it erased is gone), the id is the capability.
async fn erasure(call: &mut Call, eid: &str) -> worker::Result<Response> {
    let api = Api { token: None, ..call.api() };
    let status = or_fail!(call, api.get(&format!("/v1/gdpr/erasures/{eid}")).await);
    let mut shell = Shell::new("Erasure");
    if text(&status, "status") != "completed" {
        shell.refresh_secs = Some(5);
    }
    html_page(200, tenant::erasure(&shell, &status))
}

async fn onboarding(call: &mut Call, post: Option<&Form>) -> worker::Result<Response> {
    signed_in!(call);
    let token = call.csrf_token();
    let empty = Form::parse("");
    let body = post.unwrap_or(&empty);
    let values = NewStore {
        name: body.get("name"),
        slug: body.get("slug"),
        niche: body.get("niche"),
        theme: body.get("theme"),
        brand_color: body.get("brand_color"),
    };
    let mut failure = (String::new(), None);
    if post.is_some() {
        let slug = if values.slug.is_empty() {
            domain::content::slugify(values.name)
        } else {
            values.slug.to_owned()
        };
        let mut create = json!({ "name": values.name, "slug": slug });
        if !values.niche.is_empty() {
            create["niche"] = json!(values.niche);
        }
        match call.api().post("/v1/stores", &create).await {
            Ok(store) => {
                let id = text(&store, "id").to_owned();
                let mut look = json!({});
                if THEMES.iter().any(|(t, _)| *t == values.theme) {
                    look["theme"] = json!(values.theme);
                }
                if !values.brand_color.is_empty() {
                    look["brand_color"] = json!(values.brand_color);
                }
                let next = match store["launch_run_id"].as_str() {
                    Some(run) => format!("/stores/{id}/research/{run}"),
                    None => format!("/stores/{id}"),
                };
                if let Err(error) = call.api().patch(&format!("/v1/stores/{id}"), &look).await {
                    // The store exists: its look can be changed later; say why it was not applied.
                    worker::console_warn!("onboarding: the look was not applied: {}", error.message());
                }
                return redirect(&next);
            }
            Err(ApiError::SignedOut) => return call.failure(&ApiError::SignedOut),
            Err(error) => failure = refused(&error),
        }
    }
    let refusal = Refusal {
        message: (!failure.0.is_empty()).then_some(failure.0.as_str()),
        field: failure.1.as_deref(),
    };
    let status = if post.is_some() { 400 } else { 200 };
    html_page(
        status,
        store_pages::onboarding(&shell(call, &token, "Your store", None), &token, &values, &refusal),
    )
}

async fn home(call: &mut Call, id: &str) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let today =
        time::OffsetDateTime::from_unix_timestamp(call.now).map(|t| t.date()).unwrap_or(time::Date::MIN);
    let range = Range::from_query(call.query.get("from"), call.query.get("to"), today);
    let previous = range.previous();
    let (from, to) = (range::format(range.from), range::format(range.to));
    let analytics = |r: Range| {
        format!("/v1/stores/{id}/analytics?from={}&to={}", range::format(r.from), range::format(r.to))
    };
    let current = or_fail!(call, api.get(&analytics(range)).await);
    let before = or_fail!(call, api.get(&analytics(previous)).await);
    let drafts = or_fail!(call, api.get(&format!("/v1/stores/{id}/products?status=draft&limit=200")).await);
    let watch = or_fail!(call, api.get(&format!("/v1/stores/{id}/watchlist")).await);
    let all = or_fail!(call, api.get(&format!("/v1/stores/{id}/products?limit=200")).await);
    let log = api.get("/v1/audit-log?limit=10").await;
    let mut top: Vec<&Value> = all["products"].as_array().map(|p| p.iter().collect()).unwrap_or_default();
    top.sort_by(|a, b| b["score"].as_f64().unwrap_or(0.0).total_cmp(&a["score"].as_f64().unwrap_or(0.0)));
    top.truncate(5);
    let activity = match &log {
        Ok(log) => Ok(log),
        Err(ApiError::Forbidden(_)) => Err("Recent activity is shown to the tenant's owner."),
        Err(_) => Err("Recent activity could not be read just now."),
    };
    let h = Home {
        store: &store,
        from: &from,
        to: &to,
        current: &current,
        previous: &before,
        drafts: drafts["products"].as_array().map_or(0, Vec::len),
        watchlist: watch["items"].as_array().map_or(0, Vec::len),
        top,
        activity,
    };
    let token = call.csrf_token();
    html_page(200, store_pages::home(&shell(call, &token, "Home", Some(&store)), &h))
}

async fn products(call: &mut Call, id: &str, post: Option<&Form>) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    if let Some(body) = post {
        let ids: Vec<&str> = body.all("id").into_iter().filter(|i| is_id(i)).collect();
        if ids.is_empty() {
            return redirect(&format!("/stores/{id}/products?notice=none_selected"));
        }
        let change = json!({ "ids": ids, "changes": { "status": "published" } });
        or_fail!(call, api.patch(&format!("/v1/stores/{id}/products"), &change).await);
        return redirect(&format!("/stores/{id}/products?notice=published"));
    }
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let q: String = call.query.get("q").chars().take(100).collect();
    let status = match call.query.get("status") {
        s @ ("draft" | "published") => s,
        _ => "",
    };
    let list = or_fail!(
        call,
        api.get(&format!(
            "/v1/stores/{id}/products?{}",
            query(&[("limit", "200"), ("q", &q), ("status", status)])
        ))
        .await
    );
    let token = call.csrf_token();
    let page = store_pages::products(
        &shell(call, &token, "Products", Some(&store)),
        &token,
        id,
        &list,
        &q,
        status,
        call.can_edit(),
    );
    html_page(200, page)
}

/// The product fields of the edit form, as the API's change. The price goes only when it was
/// changed (`price_minor` is the product's): a price sent is the merchant's, which the rules then
/// leave alone.
fn product_changes(body: &Form, currency: &str, price_minor: i64) -> Result<Value, (String, &'static str)> {
    let description: Vec<String> = body
        .raw("description")
        .replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let currency: domain::Currency =
        currency.parse().map_err(|_| ("Unknown currency.".to_owned(), "price_minor"))?;
    let price = domain::Money::parse_decimal(body.get("price"), currency)
        .map_err(|e| (format!("The price {e}."), "price_minor"))?;
    let status = if body.get("status") == "published" { "published" } else { "draft" };
    let mut changes = json!({
        "title": body.get("title"),
        "description": description,
        "meta_title": body.get("meta_title"),
        "meta_description": body.get("meta_description"),
        "status": status,
    });
    if price.minor != price_minor {
        changes["price_minor"] = json!(price.minor);
    }
    Ok(changes)
}

async fn product(call: &mut Call, id: &str, pid: &str, post: Option<&Form>) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let path = format!("/v1/stores/{id}/products/{pid}");
    let mut current = or_fail!(call, api.get(&path).await);
    let mut failure = (String::new(), None::<String>);
    if let Some(body) = post {
        match product_changes(body, text(&current, "currency"), current["price_minor"].as_i64().unwrap_or(0))
        {
            Ok(changes) => match api.patch(&path, &changes).await {
                Ok(_) => return redirect(&format!("/stores/{id}/products/{pid}?notice=saved")),
                Err(error @ (ApiError::Refused { .. } | ApiError::Forbidden(_))) => failure = refused(&error),
                Err(error) => return call.failure(&error),
            },
            Err((message, field)) => failure = (message, Some(field.to_owned())),
        }
        // The form shows what was typed, with the reason it was refused.
        for key in ["title", "meta_title", "meta_description"] {
            current[key] = json!(body.get(key));
        }
    }
    let refusal = Refusal {
        message: (!failure.0.is_empty()).then_some(failure.0.as_str()),
        field: failure.1.as_deref(),
    };
    let token = call.csrf_token();
    let title = text(&current, "title").to_owned();
    let page = store_pages::product(
        &shell(call, &token, &title, Some(&store)),
        &token,
        id,
        text(&store, "url"),
        &current,
        call.can_edit(),
        &refusal,
    );
    html_page(if post.is_some() { 400 } else { 200 }, page)
}

async fn look(call: &mut Call, id: &str, post: Option<&Form>) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let mut store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let collections = or_fail!(call, api.get(&format!("/v1/stores/{id}/collections")).await);
    let mut failure = (String::new(), None::<String>);
    if let Some(body) = post {
        let optional = |key: &str| match body.get(key) {
            "" => Value::Null,
            value => json!(value),
        };
        let change = json!({
            "theme": body.get("theme"),
            "brand_color": body.get("brand_color"),
            "font": body.get("font"),
            "logo_url": optional("logo_url"),
            "hero_image_url": optional("hero_image_url"),
            "announcement": body.get("announcement"),
            "menu": store_pages::menu_order(&body.all("menu_slug"), &body.all("menu_place")),
        });
        match api.patch(&format!("/v1/stores/{id}"), &change).await {
            Ok(_) => return redirect(&format!("/stores/{id}/look?notice=saved")),
            Err(error @ (ApiError::Refused { .. } | ApiError::Forbidden(_))) => failure = refused(&error),
            Err(error) => return call.failure(&error),
        }
        // The form shows what was typed, with the reason it was refused.
        for (key, value) in change.as_object().into_iter().flatten() {
            store[key] = value.clone();
        }
    }
    let refusal = Refusal {
        message: (!failure.0.is_empty()).then_some(failure.0.as_str()),
        field: failure.1.as_deref(),
    };
    let form = LookForm {
        look: &store,
        collections: collections["collections"]
            .as_array()
            .map(|all| all.iter().map(|c| (text(c, "slug"), text(c, "title"))).collect())
            .unwrap_or_default(),
        shop_url: text(&store, "url"),
    };
    let token = call.csrf_token();
    let page = store_pages::look(
        &shell(call, &token, "Look", Some(&store)),
        &token,
        id,
        &form,
        call.can_edit(),
        &refusal,
    );
    html_page(if post.is_some() { 400 } else { 200 }, page)
}

async fn orders(call: &mut Call, id: &str) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let state = call.query.get("state").to_owned();
    let state = if commerce::STATES.iter().any(|(s, _)| *s == state) { state } else { String::new() };
    let path = match state.as_str() {
        "" => format!("/v1/stores/{id}/orders"),
        state => format!("/v1/stores/{id}/orders?state={state}"),
    };
    let answer = or_fail!(call, api.get(&path).await);
    let token = call.csrf_token();
    html_page(200, commerce::orders(&shell(call, &token, "Orders", Some(&store)), id, &state, &answer))
}

/// An order's page; with `post`, its refund form was sent: the refund is asked for, and a refusal
/// shows on the page with what was typed.
async fn order(call: &mut Call, id: &str, oid: &str, post: Option<&Form>) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let path = format!("/v1/stores/{id}/orders/{oid}");
    let current = or_fail!(call, api.get(&path).await);
    let mut failure = (String::new(), None::<String>);
    if let Some(body) = post {
        let mut refund = json!({ "reason": body.get("reason") });
        let amount = match (body.get("amount"), text(&current, "currency").parse::<domain::Currency>()) {
            ("", _) => Ok(()),
            (typed, Ok(currency)) => domain::Money::parse_decimal(typed, currency)
                .map(|m| refund["amount_minor"] = json!(m.minor))
                .map_err(|e| format!("The amount {e}.")),
            (_, Err(_)) => Err("Unknown currency.".to_owned()),
        };
        match amount {
            Ok(()) => match api.post(&format!("{path}/refunds"), &refund).await {
                Ok(_) => return redirect(&format!("/stores/{id}/orders/{oid}?notice=refunded")),
                Err(error @ (ApiError::Refused { .. } | ApiError::Forbidden(_))) => failure = refused(&error),
                Err(error) => return call.failure(&error),
            },
            Err(message) => failure = (message, Some("amount_minor".to_owned())),
        }
    }
    // Only roles that may refund see the refunds and the form (the API answers 403 to the rest).
    let refunds = api.get(&format!("{path}/refunds")).await;
    let (refunds, can_refund) = match refunds {
        Ok(list) => (list, call.can_edit()),
        Err(ApiError::Forbidden(_)) => (json!({ "refunds": [] }), false),
        Err(error) => return call.failure(&error),
    };
    let refusal = Refusal {
        message: (!failure.0.is_empty()).then_some(failure.0.as_str()),
        field: failure.1.as_deref(),
    };
    let token = call.csrf_token();
    let title = format!("Order #{}", current["number"].as_i64().unwrap_or(0));
    let page = commerce::order(
        &shell(call, &token, &title, Some(&store)),
        &token,
        id,
        &current,
        &refunds,
        can_refund,
        &refusal,
    );
    html_page(if post.is_some() { 400 } else { 200 }, page)
}

/// The merchant approves (`what` is `approve`) or cancels (`cancel`) an order awaiting approval;
/// a refusal (it no longer waits) shows the order as it now stands.
async fn decide_order(call: &mut Call, id: &str, oid: &str, what: &str) -> worker::Result<Response> {
    signed_in!(call);
    let page = format!("/stores/{id}/orders/{oid}");
    match call.api().post(&format!("/v1{page}/{what}"), &json!({})).await {
        Ok(_) => {
            redirect(&format!("{page}?notice={}", if what == "approve" { "approved" } else { "cancelled" }))
        }
        Err(ApiError::Refused { .. }) => redirect(&page),
        Err(error) => call.failure(&error),
    }
}

/// The pricing page's second form: whether every order waits for the merchant's approval.
async fn approval_setting(call: &mut Call, id: &str, body: &Form) -> worker::Result<Response> {
    signed_in!(call);
    let on = json!({ "approve_by_hand": body.get("approve_by_hand") == "1" });
    or_fail!(call, call.api().put(&format!("/v1/stores/{id}/fulfilment"), &on).await);
    redirect(&format!("/stores/{id}/pricing?notice=saved"))
}

/// What a form on the domains page asks for.
enum DomainAction<'a> {
    /// Add the host typed into the form.
    Add(&'a Form),
    /// Check a pending domain's TXT record.
    Verify(&'a str),
    /// Stop serving the shop on a domain.
    Remove(&'a str),
}

/// The domains page; with an action, one of its forms was sent: done, or refused with the reason
/// on the page (and, for a new domain, what was typed).
async fn domains(call: &mut Call, id: &str, action: Option<DomainAction<'_>>) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let base = format!("/v1/stores/{id}/domains");
    let mut failure = (String::new(), None);
    let mut typed = "";
    if let Some(action) = action {
        let (result, done) = match action {
            DomainAction::Add(body) => {
                typed = body.get("host");
                (api.post(&base, &json!({ "host": typed })).await, "domain_added")
            }
            DomainAction::Verify(host) => {
                (api.call(Method::Post, &format!("{base}/{host}/verify"), None).await, "domain_verified")
            }
            DomainAction::Remove(host) => (api.delete(&format!("{base}/{host}")).await, "domain_removed"),
        };
        match result {
            Ok(_) => return redirect(&format!("/stores/{id}/domains?notice={done}")),
            Err(error @ ApiError::Refused { .. }) => failure = refused(&error),
            Err(error) => return call.failure(&error),
        }
    }
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let list = or_fail!(call, api.get(&base).await);
    let refusal = Refusal {
        message: (!failure.0.is_empty()).then_some(failure.0.as_str()),
        field: failure.1.as_deref(),
    };
    let token = call.csrf_token();
    let can_manage = call.claims.as_ref().is_some_and(Claims::is_owner);
    let shell = Shell { error: refusal.message, ..shell(call, &token, "Domains", Some(&store)) };
    let page = domain_pages::domains(&shell, &token, id, &list, typed, can_manage, &refusal);
    html_page(if refusal.message.is_some() { 400 } else { 200 }, page)
}

/// Text from a textarea: browsers send CRLF line ends, which the API refuses as control
/// characters.
fn multiline(body: &Form, name: &str) -> String {
    body.raw(name).replace("\r\n", "\n").trim().to_owned()
}

/// A post's fields as the form sent them, to show again (keywords as typed).
fn post_typed(body: &Form) -> Value {
    let mut typed = post_fields(body);
    typed["slug"] = json!(body.get("slug"));
    typed["keywords"] = json!(body.get("keywords"));
    typed["status"] = json!(body.get("status"));
    typed
}

/// The fields every post form sends, as the API names them.
fn post_fields(body: &Form) -> Value {
    json!({
        "title": body.get("title"),
        "body_html": multiline(body, "body_html"),
        "excerpt": multiline(body, "excerpt"),
        "author": body.get("author"),
        "meta_title": body.get("meta_title"),
        "meta_description": body.get("meta_description"),
    })
}

/// The API's body for a post's form: keywords as a list, a blank address left to the API, and the
/// status only for a new post (an existing one changes it with its own button).
fn post_change(body: &Form, new: bool) -> Value {
    let mut change = post_fields(body);
    change["keywords"] =
        json!(body.get("keywords").split(',').map(str::trim).filter(|k| !k.is_empty()).collect::<Vec<_>>());
    if !body.get("slug").is_empty() {
        change["slug"] = json!(body.get("slug"));
    }
    if new {
        change["status"] = json!(if body.get("status") == "published" { "published" } else { "draft" });
    }
    change
}

async fn posts(call: &mut Call, id: &str) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let list = or_fail!(call, api.get(&format!("/v1/stores/{id}/posts")).await);
    let token = call.csrf_token();
    html_page(200, content::posts(&shell(call, &token, "Blog", Some(&store)), id, &list, call.can_edit()))
}

/// A blog post's page (`pid`), or a new post's (none); with `post`, its form was sent: to be
/// previewed (nothing saved), or saved, or refused with what was typed.
async fn blog_post(
    call: &mut Call,
    id: &str,
    pid: Option<&str>,
    post: Option<&Form>,
) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let path = match pid {
        Some(pid) => format!("/v1/stores/{id}/posts/{pid}"),
        None => format!("/v1/stores/{id}/posts"),
    };
    let mut current = match pid {
        Some(_) => {
            let mut saved = or_fail!(call, api.get(&path).await);
            let keywords = saved["keywords"]
                .as_array()
                .map(|k| k.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "));
            saved["keywords"] = json!(keywords.unwrap_or_default());
            saved
        }
        None => json!({ "status": "draft" }),
    };
    let mut failure = (String::new(), None);
    let mut show_preview = pid.is_some();
    if let Some(body) = post {
        let previewing = body.get("action") == "preview";
        if !previewing {
            let change = post_change(body, pid.is_none());
            let saved = match pid {
                Some(_) => api.patch(&path, &change).await,
                None => api.post(&path, &change).await,
            };
            match saved {
                Ok(saved) if is_id(text(&saved, "id")) => {
                    return redirect(&format!("/stores/{id}/posts/{}?notice=saved", text(&saved, "id")))
                }
                Ok(_) => return call.failure(&ApiError::Unavailable(502)),
                Err(error @ ApiError::Refused { .. }) => failure = refused(&error),
                Err(error) => return call.failure(&error),
            }
        }
        // The form shows what was typed: previewed, or with the reason it was refused.
        let typed = post_typed(body);
        for (key, value) in typed.as_object().into_iter().flatten() {
            if key != "status" || pid.is_none() {
                current[key] = value.clone();
            }
        }
        show_preview = previewing;
    }
    let refusal = Refusal {
        message: (!failure.0.is_empty()).then_some(failure.0.as_str()),
        field: failure.1.as_deref(),
    };
    let token = call.csrf_token();
    let title = if pid.is_some() { text(&current, "title").to_owned() } else { "New post".to_owned() };
    let shell = Shell { error: refusal.message, ..shell(call, &token, &title, Some(&store)) };
    let page = content::post(&shell, &token, id, &current, call.can_edit(), show_preview, &refusal);
    html_page(if refusal.message.is_some() { 400 } else { 200 }, page)
}

async fn post_status(call: &mut Call, id: &str, pid: &str, body: &Form) -> worker::Result<Response> {
    signed_in!(call);
    let status = if body.get("status") == "published" { "published" } else { "draft" };
    let path = format!("/v1/stores/{id}/posts/{pid}");
    or_fail!(call, call.api().patch(&path, &json!({ "status": status })).await);
    let done = if status == "published" { "published" } else { "unpublished" };
    redirect(&format!("/stores/{id}/posts/{pid}?notice={done}"))
}

async fn delete_post(call: &mut Call, id: &str, pid: &str, body: &Form) -> worker::Result<Response> {
    signed_in!(call);
    if body.get("confirm") != "1" {
        return redirect(&format!("/stores/{id}/posts/{pid}?notice=confirm_delete"));
    }
    or_fail!(call, call.api().delete(&format!("/v1/stores/{id}/posts/{pid}")).await);
    redirect(&format!("/stores/{id}/posts?notice=post_deleted"))
}

async fn store_pages(call: &mut Call, id: &str) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let list = or_fail!(call, api.get(&format!("/v1/stores/{id}/pages")).await);
    let token = call.csrf_token();
    html_page(200, content::store_pages(&shell(call, &token, "Pages", Some(&store)), id, &list))
}

/// A store page's form; with `post`, it was sent: to be previewed, or saved (a new address
/// moves the page), or refused with what was typed.
async fn store_page(call: &mut Call, id: &str, slug: &str, post: Option<&Form>) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let path = format!("/v1/stores/{id}/pages/{slug}");
    let mut current = or_fail!(call, api.get(&path).await);
    let mut failure = (String::new(), None);
    if let Some(body) = post {
        let typed = json!({
            "title": body.get("title"),
            "slug": body.get("slug"),
            "body_html": multiline(body, "body_html"),
            "meta_description": body.get("meta_description"),
        });
        if body.get("action") != "preview" {
            match api.patch(&path, &typed).await {
                Ok(saved) => {
                    let moved = Some(text(&saved, "slug")).filter(|s| is_slug(s)).unwrap_or(slug);
                    return redirect(&format!("/stores/{id}/pages/{moved}?notice=saved"));
                }
                Err(error @ ApiError::Refused { .. }) => failure = refused(&error),
                Err(error) => return call.failure(&error),
            }
        }
        for (key, value) in typed.as_object().into_iter().flatten() {
            current[key] = value.clone();
        }
    }
    let refusal = Refusal {
        message: (!failure.0.is_empty()).then_some(failure.0.as_str()),
        field: failure.1.as_deref(),
    };
    let token = call.csrf_token();
    let title = text(&current, "title").to_owned();
    let shell = Shell { error: refusal.message, ..shell(call, &token, &title, Some(&store)) };
    let page = content::store_page(&shell, &token, id, slug, &current, call.can_edit(), &refusal);
    html_page(if refusal.message.is_some() { 400 } else { 200 }, page)
}

/// A flow's form as the API's change: on or off, and each step's delay (the steps that wait),
/// subject and intro (blank ones left as they are). `current` is the flow as the API answered it.
fn flow_change(flow: &str, current: &Value, body: &Form) -> Result<Value, (String, &'static str)> {
    let mut steps = Vec::new();
    for s in current["steps"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let n = s["step"].as_i64().unwrap_or(0);
        let mut step = json!({ "step": n });
        if s["delay_hours"].is_number() {
            let typed = body.get(&format!("{flow}-delay-{n}"));
            let hours: u32 = typed.parse().map_err(|_| {
                (format!("Step {n}: the delay is a whole number of hours, 0 to 1440."), "delay_hours")
            })?;
            step["delay_hours"] = json!(hours);
        }
        let subject = body.get(&format!("{flow}-subject-{n}"));
        if !subject.is_empty() {
            step["subject"] = json!(subject);
        }
        let intro = multiline(body, &format!("{flow}-intro-{n}"));
        if !intro.is_empty() {
            step["intro"] = json!(intro);
        }
        steps.push(step);
    }
    Ok(json!({ "enabled": body.get("enabled") == "1", "steps": steps }))
}

/// The email flows page; with `post`, one flow's form was sent: saved, or refused with the reason
/// in that flow's form, shown as typed.
async fn email_flows(call: &mut Call, id: &str, post: Option<(&str, &Form)>) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let mut answer = or_fail!(call, api.get(&format!("/v1/stores/{id}/email/flows")).await);
    let mut failure = (String::new(), None);
    let mut refused_flow = None;
    if let Some((flow, body)) = post {
        let index = answer["flows"]
            .as_array()
            .and_then(|all| all.iter().position(|f| f["flow"].as_str() == Some(flow)));
        let Some(index) = index else { return call.failure(&ApiError::NotFound) };
        let current = &mut answer["flows"][index];
        let outcome: Result<(), (String, Option<String>)> = match flow_change(flow, current, body) {
            Ok(change) => match api.patch(&format!("/v1/stores/{id}/email/flows/{flow}"), &change).await {
                Ok(_) => return redirect(&format!("/stores/{id}/email?notice=saved#flow-{flow}")),
                Err(error @ ApiError::Refused { .. }) => Err(refused(&error)),
                Err(error) => return call.failure(&error),
            },
            Err((message, field)) => Err((message, Some(field.to_owned()))),
        };
        if let Err(refusal) = outcome {
            failure = refusal;
            refused_flow = Some(flow);
            // The flow's form shows what was typed.
            current["enabled"] = json!(body.get("enabled") == "1");
            for s in current["steps"].as_array_mut().map(Vec::as_mut_slice).unwrap_or_default() {
                let n = s["step"].as_i64().unwrap_or(0);
                if let (true, Ok(hours)) =
                    (s["delay_hours"].is_number(), body.get(&format!("{flow}-delay-{n}")).parse::<u32>())
                {
                    s["delay_hours"] = json!(hours);
                }
                s["subject"] = json!(body.get(&format!("{flow}-subject-{n}")));
                s["intro"] = json!(multiline(body, &format!("{flow}-intro-{n}")));
            }
        }
    }
    let refusal = Refusal {
        message: (!failure.0.is_empty()).then_some(failure.0.as_str()),
        field: failure.1.as_deref(),
    };
    let token = call.csrf_token();
    let shell = Shell { error: refusal.message, ..shell(call, &token, "Email flows", Some(&store)) };
    let refused_form = refused_flow.map(|flow| (flow, &refusal));
    let page = email::flows(&shell, &token, id, &answer, call.can_edit(), refused_form);
    html_page(if refusal.message.is_some() { 400 } else { 200 }, page)
}

async fn contacts(call: &mut Call, id: &str) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let status = call.query.get("status").to_owned();
    let status =
        if email::CONTACT_STATUSES.iter().any(|(s, _)| *s == status) { status } else { String::new() };
    let path = format!("/v1/stores/{id}/contacts?{}", query(&[("status", &status)]));
    let answer = or_fail!(call, api.get(path.trim_end_matches('?')).await);
    let token = call.csrf_token();
    html_page(200, email::contacts(&shell(call, &token, "Contacts", Some(&store)), id, &status, &answer))
}

/// The payouts page; a post makes a link to Stripe's hosted onboarding for the store's account
/// and shows it (a redirect to Stripe after the form would be refused by `form-action 'self'`).
async fn payouts(call: &mut Call, id: &str, post: Option<&Form>) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    if let Some(body) = post {
        let link = match api.post(&format!("/v1/stores/{id}/payouts/onboarding"), &json!({})).await {
            Ok(link) => link,
            Err(error @ ApiError::Refused { .. }) if security::is_step_up(refused(&error).1.as_deref()) => {
                return call.step_up(body, &error);
            }
            Err(error) => return call.failure(&error),
        };
        let url = link["url"].as_str().unwrap_or_default();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return call.failure(&ApiError::Unavailable(502));
        }
        let token = call.csrf_token();
        return html_page(
            200,
            commerce::onboarding_link(&shell(call, &token, "Payouts", Some(&store)), id, url),
        );
    }
    let status = or_fail!(call, api.get(&format!("/v1/stores/{id}/payouts")).await);
    let token = call.csrf_token();
    let can_manage = call.claims.as_ref().is_some_and(Claims::is_owner);
    html_page(
        200,
        commerce::payouts(&shell(call, &token, "Payouts", Some(&store)), &token, id, &status, can_manage),
    )
}

/// Shipping settings as the form sends them: countries as codes, amounts in the store's currency.
fn shipping_fields(body: &Form, currency: &str) -> Result<Value, (String, &'static str)> {
    let currency: domain::Currency =
        currency.parse().map_err(|_| ("Unknown currency.".to_owned(), "standard_minor"))?;
    let amount = |name: &str, field: &'static str| -> Result<Option<i64>, (String, &'static str)> {
        match body.get(name) {
            "" => Ok(None),
            typed => domain::Money::parse_decimal(typed, currency)
                .map(|m| Some(m.minor))
                .map_err(|e| (format!("The amount {e}."), field)),
        }
    };
    let countries: Vec<String> = body
        .get("countries")
        .split([',', ' '])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    Ok(json!({
        "countries": countries,
        "standard_minor": amount("standard", "standard_minor")?.unwrap_or(0),
        "express_minor": amount("express", "express_minor")?,
        "free_over_minor": amount("free_over", "free_over_minor")?,
        "automatic_tax": body.get("automatic_tax") == "1",
    }))
}

async fn shipping(call: &mut Call, id: &str, post: Option<&Form>) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let path = format!("/v1/stores/{id}/shipping");
    let mut current = or_fail!(call, api.get(&path).await);
    let mut failure = (String::new(), None::<String>);
    if let Some(body) = post {
        match shipping_fields(body, text(&current, "currency")) {
            Ok(fields) => match api.put(&path, &fields).await {
                Ok(_) => return redirect(&format!("/stores/{id}/shipping?notice=saved")),
                Err(error @ (ApiError::Refused { .. } | ApiError::Forbidden(_))) => {
                    failure = refused(&error);
                    for (key, value) in fields.as_object().into_iter().flatten() {
                        current[key] = value.clone();
                    }
                }
                Err(error) => return call.failure(&error),
            },
            Err((message, field)) => failure = (message, Some(field.to_owned())),
        }
    }
    let refusal = Refusal {
        message: (!failure.0.is_empty()).then_some(failure.0.as_str()),
        field: failure.1.as_deref(),
    };
    let token = call.csrf_token();
    let page = commerce::shipping(
        &shell(call, &token, "Shipping", Some(&store)),
        &token,
        id,
        &current,
        call.can_edit(),
        &refusal,
    );
    html_page(if post.is_some() { 400 } else { 200 }, page)
}

async fn publish(call: &mut Call, id: &str, pid: &str) -> worker::Result<Response> {
    signed_in!(call);
    or_fail!(
        call,
        call.api().patch(&format!("/v1/stores/{id}/products/{pid}"), &json!({ "status": "published" })).await
    );
    redirect(&format!("/stores/{id}/products/{pid}?notice=published"))
}

/// Hands a price the merchant set back to the store's rules.
async fn follow_rules(call: &mut Call, id: &str, pid: &str) -> worker::Result<Response> {
    signed_in!(call);
    let path = format!("/v1/stores/{id}/products/{pid}");
    or_fail!(call, call.api().patch(&path, &json!({ "price_follows_rules": true })).await);
    redirect(&format!("/stores/{id}/products/{pid}?notice=saved"))
}

/// The pricing rules as the form sends them: percentages, as basis points.
fn pricing_fields(body: &Form) -> Result<Value, (String, &'static str)> {
    let bps = |name: &str, field: &'static str| {
        commerce::basis_points(body.get(name))
            .ok_or_else(|| ("Type a percentage, such as 250 or 30.5.".to_owned(), field))
    };
    Ok(json!({
        "markup_bps": bps("markup", "markup_bps")?,
        "min_margin_bps": bps("min_margin", "min_margin_bps")?,
        "compare_at_bps": bps("compare_at", "compare_at_bps")?,
        "psychological_endings": body.get("psychological_endings") == "1",
    }))
}

async fn pricing(call: &mut Call, id: &str, post: Option<&Form>) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let path = format!("/v1/stores/{id}/pricing");
    let mut current = or_fail!(call, api.get(&path).await);
    let approval = or_fail!(call, api.get(&format!("/v1/stores/{id}/fulfilment")).await);
    let mut failure = (String::new(), None::<String>);
    if let Some(body) = post {
        match pricing_fields(body) {
            Ok(fields) => match api.put(&path, &fields).await {
                Ok(saved) => {
                    let count = |key: &str| saved[key].as_u64().unwrap_or(0);
                    return redirect(&format!(
                        "/stores/{id}/pricing?repriced={}&kept={}",
                        count("repriced"),
                        count("kept")
                    ));
                }
                Err(error @ (ApiError::Refused { .. } | ApiError::Forbidden(_))) => {
                    failure = refused(&error);
                    for (key, value) in fields.as_object().into_iter().flatten() {
                        current[key] = value.clone();
                    }
                }
                Err(error) => return call.failure(&error),
            },
            Err((message, field)) => failure = (message, Some(field.to_owned())),
        }
    }
    let refusal = Refusal {
        message: (!failure.0.is_empty()).then_some(failure.0.as_str()),
        field: failure.1.as_deref(),
    };
    // What the last save re-priced, from its redirect (numbers only, never text from the query).
    let saved = call.query.get("repriced").parse().ok().zip(call.query.get("kept").parse().ok());
    let token = call.csrf_token();
    let page = commerce::pricing(
        &shell(call, &token, "Pricing", Some(&store)),
        &token,
        id,
        &current,
        saved,
        approval["approve_by_hand"].as_bool().unwrap_or(false),
        call.can_edit(),
        &refusal,
    );
    html_page(if post.is_some() { 400 } else { 200 }, page)
}

async fn research(call: &mut Call, id: &str, post: bool) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    if post {
        let run = or_fail!(call, api.post(&format!("/v1/stores/{id}/research-runs"), &json!({})).await);
        return redirect(&format!("/stores/{id}/research/{}", text(&run, "id")));
    }
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let list = or_fail!(call, api.get(&format!("/v1/stores/{id}/research-runs")).await);
    let token = call.csrf_token();
    html_page(
        200,
        store_pages::runs(&shell(call, &token, "Research", Some(&store)), &token, id, &list, call.can_edit()),
    )
}

async fn run(call: &mut Call, id: &str, rid: &str) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let run = or_fail!(call, api.get(&format!("/v1/stores/{id}/research-runs/{rid}")).await);
    let all = or_fail!(call, api.get(&format!("/v1/stores/{id}/products?limit=200")).await);
    let from_run: Vec<&Value> = all["products"]
        .as_array()
        .map(|p| p.iter().filter(|p| p["research_run_id"].as_str() == Some(rid)).collect())
        .unwrap_or_default();
    let token = call.csrf_token();
    let mut frame = shell(call, &token, "Research run", Some(&store));
    if store_pages::run_in_progress(&run, call.now) {
        frame.refresh_secs = Some(3);
    }
    html_page(200, store_pages::run(&frame, id, &run, &from_run))
}

async fn watchlist(call: &mut Call, id: &str) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let store = or_fail!(call, api.get(&format!("/v1/stores/{id}")).await);
    let list = or_fail!(call, api.get(&format!("/v1/stores/{id}/watchlist")).await);
    let token = call.csrf_token();
    html_page(
        200,
        store_pages::watchlist(
            &shell(call, &token, "Watchlist", Some(&store)),
            &token,
            id,
            &list,
            call.can_edit(),
        ),
    )
}

async fn import_watched(call: &mut Call, id: &str, item: &str) -> worker::Result<Response> {
    signed_in!(call);
    let api = call.api();
    let list = or_fail!(call, api.get(&format!("/v1/stores/{id}/watchlist")).await);
    let Some(url) = list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"].as_str() == Some(item)))
        .and_then(|i| i["product_url"].as_str())
    else {
        return call.failure(&ApiError::NotFound);
    };
    or_fail!(call, api.post(&format!("/v1/stores/{id}/products/from-urls"), &json!({ "urls": [url] })).await);
    redirect(&format!("/stores/{id}/products?notice=importing"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pricing_form_becomes_the_rules_in_basis_points() {
        let body = Form::parse("markup=300&min_margin=20.5&compare_at=0");
        assert_eq!(
            pricing_fields(&body).unwrap(),
            json!({"markup_bps": 30_000, "min_margin_bps": 2_050, "compare_at_bps": 0, "psychological_endings": false})
        );
        let bad = Form::parse("markup=3x&min_margin=20&compare_at=0&psychological_endings=1");
        assert_eq!(pricing_fields(&bad).unwrap_err().1, "markup_bps");
    }

    #[test]
    fn only_our_own_paths_are_followed_after_login() {
        assert_eq!(safe_next("/stores/x"), "/stores/x");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
    }

    #[test]
    fn the_edit_form_becomes_the_api_change() {
        let body = Form::parse("title=Brush&description=One%0D%0A%0D%0ATwo%0D%0A%0D%0A&price=12.5&meta_title=M&meta_description=D&status=published");
        let change = product_changes(&body, "USD", 1999).unwrap();
        assert_eq!(change["description"], json!(["One", "Two"]));
        assert_eq!(change["price_minor"], 1250);
        assert_eq!(change["status"], "published");
        let same = product_changes(&body, "USD", 1250).unwrap();
        assert!(same.get("price_minor").is_none(), "an unchanged price stays the rules' to set: {same}");
        let bad = Form::parse("title=Brush&price=12.555");
        assert_eq!(product_changes(&bad, "USD", 1999).unwrap_err().1, "price_minor");
    }

    #[test]
    fn a_post_form_becomes_the_api_body_with_line_ends_the_api_takes() {
        let body = Form::parse(
            "title=Tips&slug=&body_html=%3Cp%3EOne%3C%2Fp%3E%0D%0A%3Cp%3ETwo%3C%2Fp%3E%0D%0A&excerpt=A%0D%0AB&keywords=a%2C+b+%2C%2C&status=published&author=&meta_title=&meta_description=",
        );
        let new = post_change(&body, true);
        assert_eq!(new["body_html"], "<p>One</p>\n<p>Two</p>");
        assert_eq!(new["excerpt"], "A\nB");
        assert_eq!(new["keywords"], json!(["a", "b"]));
        assert_eq!(new["status"], "published");
        assert!(new.get("slug").is_none(), "a blank address is the API's to make");
        let edit = post_change(&Form::parse("title=Tips&slug=tips&status=published"), false);
        assert_eq!(edit["slug"], "tips");
        assert!(edit.get("status").is_none(), "an edit leaves the status to its own button");
    }

    #[test]
    fn a_flow_form_becomes_the_api_change_leaving_blank_texts_and_untimed_steps_alone() {
        let current = json!({"flow": "post_purchase", "steps": [
            {"step": 1, "delay_hours": 0}, {"step": 2, "delay_hours": null}, {"step": 3, "delay_hours": 168}]});
        let body = Form::parse(
            "enabled=1&post_purchase-delay-1=0&post_purchase-subject-2=Shipped%21&post_purchase-delay-3=200&post_purchase-intro-3=Hi%0D%0Athere&post_purchase-subject-3=",
        );
        let change = flow_change("post_purchase", &current, &body).unwrap();
        assert_eq!(
            change,
            json!({"enabled": true, "steps": [
                {"step": 1, "delay_hours": 0},
                {"step": 2, "subject": "Shipped!"},
                {"step": 3, "delay_hours": 200, "intro": "Hi\nthere"}]})
        );
        let off =
            flow_change("post_purchase", &current, &Form::parse("post_purchase-delay-1=x")).unwrap_err();
        assert_eq!(off.1, "delay_hours");
    }

    #[test]
    fn notices_come_from_a_fixed_list() {
        assert_eq!(notice("saved"), Some("Saved."));
        assert_eq!(notice("<script>"), None);
    }
}
