//! Google Trends: interest over time for the store's niche keywords, and whether each is rising.
//!
//! The wire format is the one trends.google.com's own pages use, in two calls:
//! 1. `GET {base}/trends/api/explore?hl=en-US&tz=0&req=<json>` with
//!    `req = {"comparisonItem": [{"keyword", "geo", "time"}, ...], "category": 0, "property": ""}`
//!    answers `)]}'` and a JSON document whose `widgets[]` include the `TIMESERIES` widget, with
//!    the `request` and `token` of its data;
//! 2. `GET {base}/trends/api/widgetdata/multiline?hl=en-US&tz=0&req=<widget request>&token=<token>`
//!    answers `)]}',` and `{"default": {"timelineData": [{"time": "<unix seconds>", "value": [..],
//!    "hasData": [..], "isPartial": bool}, ...]}}`, one value per keyword in request order, each
//!    on Google's 0-100 scale relative to the busiest point.
//!
//! Google asks no key, but throttles with 429; a refusal fails this source only.
//!
//! A keyword is rising when its interest over the last 7 days is at least 50% above the 7 days
//! before ([`RISING_GROWTH_PCT`]). A partial last point (the day still being counted) is left out.

use super::{list, Findings, Query, Source};
use anyhow::{bail, ensure, Context};
use serde::Deserialize;
use serde_json::{json, Value};

/// Week-over-week growth, in percent, from which a keyword counts as rising.
pub const RISING_GROWTH_PCT: i64 = 50;

/// Keywords Google compares in one request at most.
pub const MAX_KEYWORDS: usize = 5;

/// The period asked for: three months of daily points.
const TIMEFRAME: &str = "today 3-m";

const WEEK_SECS: i64 = 7 * 86_400;

/// How the Google Trends source is configured.
#[derive(Debug, Clone)]
pub struct TrendsConfig {
    /// Where Google Trends is served (`GOOGLE_TRENDS_URL`, e.g. `https://trends.google.com`); its
    /// presence turns the source on.
    pub base_url: String,
    /// Keywords compared besides the store's niche (`GOOGLE_TRENDS_KEYWORDS`, comma-separated).
    pub keywords: Vec<String>,
    /// The region (`GOOGLE_TRENDS_GEO`, e.g. `US`; default worldwide).
    pub geo: String,
}

impl TrendsConfig {
    /// Reads the configuration through `var`; `None` when `GOOGLE_TRENDS_URL` is unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Option<Self>> {
        let Some(base_url) = var("GOOGLE_TRENDS_URL") else {
            return Ok(None);
        };
        ensure!(
            base_url.starts_with("https://") || base_url.starts_with("http://"),
            "GOOGLE_TRENDS_URL: `{base_url}` is not an http(s) URL"
        );
        let keywords = var("GOOGLE_TRENDS_KEYWORDS").map(|k| list(&k)).unwrap_or_default();
        ensure!(
            keywords.len() < MAX_KEYWORDS,
            "GOOGLE_TRENDS_KEYWORDS: at most {} keywords besides the niche",
            MAX_KEYWORDS - 1
        );
        let geo = var("GOOGLE_TRENDS_GEO").unwrap_or_default();
        ensure!(
            geo.is_empty() || (geo.len() <= 6 && geo.bytes().all(|b| b.is_ascii_uppercase() || b == b'-')),
            "GOOGLE_TRENDS_GEO: `{geo}` is not a region code such as US or GB-ENG"
        );
        Ok(Some(Self { base_url: base_url.trim_end_matches('/').to_owned(), keywords, geo }))
    }
}

/// One keyword's interest over time.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// The keyword as asked.
    pub keyword: String,
    /// Mean interest over the last 7 days, 0 to 100.
    pub interest: u8,
    /// Mean interest over the 7 days before.
    pub previous: u8,
    /// Week-over-week growth in percent; `None` when the week before had no interest.
    pub growth_pct: Option<i64>,
    /// Whether the keyword is rising: growth of [`RISING_GROWTH_PCT`] or more, or interest where
    /// there was none.
    pub rising: bool,
}

