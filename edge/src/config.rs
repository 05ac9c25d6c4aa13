//! Binding names (matching `wrangler.toml`) and configuration read from the environment.

use domain::Plan;
use worker::Env;

/// The KV namespace with routing records and cache versions.
pub const EDGE_KV: &str = "EDGE_KV";

/// Configuration of the edge, read once per request from `Env` (bindings are free to read).
pub struct Config {
    /// Key that signs merchant access tokens (HS256).
    pub jwt_key: String,
    /// Secret shared with the functions for the internal API's signatures.
    pub internal_secret: String,
    /// The domain store sub-domains live under (`localhost` locally).
    pub shops_domain: String,
    /// How a store's URL is made from its host, e.g. `https://{host}` or `http://{host}:8788`.
    pub storefront_url_template: String,
    /// How many store database shards are bound (`STORE_DB_0..N`).
    pub store_shards: u16,
    /// Where research requests are sent.
    pub sqs: SqsConfig,
    /// Stripe: API, keys and the price of each paid plan.
    pub stripe: StripeConfig,
    /// Where Checkout sends the merchant back to (the dashboard's origin).
    pub billing_return_url: String,
    /// Where Stripe's hosted Connect onboarding sends the merchant back to; `{store}` is replaced
    /// by the store's id.
    pub payouts_return_url: String,
    /// The DNS-over-HTTPS resolver custom domains are verified through (RFC 8484 wire format).
    pub doh_url: String,
    /// Cloudflare for SaaS: where verified custom domains get their custom hostnames.
    pub cloudflare: CloudflareConfig,
    /// The link a verification mail carries, with `{token}` in it.
    pub verify_email_url_template: String,
    /// The link an invitation mail carries, with `{token}` in it.
    pub accept_invitation_url_template: String,
    /// The link a password-reset mail carries, with `{token}` in it.
    pub reset_password_url_template: String,
    /// The one-click unsubscribe link of a store's marketing mail, with `{store}` and `{token}`.
    pub unsubscribe_url_template: String,
    /// The link that confirms a shopper's sign-up to a store's mail, with `{store}` and `{token}`.
    pub confirm_subscription_url_template: String,
    /// Resend's webhook signing secret (`whsec_...`); without it the Resend webhook is off.
    pub resend_webhook_secret: Option<String>,
    /// SendGrid's Event Webhook verification key (base64 DER); without it that webhook is off.
    pub sendgrid_webhook_public_key: Option<String>,
}

/// Cloudflare API settings for custom hostnames ([`crate::cloudflare`]).
pub struct CloudflareConfig {
    /// API base URL (`https://api.cloudflare.com/client/v4`, or the local stand-in).
    pub api_url: String,
    /// The shops' zone, where custom hostnames live.
    pub zone_id: String,
    /// A token allowed to edit the zone's custom hostnames.
    pub api_token: String,
}

/// Stripe settings.
pub struct StripeConfig {
    /// API base URL.
    pub api_url: String,
    /// Secret API key.
    pub secret_key: String,
    /// Webhook endpoint secret (`whsec_...`).
    pub webhook_secret: String,
    /// Signs the Connect endpoint's events (connected accounts' changes).
    pub connect_webhook_secret: String,
    /// The recurring price of each paid plan.
    pub prices: [(Plan, String); 3],
}

impl StripeConfig {
    /// A client of the API.
    pub fn client(&self) -> crate::stripe::Stripe<'_> {
        crate::stripe::Stripe { base_url: &self.api_url, secret_key: &self.secret_key }
    }

    /// The price id of a paid plan.
    pub fn price(&self, plan: Plan) -> Result<&str, crate::error::ApiError> {
        self.prices
            .iter()
            .find(|(p, _)| *p == plan)
            .map(|(_, id)| id.as_str())
            .ok_or_else(|| crate::error::ApiError::invalid("plan", "that plan is not sold"))
    }

    /// The plan a price id belongs to.
    pub fn plan_of(&self, price: &str) -> Option<Plan> {
        self.prices.iter().find(|(_, id)| id == price).map(|(p, _)| *p)
    }
}

/// The SQS endpoint and credentials for enqueueing.
pub struct SqsConfig {
    /// The SQS endpoint (the local emulator or `https://sqs.<region>.amazonaws.com`).
    pub endpoint: String,
    /// AWS region.
    pub region: String,
    /// URL of the research queue.
    pub research_queue_url: String,
    /// URL of the email queue.
    pub email_queue_url: String,
    /// URL of the email flows queue (shopper actions that start or stop flows).
    pub flows_queue_url: String,
    /// URL of the erasure queue (GDPR erasures, pipeline side).
    pub erasure_queue_url: String,
    /// URL of the SEO engine's queue (runs a merchant starts).
    pub seo_queue_url: String,
    /// URL of the scrape queue (product pages a merchant asks to import).
    pub scrape_queue_url: String,
    /// URL of the fulfilment queue (paid orders whose supplier orders are to be placed).
    pub fulfilment_queue_url: String,
    /// Access key id of the edge's enqueue-only IAM user.
    pub access_key_id: String,
    /// Its secret key.
    pub secret_access_key: String,
}

