//! `infra/wiring.json`, and creating what it names in the AWS emulator.

use anyhow::Context;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use aws_sdk_sqs::types::QueueAttributeName;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The wiring file.
#[derive(Debug, Deserialize)]
pub struct Wiring {
    /// Functions by name.
    pub functions: BTreeMap<String, Function>,
    /// Queues by name.
    pub queues: BTreeMap<String, Queue>,
    /// Schedules by name.
    pub schedules: BTreeMap<String, Schedule>,
    /// The pipeline table.
    pub table: Table,
}

/// A function.
#[derive(Debug, Deserialize)]
pub struct Function {
    /// Queues it sends to.
    #[serde(default)]
    pub sends_to: Vec<String>,
}

/// A queue and its event source mapping.
#[derive(Debug, Deserialize)]
pub struct Queue {
    /// The function that consumes it.
    pub consumer: String,
    /// Messages per invocation at most.
    pub batch_size: i32,
    /// Receives before a message moves to the dead-letter queue.
    pub max_receive_count: u32,
}

/// A schedule.
#[derive(Debug, Deserialize)]
pub struct Schedule {
    /// `rate(N unit)`.
    pub expression: String,
    /// The function it invokes.
    pub function: String,
    /// The event it sends.
    pub input: serde_json::Value,
}

/// The pipeline table's keys.
#[derive(Debug, Deserialize)]
pub struct Table {
    /// Hash key attribute.
    pub hash_key: String,
    /// Range key attribute.
    pub range_key: String,
    /// TTL attribute.
    pub ttl_attribute: String,
}

impl Wiring {
    /// Reads and checks the wiring: every consumer, target and `sends_to` must exist.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let wiring: Wiring =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        for (name, queue) in &wiring.queues {
            anyhow::ensure!(
                wiring.functions.contains_key(&queue.consumer),
                "queue {name}: unknown consumer {}",
                queue.consumer
            );
        }
        for (name, schedule) in &wiring.schedules {
            anyhow::ensure!(
                wiring.functions.contains_key(&schedule.function),
                "schedule {name}: unknown function {}",
                schedule.function
            );
        }
        for (name, function) in &wiring.functions {
            for queue in &function.sends_to {
                anyhow::ensure!(
                    wiring.queues.contains_key(queue),
                    "function {name}: sends to unknown queue {queue}"
                );
            }
        }
        Ok(wiring)
    }
}

/// The URL of a provisioned queue.
pub async fn queue_url(sqs: &aws_sdk_sqs::Client, prefix: &str, name: &str) -> anyhow::Result<String> {
    let out =
        sqs.get_queue_url().queue_name(format!("{prefix}-{name}")).send().await.with_context(|| {
            format!("queue {prefix}-{name} does not exist: run `devstack provision` first")
        })?;
    out.queue_url().map(str::to_owned).context("no queue URL")
}

/// Creates (or leaves as they are) every queue, the table and the (versioned) bucket; returns environment
/// lines naming them.
pub async fn provision(local: &crate::Local, aws: &aws_config::SdkConfig) -> anyhow::Result<Vec<String>> {
    let sqs = aws_sdk_sqs::Client::new(aws);
    let mut lines = Vec::new();
    for (name, queue) in &local.wiring.queues {
        let dlq_url = sqs
            .create_queue()
            .queue_name(format!("{}-{name}-dlq", local.prefix))
            .attributes(QueueAttributeName::MessageRetentionPeriod, "1209600")
            .send()
            .await
            .with_context(|| format!("creating the {name} dead-letter queue"))?
            .queue_url
            .context("no DLQ URL")?;
        let dlq_arn = sqs
            .get_queue_attributes()
            .queue_url(&dlq_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await?
            .attributes
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .context("no DLQ ARN")?;
        let redrive =
            serde_json::json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": queue.max_receive_count });
        let url = sqs
            .create_queue()
            .queue_name(format!("{}-{name}", local.prefix))
            .attributes(QueueAttributeName::VisibilityTimeout, local.visibility_timeout_s.to_string())
            .attributes(QueueAttributeName::RedrivePolicy, redrive.to_string())
            .send()
            .await
            .with_context(|| format!("creating the {name} queue"))?
            .queue_url
            .context("no queue URL")?;
        let upper = name.to_ascii_uppercase();
        lines.push(format!("{upper}_QUEUE_URL={url}"));
        lines.push(format!("{upper}_DLQ_URL={dlq_url}"));
    }

    let table = format!("{}-pipeline", local.prefix);
    let dynamo = aws_sdk_dynamodb::Client::new(aws);
    let exists = dynamo.describe_table().table_name(&table).send().await.is_ok();
    if !exists {
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder().attribute_name(name).key_type(kind).build()
        };
        let attr = |name: &str| {
            AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build()
        };
        let t = &local.wiring.table;
        dynamo
            .create_table()
            .table_name(&table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key(&t.hash_key, KeyType::Hash)?)
            .key_schema(key(&t.range_key, KeyType::Range)?)
            .attribute_definitions(attr(&t.hash_key)?)
            .attribute_definitions(attr(&t.range_key)?)
            .send()
            .await
            .context("creating the pipeline table")?;
        dynamo
            .update_time_to_live()
            .table_name(&table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder().enabled(true).attribute_name(&t.ttl_attribute).build()?,
            )
            .send()
            .await
            .context("enabling TTL")?;
    }
    lines.push(format!("TABLE_NAME={table}"));

    let bucket = format!("{}-assets", local.prefix);
    let s3 =
        aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(aws).force_path_style(true).build());
    if s3.head_bucket().bucket(&bucket).send().await.is_err() {
        s3.create_bucket().bucket(&bucket).send().await.context("creating the bucket")?;
    }
    // Versioned as in production (infra/terraform/s3.tf), where a delete without a version id
    // only adds a delete marker: the erasure has to meet that here too.
    s3.put_bucket_versioning()
        .bucket(&bucket)
        .versioning_configuration(
            VersioningConfiguration::builder().status(BucketVersioningStatus::Enabled).build(),
        )
        .send()
        .await
        .context("turning on the bucket's versioning")?;
    lines.push(format!("BUCKET_NAME={bucket}"));
    Ok(lines)
}
