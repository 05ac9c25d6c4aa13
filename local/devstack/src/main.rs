//! The local stack's own parts, each doing locally what AWS does in production, from the same
//! `infra/wiring.json` that Terraform reads:
//!
//! - `devstack provision`: creates every queue (with its dead-letter queue and redrive policy),
//!   the pipeline table (with TTL) and the bucket in the AWS emulator, and prints their names
//!   and URLs as environment lines.
//! - `devstack pump`: the event source mappings (receive from each queue, invoke its consumer
//!   with a real SQS event, delete only what did not fail) and the scheduler (fire each schedule's
//!   function with its input at its rate), until Ctrl-C.
//! - `devstack fire <schedule>`: fires one schedule now.
//! - `devstack replay [--from <time>] <hours> <speed> <schedule>...`: fires the schedules over
//!   `hours` of a clock starting now (or at `--from`) and running `speed` times faster than the
//!   real one, each at its rate with its simulated time as its scheduled time, then prints what
//!   each invocation answered and exits.

mod bridge;
mod scheduler;
mod wiring;

use anyhow::Context;
use std::path::PathBuf;

/// Settings shared by the subcommands, from the environment.
pub struct Local {
    /// Prefix of every resource name, as Terraform's `name_prefix`.
    pub prefix: String,
    /// The wiring.
    pub wiring: wiring::Wiring,
    /// Base URL of `cargo lambda watch`.
    pub lambda_url: String,
    /// Queue visibility timeout used locally, in seconds: short, so retries are quick to watch.
    pub visibility_timeout_s: i32,
}

impl Local {
    fn from_env() -> anyhow::Result<Self> {
        let wiring_path = std::env::var("DROPSHIP_WIRING")
            .map(PathBuf::from)
            // Scripts run from the repository's root. Never a path compiled in: the build is
            // shared by every clone on the machine, and would read another clone's wiring.
            .unwrap_or_else(|_| PathBuf::from("infra/wiring.json"));
        Ok(Self {
            prefix: std::env::var("DROPSHIP_PREFIX").unwrap_or_else(|_| "dropship-local".into()),
            wiring: wiring::Wiring::load(&wiring_path)?,
            lambda_url: std::env::var("LAMBDA_URL").unwrap_or_else(|_| "http://127.0.0.1:9000".into()),
            visibility_timeout_s: std::env::var("DROPSHIP_LOCAL_VISIBILITY_TIMEOUT")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(3),
        })
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    let local = Local::from_env()?;
    let aws = aws_config::load_from_env().await;
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["provision"] => {
            let lines = wiring::provision(&local, &aws).await?;
            for line in lines {
                println!("{line}");
            }
            Ok(())
        }
        ["pump"] => {
            let sqs = aws_sdk_sqs::Client::new(&aws);
            let http = reqwest::Client::new();
            let mut tasks = tokio::task::JoinSet::new();
            for (name, queue) in &local.wiring.queues {
                let url = wiring::queue_url(&sqs, &local.prefix, name).await?;
                let mapping = bridge::Mapping::new(name, queue, url, &local.lambda_url);
                tasks.spawn(bridge::run(sqs.clone(), http.clone(), mapping));
            }
            for (name, schedule) in &local.wiring.schedules {
                let job = scheduler::Job::new(name, schedule, &local.lambda_url)?;
                tasks.spawn(scheduler::run(http.clone(), job));
            }
            tracing::info!(
                queues = local.wiring.queues.len(),
                schedules = local.wiring.schedules.len(),
                "pumping"
            );
            tokio::select! {
                _ = tokio::signal::ctrl_c() => tracing::info!("stopping"),
                Some(ended) = tasks.join_next() => ended.context("a pump task panicked")?.context("a pump task failed")?,
            }
            Ok(())
        }
        ["fire", schedule] => {
            let definition = local
                .wiring
                .schedules
                .get(*schedule)
                .with_context(|| format!("no schedule `{schedule}` in wiring.json"))?;
            let job = scheduler::Job::new(schedule, definition, &local.lambda_url)?;
            let answer =
                scheduler::fire(&reqwest::Client::new(), &job, time::OffsetDateTime::now_utc()).await?;
            println!("{answer}");
            Ok(())
        }
        ["replay", rest @ ..] if rest.len() >= 3 => {
            // `--from <RFC 3339>` starts the simulated clock there instead of now.
            let (start, rest) = match rest {
                ["--from", from, rest @ ..] => (
                    time::OffsetDateTime::parse(from, &time::format_description::well_known::Rfc3339)
                        .context("--from must be an RFC 3339 time")?,
                    rest,
                ),
                rest => (time::OffsetDateTime::now_utc(), rest),
            };
            let [hours, speed, schedules @ ..] = rest else {
                anyhow::bail!("usage: devstack replay [--from <time>] <hours> <speed> <schedule>...")
            };
            anyhow::ensure!(!schedules.is_empty(), "name at least one schedule to replay");
            let hours: u64 = hours.parse().context("hours must be a whole number")?;
            let speed: u32 = speed.parse().context("speed must be a whole number")?;
            let mut jobs = Vec::new();
            for name in schedules {
                let definition = local
                    .wiring
                    .schedules
                    .get(*name)
                    .with_context(|| format!("no schedule `{name}` in wiring.json"))?;
                jobs.push(scheduler::Job::new(name, definition, &local.lambda_url)?);
            }
            let span = std::time::Duration::from_secs(hours * 3_600);
            let fired = scheduler::replay(&reqwest::Client::new(), &jobs, start, span, speed).await?;
            for (name, at, answer) in fired {
                let at = at.format(&time::format_description::well_known::Rfc3339)?;
                println!("{name}\t{at}\t{answer}");
            }
            Ok(())
        }
        _ => anyhow::bail!(
            "usage: devstack provision | pump | fire <schedule> | replay [--from <time>] <hours> <speed> <schedule>..."
        ),
    }
}
