//! The supplier feed against the sources fixture server (`local/fixtures/sources_server.py`),
//! over real HTTP.

use secrecy::SecretString;
use std::process::Command;
use suppliers::feed::SupplierFeed;
use suppliers::Supplier;
use test_servers::{free_port, Server};

/// The fixture server with these extra environment variables, on a free port. Its script is
/// found at run time: cargo sets `CARGO_MANIFEST_DIR` when it runs a test, and a path compiled in
/// would point into whichever clone built the shared target directory.
fn fixture_server(env: &[(&str, &str)]) -> Server {
    let script =
        format!("{}/../../../local/fixtures/sources_server.py", std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let port = free_port();
    let mut command = Command::new("python3");
    command.arg(script).arg(port.to_string()).envs(env.iter().copied());
    Server::spawn(command, "the sources fixture server", "/health", port)
}

/// The feed at `url`, read with the client the functions use.
fn feed(url: String) -> SupplierFeed {
    SupplierFeed::new(pipeline::edge::EdgeClient::http_client(), SecretString::from(url))
}

#[tokio::test]
async fn the_json_feed_gives_the_same_products_as_the_csv_feed() {
    let server = fixture_server(&[]);
    let json = feed(format!("{}/feeds/supplier.json", server.url)).catalog("").await.unwrap();
    let csv = feed(format!("{}/feeds/supplier.csv", server.url)).catalog("").await.unwrap();
    assert!(json.problems.is_empty(), "{:?}", json.problems);
    assert_eq!(json.products, csv.products);
}

#[tokio::test]
async fn a_feed_that_is_down_fails_without_telling_where_it_is() {
    let server = fixture_server(&[("FIXTURE_FAIL", "feed")]);
    let error =
        feed(format!("{}/feeds/supplier.csv?key=feed-access-key", server.url)).catalog("").await.unwrap_err();
    let text = format!("{error:#}");
    assert_eq!(text, "the supplier feed answered 503 Service Unavailable");
}

#[tokio::test]
async fn an_unreachable_feed_fails_without_telling_where_it_is() {
    let port = free_port();
    let feed = feed(format!("http://127.0.0.1:{port}/export.csv?key=feed-access-key"));
    let text = format!("{:#}", feed.catalog("").await.unwrap_err());
    assert!(text.starts_with("fetching the supplier feed"), "{text}");
    assert!(!text.contains("feed-access-key") && !text.contains("export.csv"), "{text}");
}
