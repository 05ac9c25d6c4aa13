//! A store's email marketing: the automated flows (each on or off, with its steps' delays,
//! subjects and intros, and what it sent) and the contacts who subscribed.

use super::account::Refusal;
use super::{csrf_field, day, page, text, Shell};
use html::{html, Markup};
use serde_json::Value;

/// The flows (the API's `flow`), as merchants read them.
pub const FLOWS: [(&str, &str); 3] = [
    ("welcome", "Welcome series, for new subscribers"),
    ("abandoned_cart", "Abandoned cart, for shoppers who left without paying"),
    ("post_purchase", "After a purchase"),
];

/// The contact statuses a list can be narrowed to (the API's `status`).
pub const CONTACT_STATUSES: [(&str, &str); 4] = [
    ("subscribed", "Subscribed"),
    ("unsubscribed", "Unsubscribed"),
    ("bounced", "Bounced"),
    ("complained", "Marked as spam"),
];

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v[key].as_array().map_or(&[], Vec::as_slice)
}

fn int(v: &Value, key: &str) -> i64 {
    v[key].as_i64().unwrap_or(0)
}

/// The step's mail, as words: `welcome_bestsellers` reads "Welcome bestsellers". ASCII only, as
/// the API's template names are (Unicode's case tables would add kilobytes to the Worker).
fn template_name(template: &str) -> String {
    let mut words = template.replace('_', " ");
    if let Some(first) = words.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    words
}

/// The flows, each a form. `refused` is the flow whose form the API refused, shown as typed
/// (`flows` already holds what was typed for it) with the reason.
pub fn flows(
    shell: &Shell,
    csrf: &str,
    store_id: &str,
    answer: &Value,
    can_edit: bool,
    refused: Option<(&str, &Refusal)>,
) -> Markup {
    page(
        shell,
        html! {
            p { "Each flow mails its steps in order, each so many hours after the event that starts it (a subscription, a cart left behind, an order). A change applies to flows started from now on." }
            @for f in list(answer, "flows") {
                @let flow = text(f, "flow");
                @let label = FLOWS.iter().find(|(name, _)| *name == flow).map_or(flow, |(_, label)| label);
                @let refusal = refused.filter(|(name, _)| *name == flow).map(|(_, r)| r);
                @let sends = &f["sends"];
                article.item id={ "flow-" (flow) } {
                    h2 { (label) }
                    p.sends { "Sent " (int(sends, "sent")) " · scheduled " (int(sends, "scheduled")) " · cancelled " (int(sends, "cancelled")) " · skipped " (int(sends, "skipped")) }
                    @if let Some(message) = refusal.and_then(|r| r.message) {
                        p.field-error id={ (flow) "-error" } { (message) }
                    }
                    form method="post" action={ "/stores/" (store_id) "/email/" (flow) } {
                        (csrf_field(csrf))
                        fieldset disabled[!can_edit] {
                            legend { (label) }
                            div.choice {
                                input id={ (flow) "-enabled" } type="checkbox" name="enabled" value="1" checked[f["enabled"].as_bool().unwrap_or(true)];
                                label for={ (flow) "-enabled" } { "On" }
                            }
                            @for s in list(f, "steps") {
                                @let n = int(s, "step");
                                @let id = |what: &str| format!("{flow}-{what}-{n}");
                                fieldset.step {
                                    legend { "Step " (n) ": " (template_name(text(s, "template"))) }
                                    @match s["delay_hours"].as_i64() {
                                        Some(hours) => div.field {
                                            label for=(id("delay")) { "Hours after the event" }
                                            input id=(id("delay")) name=(id("delay")) type="number" min="0" max="1440" value=(hours) required;
                                        },
                                        None => p { "Sent when the order ships." },
                                    }
                                    div.field {
                                        label for=(id("subject")) { "Subject" }
                                        span.hint id=(id("subject-hint")) { "Blank keeps the one in use (the standard subject unless one was set)." }
                                        input id=(id("subject")) name=(id("subject")) type="text" maxlength="150" value=(text(s, "subject")) aria-describedby=(id("subject-hint"));
                                    }
                                    div.field {
                                        label for=(id("intro")) { "Opening text" }
                                        textarea id=(id("intro")) name=(id("intro")) rows="3" maxlength="1000" { (text(s, "intro")) }
                                    }
                                }
                            }
                            button type="submit" { "Save" span.visually-hidden { " " (label) } }
                        }
                    }
                }
            }
        },
    )
}

