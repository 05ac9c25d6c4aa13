//! The scheduled sweep. EventBridge Scheduler (locally, devstack's scheduler) invokes it with the
//! schedule's input from `infra/wiring.json`; for `email_flows` it sends the email-flow steps that
//! are due through the email queue; for `plan_lapse` it asks the edge to move the tenants whose
//! payment grace period is over to Starter; for `domain_recheck` it asks the edge to check the
//! verified custom domains' TXT records.
//!
//! | variable | meaning |
//! |---|---|
//! | `TABLE_NAME` | the pipeline table, where the flows' steps are |
//! | `EMAIL_QUEUE_URL` | the email queue |
//! | `EDGE_INTERNAL_URL` | the edge, told what became of each step (optional for `email_flows`, needed for the others) |

mod handler;

use anyhow::Context;
use email::flow_steps::FlowSteps;
use pipeline::edge::EdgeClient;
use queues::messages::EmailRequested;
use queues::publisher::SqsPublisher;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    pipeline::telemetry::init();
    let table = pipeline::config::required("TABLE_NAME")?;
    let queue_url = pipeline::config::required(&SqsPublisher::url_variable::<EmailRequested>())
        .context("the sweep sends to the email queue")?;
    let aws = aws_config::load_from_env().await;
    let edge = match pipeline::config::optional("EDGE_INTERNAL_URL") {
        Some(url) => {
            let http = EdgeClient::http_client();
            let secret = pipeline::config::internal_secret(&http).await?;
            Some(std::sync::Arc::new(EdgeClient::new(http, url, secret)))
        }
        None => None,
    };
    let state = handler::State {
        steps: FlowSteps::new(aws_sdk_dynamodb::Client::new(&aws), table),
        email: SqsPublisher::new(aws_sdk_sqs::Client::new(&aws), queue_url),
        edge: edge.clone().map(|edge| edge as std::sync::Arc<dyn email::flow_edge::FlowEdge>),
        edge_client: edge,
    };
    let state = &state;
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler::handle(state, event))).await
}
