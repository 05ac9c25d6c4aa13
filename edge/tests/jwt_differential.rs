//! The edge's hand-written HS256 tokens (`edge::auth::jwt`, kept small for the wasm build) held
//! to `jsonwebtoken`, natively: what one signs the other reads back with the same claims, and
//! what one refuses the other refuses for the same reason (expiry, wrong key, algorithm,
//! issuer or audience, tampering).
//!
//! `jsonwebtoken` reads the system clock, so every case is built around the current second and
//! skipped when the second changes while it runs. Its expiry rule is set to the edge's (a token
//! is dead at `exp`, no leeway). The edge is stricter in one way `jsonwebtoken` has no setting
//! for: it also refuses a token issued more than 30 seconds in the future; that case is checked
//! on its own.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::accounts::Role;
use domain::{SessionId, TenantId, UserId};
use edge::auth::jwt::{issue, verify, Claims, TokenError, AUDIENCE, ISSUER};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use proptest::prelude::*;
use std::time::{SystemTime, UNIX_EPOCH};

const KEY: &[u8] = b"differential-test-signing-key-0123456789";

fn now() -> i64 {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs();
    i64::try_from(seconds).expect("fits")
}

/// The edge's rules, in `jsonwebtoken`'s terms.
fn validation() -> Validation {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    validation.leeway = 0;
    // `exp - 1 < now`, that is `exp <= now`: the edge's rule.
    validation.reject_tokens_expiring_in_less_than = 1;
    validation
}

/// How `jsonwebtoken` answers, in the edge's words.
fn library_verify(key: &[u8], token: &str) -> Result<Claims, TokenError> {
    jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(key), &validation())
        .map(|data| data.claims)
        .map_err(|error| match error.kind() {
            ErrorKind::InvalidSignature => TokenError::Signature,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => TokenError::Algorithm,
            ErrorKind::InvalidIssuer | ErrorKind::InvalidAudience => TokenError::Audience,
            ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Malformed,
        })
}

fn library_sign(algorithm: Algorithm, key: &[u8], claims: &Claims) -> String {
    jsonwebtoken::encode(&Header::new(algorithm), claims, &EncodingKey::from_secret(key)).expect("signs")
}

/// Claims issued `age` seconds ago, living `ttl` seconds, for the given issuer and audience.
fn claims(now: i64, parts: &Parts) -> Claims {
    Claims {
        iss: if parts.our_issuer { ISSUER.into() } else { "someone-else".into() },
        aud: if parts.our_audience { AUDIENCE.into() } else { "another-api".into() },
        sub: UserId::from_random_bytes(parts.ids[0]),
        tid: TenantId::from_random_bytes(parts.ids[1]),
        role: parts.role,
        sid: SessionId::from_random_bytes(parts.ids[2]),
        iat: now - parts.age,
        exp: now - parts.age + parts.ttl,
    }
}

#[derive(Debug, Clone)]
struct Parts {
    our_issuer: bool,
    our_audience: bool,
    ids: [[u8; 16]; 3],
    role: Role,
    /// Seconds since issue; never more than 30 in the future, which the edge alone refuses.
    age: i64,
    ttl: i64,
}

fn parts() -> impl Strategy<Value = Parts> {
    (
        prop::bool::weighted(0.8),
        prop::bool::weighted(0.8),
        any::<[[u8; 16]; 3]>(),
        prop_oneof![Just(Role::Owner), Just(Role::Staff), Just(Role::Viewer)],
        prop_oneof![-30i64..=5, 0i64..=1_200],
        prop_oneof![1i64..=5, 1i64..=1_200],
    )
        .prop_map(|(our_issuer, our_audience, ids, role, age, ttl)| Parts {
            our_issuer,
            our_audience,
            ids,
            role,
            age,
            ttl,
        })
}

/// Runs `case` at the current second, again if the clock ticked meanwhile.
fn at_one_second(case: impl Fn(i64) -> Result<(), TestCaseError>) -> Result<(), TestCaseError> {
    loop {
        let before = now();
        let outcome = case(before);
        if now() == before {
            return outcome;
        }
    }
}

/// Whether two answers agree: the same claims, or refusals for the same reason. When a token
/// has several faults the two check them in different orders, so any refusal agrees then.
fn agree(edge: &Result<Claims, TokenError>, library: &Result<Claims, TokenError>, faults: usize) -> bool {
    match (edge, library) {
        (Ok(a), Ok(b)) => a == b,
        (Err(a), Err(b)) => faults > 1 || a == b,
        _ => false,
    }
}

