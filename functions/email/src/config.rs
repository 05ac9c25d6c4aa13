//! Configuration from the environment, parsed once at start; a missing or bad variable fails with
//! its name. Keys and passwords are kept as secrets and never printed.
//!
//! | variable | meaning |
//! |---|---|
//! | `EMAIL_PROVIDER` | `smtp`, `resend` or `sendgrid` |
//! | `EMAIL_FROM` | the platform's sender, `Name <address>` |
//! | `TABLE_NAME` | the pipeline table: idempotency, sent-mail records, suppression list |
//! | `SMTP_HOST`, `SMTP_PORT` | the relay (`smtp`); the port defaults to 587, 465 for `tls`, 25 for `none` |
//! | `SMTP_TLS` | `starttls`, `tls` or `none`; `none` only to a loopback host, which is the default there |
//! | `SMTP_USERNAME`, `SMTP_PASSWORD` | the relay's credentials, if it wants them |
//! | `RESEND_API_KEY`, `RESEND_API_URL` | `resend`: the key, and the API's base URL (default the real one) |
//! | `SENDGRID_API_KEY`, `SENDGRID_API_URL` | `sendgrid`: likewise |

use crate::http_url::{is_https_or_loopback_url, is_loopback_host};
use crate::providers::smtp::{SmtpSettings, SmtpTls};
use crate::providers::{resend, sendgrid};
use anyhow::{bail, Context};
use lettre::message::Mailbox;
use secrecy::SecretString;

/// Everything the function reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// Who the mails come from.
    pub from: Mailbox,
    /// The pipeline's DynamoDB table.
    pub table: String,
    /// The provider and its settings.
    pub provider: ProviderConfig,
}

/// The chosen provider's settings.
#[derive(Debug, Clone)]
pub enum ProviderConfig {
    /// An SMTP relay.
    Smtp(SmtpSettings),
    /// The Resend API.
    Resend {
        /// Base URL of the API.
        base_url: String,
        /// The API key.
        api_key: SecretString,
    },
    /// The SendGrid API.
    SendGrid {
        /// Base URL of the API.
        base_url: String,
        /// The API key.
        api_key: SecretString,
    },
}

impl Config {
    /// Reads the process environment (empty counts as unset).
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(pipeline::config::optional)
    }

    /// Reads variables through `get`, which answers `None` for unset ones.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let required =
            |name: &str| get(name).with_context(|| format!("environment variable `{name}` is not set"));
        let from_raw = required("EMAIL_FROM")?;
        let from: Mailbox = from_raw.parse().with_context(|| {
            format!("EMAIL_FROM `{from_raw}` is not a mailbox like `Name <no-reply@example.com>`")
        })?;
        let table = required("TABLE_NAME")?;
        let provider = match required("EMAIL_PROVIDER")?.as_str() {
            "smtp" => ProviderConfig::Smtp(smtp_settings(&get)?),
            "resend" => ProviderConfig::Resend {
                base_url: api_url(&get, "RESEND_API_URL", resend::DEFAULT_BASE_URL)?,
                api_key: SecretString::from(required("RESEND_API_KEY")?),
            },
            "sendgrid" => ProviderConfig::SendGrid {
                base_url: api_url(&get, "SENDGRID_API_URL", sendgrid::DEFAULT_BASE_URL)?,
                api_key: SecretString::from(required("SENDGRID_API_KEY")?),
            },
            other => bail!("EMAIL_PROVIDER `{other}` is not one of smtp, resend, sendgrid"),
        };
        Ok(Self { from, table, provider })
    }
}

