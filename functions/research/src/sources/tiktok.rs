//! TikTok trends, read through an Apify actor (by default `clockworks~tiktok-scraper`): the
//! niche's most viewed recent videos, turned into [`Video`]s that lend candidates a TikTok
//! engagement signal.
//!
//! The wire format is Apify's API v2, authenticated with `Authorization: Bearer <token>`:
//! 1. `POST {api}/v2/acts/{actorId}/runs` with the actor's input as the JSON body answers
//!    `201 {"data": {"id", "actId", "status": "READY", "defaultDatasetId", ...}}`;
//! 2. `GET {api}/v2/actor-runs/{runId}?waitForFinish=<s>` answers the run the same way once it
//!    finished or the wait is over; `status` ends as `SUCCEEDED`, `FAILED`, `TIMED-OUT` or
//!    `ABORTED`;
//! 3. `GET {api}/v2/datasets/{datasetId}/items?format=json&clean=true&limit=<n>` answers the
//!    actor's items as a JSON array.
//!
//! Errors come as `{"error": {"type", "message"}}`.

use super::links::{product_links, ProductLink};
use super::{Findings, Query, Source};
use anyhow::{bail, ensure, Context};
use reqwest::header::{HeaderValue, AUTHORIZATION};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use std::time::{Duration, Instant};

/// The actor read when `APIFY_TIKTOK_ACTOR` is unset.
pub const DEFAULT_ACTOR: &str = "clockworks~tiktok-scraper";

/// Longest wait Apify grants per poll.
const MAX_WAIT_SECS: u64 = 60;

/// How the TikTok source is configured.
#[derive(Clone)]
pub struct TikTokConfig {
    /// Apify's API (`APIFY_API_URL`, default `https://api.apify.com`).
    pub api_url: String,
    /// The API token (`APIFY_TOKEN`); its presence turns the source on.
    pub token: SecretString,
    /// The actor, as `user~name` or its id (`APIFY_TIKTOK_ACTOR`).
    pub actor: String,
    /// Videos read at most (`APIFY_TIKTOK_MAX_ITEMS`, default 100).
    pub max_items: u32,
    /// How long a run may take before the source gives up on it (`APIFY_WAIT_S`, default 90).
    pub wait: Duration,
}

impl std::fmt::Debug for TikTokConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TikTokConfig")
            .field("api_url", &self.api_url)
            .field("actor", &self.actor)
            .field("max_items", &self.max_items)
            .finish_non_exhaustive()
    }
}

impl TikTokConfig {
    /// Reads the configuration through `var`; `None` when `APIFY_TOKEN` is unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Option<Self>> {
        let Some(token) = var("APIFY_TOKEN") else {
            return Ok(None);
        };
        let actor = var("APIFY_TIKTOK_ACTOR").unwrap_or_else(|| DEFAULT_ACTOR.into());
        ensure!(
            !actor.is_empty() && actor.bytes().all(|b| b.is_ascii_alphanumeric() || b"~-_.".contains(&b)),
            "APIFY_TIKTOK_ACTOR: `{actor}` is not an actor id or user~name"
        );
        let number = |name: &str, default: u64| -> anyhow::Result<u64> {
            match var(name) {
                Some(text) => text
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .with_context(|| format!("{name}: `{text}` is not a positive number")),
                None => Ok(default),
            }
        };
        Ok(Some(Self {
            api_url: var("APIFY_API_URL").unwrap_or_else(|| "https://api.apify.com".into()),
            token: SecretString::from(token),
            actor,
            max_items: u32::try_from(number("APIFY_TIKTOK_MAX_ITEMS", 100)?.min(1_000)).unwrap_or(1_000),
            wait: Duration::from_secs(number("APIFY_WAIT_S", 90)?),
        }))
    }
}

/// A TikTok video about a product.
#[derive(Debug, Clone, PartialEq)]
pub struct Video {
    /// TikTok's id of the video.
    pub id: String,
    /// Its caption with its hashtags (untrusted text).
    pub text: String,
    /// Views.
    pub plays: u64,
    /// Likes.
    pub likes: u64,
    /// Shares.
    pub shares: u64,
    /// Comments.
    pub comments: u64,
    /// Its page on TikTok.
    pub url: String,
    /// Product links in its caption.
    pub links: Vec<ProductLink>,
}

