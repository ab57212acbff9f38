//! What a replica remembers for a few minutes about how to read a page: answers that only pick
//! the way a page is read (both ways read the same products), so forgetting one, or another
//! replica not knowing it, costs a look and never a wrong page.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Past this many answers remembered, a memory starts over.
const ENTRIES: usize = 4_096;

/// Answers keyed by `K`, each trusted for `ttl` after it was remembered.
pub(super) struct Memo<K, V> {
    ttl: Duration,
    answers: Mutex<HashMap<K, (V, Instant)>>,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    pub(super) fn new(ttl: Duration) -> Self {
        Memo {
            ttl,
            answers: Mutex::default(),
        }
    }

    /// The answer remembered for `key` within the memory's lifetime.
    pub(super) fn recall(&self, key: &K) -> Option<V> {
        let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers
            .get(key)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(v, _)| v.clone())
    }

    pub(super) fn remember(&self, key: K, value: V) {
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        if answers.len() >= ENTRIES {
            answers.clear();
        }
        answers.insert(key, (value, Instant::now()));
    }

    /// Remembers `value` for `key` unless an answer is remembered within the lifetime, in one
    /// step: true for the one caller that did. Work whose answer is the key's (computing a row)
    /// is then done once per replica, not by every request that arrives while it runs.
    pub(super) fn claim(&self, key: K, value: V) -> bool {
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        if answers
            .get(&key)
            .is_some_and(|(_, at)| at.elapsed() < self.ttl)
        {
            return false;
        }
        if answers.len() >= ENTRIES {
            answers.clear();
        }
        answers.insert(key, (value, Instant::now()));
        true
    }

    /// Forgets `key` (the claimed work failed: the next caller tries again).
    pub(super) fn forget(&self, key: &K) {
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers.remove(key);
    }
}

impl<K: Eq + Hash + Clone> Memo<K, ()> {
    /// Does `work` for `key` unless this replica did it within the memory's lifetime or is
    /// doing it now: the key is claimed first, so callers meanwhile go on without it. A failure
    /// gives the claim back (the next caller tries again) and is logged as `what`.
    pub(super) async fn once(
        &self,
        key: K,
        what: &str,
        work: impl Future<Output = kernel::Result<()>>,
    ) {
        if self.claim(key.clone(), ())
            && let Err(e) = work.await
        {
            self.forget(&key);
            tracing::warn!(error = %e, "{what} not computed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_claimed_once_until_forgotten_or_past_its_lifetime() {
        let memo: Memo<&str, ()> = Memo::new(Duration::from_secs(60));
        assert!(memo.claim("ruou", ()));
        assert!(!memo.claim("ruou", ()));
        assert!(memo.claim("can", ()));
        memo.forget(&"ruou");
        assert!(memo.claim("ruou", ()));
        let brief: Memo<&str, ()> = Memo::new(Duration::ZERO);
        assert!(brief.claim("ruou", ()));
        assert!(brief.claim("ruou", ()));
    }
}
