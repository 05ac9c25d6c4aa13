//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP, HMAC-SHA1, 6 digits, 30-second
//! steps), the sealing of their secrets at rest, and recovery codes. Pure: the time, the random
//! bytes and the key come in as arguments (wasm32 has no system clock), so it is all tested
//! natively against the RFC's vectors.
//!
//! Written here over `hmac` and `sha1` rather than taken from `totp-rs`: the edge needs the HOTP
//! truncation, a window check and a base32 encoder (about 60 lines), where `totp-rs` would bring
//! its own base32, URL and rand dependencies and helpers that read the clock.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

/// Seconds per time step (RFC 6238's default, what authenticator apps assume).
pub const STEP_SECS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Bytes of a secret (160 bits, RFC 4226's recommendation for HMAC-SHA1).
pub const SECRET_LEN: usize = 20;
/// How many recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;

/// The time step a Unix time falls in.
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// RFC 4226's HOTP value of `counter`, truncated to `digits` decimal digits.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary =
        u32::from_be_bytes([digest[offset], digest[offset + 1], digest[offset + 2], digest[offset + 3]])
            & 0x7fff_ffff;
    binary % 10u32.pow(digits)
}

/// The 6-digit code of a time step, as an app shows it (leading zeros kept).
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    format!("{:06}", hotp(secret, step.max(0) as u64, DIGITS))
}

/// The step whose code `code` is, among the step of `unix_secs` and one either side (clock
/// drift), and only when it is later than `last_step` (a code is never accepted twice). `None`
/// when the code is malformed, wrong, or already used.
pub fn verify(secret: &[u8], code: &str, unix_secs: i64, last_step: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_secs);
    (now - 1..=now + 1)
        .filter(|step| *step > last_step)
        .find(|step| constant_time_eq(code_at_step(secret, *step).as_bytes(), code.as_bytes()))
}

