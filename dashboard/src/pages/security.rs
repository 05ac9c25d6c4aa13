//! Two-factor sign-in: the account security page (on or off, turning it on with a QR code and a
//! first code, the recovery codes shown once, turning it off), the login's second step, and the
//! step-up prompt that asks for a code before a sensitive action and then performs it.

use super::account::Refusal;
use super::{csrf_field, page, Field, Shell};
use crate::form::Form;
use html::{html, Markup};
use qrcodegen::{QrCode, QrCodeEcc};
use serde_json::Value;

/// The field a code is typed in: digits, one-time-code autocomplete (phones offer the code).
fn code_field<'a>(name: &'a str, label: &'a str, hint: Option<&'a str>) -> Field<'a> {
    Field { kind: "text", autocomplete: "one-time-code", hint, ..Field::text(label, name, "") }
}

/// A QR code of `text` as inline SVG, drawn on the server (no script, no image request): one
/// path of unit squares with the standard four-module quiet zone.
pub fn qr_svg(text: &str) -> Markup {
    let Ok(qr) = QrCode::encode_text(text, QrCodeEcc::Medium) else {
        return html! {};
    };
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    let view = format!("0 0 {0} {0}", size + 8);
    html! {
        svg.qr xmlns="http://www.w3.org/2000/svg" viewBox=(view) width="200" height="200" role="img"
            aria-label="QR code to scan with your authenticator app" {
            rect width="100%" height="100%" fill="#fff" {}
            path d=(path) fill="#000" {}
        }
    }
}

/// The security page: whether two-factor sign-in is on, and the form that changes it.
pub fn security(shell: &Shell, csrf: &str, status: &Value, refusal: &Refusal) -> Markup {
    let placed = refusal.placed();
    let on = |f: &str| placed.on(f);
    placed.page(
        shell,
        html! {
            h2 { "Two-factor sign-in" }
            @if status["enabled"] == true {
                p #two-factor-status role="status" { "On: logging in asks for a code from your authenticator app." }
                p { "Recovery codes left: " (status["recovery_codes_left"].as_i64().unwrap_or(0)) "." }
                form.card method="post" action="/security/disable" {
                    (csrf_field(csrf))
                    fieldset {
                        legend { "Turn two-factor sign-in off" }
                        (Field { kind: "password", autocomplete: "current-password", ..Field::text("Password", "password", "") }.render(on("password")))
                        (code_field("code", "Code from the app, or a recovery code", None).render(on("code").or(on("recovery_code"))))
                        button type="submit" { "Turn off" }
                    }
                }
            } @else {
                p #two-factor-status role="status" { "Off: logging in needs only your password." }
                p { "With two-factor sign-in on, logging in and sensitive actions (API keys, erasing the account, payout details, team roles) also ask for a code from an authenticator app on your phone." }
                form method="post" action="/security/enrol" {
                    (csrf_field(csrf))
                    button type="submit" { "Turn on two-factor sign-in" }
                }
            }
        },
    )
}

