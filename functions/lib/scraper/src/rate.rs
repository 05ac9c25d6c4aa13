//! Politeness per host: requests to one host are spaced at least an interval apart, across all
//! the tasks sharing a fetcher. Each caller reserves the next free slot and sleeps until it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Hosts remembered before the ones whose slots have passed are forgotten.
const PRUNE_ABOVE: usize = 1_024;

/// Spaces requests per host.
#[derive(Debug)]
pub struct HostLimiter {
    interval: Duration,
    next_slot: Mutex<HashMap<String, Instant>>,
}

impl HostLimiter {
    /// At most one request per `interval` to each host.
    pub fn new(interval: Duration) -> Self {
        Self { interval, next_slot: Mutex::new(HashMap::new()) }
    }

    /// Waits for `host`'s next slot and takes it.
    pub async fn acquire(&self, host: &str) {
        if self.interval.is_zero() {
            return;
        }
        let slot = {
            let mut slots = self.next_slot.lock().expect("not poisoned");
            let now = Instant::now();
            if slots.len() > PRUNE_ABOVE {
                slots.retain(|_, next| *next > now);
            }
            let next = slots.entry(host.to_ascii_lowercase()).or_insert(now);
            let slot = (*next).max(now);
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_to_one_host_are_spaced_by_the_interval() {
        let limiter = HostLimiter::new(Duration::from_secs(1));
        let start = Instant::now();
        limiter.acquire("shop.example").await;
        limiter.acquire("SHOP.example").await;
        limiter.acquire("shop.example").await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn different_hosts_do_not_wait_for_each_other() {
        let limiter = HostLimiter::new(Duration::from_secs(1));
        let start = Instant::now();
        limiter.acquire("a.example").await;
        limiter.acquire("b.example").await;
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
