//! A store's pricing rules, as the merchant reads and sets them: the markup over supplier cost,
//! the minimum margin no price may go under, the compare-at ratio and psychological endings. Import
//! and the supplier sync price by them; a price the merchant set by hand is theirs.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::pricing as repo;
use crate::runtime::{now, rfc3339};
use crate::scope::StoreScope;
use domain::pricing::PricingRules;
use serde::Deserialize;
use tenancy::shards::PlatformDb;
use worker::Env;

/// What a merchant sends: the whole rules (what is left out takes its default).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RulesFields {
    markup_bps: u32,
    min_margin_bps: u32,
    compare_at_bps: u32,
    psychological_endings: bool,
}

impl Default for RulesFields {
    fn default() -> Self {
        let d = PricingRules::default();
        Self {
            markup_bps: d.markup_bps,
            min_margin_bps: d.min_margin_bps,
            compare_at_bps: d.compare_at_bps,
            psychological_endings: d.psychological_endings,
        }
    }
}

/// The rules a body sets, checked: a 400 names the field out of bounds.
fn check(body: &str) -> ApiResult<PricingRules> {
    let f: RulesFields = parse_json(body)?;
    let rules = PricingRules {
        markup_bps: f.markup_bps,
        min_margin_bps: f.min_margin_bps,
        compare_at_bps: f.compare_at_bps,
        psychological_endings: f.psychological_endings,
    };
    rules.validate().map_err(|e| ApiError::invalid(e.field, e.to_string()))?;
    Ok(rules)
}

/// `GET /v1/stores/{id}/pricing`: the store's rules, the defaults when never set.
pub async fn get(scope: &StoreScope) -> ApiResult<PricingRules> {
    Ok(repo::get(&scope.db).await?)
}

/// `PUT /v1/stores/{id}/pricing`: replaces the rules. Prices already set stay until the product
/// is imported again or its supplier's cost moves.
pub async fn put(env: &Env, scope: &StoreScope, body: &str) -> ApiResult<PricingRules> {
    let rules = check(body)?;
    let at = rfc3339(now());
    repo::put(&scope.db, &rules, &at).await?;
    let store = &scope.store;
    crate::repo::audit_log::record(
        &PlatformDb::open(env)?,
        Some(store.tenant_id),
        &scope.actor(),
        "store.pricing_update",
        &store.id.to_string(),
        &at,
    )
    .await?;
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_left_out_take_their_defaults_and_bad_ones_name_their_field() {
        assert_eq!(check("{}").unwrap(), PricingRules::default());
        let rules = check(r#"{"markup_bps": 30000, "psychological_endings": false}"#).unwrap();
        assert_eq!(
            (rules.markup_bps, rules.psychological_endings, rules.min_margin_bps),
            (30_000, false, 3_000)
        );
        for (body, field) in [
            (r#"{"markup_bps": 5000}"#, "markup_bps"),
            (r#"{"min_margin_bps": 9500}"#, "min_margin_bps"),
            (r#"{"compare_at_bps": 9000}"#, "compare_at_bps"),
        ] {
            let refused = check(body).unwrap_err();
            assert_eq!((refused.status, refused.field.as_deref()), (400, Some(field)), "{body}");
        }
        let unknown = check(r#"{"markup": 3}"#).unwrap_err();
        assert_eq!((unknown.status, unknown.field.as_deref()), (400, Some("markup")));
    }
}