/// Whether text looks like a TOTP code (digits, spaces allowed) rather than a recovery code.
pub fn looks_like_code(text: &str) -> bool {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits.len() == DIGITS as usize && digits.iter().all(u8::is_ascii_digit)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The `otpauth://` URI an authenticator app reads from the QR code (Google Authenticator's key
/// URI format): the issuer and the account name label the entry.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let issuer_enc = urlencoding::encode(issuer);
    format!(
        "otpauth://totp/{issuer_enc}:{}?secret={}&issuer={issuer_enc}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        urlencoding::encode(account),
        base32(secret),
    )
}

/// Keys derived from the edge's signing key for one purpose each, so a secret sealed for two-factor
/// sign-in can never be taken for a token's signature, or the other way round.
pub struct Keys {
    seal: [u8; 32],
    mac: [u8; 32],
    recovery: [u8; 32],
}

fn derive(master: &[u8], purpose: &str) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(b"dropship two-factor v1 ");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

fn hmac256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

impl Keys {
    /// The keys derived from `master` (the edge's `JWT_SIGNING_KEY`, a Worker secret that D1
    /// never holds).
    pub fn new(master: &[u8]) -> Self {
        Self {
            seal: derive(master, "seal"),
            mac: derive(master, "mac"),
            recovery: derive(master, "recovery"),
        }
    }

    /// Seals a secret for D1: encrypt-then-MAC with HMAC-SHA256 as the pseudo-random function
    /// (the keystream is HMAC(seal key, nonce), one block covers a 20-byte secret) and a tag
    /// over the user, the nonce and the ciphertext, so a sealed secret copied to another user's
    /// row does not open. Text: `v1.<nonce hex>.<ciphertext hex>.<tag hex>`.
    pub fn seal(&self, user: &str, secret: &[u8; SECRET_LEN], nonce: [u8; 16]) -> String {
        let stream = hmac256(&self.seal, &[&nonce]);
        let sealed: Vec<u8> = secret.iter().zip(stream).map(|(s, k)| s ^ k).collect();
        let tag = hmac256(&self.mac, &[user.as_bytes(), &nonce, &sealed]);
        format!("v1.{}.{}.{}", hex::encode(nonce), hex::encode(&sealed), hex::encode(tag))
    }

    /// Opens what [`Keys::seal`] sealed for `user`; `None` when it was altered, moved or sealed
    /// under another key.
    pub fn open(&self, user: &str, sealed: &str) -> Option<[u8; SECRET_LEN]> {
        let mut parts = sealed.split('.');
        if parts.next() != Some("v1") {
            return None;
        }
        let nonce = hex::decode(parts.next()?).ok()?;
        let cipher = hex::decode(parts.next()?).ok()?;
        let tag = hex::decode(parts.next()?).ok()?;
        if parts.next().is_some() || cipher.len() != SECRET_LEN {
            return None;
        }
        if !constant_time_eq(&hmac256(&self.mac, &[user.as_bytes(), &nonce, &cipher]), &tag) {
            return None;
        }
        let stream = hmac256(&self.seal, &[&nonce]);
        let mut secret = [0u8; SECRET_LEN];
        for (i, byte) in secret.iter_mut().enumerate() {
            *byte = cipher[i] ^ stream[i];
        }
        Some(secret)
    }

    /// How a recovery code is stored: keyed (so a copy of the table cannot be searched offline
    /// for the 50-bit codes without the Worker's secret) and bound to its user.
    pub fn recovery_hash(&self, user: &str, code: &str) -> String {
        hex::encode(hmac256(&self.recovery, &[user.as_bytes(), b":", normalize_recovery(code).as_bytes()]))
    }
}

/// A recovery code from 10 random bytes' worth of base32 letters: `xxxxx-xxxxx` (50 bits).
pub fn recovery_code(random: [u8; 10]) -> String {
    let letters: String = random.iter().map(|b| char::from(BASE32[usize::from(b % 32)])).collect();
    let letters = letters.to_ascii_lowercase();
    format!("{}-{}", &letters[..5], &letters[5..])
}

/// A recovery code as typed, reduced to its letters: case, spaces and dashes do not matter.
pub fn normalize_recovery(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret.
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_match_rfc_6238s_sha1_test_vectors() {
        let vectors: [(i64, u32); 6] = [
            (59, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ];
        for (time, expected) in vectors {
            assert_eq!(hotp(RFC_SECRET, step_at(time) as u64, 8), expected, "at {time}");
            assert_eq!(code_at_step(RFC_SECRET, step_at(time)), format!("{:06}", expected % 1_000_000));
        }
    }

    #[test]
    fn codes_match_rfc_4226s_hotp_test_vectors() {
        let expected =
            [755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871, 520_489];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, counter as u64, 6), *code);
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_never_twice() {
        let now = 1_234_567_890;
        let step = step_at(now);
        for drift in [-1, 0, 1] {
            let code = code_at_step(RFC_SECRET, step + drift);
            assert_eq!(verify(RFC_SECRET, &code, now, 0), Some(step + drift));
            assert_eq!(verify(RFC_SECRET, &code, now, step + drift), None, "replayed");
        }
        assert_eq!(verify(RFC_SECRET, &code_at_step(RFC_SECRET, step + 2), now, 0), None);
        assert_eq!(verify(RFC_SECRET, &code_at_step(RFC_SECRET, step - 2), now, 0), None);
        // An older code is refused once a later one was used.
        assert_eq!(verify(RFC_SECRET, &code_at_step(RFC_SECRET, step - 1), now, step), None);
    }

    #[test]
    fn malformed_codes_are_refused_and_spaces_are_ignored() {
        let now = 1_234_567_890;
        let code = code_at_step(RFC_SECRET, step_at(now));
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(verify(RFC_SECRET, &spaced, now, 0).is_some());
        for bad in ["", "12345", "1234567", "abcdef", "-12345"] {
            assert_eq!(verify(RFC_SECRET, bad, now, 0), None, "{bad}");
        }
        assert!(looks_like_code("123 456"));
        assert!(!looks_like_code("abcde-fghij"));
    }

    #[test]
    fn base32_follows_rfc_4648s_test_vectors_without_padding() {
        for (input, output) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(input.as_bytes()), output);
        }
        assert_eq!(base32(RFC_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn the_uri_names_the_issuer_and_account_and_carries_the_secret() {
        let uri = otpauth_uri("Dropship", "ann@example.com", RFC_SECRET);
        assert_eq!(
            uri,
            "otpauth://totp/Dropship:ann%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Dropship&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_user_and_key() {
        let keys = Keys::new(b"a signing key of at least thirty-two bytes");
        let secret = *b"12345678901234567890";
        let sealed = keys.seal("user-1", &secret, [7; 16]);
        assert!(!sealed.contains(&hex::encode(secret)));
        assert_eq!(keys.open("user-1", &sealed), Some(secret));
        assert_eq!(keys.open("user-2", &sealed), None);
        assert_eq!(Keys::new(b"another signing key, also thirty-two bytes").open("user-1", &sealed), None);
        let mut tampered = sealed.clone().into_bytes();
        let at = sealed.find('.').unwrap() + 40;
        tampered[at] = if tampered[at] == b'0' { b'1' } else { b'0' };
        assert_eq!(keys.open("user-1", &String::from_utf8(tampered).unwrap()), None);
    }

    #[test]
    fn recovery_codes_are_ten_letters_and_hash_the_same_however_typed() {
        let code = recovery_code([0, 1, 2, 3, 31, 32, 33, 200, 255, 9]);
        assert_eq!(code, "abcd7-abi7j");
        let keys = Keys::new(b"a signing key of at least thirty-two bytes");
        assert_eq!(keys.recovery_hash("u", &code), keys.recovery_hash("u", " ABCD7 ABI7J "));
        assert_ne!(keys.recovery_hash("u", &code), keys.recovery_hash("v", &code));
    }
}
