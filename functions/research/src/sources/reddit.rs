//! Reddit, read with an app-only OAuth token: the month's top posts about the store's niche in
//! product-discovery communities, turned into [`Mention`]s that later lend candidates a Reddit
//! engagement signal.
//!
//! The wire format: `POST {auth}/api/v1/access_token` with HTTP Basic (client id and secret) and
//! the form `grant_type=client_credentials` answers `{"access_token", "token_type": "bearer",
//! "expires_in", "scope"}`; then
//! `GET {api}/r/{subreddit}/search?q=<niche>&restrict_sr=1&sort=top&t=month&limit=50` with
//! `Authorization: bearer <token>` answers a `Listing` whose `data.children[].data` are posts (an
//! empty one when nothing matches).
//! Errors come as `{"message": "Unauthorized", "error": 401}`. Reddit throttles clients without a
//! descriptive User-Agent, so one is always sent.

use super::links::{product_links, ProductLink};
use super::{list, Findings, Query, Source};
use anyhow::{bail, ensure, Context};
use reqwest::header::{HeaderValue, AUTHORIZATION, USER_AGENT};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// Communities where people share products they found, read when `REDDIT_SUBREDDITS` is unset.
pub const DEFAULT_SUBREDDITS: &[&str] =
    &["shutupandtakemymoney", "INEEEEDIT", "DidntKnowIWantedThat", "ProductPorn", "AmazonUnder25"];

/// Posts asked of each community, Reddit's most per page.
const POSTS_PER_SUBREDDIT: u32 = 50;

/// A token is renewed this long before Reddit says it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// How the Reddit source is configured.
#[derive(Debug, Clone)]
pub struct RedditConfig {
    /// Where tokens are issued (`REDDIT_AUTH_URL`, default `https://www.reddit.com`).
    pub auth_url: String,
    /// Where the API is served to token holders (`REDDIT_API_URL`, default `https://oauth.reddit.com`).
    pub api_url: String,
    /// The app's client id (`REDDIT_CLIENT_ID`); its presence turns the source on.
    pub client_id: String,
    /// The app's client secret (`REDDIT_CLIENT_SECRET`), required once the source is on.
    pub client_secret: SecretString,
    /// The User-Agent Reddit asks for (`REDDIT_USER_AGENT`).
    pub user_agent: String,
    /// The communities to read (`REDDIT_SUBREDDITS`, comma-separated).
    pub subreddits: Vec<String>,
}

impl RedditConfig {
    /// Reads the configuration through `var`; `None` when `REDDIT_CLIENT_ID` is unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Option<Self>> {
        let Some(client_id) = var("REDDIT_CLIENT_ID") else {
            return Ok(None);
        };
        let client_secret = var("REDDIT_CLIENT_SECRET").context(
            "environment variable `REDDIT_CLIENT_SECRET` is not set (needed with REDDIT_CLIENT_ID)",
        )?;
        let subreddits = match var("REDDIT_SUBREDDITS") {
            Some(names) => list(&names),
            None => DEFAULT_SUBREDDITS.iter().map(|s| (*s).to_owned()).collect(),
        };
        for name in &subreddits {
            ensure!(
                (2..=21).contains(&name.len())
                    && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                "REDDIT_SUBREDDITS: `{name}` is not a subreddit name"
            );
        }
        ensure!(!subreddits.is_empty(), "REDDIT_SUBREDDITS names no subreddit");
        Ok(Some(Self {
            auth_url: var("REDDIT_AUTH_URL").unwrap_or_else(|| "https://www.reddit.com".into()),
            api_url: var("REDDIT_API_URL").unwrap_or_else(|| "https://oauth.reddit.com".into()),
            client_id,
            client_secret: SecretString::from(client_secret),
            user_agent: var("REDDIT_USER_AGENT").unwrap_or_else(|| {
                format!("lambda:dropship-research:v{} (product research)", env!("CARGO_PKG_VERSION"))
            }),
            subreddits,
        }))
    }
}

