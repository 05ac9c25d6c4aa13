//! Sales velocity from supplier order counts snapshotted over time in DynamoDB.
//!
//! Every run records, for each candidate whose supplier reports orders, today's count as one item
//! (`pk = supplier#<source>#<id>`, `sk = snap#<yyyy-mm-dd>`, kept 40 days by TTL) and reads the
//! last 30 days back; [`domain::scoring::velocity`] turns them into the 7-day and 30-day
//! velocities that set the candidate's sales velocity signal. Writing today's item again the same
//! day overwrites it, so a retried run records nothing twice.

use crate::candidates::Candidate;
use anyhow::Context;
use aws_sdk_dynamodb::types::AttributeValue;
use domain::scoring::velocity::{velocity, Snapshot};
use queues::internal_api::SourceCoverage;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

/// How long a snapshot is kept.
const KEEP_DAYS: i64 = 40;
/// Days read back.
const WINDOW_DAYS: i64 = 30;

/// Where snapshots are kept.
pub trait SnapshotStore: Send + Sync {
    /// Records `orders_30d` for `product` on `today` and returns its snapshots of the last
    /// 30 days, today's included.
    fn record_and_read(
        &self,
        product: &str,
        today: i64,
        orders_30d: u64,
    ) -> impl Future<Output = anyhow::Result<Vec<Snapshot>>> + Send;
}

/// Snapshots in the pipelines' table (hash key `pk`, range key `sk`, TTL on `expires_at`).
#[derive(Debug, Clone)]
pub struct DynamoSnapshots {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoSnapshots {
    /// Snapshots in `table`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }
}

fn date_key(day: i64) -> String {
    let date = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(day);
    let date = date.date();
    format!("snap#{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

impl SnapshotStore for DynamoSnapshots {
    async fn record_and_read(
        &self,
        product: &str,
        today: i64,
        orders_30d: u64,
    ) -> anyhow::Result<Vec<Snapshot>> {
        let pk = format!("supplier#{product}");
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(pk.clone()))
            .item("sk", AttributeValue::S(date_key(today)))
            .item("day", AttributeValue::N(today.to_string()))
            .item("orders_30d", AttributeValue::N(orders_30d.to_string()))
            .item("expires_at", AttributeValue::N(((today + KEEP_DAYS) * 86_400).to_string()))
            .send()
            .await
            .context("recording a supplier snapshot")?;
        let answer = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", AttributeValue::S(pk))
            .expression_attribute_values(":from", AttributeValue::S(date_key(today - WINDOW_DAYS + 1)))
            .expression_attribute_values(":to", AttributeValue::S(date_key(today)))
            .send()
            .await
            .context("reading supplier snapshots")?;
        let number = |item: &HashMap<String, AttributeValue>, name: &str| {
            item.get(name).and_then(|v| v.as_n().ok()).and_then(|n| n.parse::<i64>().ok())
        };
        Ok(answer
            .items()
            .iter()
            .filter_map(|item| {
                Some(Snapshot {
                    day: number(item, "day")?,
                    orders_30d: u64::try_from(number(item, "orders_30d")?).ok()?,
                })
            })
            .collect())
    }
}

/// Snapshots in memory, for tests and benchmarks.
#[derive(Debug, Default)]
pub struct MemorySnapshots(Mutex<HashMap<String, Vec<Snapshot>>>);

impl SnapshotStore for MemorySnapshots {
    async fn record_and_read(
        &self,
        product: &str,
        today: i64,
        orders_30d: u64,
    ) -> anyhow::Result<Vec<Snapshot>> {
        let mut all = self.0.lock().expect("snapshots lock");
        let snapshots = all.entry(product.to_owned()).or_default();
        snapshots.retain(|s| s.day != today);
        snapshots.push(Snapshot { day: today, orders_30d });
        Ok(snapshots.iter().copied().filter(|s| s.day > today - WINDOW_DAYS && s.day <= today).collect())
    }
}

/// Records today's count of every candidate whose supplier reports orders and sets its sales
/// velocity from the snapshots. A store that fails leaves the candidates their one-day estimate
/// and is reported as a coverage line; it never fails the run.
pub async fn apply<S: SnapshotStore>(store: &S, candidates: &mut [Candidate], today: i64) -> SourceCoverage {
    let asked: Vec<(usize, String, u64)> = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let orders = c.product.orders_30d?;
            Some((i, format!("{}#{}", c.product.source, c.product.source_product_id), orders))
        })
        .collect();
    let answers = futures_util::future::join_all(
        asked.iter().map(|(_, product, orders)| store.record_and_read(product, today, *orders)),
    )
    .await;
    let (mut measured, mut with_history, mut failed, mut error) = (0u32, 0u32, 0usize, None);
    for ((index, _, _), answer) in asked.iter().zip(answers) {
        match answer {
            Ok(snapshots) => {
                if let Some(velocity) = velocity(&snapshots, today) {
                    measured += 1;
                    with_history += u32::from(velocity.per_day_30d.is_some());
                    let candidate = &mut candidates[*index];
                    candidate.signals.sales_velocity = Some(velocity.signal());
                    candidate.score = candidate.signals.score();
                }
            }
            Err(e) => {
                failed += 1;
                error.get_or_insert_with(|| format!("{e:#}"));
            }
        }
    }
    if failed > 0 {
        tracing::warn!(failed, error = error.as_deref().unwrap_or(""), "supplier snapshots unavailable");
    }
    SourceCoverage {
        source: "sales_velocity".into(),
        candidates: measured,
        error: error.map(|e| format!("{failed} products without snapshots: {e}")).or_else(|| {
            (with_history < measured)
                .then(|| format!("{} products have less than a week of history", measured - with_history))
        }),
    }
}

