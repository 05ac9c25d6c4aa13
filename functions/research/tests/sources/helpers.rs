//! Spawns the sources fixture server (`local/fixtures/sources_server.py`) on a free port for one
//! test, and builds the real adapters pointed at it.

use research::sources::competitors::{CompetitorConfig, CompetitorStores};
use research::sources::reddit::{Reddit, RedditConfig};
use research::sources::tiktok::{TikTok, TikTokConfig};
use research::sources::trends::{GoogleTrends, TrendsConfig};
use secrecy::SecretString;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use suppliers::feed::SupplierFeed;

/// The Reddit app the fixture server knows.
pub const CLIENT_ID: &str = "fixture-client";
/// Its secret.
pub const CLIENT_SECRET: &str = "fixture-secret-7f3a9c";
/// The Apify token the fixture server accepts.
pub const APIFY_TOKEN: &str = "apify_api_fixture_9b21d";

/// The fixture server, found at run time: cargo sets `CARGO_MANIFEST_DIR` when it runs a test, and
/// a path compiled in would point into whichever clone built the shared target directory.
fn script() -> String {
    format!("{}/../../local/fixtures/sources_server.py", std::env::var("CARGO_MANIFEST_DIR").unwrap())
}

/// A running fixture server, stopped when dropped.
pub struct FixtureServer {
    child: Child,
    /// Its base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    http: reqwest::Client,
}

impl FixtureServer {
    /// Starts a server with these extra environment variables and waits until it answers.
    pub async fn start(env: &[(&str, &str)]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("python3")
            .arg(script())
            .arg(port.to_string())
            .env("REDDIT_CLIENT_ID", CLIENT_ID)
            .env("REDDIT_CLIENT_SECRET", CLIENT_SECRET)
            .env("APIFY_TOKEN", APIFY_TOKEN)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the fixture server");
        let mut server = Self { child, url: format!("http://127.0.0.1:{port}"), http: http() };
        let started = Instant::now();
        loop {
            if let Ok(response) = server.http.get(format!("{}/health", server.url)).send().await {
                if response.status().is_success() {
                    return server;
                }
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("the fixture server exited with {status} before answering");
            }
            assert!(started.elapsed() < Duration::from_secs(15), "the fixture server did not answer in 15 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A Reddit client of this server's app, reading `subreddits`, with `secret`.
    pub fn reddit(&self, subreddits: &[&str], secret: &str) -> Reddit {
        Reddit::new(
            self.http.clone(),
            RedditConfig {
                auth_url: self.url.clone(),
                api_url: self.url.clone(),
                client_id: CLIENT_ID.into(),
                client_secret: SecretString::from(secret),
                user_agent: "test:dropship-research:v0 (fixture)".into(),
                subreddits: subreddits.iter().map(|s| (*s).to_owned()).collect(),
            },
        )
    }

    /// A reader of these fixture stores (`shopify/{name}.json`), at most `max_pages` each.
    pub fn competitors(&self, stores: &[&str], max_pages: u32) -> CompetitorStores {
        CompetitorStores::new(
            self.http.clone(),
            CompetitorConfig {
                stores: stores.iter().map(|s| format!("{}/shops/{s}", self.url)).collect(),
                max_pages,
                currency: domain::Currency::Usd,
            },
        )
    }

    /// Google Trends comparing the niche with `keywords`.
    pub fn trends(&self, keywords: &[&str]) -> GoogleTrends {
        GoogleTrends::new(
            self.http.clone(),
            TrendsConfig {
                base_url: self.url.clone(),
                keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
                geo: "US".into(),
            },
        )
    }

    /// TikTok through Apify's `actor`, with `token`, waiting `wait` for a run.
    pub fn tiktok(&self, actor: &str, token: &str, wait: Duration) -> TikTok {
        TikTok::new(
            self.http.clone(),
            TikTokConfig {
                api_url: self.url.clone(),
                token: SecretString::from(token),
                actor: actor.into(),
                max_items: 100,
                wait,
            },
        )
    }

    /// The supplier feed at `path` (e.g. `/feeds/supplier.csv`).
    pub fn feed(&self, path: &str) -> SupplierFeed {
        SupplierFeed::new(self.http.clone(), SecretString::from(format!("{}{path}", self.url)))
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The client the research Lambda uses.
pub fn http() -> reqwest::Client {
    pipeline::edge::EdgeClient::http_client()
}
