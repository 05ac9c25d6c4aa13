//! Retries of one provider call: exponential backoff with jitter on 429, 5xx and transport
//! failures, honouring the provider's `retry-after`, with a bounded number of attempts.

use crate::provider::ProviderError;
use std::future::Future;
use std::time::Duration;

/// How a call is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The backoff before the first retry; it doubles for each further one.
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
    /// The longest `retry-after` honoured in-process; a provider asking for more fails the call,
    /// and the caller's message is retried later by its queue instead of holding a Lambda.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The backoff before retry number `retry` (0 for the first), with "equal jitter": half the
    /// exponential delay, plus a random part of the other half. `unit` is a random number in
    /// `0.0..1.0`.
    pub fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let exponential = self.base_delay.saturating_mul(2u32.saturating_pow(retry.min(16)));
        let capped = exponential.min(self.max_delay);
        let half = capped / 2;
        half + half.mul_f64(unit.clamp(0.0, 1.0))
    }

    /// How long to wait after `error` before retry number `retry`, or `None` when it must not be
    /// retried.
    pub fn delay(&self, error: &ProviderError, retry: u32, unit: f64) -> Option<Duration> {
        if !error.is_retryable() {
            return None;
        }
        match error {
            ProviderError::RateLimited { retry_after: Some(wait), .. } => {
                (*wait <= self.max_retry_after).then(|| (*wait).max(self.backoff(retry, unit) / 4))
            }
            _ => Some(self.backoff(retry, unit)),
        }
    }

    /// Runs `call` until it succeeds, fails in a way retrying cannot help, or the attempts run out.
    pub async fn run<T, F, Fut>(&self, task: &str, mut call: F) -> Result<T, ProviderError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        let mut attempt = 1;
        loop {
            let error = match call().await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            let wait = (attempt < self.max_attempts)
                .then(|| self.delay(&error, attempt - 1, fastrand::f64()))
                .flatten();
            let Some(wait) = wait else {
                return Err(error);
            };
            tracing::warn!(task, attempt, wait_ms = wait.as_millis() as u64, error = %error, "AI call failed; retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn fast() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
            max_retry_after: Duration::from_millis(50),
        }
    }

    fn unavailable() -> ProviderError {
        ProviderError::Unavailable { provider: "openai", status: 503, message: "busy".into() }
    }

    #[test]
    fn backoff_doubles_within_its_jitter_band_up_to_the_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(0, 0.0), Duration::from_millis(250));
        assert_eq!(policy.backoff(0, 1.0), Duration::from_millis(500));
        assert_eq!(policy.backoff(2, 0.0), Duration::from_millis(1_000));
        assert_eq!(policy.backoff(30, 1.0), Duration::from_secs(20));
        for retry in 0..8 {
            let d = policy.backoff(retry, fastrand::f64());
            assert!(d <= policy.max_delay && d >= policy.backoff(retry, 0.0));
        }
    }

    #[test]
    fn retry_after_is_honoured_unless_it_is_too_long() {
        let policy = RetryPolicy::default();
        let limited = |s| ProviderError::RateLimited {
            provider: "anthropic",
            retry_after: Some(Duration::from_secs(s)),
        };
        assert_eq!(policy.delay(&limited(3), 0, 0.5), Some(Duration::from_secs(3)));
        assert_eq!(policy.delay(&limited(600), 0, 0.5), None);
        let refused = ProviderError::Refused {
            provider: "anthropic",
            status: 401,
            kind: "authentication_error".into(),
            message: String::new(),
        };
        assert_eq!(policy.delay(&refused, 0, 0.5), None);
    }

    #[tokio::test]
    async fn attempts_are_bounded() {
        let calls = Cell::new(0);
        let result: Result<(), _> = fast()
            .run("t", || {
                calls.set(calls.get() + 1);
                async { Err(unavailable()) }
            })
            .await;
        assert_eq!(result, Err(unavailable()));
        assert_eq!(calls.get(), 3);
    }

    #[tokio::test]
    async fn a_transient_failure_then_success_succeeds() {
        let calls = Cell::new(0);
        let result = fast()
            .run("t", || {
                calls.set(calls.get() + 1);
                let n = calls.get();
                async move {
                    if n == 1 {
                        Err(unavailable())
                    } else {
                        Ok(n)
                    }
                }
            })
            .await;
        assert_eq!(result, Ok(2));
    }

    #[tokio::test]
    async fn a_refusal_is_not_retried() {
        let calls = Cell::new(0);
        let _: Result<(), _> = fast()
            .run("t", || {
                calls.set(calls.get() + 1);
                async {
                    Err(ProviderError::Refused {
                        provider: "openai",
                        status: 400,
                        kind: "x".into(),
                        message: "y".into(),
                    })
                }
            })
            .await;
        assert_eq!(calls.get(), 1);
    }
}