/// A client of Google Trends.
pub struct GoogleTrends {
    http: reqwest::Client,
    config: TrendsConfig,
}

impl GoogleTrends {
    /// From `GOOGLE_TRENDS_*` variables; `None` when not configured.
    pub fn from_env(http: reqwest::Client) -> anyhow::Result<Option<Self>> {
        Ok(TrendsConfig::from_vars(pipeline::config::optional)?.map(|config| Self::new(http, config)))
    }

    /// A client with this configuration.
    pub fn new(http: reqwest::Client, config: TrendsConfig) -> Self {
        Self { http, config }
    }

    /// The keywords a run compares: the niche first, then the configured ones, each once.
    pub fn keywords(&self, niche: &str) -> Vec<String> {
        let mut keywords: Vec<String> = Vec::with_capacity(MAX_KEYWORDS);
        for keyword in std::iter::once(niche.trim()).chain(self.config.keywords.iter().map(String::as_str)) {
            let keyword = keyword.to_lowercase();
            if !keyword.is_empty() && !keywords.contains(&keyword) {
                keywords.push(keyword);
            }
        }
        keywords.truncate(MAX_KEYWORDS);
        keywords
    }

    /// Interest over time of up to five keywords, compared in one request.
    pub async fn interest(&self, keywords: &[String]) -> anyhow::Result<Vec<Trend>> {
        ensure!(!keywords.is_empty(), "no keyword to ask Google Trends about");
        let comparison: Vec<Value> = keywords
            .iter()
            .map(|k| json!({"keyword": k, "geo": self.config.geo, "time": TIMEFRAME}))
            .collect();
        let explore = json!({"comparisonItem": comparison, "category": 0, "property": ""});
        let body =
            self.get("explore", &[("hl", "en-US"), ("tz", "0"), ("req", &explore.to_string())]).await?;
        let (request, token) = timeseries_widget(&body)?;
        let body = self
            .get(
                "widgetdata/multiline",
                &[("hl", "en-US"), ("tz", "0"), ("req", &request.to_string()), ("token", &token)],
            )
            .await?;
        parse_multiline(&body, keywords)
    }

    async fn get(&self, endpoint: &str, query: &[(&str, &str)]) -> anyhow::Result<String> {
        let query: Vec<String> =
            query.iter().map(|(k, v)| format!("{k}={}", urlencoding::encode(v))).collect();
        let response = self
            .http
            .get(format!("{}/trends/api/{endpoint}?{}", self.config.base_url, query.join("&")))
            .header("accept", "application/json")
            .send()
            .await
            .with_context(|| format!("calling Google Trends {endpoint}"))?;
        let status = response.status();
        let body = response.text().await.with_context(|| format!("reading Google Trends {endpoint}"))?;
        if !status.is_success() {
            // Google's refusals are HTML pages: the status says enough.
            bail!("Google Trends {endpoint} answered {status}");
        }
        Ok(body)
    }
}

impl Source for GoogleTrends {
    const NAME: &'static str = "google_trends";

    async fn find(&self, query: &Query<'_>) -> anyhow::Result<Findings> {
        let trends = self.interest(&self.keywords(query.niche)).await?;
        Ok(Findings { trends: Some(trends), ..Findings::default() })
    }
}

/// Removes the guard Google puts before its JSON (`)]}'` or `)]}',`) against script inclusion.
pub fn strip_guard(body: &str) -> anyhow::Result<&str> {
    let rest = body
        .trim_start()
        .strip_prefix(")]}'")
        .context("Google Trends answered without its `)]}'` guard: not a Trends API answer")?;
    Ok(rest.strip_prefix(',').unwrap_or(rest).trim_start())
}

