//! Per-conversation context for `POST /v1/ask`: the engine is pure and takes the conversation so
//! far as an argument ([`crate::engine::Context`]); this small in-memory cache keeps it between
//! requests that name the same `conversation` ID.
//!
//! Bounded twice: an entry unused for [`TTL`] is forgotten, and past [`MAX_ENTRIES`] the least
//! recently used one is. Keys are scoped by the caller (platform and peer), so one client cannot
//! continue another's conversation by guessing its ID. The chat adapters get a persistent store
//! elsewhere; this one is lost on restart, by design.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::engine::Context;

/// How long an unused conversation is kept.
pub const TTL: Duration = Duration::from_secs(30 * 60);
/// Most conversations kept at once.
pub const MAX_ENTRIES: usize = 10_000;
/// Longest conversation ID accepted, in bytes.
pub const MAX_ID_BYTES: usize = 128;

#[derive(Debug)]
struct Entry {
    context: Context,
    used: Instant,
}

/// The conversations of the HTTP API, behind one lock (held only to copy a small context).
#[derive(Debug)]
pub struct Conversations {
    entries: Mutex<HashMap<String, Entry>>,
    ttl: Duration,
    max: usize,
}

impl Default for Conversations {
    fn default() -> Conversations {
        Conversations::new(TTL, MAX_ENTRIES)
    }
}

impl Conversations {
    /// A cache forgetting entries unused for `ttl`, keeping at most `max`.
    pub fn new(ttl: Duration, max: usize) -> Conversations {
        Conversations {
            entries: Mutex::new(HashMap::new()),
            ttl,
            max: max.max(1),
        }
    }

    /// The context of conversation `key` (empty when unknown or expired).
    pub fn get(&self, key: &str) -> Context {
        self.get_at(key, Instant::now())
    }

    /// Stores the context of conversation `key`.
    pub fn put(&self, key: &str, context: Context) {
        self.put_at(key, context, Instant::now());
    }

    /// [`Conversations::get`] at a given time (for tests).
    pub fn get_at(&self, key: &str, now: Instant) -> Context {
        let entries = match self.entries.lock() {
            Ok(entries) => entries,
            Err(poisoned) => poisoned.into_inner(),
        };
        entries
            .get(key)
            .filter(|e| now.saturating_duration_since(e.used) < self.ttl)
            .map(|e| e.context.clone())
            .unwrap_or_default()
    }

    /// [`Conversations::put`] at a given time (for tests).
    pub fn put_at(&self, key: &str, context: Context, now: Instant) {
        let mut entries = match self.entries.lock() {
            Ok(entries) => entries,
            Err(poisoned) => poisoned.into_inner(),
        };
        if !entries.contains_key(key) && entries.len() >= self.max {
            let ttl = self.ttl;
            entries.retain(|_, e| now.saturating_duration_since(e.used) < ttl);
            if entries.len() >= self.max
                && let Some(oldest) = entries
                    .iter()
                    .min_by_key(|(_, e)| e.used)
                    .map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(key.to_owned(), Entry { context, used: now });
    }

    /// Conversations held now (expired ones included until they are swept).
    pub fn len(&self) -> usize {
        match self.entries.lock() {
            Ok(entries) => entries.len(),
            Err(poisoned) => poisoned.into_inner().len(),
        }
    }

    /// Whether no conversation is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Turn;

    fn context(q: &str) -> Context {
        let mut c = Context::default();
        c.push(Turn {
            question: q.to_owned(),
            ..Turn::default()
        });
        c
    }

    #[test]
    fn forgets_a_conversation_after_its_ttl() {
        let cache = Conversations::new(Duration::from_secs(60), 10);
        let t0 = Instant::now();
        cache.put_at("a", context("q"), t0);
        assert_eq!(
            cache.get_at("a", t0 + Duration::from_secs(59)),
            context("q")
        );
        assert_eq!(
            cache.get_at("a", t0 + Duration::from_secs(61)),
            Context::default()
        );
    }

    #[test]
    fn keeps_at_most_max_entries_dropping_the_least_recently_used() {
        let cache = Conversations::new(Duration::from_secs(600), 2);
        let t0 = Instant::now();
        cache.put_at("a", context("1"), t0);
        cache.put_at("b", context("2"), t0 + Duration::from_secs(1));
        cache.put_at("c", context("3"), t0 + Duration::from_secs(2));
        assert_eq!(cache.len(), 2);
        assert_eq!(
            cache.get_at("a", t0 + Duration::from_secs(3)),
            Context::default()
        );
        assert_eq!(cache.get_at("c", t0 + Duration::from_secs(3)), context("3"));
    }
}
