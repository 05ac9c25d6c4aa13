//! Providers' signed callbacks: Stripe's billing and payment events, Resend's and SendGrid's
//! bounce and complaint reports. Each handler checks its provider's signature first.

pub mod email;
pub mod stripe;

use crate::error::ApiResult;
use crate::http::{json, Ctx};
use crate::router::WebhookRoute;
use worker::Response;

/// Runs a provider's callback.
pub async fn handle(route: WebhookRoute, ctx: &Ctx<'_>) -> ApiResult<Response> {
    let (env, config, body) = (ctx.env, &ctx.config, ctx.body.as_str());
    match route {
        WebhookRoute::Stripe => {
            let signature = ctx.header("stripe-signature");
            json(200, &stripe::webhook(env, config, signature.as_deref(), body).await?)
        }
        WebhookRoute::StripeConnect => {
            let signature = ctx.header("stripe-signature");
            json(200, &stripe::connect(env, config, signature.as_deref(), body).await?)
        }
        WebhookRoute::Resend => {
            let header = |name: &str| ctx.header(name);
            let headers = [
                header("svix-id").or_else(|| header("webhook-id")),
                header("svix-timestamp").or_else(|| header("webhook-timestamp")),
                header("svix-signature").or_else(|| header("webhook-signature")),
            ];
            json(200, &email::resend(env, config, headers, body).await?)
        }
        WebhookRoute::SendGrid => {
            let signature = ctx.header("x-twilio-email-event-webhook-signature");
            let timestamp = ctx.header("x-twilio-email-event-webhook-timestamp");
            json(200, &email::sendgrid(env, config, signature, timestamp, body).await?)
        }
    }
}
