//! The email pipeline's part of the edge's internal API: the flow settings a merchant chose, read
//! when an event starts a flow, and what became of each flow step, reported for the merchant's
//! view of a flow's sends.
//!
//! - `POST /internal/stores/{store_id}/email/flows` (body `{}`) answers [`StoreFlowSettings`].
//! - `POST /internal/stores/{store_id}/email/sends` takes [`SendReports`] and answers
//!   [`SendsRecorded`].

use domain::marketing::StepSettings;
use serde::{Deserialize, Serialize};

/// One flow's settings in a store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowSettings {
    /// `welcome`, `abandoned_cart` or `post_purchase`.
    pub flow: String,
    /// Off: events that would start the flow start nothing.
    pub enabled: bool,
    /// The merchant's changes per step (delays, subject, intro), checked by the edge.
    #[serde(default)]
    pub steps: Vec<StepSettings>,
}

/// Every flow's settings in a store; a flow missing here runs with the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreFlowSettings {
    /// The flows.
    pub flows: Vec<FlowSettings>,
}

impl StoreFlowSettings {
    /// The settings of `flow`, if the merchant changed any.
    pub fn flow(&self, flow: &str) -> Option<&FlowSettings> {
        self.flows.iter().find(|f| f.flow == flow)
    }
}

/// Where a step stands, as the merchant sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SendStatus {
    /// Waiting for its time.
    Scheduled,
    /// Its mail went to the email queue.
    Sent,
    /// It will not be sent: its trigger was withdrawn (bought, unsubscribed).
    Cancelled,
    /// Not sent when due: too late, or the address is suppressed.
    Skipped,
}

/// One step's news.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendReport {
    /// The flow.
    pub flow: String,
    /// The contact, cart or order the flow is about.
    pub subject: String,
    /// The step's number.
    pub step: u8,
    /// Its mail's template.
    pub template: String,
    /// The recipient.
    pub recipient: String,
    /// Where it stands now.
    pub status: SendStatus,
    /// Why it was cancelled or skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it is (or was) due, RFC 3339.
    pub due_at: String,
}

/// A batch of step news for one store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendReports {
    /// The news, applied in order; a step already `sent` is never set back.
    pub sends: Vec<SendReport>,
}

/// Answer to [`SendReports`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendsRecorded {
    /// Reports received.
    pub recorded: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_send_report_reads_as_the_edge_expects() {
        let report: SendReports = serde_json::from_value(serde_json::json!({"sends": [{
            "flow": "welcome", "subject": "ada@example.com", "step": 2, "template": "welcome_bestsellers",
            "recipient": "ada@example.com", "status": "cancelled", "reason": "unsubscribed",
            "due_at": "2026-11-28T10:00:00Z"
        }]}))
        .unwrap();
        assert_eq!(report.sends[0].status, SendStatus::Cancelled);
        let settings: StoreFlowSettings = serde_json::from_value(serde_json::json!({"flows": [
            {"flow": "welcome", "enabled": false, "steps": [{"step": 2, "delay_hours": 72}]}
        ]}))
        .unwrap();
        assert!(!settings.flow("welcome").unwrap().enabled);
        assert!(settings.flow("post_purchase").is_none());
    }
}