/// A client of Apify's API for one TikTok actor.
pub struct TikTok {
    http: reqwest::Client,
    config: TikTokConfig,
}

/// An actor run as Apify describes it.
#[derive(Debug, Deserialize)]
struct Run {
    id: String,
    status: String,
    #[serde(rename = "defaultDatasetId")]
    dataset: String,
}

impl TikTok {
    /// From `APIFY_*` variables; `None` when not configured.
    pub fn from_env(http: reqwest::Client) -> anyhow::Result<Option<Self>> {
        Ok(TikTokConfig::from_vars(pipeline::config::optional)?.map(|config| Self::new(http, config)))
    }

    /// A client with this configuration.
    pub fn new(http: reqwest::Client, config: TikTokConfig) -> Self {
        Self { http, config }
    }

    /// How long the source may take: the run's allowed wait, and a little to read its items.
    pub fn time_limit(&self) -> Duration {
        self.config.wait + Duration::from_secs(5)
    }

    /// Starts an actor run for `niche`, waits for it, and reads its videos.
    pub async fn videos(&self, niche: &str) -> anyhow::Result<Vec<Video>> {
        let hashtag: String =
            niche.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
        let input = json!({
            "searchQueries": [niche],
            "hashtags": [hashtag],
            "resultsPerPage": self.config.max_items,
            "searchSection": "/video",
            "shouldDownloadVideos": false,
            "shouldDownloadCovers": false,
        });
        let started: Run = self
            .call(
                self.http.post(format!("{}/v2/acts/{}/runs", self.base(), self.config.actor)).json(&input),
                "starting the actor run",
            )
            .await?;
        let run = self.wait_for(started).await?;
        let url = format!(
            "{}/v2/datasets/{}/items?format=json&clean=true&limit={}",
            self.base(),
            run.dataset,
            self.config.max_items
        );
        let response = self
            .http
            .get(url)
            .header(AUTHORIZATION, self.authorization()?)
            .send()
            .await
            .context("reading the run's dataset")?;
        let status = response.status();
        let body = response.text().await.context("reading the run's dataset")?;
        if !status.is_success() {
            bail!("Apify answered {} to the dataset read", refusal(status, &body));
        }
        parse_items(&body)
    }

    async fn wait_for(&self, mut run: Run) -> anyhow::Result<Run> {
        let deadline = Instant::now() + self.config.wait;
        loop {
            match run.status.as_str() {
                "SUCCEEDED" => return Ok(run),
                "READY" | "RUNNING" => {}
                other => bail!("the actor run {} ended {other}", run.id),
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                bail!("the actor run {} did not finish in {} s", run.id, self.config.wait.as_secs());
            }
            let wait = left.as_secs().clamp(1, MAX_WAIT_SECS);
            run = self
                .call(
                    self.http.get(format!("{}/v2/actor-runs/{}?waitForFinish={wait}", self.base(), run.id)),
                    "polling the actor run",
                )
                .await?;
        }
    }

    async fn call(&self, request: reqwest::RequestBuilder, doing: &str) -> anyhow::Result<Run> {
        #[derive(Deserialize)]
        struct Answer {
            data: Run,
        }
        let response = request
            .header(AUTHORIZATION, self.authorization()?)
            .send()
            .await
            .with_context(|| format!("{doing}: calling Apify"))?;
        let status = response.status();
        let body = response.text().await.with_context(|| format!("{doing}: reading Apify's answer"))?;
        if !status.is_success() {
            bail!("{doing}: Apify answered {}", refusal(status, &body));
        }
        let answer: Answer = serde_json::from_str(&body)
            .with_context(|| format!("{doing}: Apify's answer is not an actor run"))?;
        Ok(answer.data)
    }

    fn authorization(&self) -> anyhow::Result<HeaderValue> {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.config.token.expose_secret()))
            .context("the Apify token is not a header value")?;
        value.set_sensitive(true);
        Ok(value)
    }

    fn base(&self) -> &str {
        self.config.api_url.trim_end_matches('/')
    }
}

impl Source for TikTok {
    const NAME: &'static str = "tiktok";

