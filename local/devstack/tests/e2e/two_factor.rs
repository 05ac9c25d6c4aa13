//! Two-factor sign-in end to end, as a merchant with an authenticator app goes through it:
//! enrolment, a login that needs the code, a replayed code refused, a recovery code that works
//! once, a challenge burnt by wrong codes, and the step-up an API key's creation asks for. The
//! codes are computed here with an RFC 6238 implementation of the test's own, as the app would.

use crate::helpers::{Answer, Merchant, Stack};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buffer, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for c in text.bytes().filter(|c| *c != b'=') {
        let value = ALPHABET.iter().position(|a| *a == c).expect("a base32 letter") as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

fn step_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() / 30
}

/// The code an authenticator app shows for time step `step` (HMAC-SHA1, 6 digits).
fn code(secret: &[u8], step: u64) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).unwrap();
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let at = usize::from(digest[19] & 0x0f);
    let value =
        u32::from_be_bytes([digest[at], digest[at + 1], digest[at + 2], digest[at + 3]]) & 0x7fff_ffff;
    format!("{:06}", value % 1_000_000)
}

/// A code that is none of the three the edge would accept now.
fn wrong_code(secret: &[u8]) -> String {
    let near: Vec<String> = (step_now() - 1..=step_now() + 2).map(|s| code(secret, s)).collect();
    (0..).map(|n| format!("{:06}", 111_111 * (n % 9) + n / 9)).find(|c| !near.contains(c)).unwrap()
}

/// Calls the edge from an address of this test's own (the limits are per IP), with the step-up
/// header when given.
async fn call(
    stack: &Stack,
    path: &str,
    token: Option<&str>,
    body: &Value,
    second_factor: Option<&str>,
    ip: &str,
) -> Answer {
    let mut request =
        stack.http.post(format!("{}{path}", stack.edge)).header("cf-connecting-ip", ip).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(code) = second_factor {
        request = request.header("x-second-factor", code);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    Answer { status, json: serde_json::from_str(&text).unwrap_or(Value::Null), text }
}

async fn login(stack: &Stack, merchant: &Merchant, ip: &str) -> Answer {
    let body = json!({ "email": merchant.email, "password": merchant.password });
    call(stack, "/v1/auth/login", None, &body, None, ip).await
}

/// Logs in with the password and answers the login's challenge.
async fn challenge(stack: &Stack, merchant: &Merchant, ip: &str) -> String {
    let answer = login(stack, merchant, ip).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["second_factor_required"], true, "{}", answer.text);
    assert!(answer.json["access_token"].is_null(), "no tokens before the second factor: {}", answer.text);
    answer.json["challenge"].as_str().unwrap().to_owned()
}

