//! The tenant's own settings, which belong to its owner: API keys (a new key's secret shown once),
//! its data (the GDPR export as a download, the erasure of everything with its status page) and
//! billing (the plan, Checkout through Stripe, plan changes).

use super::account::Refusal;
use super::{csrf_field, day, page, text, Field, Shell};
use html::{html, Markup};
use serde_json::Value;

/// The scopes a key can have (the API's `scope`), as merchants read them.
pub const SCOPES: [(&str, &str); 2] = [
    ("read", "Read: reads everything, changes nothing (as a viewer)"),
    ("write", "Write: edits the catalog and runs research (as staff)"),
];

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v[key].as_array().map_or(&[], Vec::as_slice)
}

/// The API keys form as typed: kept when the API refuses it.
#[derive(Default)]
pub struct NewKey<'a> {
    /// The key's name.
    pub name: &'a str,
    /// `read` or `write`.
    pub scope: &'a str,
}

/// The live API keys with a revoke button each, the form for a new one and, right after it was
/// made, the new key's secret (the only time it is shown). `keys` is the reason instead when the
/// role may not see them.
pub fn api_keys(
    shell: &Shell,
    csrf: &str,
    keys: Result<&Value, &str>,
    created: Option<&Value>,
    typed: &NewKey,
    refusal: &Refusal,
) -> Markup {
    let placed = refusal.placed();
    let on = |f: &str| placed.on(f);
    placed.page(
        shell,
        html! {
            @match keys {
                Ok(answer) => {
                    @if let Some(new) = created {
                        section.card #new-key aria-labelledby="new-key-heading" {
                            h2 #new-key-heading { "Your new key: " (text(new, "name")) }
                            p { "Copy it now and keep it somewhere safe: it is shown only this once. Scripts send it as "
                                code { "Authorization: Bearer <key>" } "." }
                            p { code #new-key-secret { (text(new, "key")) } }
                        }
                    }
                    p { "A key lets your own scripts call the API in this account, with the role its scope gives. Revoke a key you no longer use: it stops working at once." }
                    @if list(answer, "api_keys").is_empty() {
                        p #no-keys { "No API keys yet." }
                    } @else {
                        table #api-keys {
                            caption { "Live keys" }
                            thead { tr { th scope="col" { "Name" } th scope="col" { "Key" } th scope="col" { "Scope" } th scope="col" { "Created" } th scope="col" { "Last used" } th scope="col" { span.visually-hidden { "Action" } } } }
                            tbody {
                                @for k in list(answer, "api_keys") {
                                    tr {
                                        td { (text(k, "name")) }
                                        td { code { (text(k, "prefix")) "…" } }
                                        td { (text(k, "scope")) }
                                        td { (day(text(k, "created_at"))) }
                                        td { @match k["last_used_at"].as_str() { Some(at) => (day(at)), None => "never" } }
                                        td {
                                            form method="post" action={ "/api-keys/" (text(k, "id")) "/revoke" } {
                                                (csrf_field(csrf))
                                                button type="submit" { "Revoke" span.visually-hidden { " " (text(k, "name")) } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    h2 { "Create a key" }
                    form.card method="post" action="/api-keys" {
                        (csrf_field(csrf))
                        (Field { hint: Some("What it is for, e.g. the stock sync script."), ..Field::text("Name", "name", typed.name) }.render(on("name")))
                        div.field {
                            label for="scope" { "Scope" }
                            select #scope name="scope" aria-invalid=[on("scope").map(|_| "true")] {
                                @for (value, label) in SCOPES {
                                    option value=(value) selected[value == typed.scope] { (label) }
                                }
                            }
                            @if let Some(error) = on("scope") { span.field-error { (error) } }
                        }
                        button type="submit" { "Create the key" }
                    }
                }
                Err(message) => p { (message) }
            }
        },
    )
}

/// The erasure form as typed (never the password): kept when the API refuses it.
#[derive(Default)]
pub struct Erasure<'a> {
    /// The account's name, typed to confirm.
    pub confirm: &'a str,
}

/// The tenant's data: the export to download and, for the owner, the erasure of everything.
pub fn data(shell: &Shell, csrf: &str, is_owner: bool, typed: &Erasure, refusal: &Refusal) -> Markup {
    let placed = refusal.placed();
    let on = |f: &str| placed.on(f);
    placed.page(
        shell,
        html! {
            @if is_owner {
                h2 { "Export" }
                p { "Download everything this account holds as one JSON file: the account and its members, every store with its domains, products, pages, posts, orders and research, API keys (never the keys themselves), invitations and the audit log." }
                form method="post" action="/data/export" {
                    (csrf_field(csrf))
                    button type="submit" { "Download the export" }
                }
                h2 { "Erase the account" }
                p { "Erasing deletes this account, its stores, their shops and every record of them, and cancels the subscription. Members who belong to no other account lose their login. Nothing can bring it back: download the export first." }
                form method="post" action="/data/erasure" {
                    (csrf_field(csrf))
                    fieldset {
                        legend { "Erase everything" }
                        (Field { kind: "password", autocomplete: "current-password", hint: Some("Your password, again."), ..Field::text("Password", "password", "") }.render(on("password")))
                        (Field { hint: Some("The account's name, exactly as you signed up with it (your company)."), ..Field::text("Account name", "confirm", typed.confirm) }.render(on("confirm")))
                        button type="submit" { "Erase the account" }
                    }
                }
            } @else {
                p { "Only the account's owner exports or erases its data." }
            }
        },
    )
}

/// Where an erasure stands; reached by its id (the capability), after the session is gone.
pub fn erasure(shell: &Shell, e: &Value) -> Markup {
    let status = text(e, "status");
    page(
        shell,
        html! {
            p #erasure-status role="status" {
                @match status {
                    "completed" => "Erased: every record of the account is gone.",
                    "erasing_pipelines" => "The account's records are erased; its files and pipeline records are being deleted. This page updates itself.",
                    _ => "The account is being erased. This page updates itself.",
                }
            }
            dl.card {
                dt { "Requested" } dd { (text(e, "requested_at").replace('T', " ").get(..16).unwrap_or_default()) }
                @if let Some(at) = e["data_erased_at"].as_str() { dt { "Records erased" } dd { (at.replace('T', " ").get(..16).unwrap_or_default()) } }
                @if let Some(at) = e["pipelines_confirmed_at"].as_str() { dt { "Files and pipeline records erased" } dd { (at.replace('T', " ").get(..16).unwrap_or_default()) } }
                @if let Some(n) = e["s3_objects"].as_i64() { dt { "Files deleted" } dd { (n) } }
                @if let Some(n) = e["dynamodb_items"].as_i64() { dt { "Pipeline records deleted" } dd { (n) } }
            }
            p { "Keep this page's address to check on the erasure later." }
        },
    )
}

/// The plans (the API's `plan`), cheapest first, as merchants read them.
pub const PLANS: [(&str, &str); 4] =
    [("starter", "Starter"), ("growth", "Growth"), ("pro", "Pro"), ("enterprise", "Enterprise")];

fn plan_name(plan: &str) -> &str {
    PLANS.iter().find(|(p, _)| *p == plan).map_or(plan, |(_, name)| name)
}

/// A limit as words: a count, or "no limit" when the plan has none.
fn limit(v: &Value) -> String {
    v.as_i64().map_or_else(|| "no limit".to_owned(), |n| n.to_string())
}

/// Billing: the plan with its limits and the subscription's state; for the owner, Checkout for a
/// paid plan (no subscription yet) or a change of plan (a subscription runs).
pub fn billing(shell: &Shell, csrf: &str, b: &Value, is_owner: bool) -> Markup {
    let plan = text(b, "plan");
    let status = text(b, "subscription_status");
    let subscribed = !matches!(status, "" | "none" | "canceled");
    let limits = &b["limits"];
    page(
        shell,
        html! {
            p #billing-plan {
                "Your plan: " strong { (plan_name(plan)) }
                @match status {
                    "trialing" => " (trial)",
                    "active" => " (paid monthly)",
                    "past_due" => " (the last payment failed: Stripe tries again; update your card with Stripe)",
                    "canceled" => " (the subscription is cancelled)",
                    _ => "",
                }
            }
            dl.card #plan-limits {
                dt { "Stores" } dd { (limit(&limits["stores"])) }
                dt { "Products per store" } dd { (limit(&limits["products_per_store"])) }
                dt { "Email contacts" } dd { (limit(&limits["email_contacts"])) }
                dt { "Custom domains" } dd { (limit(&limits["custom_domains"])) }
                dt { "Research runs" } dd { (text(limits, "research_every")) }
                dt { "API keys" } dd { @if limits["api_access"] == true { "yes" } @else { "no" } }
            }
            @if is_owner {
                @if subscribed {
                    h2 { "Change your plan" }
                    form.card method="post" action="/billing/plan" {
                        (csrf_field(csrf))
                        div.field {
                            label for="plan" { "Plan" }
                            span.hint id="plan-hint" { "Starter ends the subscription. A smaller plan is refused while your stores hold more than it allows." }
                            select #plan name="plan" aria-describedby="plan-hint" {
                                @for (value, name) in PLANS.iter().filter(|(p, _)| *p != plan) {
                                    option value=(value) { (name) }
                                }
                            }
                        }
                        button type="submit" { "Change the plan" }
                    }
                } @else {
                    h2 { "Upgrade" }
                    form.card method="post" action="/billing/checkout" {
                        (csrf_field(csrf))
                        div.field {
                            label for="plan" { "Plan" }
                            span.hint id="plan-hint" { "You pay with Stripe; a first subscription starts with a 14-day trial." }
                            select #plan name="plan" aria-describedby="plan-hint" {
                                @for (value, name) in PLANS.iter().skip(1).filter(|(p, _)| *p != plan) {
                                    option value=(value) { (name) }
                                }
                            }
                        }
                        button type="submit" { "Continue to payment" }
                    }
                }
            } @else {
                p { "Only the account's owner changes the plan." }
            }
        },
    )
}