/// The enrolment: the QR code and the secret as text, and the form for the app's first code.
/// The secret and URI travel in the form so that a mistyped code can be tried again.
pub fn enrol(shell: &Shell, csrf: &str, secret: &str, uri: &str, refusal: &Refusal) -> Markup {
    let placed = refusal.placed();
    let on = |f: &str| placed.on(f);
    placed.page(
        shell,
        html! {
            ol {
                li { "Scan this QR code with your authenticator app (or type the key below into it)." }
                li { "Type the 6-digit code the app shows." }
            }
            (qr_svg(uri))
            p { "Key: " code #totp-secret { (secret) } }
            form.card method="post" action="/security/confirm" {
                (csrf_field(csrf))
                input type="hidden" name="secret" value=(secret);
                input type="hidden" name="uri" value=(uri);
                (code_field("code", "Code from the app", None).render(on("code")))
                button type="submit" { "Turn on" }
            }
        },
    )
}

/// The recovery codes of a confirmed enrolment, shown this once.
pub fn recovery_codes(shell: &Shell, answer: &Value) -> Markup {
    let codes = answer["recovery_codes"].as_array().map(Vec::as_slice).unwrap_or_default();
    page(
        shell,
        html! {
            p role="status" { "Two-factor sign-in is on." }
            p { "Keep these recovery codes somewhere safe: each logs you in once if you lose your phone. They are shown only this once." }
            ul #recovery-codes { @for c in codes { li { code { (c.as_str().unwrap_or("")) } } } }
            p { a href="/security" { "Done" } }
        },
    )
}

/// The login's second step: the code from the app, or a recovery code.
pub fn second_step(csrf: &str, challenge: &str, next: &str, refusal: &Refusal) -> Markup {
    let shell = Shell { error: refusal.message, ..Shell::new("Two-factor sign-in") };
    page(
        &shell,
        html! {
            form.card method="post" action="/login/second-factor" {
                (csrf_field(csrf))
                input type="hidden" name="challenge" value=(challenge);
                input type="hidden" name="next" value=(next);
                (code_field("code", "Code from your authenticator app", Some("Or one of your recovery codes.")).render(refusal.message))
                button type="submit" { "Log in" }
            }
            p { a href="/login" { "Start again" } }
        },
    )
}

/// The step-up prompt: the action's form, sent again to `action` with what was typed (never a
/// password, which is asked again when the action needs one) and the code.
pub fn step_up(shell: &Shell, csrf: &str, action: &str, sent: &Form, refusal: &Refusal) -> Markup {
    let wants_password = sent.has("password");
    let placed = refusal.placed();
    let on = |f: &str| placed.on(f);
    placed.page(
        shell,
        html! {
            p { "Two-factor sign-in is on: confirm this with a code from your authenticator app." }
            form.card method="post" action=(action) {
                (csrf_field(csrf))
                @for (name, value) in sent.pairs() {
                    @if !matches!(name, "csrf" | "password" | "second_factor") {
                        input type="hidden" name=(name) value=(value);
                    }
                }
                @if wants_password {
                    (Field { kind: "password", autocomplete: "current-password", hint: Some("Your password, again."), ..Field::text("Password", "password", "") }.render(on("password")))
                }
                (code_field("second_factor", "Code from the app", Some("Or one of your recovery codes.")).render(on("second_factor")))
                button type="submit" { "Confirm" }
            }
        },
    )
}

/// Whether an answer's text asks for a code: the pages' step-up check.
pub fn is_step_up(field: Option<&str>) -> bool {
    field == Some("second_factor")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_shell;
    use serde_json::json;

    #[test]
    fn the_qr_code_is_inline_svg_with_its_quiet_zone() {
        let svg = qr_svg("otpauth://totp/Dropship:a%40b.c?secret=GEZDGNBVGY3TQOJQ").into_string();
        assert!(
            svg.starts_with(r#"<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 41 41""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<path d="M4,4h1v1h-1zM5,4h1v1h-1z"#),
            "the finder pattern starts at the corner"
        );
    }

    #[test]
    fn snapshot_of_the_security_page_with_two_factor_off() {
        let status = json!({ "enabled": false, "pending": false, "recovery_codes_left": 0 });
        insta::assert_snapshot!(
            security(&test_shell("Security"), "tok", &status, &Refusal::default()).into_string()
        );
    }

    #[test]
    fn snapshot_of_the_security_page_with_two_factor_on_and_a_refused_code() {
        let status = json!({ "enabled": true, "pending": false, "recovery_codes_left": 7 });
        let refusal = Refusal { message: Some("that code is wrong"), field: Some("code") };
        insta::assert_snapshot!(security(&test_shell("Security"), "tok", &status, &refusal).into_string());
    }

    #[test]
    fn snapshot_of_the_enrolment_and_the_recovery_codes() {
        let uri = "otpauth://totp/Dropship:a%40b.c?secret=GEZDGNBVGY3TQOJQ&issuer=Dropship";
        insta::assert_snapshot!(enrol(
            &test_shell("Turn on"),
            "tok",
            "GEZDGNBVGY3TQOJQ",
            uri,
            &Refusal::default()
        )
        .into_string());
        let codes = json!({ "recovery_codes": ["abcde-fghij", "<b>-x"] });
        insta::assert_snapshot!(recovery_codes(&test_shell("Recovery codes"), &codes).into_string());
    }

    #[test]
    fn snapshot_of_the_logins_second_step() {
        insta::assert_snapshot!(second_step("tok", "chal<", "/api-keys", &Refusal::default()).into_string());
    }

    #[test]
    fn the_step_up_sends_the_form_again_without_the_password_or_token() {
        let sent = Form::parse("csrf=old&name=ci&scope=read&password=hunter2&second_factor=1");
        let html =
            step_up(&test_shell("Confirm"), "tok", "/api-keys", &sent, &Refusal::default()).into_string();
        assert!(html.contains(r#"<input type="hidden" name="name" value="ci">"#), "{html}");
        assert!(html.contains(r#"<input type="hidden" name="scope" value="read">"#));
        assert!(!html.contains("hunter2") && !html.contains("old"), "{html}");
        assert!(html.contains(r#"name="password" type="password""#), "the password is asked again");
        assert!(html.contains(r#"name="second_factor""#));
        insta::assert_snapshot!(html);
    }
}
