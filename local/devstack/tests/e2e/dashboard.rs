//! The merchants' dashboard (http://localhost:8789), in front of the edge's /v1 API: its security
//! headers, cookies and CSRF refusals over plain HTTP, then both merchant journeys in headless
//! Chromium (tests/browser/dashboard.py).

use super::*;

fn dashboard() -> String {
    format!("http://127.0.0.1:{}", std::env::var("DASHBOARD_PORT").unwrap_or_else(|_| "8789".into()))
}

/// A form value, percent-encoded.
fn form_value(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn dashboard_pages_are_locked_down_and_refuse_forged_forms() {
    let http = no_redirects();
    let page = http.get(format!("{}/login", dashboard())).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(page.headers()["cache-control"], "no-store");
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("dash_csrf=") && cookie.contains("HttpOnly; Secure; SameSite=Lax"),
        "{cookie}"
    );
    let nonce = cookie.trim_start_matches("dash_csrf=").split(';').next().unwrap().to_owned();
    let html = page.text().await.unwrap();
    assert!(!html.contains("<script>") && !html.contains("style=\""), "no inline script or style");
    let token = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();

    let merchant = Stack::connect().await.sign_up().await;
    let login = |csrf: String, origin: Option<&'static str>| {
        let mut request = http
            .post(format!("{}/login", dashboard()))
            .header("cookie", format!("dash_csrf={nonce}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "email={}&password={}&csrf={csrf}",
                form_value(&merchant.email),
                form_value(&merchant.password)
            ));
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    assert_eq!(login(String::new(), None).await.unwrap().status(), 403, "a form without its token");
    assert_eq!(login("00".repeat(32), None).await.unwrap().status(), 403, "a forged token");
    assert_eq!(
        login(token.clone(), Some("https://evil.example")).await.unwrap().status(),
        403,
        "a post from another site"
    );
    let signed_in = login(token, None).await.unwrap();
    assert_eq!(signed_in.status(), 303);
    let cookies: Vec<_> =
        signed_in.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned()).collect();
    for name in ["dash_access=", "dash_refresh="] {
        let c =
            cookies.iter().find(|c| c.starts_with(name)).unwrap_or_else(|| panic!("{name} in {cookies:?}"));
        assert!(c.contains("HttpOnly; Secure; SameSite=Lax"), "{c}");
    }

    let store = format!("{}/stores/{}", dashboard(), uuid::Uuid::new_v4());
    let anonymous = http.get(&store).send().await.unwrap();
    assert_eq!(anonymous.status(), 303);
    assert!(anonymous.headers()["location"].to_str().unwrap().starts_with("/login?next=%2Fstores%2F"));
    let access =
        cookies.iter().find(|c| c.starts_with("dash_access=")).unwrap().split(';').next().unwrap().to_owned();
    let foreign = http.get(&store).header("cookie", access).send().await.unwrap();
    assert_eq!(foreign.status(), 404, "another tenant's store (or none) is a clear page, not a crash");
    assert!(foreign.text().await.unwrap().contains("This no longer exists, or it is not yours."));
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn merchants_sign_up_launch_edit_publish_and_invite_in_a_browser() {
    let owner = format!("{}@example.com", unique("dash-owner"));
    let staff = format!("{}@example.com", unique("dash-staff"));
    let slug = unique("dash");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/dashboard.py");
    let port = std::env::var("STOREFRONT_PORT").unwrap_or_else(|_| "8788".into());
    let dashboard_port = std::env::var("DASHBOARD_PORT").unwrap_or_else(|_| "8789".into());
    let started = Instant::now();
    let output = tokio::process::Command::new("python3")
        .args([script, &format!("http://localhost:{dashboard_port}"), &port, &owner, &staff, &slug])
        .output()
        .await
        .expect("python3 runs the browser script");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}browser journeys: {:.1} s", started.elapsed().as_secs_f64());
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("the shop shows the edited product"), "{stdout}");
    assert!(stdout.contains("revoked the key: it is gone from the list"), "{stdout}");
    assert!(stdout.contains("exported the account's data: dropship-export-"), "{stdout}");
    assert!(stdout.contains("journey 2 done"), "{stdout}");
}
