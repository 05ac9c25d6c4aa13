//! The versioned envelope around every queued message.

use domain::{StoreId, TenantId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The envelope version this build writes and reads.
pub const ENVELOPE_VERSION: u16 = 1;

/// A payload type that travels on one queue.
pub trait Message: Serialize + DeserializeOwned {
    /// The message kind written into the envelope, e.g. `research.requested`.
    const KIND: &'static str;
    /// The queue it travels on, as named in `infra/wiring.json`.
    const QUEUE: &'static str;
}

/// A message with everything a consumer needs to apply it exactly once and to trace it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// Envelope format version.
    pub version: u16,
    /// The payload kind; must match the consumer's [`Message::KIND`].
    pub kind: String,
    /// Two messages with the same key have the same effect; the second is skipped.
    pub idempotency_key: String,
    /// The tenant the message acts for.
    pub tenant_id: TenantId,
    /// The store the message acts on; `None` for tenant-level messages such as account mails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_id: Option<StoreId>,
    /// When the producer issued it.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// Follows one merchant action or schedule tick through every stage.
    pub correlation_id: String,
    /// The typed payload.
    pub payload: T,
}

/// A message body that is not an envelope this consumer can apply.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    /// Not JSON, or not the envelope's shape, or a payload field is wrong.
    #[error("malformed message: {0}")]
    Malformed(#[from] serde_json::Error),
    /// An envelope version this build does not read.
    #[error("unsupported envelope version {0}")]
    Version(u16),
    /// The envelope carries another kind of message than this queue's.
    #[error("expected a `{expected}` message, got `{got}`")]
    Kind {
        /// The consumer's kind.
        expected: &'static str,
        /// The message's kind.
        got: String,
    },
    /// The idempotency key is empty or too long to be a DynamoDB key.
    #[error("idempotency key must be 1 to 512 characters")]
    IdempotencyKey,
    /// A store-level message came without its store.
    #[error("the message names no store")]
    MissingStore,
}

impl<T: Message> Envelope<T> {
    /// Wraps a payload.
    pub fn new(
        idempotency_key: impl Into<String>,
        tenant_id: TenantId,
        store_id: StoreId,
        issued_at: OffsetDateTime,
        correlation_id: impl Into<String>,
        payload: T,
    ) -> Self {
        Self {
            version: ENVELOPE_VERSION,
            kind: T::KIND.to_owned(),
            idempotency_key: idempotency_key.into(),
            tenant_id,
            store_id: Some(store_id),
            issued_at,
            correlation_id: correlation_id.into(),
            payload,
        }
    }

    /// Wraps a payload that concerns a tenant, not one of its stores (account mails).
    pub fn for_tenant(
        idempotency_key: impl Into<String>,
        tenant_id: TenantId,
        issued_at: OffsetDateTime,
        correlation_id: impl Into<String>,
        payload: T,
    ) -> Self {
        Self {
            version: ENVELOPE_VERSION,
            kind: T::KIND.to_owned(),
            idempotency_key: idempotency_key.into(),
            tenant_id,
            store_id: None,
            issued_at,
            correlation_id: correlation_id.into(),
            payload,
        }
    }

    /// The store of a store-level message.
    pub fn store(&self) -> Result<StoreId, EnvelopeError> {
        self.store_id.ok_or(EnvelopeError::MissingStore)
    }

    /// Parses and checks a message body.
    pub fn parse(body: &str) -> Result<Self, EnvelopeError> {
        let envelope: Self = serde_json::from_str(body)?;
        if envelope.version != ENVELOPE_VERSION {
            return Err(EnvelopeError::Version(envelope.version));
        }
        if envelope.kind != T::KIND {
            return Err(EnvelopeError::Kind { expected: T::KIND, got: envelope.kind });
        }
        if envelope.idempotency_key.is_empty() || envelope.idempotency_key.len() > 512 {
            return Err(EnvelopeError::IdempotencyKey);
        }
        Ok(envelope)
    }

    /// The JSON body to send.
    pub fn to_body(&self) -> String {
        serde_json::to_string(self).expect("envelopes always serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::ResearchRequested;
    use domain::RunId;
    use time::macros::datetime;

    fn sample() -> Envelope<ResearchRequested> {
        Envelope::new(
            "research:run-1",
            TenantId::from_random_bytes([1; 16]),
            StoreId::from_random_bytes([2; 16]),
            datetime!(2026-11-26 10:00 UTC),
            "corr-1",
            ResearchRequested {
                run_id: RunId::from_random_bytes([3; 16]),
                niche: "pets".into(),
                max_imports: 5,
            },
        )
    }

    #[test]
    fn an_envelope_survives_the_queue() {
        let envelope = sample();
        assert_eq!(Envelope::<ResearchRequested>::parse(&envelope.to_body()).unwrap(), envelope);
    }

    #[test]
    fn the_wire_form_names_kind_version_and_time() {
        let json: serde_json::Value = serde_json::from_str(&sample().to_body()).unwrap();
        assert_eq!(json["version"], 1);
        assert_eq!(json["kind"], "research.requested");
        assert_eq!(json["issued_at"], "2026-11-26T10:00:00Z");
    }

    #[test]
    fn a_message_of_another_kind_is_refused() {
        let body = sample().to_body().replace("research.requested", "import.requested");
        let err = Envelope::<ResearchRequested>::parse(&body).unwrap_err();
        assert!(matches!(err, EnvelopeError::Kind { .. }), "{err}");
    }

    #[test]
    fn a_tenant_level_message_has_no_store_on_the_wire() {
        let envelope = Envelope::for_tenant(
            "k",
            TenantId::from_random_bytes([1; 16]),
            datetime!(2026-11-26 10:00 UTC),
            "c",
            ResearchRequested {
                run_id: RunId::from_random_bytes([3; 16]),
                niche: "x".into(),
                max_imports: 1,
            },
        );
        let json: serde_json::Value = serde_json::from_str(&envelope.to_body()).unwrap();
        assert!(json.get("store_id").is_none());
        assert!(matches!(envelope.store(), Err(EnvelopeError::MissingStore)));
        assert!(sample().store().is_ok());
    }

    #[test]
    fn garbage_and_future_versions_are_refused() {
        assert!(matches!(Envelope::<ResearchRequested>::parse("not json"), Err(EnvelopeError::Malformed(_))));
        let body = sample().to_body().replace("\"version\":1", "\"version\":2");
        assert!(matches!(Envelope::<ResearchRequested>::parse(&body), Err(EnvelopeError::Version(2))));
    }
}