/// A post about a product.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// The community it was posted in.
    pub subreddit: String,
    /// Reddit's id of the post.
    pub post_id: String,
    /// The post's title (untrusted text).
    pub title: String,
    /// Its score (upvotes less downvotes), floored at zero.
    pub score: u64,
    /// Its number of comments.
    pub comments: u64,
    /// Its page on Reddit.
    pub permalink: String,
    /// When it was posted.
    pub posted_at: Option<OffsetDateTime>,
    /// Product links in its URL and text.
    pub links: Vec<ProductLink>,
}

struct Token {
    value: SecretString,
    renew_at: Instant,
}

/// A client of Reddit's OAuth API for one app.
pub struct Reddit {
    http: reqwest::Client,
    config: RedditConfig,
    token: Mutex<Option<Token>>,
}

impl Reddit {
    /// From `REDDIT_*` variables; `None` when Reddit is not configured.
    pub fn from_env(http: reqwest::Client) -> anyhow::Result<Option<Self>> {
        Ok(RedditConfig::from_vars(pipeline::config::optional)?.map(|config| Self::new(http, config)))
    }

    /// A client with this configuration.
    pub fn new(http: reqwest::Client, config: RedditConfig) -> Self {
        Self { http, config, token: Mutex::new(None) }
    }

    /// The month's top posts of one community about `query`.
    pub async fn search(&self, subreddit: &str, query: &str) -> anyhow::Result<Vec<Mention>> {
        let mut token = self.token().await?;
        for attempt in 0..2 {
            let url = format!(
                "{}/r/{subreddit}/search?q={}&restrict_sr=1&sort=top&t=month&limit={POSTS_PER_SUBREDDIT}&raw_json=1",
                self.config.api_url.trim_end_matches('/'),
                urlencoding::encode(query.trim())
            );
            let mut authorization = HeaderValue::from_str(&format!("bearer {}", token.expose_secret()))
                .context("the Reddit token is not a header value")?;
            authorization.set_sensitive(true);
            let response = self
                .http
                .get(url)
                .header(USER_AGENT, &self.config.user_agent)
                .header(AUTHORIZATION, authorization)
                .send()
                .await
                .with_context(|| format!("r/{subreddit}: calling Reddit"))?;
            let status = response.status();
            let body =
                response.text().await.with_context(|| format!("r/{subreddit}: reading Reddit's answer"))?;
            if status == StatusCode::UNAUTHORIZED && attempt == 0 {
                // The token was revoked or expired early: one fresh token, one more try.
                self.forget_token();
                token = self.token().await?;
                continue;
            }
            if !status.is_success() {
                bail!("r/{subreddit}: Reddit answered {}", refusal(status, &body));
            }
            return parse_listing(&body).with_context(|| format!("r/{subreddit}"));
        }
        bail!("r/{subreddit}: Reddit refused a fresh token")
    }

    async fn token(&self) -> anyhow::Result<SecretString> {
        if let Some(token) = self.token.lock().expect("token lock").as_ref() {
            if Instant::now() < token.renew_at {
                return Ok(token.value.clone());
            }
        }
        let response = self
            .http
            .post(format!("{}/api/v1/access_token", self.config.auth_url.trim_end_matches('/')))
            .basic_auth(&self.config.client_id, Some(self.config.client_secret.expose_secret()))
            .header(USER_AGENT, &self.config.user_agent)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .context("asking Reddit for an app token")?;
        let status = response.status();
        let body = response.text().await.context("reading Reddit's token answer")?;
        if !status.is_success() {
            bail!("Reddit refused the app's credentials: {}", refusal(status, &body));
        }
        let (value, lifetime) = parse_token(&body)?;
        let renew_at = Instant::now() + lifetime.saturating_sub(TOKEN_MARGIN);
        *self.token.lock().expect("token lock") = Some(Token { value: value.clone(), renew_at });
        Ok(value)
    }

    fn forget_token(&self) {
        *self.token.lock().expect("token lock") = None;
    }
}

impl Source for Reddit {
    const NAME: &'static str = "reddit";

