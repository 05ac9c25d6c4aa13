//! A store's pricing rules, as the merchant reads and sets them: the markup over supplier cost,
//! the minimum margin no price may go under, the compare-at ratio and psychological endings. Import
//! and the supplier sync price by them; a price the merchant set by hand is theirs. New rules
//! re-price at once every product that follows them.

use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::pricing as repo;
use crate::runtime::{new_id, now, now_ms, rfc3339};
use crate::scope::StoreScope;
use domain::pricing::PricingRules;
use domain::supply::{follow_rules, FollowRules};
use domain::{Currency, Money, ProductId};
use serde::{Deserialize, Serialize};
use tenancy::routing::Routing;
use tenancy::shards::{PlatformDb, StoreDb};
use tenancy::sql::Sql;
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

/// What a save of the rules did: the rules, and how many products they re-priced.
#[derive(Debug, Serialize)]
pub struct Saved {
    // The rules' fields one by one: `#[serde(flatten)]` would cost the Worker a map serializer.
    markup_bps: u32,
    min_margin_bps: u32,
    compare_at_bps: u32,
    psychological_endings: bool,
    /// Products following the rules whose price or compare-at price moved.
    repriced: u64,
    /// Products whose price is the merchant's (set by hand, or written without a supplier): kept.
    kept: u64,
}

/// Products re-priced per batch. A page costs its read and one batch of three statements,
/// whatever its size (the prices go as one JSON parameter: D1 binds at most 100 parameters to a
/// statement). Counting every statement of a batch as a query, the 1,000 queries D1 allows an
/// invocation re-price about 60,000 products in one request; a page of unchanged products costs
/// only its read, so a repeat after a request cut short gets further. A page's parameters (about
/// 400 bytes a product, history included) stay far under D1's 2 MB per value.
const PAGE: u32 = 250;

/// Re-prices every product that follows `rules` and whose price they move, page by page; each
/// page lands whole (prices, variants and history in one batch). A repeat finds nothing left to
/// move, and history already written under the same `sync_id` is not written twice, so a save
/// that failed half way is finished by saving again. `history_id` names each history entry.
async fn reprice_followers(
    db: &StoreDb<impl Sql>,
    rules: &PricingRules,
    sync_id: &str,
    at: &str,
    mut history_id: impl FnMut() -> String,
) -> ApiResult<u64> {
    let (mut repriced, mut after) = (0, String::new());
    loop {
        let page = repo::followers(db, &after, PAGE).await?;
        let mut moved = Vec::new();
        for product in &page {
            let Ok(currency) = product.currency.parse::<Currency>() else { continue };
            let money = |minor| Money::from_minor(minor, currency);
            let Ok((price, compare_at, changes)) = follow_rules(
                money(product.price_minor),
                product.compare_at_minor.map(money),
                money(product.cost_minor),
                rules,
                FollowRules::RulesChanged,
            ) else {
                continue;
            };
            if changes.is_empty() {
                continue;
            }
            moved.push(repo::Repriced {
                id: product.id.clone(),
                old_price_minor: product.price_minor,
                price_minor: price.minor,
                compare_at_minor: compare_at.map(|m| m.minor),
                changes: changes.into_iter().map(|c| (history_id(), c)).collect(),
            });
        }
        repriced += moved.len() as u64;
        let statements = repo::reprice(db, &moved, false, sync_id, at)?;
        if !statements.is_empty() {
            db.execute_batch(statements).await?;
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => after = last.id.clone(),
            _ => return Ok(repriced),
        }
    }
}

/// `PUT /v1/stores/{id}/pricing`: replaces the rules and re-prices at once every product that
/// follows them (imported, not priced by the merchant); prices the merchant set stay. The answer
/// says how many products moved and how many kept the merchant's price.
pub async fn put(env: &Env, scope: &StoreScope, body: &str) -> ApiResult<Saved> {
    let rules = check(body)?;
    let at = rfc3339(now());
    let db = &scope.db;
    // The rules first: should the re-pricing stop half way, the sync already prices by them.
    repo::put(db, &rules, &at).await?;
    let history_id = || new_id::<ProductId>().to_string();
    let repriced = reprice_followers(db, &rules, &format!("rules:{at}"), &at, history_id).await?;
    let kept = repo::kept(db).await?;
    let store = &scope.store;
    if repriced > 0 {
        Routing::new(env.kv(crate::config::EDGE_KV)?).bump_cache_version(store.id, now_ms() as f64).await?;
    }
    crate::repo::audit_log::record(
        &PlatformDb::open(env)?,
        Some(store.tenant_id),
        &scope.actor(),
        "store.pricing_update",
        &store.id.to_string(),
        &at,
    )
    .await?;
    Ok(Saved {
        markup_bps: rules.markup_bps,
        min_margin_bps: rules.min_margin_bps,
        compare_at_bps: rules.compare_at_bps,
        psychological_endings: rules.psychological_endings,
        repriced,
        kept,
    })
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

    #[test]
    fn new_rules_reprice_every_follower_page_by_page_and_a_repeat_moves_nothing() {
        use crate::repo::testing::{block_on, shard, store, store_id};
        let shard = shard();
        let mut script = String::new();
        for (n, count) in [(1u8, PAGE as usize + 5), (2, 3)] {
            let store = store_id(n);
            for i in 0..count {
                // Every third product has a price the merchant set.
                let mark = if i % 3 == 2 { "'2026-12-07T09:00:00Z'" } else { "NULL" };
                script.push_str(&format!(
                    "INSERT INTO products (store_id, id, slug, title, description, features, meta_title, \
                     meta_description, keywords, price_minor, compare_at_minor, cost_minor, currency, images, status, \
                     source, source_product_id, priced_by_merchant_at, created_at, updated_at) VALUES ('{store}', \
                     'p{n}-{i:04}', 'p{i}', 'T', '[]', '[]', '', '', '[]', 2499, 3499, 1000, 'USD', '[]', 'published', \
                     'aliexpress', 's{i}', {mark}, 'c', 'u');"
                ));
            }
        }
        shard.execute_script(&script).unwrap();
        let db = store(&shard, 1);
        let rules = PricingRules { markup_bps: 30_000, compare_at_bps: 0, ..PricingRules::default() };
        let mut n = 0;
        let mut ids = || {
            n += 1;
            format!("h{n}")
        };
        let follow = (PAGE as u64 + 5) - (PAGE as u64 + 5) / 3;
        let at = "2026-12-08T01:00:00Z";
        assert_eq!(block_on(reprice_followers(&db, &rules, "rules:1", at, &mut ids)).unwrap(), follow);
        assert_eq!(
            block_on(repo::followers(&db, "", 1_000))
                .unwrap()
                .iter()
                .filter(|f| f.price_minor == 2_999)
                .count() as u64,
            follow
        );
        assert_eq!(block_on(repo::kept(&db)).unwrap(), (PAGE as u64 + 5) / 3);
        assert_eq!(
            block_on(reprice_followers(&db, &rules, "rules:2", at, &mut ids)).unwrap(),
            0,
            "a repeat moves nothing"
        );
        let other = block_on(repo::followers(&store(&shard, 2), "", 10)).unwrap();
        assert!(other.iter().all(|f| f.price_minor == 2_499), "another store keeps its prices");
    }
}
