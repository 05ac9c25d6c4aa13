//! The external APIs, each behind a small adapter that speaks its real wire format (locally,
//! `local/fixtures/search_server.py` answers with recorded responses).

use anyhow::{bail, Context};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// `url` with the pairs as its URL-encoded query.
fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", urlencoding::encode(v))).collect();
    format!("{url}{}{}", if url.contains('?') { '&' } else { '?' }, query.join("&"))
}

/// Suggestions of a search engine's public autocomplete: `GET {url}?client=firefox&q=..&hl=..&gl=..`
/// answers `["<query>", ["suggestion", ...]]`.
#[derive(Debug, Clone)]
pub struct Autocomplete {
    http: reqwest::Client,
    url: String,
}

impl Autocomplete {
    /// An adapter for `url`.
    pub fn new(http: reqwest::Client, url: impl Into<String>) -> Self {
        Self { http, url: url.into() }
    }

    /// The suggestions for `query` in `market` (ISO country code).
    pub async fn suggest(&self, query: &str, market: &str) -> anyhow::Result<Vec<String>> {
        let response = self
            .http
            .get(with_query(
                &self.url,
                &[("client", "firefox"), ("hl", "en"), ("gl", &market.to_ascii_lowercase()), ("q", query)],
            ))
            .send()
            .await
            .context("asking the autocomplete")?;
        let status = response.status();
        let bytes = response.bytes().await.context("reading the autocomplete")?;
        if !status.is_success() {
            bail!("the autocomplete answered {status}");
        }
        // Google answers in the page's legacy charset at times: read it leniently.
        parse_suggestions(&String::from_utf8_lossy(&bytes))
    }
}

/// Reads the `client=firefox` answer.
pub fn parse_suggestions(body: &str) -> anyhow::Result<Vec<String>> {
    let value: Value = serde_json::from_str(body.trim()).context("the autocomplete answer is not JSON")?;
    let list =
        value.get(1).and_then(Value::as_array).context("the autocomplete answer has no suggestion list")?;
    Ok(list
        .iter()
        .filter_map(Value::as_str)
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect())
}

/// A SerpApi-compatible SERP data API: `GET {url}?engine=google&q=..&gl=..&api_key=..` answers
/// `related_searches[].query` and `related_questions[].question` among the results.
#[derive(Debug, Clone)]
pub struct Serp {
    http: reqwest::Client,
    url: String,
    key: SecretString,
}

impl Serp {
    /// An adapter for `url` with `key`.
    pub fn new(http: reqwest::Client, url: impl Into<String>, key: SecretString) -> Self {
        Self { http, url: url.into(), key }
    }

    /// Related searches and questions for `query`.
    pub async fn related(&self, query: &str, market: &str) -> anyhow::Result<Vec<String>> {
        let response = self
            .http
            .get(with_query(
                &self.url,
                &[
                    ("engine", "google"),
                    ("q", query),
                    ("gl", &market.to_ascii_lowercase()),
                    ("hl", "en"),
                    ("api_key", self.key.expose_secret()),
                ],
            ))
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("asking the SERP API: {}", e.without_url()))?;
        let status = response.status();
        let body: Value = response.json().await.context("reading the SERP API's answer")?;
        if !status.is_success() {
            bail!("the SERP API answered {status}: {}", body["error"].as_str().unwrap_or("no detail"));
        }
        Ok(parse_related(&body))
    }
}

/// Reads related searches and questions from a SERP answer.
pub fn parse_related(body: &Value) -> Vec<String> {
    let field = |list: &str, name: &str| -> Vec<String> {
        body[list]
            .as_array()
            .map(|items| {
                items.iter().filter_map(|i| i[name].as_str()).map(|s| s.trim().to_lowercase()).collect()
            })
            .unwrap_or_default()
    };
    let mut out = field("related_searches", "query");
    out.extend(field("related_questions", "question"));
    out.retain(|s| !s.is_empty());
    out
}

/// IndexNow: `POST {url}` with `{"host", "key", "urlList"}`; 200 or 202 is accepted.
#[derive(Debug, Clone)]
pub struct IndexNow {
    http: reqwest::Client,
    url: String,
    key: String,
}

impl IndexNow {
    /// An adapter for `url` with the site key.
    pub fn new(http: reqwest::Client, url: impl Into<String>, key: impl Into<String>) -> Self {
        Self { http, url: url.into(), key: key.into() }
    }

    /// Notifies the changed `urls` of `host` (at most 10,000 per call, as the protocol allows).
    pub async fn notify(&self, host: &str, urls: &[String]) -> anyhow::Result<()> {
        if urls.is_empty() {
            return Ok(());
        }
        let body = serde_json::json!({ "host": host, "key": self.key, "urlList": urls.iter().take(10_000).collect::<Vec<_>>() });
        let response = self
            .http
            .post(&self.url)
            .header("content-type", "application/json; charset=utf-8")
            .json(&body)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("notifying IndexNow: {}", e.without_url()))?;
        match response.status().as_u16() {
            200 | 202 => Ok(()),
            status => bail!("IndexNow answered {status}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_firefox_autocomplete_format_is_read() {
        let body = r#"["dog brush",["dog brush","dog brush for shedding","Dog Brush For Short Hair"],[],{"google:suggestsubtypes":[]}]"#;
        assert_eq!(
            parse_suggestions(body).unwrap(),
            vec!["dog brush", "dog brush for shedding", "dog brush for short hair"]
        );
        assert!(parse_suggestions("<html>").is_err());
    }

    #[test]
    fn related_searches_and_questions_are_read_from_a_serp_answer() {
        let body = serde_json::json!({
            "search_metadata": {"status": "Success"},
            "related_questions": [{"question": "How often should I brush my dog?"}],
            "related_searches": [{"query": "best dog brush for shedding", "link": "https://www.google.com/search?q=x"}],
            "organic_results": [{"position": 1, "title": "x"}]
        });
        assert_eq!(
            parse_related(&body),
            vec!["best dog brush for shedding", "how often should i brush my dog?"]
        );
    }
}