fn smtp_settings(get: &impl Fn(&str) -> Option<String>) -> anyhow::Result<SmtpSettings> {
    let host = get("SMTP_HOST").context("environment variable `SMTP_HOST` is not set")?;
    let loopback = is_loopback_host(host.trim_start_matches('[').trim_end_matches(']'));
    let tls = match get("SMTP_TLS").as_deref() {
        None if loopback => SmtpTls::None,
        None | Some("starttls") => SmtpTls::StartTls,
        Some("tls") => SmtpTls::Implicit,
        Some("none") if loopback => SmtpTls::None,
        Some("none") => bail!("SMTP_TLS=none is only allowed when SMTP_HOST is a loopback host"),
        Some(other) => bail!("SMTP_TLS `{other}` is not one of starttls, tls, none"),
    };
    let port = match get("SMTP_PORT") {
        Some(port) => port.parse().with_context(|| format!("SMTP_PORT `{port}` is not a port number"))?,
        None => match tls {
            SmtpTls::StartTls => 587,
            SmtpTls::Implicit => 465,
            SmtpTls::None => 25,
        },
    };
    let credentials = match (get("SMTP_USERNAME"), get("SMTP_PASSWORD")) {
        (Some(user), Some(password)) => Some((user, SecretString::from(password))),
        (None, None) => None,
        _ => bail!("set both SMTP_USERNAME and SMTP_PASSWORD, or neither"),
    };
    Ok(SmtpSettings { host, port, tls, credentials })
}

fn api_url(get: &impl Fn(&str) -> Option<String>, name: &str, default: &str) -> anyhow::Result<String> {
    let url = get(name).unwrap_or_else(|| default.to_owned());
    if !is_https_or_loopback_url(&url) {
        bail!("{name} `{url}` must be https:// (http:// only to a loopback host): it carries the API key");
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        let vars: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    const BASE: [(&str, &str); 2] =
        [("EMAIL_FROM", "Dropship <no-reply@dropship.localhost>"), ("TABLE_NAME", "pipeline")];

    #[test]
    fn the_local_smtp_settings_need_no_tls() {
        let mut vars = BASE.to_vec();
        vars.extend([("EMAIL_PROVIDER", "smtp"), ("SMTP_HOST", "127.0.0.1"), ("SMTP_PORT", "1025")]);
        let config = config(&vars).unwrap();
        let ProviderConfig::Smtp(smtp) = config.provider else { panic!("not smtp") };
        assert_eq!((smtp.host.as_str(), smtp.port, smtp.tls), ("127.0.0.1", 1025, SmtpTls::None));
        assert!(smtp.credentials.is_none());
        assert_eq!(config.from.email.to_string(), "no-reply@dropship.localhost");
    }

    #[test]
    fn a_remote_smtp_relay_defaults_to_starttls_and_refuses_plain_text() {
        let mut vars = BASE.to_vec();
        vars.extend([("EMAIL_PROVIDER", "smtp"), ("SMTP_HOST", "smtp.example.com")]);
        let ProviderConfig::Smtp(smtp) = config(&vars).unwrap().provider else { panic!("not smtp") };
        assert_eq!((smtp.port, smtp.tls), (587, SmtpTls::StartTls));
        vars.push(("SMTP_TLS", "none"));
        assert!(config(&vars).unwrap_err().to_string().contains("SMTP_TLS=none"));
    }

    #[test]
    fn a_missing_variable_is_named() {
        let err = config(&[("EMAIL_FROM", "a@example.com"), ("EMAIL_PROVIDER", "resend")]).unwrap_err();
        assert_eq!(err.to_string(), "environment variable `TABLE_NAME` is not set");
        let mut vars = BASE.to_vec();
        vars.push(("EMAIL_PROVIDER", "resend"));
        assert_eq!(
            config(&vars).unwrap_err().to_string(),
            "environment variable `RESEND_API_KEY` is not set"
        );
    }

    #[test]
    fn an_unknown_provider_is_refused() {
        let mut vars = BASE.to_vec();
        vars.push(("EMAIL_PROVIDER", "mailchimp"));
        assert!(config(&vars).unwrap_err().to_string().contains("`mailchimp`"));
    }

    #[test]
    fn api_keys_never_show_in_debug_output_and_only_travel_over_https() {
        let mut vars = BASE.to_vec();
        vars.extend([("EMAIL_PROVIDER", "sendgrid"), ("SENDGRID_API_KEY", "SG.very-secret")]);
        let config_ok = config(&vars).unwrap();
        assert!(!format!("{config_ok:?}").contains("very-secret"));
        let ProviderConfig::SendGrid { base_url, .. } = config_ok.provider else { panic!("not sendgrid") };
        assert_eq!(base_url, "https://api.sendgrid.com");
        vars.push(("SENDGRID_API_URL", "http://sendgrid.example.com"));
        assert!(config(&vars).is_err());
    }
}
