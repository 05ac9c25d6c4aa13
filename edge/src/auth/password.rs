//! Password hashing with Argon2id at OWASP's minimum for it: 19 MiB of memory, 2 passes, 1 lane.
//!
//! Hashes are stored in the PHC string format, so parameters can be raised later: a login whose
//! stored parameters are below the current ones re-hashes the password.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;

/// Memory in KiB.
pub const M_COST: u32 = 19 * 1024;
/// Passes.
pub const T_COST: u32 = 2;
/// Lanes.
pub const P_COST: u32 = 1;
const OUTPUT_LEN: usize = 32;

fn hasher(m: u32, t: u32, p: u32) -> Option<Argon2<'static>> {
    Some(Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(m, t, p, Some(OUTPUT_LEN)).ok()?))
}

/// Hashes a password with a 16-byte random salt into a PHC string.
pub fn hash(password: &str, salt: [u8; 16]) -> String {
    let mut out = [0u8; OUTPUT_LEN];
    hasher(M_COST, T_COST, P_COST)
        .expect("the constant parameters are valid")
        .hash_password_into(password.as_bytes(), &salt, &mut out)
        .expect("a 16-byte salt and bounded password always hash");
    format!(
        "$argon2id$v=19$m={M_COST},t={T_COST},p={P_COST}${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(out)
    )
}

/// The result of checking a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// Wrong password, or an unreadable hash.
    No,
    /// Right password, current parameters.
    Yes,
    /// Right password; the stored hash uses weaker parameters and should be replaced.
    YesRehash,
}

/// Checks a password against a stored PHC string in constant time over the hash.
pub fn verify(password: &str, stored: &str) -> Verified {
    let parts: Vec<&str> = stored.split('$').collect();
    let [_, "argon2id", "v=19", params, salt, expected] = parts.as_slice() else {
        return Verified::No;
    };
    let mut m = 0;
    let mut t = 0;
    let mut p = 0;
    for kv in params.split(',') {
        match kv.split_once('=') {
            Some(("m", v)) => m = v.parse().unwrap_or(0),
            Some(("t", v)) => t = v.parse().unwrap_or(0),
            Some(("p", v)) => p = v.parse().unwrap_or(0),
            _ => return Verified::No,
        }
    }
    let (Ok(salt), Ok(expected), Some(argon)) =
        (STANDARD_NO_PAD.decode(salt), STANDARD_NO_PAD.decode(expected), hasher(m, t, p))
    else {
        return Verified::No;
    };
    let mut out = vec![0u8; expected.len()];
    if expected.len() != OUTPUT_LEN || argon.hash_password_into(password.as_bytes(), &salt, &mut out).is_err()
    {
        return Verified::No;
    }
    let differs = out.iter().zip(&expected).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    match (differs == 0, m < M_COST || t < T_COST) {
        (false, _) => Verified::No,
        (true, false) => Verified::Yes,
        (true, true) => Verified::YesRehash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_right_password_verifies_and_a_wrong_one_does_not() {
        let stored = hash("correct horse battery staple", [7; 16]);
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(verify("correct horse battery staple", &stored), Verified::Yes);
        assert_eq!(verify("correct horse battery stapl", &stored), Verified::No);
    }

    #[test]
    fn the_same_password_with_another_salt_hashes_differently() {
        assert_ne!(hash("pw-pw-pw-pw-pw", [1; 16]), hash("pw-pw-pw-pw-pw", [2; 16]));
    }

    #[test]
    fn weaker_stored_parameters_ask_for_a_rehash() {
        let mut out = [0u8; 32];
        hasher(8 * 1024, 1, 1).unwrap().hash_password_into(b"old password here", &[3; 16], &mut out).unwrap();
        let stored = format!(
            "$argon2id$v=19$m=8192,t=1,p=1${}${}",
            STANDARD_NO_PAD.encode([3u8; 16]),
            STANDARD_NO_PAD.encode(out)
        );
        assert_eq!(verify("old password here", &stored), Verified::YesRehash);
    }

    #[test]
    fn unreadable_hashes_never_verify() {
        assert_eq!(verify("x", ""), Verified::No);
        assert_eq!(verify("x", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA"), Verified::No);
        assert_eq!(verify("x", "$argon2id$v=19$m=19456,t=2,p=1$!!$!!"), Verified::No);
    }
}