    /// Every configured community at once, searched for the niche; communities that fail are
    /// listed as problems, and the source fails only if all of them do (or no token can be had).
    async fn find(&self, query: &Query<'_>) -> anyhow::Result<Findings> {
        self.token().await?;
        let answers = futures_util::future::join_all(
            self.config.subreddits.iter().map(|s| self.search(s, query.niche)),
        )
        .await;
        let mut findings = Findings::default();
        let mut mentions = Vec::new();
        let mut answered = 0;
        for answer in answers {
            match answer {
                Ok(posts) => {
                    answered += 1;
                    mentions.extend(posts);
                }
                Err(error) => findings.problems.push(format!("{error:#}")),
            }
        }
        if answered == 0 {
            bail!("no subreddit could be read: {}", findings.problems.join("; "));
        }
        findings.mentions = Some(mentions);
        Ok(findings)
    }
}

/// Describes a refusal by its status and Reddit's own short reason, never by echoing the body.
fn refusal(status: StatusCode, body: &str) -> String {
    #[derive(Deserialize)]
    struct Refusal {
        message: Option<String>,
        reason: Option<String>,
    }
    let said = serde_json::from_str::<Refusal>(body).ok();
    let reason = said.and_then(|r| r.reason.or(r.message)).map(|r| r.chars().take(60).collect::<String>());
    match reason {
        Some(reason) => format!("{status} ({reason})"),
        None => status.to_string(),
    }
}

/// Reads a token answer: the token and how long it lives.
pub fn parse_token(body: &str) -> anyhow::Result<(SecretString, Duration)> {
    #[derive(Deserialize)]
    struct Answer {
        access_token: Option<String>,
        token_type: Option<String>,
        expires_in: Option<u64>,
        error: Option<serde_json::Value>,
    }
    let answer: Answer =
        serde_json::from_str(body).context("Reddit's token answer is not the expected JSON")?;
    if let Some(error) = answer.error {
        let error = match error {
            serde_json::Value::String(s) => s.chars().take(60).collect(),
            other => other.to_string(),
        };
        bail!("Reddit refused the token request: {error}");
    }
    let token =
        answer.access_token.filter(|t| !t.is_empty()).context("Reddit's token answer has no token")?;
    ensure!(
        answer.token_type.as_deref().is_none_or(|t| t.eq_ignore_ascii_case("bearer")),
        "Reddit issued a token that is not a bearer token"
    );
    Ok((SecretString::from(token), Duration::from_secs(answer.expires_in.unwrap_or(3_600))))
}

#[derive(Deserialize)]
struct Listing {
    kind: String,
    data: ListingData,
}

#[derive(Deserialize)]
struct ListingData {
    #[serde(default)]
    children: Vec<Thing>,
}

#[derive(Deserialize)]
struct Thing {
    kind: String,
    data: serde_json::Value,
}

#[derive(Deserialize)]
struct Post {
    id: String,
    subreddit: String,
    title: String,
    #[serde(default)]
    selftext: String,
    score: i64,
    num_comments: u64,
    url: Option<String>,
    permalink: String,
    created_utc: Option<f64>,
    #[serde(default)]
    over_18: bool,
    #[serde(default)]
    stickied: bool,
}

