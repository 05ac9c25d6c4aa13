//! AWS Signature Version 4, header-based, for the few calls the Workers make to AWS themselves.
//!
//! The `aws-sigv4` crate does the same, but in a Worker it brings `http`, `bytes` and the Smithy
//! types with it: about 75 KB of each Worker's wasm for two requests. This module signs what the
//! Workers send (a JSON `POST` to SQS, a `GET` of an S3 object) the way `aws-sigv4` does with its
//! default settings; `tests/differential.rs` holds it to that crate natively on generated requests.
//!
//! Not covered, because no caller needs it: query-string (presigned) signing, session tokens,
//! and paths that need percent-encoding (`sign` refuses them rather than guess).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The algorithm name at the start of the string to sign and of the `Authorization` header.
const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// What a request is signed with.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    /// The access key id, sent in the clear in the `Authorization` header.
    pub access_key_id: &'a str,
    /// The secret key; only HMAC keys are derived from it.
    pub secret_access_key: &'a str,
}

/// Where and when a request is signed for.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    /// For example `us-east-1`.
    pub region: &'a str,
    /// The signing name of the service: `sqs`, `s3`.
    pub service: &'a str,
    /// The signing time, in milliseconds since the Unix epoch (wasm32 has no system clock, so
    /// the caller passes the Worker's `Date.now()`).
    pub time_ms: u64,
}

/// The body as it enters the signature.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    /// Signed: its SHA-256 is part of the canonical request.
    Bytes(&'a [u8]),
    /// `UNSIGNED-PAYLOAD`, as S3 allows for a `GET`.
    Unsigned,
}

/// The request to sign. Every header given here is signed (a repeated one as one header with its
/// values comma-separated); `host` must be among them.
pub struct Request<'a> {
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// The absolute URL, `scheme://host[:port]/path[?query]`.
    pub url: &'a str,
    /// Header names (any case) and values.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body.
    pub payload: Payload<'a>,
}

/// Why a request could not be signed.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// The URL is not `scheme://authority/path`.
    Url,
    /// The path or query holds a character that would need percent-encoding.
    Unencoded,
    /// No `host` header was given.
    NoHost,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Error::Url => "the URL to sign is not absolute",
            Error::Unencoded => "the URL to sign holds characters that need percent-encoding",
            Error::NoHost => "the request to sign has no host header",
        })
    }
}

impl std::error::Error for Error {}

