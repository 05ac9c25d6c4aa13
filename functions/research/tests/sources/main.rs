//! The source adapters against the fixture server, over real HTTP in each service's wire format.

mod helpers;
mod snapshots;

use helpers::{FixtureServer, APIFY_TOKEN, CLIENT_SECRET};
use research::sources::links::ProductLink;
use research::sources::reddit::DEFAULT_SUBREDDITS;
use research::sources::tiktok::DEFAULT_ACTOR;
use research::sources::{gather, Query, Source, Sources, SKIPPED, SOURCE_TIMEOUT};
use std::time::Duration;

const QUERY: Query<'static> = Query { niche: "pet grooming", since: None };

#[tokio::test]
async fn reddit_top_posts_are_read_with_an_app_token() {
    let server = FixtureServer::start(&[]).await;
    let findings = server.reddit(DEFAULT_SUBREDDITS, CLIENT_SECRET).find(&QUERY).await.unwrap();
    assert!(findings.problems.is_empty(), "{:?}", findings.problems);
    let mentions = findings.mentions.unwrap();
    let communities: std::collections::BTreeSet<&str> =
        mentions.iter().map(|m| m.subreddit.as_str()).collect();
    assert_eq!(communities.len(), DEFAULT_SUBREDDITS.len());
    assert!(mentions.iter().any(|m| m.links.contains(&ProductLink::AliExpress("1005006100000000".into()))));
    assert!(
        mentions.iter().any(|m| m.links.contains(&ProductLink::AliExpress("1005006100118785".into()))),
        "links in a self post's text are found"
    );
    assert!(mentions.iter().all(|m| !m.title.contains("megathread")), "the stickied post is left out");
}

#[tokio::test]
async fn reddit_refuses_a_wrong_secret_and_the_error_shows_no_secret() {
    let server = FixtureServer::start(&[]).await;
    let wrong = "not-the-secret-31337";
    let error = server.reddit(&["shutupandtakemymoney"], wrong).find(&QUERY).await.unwrap_err();
    let text = format!("{error:#}");
    assert!(text.contains("401 Unauthorized"), "{text}");
    assert!(!text.contains(wrong) && !text.contains(CLIENT_SECRET), "{text}");
}

#[tokio::test]
async fn an_unknown_subreddit_is_a_problem_while_the_others_are_read() {
    let server = FixtureServer::start(&[]).await;
    let findings = server
        .reddit(&["shutupandtakemymoney", "nosuchcommunity"], CLIENT_SECRET)
        .find(&QUERY)
        .await
        .unwrap();
    assert!(!findings.mentions.unwrap().is_empty());
    assert_eq!(findings.problems, vec!["r/nosuchcommunity: Reddit answered 404 Not Found (Not Found)"]);
}

#[tokio::test]
async fn reddit_fails_as_a_whole_when_no_subreddit_can_be_read() {
    let server = FixtureServer::start(&[("FIXTURE_FAIL", "reddit")]).await;
    let gathered =
        gather(Some(&server.reddit(&["shutupandtakemymoney"], CLIENT_SECRET)), &QUERY, SOURCE_TIMEOUT).await;
    assert_eq!(gathered.coverage.candidates, 0);
    assert!(gathered.coverage.error.unwrap().contains("503"));
    assert!(gathered.findings.mentions.is_none(), "a failed source measures nothing");
}

#[tokio::test]
async fn competitor_catalogues_are_paged_until_an_empty_page() {
    let server = FixtureServer::start(&[("FIXTURE_SHOPIFY_PAGE_SIZE", "4")]).await;
    let findings = server.competitors(&["pawsandclaws", "groomwell"], 10).find(&QUERY).await.unwrap();
    assert!(findings.problems.is_empty(), "{:?}", findings.problems);
    let competition = findings.competition.unwrap();
    assert_eq!(competition.stores_scanned, 2);
    assert_eq!(competition.products.len(), 20, "3 pages of 4, 4, 2 per store, then an empty one");
    let mut ids: Vec<u64> = competition.products.iter().map(|p| p.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 20, "no page is read twice");
}

#[tokio::test]
async fn the_page_limit_caps_a_competitor_catalogue() {
    let server = FixtureServer::start(&[("FIXTURE_SHOPIFY_PAGE_SIZE", "4")]).await;
    let findings = server.competitors(&["groomwell"], 2).find(&QUERY).await.unwrap();
    assert_eq!(findings.competition.unwrap().products.len(), 8);
}

