//! Merchant accounts: email addresses, passwords' rules, and what each role may do.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address, lowercased, checked for a plausible shape (deliverability is proven by the
/// verification mail, not here).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// An address that cannot be an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("email must look like name@example.com and be at most 254 characters")]
pub struct InvalidEmail;

impl Email {
    /// Trims and lowercases the address, then checks its shape.
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let email = raw.trim().to_lowercase();
        let (local, domain) = email.split_once('@').ok_or(InvalidEmail)?;
        let ok = email.len() <= 254
            && (1..=64).contains(&local.len())
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@')
            && email.chars().all(|c| !c.is_whitespace() && !c.is_control() && c != '<' && c != '>');
        if ok {
            Ok(Self(email))
        } else {
            Err(InvalidEmail)
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidEmail;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shortest password accepted. No composition rules: length is what resists guessing.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Longest password accepted, so hashing cost stays bounded.
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Invitations one team may send in 24 hours.
pub const INVITATIONS_PER_TEAM_PER_DAY: u64 = 20;
/// Invitations one address may receive in 24 hours, from every team together: any owner can type
/// any address, and a new tenant costs nothing.
pub const INVITATIONS_PER_ADDRESS_PER_DAY: u64 = 3;
/// Reset links one account is mailed in an hour; later requests get the same answer and no mail.
pub const RESETS_PER_ACCOUNT_PER_HOUR: u64 = 3;

/// Why an invitation may not be mailed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationCap {
    /// The team sent [`INVITATIONS_PER_TEAM_PER_DAY`] in the last 24 hours.
    Team,
    /// The address got [`INVITATIONS_PER_ADDRESS_PER_DAY`] in the last 24 hours.
    Address,
}

/// The cap a new invitation would pass, from the invitations of the last 24 hours sent by the
/// team and sent to the address; `None` when it may go.
pub fn invitation_cap(by_team: u64, to_address: u64) -> Option<InvitationCap> {
    if by_team >= INVITATIONS_PER_TEAM_PER_DAY {
        Some(InvitationCap::Team)
    } else if to_address >= INVITATIONS_PER_ADDRESS_PER_DAY {
        Some(InvitationCap::Address)
    } else {
        None
    }
}

/// Why a password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Too short or too long.
    #[error("password must be {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters")]
    Length,
    /// Contains the account's email or its name part.
    #[error("password must not contain your email address")]
    ContainsEmail,
    /// One of the most common passwords, or one repeated character.
    #[error("password is too easy to guess")]
    TooCommon,
}

const COMMON: &[&str] = &[
    "123456789012",
    "password1234",
    "qwertyuiop12",
    "passwordpassword",
    "111111111111",
    "iloveyou1234",
    "administrator",
    "letmein12345",
    "welcome12345",
    "qwerty123456",
    "abc123456789",
    "changeme1234",
];

/// Checks a new password against the account's rules.
pub fn check_password(password: &str, email: &Email) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if !(PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&chars) {
        return Err(PasswordError::Length);
    }
    let lower = password.to_lowercase();
    let name = email.as_str().split('@').next().unwrap_or_default();
    if lower.contains(email.as_str()) || (name.len() >= 4 && lower.contains(name)) {
        return Err(PasswordError::ContainsEmail);
    }
    let first = lower.chars().next();
    if COMMON.contains(&lower.as_str()) || lower.chars().all(|c| Some(c) == first) {
        return Err(PasswordError::TooCommon);
    }
    Ok(())
}

/// A member's role in a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including billing, members and deletion.
    Owner,
    /// Runs the stores: catalog, research, settings.
    Staff,
    /// Reads only.
    Viewer,
}

/// What a request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read stores, products, runs.
    Read,
    /// Change a store's catalog or settings, start research.
    Operate,
    /// Create, suspend or delete stores; manage members, billing, API keys; read the audit log.
    Administer,
}

impl Role {
    /// Whether the role may perform the action.
    pub fn allows(self, action: Action) -> bool {
        matches!(
            (self, action),
            (Role::Owner, _) | (Role::Staff, Action::Read | Action::Operate) | (Role::Viewer, Action::Read)
        )
    }

    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Staff => "staff",
            Role::Viewer => "viewer",
        }
    }

    /// Parses the stored text form.
    pub fn parse(raw: &str) -> Option<Self> {
        [Role::Owner, Role::Staff, Role::Viewer].into_iter().find(|r| r.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_invitation_stops_at_the_teams_daily_cap_then_at_the_addresses() {
        assert_eq!(invitation_cap(0, 0), None);
        assert_eq!(
            invitation_cap(INVITATIONS_PER_TEAM_PER_DAY - 1, INVITATIONS_PER_ADDRESS_PER_DAY - 1),
            None
        );
        assert_eq!(invitation_cap(INVITATIONS_PER_TEAM_PER_DAY, 0), Some(InvitationCap::Team));
        assert_eq!(invitation_cap(0, INVITATIONS_PER_ADDRESS_PER_DAY), Some(InvitationCap::Address));
        assert_eq!(
            invitation_cap(INVITATIONS_PER_TEAM_PER_DAY, INVITATIONS_PER_ADDRESS_PER_DAY),
            Some(InvitationCap::Team)
        );
    }

    use super::*;

    #[test]
    fn emails_are_lowercased_and_trimmed() {
        assert_eq!(Email::parse("  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@@example.com",
            "ada@.com",
            "<a>@x.com",
        ] {
            assert_eq!(Email::parse(bad), Err(InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn short_common_and_email_passwords_are_refused() {
        let email = Email::parse("merchant@example.com").unwrap();
        assert_eq!(check_password("short", &email), Err(PasswordError::Length));
        assert_eq!(check_password("Password1234", &email), Err(PasswordError::TooCommon));
        assert_eq!(check_password("aaaaaaaaaaaaaaaa", &email), Err(PasswordError::TooCommon));
        assert_eq!(check_password("my-merchant-pass-99", &email), Err(PasswordError::ContainsEmail));
        assert_eq!(check_password("correct horse battery staple", &email), Ok(()));
    }

    #[test]
    fn only_owners_administer_and_viewers_only_read() {
        assert!(Role::Owner.allows(Action::Administer));
        assert!(Role::Staff.allows(Action::Operate));
        assert!(!Role::Staff.allows(Action::Administer));
        assert!(Role::Viewer.allows(Action::Read));
        assert!(!Role::Viewer.allows(Action::Operate));
    }
}
