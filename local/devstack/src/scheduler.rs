//! Fires schedules locally, since the emulator never does, from the same definitions Terraform
//! gives EventBridge Scheduler: the function is invoked with the schedule's input as its event.

use crate::wiring::Schedule;
use anyhow::Context;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// One schedule, ready to fire.
pub struct Job {
    name: String,
    every: Duration,
    invoke_url: String,
    input: serde_json::Value,
}

/// Parses `rate(1 hour)`, `rate(5 minutes)`, `rate(2 days)`.
pub fn parse_rate(expression: &str) -> anyhow::Result<Duration> {
    let inner = expression.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')).with_context(|| {
        format!("`{expression}`: the local scheduler understands rate(N unit) expressions")
    })?;
    let (count, unit) =
        inner.trim().split_once(' ').with_context(|| format!("`{expression}`: expected `rate(N unit)`"))?;
    let count: u64 = count.parse().with_context(|| format!("`{expression}`: N must be a whole number"))?;
    let seconds = match unit.trim_end_matches('s') {
        "minute" => 60,
        "hour" => 3_600,
        "day" => 86_400,
        other => anyhow::bail!("`{expression}`: unknown unit `{other}`"),
    };
    anyhow::ensure!(count > 0, "`{expression}`: N must be positive");
    Ok(Duration::from_secs(count * seconds))
}

impl Job {
    /// The job for schedule `name`.
    pub fn new(name: &str, schedule: &Schedule, lambda_url: &str) -> anyhow::Result<Self> {
        Ok(Self {
            name: name.to_owned(),
            every: parse_rate(&schedule.expression)?,
            invoke_url: format!("{lambda_url}/2015-03-31/functions/{}/invocations", schedule.function),
            input: schedule.input.clone(),
        })
    }
}

/// The placeholder EventBridge Scheduler replaces, in a schedule's input, with the time the
/// invocation is for.
pub const SCHEDULED_TIME: &str = "<aws.scheduler.scheduled-time>";

/// The schedule's input for an invocation at `at`: every string that is the placeholder becomes
/// the time, in RFC 3339, as Scheduler writes it.
pub fn input_at(input: &serde_json::Value, at: OffsetDateTime) -> serde_json::Value {
    match input {
        serde_json::Value::String(s) if s == SCHEDULED_TIME => {
            serde_json::Value::String(at.format(&Rfc3339).expect("a UTC time formats"))
        }
        serde_json::Value::Object(map) => {
            serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), input_at(v, at))).collect())
        }
        other => other.clone(),
    }
}

/// Invokes the schedule's function once, for time `at`; returns its answer.
pub async fn fire(http: &reqwest::Client, job: &Job, at: OffsetDateTime) -> anyhow::Result<String> {
    let response = http
        .post(&job.invoke_url)
        .json(&input_at(&job.input, at))
        .timeout(Duration::from_secs(300))
        .send()
        .await
        .with_context(|| format!("invoking schedule {}", job.name))?;
    let failed = response.headers().contains_key("x-amz-function-error") || !response.status().is_success();
    let text = response.text().await.unwrap_or_default();
    anyhow::ensure!(!failed, "schedule {} failed: {text}", job.name);
    Ok(text)
}

/// Fires a schedule at its rate, the first time after `DROPSHIP_SCHEDULE_FIRST_DELAY` seconds
/// (default 30), so a fresh stack shows a scheduled run without waiting a whole period.
pub async fn run(http: reqwest::Client, job: Job) -> anyhow::Result<()> {
    let first: u64 =
        std::env::var("DROPSHIP_SCHEDULE_FIRST_DELAY").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    tokio::time::sleep(Duration::from_secs(first)).await;
    let mut ticks = tokio::time::interval(job.every);
    loop {
        ticks.tick().await;
        match fire(&http, &job, OffsetDateTime::now_utc()).await {
            Ok(answer) => tracing::info!(schedule = %job.name, %answer, "schedule fired"),
            // EventBridge retries and then dead-letters; locally the next tick tries again.
            Err(error) => {
                tracing::warn!(schedule = %job.name, error = format!("{error:#}"), "schedule failed")
            }
        }
    }
}

/// Fires `jobs` over `span` of simulated time from `start`, on a clock `speed` times faster than
/// the real one: each job at `start` and then at its rate, all in the order of their times, each
/// with its simulated time as its scheduled time, waiting the compressed interval in between.
/// Every invocation is awaited; the answers are returned in order.
pub async fn replay(
    http: &reqwest::Client,
    jobs: &[Job],
    start: OffsetDateTime,
    span: Duration,
    speed: u32,
) -> anyhow::Result<Vec<(String, OffsetDateTime, String)>> {
    anyhow::ensure!(speed > 0, "the speed must be positive");
    let mut due: Vec<(OffsetDateTime, usize)> = Vec::new();
    for (index, job) in jobs.iter().enumerate() {
        let mut at = start;
        while at <= start + span {
            due.push((at, index));
            at += job.every;
        }
    }
    due.sort();
    let began = tokio::time::Instant::now();
    let mut answers = Vec::new();
    for (at, index) in due {
        let offset = (at - start).unsigned_abs() / speed;
        tokio::time::sleep_until(began + offset).await;
        let job = &jobs[index];
        let answer = fire(http, job, at).await?;
        tracing::info!(schedule = %job.name, at = %at.format(&Rfc3339)?, %answer, "schedule fired (replay)");
        answers.push((job.name.clone(), at, answer));
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_in_every_unit() {
        assert_eq!(parse_rate("rate(1 hour)").unwrap(), Duration::from_secs(3_600));
        assert_eq!(parse_rate("rate(5 minutes)").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_rate("rate(2 days)").unwrap(), Duration::from_secs(172_800));
    }

    #[test]
    fn other_expressions_are_refused_with_the_reason() {
        assert!(parse_rate("cron(0 * * * ? *)").unwrap_err().to_string().contains("rate(N unit)"));
        assert!(parse_rate("rate(0 hours)").is_err());
        assert!(parse_rate("rate(1 fortnight)").is_err());
    }

    #[test]
    fn every_schedule_in_the_wiring_is_understood() {
        let wiring = crate::wiring::Wiring::load(
            &std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap())
                .join("../../infra/wiring.json"),
        )
        .unwrap();
        for (name, schedule) in &wiring.schedules {
            Job::new(name, schedule, "http://127.0.0.1:9000").unwrap();
        }
    }

    #[test]
    fn the_scheduled_time_is_written_into_the_input_as_scheduler_writes_it() {
        let input = serde_json::json!({ "job": "research", "at": SCHEDULED_TIME });
        let at = time::macros::datetime!(2026-12-07 13:00 UTC);
        assert_eq!(
            input_at(&input, at),
            serde_json::json!({ "job": "research", "at": "2026-12-07T13:00:00Z" })
        );
        let plain = serde_json::json!({ "job": "email_flows" });
        assert_eq!(input_at(&plain, at), plain);
    }
}