/// Reads a `Listing` of posts. Stickied and NSFW posts are left out, and so is any child that is
/// not a readable post: one odd post must not cost the community.
pub fn parse_listing(body: &str) -> anyhow::Result<Vec<Mention>> {
    let listing: Listing = serde_json::from_str(body).context("Reddit's answer is not a Listing")?;
    ensure!(listing.kind == "Listing", "Reddit answered a `{}`, not a Listing", listing.kind);
    let posts = listing
        .data
        .children
        .into_iter()
        .filter(|thing| thing.kind == "t3")
        .filter_map(|thing| serde_json::from_value::<Post>(thing.data).ok())
        .filter(|post| !post.over_18 && !post.stickied)
        .map(|post| {
            let mut links = product_links(post.url.as_deref().unwrap_or(""));
            for link in product_links(&post.selftext) {
                if !links.contains(&link) {
                    links.push(link);
                }
            }
            Mention {
                permalink: format!("https://www.reddit.com{}", post.permalink),
                posted_at: post
                    .created_utc
                    .and_then(|t| OffsetDateTime::from_unix_timestamp(t.trunc() as i64).ok()),
                subreddit: post.subreddit,
                post_id: post.id,
                title: post.title,
                score: post.score.max(0).unsigned_abs(),
                comments: post.num_comments,
                links,
            }
        })
        .collect();
    Ok(posts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const RECORDED: &str = include_str!("../../../../local/fixtures/reddit/shutupandtakemymoney.json");
    const TOKEN: &str = include_str!("../../../../local/fixtures/reddit/access_token.json");

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn the_recorded_listing_parses_into_mentions_with_their_links() {
        let mentions = parse_listing(RECORDED).unwrap();
        assert!(mentions.len() >= 8, "{}", mentions.len());
        assert!(mentions.iter().all(|m| m.subreddit == "shutupandtakemymoney"));
        assert!(mentions.iter().all(|m| m.permalink.starts_with("https://www.reddit.com/r/")));
        assert!(mentions
            .iter()
            .any(|m| m.links.contains(&ProductLink::AliExpress("1005006100000000".into()))));
        assert!(mentions.iter().any(|m| m.links.iter().any(|l| matches!(l, ProductLink::Amazon(_)))));
        assert!(mentions.iter().all(|m| m.posted_at.is_some()));
    }

    #[test]
    fn stickied_and_nsfw_posts_are_left_out() {
        let body = r#"{"kind":"Listing","data":{"children":[
            {"kind":"t3","data":{"id":"a","subreddit":"x","title":"Rules","score":5,"num_comments":0,
             "permalink":"/r/x/comments/a/","stickied":true}},
            {"kind":"t3","data":{"id":"b","subreddit":"x","title":"Spicy","score":5,"num_comments":0,
             "permalink":"/r/x/comments/b/","over_18":true}},
            {"kind":"t3","data":{"id":"c","subreddit":"x","title":"Lamp","score":-3,"num_comments":2,
             "permalink":"/r/x/comments/c/","created_utc":1716900000.0}},
            {"kind":"t1","data":{"body":"a comment"}}
        ]}}"#;
        let mentions = parse_listing(body).unwrap();
        assert_eq!(mentions.len(), 1);
        assert_eq!(mentions[0].score, 0, "negative scores floor at zero");
    }

    #[test]
    fn a_token_answer_gives_the_token_and_its_lifetime() {
        let (token, lifetime) = parse_token(TOKEN).unwrap();
        assert!(!token.expose_secret().is_empty());
        assert_eq!(lifetime, Duration::from_secs(86_400));
    }

    #[test]
    fn a_token_error_answered_with_200_is_still_an_error() {
        let err = parse_token(r#"{"error": "unsupported_grant_type"}"#).unwrap_err();
        assert!(err.to_string().contains("unsupported_grant_type"));
    }

    #[test]
    fn refusals_name_reddits_reason_not_the_body() {
        let text =
            refusal(StatusCode::FORBIDDEN, r#"{"reason": "private", "message": "Forbidden", "error": 403}"#);
        assert_eq!(text, "403 Forbidden (private)");
        assert_eq!(refusal(StatusCode::BAD_GATEWAY, "<html>oops</html>"), "502 Bad Gateway");
    }

    #[test]
    fn reddit_without_a_client_id_is_not_configured() {
        assert!(RedditConfig::from_vars(vars(&[])).unwrap().is_none());
    }

    #[test]
    fn a_client_id_without_its_secret_is_an_error_naming_the_secret() {
        let err = RedditConfig::from_vars(vars(&[("REDDIT_CLIENT_ID", "abc")])).unwrap_err();
        assert!(err.to_string().contains("REDDIT_CLIENT_SECRET"));
    }

    #[test]
    fn a_configured_client_reads_the_default_communities_and_hides_its_secret() {
        let config = RedditConfig::from_vars(vars(&[
            ("REDDIT_CLIENT_ID", "abc"),
            ("REDDIT_CLIENT_SECRET", "hush-hush"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(config.subreddits.len(), DEFAULT_SUBREDDITS.len());
        assert_eq!(config.api_url, "https://oauth.reddit.com");
        assert!(!format!("{config:?}").contains("hush-hush"));
    }

    #[test]
    fn a_subreddit_name_that_could_leave_the_path_is_refused() {
        let err = RedditConfig::from_vars(vars(&[
            ("REDDIT_CLIENT_ID", "abc"),
            ("REDDIT_CLIENT_SECRET", "s"),
            ("REDDIT_SUBREDDITS", "gadgets,../../api"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("../../api"));
    }
}
