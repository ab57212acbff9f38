//! A short-lived cache of anonymous query responses, keyed by the exact request body.
//!
//! Only anonymous queries (never mutations, never a signed-in caller) that succeeded are
//! cached, for `RESPONSE_CACHE_MS` (1 s by default). A catalog change made through this replica
//! empties it at once; another replica's copy ages out within the lifetime, so a response is
//! never more than that lifetime (plus the request's own duration) stale: at most 2 seconds
//! with the default.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;

const MAX_ENTRIES: usize = 10_000;
const MAX_KEY: usize = 8 * 1024;

pub struct ResponseCache {
    ttl: Duration,
    entries: Mutex<HashMap<Bytes, (Instant, Bytes)>>,
}

impl ResponseCache {
    pub fn new(ttl_ms: u64) -> ResponseCache {
        ResponseCache {
            ttl: Duration::from_millis(ttl_ms),
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    pub fn get(&self, key: &Bytes) -> Option<Bytes> {
        if !self.enabled() || key.len() > MAX_KEY {
            return None;
        }
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(key) {
            Some((at, body)) if at.elapsed() < self.ttl => Some(body.clone()),
            _ => None,
        }
    }

    pub fn put(&self, key: Bytes, body: Bytes) {
        if !self.enabled() || key.len() > MAX_KEY {
            return;
        }
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            map.retain(|_, (at, _)| at.elapsed() < ttl);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(key, (Instant::now(), body));
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

impl catalog::PublicCatalogChanged for ResponseCache {
    fn changed(&self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_and_clears() {
        let c = ResponseCache::new(50);
        let k = Bytes::from_static(b"{\"query\":\"{a}\"}");
        c.put(k.clone(), Bytes::from_static(b"x"));
        assert_eq!(c.get(&k), Some(Bytes::from_static(b"x")));
        c.clear();
        assert_eq!(c.get(&k), None);
        c.put(k.clone(), Bytes::from_static(b"x"));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(c.get(&k), None);
        assert!(!ResponseCache::new(0).enabled());
    }
}
