//! Account pages: sign up, log in, verify email, forgot and reset password, accept an invitation,
//! sessions, and the team.

use super::{csrf_field, day, page, text, Field, Shell};
use html::{html, Markup};
use serde_json::Value;

/// A refusal to show on a form: the message, and the field it is about when the API named one.
#[derive(Default)]
pub struct Refusal<'a> {
    /// What went wrong.
    pub message: Option<&'a str>,
    /// The field at fault.
    pub field: Option<&'a str>,
}

impl<'a> Refusal<'a> {
    fn on(&self, field: &str) -> Option<&str> {
        (self.field == Some(field)).then_some(self.message).flatten()
    }

    /// The refusal as a form page shows it: on the field it names, or at the top of the page when
    /// no field of the form took it (a refusal of the whole form, or about a field the form does
    /// not show), so that no refusal is lost.
    pub fn placed(&self) -> Placed<'_, 'a> {
        Placed { refusal: self, shown: std::cell::Cell::new(false) }
    }
}

/// A [`Refusal`] being placed on a form's fields: see [`Refusal::placed`].
pub struct Placed<'r, 'a> {
    refusal: &'r Refusal<'a>,
    shown: std::cell::Cell<bool>,
}

impl Placed<'_, '_> {
    /// The message, when the refusal names `field`.
    pub fn on(&self, field: &str) -> Option<&str> {
        let message = self.refusal.on(field);
        self.shown.set(self.shown.get() || message.is_some());
        message
    }

    /// The page around `body`, whose fields have been rendered: the message at the top when none
    /// of them took it.
    pub fn page(&self, shell: &super::Shell, body: html::Markup) -> html::Markup {
        let rest = if self.shown.get() { None } else { self.refusal.message };
        super::page_with_error(shell, rest, body)
    }
}

fn password(label: &'static str, autocomplete: &'static str) -> Field<'static> {
    Field { label, name: "password", kind: "password", value: "", required: true, autocomplete, hint: None }
}

fn email(value: &str) -> Field<'_> {
    Field {
        label: "Email",
        name: "email",
        kind: "email",
        value,
        required: true,
        autocomplete: "email",
        hint: None,
    }
}

/// Log in.
pub fn login(csrf: &str, email_value: &str, next: &str, notice: Option<&str>, refusal: &Refusal) -> Markup {
    let shell = Shell { error: refusal.message, notice, ..Shell::new("Log in") };
    page(
        &shell,
        html! {
            form.card method="post" action="/login" {
                (csrf_field(csrf))
                input type="hidden" name="next" value=(next);
                (email(email_value).render(None))
                (password("Password", "current-password").render(None))
                button type="submit" { "Log in" }
            }
            p { a href="/forgot-password" { "Forgot your password?" } }
            p { "New here? " a href="/signup" { "Create an account" } }
        },
    )
}

/// Sign up.
pub fn signup(csrf: &str, email_value: &str, company: &str, refusal: &Refusal) -> Markup {
    let shell = Shell { error: refusal.message, ..Shell::new("Create your account") };
    let company_field = Field { autocomplete: "organization", ..Field::text("Company", "company", company) };
    let pw = Field { hint: Some("At least 12 characters."), ..password("Password", "new-password") };
    page(
        &shell,
        html! {
            form.card method="post" action="/signup" {
                (csrf_field(csrf))
                (email(email_value).render(refusal.on("email")))
                (company_field.render(refusal.on("company")))
                (pw.render(refusal.on("password")))
                button type="submit" { "Create account" }
            }
            p { "Already have an account? " a href="/login" { "Log in" } }
        },
    )
}

/// The answer to a verification link.
pub fn verified(outcome: Result<(), &str>) -> Markup {
    match outcome {
        Ok(()) => page(
            &Shell::new("Email verified"),
            html! { p { "Your email address is verified." } p { a href="/" { "Go to your dashboard" } } },
        ),
        Err(message) => page(
            &Shell { error: Some(message), ..Shell::new("This link did not work") },
            html! { p { "Verification links work once and expire. Log in to have a new one sent." } p { a href="/login" { "Log in" } } },
        ),
    }
}

/// Forgot password: asks for the address, or says the mail went out.
pub fn forgot(csrf: &str, sent: bool, refusal: &Refusal) -> Markup {
    let shell = Shell { error: refusal.message, ..Shell::new("Reset your password") };
    page(
        &shell,
        html! {
            @if sent {
                p role="status" { "If an account uses that address, a link to reset its password is on its way." }
            } @else {
                form.card method="post" action="/forgot-password" {
                    (csrf_field(csrf))
                    (email("").render(None))
                    button type="submit" { "Send the link" }
                }
            }
            p { a href="/login" { "Back to log in" } }
        },
    )
}

/// Reset password, from the mailed link.
pub fn reset(csrf: &str, token: &str, refusal: &Refusal) -> Markup {
    let shell = Shell { error: refusal.message, ..Shell::new("Choose a new password") };
    let pw = Field {
        hint: Some("At least 12 characters. Every session is signed out."),
        ..password("New password", "new-password")
    };
    page(
        &shell,
        html! {
            form.card method="post" action="/reset-password" {
                (csrf_field(csrf))
                input type="hidden" name="token" value=(token);
                (pw.render(refusal.on("password")))
                button type="submit" { "Set password" }
            }
        },
    )
}

