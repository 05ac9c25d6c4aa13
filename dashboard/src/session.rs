//! What the dashboard reads from the edge's access token: who is signed in, in which tenant, with
//! which role, until when. The token is not verified here (the edge verifies it on every call,
//! and decides what it allows); the dashboard reads it to choose which pages and forms to show
//! and when to refresh it.

use serde::Deserialize;

/// The claims of an access token the dashboard uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Claims {
    /// The user.
    pub sub: String,
    /// The tenant the token acts in.
    pub tid: String,
    /// `owner`, `staff` or `viewer`.
    pub role: String,
    /// Expires at, Unix seconds.
    pub exp: i64,
}

impl Claims {
    /// Reads the payload of a JWT (`header.payload.signature`, base64url without padding).
    pub fn read(token: &str) -> Option<Self> {
        let payload = token.split('.').nth(1)?;
        serde_json::from_slice(&base64url(payload)?).ok()
    }

    /// Whether the token is still good `margin_secs` from `now` (Unix seconds).
    pub fn fresh_at(&self, now: i64, margin_secs: i64) -> bool {
        self.exp > now + margin_secs
    }

    /// Whether the role may change the catalog (the API's `staff` routes).
    pub fn can_edit(&self) -> bool {
        matches!(self.role.as_str(), "owner" | "staff")
    }

    /// Whether the role is the tenant's owner (team, audit log, new stores).
    pub fn is_owner(&self) -> bool {
        self.role == "owner"
    }
}

/// Decodes unpadded base64url.
fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_claims_are_read_from_the_token_payload() {
        // {"sub":"u1","tid":"t1","role":"staff","sid":"s","exp":1700000600,"iat":1700000000}
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSIsInRpZCI6InQxIiwicm9sZSI6InN0YWZmIiwic2lkIjoicyIsImV4cCI6MTcwMDAwMDYwMCwiaWF0IjoxNzAwMDAwMDAwfQ.sig";
        let claims = Claims::read(token).unwrap();
        assert_eq!(claims.role, "staff");
        assert_eq!(claims.tid, "t1");
        assert!(claims.can_edit() && !claims.is_owner());
        assert!(claims.fresh_at(1_700_000_000, 30));
        assert!(!claims.fresh_at(1_700_000_580, 30), "refreshed a little before it expires");
    }

    #[test]
    fn a_token_that_is_not_a_jwt_reads_as_nothing() {
        assert_eq!(Claims::read("garbage"), None);
        assert_eq!(Claims::read("a.!!!.c"), None);
        assert_eq!(Claims::read("a.e30.c"), None, "an empty object lacks the claims");
    }
}