async fn second_step(stack: &Stack, challenge: &str, field: &str, value: &str, ip: &str) -> Answer {
    let body = json!({ "challenge": challenge, field: value });
    call(stack, "/v1/auth/login/second-factor", None, &body, None, ip).await
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn two_factor_sign_in_needs_a_fresh_code_and_recovery_codes_work_once() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    stack.set_plan(&merchant, "pro").await;
    let ip = format!("203.0.113.{}", 1 + uuid::Uuid::new_v4().as_bytes()[0] % 250);
    let token = merchant.access.clone();

    let status = stack.get("/v1/auth/two-factor", &token).await;
    assert_eq!(status.json, json!({ "enabled": false, "pending": false, "recovery_codes_left": 0 }));

    // Enrolment: the secret as text and as the URI of the QR code; nothing is on yet.
    let started = call(&stack, "/v1/auth/two-factor/enrolment", Some(&token), &Value::Null, None, &ip).await;
    assert_eq!(started.status, 201, "{}", started.text);
    let secret_text = started.json["secret"].as_str().unwrap();
    let uri = started.json["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/Dropship:") && uri.contains(&format!("secret={secret_text}")),
        "{uri}"
    );
    let secret = base32_decode(secret_text);
    assert_eq!(secret.len(), 20);
    assert_eq!(login(&stack, &merchant, &ip).await.json["token_type"], "Bearer", "not on before a code");

    let wrong = json!({ "code": wrong_code(&secret) });
    let refused =
        call(&stack, "/v1/auth/two-factor/enrolment/confirm", Some(&token), &wrong, None, &ip).await;
    assert_eq!(
        (refused.status, refused.json["code"].as_str(), refused.json["field"].as_str()),
        (403, Some("invalid_code"), Some("code")),
        "{}",
        refused.text
    );

    let first = step_now();
    let confirm = json!({ "code": code(&secret, first) });
    let confirmed =
        call(&stack, "/v1/auth/two-factor/enrolment/confirm", Some(&token), &confirm, None, &ip).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    let recovery: Vec<String> = confirmed.json["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    let status = stack.get("/v1/auth/two-factor", &token).await;
    assert_eq!(status.json, json!({ "enabled": true, "pending": false, "recovery_codes_left": 10 }));

    // The login needs the code; the one the enrolment used is not taken again.
    let pending = challenge(&stack, &merchant, &ip).await;
    let replayed = second_step(&stack, &pending, "code", &code(&secret, first), &ip).await;
    assert_eq!(
        (replayed.status, replayed.json["code"].as_str(), replayed.json["field"].as_str()),
        (401, Some("invalid_code"), Some("code")),
        "{}",
        replayed.text
    );
    let next = code(&secret, first + 1);
    let signed_in = second_step(&stack, &pending, "code", &next, &ip).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    let fresh_token = signed_in.json["access_token"].as_str().unwrap().to_owned();
    assert_eq!(stack.get("/v1/auth/sessions", &fresh_token).await.status, 200);
    let again = second_step(&stack, &pending, "code", &next, &ip).await;
    assert_eq!(
        (again.status, again.json["code"].as_str()),
        (401, Some("invalid_challenge")),
        "a challenge works once"
    );
    let other = challenge(&stack, &merchant, &ip).await;
    let replayed = second_step(&stack, &other, "code", &next, &ip).await;
    assert_eq!(
        (replayed.status, replayed.json["code"].as_str()),
        (401, Some("invalid_code")),
        "a code works once: {}",
        replayed.text
    );

    // A recovery code signs in once, however it is typed.
    let typed = recovery[0].to_uppercase().replace('-', " ");
    let by_recovery = second_step(&stack, &other, "recovery_code", &typed, &ip).await;
    assert_eq!(by_recovery.status, 200, "{}", by_recovery.text);
    let third = challenge(&stack, &merchant, &ip).await;
    let reused = second_step(&stack, &third, "recovery_code", &recovery[0], &ip).await;
    assert_eq!(
        (reused.status, reused.json["field"].as_str()),
        (401, Some("recovery_code")),
        "{}",
        reused.text
    );
    assert_eq!(stack.get("/v1/auth/two-factor", &token).await.json["recovery_codes_left"], 9);

    // Wrong codes burn the challenge: even the right code is refused after five.
    for _ in 1..5 {
        assert_eq!(second_step(&stack, &third, "code", &wrong_code(&secret), &ip).await.status, 401);
    }
    let burnt = second_step(&stack, &third, "recovery_code", &recovery[1], &ip).await;
    assert_eq!(
        (burnt.status, burnt.json["code"].as_str()),
        (401, Some("invalid_challenge")),
        "{}",
        burnt.text
    );

    // Step-up: creating an API key needs a fresh code in X-Second-Factor.
    let key = json!({ "name": "ci", "scope": "read" });
    let bare = call(&stack, "/v1/api-keys", Some(&token), &key, None, &ip).await;
    assert_eq!(
        (bare.status, bare.json["code"].as_str(), bare.json["field"].as_str()),
        (403, Some("second_factor_required"), Some("second_factor")),
        "{}",
        bare.text
    );
    let used = call(&stack, "/v1/api-keys", Some(&token), &key, Some(&next), &ip).await;
    assert_eq!((used.status, used.json["code"].as_str()), (403, Some("invalid_code")), "{}", used.text);
    let by_recovery = call(&stack, "/v1/api-keys", Some(&token), &key, Some(&recovery[2]), &ip).await;
    assert_eq!(by_recovery.status, 201, "{}", by_recovery.text);
    // A TOTP code later than the last one used: wait until the clock reaches the step after it.
    while step_now() < first + 1 {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let fresh = code(&secret, first + 2);
    let created = call(&stack, "/v1/api-keys", Some(&token), &key, Some(&fresh), &ip).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let api_key = created.json["key"].as_str().unwrap();
    assert_eq!(stack.get("/v1/api-keys", api_key).await.status, 403, "a read key is no owner");

    // Turning it off needs the password and a code; then a login is one step again.
    let off = json!({ "password": "not it", "recovery_code": recovery[3] });
    let refused = call(&stack, "/v1/auth/two-factor/disable", Some(&token), &off, None, &ip).await;
    assert_eq!((refused.status, refused.json["field"].as_str()), (403, Some("password")), "{}", refused.text);
    let off = json!({ "password": merchant.password, "recovery_code": recovery[3] });
    let disabled = call(&stack, "/v1/auth/two-factor/disable", Some(&token), &off, None, &ip).await;
    assert_eq!(disabled.status, 204, "{}", disabled.text);
    assert_eq!(login(&stack, &merchant, &ip).await.json["token_type"], "Bearer");
    let plain = call(&stack, "/v1/api-keys", Some(&token), &key, None, &ip).await;
    assert_eq!(plain.status, 201, "no step-up without the factor: {}", plain.text);
}

/// A browser on the dashboard, as far as this journey needs one: its cookies (kept by hand: they
/// are `Secure` and the dashboard is served over plain HTTP locally), the last form token, and
/// no redirects followed.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookies: Vec<(String, String)>,
    csrf: String,
}

/// A page as the browser got it: the status, where it redirects, the HTML.
struct Page {
    status: u16,
    location: String,
    html: String,
}

