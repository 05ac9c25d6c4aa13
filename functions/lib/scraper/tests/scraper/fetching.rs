//! The fetcher against a local server: robots.txt, retries, redirects and their checks, the
//! cache, the size limit, the rate limit, and refusals that happen before any connection.

use crate::helpers::{cached_fetcher, fetcher, fetcher_with, fixture, no_robots, Reply, TestServer};
use scraper::{
    scrape_product, AddressClass, FetchError, Fetcher, MemoryCache, Refusal, ScraperConfig, USER_AGENT,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn refused_class(result: Result<scraper::Page, FetchError>) -> AddressClass {
    match result {
        Err(FetchError::Refused(Refusal::Address { class, .. })) => class,
        other => panic!("expected an address refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_page_is_fetched_after_robots_txt_with_the_bot_user_agent() {
    let server = TestServer::start(|path, _| no_robots(path).unwrap_or_else(|| Reply::html("<h1>Lamp</h1>")));
    let page = fetcher().fetch(&server.url("/products/lamp?x=1#reviews")).await.unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(page.body, "<h1>Lamp</h1>");
    assert_eq!(page.content_type.as_deref(), Some("text/html; charset=utf-8"));
    assert_eq!(page.url, server.url("/products/lamp?x=1"));
    assert!(!page.from_cache);
    assert_eq!(server.paths(), ["/robots.txt", "/products/lamp?x=1"]);
    for seen in server.seen() {
        assert_eq!(seen.headers.get("user-agent").map(String::as_str), Some(USER_AGENT));
    }
}

#[tokio::test]
async fn a_path_robots_txt_disallows_is_never_requested() {
    let server = TestServer::start(|path, _| match path {
        "/robots.txt" => {
            Reply::ok("User-agent: *\nDisallow: /private\n\nUser-agent: OtherBot\nDisallow: /\n")
        }
        _ => Reply::html("ok"),
    });
    let fetcher = fetcher();
    let refused = fetcher.fetch(&server.url("/private/prices")).await;
    assert!(matches!(refused, Err(FetchError::DisallowedByRobots(_))), "{refused:?}");
    assert_eq!(server.hits("/private/prices"), 0);
    fetcher.fetch(&server.url("/products/a")).await.unwrap();
    assert_eq!(server.hits("/robots.txt"), 1, "robots.txt is asked once per site");
}

#[tokio::test]
async fn a_robots_txt_answering_500_keeps_the_whole_site_off_limits() {
    let server = TestServer::start(|path, _| match path {
        "/robots.txt" => Reply::status(500),
        _ => Reply::html("ok"),
    });
    let refused = fetcher().fetch(&server.url("/products/a")).await;
    assert!(matches!(refused, Err(FetchError::DisallowedByRobots(_))), "{refused:?}");
    assert_eq!(server.hits("/products/a"), 0);
    assert_eq!(server.hits("/robots.txt"), 3, "robots.txt is retried like any request");
}

#[tokio::test]
async fn a_robots_txt_answering_404_allows_everything() {
    let server = TestServer::start(|path, _| no_robots(path).unwrap_or_else(|| Reply::html("ok")));
    assert!(fetcher().fetch(&server.url("/anything")).await.is_ok());
}

#[tokio::test]
async fn a_429_then_a_200_is_retried_and_succeeds() {
    let server = TestServer::start(|path, before| {
        no_robots(path).unwrap_or_else(|| match before {
            0 => Reply::status(429).header("retry-after", "0"),
            _ => Reply::html("finally"),
        })
    });
    let page = fetcher().fetch(&server.url("/busy")).await.unwrap();
    assert_eq!(page.body, "finally");
    assert_eq!(server.hits("/busy"), 2);
}

#[tokio::test]
async fn a_site_failing_every_attempt_fails_after_the_bounded_attempts_and_may_be_retried_later() {
    let server = TestServer::start(|path, _| no_robots(path).unwrap_or_else(|| Reply::status(503)));
    let error = fetcher().fetch(&server.url("/down")).await.unwrap_err();
    assert!(matches!(error, FetchError::Status { status: 503, .. }), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(server.hits("/down"), 3);
}

#[tokio::test]
async fn a_retry_after_longer_than_the_fetcher_waits_fails_at_once_and_says_how_long() {
    let server = TestServer::start(|path, _| {
        no_robots(path).unwrap_or_else(|| Reply::status(429).header("retry-after", "3600"))
    });
    let error = fetcher().fetch(&server.url("/slow-down")).await.unwrap_err();
    match error {
        FetchError::Status { status: 429, retry_after } => {
            assert_eq!(retry_after, Some(Duration::from_secs(3600)))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.hits("/slow-down"), 1);
}

#[tokio::test]
async fn a_404_is_not_retried() {
    let server = TestServer::start(|path, _| no_robots(path).unwrap_or_else(|| Reply::status(404)));
    let error = fetcher().fetch(&server.url("/gone")).await.unwrap_err();
    assert!(matches!(error, FetchError::Status { status: 404, .. }));
    assert!(!error.is_retryable());
    assert_eq!(server.hits("/gone"), 1);
}

#[tokio::test]
async fn redirects_are_followed_and_every_hop_asks_robots_txt() {
    let server = TestServer::start(|path, _| match path {
        "/robots.txt" => Reply::ok("User-agent: DropshipResearchBot\nDisallow: /hidden\n"),
        "/old" => Reply::redirect("/new#top"),
        "/new" => Reply::html("moved here"),
        "/sneaky" => Reply::redirect("/hidden/page"),
        _ => Reply::html("hidden"),
    });
    let fetcher = fetcher();
    let page = fetcher.fetch(&server.url("/old")).await.unwrap();
    assert_eq!(page.body, "moved here");
    assert_eq!(page.final_url, server.url("/new"));
    let refused = fetcher.fetch(&server.url("/sneaky")).await;
    assert!(matches!(refused, Err(FetchError::DisallowedByRobots(_))), "{refused:?}");
    assert_eq!(server.hits("/hidden/page"), 0);
}

#[tokio::test]
async fn a_redirect_to_a_metadata_private_or_link_local_address_is_refused_even_in_local_mode() {
    let server = TestServer::start(|path, _| {
        no_robots(path).unwrap_or_else(|| match path {
            "/to-metadata" => Reply::redirect("http://169.254.169.254/latest/meta-data/iam/"),
            "/to-metadata-hex" => Reply::redirect("http://0xa9fea9fe/latest/meta-data/"),
            "/to-private" => Reply::redirect("http://10.0.0.1:8080/admin"),
            "/to-mapped-private" => Reply::redirect("http://[::ffff:192.168.1.1]/"),
            "/to-link-local-v6" => Reply::redirect("http://[fe80::1]/"),
            "/to-ec2-v6" => Reply::redirect("http://[fd00:ec2::254]/latest/meta-data/"),
            _ => Reply::status(404),
        })
    });
    let fetcher = fetcher();
    assert_eq!(refused_class(fetcher.fetch(&server.url("/to-metadata")).await), AddressClass::Metadata);
    assert_eq!(refused_class(fetcher.fetch(&server.url("/to-metadata-hex")).await), AddressClass::Metadata);
    assert_eq!(refused_class(fetcher.fetch(&server.url("/to-private")).await), AddressClass::Private);
    assert_eq!(refused_class(fetcher.fetch(&server.url("/to-mapped-private")).await), AddressClass::Private);
    assert_eq!(refused_class(fetcher.fetch(&server.url("/to-link-local-v6")).await), AddressClass::LinkLocal);
    assert_eq!(refused_class(fetcher.fetch(&server.url("/to-ec2-v6")).await), AddressClass::Metadata);
}

#[tokio::test]
async fn a_redirect_to_another_scheme_is_refused() {
    let server =
        TestServer::start(|path, _| no_robots(path).unwrap_or_else(|| Reply::redirect("file:///etc/passwd")));
    let error = fetcher().fetch(&server.url("/file")).await.unwrap_err();
    assert!(matches!(error, FetchError::Refused(Refusal::Scheme(ref s)) if s == "file"), "{error:?}");
}

#[tokio::test]
async fn a_redirect_loop_stops_after_five_redirects() {
    let server = TestServer::start(|path, _| no_robots(path).unwrap_or_else(|| Reply::redirect("/loop")));
    let error = fetcher().fetch(&server.url("/loop")).await.unwrap_err();
    assert!(matches!(error, FetchError::TooManyRedirects(5)), "{error:?}");
    assert_eq!(server.hits("/loop"), 6);
}

#[tokio::test]
async fn a_host_name_is_connected_to_at_the_address_its_checked_resolution_gave() {
    let server = TestServer::start(|path, _| no_robots(path).unwrap_or_else(|| Reply::html("by name")));
    let page = fetcher().fetch(&format!("http://shop.test:{}/p", server.port)).await.unwrap();
    assert_eq!(page.body, "by name");
    let host = server.seen().last().unwrap().headers.get("host").cloned();
    assert_eq!(host, Some(format!("shop.test:{}", server.port)));
}

#[tokio::test]
async fn a_host_name_resolving_to_a_private_or_metadata_address_is_refused_before_connecting() {
    let fetcher = fetcher();
    assert_eq!(refused_class(fetcher.fetch("http://intranet.test:8080/").await), AddressClass::Private);
    assert_eq!(refused_class(fetcher.fetch("http://mixed.test:8080/").await), AddressClass::Metadata);
}

#[tokio::test]
async fn a_redirect_to_a_host_name_resolving_to_a_private_address_is_refused() {
    let server = TestServer::start(|path, _| {
        no_robots(path).unwrap_or_else(|| Reply::redirect("http://intranet.test/secrets"))
    });
    assert_eq!(refused_class(fetcher().fetch(&server.url("/hop")).await), AddressClass::Private);
}

#[tokio::test]
async fn outside_local_mode_every_spelling_of_loopback_is_refused_before_any_request() {
    let server = TestServer::start(|_, _| Reply::html("should not be reached"));
    let production = fetcher_with(ScraperConfig { min_interval: Duration::ZERO, ..ScraperConfig::default() });
    let port_refused = production.fetch(&server.url("/")).await;
    assert!(matches!(port_refused, Err(FetchError::Refused(Refusal::Port(_)))), "{port_refused:?}");
    for url in [
        "http://127.0.0.1/",
        "http://127.1/",
        "http://0x7f000001/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "https://shop.test/",
    ] {
        assert_eq!(refused_class(production.fetch(url).await), AddressClass::Loopback, "{url}");
    }
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn a_second_fetch_of_a_page_is_served_from_the_cache() {
    let server = TestServer::start(|path, _| no_robots(path).unwrap_or_else(|| Reply::html("fresh")));
    let cache = Arc::new(MemoryCache::new());
    let fetcher = cached_fetcher(Arc::clone(&cache));
    let first = fetcher.fetch(&server.url("/p")).await.unwrap();
    let second = fetcher.fetch(&server.url("/p#again")).await.unwrap();
    assert!(!first.from_cache);
    assert!(second.from_cache);
    assert_eq!(second.body, "fresh");
    assert_eq!(server.hits("/p"), 1);
    // A new fetcher (a new Lambda) sharing the cache asks nothing of the site, robots.txt included.
    let requests = server.seen().len();
    assert!(cached_fetcher(cache).fetch(&server.url("/p")).await.unwrap().from_cache);
    assert_eq!(server.seen().len(), requests);
}

#[tokio::test]
async fn failures_are_not_cached() {
    let server = TestServer::start(|path, before| {
        no_robots(path).unwrap_or_else(|| if before == 0 { Reply::status(404) } else { Reply::html("back") })
    });
    let cache = Arc::new(MemoryCache::new());
    let fetcher = cached_fetcher(Arc::clone(&cache));
    assert!(fetcher.fetch(&server.url("/p")).await.is_err());
    assert!(cache.is_empty());
    assert_eq!(fetcher.fetch(&server.url("/p")).await.unwrap().body, "back");
}

#[tokio::test]
async fn a_body_over_the_size_limit_is_refused_whether_or_not_its_length_is_announced() {
    let server = TestServer::start(|path, _| {
        no_robots(path).unwrap_or_else(|| match path {
            "/announced" => Reply::html(vec![b'a'; 4096]),
            "/streamed" => Reply::html(vec![b'a'; 4096]).without_length(),
            _ => Reply::html(vec![b'a'; 1024]).without_length(),
        })
    });
    let fetcher = fetcher_with(ScraperConfig { max_body_bytes: 1024, ..ScraperConfig::for_local_tests() });
    for path in ["/announced", "/streamed"] {
        let error = fetcher.fetch(&server.url(path)).await.unwrap_err();
        assert!(matches!(error, FetchError::TooLarge { limit: 1024 }), "{path}: {error:?}");
    }
    assert_eq!(fetcher.fetch(&server.url("/just-fits")).await.unwrap().body.len(), 1024);
}

#[tokio::test]
async fn requests_to_one_host_are_spaced_by_the_configured_interval() {
    let server = TestServer::start(|path, _| no_robots(path).unwrap_or_else(|| Reply::html("ok")));
    let interval = Duration::from_millis(150);
    let fetcher = fetcher_with(ScraperConfig { min_interval: interval, ..ScraperConfig::for_local_tests() });
    let start = Instant::now();
    fetcher.fetch(&server.url("/a")).await.unwrap();
    fetcher.fetch(&server.url("/b")).await.unwrap();
    // robots.txt, /a, /b: two waits.
    assert!(start.elapsed() >= interval * 2, "{:?}", start.elapsed());
}

#[tokio::test]
async fn a_site_that_cannot_be_reached_is_off_limits_because_its_robots_txt_cannot_be_read() {
    // Bind, then drop, a port: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let error = fetcher().fetch(&format!("http://127.0.0.1:{port}/")).await.unwrap_err();
    assert!(matches!(error, FetchError::DisallowedByRobots(_)), "{error:?}");
}

#[tokio::test]
async fn a_dropped_connection_is_retried_then_reported_as_retryable() {
    let server = TestServer::start(|path, _| no_robots(path).unwrap_or_else(Reply::hang_up));
    let error = fetcher().fetch(&server.url("/flaky")).await.unwrap_err();
    assert!(matches!(error, FetchError::Transport(_)), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(server.hits("/flaky"), 3);
}

#[tokio::test]
async fn a_shopify_page_is_completed_from_its_product_json() {
    let server = TestServer::start(|path, _| {
        no_robots(path).unwrap_or_else(|| match path {
            "/products/camp-lantern" => Reply::html(fixture("shopify-page.html")),
            "/products/camp-lantern.json" => {
                Reply::ok(fixture("shopify-product.json")).header("content-type", "application/json")
            }
            _ => Reply::status(404),
        })
    });
    let product = scrape_product(&fetcher(), &server.url("/products/camp-lantern")).await.unwrap().unwrap();
    assert_eq!(product.title, "Camp Lantern & Hook");
    assert_eq!(product.description, "Bright, warm light for the tent.");
    assert_eq!(product.price.map(|m| (m.minor, m.currency.code())), Some((2750, "CAD")));
    assert_eq!(product.images.len(), 2);
    assert_eq!(product.source_url, server.url("/products/camp-lantern"));
}

#[test]
fn a_fetcher_with_a_proxy_never_prints_its_credentials() {
    let config = ScraperConfig::from_lookup(|name| {
        (name == "SCRAPER_PROXY_URL").then(|| "http://scraper:hunter2@proxy.internal.example:3128".to_owned())
    })
    .unwrap();
    let fetcher = Fetcher::new(config.clone()).unwrap();
    assert!(!format!("{fetcher:?}").contains("hunter2"));
    assert!(!format!("{config:?}").contains("hunter2"));
}

#[tokio::test]
async fn an_image_is_fetched_as_bytes_with_the_same_guards_and_never_cached() {
    let png: Vec<u8> = vec![0x89, b'P', b'N', b'G', 0, 0xff, 0xfe];
    let body = png.clone();
    let server = TestServer::start(move |path, _| match path {
        "/robots.txt" => Reply::ok("User-agent: *\nDisallow: /private\n"),
        _ => Reply::ok(body.clone()).header("content-type", "image/png"),
    });
    let cache = Arc::new(MemoryCache::default());
    let fetcher = cached_fetcher(cache.clone());
    let (bytes, content_type) = fetcher.fetch_bytes(&server.url("/kf/a.png"), 1_024).await.unwrap();
    assert_eq!((bytes, content_type.as_deref()), (png, Some("image/png")), "binary kept byte for byte");
    fetcher.fetch_bytes(&server.url("/kf/a.png"), 1_024).await.unwrap();
    assert_eq!(server.hits("/kf/a.png"), 2, "images do not go through the page cache");
    assert!(matches!(
        fetcher.fetch_bytes(&server.url("/private/b.png"), 1_024).await,
        Err(FetchError::DisallowedByRobots(_))
    ));
    assert!(fetcher.fetch_bytes(&server.url("/kf/a.png"), 3).await.is_err(), "over the limit");
}
