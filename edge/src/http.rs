//! What every handler gets from the request, read once, and the responses they answer with.

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use serde::Serialize;
use worker::{Env, Headers, Request, Response, Url};

/// The largest body any route takes (a product import, `v1::products::import`): a request that
/// announces more is refused before its body is read.
pub const MAX_BODY_BYTES: u64 = 5 * 1024 * 1024;

/// A request, read: its URL, body and the headers handlers use, with the edge's bindings and
/// configuration.
pub struct Ctx<'a> {
    /// The Worker's bindings.
    pub env: &'a Env,
    /// The configuration, parsed from `env`.
    pub config: Config,
    /// The request method.
    pub method: String,
    /// The request URL.
    pub url: Url,
    /// The body of a `POST`, `PUT` or `PATCH` (empty otherwise).
    pub body: String,
    /// The request's headers.
    pub headers: Headers,
    /// The caller's IP (`cf-connecting-ip`; `local` under `wrangler dev` without one).
    pub ip: String,
}

impl<'a> Ctx<'a> {
    /// Reads the parts of `req` that handlers use.
    pub async fn read(req: &mut Request, env: &'a Env) -> ApiResult<Self> {
        let config = Config::from_env(env).map_err(|e| ApiError::internal("configuration", e))?;
        let method = req.method().to_string();
        let announced = req.headers().get("content-length")?.and_then(|l| l.trim().parse::<u64>().ok());
        if announced.is_some_and(|len| len > MAX_BODY_BYTES) {
            return Err(ApiError::new(413, "body_too_large", "request body must be at most 5 MiB"));
        }
        let body = match method.as_str() {
            "POST" | "PUT" | "PATCH" => req.text().await?,
            _ => String::new(),
        };
        let headers = req.headers().clone();
        let ip = headers.get("cf-connecting-ip")?.unwrap_or_else(|| "local".to_owned());
        Ok(Self { env, config, method, url: req.url()?, body, headers, ip })
    }

    /// A query parameter.
    pub fn query(&self, name: &str) -> Option<String> {
        self.url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }

    /// A request header.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).ok().flatten()
    }

    /// The path and query, as the internal API signs them.
    pub fn path_and_query(&self) -> String {
        match self.url.query() {
            Some(q) => format!("{}?{q}", self.url.path()),
            None => self.url.path().to_owned(),
        }
    }
}

/// A JSON answer that is never cached.
pub fn json<T: Serialize>(status: u16, value: &T) -> ApiResult<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::from_json(value)?.with_status(status).with_headers(headers))
}

/// An answer without a body.
pub fn empty(status: u16) -> ApiResult<Response> {
    Ok(Response::empty()?.with_status(status))
}

/// An HTML page of the edge's own (no script, inline styles only, forms post to the edge).
pub fn html(status: u16, page: String) -> ApiResult<Response> {
    let headers = Headers::new();
    headers.set("content-type", "text/html; charset=utf-8")?;
    headers.set("cache-control", "no-store")?;
    headers.set(
        "content-security-policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    )?;
    Ok(Response::ok(page)?.with_status(status).with_headers(headers))
}
