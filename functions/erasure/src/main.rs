//! The erasure stage: for each `TenantErasureRequested`, deletes every DynamoDB item and S3 object
//! of the tenant's stores, then confirms to the edge, which records the erasure as complete.
//!
//! | variable | meaning |
//! |---|---|
//! | `TABLE_NAME` | the pipeline table |
//! | `BUCKET_NAME` | the bucket of images, captures, reports and exports |
//! | `EDGE_INTERNAL_URL`, `INTERNAL_HMAC_SECRET` | the edge's internal API |

use erasure::{handle, Erasure, State};
use pipeline::config::required;
use pipeline::edge::EdgeClient;
use queues::idempotency::DynamoStore;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    pipeline::telemetry::init();
    let http = EdgeClient::http_client();
    let edge = EdgeClient::from_env(http.clone()).await?;
    let aws = aws_config::load_from_env().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&aws)
            .force_path_style(pipeline::config::optional("AWS_ENDPOINT_URL").is_some())
            .build(),
    );
    let table = required("TABLE_NAME")?;
    let state = State {
        erasure: Erasure {
            dynamo: dynamo.clone(),
            table: table.clone(),
            s3,
            bucket: required("BUCKET_NAME")?,
        },
        idempotency: DynamoStore::new(dynamo, table),
        edge,
    };
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handle(state, event))).await
}
