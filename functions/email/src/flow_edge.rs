//! What the flows ask of and tell the edge (which owns D1): a store's flow settings, read when an
//! event starts a flow, and what became of each step, for the merchant's view of a flow's sends.
//! See [`queues::email_api`] for the contract.

use crate::flows::Step;
use crate::providers::BoxFuture;
use domain::StoreId;
use pipeline::edge::EdgeClient;
use queues::email_api::{SendReport, SendReports, SendStatus, StoreFlowSettings};
use queues::internal_api::calls::{ReadFlowSettings, RecordFlowSends};
use queues::internal_api::Empty;

/// The edge, as the flows see it.
pub trait FlowEdge: Send + Sync {
    /// The store's flow settings.
    fn settings(&self, store: StoreId) -> BoxFuture<'_, anyhow::Result<StoreFlowSettings>>;
    /// Records step news for the store's merchant.
    fn report<'a>(&'a self, store: StoreId, sends: &'a [SendReport]) -> BoxFuture<'a, anyhow::Result<()>>;
}

impl FlowEdge for EdgeClient {
    fn settings(&self, store: StoreId) -> BoxFuture<'_, anyhow::Result<StoreFlowSettings>> {
        Box::pin(async move { Ok(self.call::<ReadFlowSettings>(&store, &Empty {}).await?) })
    }

    fn report<'a>(&'a self, store: StoreId, sends: &'a [SendReport]) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let body = SendReports { sends: sends.to_vec() };
            self.call::<RecordFlowSends>(&store, &body).await?;
            Ok(())
        })
    }
}

/// The news of `step`.
pub fn report(step: &Step, status: SendStatus, reason: Option<&str>) -> SendReport {
    SendReport {
        flow: step.flow.name().to_owned(),
        subject: step.subject.clone(),
        step: step.number,
        template: step.template.name().to_owned(),
        recipient: step.to.as_str().to_owned(),
        status,
        reason: reason.map(str::to_owned),
        due_at: crate::flow_steps::stamp(step.due_at),
    }
}

/// Sends `sends` to the edge if there is one; a failure is logged, never fatal: the mails matter
/// more than the merchant's view of them.
pub async fn tell(edge: Option<&dyn FlowEdge>, store: StoreId, sends: &[SendReport]) {
    let Some(edge) = edge else { return };
    if sends.is_empty() {
        return;
    }
    if let Err(error) = edge.report(store, sends).await {
        tracing::warn!(
            error = format!("{error:#}"),
            count = sends.len(),
            "could not report flow sends to the edge"
        );
    }
}