fn faults(now: i64, parts: &Parts, right_key: bool) -> usize {
    let expired = now - parts.age + parts.ttl <= now;
    [!parts.our_issuer || !parts.our_audience, expired, !right_key].iter().filter(|f| **f).count()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_token_the_edge_signs_reads_the_same_under_jsonwebtoken(parts in parts(), right_key in prop::bool::weighted(0.8)) {
        at_one_second(|now| {
            let token = issue(KEY, &claims(now, &parts));
            let key: &[u8] = if right_key { KEY } else { b"another-key" };
            let edge = verify(key, &token, now);
            let library = library_verify(key, &token);
            prop_assert!(agree(&edge, &library, faults(now, &parts, right_key)), "edge {:?}, jsonwebtoken {:?}", edge, library);
            Ok(())
        })?;
    }

    #[test]
    fn a_token_jsonwebtoken_signs_reads_the_same_under_the_edge(
        parts in parts(),
        right_key in prop::bool::weighted(0.8),
        algorithm in prop_oneof![4 => Just(Algorithm::HS256), 1 => Just(Algorithm::HS384), 1 => Just(Algorithm::HS512)],
    ) {
        at_one_second(|now| {
            let signing_key: &[u8] = if right_key { KEY } else { b"another-key" };
            let token = library_sign(algorithm, signing_key, &claims(now, &parts));
            let edge = verify(KEY, &token, now);
            let library = library_verify(KEY, &token);
            let faults = faults(now, &parts, right_key) + usize::from(algorithm != Algorithm::HS256);
            prop_assert!(agree(&edge, &library, faults), "edge {:?}, jsonwebtoken {:?}", edge, library);
            if algorithm != Algorithm::HS256 {
                prop_assert_eq!(edge, Err(TokenError::Algorithm));
            }
            Ok(())
        })?;
    }

    #[test]
    fn a_token_with_a_swapped_payload_is_refused_by_both_for_its_signature(parts in parts(), other in parts()) {
        at_one_second(|now| {
            let token = issue(KEY, &claims(now, &parts));
            let forged = serde_json::to_vec(&claims(now, &other)).expect("serialises");
            let pieces: Vec<&str> = token.split('.').collect();
            let tampered = format!("{}.{}.{}", pieces[0], URL_SAFE_NO_PAD.encode(forged), pieces[2]);
            prop_assume!(tampered != token);
            prop_assert_eq!(verify(KEY, &tampered, now), Err(TokenError::Signature));
            prop_assert_eq!(library_verify(KEY, &tampered), Err(TokenError::Signature));
            Ok(())
        })?;
    }

    #[test]
    fn garbage_is_refused_by_both(token in "[A-Za-z0-9_.-]{0,80}") {
        let edge = verify(KEY, &token, now());
        let library = library_verify(KEY, &token);
        prop_assert!(edge.is_err() && library.is_err(), "edge {:?}, jsonwebtoken {:?}", edge, library);
    }
}

#[test]
fn an_unsigned_token_is_refused_by_both() {
    let now = now();
    let parts = Parts {
        our_issuer: true,
        our_audience: true,
        ids: [[1; 16], [2; 16], [3; 16]],
        role: Role::Owner,
        age: 0,
        ttl: 600,
    };
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(now, &parts)).expect("serialises"));
    for header in [br#"{"alg":"none","typ":"JWT"}"#.as_slice(), br#"{"alg":"HS256"}"#.as_slice()] {
        let token = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(header));
        assert!(verify(KEY, &token, now).is_err(), "{token}");
        assert!(library_verify(KEY, &token).is_err(), "{token}");
    }
}

#[test]
fn the_edge_alone_refuses_a_token_issued_in_the_future() {
    // `jsonwebtoken` does not check `iat`; the edge allows 30 seconds of clock skew on it.
    let now = now();
    let parts = Parts {
        our_issuer: true,
        our_audience: true,
        ids: [[1; 16], [2; 16], [3; 16]],
        role: Role::Staff,
        age: -31,
        ttl: 600,
    };
    let token = issue(KEY, &claims(now, &parts));
    assert_eq!(verify(KEY, &token, now), Err(TokenError::Expired));
    assert!(library_verify(KEY, &token).is_ok());
    let skewed = issue(KEY, &claims(now, &Parts { age: -30, ..parts }));
    assert_eq!(verify(KEY, &skewed, now).map(|c| c.iat), Ok(now + 30));
}
