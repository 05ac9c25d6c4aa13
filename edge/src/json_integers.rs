//! Integers written as decimals (`3.0`, `1e2`, `250E-1`) rewritten plainly (`3`, `100`, `25`)
//! before a JSON body is deserialised.
//!
//! JSON Schema counts any number with a zero fraction as an integer, so the API document allows
//! `3.0` wherever it says `integer`; serde refuses it for an integer field. Rewriting the text
//! keeps one typed deserialisation per body (no detour through `serde_json::Value`, which would
//! add its own code per body type to the Worker's wasm). A number that is not an exact integer,
//! or does not fit `i64`/`u64`, is left as written, so serde still refuses `1.5` or `1e30` for an
//! integer field, and float fields read the same value either way.

use std::borrow::Cow;

/// `body` with every number outside strings that is an exact integer within `i64`/`u64` but is
/// written with a fraction or an exponent rewritten as a plain integer. Everything else,
/// including malformed JSON, is left byte for byte as it was, for serde to judge.
pub fn plain_integers(body: &str) -> Cow<'_, str> {
    let bytes = body.as_bytes();
    if !bytes.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return Cow::Borrowed(body);
    }
    let mut out: Option<String> = None;
    // Bytes of `body` up to here are in `out` already (when it exists).
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = string_end(bytes, i),
            b'-' | b'0'..=b'9' => {
                let end = number_end(bytes, i);
                if let Some(plain) = integer(&body[i..end]) {
                    let out = out.get_or_insert_with(|| String::with_capacity(body.len()));
                    out.push_str(&body[copied..i]);
                    out.push_str(&plain);
                    copied = end;
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    match out {
        Some(mut out) => {
            out.push_str(&body[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(body),
    }
}

/// The index just past the string that opens at `start` (or the end of an unterminated one).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The index just past the run of number characters that starts at `start`.
fn number_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
        i += 1;
    }
    i
}

/// Exponents beyond this are never an integer that fits 64 bits (or are zero, which serde reads
/// as a float either way); they are left for serde to refuse.
const MAX_EXPONENT: i64 = 10_000;

/// The plain form of `token` when it is a JSON number with a fraction or an exponent whose value
/// is an integer within `i64`/`u64`.
fn integer(token: &str) -> Option<String> {
    let (negative, unsigned) = match token.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, token),
    };
    let mantissa_end = unsigned.find(['e', 'E']).unwrap_or(unsigned.len());
    let (mantissa, exponent) = unsigned.split_at(mantissa_end);
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let exponent = match exponent.get(1..) {
        Some(e) => Some(exponent_value(e)?),
        None => None,
    };
    if fraction.is_none() && exponent.is_none() {
        return None;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // JSON's grammar: no leading zero, at least one digit after a point.
    if !digits(whole) || (whole.len() > 1 && whole.starts_with('0')) || fraction.is_some_and(|f| !digits(f)) {
        return None;
    }
    let fraction = fraction.unwrap_or("");
    // value = (whole ++ fraction) × 10^(exponent − fraction length)
    let shift = exponent.unwrap_or(0) - fraction.len() as i64;
    let significant: String = format!("{whole}{fraction}").trim_start_matches('0').to_owned();
    if significant.is_empty() {
        return Some("0".to_owned());
    }
    let magnitude = if shift >= 0 {
        if significant.len() as i64 + shift > 20 {
            return None;
        }
        format!("{significant}{}", "0".repeat(shift as usize))
    } else {
        let cut = significant.len().checked_sub(shift.unsigned_abs() as usize)?;
        let (kept, dropped) = significant.split_at(cut);
        if kept.is_empty() || dropped.bytes().any(|b| b != b'0') {
            return None;
        }
        kept.to_owned()
    };
    let value: u128 = magnitude.parse().ok()?;
    let limit = if negative { u128::from(i64::MIN.unsigned_abs()) } else { u128::from(u64::MAX) };
    if value > limit {
        return None;
    }
    Some(if negative { format!("-{magnitude}") } else { magnitude })
}

/// An exponent's value (`+5`, `-3`, `07`), or `None` when it is malformed or beyond
/// [`MAX_EXPONENT`].
fn exponent_value(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    if digits.len() > 5 {
        return None;
    }
    let value: i64 = if digits.is_empty() { 0 } else { digits.parse().ok()? };
    if value > MAX_EXPONENT {
        return None;
    }
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plain(body: &str) -> String {
        plain_integers(body).into_owned()
    }

    #[test]
    fn a_zero_fraction_and_an_exponent_become_plain_integers() {
        assert_eq!(plain(r#"{"price_minor": 1500.0}"#), r#"{"price_minor": 1500}"#);
        assert_eq!(plain(r#"{"limit":1e2}"#), r#"{"limit":100}"#);
        assert_eq!(plain(r#"[2.50E1, 1E+1, 3000e-3, 0.0, 12.000]"#), r#"[25, 10, 3, 0, 12]"#);
    }

    #[test]
    fn negative_integers_keep_their_sign_and_negative_zero_is_zero() {
        assert_eq!(plain("[-3.0, -1e3, -0.0]"), "[-3, -1000, 0]");
    }

    #[test]
    fn numbers_inside_strings_are_untouched_even_after_escaped_quotes() {
        let body = r#"{"title": "3.0 \"1e2\" \\", "sku": "x\u00221.0", "n": 2.0}"#;
        assert_eq!(plain(body), r#"{"title": "3.0 \"1e2\" \\", "sku": "x\u00221.0", "n": 2}"#);
    }

    #[test]
    fn a_fraction_stays_so_serde_still_refuses_it_where_an_integer_belongs() {
        for body in ["[1.5]", "[-0.25]", "[1e-1]", "[15e-1]", "[1.05e1]"] {
            assert_eq!(plain(body), body);
        }
        #[derive(serde::Deserialize)]
        #[expect(dead_code, reason = "only parsed")]
        struct Count {
            count: u32,
        }
        assert!(serde_json::from_str::<Count>(&plain(r#"{"count": 1.5}"#)).is_err());
        assert!(serde_json::from_str::<Count>(&plain(r#"{"count": 2.0}"#)).is_ok());
    }

    #[test]
    fn integers_beyond_64_bits_and_huge_exponents_are_untouched() {
        for body in [
            "[1e20]",
            "[18446744073709551616.0]",
            "[-9223372036854775809.0]",
            "[1e400]",
            "[1e99999999999999999999]",
            "[0e99999999999]",
        ] {
            assert_eq!(plain(body), body);
        }
        assert_eq!(plain("[18446744073709551615.0]"), "[18446744073709551615]");
        assert_eq!(plain("[-9223372036854775808.0]"), "[-9223372036854775808]");
        assert_eq!(plain("[1e19]"), "[10000000000000000000]");
    }

    #[test]
    fn plain_integers_floats_and_malformed_numbers_are_left_as_written() {
        for body in ["[3, -4, 0]", "[01.0]", "[1.]", "[.5]", "[1e]", "[1.0.0]", "[--1.0]", "[1e+-2]", "nul"] {
            assert!(matches!(plain_integers(body), Cow::Borrowed(_)) || plain(body) == body, "{body}");
        }
        assert!(matches!(plain_integers(r#"{"a": [1, 2, "x"]}"#), Cow::Borrowed(_)));
    }

    #[test]
    fn an_unterminated_string_is_left_for_serde_to_refuse() {
        assert_eq!(plain(r#"{"a": 1.0, "b": "2.0"#), r#"{"a": 1, "b": "2.0"#);
    }

    proptest! {
        #[test]
        fn every_i64_written_with_a_fraction_or_an_exponent_reads_back_exactly(
            n in any::<i64>(),
            zeros in 1usize..4,
        ) {
            let fraction = format!("{n}.{}", "0".repeat(zeros));
            prop_assert_eq!(plain(&fraction), n.to_string());
            let exponent = format!("{n}e0");
            prop_assert_eq!(plain(&exponent), n.to_string());
        }

        #[test]
        fn the_rewrite_never_changes_a_numbers_value(mantissa in -1_000_000i64..1_000_000, point in 0usize..8, exp in -12i32..12) {
            let digits = mantissa.unsigned_abs().to_string();
            let point = point.min(digits.len());
            let sign = if mantissa < 0 { "-" } else { "" };
            let (whole, fraction) = digits.split_at(digits.len() - point);
            let whole = if whole.is_empty() { "0" } else { whole };
            let token = if fraction.is_empty() {
                format!("{sign}{whole}e{exp}")
            } else {
                format!("{sign}{whole}.{fraction}e{exp}")
            };
            let before: f64 = token.parse().unwrap();
            let after = plain(&token);
            let read: f64 = after.parse().unwrap();
            prop_assert_eq!(before, read, "{} became {}", token, after);
            if after != token {
                prop_assert!(after.parse::<i64>().is_ok() || after.parse::<u64>().is_ok(), "{}", after);
            }
        }
    }
}