/// Days since 1970-01-01 of `at`.
pub fn day_of(at: time::OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Currency, Money};
    use queues::messages::SupplierProduct;

    fn candidate(id: &str, orders: Option<u64>) -> Candidate {
        Candidate::by_default_rules(SupplierProduct {
            source: "aliexpress".into(),
            source_product_id: id.into(),
            title: format!("Item {id}"),
            cost: Money::from_minor(800, Currency::Usd),
            list_price: None,
            image_urls: vec![],
            product_url: format!("https://supplier.example/{id}"),
            category: None,
            orders_30d: orders,
            rating_pct: None,
            shipping_days: Some(10),
        })
    }

    #[test]
    fn dates_key_snapshots_by_utc_day() {
        assert_eq!(date_key(0), "snap#1970-01-01");
        assert_eq!(date_key(day_of(time::macros::datetime!(2026-11-26 23:59 UTC))), "snap#2026-11-26");
    }

    #[tokio::test]
    async fn a_product_whose_orders_climbed_this_week_outscores_a_steady_one() {
        let store = MemorySnapshots::default();
        let today = 20_000;
        for day in (today - 20)..today {
            let climbing = if day > today - 7 { 900 } else { 300 };
            let mut history = vec![candidate("climbing", Some(climbing)), candidate("steady", Some(900))];
            apply(&store, &mut history, day).await;
        }
        let mut now =
            vec![candidate("climbing", Some(900)), candidate("steady", Some(900)), candidate("new", None)];
        let before = now[0].signals.sales_velocity;
        let coverage = apply(&store, &mut now, today).await;
        assert_eq!(
            (coverage.source.as_str(), coverage.candidates, coverage.error),
            ("sales_velocity", 2, None)
        );
        assert!(
            now[0].signals.sales_velocity > now[1].signals.sales_velocity,
            "the same orders this week, but climbing: {:?}",
            (now[0].signals.sales_velocity, now[1].signals.sales_velocity)
        );
        assert!(now[0].signals.sales_velocity > before, "momentum lifts it above the one-day estimate");
        assert_eq!(now[2].signals.sales_velocity, None);
    }

    #[tokio::test]
    async fn the_same_day_recorded_twice_is_one_snapshot() {
        let store = MemorySnapshots::default();
        assert_eq!(store.record_and_read("a#1", 10, 30).await.unwrap().len(), 1);
        assert_eq!(
            store.record_and_read("a#1", 10, 60).await.unwrap(),
            vec![Snapshot { day: 10, orders_30d: 60 }]
        );
    }

    struct Down;
    impl SnapshotStore for Down {
        async fn record_and_read(&self, _: &str, _: i64, _: u64) -> anyhow::Result<Vec<Snapshot>> {
            anyhow::bail!("DynamoDB answered 500")
        }
    }

    #[tokio::test]
    async fn a_store_that_is_down_keeps_the_one_day_estimate_and_says_so() {
        let mut candidates = vec![candidate("1", Some(900))];
        let before = candidates[0].signals;
        let coverage = apply(&Down, &mut candidates, 100).await;
        assert_eq!(candidates[0].signals, before);
        assert_eq!(coverage.error.as_deref(), Some("1 products without snapshots: DynamoDB answered 500"));
    }
}
