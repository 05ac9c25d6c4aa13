//! A store's shipping settings, as the merchant reads and sets them: the countries its checkout
//! collects addresses for, its standard and express rates, free shipping over an amount, and
//! automatic tax.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::shipping as repo;
use crate::runtime::{now, now_ms, rfc3339};
use crate::scope::StoreScope;
use domain::shipping::{ShippingError, ShippingSettings};
use serde::Deserialize;
use serde_json::{json, Value};
use tenancy::routing::Routing;
use worker::Env;

/// What a merchant sends: the whole settings (what is left out takes its default).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShippingFields {
    countries: Vec<String>,
    standard_minor: i64,
    #[serde(default)]
    express_minor: Option<i64>,
    #[serde(default)]
    free_over_minor: Option<i64>,
    #[serde(default)]
    automatic_tax: bool,
}

/// The store's settings, its defaults when never set.
pub async fn current(scope: &StoreScope) -> ApiResult<ShippingSettings> {
    Ok(repo::get(&scope.db)
        .await?
        .unwrap_or_else(|| ShippingSettings::default_for(&scope.store.row.target_market)))
}

fn view(settings: &ShippingSettings, currency: &str) -> Value {
    json!({
        "countries": settings.countries,
        "standard_minor": settings.standard_minor,
        "express_minor": settings.express_minor,
        "free_over_minor": settings.free_over_minor,
        "automatic_tax": settings.automatic_tax,
        "currency": currency,
    })
}

/// `GET /v1/stores/{id}/shipping`.
pub async fn get(scope: &StoreScope) -> ApiResult<Value> {
    Ok(view(&current(scope).await?, &scope.store.row.currency))
}

/// `PUT /v1/stores/{id}/shipping`: replaces the settings; country codes may come in any case.
pub async fn put(env: &Env, scope: &StoreScope, body: &str) -> ApiResult<Value> {
    let fields: ShippingFields = parse_json(body)?;
    let settings = ShippingSettings {
        countries: fields.countries.iter().map(|c| c.trim().to_ascii_uppercase()).collect(),
        standard_minor: fields.standard_minor,
        express_minor: fields.express_minor,
        free_over_minor: fields.free_over_minor,
        automatic_tax: fields.automatic_tax,
    };
    settings.validate().map_err(|e| match e {
        ShippingError::Invalid(field, detail) => ApiError::invalid(field, detail),
        other => ApiError::invalid("countries", other.to_string()),
    })?;
    repo::put(&scope.db, &settings, &rfc3339(now())).await?;
    // Product and cart pages state the rates, the free-shipping threshold and the countries.
    Routing::new(env.kv(crate::config::EDGE_KV)?).bump_cache_version(scope.store.id, now_ms() as f64).await?;
    Ok(view(&settings, &scope.store.row.currency))
}