/// The `TIMESERIES` widget's request and token from an explore answer.
pub fn timeseries_widget(body: &str) -> anyhow::Result<(Value, String)> {
    #[derive(Deserialize)]
    struct Explore {
        widgets: Vec<Widget>,
    }
    #[derive(Deserialize)]
    struct Widget {
        id: String,
        token: Option<String>,
        request: Option<Value>,
    }
    let explore: Explore = serde_json::from_str(strip_guard(body)?)
        .context("Google Trends' explore answer is not the expected JSON")?;
    let widget = explore
        .widgets
        .into_iter()
        .find(|w| w.id == "TIMESERIES")
        .context("Google Trends' explore answer has no TIMESERIES widget")?;
    match (widget.request, widget.token) {
        (Some(request), Some(token)) if !token.is_empty() => Ok((request, token)),
        _ => bail!("the TIMESERIES widget has no request or token"),
    }
}

/// Reads a multiline answer into one [`Trend`] per keyword, in request order.
pub fn parse_multiline(body: &str, keywords: &[String]) -> anyhow::Result<Vec<Trend>> {
    #[derive(Deserialize)]
    struct Answer {
        default: Default,
    }
    #[derive(Deserialize)]
    struct Default {
        #[serde(rename = "timelineData")]
        timeline: Vec<Point>,
    }
    #[derive(Deserialize)]
    struct Point {
        time: String,
        value: Vec<u32>,
        #[serde(rename = "hasData", default)]
        has_data: Vec<bool>,
        #[serde(rename = "isPartial", default)]
        is_partial: bool,
    }
    let answer: Answer = serde_json::from_str(strip_guard(body)?)
        .context("Google Trends' interest over time is not the expected JSON")?;
    let mut points: Vec<(i64, &Point)> = Vec::with_capacity(answer.default.timeline.len());
    for point in answer.default.timeline.iter().filter(|p| !p.is_partial) {
        let time: i64 = point.time.parse().with_context(|| format!("a point's time `{}`", point.time))?;
        ensure!(
            point.value.len() == keywords.len(),
            "a point has {} values for {} keywords",
            point.value.len(),
            keywords.len()
        );
        points.push((time, point));
    }
    let last = points.iter().map(|(t, _)| *t).max().context("Google Trends gave no complete point")?;
    let mean = |index: usize, from: i64, to: i64| -> u8 {
        let values: Vec<u32> = points
            .iter()
            .filter(|(t, p)| *t > from && *t <= to && p.has_data.get(index).copied().unwrap_or(true))
            .map(|(_, p)| p.value[index].min(100))
            .collect();
        if values.is_empty() {
            return 0;
        }
        (values.iter().sum::<u32>() as f64 / values.len() as f64).round() as u8
    };
    Ok(keywords
        .iter()
        .enumerate()
        .map(|(i, keyword)| {
            let interest = mean(i, last - WEEK_SECS, last);
            let previous = mean(i, last - 2 * WEEK_SECS, last - WEEK_SECS);
            let growth_pct = (previous > 0)
                .then(|| (i64::from(interest) - i64::from(previous)) * 100 / i64::from(previous));
            let rising = match growth_pct {
                Some(growth) => growth >= RISING_GROWTH_PCT,
                None => interest > 0,
            };
            Trend { keyword: keyword.clone(), interest, previous, growth_pct, rising }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: i64) -> i64 {
        1_700_000_000 + n * 86_400
    }

    fn answer(points: &[(i64, [u32; 2])], partial_last: bool) -> String {
        let timeline: Vec<Value> = points
            .iter()
            .enumerate()
            .map(|(i, (t, v))| {
                json!({"time": t.to_string(), "formattedTime": "x", "value": v, "hasData": [true, true],
                       "formattedValue": v.iter().map(|x| x.to_string()).collect::<Vec<_>>(),
                       "isPartial": partial_last && i + 1 == points.len()})
            })
            .collect();
        format!(")]}}',\n{}", json!({"default": {"timelineData": timeline, "averages": []}}))
    }

    fn keywords() -> Vec<String> {
        vec!["pet grooming".into(), "slicker brush".into()]
    }

    #[test]
    fn a_keyword_half_again_as_searched_as_the_week_before_is_rising() {
        let mut points: Vec<(i64, [u32; 2])> = (0..7).map(|d| (day(d), [40, 20])).collect();
        points.extend((7..14).map(|d| (day(d), [44, 30])));
        let trends = parse_multiline(&answer(&points, false), &keywords()).unwrap();
        assert_eq!((trends[0].interest, trends[0].previous, trends[0].growth_pct), (44, 40, Some(10)));
        assert!(!trends[0].rising);
        assert_eq!(trends[1].growth_pct, Some(50));
        assert!(trends[1].rising);
    }

    #[test]
    fn the_partial_day_being_counted_is_left_out() {
        let mut points: Vec<(i64, [u32; 2])> = (0..14).map(|d| (day(d), [50, 50])).collect();
        points.push((day(14), [2, 100]));
        let trends = parse_multiline(&answer(&points, true), &keywords()).unwrap();
        assert_eq!(trends[0].interest, 50);
        assert_eq!(trends[1].growth_pct, Some(0));
    }

    #[test]
    fn interest_where_there_was_none_is_rising() {
        let mut points: Vec<(i64, [u32; 2])> = (0..7).map(|d| (day(d), [0, 0])).collect();
        points.extend((7..14).map(|d| (day(d), [5, 0])));
        let trends = parse_multiline(&answer(&points, false), &keywords()).unwrap();
        assert_eq!((trends[0].growth_pct, trends[0].rising), (None, true));
        assert!(!trends[1].rising, "nothing, then nothing");
    }

    #[test]
    fn an_answer_without_the_guard_or_with_other_keywords_is_refused() {
        assert!(parse_multiline(r#"{"default":{"timelineData":[]}}"#, &keywords()).is_err());
        let points = [(day(0), [1, 2])];
        let error = parse_multiline(&answer(&points, false), &["one".into()]).unwrap_err();
        assert!(error.to_string().contains("2 values for 1 keywords"), "{error}");
    }

    #[test]
    fn the_explore_answer_gives_the_timeseries_request_and_token() {
        let body = ")]}'\n{\"widgets\":[{\"id\":\"GEO_MAP\",\"token\":\"g\",\"request\":{}},\
                    {\"id\":\"TIMESERIES\",\"token\":\"APP6_t\",\"request\":{\"time\":\"x\"}}]}";
        let (request, token) = timeseries_widget(body).unwrap();
        assert_eq!((request["time"].as_str(), token.as_str()), (Some("x"), "APP6_t"));
    }

    #[test]
    fn the_niche_comes_first_and_keywords_are_asked_once() {
        let trends = GoogleTrends::new(
            reqwest::Client::new(),
            TrendsConfig {
                base_url: "http://127.0.0.1:1".into(),
                keywords: vec!["Slicker Brush".into(), "pet grooming".into()],
                geo: String::new(),
            },
        );
        assert_eq!(trends.keywords(" Pet Grooming "), vec!["pet grooming", "slicker brush"]);
    }

    #[test]
    fn configuration_needs_a_url_and_at_most_four_extra_keywords() {
        let vars = |url: Option<&str>, keywords: &str| {
            let (url, keywords) = (url.map(str::to_owned), keywords.to_owned());
            TrendsConfig::from_vars(move |name| match name {
                "GOOGLE_TRENDS_URL" => url.clone(),
                "GOOGLE_TRENDS_KEYWORDS" => Some(keywords.clone()),
                _ => None,
            })
        };
        assert!(vars(None, "a").unwrap().is_none());
        assert_eq!(vars(Some("https://trends.google.com/"), "a, b").unwrap().unwrap().keywords, ["a", "b"]);
        assert!(vars(Some("https://trends.google.com"), "a,b,c,d,e").is_err());
        assert!(vars(Some("trends.google.com"), "").is_err());
    }
}
