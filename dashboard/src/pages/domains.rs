//! A store's domains: the address the platform gives it and the merchant's own domains, each
//! pending one with the DNS record that proves it and a button to check it, and the form to add
//! one.

use super::account::Refusal;
use super::{csrf_field, day, text, Field, Shell};
use html::{html, Markup};
use serde_json::Value;

/// The domains page. `typed` is the host of a refused add form; `can_manage` (the owner) shows
/// the forms.
pub fn domains(
    shell: &Shell,
    csrf: &str,
    store_id: &str,
    list: &Value,
    typed: &str,
    can_manage: bool,
    refusal: &Refusal,
) -> Markup {
    let placed = refusal.placed();
    let on = |f: &str| placed.on(f);
    let all = list["domains"].as_array().map_or(&[][..], Vec::as_slice);
    let custom: Vec<&Value> = all.iter().filter(|d| text(d, "kind") == "custom").collect();
    let base = format!("/stores/{store_id}/domains");
    placed.page(
        shell,
        html! {
            @for d in all.iter().filter(|d| text(d, "kind") == "platform") {
                p { "Your shop's own address: " strong { (text(d, "host")) } }
            }
            p { "A domain of your own serves the same shop once a DNS record proves it is yours. A claim not proven within 7 days is released." }
            @if custom.is_empty() {
                p #no-domains { "No domains of your own yet." }
            }
            @for d in &custom {
                @let host = text(d, "host");
                article.item {
                    h2 { (host) }
                    @if text(d, "status") == "active" {
                        p.domain-status { "Active: serves your shop since " (day(text(d, "verified_at"))) "." }
                    } @else {
                        p.domain-status { "Waiting for its DNS record. Add this TXT record where the domain's DNS is managed, then check it:" }
                        dl.dns {
                            dt { "Type" } dd { code { "TXT" } }
                            dt { "Name" } dd { code { (text(d, "txt_name")) } }
                            dt { "Value" } dd { code { (text(d, "txt_value")) } }
                        }
                        @if can_manage {
                            form method="post" action={ (base) "/" (host) "/verify" } {
                                (csrf_field(csrf))
                                button type="submit" { "Check the DNS record" span.visually-hidden { " of " (host) } }
                            }
                        }
                    }
                    @if can_manage {
                        form method="post" action={ (base) "/" (host) "/remove" } {
                            (csrf_field(csrf))
                            button type="submit" { "Remove" span.visually-hidden { " " (host) } }
                        }
                    }
                }
            }
            @if can_manage {
                h2 { "Add a domain" }
                form.card method="post" action=(base) {
                    (csrf_field(csrf))
                    (Field { hint: Some("A domain or sub-domain you own, e.g. shop.example.com."), ..Field::text("Domain", "host", typed) }.render(on("host")))
                    button type="submit" { "Add the domain" }
                }
            } @else {
                p { "Only the account's owner adds, checks and removes domains." }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_shell as shell;
    use super::*;
    use serde_json::json;

    fn list() -> Value {
        json!({"domains": [
            {"host": "cozy.shops.example", "kind": "platform", "status": "active", "txt_name": null, "txt_value": null, "verified_at": "2026-12-01T10:00:00Z"},
            {"host": "shop.cozy.example", "kind": "custom", "status": "pending", "txt_name": "_dropship-challenge.shop.cozy.example",
             "txt_value": "dropship-verify=0123abcd", "verified_at": null},
            {"host": "cozy.example", "kind": "custom", "status": "active", "txt_name": "_dropship-challenge.cozy.example",
             "txt_value": null, "verified_at": "2026-12-05T10:00:00Z"}
        ]})
    }

    #[test]
    fn snapshot_of_the_domains_page_with_a_pending_and_an_active_domain() {
        let html =
            domains(&shell("Domains"), "tok", "s1", &list(), "", true, &Refusal::default()).into_string();
        assert!(html.contains("<dd><code>_dropship-challenge.shop.cozy.example</code></dd>"));
        assert!(html.contains("<dd><code>dropship-verify=0123abcd</code></dd>"));
        assert!(html.contains("action=\"/stores/s1/domains/shop.cozy.example/verify\""));
        assert!(html.contains("Active: serves your shop since 2026-12-05."));
        assert!(!html.contains("/domains/cozy.example/verify"), "an active domain has nothing to check");
        assert!(!html.contains("/domains/cozy.shops.example/remove"), "the platform's address stays");
        insta::assert_snapshot!(html);
    }

    #[test]
    fn a_refused_domain_keeps_what_was_typed_and_staff_see_no_forms() {
        let refusal = Refusal {
            message: Some("the starter plan allows 0 custom domain(s); the growth plan allows more"),
            field: Some("host"),
        };
        let html =
            domains(&shell("Domains"), "tok", "s1", &json!({"domains": []}), "my.<shop>", true, &refusal)
                .into_string();
        assert!(html.contains("value=\"my.&lt;shop&gt;\""));
        assert!(html.contains("id=\"host-error\">the starter plan allows 0 custom domain(s)"));
        assert!(html.contains("No domains of your own yet."));
        let staff =
            domains(&shell("Domains"), "tok", "s1", &list(), "", false, &Refusal::default()).into_string();
        assert!(!staff.contains("method=\"post\" action=\"/stores/s1/domains"));
        assert!(staff.contains("dropship-verify=0123abcd"), "staff still read the record to pass on");
    }
}
