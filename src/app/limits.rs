//! Rate limits shared by every platform: a per-user quota (keyed by `platform:user`) and a
//! global cap, both with `governor`.
//!
//! Order matters (issue 8): the global cap is checked first, so a refusal by
//! it never spends the user's own quota. A user already over quota is refused from a small
//! "penalty box" (the instant their quota allows again) without touching the global cap, so one
//! user flooding cannot drain everyone's capacity. Refusals are logged at most once per key per
//! minute, naming the key.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::Clock;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::settings::Limits;

/// How often one key's refusals are logged at most.
const LOG_EVERY: Duration = Duration::from_secs(60);

/// Why a question was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// This user asked too often.
    User,
    /// The process is at its global cap.
    Global,
    /// Every answering thread is busy and the queue is full, or the question ran past its
    /// deadline.
    Busy,
}

impl Limited {
    /// The friendly reply for the user.
    pub fn message(self) -> &'static str {
        match self {
            Limited::User => {
                "You're asking faster than I can keep up with. Please wait a minute and try again."
            }
            Limited::Global => {
                "I'm answering a lot of questions right now. Please try again in a moment."
            }
            Limited::Busy => "I'm busy right now. Please try again in a few seconds.",
        }
    }

    /// Label for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Limited::User => "user",
            Limited::Global => "global",
            Limited::Busy => "busy",
        }
    }
}

/// A refused question: why, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// Why.
    pub reason: Limited,
    /// How long until a retry can succeed (whole seconds, at least one, for `Retry-After`).
    pub retry_after_secs: u64,
}

impl Refused {
    /// A refusal for `reason`, retry after `wait` (rounded up to whole seconds, at least 1).
    pub fn new(reason: Limited, wait: Duration) -> Refused {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Refused {
            reason,
            retry_after_secs: secs.max(1),
        }
    }

    /// The friendly reply for the user.
    pub fn message(&self) -> &'static str {
        self.reason.message()
    }
}

/// The limiters.
#[derive(Debug)]
pub struct RateLimits {
    per_user: DefaultKeyedRateLimiter<String>,
    global: DefaultDirectRateLimiter,
    /// Users over quota, and when their quota allows again.
    refused_until: Mutex<HashMap<String, Instant>>,
    /// When each key's refusal was last logged.
    logged: Mutex<HashMap<String, Instant>>,
}

impl RateLimits {
    /// Limits from settings (a zero is treated as one).
    pub fn new(limits: &Limits) -> RateLimits {
        let nz = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        RateLimits {
            per_user: RateLimiter::keyed(Quota::per_minute(nz(limits.per_user_per_minute))),
            global: RateLimiter::direct(Quota::per_second(nz(limits.global_per_second))),
            refused_until: Mutex::new(HashMap::new()),
            logged: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one question from the global cap, then from `user`'s quota. A global refusal
    /// leaves the user's quota alone; a user still over quota does not touch the global cap.
    pub fn check(&self, user: &str) -> Result<(), Refused> {
        let now = Instant::now();
        {
            let boxed = lock(&self.refused_until);
            if let Some(until) = boxed.get(user)
                && *until > now
            {
                return Err(Refused::new(Limited::User, *until - now));
            }
        }
        if let Err(not_until) = self.global.check() {
            let wait = not_until.wait_time_from(self.global.clock().now());
            return Err(Refused::new(Limited::Global, wait));
        }
        if let Err(not_until) = self.per_user.check_key(&user.to_owned()) {
            let wait = not_until.wait_time_from(self.per_user.clock().now());
            lock(&self.refused_until).insert(user.to_owned(), now + wait);
            return Err(Refused::new(Limited::User, wait));
        }
        Ok(())
    }

    /// True when a refusal for `key` should be logged now (at most once per key per minute).
    pub fn should_log(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut logged = lock(&self.logged);
        match logged.get(key) {
            Some(last) if now.duration_since(*last) < LOG_EVERY => false,
            _ => {
                logged.insert(key.to_owned(), now);
                true
            }
        }
    }

    /// Forgets users whose quota is full again and old log marks (bounds memory; call
    /// periodically).
    pub fn shrink(&self) {
        self.per_user.retain_recent();
        self.per_user.shrink_to_fit();
        let now = Instant::now();
        lock(&self.refused_until).retain(|_, until| *until > now);
        lock(&self.logged).retain(|_, last| now.duration_since(*last) < LOG_EVERY);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_user_per_minute: u32, global_per_second: u32) -> RateLimits {
        RateLimits::new(&Limits {
            per_user_per_minute,
            global_per_second,
            ..Limits::default()
        })
    }

    fn reason(r: Result<(), Refused>) -> Result<(), Limited> {
        r.map_err(|r| r.reason)
    }

    #[test]
    fn per_user_quota_is_shared_across_platform_calls_but_not_users() {
        let limits = limits(2, 100);
        assert_eq!(reason(limits.check("slack:U1")), Ok(()));
        assert_eq!(reason(limits.check("slack:U1")), Ok(()));
        let refused = limits.check("slack:U1").unwrap_err();
        assert_eq!(refused.reason, Limited::User);
        assert!((1..=60).contains(&refused.retry_after_secs), "{refused:?}");
        assert_eq!(reason(limits.check("discord:42")), Ok(()));
    }

    #[test]
    fn global_cap_applies_to_everyone() {
        let limits = limits(100, 1);
        assert_eq!(reason(limits.check("a")), Ok(()));
        let refused = limits.check("b").unwrap_err();
        assert_eq!(refused.reason, Limited::Global);
        assert_eq!(refused.retry_after_secs, 1);
    }

    #[test]
    fn a_global_refusal_does_not_spend_the_users_quota() {
        // Issue 8: refused by the global cap, the user keeps their own quota.
        let limits = limits(1, 1);
        assert_eq!(reason(limits.check("other")), Ok(()));
        for _ in 0..5 {
            assert_eq!(reason(limits.check("u")), Err(Limited::Global));
        }
        assert_eq!(
            limits.per_user.len(),
            1,
            "only `other` has spent quota, not `u`"
        );
    }

    #[test]
    fn a_user_over_quota_does_not_drain_the_global_cap() {
        let limits = limits(1, 3);
        assert_eq!(reason(limits.check("flood")), Ok(()));
        assert_eq!(reason(limits.check("flood")), Err(Limited::User));
        for _ in 0..50 {
            assert_eq!(reason(limits.check("flood")), Err(Limited::User));
        }
        assert_eq!(reason(limits.check("someone else")), Ok(()));
    }

    #[test]
    fn refusals_are_logged_once_per_key_per_minute() {
        let limits = limits(1, 1);
        assert!(limits.should_log("http:1.2.3.4"));
        assert!(!limits.should_log("http:1.2.3.4"));
        assert!(limits.should_log("http:5.6.7.8"));
    }
}
