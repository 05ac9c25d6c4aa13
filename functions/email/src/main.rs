//! The email function: for each email message, renders the mail and sends it once through the
//! provider chosen by `EMAIL_PROVIDER`; for each flow event, schedules or cancels flow steps.

use email::config::{Config, ProviderConfig};
use email::flow_edge::FlowEdge;
use email::flow_events;
use email::flow_steps::FlowSteps;
use email::handler::{self, State};
use email::mail::Sender;
use email::providers::resend::Resend;
use email::providers::sendgrid::SendGrid;
use email::providers::smtp::Smtp;
use email::providers::MailProvider;
use email::records::DynamoLedger;
use pipeline::edge::EdgeClient;
use queues::idempotency::DynamoStore;
use std::sync::Arc;

/// The edge's internal API, for the stores' flow settings and send reports; without
/// `EDGE_INTERNAL_URL` every flow runs with its defaults and nothing is reported.
async fn edge() -> anyhow::Result<Option<Arc<dyn FlowEdge>>> {
    let Some(url) = pipeline::config::optional("EDGE_INTERNAL_URL") else { return Ok(None) };
    let http = EdgeClient::http_client();
    let secret = pipeline::config::internal_secret(&http).await?;
    Ok(Some(Arc::new(EdgeClient::new(http, url, secret))))
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    pipeline::telemetry::init();
    let config = Config::from_env()?;
    let provider: Arc<dyn MailProvider> = match &config.provider {
        ProviderConfig::Smtp(settings) => Arc::new(Smtp::new(settings)?),
        ProviderConfig::Resend { base_url, api_key } => {
            Arc::new(Resend::new(EdgeClient::http_client(), base_url.clone(), api_key.clone()))
        }
        ProviderConfig::SendGrid { base_url, api_key } => {
            Arc::new(SendGrid::new(EdgeClient::http_client(), base_url.clone(), api_key.clone()))
        }
    };
    tracing::info!(provider = provider.name(), "email function ready");
    let aws = aws_config::load_from_env().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    let flows = flow_events::State {
        idempotency: DynamoStore::new(dynamo.clone(), config.table.clone()),
        steps: FlowSteps::new(dynamo.clone(), config.table.clone()),
        edge: edge().await?,
    };
    let state = State {
        idempotency: DynamoStore::new(dynamo.clone(), config.table.clone()),
        ledger: Arc::new(DynamoLedger::new(dynamo, config.table.clone())),
        provider,
        sender: Sender::new(config.from),
    };
    let (state, flows) = (&state, &flows);
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler::handle_queues(state, flows, event)))
        .await
}
