//! The rule every part applies to the secrets it is configured with, before it uses them: a
//! signing key that is empty, short or a placeholder is refused, because an HMAC under such a
//! key can be forged by anyone who guesses it (an empty key most of all). Errors name the
//! setting, never its value.

/// The shortest signing key accepted, in bytes: 256 bits, the size of the HMAC-SHA256 output.
pub const SIGNING_KEY_MIN_BYTES: usize = 32;

/// Why a configured secret is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// Unset values are reported by the caller; this one is set but blank.
    #[error("configuration `{0}` is empty")]
    Empty(String),
    /// A value from a template or a tutorial, not a secret.
    #[error("configuration `{0}` holds a placeholder, not a secret")]
    Placeholder(String),
    /// Too short to resist guessing.
    #[error("configuration `{name}` is shorter than {min} bytes")]
    TooShort {
        /// The setting.
        name: String,
        /// The minimum length in bytes.
        min: usize,
    },
}

/// A key that signs or verifies (JWTs, internal calls, webhooks, cart cookies): set, not a
/// placeholder, and at least [`SIGNING_KEY_MIN_BYTES`] long.
pub fn signing_key(name: &str, value: &str) -> Result<(), SecretError> {
    credential(name, value)?;
    if value.trim().len() < SIGNING_KEY_MIN_BYTES {
        return Err(SecretError::TooShort { name: name.to_owned(), min: SIGNING_KEY_MIN_BYTES });
    }
    Ok(())
}

/// A credential issued by someone else (an API key, an access key), whose length is theirs to
/// choose: set and not a placeholder.
pub fn credential(name: &str, value: &str) -> Result<(), SecretError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(SecretError::Empty(name.to_owned()));
    }
    if is_placeholder(value) {
        return Err(SecretError::Placeholder(name.to_owned()));
    }
    Ok(())
}

/// Whether a value reads as a stand-in: the words templates use, or one character repeated
/// (`xxxxxxxx`, `00000000`) or nothing after a provider's prefix (`whsec_`, `sk_live_`...).
fn is_placeholder(value: &str) -> bool {
    const WORDS: [&str; 8] =
        ["changeme", "change-me", "change_me", "replace", "placeholder", "your-", "your_", "todo"];
    let lower = value.to_ascii_lowercase();
    let body = ["whsec_", "sk_live_", "sk_test_", "rk_live_", "rk_test_"]
        .iter()
        .find_map(|prefix| lower.strip_prefix(prefix))
        .unwrap_or(&lower);
    let mut chars = body.chars();
    let repeated = chars.next().is_none_or(|first| chars.all(|c| c == first));
    repeated
        || WORDS.iter().any(|word| body.contains(word))
        || ["secret", "password", "test", "example"].contains(&body)
        || body.starts_with('<')
        || body.starts_with("${")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_short_and_placeholder_signing_keys_are_refused_by_name_only() {
        assert_eq!(signing_key("JWT_SIGNING_KEY", "  "), Err(SecretError::Empty("JWT_SIGNING_KEY".into())));
        let short = signing_key("JWT_SIGNING_KEY", "s3cr3t-but-short").unwrap_err();
        assert_eq!(short, SecretError::TooShort { name: "JWT_SIGNING_KEY".into(), min: 32 });
        assert!(!short.to_string().contains("s3cr3t"), "the value never appears in the error");
        for placeholder in [
            "changeme-changeme-changeme-changeme",
            "whsec_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "<your internal secret goes here, 32 bytes or more>",
            "REPLACE_WITH_A_RANDOM_STRING_OF_64_CHARACTERS_OR_MORE",
            "0000000000000000000000000000000000000000",
            "${INTERNAL_HMAC_SECRET_FROM_THE_VAULT_AT_DEPLOY}",
        ] {
            assert_eq!(
                signing_key("INTERNAL_HMAC_SECRET", placeholder),
                Err(SecretError::Placeholder("INTERNAL_HMAC_SECRET".into())),
                "{placeholder}"
            );
        }
    }

    #[test]
    fn random_keys_of_full_length_are_accepted() {
        assert_eq!(signing_key("K", "3q2+7wAAAAB4QmYz1kL9c0Vb8nR5tZ2hYwE6pXu4jFg="), Ok(()));
        assert_eq!(signing_key("K", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), Ok(()));
        assert_eq!(signing_key("K", &"a1b2c3d4".repeat(8)), Ok(()));
    }

    #[test]
    fn credentials_of_any_length_pass_unless_blank_or_placeholders() {
        assert_eq!(credential("STRIPE_SECRET_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc"), Ok(()));
        assert_eq!(credential("SEO_SERP_API_KEY", "k1"), Ok(()));
        for blank in ["sk_test_", "password", "your-api-key"] {
            assert_eq!(
                credential("STRIPE_SECRET_KEY", blank),
                Err(SecretError::Placeholder("STRIPE_SECRET_KEY".into()))
            );
        }
    }
}