#[tokio::test]
async fn products_created_since_the_last_scan_are_marked_new() {
    let server = FixtureServer::start(&[]).await;
    let since = time::macros::datetime!(2025-11-18 00:00 UTC);
    let query = Query { niche: "pet grooming", since: Some(since) };
    let competition = server
        .competitors(&["pawsandclaws", "groomwell"], 4)
        .find(&query)
        .await
        .unwrap()
        .competition
        .unwrap();
    let mut new: Vec<&str> = competition.new_products().map(|p| p.title.as_str()).collect();
    new.sort_unstable();
    assert_eq!(new, vec!["Low Noise Dog Nail Grinder, Electric Trimmer", "Quiet Dog Nail Grinder"]);
}

#[tokio::test]
async fn a_store_that_cannot_be_read_is_a_problem_while_the_others_are_read() {
    let server = FixtureServer::start(&[]).await;
    let findings = server.competitors(&["pawsandclaws", "closed-down"], 4).find(&QUERY).await.unwrap();
    assert_eq!(findings.competition.unwrap().stores_scanned, 1);
    assert_eq!(findings.problems.len(), 1);
    assert!(
        findings.problems[0].contains("closed-down") && findings.problems[0].contains("404"),
        "{:?}",
        findings.problems
    );
}

#[tokio::test]
async fn the_csv_feed_gives_feed_products_and_counts_its_malformed_row() {
    let server = FixtureServer::start(&[]).await;
    let gathered = gather(Some(&server.feed("/feeds/supplier.csv")), &QUERY, SOURCE_TIMEOUT).await;
    assert_eq!(gathered.coverage.source, "feed");
    assert_eq!(gathered.coverage.candidates, 9);
    assert_eq!(
        gathered.coverage.error.as_deref(),
        Some("skipped 1 of 10 rows; row 9: cost `N/A` is not a valid amount")
    );
    assert!(gathered.findings.products.iter().all(|p| p.source == "feed"));
}

#[tokio::test]
async fn the_sources_answer_for_the_niche_asked_and_nothing_for_a_niche_they_do_not_know() {
    let server = FixtureServer::start(&[("FIXTURE_APIFY_RUN_S", "0.2")]).await;
    let camping = Query { niche: "camping", since: None };
    let reddit = server.reddit(DEFAULT_SUBREDDITS, CLIENT_SECRET);
    let mentions = reddit.find(&camping).await.unwrap().mentions.unwrap();
    assert!(mentions.len() >= 5, "{mentions:?}");
    let pet_posts = reddit.find(&QUERY).await.unwrap().mentions.unwrap();
    assert!(
        mentions.iter().all(|m| pet_posts.iter().all(|p| p.post_id != m.post_id)),
        "no pet post is about camping"
    );
    let tiktok = server.tiktok(DEFAULT_ACTOR, APIFY_TOKEN, Duration::from_secs(10));
    let videos = tiktok.find(&camping).await.unwrap().videos.unwrap();
    assert!(videos.len() >= 5 && videos.iter().all(|v| v.text.contains("#camping")), "{videos:?}");
    let feed = server.feed("/feeds/supplier.csv");
    let gathered = gather(Some(&feed), &camping, SOURCE_TIMEOUT).await;
    assert_eq!(gathered.coverage.candidates, 0, "the pet supplier's feed has no camping product");

    let unknown = Query { niche: "underwater basket weaving", since: None };
    let found = reddit.find(&unknown).await.unwrap();
    assert_eq!(found.mentions, Some(Vec::new()), "read, and nobody posts about it");
    assert_eq!(tiktok.find(&unknown).await.unwrap().videos.map(|v| v.len()), Some(0));
    assert_eq!(gather(Some(&feed), &unknown, SOURCE_TIMEOUT).await.findings.products.len(), 0);
}

#[tokio::test]
async fn every_source_is_asked_at_once_and_an_unconfigured_one_is_skipped() {
    let server = FixtureServer::start(&[]).await;
    let sources = Sources {
        aliexpress: None,
        reddit: Some(server.reddit(DEFAULT_SUBREDDITS, CLIENT_SECRET)),
        competitors: Some(server.competitors(&["pawsandclaws", "groomwell"], 4)),
        feed: Some(server.feed("/feeds/supplier.json")),
        trends: Some(server.trends(&["slicker brush"])),
        tiktok: Some(server.tiktok(DEFAULT_ACTOR, APIFY_TOKEN, Duration::from_secs(5))),
    };
    let gathered = sources.gather(&QUERY, SOURCE_TIMEOUT).await;
    let lines: Vec<(&str, u32, Option<&str>)> = gathered
        .iter()
        .map(|g| (g.coverage.source.as_str(), g.coverage.candidates, g.coverage.error.as_deref()))
        .collect();
    assert_eq!(lines[0], ("aliexpress", 0, Some(SKIPPED)));
    assert_eq!(lines[1].0, "reddit");
    assert!(lines[1].1 >= 20 && lines[1].2.is_none(), "{lines:?}");
    assert_eq!(lines[2], ("competitors", 20, None));
    assert_eq!(lines[3], ("feed", 9, None));
    assert_eq!(lines[4], ("google_trends", 2, None));
    assert_eq!(lines[5], ("tiktok", 10, None));
}

