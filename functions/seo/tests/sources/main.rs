//! The SEO engine's adapters over real HTTP against the recorded-fixture stand-ins
//! (`local/fixtures/search_server.py`): autocomplete, the SERP API, IndexNow.

use secrecy::SecretString;
use seo::sources::{Autocomplete, IndexNow, Serp};
use std::process::Command;
use test_servers::{free_port, Server};

const KEY: &str = "test-serp-key-0123";

fn search_server() -> Server {
    let port = free_port();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../local/fixtures/search_server.py");
    let mut command = Command::new("python3");
    command.arg(script).arg(port.to_string()).arg(KEY);
    Server::spawn(command, "search stand-ins", "/_test/indexnow", port)
}

#[tokio::test]
async fn autocomplete_suggestions_come_back_lowercased_in_order() {
    let server = search_server();
    let autocomplete = Autocomplete::new(reqwest::Client::new(), format!("{}/complete/search", server.url));
    let found = autocomplete.suggest("Pet Grooming", "US").await.unwrap();
    assert_eq!(found.first().map(String::as_str), Some("pet grooming"));
    assert!(found.contains(&"pet grooming kit".to_owned()), "{found:?}");
    let rare = autocomplete.suggest("axolotl tank", "GB").await.unwrap();
    assert!(rare.iter().all(|s| s.starts_with("axolotl tank")), "{rare:?}");
}

#[tokio::test]
async fn the_serp_api_gives_related_searches_with_the_right_key_and_refuses_a_wrong_one() {
    let server = search_server();
    let url = format!("{}/search.json", server.url);
    let serp = Serp::new(reqwest::Client::new(), url.clone(), SecretString::from(KEY));
    let related = serp.related("dog brush", "US").await.unwrap();
    assert!(related.contains(&"dog brush checklist".to_owned()), "{related:?}");
    assert!(related.contains(&"how often should you do dog brush?".to_owned()), "{related:?}");
    let wrong = Serp::new(reqwest::Client::new(), url, SecretString::from("wrong"));
    let err = wrong.related("dog brush", "US").await.unwrap_err().to_string();
    assert!(err.contains("401") && !err.contains("wrong"), "the key never shows: {err}");
}

#[tokio::test]
async fn indexnow_receives_the_changed_urls_of_a_host() {
    let server = search_server();
    let indexnow =
        IndexNow::new(reqwest::Client::new(), format!("{}/indexnow", server.url), "0123456789abcdef");
    let urls = vec!["http://demo.localhost:8788/blog/a-guide".to_owned()];
    indexnow.notify("demo.localhost:8788", &urls).await.unwrap();
    indexnow.notify("demo.localhost:8788", &[]).await.unwrap();
    let received = server.get("/_test/indexnow").await;
    assert_eq!(received.as_array().unwrap().len(), 1, "an empty list is not sent");
    assert_eq!(received[0]["urlList"][0], urls[0].as_str());
    assert_eq!(received[0]["key"], "0123456789abcdef");
    let short_key = IndexNow::new(reqwest::Client::new(), format!("{}/indexnow", server.url), "k");
    assert!(short_key.notify("h", &urls).await.unwrap_err().to_string().contains("422"));
}