/// The text between `before` and the next `after` in `html`.
fn between<'a>(html: &'a str, before: &str, after: &str) -> &'a str {
    let start = html.find(before).unwrap_or_else(|| panic!("{before} in {html}")) + before.len();
    let rest = &html[start..];
    &rest[..rest.find(after).unwrap()]
}

impl Browser {
    fn new() -> Self {
        let port = std::env::var("DASHBOARD_PORT").unwrap_or_else(|_| "8789".into());
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(0)
                .build()
                .unwrap(),
            base: format!("http://127.0.0.1:{port}"),
            cookies: Vec::new(),
            csrf: String::new(),
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let cookie: Vec<String> = self.cookies.iter().map(|(n, v)| format!("{n}={v}")).collect();
        let response = request.header("cookie", cookie.join("; ")).send().await.unwrap();
        for set in response.headers().get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        let status = response.status().as_u16();
        let location =
            response.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
        let html = response.text().await.unwrap();
        if html.contains(r#"name="csrf" value=""#) {
            self.csrf = between(&html, r#"name="csrf" value=""#, "\"").to_owned();
        }
        Page { status, location, html }
    }

    async fn get(&mut self, path: &str) -> Page {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let encode =
            |text: &str| -> String {
                text.bytes()
                    .map(|b| {
                        if b.is_ascii_alphanumeric() {
                            char::from(b).to_string()
                        } else {
                            format!("%{b:02X}")
                        }
                    })
                    .collect()
            };
        let mut body = format!("csrf={}", self.csrf);
        for (name, value) in fields {
            body.push_str(&format!("&{name}={}", encode(value)));
        }
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request).await
    }
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_merchant_turns_on_two_factor_in_the_dashboard_and_confirms_an_api_key_with_a_code() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    stack.set_plan(&merchant, "pro").await;
    let mut browser = Browser::new();
    browser.get("/login").await;
    let credentials = [("email", merchant.email.as_str()), ("password", merchant.password.as_str())];
    let signed_in = browser.post("/login", &[credentials[0], credentials[1], ("next", "/security")]).await;
    assert_eq!((signed_in.status, signed_in.location.as_str()), (303, "/security"), "{}", signed_in.html);
    assert!(browser.get("/security").await.html.contains("Off: logging in needs only your password."));

    // The QR code and the key; the app's first code turns it on and shows the recovery codes.
    let enrolment = browser.post("/security/enrol", &[]).await;
    assert_eq!(enrolment.status, 200, "{}", enrolment.html);
    assert!(enrolment.html.contains(r#"<svg class="qr""#), "an inline QR code");
    let secret = base32_decode(between(&enrolment.html, r#"<code id="totp-secret">"#, "<"));
    let first = step_now();
    let on = browser.post("/security/confirm", &[("code", &code(&secret, first))]).await;
    assert_eq!(on.status, 200, "{}", on.html);
    let codes: Vec<&str> = between(&on.html, r#"<ul id="recovery-codes">"#, "</ul>")
        .split("<code>")
        .skip(1)
        .map(|c| &c[..c.find('<').unwrap()])
        .collect();
    assert_eq!(codes.len(), 10, "{}", on.html);
    assert!(browser.get("/security").await.html.contains("Recovery codes left: 10."));

    // Logging in again asks for the code.
    assert_eq!(browser.post("/logout", &[]).await.status, 303);
    browser.get("/login").await;
    let asked = browser.post("/login", &[credentials[0], credentials[1], ("next", "/api-keys")]).await;
    assert_eq!(asked.status, 200, "{}", asked.html);
    let challenge = between(&asked.html, r#"name="challenge" value=""#, "\"").to_owned();
    let wrong = browser
        .post(
            "/login/second-factor",
            &[("challenge", &challenge), ("next", "/api-keys"), ("code", &wrong_code(&secret))],
        )
        .await;
    assert_eq!(wrong.status, 401, "{}", wrong.html);
    assert!(wrong.html.contains(r#"aria-invalid="true""#), "the code field says why");
    let next = code(&secret, first + 1);
    let in_again = browser
        .post("/login/second-factor", &[("challenge", &challenge), ("next", "/api-keys"), ("code", &next)])
        .await;
    assert_eq!((in_again.status, in_again.location.as_str()), (303, "/api-keys"), "{}", in_again.html);

    // A new API key: the step-up prompt asks for a code, then makes the key.
    let key = [("name", "shop script"), ("scope", "read")];
    let prompt = browser.post("/api-keys", &key).await;
    assert_eq!(prompt.status, 200, "{}", prompt.html);
    assert!(
        prompt.html.contains(r#"name="second_factor""#) && prompt.html.contains(r#"value="shop script""#)
    );
    let refused = browser.post("/api-keys", &[key[0], key[1], ("second_factor", &next)]).await;
    assert_eq!(refused.status, 403, "a used code: {}", refused.html);
    let made = browser.post("/api-keys", &[key[0], key[1], ("second_factor", codes[0])]).await;
    assert_eq!(made.status, 200, "{}", made.html);
    assert!(made.html.contains(r#"id="new-key-secret">dsk_"#), "{}", made.html);
}
