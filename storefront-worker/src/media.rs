//! `/media/<name>.webp`: product images from the media bucket (S3 key
//! `stores/<store>/media/<name>.webp`), fetched with a SigV4-signed path-style `GET` and kept in
//! the edge cache for a year: the names are immutable, and serving from the cache keeps S3
//! egress off the bill.

use sigv4::{Credentials, Payload, Scope};
use worker::{Env, Fetch, Headers, Method, Request, RequestInit, Response};

/// How long browsers and the edge keep a media file.
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The S3 key of a store's media file.
pub fn key(store: &str, name: &str) -> String {
    format!("stores/{store}/media/{name}")
}

/// The file served in place of `name` when the bucket has no such file: images imported before
/// the media pipeline made 800 pixel variants have only the 960 pixel one.
pub fn stand_in(name: &str) -> Option<String> {
    name.strip_suffix("-800.webp").map(|base| format!("{base}-960.webp"))
}

/// Fetches a media file from the bucket; `None` when it does not exist.
pub async fn fetch(env: &Env, store: &str, name: &str, now_ms: f64) -> worker::Result<Option<Response>> {
    let get = |n: &str, d: &str| crate::edge_api::setting_or(env, n, d);
    let endpoint = get("S3_ENDPOINT", "");
    let bucket = get("MEDIA_BUCKET", "");
    if endpoint.is_empty() || bucket.is_empty() {
        return Ok(None);
    }
    let region = get("AWS_REGION", "us-east-1");
    let url = format!("{}/{bucket}/{}", endpoint.trim_end_matches('/'), key(store, name));
    let host = url.split("://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_default().to_owned();
    let (access_key_id, secret_access_key) = (get("AWS_ACCESS_KEY_ID", ""), get("AWS_SECRET_ACCESS_KEY", ""));
    let unsigned = [("host", host.as_str()), ("x-amz-content-sha256", "UNSIGNED-PAYLOAD")];
    let signed = sigv4::sign(
        &sigv4::Request { method: "GET", url: &url, headers: &unsigned, payload: Payload::Unsigned },
        Credentials { access_key_id: &access_key_id, secret_access_key: &secret_access_key },
        Scope { region: &region, service: "s3", time_ms: now_ms as u64 },
    )
    .map_err(|e| worker::Error::RustError(format!("SigV4 signing: {e}")))?;
    let headers = Headers::new();
    for (name, value) in unsigned
        .iter()
        .copied()
        .filter(|(n, _)| *n != "host")
        .chain(signed.iter().map(|(n, v)| (*n, v.as_str())))
    {
        headers.set(name, value)?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let mut response = Fetch::Request(Request::new_with_init(&url, &init)?).send().await?;
    if response.status_code() != 200 {
        return Ok(None);
    }
    let bytes = response.bytes().await?;
    let out = Headers::new();
    out.set("content-type", "image/webp")?;
    out.set("cache-control", CACHE_CONTROL)?;
    out.set("x-content-type-options", "nosniff")?;
    Ok(Some(Response::from_bytes(bytes)?.with_headers(out)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn media_files_live_under_their_store() {
        assert_eq!(super::key("s-1", "brush-480.webp"), "stores/s-1/media/brush-480.webp");
    }

    #[test]
    fn an_800_pixel_variant_that_is_missing_is_served_as_the_960_one() {
        assert_eq!(super::stand_in("brush-800.webp").as_deref(), Some("brush-960.webp"));
        assert_eq!(super::stand_in("brush-480.webp"), None);
        assert_eq!(super::stand_in("brush.webp"), None);
    }
}