/// The step between the upgrade form and Stripe: the checkout's link (a form may not be sent on
/// to another site under the Content-Security-Policy's `form-action 'self'`).
pub fn checkout(shell: &Shell, plan: &str, url: &str) -> Markup {
    page(
        shell,
        html! {
            p { "Your checkout for the " (plan_name(plan)) " plan is ready. Stripe takes the payment; the plan applies as soon as Stripe confirms it." }
            p { a #checkout-link href=(url) { "Pay with Stripe" } }
            p { a href="/billing" { "Back to billing" } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::Viewer;
    use super::*;
    use serde_json::json;

    fn shell(title: &str) -> Shell<'_> {
        Shell { viewer: Some(Viewer { role: "owner", csrf: "tok" }), ..Shell::new(title) }
    }

    fn keys() -> Value {
        json!({"api_keys": [
            {"id": "0190a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b", "name": "Stock <sync>", "prefix": "dsk_AbC123", "scope": "write",
             "created_at": "2026-12-01T10:00:00Z", "last_used_at": null}
        ]})
    }

    #[test]
    fn snapshot_of_the_api_keys_page_right_after_a_key_was_made() {
        let created = json!({"id": "k2", "name": "Reports", "prefix": "dsk_XyZ789", "scope": "read",
                             "created_at": "2026-12-07T10:00:00Z", "last_used_at": null, "key": "dsk_XyZ789secretpart"});
        let html = api_keys(
            &shell("API keys"),
            "tok",
            Ok(&keys()),
            Some(&created),
            &NewKey::default(),
            &Refusal::default(),
        )
        .into_string();
        assert!(html.contains("<code id=\"new-key-secret\">dsk_XyZ789secretpart</code>"));
        assert!(html.contains("action=\"/api-keys/0190a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b/revoke\""));
        assert!(html.contains("Stock &lt;sync&gt;"));
        insta::assert_snapshot!(html);
    }

    #[test]
    fn a_refused_key_keeps_what_was_typed_and_says_why() {
        let typed = NewKey { name: "Nightly <export>", scope: "write" };
        let refusal = Refusal {
            message: Some("the starter plan has no API access; the pro plan includes it"),
            field: None,
        };
        let shell = Shell { error: refusal.message, ..shell("API keys") };
        let html =
            api_keys(&shell, "tok", Ok(&json!({"api_keys": []})), None, &typed, &refusal).into_string();
        assert!(html.contains("value=\"Nightly &lt;export&gt;\""));
        assert!(html.contains("<option value=\"write\" selected>"));
        assert!(html.contains("role=\"alert\">the starter plan has no API access"));
        assert!(html.contains("No API keys yet.") && !html.contains("new-key-secret"));
        let named = Refusal { message: Some("name must be 1 to 60 characters"), field: Some("name") };
        let html = api_keys(&shell, "tok", Ok(&keys()), None, &typed, &named).into_string();
        assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"name-hint name-error\""));
    }

    #[test]
    fn staff_are_told_the_keys_are_the_owners() {
        let html = api_keys(
            &shell("API keys"),
            "tok",
            Err("Only the account's owner sees and manages API keys."),
            None,
            &NewKey::default(),
            &Refusal::default(),
        )
        .into_string();
        assert!(html.contains("Only the account's owner") && !html.contains("action=\"/api-keys\""));
    }

    #[test]
    fn snapshot_of_the_data_page_with_a_wrong_password() {
        let refusal = Refusal { message: Some("the password is not right"), field: Some("password") };
        let html = data(&shell("Your data"), "tok", true, &Erasure { confirm: "Cozy <Paws> Ltd" }, &refusal)
            .into_string();
        assert!(html.contains("action=\"/data/export\""));
        assert!(html.contains("value=\"Cozy &lt;Paws&gt; Ltd\""));
        assert!(html
            .contains("<span class=\"field-error\" id=\"password-error\">the password is not right</span>"));
        assert!(!html.contains("type=\"password\" value=\"C"), "a password is never echoed");
        insta::assert_snapshot!(html);
        let staff =
            data(&shell("Your data"), "tok", false, &Erasure::default(), &Refusal::default()).into_string();
        assert!(!staff.contains("/data/erasure") && !staff.contains("/data/export"));
    }

    fn starter() -> Value {
        json!({"plan": "starter", "subscription_status": "none", "limits": {"stores": 1, "products_per_store": 100,
               "email_contacts": 500, "custom_domains": 0, "research_every": "weekly", "api_access": false}})
    }

    #[test]
    fn snapshot_of_billing_on_the_starter_plan() {
        let html = billing(&shell("Billing"), "tok", &starter(), true).into_string();
        assert!(html.contains("Your plan: <strong>Starter</strong></p>"));
        assert!(
            html.contains("action=\"/billing/checkout\"") && !html.contains("<option value=\"starter\">")
        );
        assert!(html.contains("<dt>API keys</dt><dd>no</dd>"));
        insta::assert_snapshot!(html);
        let staff = billing(&shell("Billing"), "tok", &starter(), false).into_string();
        assert!(
            !staff.contains("/billing/checkout")
                && staff.contains("Only the account's owner changes the plan.")
        );
    }

    #[test]
    fn a_running_subscription_changes_plan_instead_of_checking_out() {
        let pro = json!({"plan": "pro", "subscription_status": "trialing", "limits": {"stores": 10, "products_per_store": null,
                         "email_contacts": 50000, "custom_domains": 5, "research_every": "hourly", "api_access": true}});
        let html = billing(&shell("Billing"), "tok", &pro, true).into_string();
        assert!(html.contains("<strong>Pro</strong> (trial)"));
        assert!(html.contains("<dt>Products per store</dt><dd>no limit</dd>"));
        assert!(html.contains("action=\"/billing/plan\"") && !html.contains("/billing/checkout"));
        assert!(
            html.contains("<option value=\"starter\">Starter</option>")
                && !html.contains("<option value=\"pro\">")
        );
        let step =
            checkout(&shell("Payment"), "growth", "https://checkout.stripe.com/c/pay/cs_1").into_string();
        assert!(step.contains(
            "<a id=\"checkout-link\" href=\"https://checkout.stripe.com/c/pay/cs_1\">Pay with Stripe</a>"
        ));
    }

    #[test]
    fn snapshot_of_an_erasure_in_progress_and_done() {
        let going = json!({"id": "e1", "status": "erasing_pipelines", "requested_at": "2026-12-07T10:00:00Z",
                           "data_erased_at": "2026-12-07T10:00:01Z", "pipelines_confirmed_at": null,
                           "dynamodb_items": null, "s3_objects": null});
        let html = erasure(&Shell::new("Erasure"), &going).into_string();
        assert!(html.contains("its files and pipeline records are being deleted"));
        insta::assert_snapshot!(html);
        let done = json!({"id": "e1", "status": "completed", "requested_at": "2026-12-07T10:00:00Z",
                          "data_erased_at": "2026-12-07T10:00:01Z", "pipelines_confirmed_at": "2026-12-07T10:00:09Z",
                          "dynamodb_items": 12, "s3_objects": 40});
        let html = erasure(&Shell::new("Erasure"), &done).into_string();
        assert!(html.contains("Erased: every record of the account is gone."));
        assert!(html.contains("<dt>Files deleted</dt><dd>40</dd>"));
    }
}
