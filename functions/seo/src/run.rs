//! One store's SEO run, from keyword research to the merchant's report.

use crate::post;
use crate::sources::{Autocomplete, IndexNow, Serp};
use ai::tasks::blog::{BlogFacts, ProductNote};
use ai::{Ai, AiError, DailyBudget, Scope};
use anyhow::Context;
use domain::seo::{gaps, internal_links, review_products, topic_words, Keyword, Linkable, Page, ProductSeo};
use domain::{RunId, StoreId, TenantId};
use pipeline::edge::EdgeClient;
use queues::internal_api::calls::{
    PlaceInternalLinks, PublishSeoPost, ReadSeoContext, ReportSeoRun, RewriteProductMeta,
};
use queues::internal_api::Empty;
use queues::seo_api::{
    PostLinks, ProductRewrite, ProductRewrites, PublishPost, PublishedPost, ReportedPost, SeoContext,
    SeoProduct, SeoReport,
};
use std::collections::{BTreeMap, BTreeSet};

/// Keywords kept in a report.
const REPORT_KEYWORDS: usize = 50;
/// Related products linked from a new post.
const RELATED_PRODUCTS: usize = 3;

/// What a run needs.
pub struct Engine {
    /// The edge's internal API.
    pub edge: EdgeClient,
    /// The AI interface.
    pub ai: Ai,
    /// Autocomplete suggestions.
    pub autocomplete: Autocomplete,
    /// The SERP API, when keyed.
    pub serp: Option<Serp>,
    /// IndexNow, when keyed.
    pub indexnow: Option<IndexNow>,
    /// Posts per run at most, unless the run's message asks for another number.
    pub posts_per_run: usize,
}

