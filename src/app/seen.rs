//! A bounded set of recently seen keys (event and interaction ids): the per-process
//! de-duplication behind [`super::AppState::claim`] when the store cannot answer.

use std::collections::{HashSet, VecDeque};

/// Keys remembered; the oldest are forgotten first.
pub const SEEN_KEYS: usize = 10_000;

/// The last [`SEEN_KEYS`] keys seen.
#[derive(Debug, Default)]
pub struct Seen {
    ids: HashSet<String>,
    order: VecDeque<String>,
}

impl Seen {
    /// True the first time `id` is seen.
    pub fn first(&mut self, id: &str) -> bool {
        if self.ids.contains(id) {
            return false;
        }
        if self.order.len() >= SEEN_KEYS
            && let Some(old) = self.order.pop_front()
        {
            self.ids.remove(&old);
        }
        self.ids.insert(id.to_owned());
        self.order.push_back(id.to_owned());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_keys_are_bounded_and_deduplicated() {
        let mut seen = Seen::default();
        assert!(seen.first("Ev1"));
        assert!(!seen.first("Ev1"));
        for i in 0..SEEN_KEYS + 10 {
            seen.first(&format!("x{i}"));
        }
        assert!(seen.ids.len() <= SEEN_KEYS);
        assert!(seen.first("Ev1"), "the oldest ids are forgotten");
    }
}