/// Accept an invitation, from the mailed link.
pub fn accept(csrf: &str, token: &str, refusal: &Refusal) -> Markup {
    let shell = Shell { error: refusal.message, ..Shell::new("Join the team") };
    let pw = Field {
        hint: Some("New to Dropship: choose a password of at least 12 characters. Already have an account: enter its password."),
        ..password("Password", "new-password")
    };
    page(
        &shell,
        html! {
            form.card method="post" action="/accept-invitation" {
                (csrf_field(csrf))
                input type="hidden" name="token" value=(token);
                (pw.render(refusal.on("password")))
                button type="submit" { "Accept the invitation" }
            }
        },
    )
}

/// The caller's sessions, each with a sign-out button, and one to sign out all the others.
pub fn sessions(shell: &Shell, csrf: &str, list: &Value) -> Markup {
    let sessions = list["sessions"].as_array().map(Vec::as_slice).unwrap_or_default();
    page(
        shell,
        html! {
            table {
                caption { "Where you are signed in" }
                thead { tr { th scope="col" { "Device" } th scope="col" { "Signed in" } th scope="col" { "Last used" } th scope="col" { span.visually-hidden { "Action" } } } }
                tbody {
                    @for s in sessions {
                        tr {
                            td { (s["user_agent"].as_str().unwrap_or("Unknown device")) @if s["current"] == true { " " strong { "(this one)" } } }
                            td { (day(text(s, "created_at"))) }
                            td { (day(text(s, "last_used_at"))) }
                            td {
                                @if s["current"] != true {
                                    form method="post" action={ "/sessions/" (text(s, "id")) } {
                                        (csrf_field(csrf))
                                        button type="submit" { "Sign out" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if sessions.len() > 1 {
                form method="post" action="/sessions/others" {
                    (csrf_field(csrf))
                    button type="submit" { "Sign out every other session" }
                }
            }
        },
    )
}

/// The team: the members with their roles (owners), and the invitation form.
pub fn team(shell: &Shell, csrf: &str, members: Result<&Value, &str>, refusal: &Refusal) -> Markup {
    page(
        shell,
        html! {
            @match members {
                Ok(list) => {
                    table {
                        caption { "Members" }
                        thead { tr { th scope="col" { "Email" } th scope="col" { "Role" } th scope="col" { "Joined" } } }
                        tbody {
                            @for m in list["members"].as_array().map(Vec::as_slice).unwrap_or_default() {
                                tr { td { (text(m, "email")) } td { (text(m, "role")) } td { (day(text(m, "joined_at"))) } }
                            }
                        }
                    }
                    h2 { "Invite someone" }
                    form.card method="post" action="/team" {
                        (csrf_field(csrf))
                        (email("").render(refusal.on("email")))
                        div.field {
                            label for="role" { "Role" }
                            select #role name="role" {
                                option value="staff" { "Staff: edits the catalog and runs research" }
                                option value="viewer" { "Viewer: reads everything, changes nothing" }
                            }
                        }
                        button type="submit" { "Send the invitation" }
                    }
                }
                Err(message) => p { (message) }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn snapshot_of_the_login_page() {
        insta::assert_snapshot!(login(
            "tok",
            "a@b.c",
            "/stores/x",
            Some("You are logged out."),
            &Refusal::default()
        )
        .into_string());
    }

    #[test]
    fn snapshot_of_the_signup_page_with_a_refused_password() {
        let refusal =
            Refusal { message: Some("password must be at least 12 characters"), field: Some("password") };
        insta::assert_snapshot!(signup("tok", "a@b.c", "Cozy <Paws>", &refusal).into_string());
    }

    #[test]
    fn snapshot_of_the_verification_pages() {
        insta::assert_snapshot!(verified(Ok(())).into_string());
        insta::assert_snapshot!(verified(Err("the link has expired")).into_string());
    }

    #[test]
    fn snapshot_of_the_password_pages() {
        insta::assert_snapshot!(forgot("tok", false, &Refusal::default()).into_string());
        insta::assert_snapshot!(forgot("tok", true, &Refusal::default()).into_string());
        insta::assert_snapshot!(reset("tok", "mailed-token", &Refusal::default()).into_string());
    }

    #[test]
    fn snapshot_of_the_invitation_page() {
        insta::assert_snapshot!(accept("tok", "mailed-token", &Refusal::default()).into_string());
    }

    #[test]
    fn snapshot_of_the_sessions_page() {
        let list = json!({"sessions": [
            {"id": "s1", "user_agent": "Firefox <on> Linux", "created_at": "2026-12-01T10:00:00Z", "last_used_at": "2026-12-07T09:00:00Z", "current": true},
            {"id": "s2", "user_agent": null, "created_at": "2026-11-01T10:00:00Z", "last_used_at": "2026-11-02T09:00:00Z", "current": false}
        ]});
        let shell = Shell {
            viewer: Some(super::super::Viewer { role: "owner", csrf: "tok" }),
            ..Shell::new("Sessions")
        };
        insta::assert_snapshot!(sessions(&shell, "tok", &list).into_string());
    }

    #[test]
    fn snapshot_of_the_team_page_for_an_owner_and_for_staff() {
        let list = json!({"members": [{"user_id": "u1", "email": "o@example.com", "role": "owner", "joined_at": "2026-12-01T10:00:00Z"}]});
        let shell =
            Shell { viewer: Some(super::super::Viewer { role: "owner", csrf: "tok" }), ..Shell::new("Team") };
        insta::assert_snapshot!(team(&shell, "tok", Ok(&list), &Refusal::default()).into_string());
        insta::assert_snapshot!(team(
            &shell,
            "tok",
            Err("Only the owner sees the team."),
            &Refusal::default()
        )
        .into_string());
    }
}