/// The search phrases research starts from.
pub fn seeds(context: &SeoContext) -> Vec<String> {
    let niche = context.niche.trim().to_lowercase();
    let base = if niche.is_empty() { context.name.trim().to_lowercase() } else { niche };
    let mut seeds =
        vec![base.clone(), format!("best {base}"), format!("how to {base}"), format!("{base} for")];
    seeds
        .extend(context.products.iter().filter_map(|p| p.keywords.first()).take(2).map(|k| k.to_lowercase()));
    let mut seen = BTreeSet::new();
    seeds.retain(|s| !s.trim().is_empty() && seen.insert(s.clone()));
    seeds
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

/// A product as a post may mention it: what its page says.
fn product_note(p: &SeoProduct) -> ProductNote {
    ProductNote { title: p.title.clone(), summary: p.summary.clone(), keywords: p.keywords.clone() }
}

fn product_words(p: &SeoProduct) -> BTreeSet<String> {
    let mut words = topic_words(&p.title);
    for k in &p.keywords {
        words.extend(topic_words(k));
    }
    words
}

/// Runs the engine for one store and reports to the edge, writing at most `posts_wanted` posts.
pub async fn run(
    engine: &Engine,
    tenant: TenantId,
    store: StoreId,
    run_id: RunId,
    posts_wanted: usize,
) -> anyhow::Result<SeoReport> {
    let context =
        engine.edge.call::<ReadSeoContext>(&store, &Empty {}).await.context("reading the store's pages")?;
    anyhow::ensure!(context.tenant_id == tenant, "the store belongs to another tenant");
    let mut errors = Vec::new();

    // 1. Keyword research.
    let mut found: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut note = |phrase: &str, position: usize| {
        let entry = found.entry(phrase.to_owned()).or_insert((0, u32::MAX));
        entry.0 += 1;
        entry.1 = entry.1.min(u32::try_from(position).unwrap_or(u32::MAX));
    };
    let mut sources = Vec::new();
    let (mut suggested, mut failed) = (0, 0);
    for seed in seeds(&context) {
        match engine.autocomplete.suggest(&seed, &context.market).await {
            Ok(list) => {
                suggested += list.len();
                list.iter().enumerate().for_each(|(i, s)| note(s, i));
            }
            Err(error) => {
                failed += 1;
                tracing::warn!(error = format!("{error:#}"), "autocomplete failed for a seed");
            }
        }
    }
    sources.push(format!(
        "autocomplete: {suggested} suggestions{}",
        if failed > 0 { format!(", {failed} queries failed") } else { String::new() }
    ));
    if let Some(serp) = &engine.serp {
        let query = seeds(&context).into_iter().next().unwrap_or_default();
        match serp.related(&query, &context.market).await {
            Ok(list) => {
                sources.push(format!("serp: {} related searches and questions", list.len()));
                list.iter().enumerate().for_each(|(i, s)| note(s, i));
            }
            Err(error) => {
                sources.push("serp: failed".into());
                errors.push(format!("serp: {error:#}"));
            }
        }
    }
    anyhow::ensure!(!found.is_empty() || failed == 0, "no keyword source answered; the run is retried");
    let mut keywords: Vec<Keyword> =
        found.into_iter().map(|(phrase, (hits, rank))| Keyword { phrase, hits, rank }).collect();
    keywords
        .sort_by(|a, b| b.hits.cmp(&a.hits).then(a.rank.cmp(&b.rank)).then_with(|| a.phrase.cmp(&b.phrase)));

    // 2. Content gaps against products, collections and posts.
    let mut pages: Vec<Page> = context.products.iter().map(|p| Page { words: product_words(p) }).collect();
    pages.extend(context.collections.iter().map(|c| Page { words: topic_words(&c.title) }));
    pages.extend(context.posts.iter().map(|p| {
        let mut words = topic_words(&p.title);
        p.keywords.iter().for_each(|k| words.extend(topic_words(k)));
        Page { words }
    }));
    let content_gaps = gaps(&keywords, &pages);

    // 3. Posts for the top gaps.
    let scope = Scope { tenant, budget: DailyBudget::for_plan(context.plan) };
    let mut posts = Vec::new();
    let mut published: Vec<(PublishedPost, BTreeSet<String>)> = Vec::new();
    let mut changed_urls = Vec::new();
    for gap in content_gaps.iter().take(posts_wanted) {
        let gap_words = topic_words(&gap.phrase);
        let mut related: Vec<(usize, &SeoProduct)> = context
            .products
            .iter()
            .map(|p| (product_words(p).intersection(&gap_words).count(), p))
            .filter(|(shared, _)| *shared > 0)
            .collect();
        related.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        let related: Vec<&SeoProduct> = related.into_iter().take(RELATED_PRODUCTS).map(|(_, p)| p).collect();
        let facts = BlogFacts {
            store_name: context.name.clone(),
            niche: context.niche.clone(),
            market: context.market.clone(),
            keyword: gap.phrase.clone(),
            products: if related.is_empty() {
                context.products.iter().take(RELATED_PRODUCTS).map(product_note).collect()
            } else {
                related.iter().copied().map(product_note).collect()
            },
        };
        let written = match engine.ai.blog_post(&scope, &facts).await {
            Ok(post) => post,
            Err(error @ AiError::BudgetExceeded { .. }) => {
                errors.push(format!("posts: {error}; the next run continues"));
                break;
            }
            Err(error) => {
                errors.push(format!("post for `{}`: {error}", gap.phrase));
                continue;
            }
        };
        let body = PublishPost {
            run_id,
            title: written.title.clone(),
            excerpt: post::excerpt(&written),
            body_html: post::html(&written, &related),
            meta_title: written.meta_title.clone(),
            meta_description: written.meta_description.clone(),
            keywords: written.keywords.clone(),
            related_product_ids: related.iter().map(|p| p.id.clone()).collect(),
        };
        let out = engine.edge.call::<PublishSeoPost>(&store, &body).await.context("publishing a post")?;
        let url = format!("{}/blog/{}", context.url, out.slug);
        if out.created {
            changed_urls.push(url.clone());
        }
        posts.push(ReportedPost {
            title: written.title.clone(),
            url,
            words: u32::try_from(written.words()).unwrap_or(u32::MAX),
            keyword: gap.phrase.clone(),
        });
        let mut words = topic_words(&written.title);
        written.keywords.iter().for_each(|k| words.extend(topic_words(k)));
        published.push((out, words));
    }

    // 4. Product meta refresh.
    let products: Vec<ProductSeo> = context
        .products
        .iter()
        .map(|p| ProductSeo {
            id: p.id.clone(),
            title: p.title.clone(),
            summary: p.summary.clone(),
            meta_title: p.meta_title.clone(),
            meta_description: p.meta_description.clone(),
            keywords: p.keywords.clone(),
        })
        .collect();
    let rewrites = review_products(&products, &context.name);
    let mut improved = 0;
    if !rewrites.is_empty() {
        let body = ProductRewrites {
            run_id,
            rewrites: rewrites
                .iter()
                .map(|r| ProductRewrite {
                    product_id: r.product_id.clone(),
                    field: r.field.to_owned(),
                    old: r.old.clone(),
                    new: r.new.clone(),
                    reason: r.issue.name().to_owned(),
                })
                .collect(),
        };
        improved = engine
            .edge
            .call::<RewriteProductMeta>(&store, &body)
            .await
            .context("rewriting product meta")?
            .applied;
        let touched: BTreeSet<&str> = rewrites.iter().map(|r| r.product_id.as_str()).collect();
        changed_urls.extend(
            context
                .products
                .iter()
                .filter(|p| touched.contains(p.id.as_str()))
                .map(|p| format!("{}/products/{}", context.url, p.slug)),
        );
    }

    // 5. Internal links: posts to products by shared keywords, capped both ways.
    let product_ids: BTreeSet<&str> = context.products.iter().map(|p| p.id.as_str()).collect();
    let mut linkable: Vec<Linkable> =
        context.products.iter().map(|p| Linkable { id: p.id.clone(), words: product_words(p) }).collect();
    linkable.extend(context.posts.iter().map(|p| {
        let mut words = topic_words(&p.title);
        p.keywords.iter().for_each(|k| words.extend(topic_words(k)));
        Linkable { id: p.id.clone(), words }
    }));
    linkable.extend(
        published
            .iter()
            .filter(|(p, _)| p.created)
            .map(|(p, words)| Linkable { id: p.post_id.clone(), words: words.clone() }),
    );
    let post_links: BTreeMap<String, Vec<String>> = internal_links(&linkable)
        .into_iter()
        .filter(|(from, _)| !product_ids.contains(from.as_str()))
        .map(|(from, to)| {
            (from, to.into_iter().filter(|t| product_ids.contains(t.as_str())).collect::<Vec<_>>())
        })
        .filter(|(_, to)| !to.is_empty())
        .collect();
    let links = post_links.values().map(Vec::len).sum::<usize>();
    if !post_links.is_empty() {
        engine
            .edge
            .call::<PlaceInternalLinks>(&store, &PostLinks { links: post_links })
            .await
            .context("placing internal links")?;
    }

    // 6. IndexNow.
    let mut indexnow_ok = false;
    if let Some(indexnow) = &engine.indexnow {
        match indexnow.notify(host_of(&context.url), &changed_urls).await {
            Ok(()) => indexnow_ok = true,
            Err(error) => errors.push(format!("indexnow: {error:#}")),
        }
    }

    let report = SeoReport {
        keywords: keywords.iter().take(REPORT_KEYWORDS).map(|k| k.phrase.clone()).collect(),
        sources,
        gaps: content_gaps.iter().take(20).map(|g| g.phrase.clone()).collect(),
        posts,
        products_improved: improved,
        links: u32::try_from(links).unwrap_or(u32::MAX),
        indexnow_urls: u32::try_from(changed_urls.len()).unwrap_or(u32::MAX),
        indexnow_ok,
        errors,
    };
    engine.edge.call::<ReportSeoRun>(&(store, run_id), &report).await.context("reporting the run")?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_start_from_the_niche_and_the_products_keywords() {
        let context = SeoContext {
            tenant_id: TenantId::from_random_bytes([1; 16]),
            name: "Cozy Paws".into(),
            niche: "Pet Grooming".into(),
            market: "US".into(),
            url: "http://cozy.localhost:8788".into(),
            products: vec![SeoProduct {
                id: "p".into(),
                slug: "s".into(),
                title: "Slicker Brush".into(),
                summary: String::new(),
                meta_title: String::new(),
                meta_description: String::new(),
                keywords: vec!["Dog Brush".into()],
            }],
            collections: vec![],
            posts: vec![],
            plan: domain::Plan::Starter,
        };
        assert_eq!(
            seeds(&context),
            vec!["pet grooming", "best pet grooming", "how to pet grooming", "pet grooming for", "dog brush"]
        );
        assert_eq!(host_of(&context.url), "cozy.localhost:8788");
    }
}