#[tokio::test]
async fn google_trends_tells_a_rising_keyword_from_a_steady_one() {
    let server = FixtureServer::start(&[]).await;
    let findings =
        server.trends(&["Slicker Brush", "cat water fountain", "moon boots"]).find(&QUERY).await.unwrap();
    let trends = findings.trends.unwrap();
    let by_keyword: Vec<(&str, bool)> = trends.iter().map(|t| (t.keyword.as_str(), t.rising)).collect();
    assert_eq!(
        by_keyword,
        vec![
            ("pet grooming", false),
            ("slicker brush", true),
            ("cat water fountain", false),
            ("moon boots", false)
        ]
    );
    let brush = &trends[1];
    assert!(brush.growth_pct.unwrap() >= 50, "{brush:?}");
    assert!(trends[2].growth_pct.unwrap() < 0, "falling: {:?}", trends[2]);
    assert_eq!((trends[3].interest, trends[3].previous), (0, 0), "no data is no interest");
}

#[tokio::test]
async fn google_trends_throttling_fails_the_source_not_the_run() {
    let server = FixtureServer::start(&[("FIXTURE_FAIL", "trends")]).await;
    let gathered = gather(Some(&server.trends(&[])), &QUERY, SOURCE_TIMEOUT).await;
    assert_eq!(gathered.coverage.source, "google_trends");
    assert_eq!(
        gathered.coverage.error.as_deref(),
        Some("Google Trends explore answered 429 Too Many Requests")
    );
    assert!(gathered.findings.trends.is_none());
}

#[tokio::test]
async fn tiktok_videos_come_from_an_apify_actor_run_waited_for_then_its_dataset() {
    let server = FixtureServer::start(&[("FIXTURE_APIFY_RUN_S", "1.5")]).await;
    let started = std::time::Instant::now();
    let findings =
        server.tiktok(DEFAULT_ACTOR, APIFY_TOKEN, Duration::from_secs(10)).find(&QUERY).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(1_400), "the run was waited for");
    let videos = findings.videos.unwrap();
    assert_eq!(videos.len(), 10, "the actor's error item is not a video");
    let laser = videos.iter().find(|v| v.text.contains("laser cat toy")).unwrap();
    assert_eq!((laser.plays, laser.likes), (6_540_112, 722_800));
    assert!(laser.url.starts_with("https://www.tiktok.com/@"));
}

#[tokio::test]
async fn a_wrong_apify_token_or_actor_is_refused_and_the_error_shows_no_token() {
    let server = FixtureServer::start(&[]).await;
    let wrong = "apify_api_not_the_token";
    let error = server.tiktok(DEFAULT_ACTOR, wrong, Duration::from_secs(5)).find(&QUERY).await.unwrap_err();
    let text = format!("{error:#}");
    assert!(text.contains("401 Unauthorized (token-not-valid)"), "{text}");
    assert!(!text.contains(wrong) && !text.contains(APIFY_TOKEN), "{text}");
    let error =
        server.tiktok("someone~else", APIFY_TOKEN, Duration::from_secs(5)).find(&QUERY).await.unwrap_err();
    assert!(format!("{error:#}").contains("404 Not Found (record-not-found)"));
}

#[tokio::test]
async fn a_failed_or_slow_actor_run_fails_the_tiktok_source_alone() {
    let server = FixtureServer::start(&[("FIXTURE_FAIL", "apify-run")]).await;
    let tiktok = server.tiktok(DEFAULT_ACTOR, APIFY_TOKEN, Duration::from_secs(5));
    let gathered = gather(Some(&tiktok), &QUERY, SOURCE_TIMEOUT).await;
    assert!(gathered.coverage.error.unwrap().ends_with("ended FAILED"));

    let server = FixtureServer::start(&[("FIXTURE_APIFY_RUN_S", "30")]).await;
    let tiktok = server.tiktok(DEFAULT_ACTOR, APIFY_TOKEN, Duration::from_secs(1));
    let gathered = gather(Some(&tiktok), &QUERY, SOURCE_TIMEOUT).await;
    let error = gathered.coverage.error.unwrap();
    assert!(error.contains("did not finish in 1 s"), "{error}");
    assert!(gathered.findings.videos.is_none());
}