/// The contacts, newest first, narrowed to `status` when one is chosen, with the account's count
/// against its plan.
pub fn contacts(shell: &Shell, store_id: &str, status: &str, answer: &Value) -> Markup {
    let contacts = list(answer, "contacts");
    let account = &answer["account"];
    page(
        shell,
        html! {
            p #contacts-count {
                "Subscribed contacts across your stores: " (int(account, "subscribed"))
                @if let Some(limit) = account["limit"].as_i64() { " of the " (limit) " the " (text(account, "plan")) " plan allows" }
                "."
            }
            form.filters method="get" action={ "/stores/" (store_id) "/contacts" } {
                div.field {
                    label for="status" { "Status" }
                    select #status name="status" {
                        option value="" { "Every contact" }
                        @for (value, label) in CONTACT_STATUSES {
                            option value=(value) selected[value == status] { (label) }
                        }
                    }
                }
                button type="submit" { "Show" }
            }
            @if contacts.is_empty() {
                p #no-contacts { "No contacts here yet. Shoppers subscribe from your shop's footer." }
            } @else {
                table #contacts {
                    caption { "Contacts, newest first (at most 500)" }
                    thead { tr { th scope="col" { "Email" } th scope="col" { "Name" } th scope="col" { "Status" } th scope="col" { "From" } th scope="col" { "Subscribed" } } }
                    tbody {
                        @for c in contacts {
                            tr {
                                td { (text(c, "email")) }
                                td { (text(c, "first_name")) }
                                td { (CONTACT_STATUSES.iter().find(|(s, _)| *s == text(c, "status")).map_or(text(c, "status"), |(_, l)| l)) }
                                td { @if text(c, "source") == "import" { "an import" } @else { "the shop" } }
                                td { (day(text(c, "subscribed_at"))) }
                            }
                        }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_shell as shell;
    use super::*;
    use serde_json::json;

    fn answer() -> Value {
        json!({"flows": [
            {"flow": "welcome", "enabled": true, "sends": {"scheduled": 2, "sent": 5, "cancelled": 0, "skipped": 1},
             "steps": [{"step": 1, "template": "welcome", "delay_hours": 0, "subject": null, "intro": null},
                       {"step": 2, "template": "welcome_bestsellers", "delay_hours": 48, "subject": "Our <best>", "intro": "Hi"}]},
            {"flow": "post_purchase", "enabled": false, "sends": {"scheduled": 0, "sent": 0, "cancelled": 0, "skipped": 0},
             "steps": [{"step": 1, "template": "order_confirmation", "delay_hours": 0, "subject": null, "intro": null},
                       {"step": 2, "template": "shipping_update", "delay_hours": null, "subject": null, "intro": null}]}
        ]})
    }

    #[test]
    fn snapshot_of_the_flows() {
        let html = flows(&shell("Email flows"), "tok", "s1", &answer(), true, None).into_string();
        assert!(html.contains("Sent 5 · scheduled 2 · cancelled 0 · skipped 1"));
        assert!(html.contains("<legend>Step 2: Welcome bestsellers</legend>"));
        assert!(html.contains("id=\"welcome-delay-2\" name=\"welcome-delay-2\" type=\"number\" min=\"0\" max=\"1440\" value=\"48\""));
        assert!(html.contains("value=\"Our &lt;best&gt;\""));
        assert!(html.contains("<p>Sent when the order ships.</p>"));
        assert!(html
            .contains("<input id=\"post_purchase-enabled\" type=\"checkbox\" name=\"enabled\" value=\"1\">"));
        insta::assert_snapshot!(html);
    }

    #[test]
    fn a_refused_flow_says_why_in_its_own_form_and_a_viewer_changes_nothing() {
        let refusal = Refusal {
            message: Some("each step's delay must not come before the one before"),
            field: Some("delay_hours"),
        };
        let html = flows(&shell("Email flows"), "tok", "s1", &answer(), true, Some(("welcome", &refusal)))
            .into_string();
        assert!(html.contains("<p class=\"field-error\" id=\"welcome-error\">each step's delay"));
        assert!(!html.contains("id=\"post_purchase-error\""));
        let viewer = flows(&shell("Email flows"), "tok", "s1", &answer(), false, None).into_string();
        assert_eq!(viewer.matches("<fieldset disabled>").count(), 2);
    }

    #[test]
    fn snapshot_of_the_contacts() {
        let answer = json!({"contacts": [
            {"id": "c1", "email": "ada@example.com", "first_name": "Ada <L>", "status": "complained", "source": "signup",
             "subscribed_at": "2026-12-01T10:00:00Z", "unsubscribed_at": "2026-12-02T10:00:00Z"}],
            "account": {"subscribed": 1, "limit": 500, "plan": "starter"}});
        let html = contacts(&shell("Contacts"), "s1", "complained", &answer).into_string();
        assert!(
            html.contains("Subscribed contacts across your stores: 1 of the 500 the starter plan allows.")
        );
        assert!(html.contains("<td>ada@example.com</td><td>Ada &lt;L&gt;</td><td>Marked as spam</td><td>the shop</td><td>2026-12-01</td>"));
        assert!(html.contains("<option value=\"complained\" selected>"));
        insta::assert_snapshot!(html);
        let none = contacts(
            &shell("Contacts"),
            "s1",
            "",
            &json!({"contacts": [], "account": {"subscribed": 0, "limit": null, "plan": "pro"}}),
        )
        .into_string();
        assert!(
            none.contains("Subscribed contacts across your stores: 0.")
                && none.contains("No contacts here yet.")
        );
    }
}