fn text(env: &Env, name: &str) -> worker::Result<String> {
    env.var(name)
        .map(|v| v.to_string())
        .or_else(|_| env.secret(name).map(|s| s.to_string()))
        .map_err(|_| worker::Error::RustError(format!("configuration `{name}` is not set")))
}

/// A key that signs or verifies, refused when empty, short or a placeholder
/// ([`domain::secrets::signing_key`]): an HMAC under a guessable key can be forged.
fn signing_key(env: &Env, name: &str) -> worker::Result<String> {
    checked(env, name, domain::secrets::signing_key)
}

/// A credential someone else issued, refused when empty or a placeholder
/// ([`domain::secrets::credential`]).
fn credential(env: &Env, name: &str) -> worker::Result<String> {
    checked(env, name, domain::secrets::credential)
}

fn checked(
    env: &Env,
    name: &str,
    rule: fn(&str, &str) -> Result<(), domain::secrets::SecretError>,
) -> worker::Result<String> {
    let value = text(env, name)?;
    rule(name, &value).map_err(|e| worker::Error::RustError(e.to_string()))?;
    Ok(value)
}

/// An optional entry: unset or empty is `None`.
fn optional(env: &Env, name: &str) -> Option<String> {
    text(env, name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// Reads the configuration; a missing entry fails with its name.
    pub fn from_env(env: &Env) -> worker::Result<Self> {
        let store_shards = text(env, "STORE_SHARDS")?
            .parse()
            .map_err(|_| worker::Error::RustError("STORE_SHARDS must be a number".into()))?;
        Ok(Self {
            jwt_key: signing_key(env, "JWT_SIGNING_KEY")?,
            internal_secret: signing_key(env, "INTERNAL_HMAC_SECRET")?,
            shops_domain: text(env, "SHOPS_DOMAIN")?,
            storefront_url_template: text(env, "STOREFRONT_URL_TEMPLATE")?,
            verify_email_url_template: text(env, "VERIFY_EMAIL_URL_TEMPLATE")?,
            doh_url: text(env, "DOH_URL")?,
            cloudflare: CloudflareConfig {
                api_url: text(env, "CLOUDFLARE_API_URL")?,
                zone_id: text(env, "CLOUDFLARE_ZONE_ID")?,
                api_token: credential(env, "CLOUDFLARE_API_TOKEN")?,
            },
            billing_return_url: text(env, "BILLING_RETURN_URL")?,
            payouts_return_url: text(env, "PAYOUTS_RETURN_URL")?,
            stripe: StripeConfig {
                api_url: text(env, "STRIPE_API_URL")?,
                secret_key: credential(env, "STRIPE_SECRET_KEY")?,
                webhook_secret: signing_key(env, "STRIPE_WEBHOOK_SECRET")?,
                connect_webhook_secret: signing_key(env, "STRIPE_CONNECT_WEBHOOK_SECRET")?,
                prices: [
                    (Plan::Growth, text(env, "STRIPE_PRICE_GROWTH")?),
                    (Plan::Pro, text(env, "STRIPE_PRICE_PRO")?),
                    (Plan::Enterprise, text(env, "STRIPE_PRICE_ENTERPRISE")?),
                ],
            },
            reset_password_url_template: text(env, "RESET_PASSWORD_URL_TEMPLATE")?,
            accept_invitation_url_template: text(env, "ACCEPT_INVITATION_URL_TEMPLATE")?,
            unsubscribe_url_template: text(env, "UNSUBSCRIBE_URL_TEMPLATE")?,
            confirm_subscription_url_template: text(env, "CONFIRM_SUBSCRIPTION_URL_TEMPLATE")?,
            resend_webhook_secret: match optional(env, "RESEND_WEBHOOK_SECRET") {
                Some(_) => Some(signing_key(env, "RESEND_WEBHOOK_SECRET")?),
                None => None,
            },
            sendgrid_webhook_public_key: optional(env, "SENDGRID_WEBHOOK_PUBLIC_KEY"),
            store_shards,
            sqs: SqsConfig {
                endpoint: text(env, "SQS_ENDPOINT")?,
                region: text(env, "AWS_REGION")?,
                research_queue_url: text(env, "RESEARCH_QUEUE_URL")?,
                email_queue_url: text(env, "EMAIL_QUEUE_URL")?,
                flows_queue_url: text(env, "FLOWS_QUEUE_URL")?,
                erasure_queue_url: text(env, "ERASURE_QUEUE_URL")?,
                seo_queue_url: text(env, "SEO_QUEUE_URL")?,
                scrape_queue_url: text(env, "SCRAPE_QUEUE_URL")?,
                fulfilment_queue_url: text(env, "FULFILMENT_QUEUE_URL")?,
                access_key_id: text(env, "AWS_ACCESS_KEY_ID")?,
                secret_access_key: text(env, "AWS_SECRET_ACCESS_KEY")?,
            },
        })
    }

    /// The public URL of a store host.
    pub fn storefront_url(&self, host: &str) -> String {
        self.storefront_url_template.replace("{host}", host)
    }

    /// The public URL of the store of `slug` on its platform sub-domain.
    pub fn shop_url(&self, slug: &str) -> String {
        self.storefront_url(&format!("{slug}.{}", self.shops_domain))
    }
}
