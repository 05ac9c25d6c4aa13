//! Reading configuration from the environment.

use anyhow::Context;
use secrecy::SecretString;

/// A required variable; the error names it.
pub fn required(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| format!("environment variable `{name}` is not set"))
}

/// An optional variable; empty counts as unset.
pub fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The secret shared with the edge for internal API signatures.
///
/// Locally it is `INTERNAL_HMAC_SECRET`. In AWS the function gets `INTERNAL_HMAC_SECRET_PARAMETER`,
/// the name of an SSM SecureString, and reads it through the Parameters and Secrets Lambda
/// extension on `localhost:2773`, so the secret never sits in the function's configuration.
/// An empty, short or placeholder secret is refused ([`domain::secrets::signing_key`]).
pub async fn internal_secret(http: &reqwest::Client) -> anyhow::Result<SecretString> {
    if let Some(secret) = optional("INTERNAL_HMAC_SECRET") {
        domain::secrets::signing_key("INTERNAL_HMAC_SECRET", &secret)?;
        return Ok(SecretString::from(secret));
    }
    let parameter = required("INTERNAL_HMAC_SECRET_PARAMETER")
        .context("set INTERNAL_HMAC_SECRET (local) or INTERNAL_HMAC_SECRET_PARAMETER (AWS)")?;
    let token = required("AWS_SESSION_TOKEN")?;
    let response: serde_json::Value = http
        .get(format!(
            "http://localhost:2773/systemsmanager/parameters/get?name={}&withDecryption=true",
            urlencoding::encode(&parameter)
        ))
        .header("X-Aws-Parameters-Secrets-Token", token)
        .send()
        .await
        .context("asking the parameters extension for the internal secret")?
        .error_for_status()
        .context("the parameters extension refused")?
        .json()
        .await
        .context("reading the parameters extension's answer")?;
    let value = response["Parameter"]["Value"].as_str().context("the parameter has no value")?;
    domain::secrets::signing_key("INTERNAL_HMAC_SECRET_PARAMETER", value)?;
    Ok(SecretString::from(value.to_owned()))
}
