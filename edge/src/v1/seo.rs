//! The SEO engine as the merchant sees it: start a run (carried out by the `seo` function through
//! [`crate::internal::seo`]), read each run's report and the posts it wrote.

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::repo::seo;
use crate::runtime::{new_id, now, now_ms, rfc3339};
use crate::scope::StoreScope;
use domain::{RunId, StoreStatus};
use queues::messages::SeoRequested;
use queues::Envelope;
use serde::{Deserialize, Serialize};
use tenancy::shards::PlatformDb;
use tenancy::shards::StoreDb;
use worker::Env;

pub(crate) async fn new_run(db: &StoreDb, week: &str) -> ApiResult<Option<RunId>> {
    let run_id: RunId = new_id();
    let created = seo::insert_run(db, &run_id.to_string(), week, &rfc3339(now())).await?;
    Ok(created.then_some(run_id))
}

/// `POST /v1/stores/{id}/seo/runs`: starts a run now (the weekly one still comes).
pub async fn start(env: &Env, scope: &StoreScope, config: &Config) -> ApiResult<serde_json::Value> {
    let store = &scope.store;
    let actor = &scope.actor();
    if store.status != StoreStatus::Active {
        return Err(ApiError::new(
            409,
            "store_suspended",
            "the SEO engine is paused while the store is suspended",
        ));
    }
    let db = &scope.db;
    let at = now();
    let week = format!("manual-{}", at.unix_timestamp());
    let run_id = new_run(db, &week)
        .await?
        .ok_or_else(|| ApiError::new(409, "run_exists", "a run was started this second"))?;
    let envelope = Envelope::new(
        format!("seo:{run_id}"),
        store.tenant_id,
        store.id,
        at,
        actor.to_owned(),
        SeoRequested { run_id, posts: None },
    );
    if let Err(error) = crate::sqs::send(&config.sqs, &config.sqs.seo_queue_url, &envelope, now_ms()).await {
        worker::console_error!("enqueueing an SEO run: {error}");
        seo::delete_run(db, &run_id.to_string()).await?;
        return Err(ApiError::new(503, "unavailable", "the run could not be started; try again in a moment"));
    }
    crate::repo::audit_log::record(
        &PlatformDb::open(env)?,
        Some(store.tenant_id),
        actor,
        "seo.run_start",
        &run_id.to_string(),
        &rfc3339(at),
    )
    .await?;
    Ok(serde_json::json!({ "id": run_id, "status": "running" }))
}

/// A run as the merchant sees it.
#[derive(Debug, Serialize, Deserialize)]
pub struct RunView {
    id: String,
    week: String,
    status: String,
    report: serde_json::Value,
    created_at: String,
    completed_at: Option<String>,
}

/// `GET /v1/stores/{id}/seo/runs`: the newest 20 runs with their reports.
pub async fn runs(scope: &StoreScope) -> ApiResult<serde_json::Value> {
    let runs: Vec<RunView> = seo::runs(&scope.db)
        .await?
        .into_iter()
        .map(|r| RunView {
            report: serde_json::from_str(&r.report).unwrap_or_default(),
            id: r.id,
            week: r.week,
            status: r.status,
            created_at: r.created_at,
            completed_at: r.completed_at,
        })
        .collect();
    Ok(serde_json::json!({ "runs": runs }))
}

/// `GET /v1/stores/{id}/seo/posts`: the posts the SEO engine published, newest first (50).
pub async fn posts(scope: &StoreScope) -> ApiResult<serde_json::Value> {
    let posts: Vec<serde_json::Value> = seo::seo_posts(&scope.db)
        .await?
        .into_iter()
        .map(|p| {
            let list = |t: &str| serde_json::from_str::<Vec<String>>(t).unwrap_or_default();
            let words = domain::seo::word_count(&strip_tags(&p.body_html));
            serde_json::json!({
                "id": p.id, "slug": p.slug, "title": p.title, "excerpt": p.excerpt, "body_html": p.body_html,
                "meta_title": p.meta_title, "meta_description": p.meta_description, "keywords": list(&p.keywords),
                "related_product_ids": list(&p.related_product_ids), "status": p.status,
                "published_at": p.published_at, "words": words,
            })
        })
        .collect();
    Ok(serde_json::json!({ "posts": posts }))
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_counted_without_the_tags() {
        assert_eq!(
            domain::seo::word_count(&strip_tags("<h2>Care</h2><p>Brush <strong>daily</strong>.</p>")),
            3
        );
    }
}