/// Signs `request` and returns the headers to add to it: `x-amz-date` and `authorization`.
pub fn sign(
    request: &Request<'_>,
    credentials: Credentials<'_>,
    scope: Scope<'_>,
) -> Result<[(&'static str, String); 2], Error> {
    let (path, query) = path_and_query(request.url)?;
    let amz_date = amz_date(scope.time_ms);
    let date = &amz_date[..8];

    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), normalize(value)))
        .chain([("x-amz-date".to_owned(), amz_date.clone())])
        .collect();
    if !headers.iter().any(|(name, _)| name == "host") {
        return Err(Error::NoHost);
    }
    // By name, keeping the order of a repeated header's values, which are then signed as one
    // header, comma-separated.
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    headers.dedup_by(|later, first| {
        let repeated = later.0 == first.0;
        if repeated {
            first.1 = format!("{},{}", first.1, later.1);
        }
        repeated
    });
    let signed_headers = headers.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(";");
    let payload_hash = match request.payload {
        Payload::Bytes(bytes) => hex::encode(Sha256::digest(bytes)),
        Payload::Unsigned => "UNSIGNED-PAYLOAD".to_owned(),
    };

    let mut canonical = format!("{}\n{path}\n{}\n", request.method, canonical_query(query));
    for (name, value) in &headers {
        canonical += &format!("{name}:{value}\n");
    }
    canonical += &format!("\n{signed_headers}\n{payload_hash}");

    let credential_scope = format!("{date}/{}/{}/aws4_request", scope.region, scope.service);
    let string_to_sign =
        format!("{ALGORITHM}\n{amz_date}\n{credential_scope}\n{}", hex::encode(Sha256::digest(&canonical)));
    let key = [date, scope.region, scope.service, "aws4_request"]
        .iter()
        .fold(format!("AWS4{}", credentials.secret_access_key).into_bytes(), |key, part| {
            hmac(&key, part.as_bytes())
        });
    let signature = hex::encode(hmac(&key, string_to_sign.as_bytes()));
    let authorization = format!(
        "{ALGORITHM} Credential={}/{credential_scope}, SignedHeaders={signed_headers}, Signature={signature}",
        credentials.access_key_id
    );
    Ok([("x-amz-date", amz_date), ("authorization", authorization)])
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The path (`/` when empty) and the query of an absolute URL, refused when either would need
/// percent-encoding: the canonical forms below are then the strings as given.
fn path_and_query(url: &str) -> Result<(&str, &str), Error> {
    let (_, rest) = url.split_once("://").ok_or(Error::Url)?;
    let rest = rest.split('#').next().unwrap_or_default();
    let (path, query) = match rest.find('/') {
        Some(start) => rest[start..].split_once('?').unwrap_or((&rest[start..], "")),
        None => ("/", rest.split_once('?').map_or("", |(_, q)| q)),
    };
    let plain = |s: &str, extra: &[u8]| s.bytes().all(|b| unreserved(b) || extra.contains(&b));
    if !plain(path, b"/")
        || !plain(query, b"=&")
        || path.contains("//")
        || path.split('/').any(|s| s == "." || s == "..")
    {
        return Err(Error::Unencoded);
    }
    Ok((path, query))
}

fn unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

/// Query parameters sorted by name, then value; a parameter without `=` gets an empty value.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(&str, &str)> =
        query.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, ""))).collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// A header value as it is signed: trimmed, with runs of spaces inside collapsed to one.
fn normalize(value: &str) -> String {
    value.split(' ').filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ")
}

/// `YYYYMMDDTHHMMSSZ` in UTC.
fn amz_date(time_ms: u64) -> String {
    let secs = time_ms / 1000;
    let (days, of_day) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!("{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z", of_day / 3600, of_day % 3600 / 60, of_day % 60)
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_formatted_in_utc_across_leap_days_and_years() {
        assert_eq!(amz_date(0), "19700101T000000Z");
        assert_eq!(amz_date(951_782_400_000), "20000229T000000Z");
        assert_eq!(amz_date(1_798_761_599_999), "20261231T235959Z");
    }

    #[test]
    fn paths_that_need_encoding_are_refused_rather_than_signed_wrongly() {
        let request =
            |url| Request { method: "GET", url, headers: &[("host", "h")], payload: Payload::Unsigned };
        let creds = Credentials { access_key_id: "AKID", secret_access_key: "secret" };
        let scope = Scope { region: "us-east-1", service: "s3", time_ms: 0 };
        assert_eq!(sign(&request("http://h/a b"), creds, scope).unwrap_err(), Error::Unencoded);
        assert_eq!(sign(&request("http://h/a/../b"), creds, scope).unwrap_err(), Error::Unencoded);
        assert_eq!(sign(&request("h/a"), creds, scope).unwrap_err(), Error::Url);
        assert!(sign(&request("http://h/bucket/stores/s-1/media/a-480.webp"), creds, scope).is_ok());
    }

    #[test]
    fn a_request_without_a_host_header_is_refused() {
        let request = Request { method: "GET", url: "http://h/", headers: &[], payload: Payload::Unsigned };
        let creds = Credentials { access_key_id: "AKID", secret_access_key: "secret" };
        let scope = Scope { region: "us-east-1", service: "s3", time_ms: 0 };
        assert_eq!(sign(&request, creds, scope).unwrap_err(), Error::NoHost);
    }
}
