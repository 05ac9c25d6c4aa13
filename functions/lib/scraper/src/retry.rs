//! When a request is tried again: exponential backoff with full jitter on 429, 5xx and
//! connection failures, a bounded number of attempts, and the server's `Retry-After` honoured
//! when it asks for no more than the fetcher is willing to wait in-process.

use std::time::{Duration, SystemTime};

/// How requests are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The backoff ceiling before the first retry; it doubles for each further one.
    pub base_delay: Duration,
    /// The largest backoff ceiling.
    pub max_delay: Duration,
    /// The longest `Retry-After` waited for in-process; a site asking for more fails the fetch
    /// (with the wait in the error), and the caller's queue retries later instead of holding a
    /// Lambda.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// The backoff before retry number `retry` (0 for the first) with "full jitter": a uniformly
    /// random part of the capped exponential delay. `unit` is a random number in `0.0..1.0`.
    pub fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let ceiling = self.base_delay.saturating_mul(2u32.saturating_pow(retry.min(16))).min(self.max_delay);
        ceiling.mul_f64(unit.clamp(0.0, 1.0))
    }

    /// How long to wait before retry number `retry` after an answer with `status` (or a
    /// connection failure, `None`), or `None` when it must not be retried.
    pub fn delay(
        &self,
        status: Option<u16>,
        retry_after: Option<Duration>,
        retry: u32,
        unit: f64,
    ) -> Option<Duration> {
        if retry + 1 >= self.max_attempts {
            return None;
        }
        if let Some(status) = status {
            if !is_retryable_status(status) {
                return None;
            }
        }
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(retry, unit)),
        }
    }
}

/// Whether an answer with `status` may succeed when asked again: 429, and 5xx except
/// 501 (Not Implemented) and 505 (HTTP Version Not Supported).
pub fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status) && status != 501 && status != 505
}

/// Reads a `Retry-After` value: delay-seconds or an HTTP date (measured from `now`).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds.min(86_400)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_a_random_part_of_a_doubling_capped_ceiling() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(0, 0.0), Duration::ZERO);
        assert_eq!(policy.backoff(0, 1.0), Duration::from_millis(500));
        assert_eq!(policy.backoff(2, 1.0), Duration::from_secs(2));
        assert_eq!(policy.backoff(40, 1.0), Duration::from_secs(8));
        assert_eq!(policy.backoff(1, 0.5), Duration::from_millis(500));
    }

    #[test]
    fn only_429_and_transient_5xx_answers_are_retried() {
        let policy = RetryPolicy::default();
        for status in [429, 500, 502, 503, 504] {
            assert!(policy.delay(Some(status), None, 0, 0.5).is_some(), "{status}");
        }
        for status in [200, 301, 400, 403, 404, 501, 505] {
            assert_eq!(policy.delay(Some(status), None, 0, 0.5), None, "{status}");
        }
        assert!(policy.delay(None, None, 0, 0.5).is_some(), "connection failures are retried");
    }

    #[test]
    fn attempts_are_bounded() {
        let policy = RetryPolicy { max_attempts: 3, ..RetryPolicy::default() };
        assert!(policy.delay(Some(503), None, 1, 0.5).is_some());
        assert_eq!(policy.delay(Some(503), None, 2, 0.5), None);
    }

    #[test]
    fn retry_after_is_honoured_unless_it_is_too_long() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(Some(429), Some(Duration::from_secs(3)), 0, 0.0),
            Some(Duration::from_secs(3))
        );
        assert_eq!(policy.delay(Some(429), Some(Duration::from_secs(120)), 0, 0.0), None);
    }

    #[test]
    fn retry_after_is_read_in_seconds_or_as_an_http_date() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }
}
