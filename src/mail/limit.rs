//! A small in-process sliding-window rate limiter for subscription requests (per client IP).
//!
//! The per-address limit lives in the database (`confirm_sent_at`) so that it holds across
//! several `serve` processes; this one only shields a single process from a burst from one
//! client. Keys are opaque strings; memory is bounded by pruning expired entries.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `max` hits per key within `window`.
#[derive(Debug)]
pub struct RateLimiter {
    max: usize,
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// A limiter allowing `max` hits per key per `window`.
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Records a hit for `key` at `now`; false (and nothing recorded) when over the limit.
    pub fn check(&self, key: &str, now: Instant) -> bool {
        let mut hits = match self.hits.lock() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        };
        if hits.len() > 10_000 {
            let window = self.window;
            hits.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let q = hits.entry(key.to_string()).or_default();
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            q.pop_front();
        }
        if q.len() >= self.max {
            return false;
        }
        q.push_back(now);
        true
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn allows_max_hits_per_window_per_key() {
        let l = RateLimiter::new(2, Duration::from_secs(10));
        let t0 = Instant::now();
        assert!(l.check("a", t0));
        assert!(l.check("a", t0));
        assert!(!l.check("a", t0 + Duration::from_secs(1)));
        assert!(l.check("b", t0), "keys are independent");
        assert!(l.check("a", t0 + Duration::from_secs(11)), "window slid");
    }
}
