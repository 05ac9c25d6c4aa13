//! A new store's launch, which makes it sellable without its merchant doing anything:
//!
//! 1. [`start`]: creating a store records a research run marked as its launch, sized by the plan
//!    ([`domain::plans::PlanLimits::launch_imports`]), and enqueues it. The launch run imports
//!    what scores at least the store's watch threshold, including what the analysis would only
//!    watch (an empty shop needs a catalog; later runs keep to the import threshold): its research
//!    context says it is a launch (`internal::research::context`).
//! 2. [`advance`]: when the run has reported and every product it queued is in the store (checked
//!    after its report and after each of its imports), the products are grouped into collections
//!    by their suppliers' categories ([`domain::launch`]) and the store's first SEO run is started,
//!    asking for [`LAUNCH_POSTS`] posts.
//! 3. [`finish`]: when that SEO run reports, the store's owner gets the "your store is ready" mail
//!    with what the store holds and its links.
//!
//! Every step may run more than once (queues deliver at least once, and imports finish in any
//! order); each is keyed so that a repeat changes nothing: the collections by slug, the SEO run
//! by its week `launch`, the messages by idempotency keys naming the store.

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::repo::launch::{self, NewCollection};
use crate::repo::research_schedule;
use crate::repo::stores::Store;
use crate::runtime::{new_id, now, now_ms, rfc3339};
use domain::launch::collections_from_categories;
use domain::{CollectionId, RunId};
use queues::messages::{
    Branding, EmailCategory, EmailRequested, EmailTemplate, ResearchRequested, SeoRequested,
};
use queues::Envelope;
use tenancy::routing::Routing;
use tenancy::shards::{PlatformDb, StoreDb};
use worker::Env;

/// The week name of a store's first SEO run.
pub const LAUNCH_WEEK: &str = "launch";
/// Blog posts the first SEO run writes.
pub const LAUNCH_POSTS: u8 = 3;

/// Starts the launch of `store`, just created: records its launch run, marks the store as
/// researched in the current window of its plan (so the schedule's next tick does not start a
/// second run beside it) and enqueues the run. Returns the run's id, or `None` when the queue
/// was unavailable: the run is then marked failed, and the schedule's tick researches the store
/// as it does any store never researched.
pub async fn start(env: &Env, config: &Config, store: &Store, db: &StoreDb) -> ApiResult<Option<RunId>> {
    let run_id: RunId = new_id();
    let at = now();
    launch::insert_run(db, &run_id.to_string(), &rfc3339(at)).await?;
    let plan = store.plan();
    let window = rfc3339(plan.limits().research_every.window_start(at));
    let envelope = Envelope::new(
        format!("research:{run_id}"),
        store.tenant_id,
        store.id,
        at,
        run_id.to_string(),
        ResearchRequested {
            run_id,
            niche: store.row.niche.clone(),
            max_imports: plan.limits().launch_imports,
        },
    );
    if let Err(error) =
        crate::sqs::send(&config.sqs, &config.sqs.research_queue_url, &envelope, now_ms()).await
    {
        worker::console_error!("enqueueing the launch run of store {}: {error}", store.id);
        crate::repo::research_runs::mark_failed(db, &run_id.to_string(), &rfc3339(now())).await?;
        return Ok(None);
    }
    research_schedule::set_research_window(&PlatformDb::open(env)?, &store.id.to_string(), &window).await?;
    Ok(Some(run_id))
}

