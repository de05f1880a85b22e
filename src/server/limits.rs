//! Rate limits shared by every platform: a per-user quota (keyed by `platform:user`) and a
//! global cap, both with `governor`.

use std::num::NonZeroU32;

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::settings::Limits;

/// Why a question was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// This user asked too often.
    User,
    /// The process is at its global cap.
    Global,
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
        }
    }
}

/// The limiters.
#[derive(Debug)]
pub struct RateLimits {
    per_user: DefaultKeyedRateLimiter<String>,
    global: DefaultDirectRateLimiter,
}

impl RateLimits {
    /// Limits from settings (a zero is treated as one).
    pub fn new(limits: &Limits) -> RateLimits {
        let nz = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        RateLimits {
            per_user: RateLimiter::keyed(Quota::per_minute(nz(limits.per_user_per_minute))),
            global: RateLimiter::direct(Quota::per_second(nz(limits.global_per_second))),
        }
    }

    /// Takes one question from `user`'s quota and the global one.
    pub fn check(&self, user: &str) -> Result<(), Limited> {
        self.per_user
            .check_key(&user.to_owned())
            .map_err(|_| Limited::User)?;
        self.global.check().map_err(|_| Limited::Global)
    }

    /// Forgets users whose quota is full again (bounds memory; call periodically).
    pub fn shrink(&self) {
        self.per_user.retain_recent();
        self.per_user.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_user_quota_is_shared_across_platform_calls_but_not_users() {
        let limits = RateLimits::new(&Limits {
            per_user_per_minute: 2,
            global_per_second: 100,
        });
        assert_eq!(limits.check("slack:U1"), Ok(()));
        assert_eq!(limits.check("slack:U1"), Ok(()));
        assert_eq!(limits.check("slack:U1"), Err(Limited::User));
        assert_eq!(limits.check("discord:42"), Ok(()));
    }

    #[test]
    fn global_cap_applies_to_everyone() {
        let limits = RateLimits::new(&Limits {
            per_user_per_minute: 100,
            global_per_second: 1,
        });
        assert_eq!(limits.check("a"), Ok(()));
        assert_eq!(limits.check("b"), Err(Limited::Global));
    }
}
