//! Cloudflare for SaaS: a verified custom domain gets a custom hostname in the shops' zone, which
//! makes Cloudflare serve the shop on it (with a certificate of its own); the hostname goes with
//! the domain. API v4, `custom_hostnames` of one zone, with a token allowed to edit them.

use crate::config::CloudflareConfig;
use serde_json::Value;
use worker::{Fetch, Headers, Method, Request, RequestInit};

/// Cloudflare's code for "Duplicate custom hostname found."
const DUPLICATE: i64 = 1406;
/// Cloudflare's code for "The custom hostname was not found."
const NOT_FOUND: i64 = 1436;

impl CloudflareConfig {
    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<(u16, Value), String> {
        let headers = Headers::new();
        let set = |name: &str, value: &str| headers.set(name, value).map_err(|e| e.to_string());
        set("authorization", &format!("Bearer {}", self.api_token))?;
        set("content-type", "application/json")?;
        let mut init = RequestInit::new();
        init.with_method(method).with_headers(headers);
        if let Some(body) = body {
            init.with_body(Some(body.to_string().into()));
        }
        let url =
            format!("{}/zones/{}/custom_hostnames{path}", self.api_url.trim_end_matches('/'), self.zone_id);
        let request = Request::new_with_init(&url, &init).map_err(|e| e.to_string())?;
        let mut response =
            Fetch::Request(request).send().await.map_err(|e| format!("Cloudflare unreachable: {e}"))?;
        let status = response.status_code();
        let body: Value = response.json().await.map_err(|e| format!("Cloudflare answer ({status}): {e}"))?;
        Ok((status, body))
    }

    /// Creates the custom hostname of `host` (or finds the one made by an earlier attempt) and
    /// answers its id.
    pub async fn create_hostname(&self, host: &str) -> Result<String, String> {
        let body = serde_json::json!({
            "hostname": host,
            "ssl": { "method": "http", "type": "dv", "settings": { "min_tls_version": "1.2" } },
        });
        let (status, answer) = self.call(Method::Post, "", Some(&body)).await?;
        if (200..300).contains(&status) {
            if let Some(id) = answer["result"]["id"].as_str() {
                return Ok(id.to_owned());
            }
        }
        if has_code(&answer, DUPLICATE) {
            let (_, found) =
                self.call(Method::Get, &format!("?hostname={}", urlencoding::encode(host)), None).await?;
            let existing =
                found["result"].as_array().and_then(|all| all.iter().find(|h| h["hostname"] == host));
            if let Some(id) = existing.and_then(|h| h["id"].as_str()) {
                return Ok(id.to_owned());
            }
        }
        Err(format!("creating the custom hostname answered {status}: {}", answer["errors"]))
    }

    /// Deletes a custom hostname; one already gone counts as deleted.
    pub async fn delete_hostname(&self, id: &str) -> Result<(), String> {
        let (status, answer) =
            self.call(Method::Delete, &format!("/{}", urlencoding::encode(id)), None).await?;
        if (200..300).contains(&status) || has_code(&answer, NOT_FOUND) {
            return Ok(());
        }
        Err(format!("deleting the custom hostname answered {status}: {}", answer["errors"]))
    }
}

fn has_code(answer: &Value, code: i64) -> bool {
    answer["errors"].as_array().is_some_and(|errors| errors.iter().any(|e| e["code"].as_i64() == Some(code)))
}