    async fn find(&self, query: &Query<'_>) -> anyhow::Result<Findings> {
        let videos = self.videos(query.niche).await?;
        Ok(Findings { videos: Some(videos), ..Findings::default() })
    }
}

/// Describes a refusal by its status and Apify's error type, never by echoing the body.
fn refusal(status: reqwest::StatusCode, body: &str) -> String {
    #[derive(Deserialize)]
    struct Refusal {
        error: Error,
    }
    #[derive(Deserialize)]
    struct Error {
        #[serde(rename = "type")]
        kind: String,
    }
    match serde_json::from_str::<Refusal>(body) {
        Ok(refusal) => format!("{status} ({})", refusal.error.kind.chars().take(60).collect::<String>()),
        Err(_) => status.to_string(),
    }
}

/// Reads a dataset of the TikTok actor's items; items that are not videos (errors the actor
/// records per query, e.g. `{"error": ...}`) are skipped.
pub fn parse_items(body: &str) -> anyhow::Result<Vec<Video>> {
    #[derive(Deserialize)]
    struct Item {
        id: Option<String>,
        text: Option<String>,
        #[serde(rename = "playCount", default)]
        plays: u64,
        #[serde(rename = "diggCount", default)]
        likes: u64,
        #[serde(rename = "shareCount", default)]
        shares: u64,
        #[serde(rename = "commentCount", default)]
        comments: u64,
        #[serde(rename = "webVideoUrl", default)]
        url: String,
        #[serde(default)]
        hashtags: Vec<Hashtag>,
    }
    #[derive(Deserialize)]
    struct Hashtag {
        name: Option<String>,
    }
    let items: Vec<serde_json::Value> =
        serde_json::from_str(body).context("the dataset is not a JSON array of items")?;
    Ok(items
        .into_iter()
        .filter_map(|value| serde_json::from_value::<Item>(value).ok())
        .filter_map(|item| {
            let id = item.id?;
            let mut text = item.text.unwrap_or_default();
            for tag in item.hashtags.iter().filter_map(|h| h.name.as_deref()) {
                if !text.contains(&format!("#{tag}")) {
                    text.push_str(&format!(" #{tag}"));
                }
            }
            Some(Video {
                links: product_links(&text),
                id,
                text,
                plays: item.plays,
                likes: item.likes,
                shares: item.shares,
                comments: item.comments,
                url: item.url,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn videos_keep_their_counts_and_hashtags_and_error_items_are_skipped() {
        let body = r##"[
          {"id": "7301", "text": "this brush #dogsoftiktok", "playCount": 1200000, "diggCount": 98000,
           "shareCount": 4100, "commentCount": 760, "webVideoUrl": "https://www.tiktok.com/@a/video/7301",
           "hashtags": [{"name": "dogsoftiktok"}, {"name": "petgrooming"}]},
          {"error": "no results for the query", "url": "https://www.tiktok.com/search?q=x"}
        ]"##;
        let videos = parse_items(body).unwrap();
        assert_eq!(videos.len(), 1);
        assert_eq!((videos[0].plays, videos[0].likes), (1_200_000, 98_000));
        assert_eq!(videos[0].text, "this brush #dogsoftiktok #petgrooming");
    }

    #[test]
    fn the_token_is_required_and_never_shown() {
        assert!(TikTokConfig::from_vars(|_| None).unwrap().is_none());
        let config =
            TikTokConfig::from_vars(|name| (name == "APIFY_TOKEN").then(|| "apify_api_s3cr3t".into()))
                .unwrap()
                .unwrap();
        assert_eq!(config.actor, DEFAULT_ACTOR);
        assert!(!format!("{config:?}").contains("s3cr3t"));
        let bad = TikTokConfig::from_vars(|name| match name {
            "APIFY_TOKEN" => Some("t".into()),
            "APIFY_TIKTOK_ACTOR" => Some("../admin".into()),
            _ => None,
        });
        assert!(bad.is_err());
    }

    #[test]
    fn refusals_name_apifys_error_type_only() {
        let text = refusal(
            reqwest::StatusCode::UNAUTHORIZED,
            r#"{"error":{"type":"token-not-valid","message":"Authentication token is not valid."}}"#,
        );
        assert_eq!(text, "401 Unauthorized (token-not-valid)");
    }
}