/// Moves launch run `run_id` on once all its imports are in: collections from their
/// categories, then the first SEO run. Does nothing for any other run, before the run has
/// reported, while imports are missing, or once done.
pub async fn advance(
    env: &Env,
    config: &Config,
    store: &Store,
    db: &StoreDb,
    run_id: RunId,
) -> ApiResult<()> {
    let Some(run) = launch::run(db, &run_id.to_string()).await? else { return Ok(()) };
    if run.status != "completed" || run.launched_at.is_some() {
        return Ok(());
    }
    let products = launch::run_products(db, &run_id.to_string()).await?;
    if (products.len() as i64) < run.selected.unwrap_or(i64::MAX) {
        return Ok(());
    }
    let at = rfc3339(now());
    let categories: Vec<Option<&str>> = products.iter().map(|p| p.name.as_deref()).collect();
    let collections = collections_from_categories(&categories);
    if !collections.is_empty() {
        let mut made = Vec::new();
        for collection in &collections {
            let id: CollectionId = new_id();
            let c = NewCollection {
                id: &id.to_string(),
                slug: &collection.slug,
                title: &collection.title,
                at: &at,
            };
            made.push(launch::insert_collection(db, &c)?);
        }
        db.execute_batch(made).await?;
        // A slug the merchant already had keeps its collection, which these products join.
        let ids = launch::collection_ids(db).await?;
        let mut filed = Vec::new();
        for collection in &collections {
            let Some(made) = ids.iter().find(|c| c.name.as_deref() == Some(collection.slug.as_str())) else {
                continue;
            };
            for (position, member) in collection.members.iter().enumerate() {
                filed.push(launch::add_to_collection(db, &made.id, &products[*member].id, position)?);
            }
        }
        db.execute_batch(filed).await?;
    }

    // The week names the run: a delivery that comes again finds the run the first one recorded.
    let new_run: RunId = new_id();
    let seo_run = if crate::repo::seo::insert_run(db, &new_run.to_string(), LAUNCH_WEEK, &at).await? {
        new_run
    } else {
        let recorded = launch::seo_run(db, LAUNCH_WEEK).await?;
        let recorded =
            recorded.ok_or_else(|| ApiError::internal("launch", "the launch's SEO run is gone"))?;
        recorded.parse().map_err(|e| ApiError::internal("launch", e))?
    };
    let envelope = Envelope::new(
        format!("seo:{seo_run}"),
        store.tenant_id,
        store.id,
        now(),
        run_id.to_string(),
        SeoRequested { run_id: seo_run, posts: Some(LAUNCH_POSTS) },
    );
    crate::sqs::send(&config.sqs, &config.sqs.seo_queue_url, &envelope, now_ms()).await.map_err(|e| {
        ApiError::new(503, "queue_unavailable", format!("starting the launch's SEO run: {e}"))
    })?;
    if launch::mark_launched(db, &run_id.to_string(), &at).await? {
        Routing::new(env.kv(crate::config::EDGE_KV)?).bump_cache_version(store.id, now_ms() as f64).await?;
    }
    Ok(())
}

/// Mails the store's owner that the store is ready, when `seo_run` is the launch's SEO run.
pub async fn finish(
    env: &Env,
    config: &Config,
    store: &Store,
    db: &StoreDb,
    seo_run: RunId,
) -> ApiResult<()> {
    if launch::seo_run_week(db, &seo_run.to_string()).await?.as_deref() != Some(LAUNCH_WEEK) {
        return Ok(());
    }
    let platform = PlatformDb::open(env)?;
    let Some(owner) = research_schedule::owner_email(&platform, &store.tenant_id.to_string()).await? else {
        return Ok(());
    };
    let Ok(to) = domain::accounts::Email::parse(&owner) else { return Ok(()) };
    let held = launch::holdings(db).await?;
    let shop = config.shop_url(&store.row.slug);
    let shop = shop.trim_end_matches('/');
    let mut data = serde_json::Map::new();
    data.insert("niche".into(), store.row.niche.clone().into());
    data.insert("products".into(), held.products.into());
    data.insert("published".into(), held.published.into());
    data.insert("collections".into(), held.collections.into());
    data.insert("posts".into(), held.posts.into());
    data.insert("store_url".into(), format!("{shop}/").into());
    data.insert("products_url".into(), format!("{shop}/collections/all").into());
    data.insert("blog_url".into(), format!("{shop}/blog").into());
    let mail = EmailRequested {
        template: EmailTemplate::StoreReady,
        to,
        category: EmailCategory::Transactional,
        data,
        branding: Branding {
            store_name: Some(store.row.name.clone()),
            accent_color: Some(store.row.brand_color.clone()),
            reply_to: None,
        },
    };
    let envelope = Envelope::new(
        format!("store_ready:{}", store.id),
        store.tenant_id,
        store.id,
        now(),
        seo_run.to_string(),
        mail,
    );
    crate::sqs::send(&config.sqs, &config.sqs.email_queue_url, &envelope, now_ms())
        .await
        .map_err(|e| ApiError::new(503, "queue_unavailable", format!("sending the store-ready mail: {e}")))?;
    Ok(())
}
