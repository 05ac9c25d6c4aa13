//! The deterministic offline generator: answers each task from its input facts alone, in the
//! same JSON a model would write, so the answer goes through the same parsing and validation.
//! It is the default provider: the pipelines run locally and in tests with no account.

use super::{BoxFuture, Generation, Provider, ProviderError, Request, TokenUsage};
use crate::tasks::{analysis, blog, content, Task};
use serde::de::DeserializeOwned;

/// The offline generator.
#[derive(Debug, Clone, Copy, Default)]
pub struct Offline;

fn facts<T: DeserializeOwned>(request: &Request) -> Result<T, ProviderError> {
    serde_json::from_value(request.facts.clone())
        .map_err(|e| ProviderError::Offline { task: request.task.to_owned(), message: e.to_string() })
}

impl Offline {
    /// The answer's text for a request.
    pub fn answer(&self, request: &Request) -> Result<String, ProviderError> {
        let value = match request.task {
            analysis::ProductAnalysisTask::NAME => serde_json::to_value(analysis::offline(&facts(request)?)),
            content::ProductContentTask::NAME => serde_json::to_value(content::offline(&facts(request)?)),
            blog::BlogPostTask::NAME => serde_json::to_value(blog::offline(&facts(request)?)),
            other => {
                return Err(ProviderError::Offline { task: other.to_owned(), message: "unknown task".into() })
            }
        };
        Ok(value.expect("answers always serialise").to_string())
    }
}

impl Provider for Offline {
    fn name(&self) -> &'static str {
        "offline"
    }

    fn model(&self) -> &str {
        "offline"
    }

    fn metered(&self) -> bool {
        false
    }

    fn generate<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Generation, ProviderError>> {
        Box::pin(async move {
            Ok(Generation { text: self.answer(request)?, usage: TokenUsage::default(), truncated: false })
        })
    }
}
