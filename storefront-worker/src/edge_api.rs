//! Calls to the edge's signed internal API: the storefront never writes D1 itself. Each call is
//! signed like the pipelines' (HMAC-SHA256 over method, path, timestamp, nonce and body hash).

use queues::internal_api::calls::InternalCall;
use queues::internal_api::{sign, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use worker::js_sys::{global, Function, Reflect, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::{Env, Fetch, Headers, Method, Request, RequestInit};

/// Where the edge is and the shared secret, read from the environment.
pub struct EdgeApi {
    base: String,
    secret: String,
}

/// Cryptographically random bytes from Web Crypto.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let buffer = Uint8Array::new_with_length(N as u32);
    let crypto = Reflect::get(&global(), &JsValue::from_str("crypto")).expect("Workers expose crypto");
    let get_random_values: Function = Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))
        .expect("Workers expose crypto.getRandomValues")
        .unchecked_into();
    get_random_values.call1(&crypto, &buffer).expect("getRandomValues fills the buffer");
    let mut out = [0u8; N];
    buffer.copy_to(&mut out);
    out
}

fn setting(env: &Env, name: &str) -> worker::Result<String> {
    env.var(name)
        .map(|v| v.to_string())
        .or_else(|_| env.secret(name).map(|s| s.to_string()))
        .map_err(|_| worker::Error::RustError(format!("configuration `{name}` is not set")))
}

impl EdgeApi {
    /// The edge of this deployment (`EDGE_URL`, `INTERNAL_HMAC_SECRET`).
    pub fn from_env(env: &Env) -> worker::Result<Self> {
        let secret = setting(env, "INTERNAL_HMAC_SECRET")?;
        // It signs internal calls and cart cookies: an empty or guessable one would let anyone
        // forge both.
        domain::secrets::signing_key("INTERNAL_HMAC_SECRET", &secret)
            .map_err(|e| worker::Error::RustError(e.to_string()))?;
        Ok(Self { base: setting(env, "EDGE_URL")?, secret })
    }

    /// The shared secret, which also keys the cart cookie's signature.
    pub fn secret(&self) -> &[u8] {
        self.secret.as_bytes()
    }

    /// Makes the signed internal call `C` with the ids of its path and its body; the status and
    /// the body of the answer (a `C::Response` when the status says success, else a problem).
    pub async fn call<C: InternalCall>(
        &self,
        params: &C::Params,
        body: &C::Request,
        now_ms: f64,
    ) -> worker::Result<(u16, String)> {
        self.send(C::METHOD, &C::path(params), &serde_json::to_string(body)?, now_ms).await
    }

    /// [`EdgeApi::call`] for a shopper's own action (a checkout, a sign-up, a review), which is as
    /// safe to repeat as the shopper's second click: a call the edge did not answer (a connection
    /// lost on the way) goes once more with a fresh nonce, and when that fails too the answer is a
    /// 503 with no body, which each page turns into its "try again in a moment".
    pub async fn call_for_shopper<C: InternalCall>(
        &self,
        params: &C::Params,
        body: &C::Request,
        now_ms: f64,
    ) -> worker::Result<(u16, String)> {
        let (path, body) = (C::path(params), serde_json::to_string(body)?);
        for attempt in 1..=2 {
            match self.send(C::METHOD, &path, &body, now_ms).await {
                Ok(answer) => return Ok(answer),
                Err(error) => {
                    worker::console_warn!("the edge did not answer {path} (attempt {attempt}): {error}")
                }
            }
        }
        Ok((503, String::new()))
    }

    async fn send(&self, method: &str, path: &str, body: &str, now_ms: f64) -> worker::Result<(u16, String)> {
        let timestamp = (now_ms / 1_000.0) as i64;
        let nonce = hex::encode(random_bytes::<16>());
        let signature = sign(self.secret.as_bytes(), method, path, timestamp, &nonce, body.as_bytes());
        let headers = Headers::new();
        headers.set("content-type", "application/json")?;
        headers.set(TIMESTAMP_HEADER, &timestamp.to_string())?;
        headers.set(NONCE_HEADER, &nonce)?;
        headers.set(SIGNATURE_HEADER, &signature)?;
        let mut init = RequestInit::new();
        init.with_method(Method::from(method.to_owned())).with_headers(headers).with_body(Some(body.into()));
        let request = Request::new_with_init(&format!("{}{path}", self.base.trim_end_matches('/')), &init)?;
        let mut response = Fetch::Request(request).send().await?;
        let status = response.status_code();
        Ok((status, response.text().await.unwrap_or_default()))
    }
}

/// A setting, or `default` when it is not set.
pub fn setting_or(env: &Env, name: &str, default: &str) -> String {
    setting(env, name).unwrap_or_else(|_| default.to_owned())
}
