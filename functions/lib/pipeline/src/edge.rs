//! The signed client of the edge's internal API.

use queues::internal_api::calls::InternalCall;
use queues::internal_api::{sign, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// A failed call to the edge.
#[derive(Debug, thiserror::Error)]
pub enum EdgeError {
    /// The edge could not be reached or did not answer in time.
    #[error("edge unreachable: {0}")]
    Transport(#[from] reqwest::Error),
    /// The edge answered with an error status.
    #[error("edge answered {status}: {body}")]
    Status {
        /// HTTP status.
        status: u16,
        /// The problem document, shortened.
        body: String,
    },
}

impl EdgeError {
    /// Whether retrying the same call later may succeed (transport errors, 429 and 5xx).
    pub fn is_retryable(&self) -> bool {
        match self {
            EdgeError::Transport(_) => true,
            EdgeError::Status { status, .. } => *status == 429 || *status >= 500,
        }
    }
}

/// Calls `/internal/...` on the edge, signing each request.
#[derive(Clone)]
pub struct EdgeClient {
    http: reqwest::Client,
    base_url: String,
    secret: SecretString,
}

impl std::fmt::Debug for EdgeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgeClient").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl EdgeClient {
    /// A client of the edge at `base_url` (e.g. `http://127.0.0.1:8787`).
    pub fn new(http: reqwest::Client, base_url: impl Into<String>, secret: SecretString) -> Self {
        Self { http, base_url: base_url.into().trim_end_matches('/').to_owned(), secret }
    }

    /// The edge at `EDGE_INTERNAL_URL`, signing with the internal secret the function is given
    /// (`INTERNAL_HMAC_SECRET`, or read through `INTERNAL_HMAC_SECRET_PARAMETER` in AWS).
    pub async fn from_env(http: reqwest::Client) -> anyhow::Result<Self> {
        let secret = crate::config::internal_secret(&http).await?;
        Ok(Self::new(http, crate::config::required("EDGE_INTERNAL_URL")?, secret))
    }

    /// The HTTP client every function uses: bounded timeouts, no redirects to follow.
    pub fn http_client() -> reqwest::Client {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client with these settings always builds")
    }

    /// Makes the internal call `C` with the ids of its path and its body: signs it, sends it, and
    /// decodes its JSON answer, e.g.
    /// `edge.call::<ImportProduct>(&store_id, &product)`.
    pub async fn call<C: InternalCall>(
        &self,
        params: &C::Params,
        body: &C::Request,
    ) -> Result<C::Response, EdgeError> {
        let method = reqwest::Method::from_bytes(C::METHOD.as_bytes()).expect("calls name valid methods");
        let path = C::path(params);
        let body = serde_json::to_vec(body).expect("request bodies always serialise");
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let signature =
            sign(self.secret.expose_secret().as_bytes(), C::METHOD, &path, timestamp, &nonce, &body);
        let response = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .header("content-type", "application/json")
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(NONCE_HEADER, nonce)
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default().chars().take(500).collect();
            return Err(EdgeError::Status { status: status.as_u16(), body });
        }
        Ok(response.json().await?)
    }
}
