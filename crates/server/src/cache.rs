//! A short-lived cache of anonymous query responses, keyed by the exact request body.
//!
//! Only anonymous queries (never mutations, never a signed-in caller) are cached. A response is
//! fresh for `RESPONSE_CACHE_MS` (1 s by default). After that, the first request refreshes it
//! while the others are still served the old copy, for at most half a lifetime more; past that
//! the entry is gone. Requests that miss at the same moment share one execution (single
//! flight), so an expiry or a flush never sends a stampede to the database.
//!
//! A catalog change made through this replica empties its cache at once; another replica's
//! copy ages out, so nothing served is more than 1.5 lifetimes old (1.5 s by default, within
//! the 2 s the catalog promises).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::OnceCell;

const MAX_ENTRIES: usize = 10_000;
const MAX_KEY: usize = 8 * 1024;

struct Entry {
    at: Instant,
    body: Bytes,
    refreshing: bool,
}

/// One execution shared by the requests that missed together: the response body, and whether
/// it may be cached (it had no errors).
pub type Flight = Arc<OnceCell<(Bytes, bool)>>;

pub enum Lookup {
    /// Serve this.
    Hit(Bytes),
    /// Execute, through [`ResponseCache::flight`].
    Miss,
}

pub struct ResponseCache {
    ttl: Duration,
    entries: Mutex<HashMap<Bytes, Entry>>,
    flights: Mutex<HashMap<Bytes, Flight>>,
}

impl ResponseCache {
    pub fn new(ttl_ms: u64) -> ResponseCache {
        ResponseCache {
            ttl: Duration::from_millis(ttl_ms),
            entries: Mutex::new(HashMap::new()),
            flights: Mutex::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    fn max_age(&self) -> Duration {
        self.ttl + self.ttl / 2
    }

    pub fn lookup(&self, key: &Bytes) -> Lookup {
        if !self.enabled() || key.len() > MAX_KEY {
            return Lookup::Miss;
        }
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let Some(e) = map.get_mut(key) else {
            return Lookup::Miss;
        };
        let age = e.at.elapsed();
        // Fresh, or being refreshed by another request while still young enough to serve.
        if age < self.ttl || (age < self.max_age() && e.refreshing) {
            Lookup::Hit(e.body.clone())
        } else if age < self.max_age() {
            // This request refreshes; the others keep the old copy meanwhile.
            e.refreshing = true;
            Lookup::Miss
        } else {
            map.remove(key);
            Lookup::Miss
        }
    }

    /// The execution shared by every request missing on `key` right now.
    pub fn flight(&self, key: &Bytes) -> Flight {
        let mut flights = self.flights.lock().unwrap_or_else(|p| p.into_inner());
        flights.entry(key.clone()).or_default().clone()
    }

    /// Stores the outcome of a flight and retires it.
    pub fn land(&self, key: Bytes, flight: &Flight) {
        {
            let mut flights = self.flights.lock().unwrap_or_else(|p| p.into_inner());
            if flights.get(&key).is_some_and(|f| Arc::ptr_eq(f, flight)) {
                flights.remove(&key);
            }
        }
        match flight.get() {
            Some((body, true)) => self.put(key, body.clone()),
            _ => {
                // Not cacheable: let the next request try again.
                let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
                map.remove(&key);
            }
        }
    }

    pub fn put(&self, key: Bytes, body: Bytes) {
        if !self.enabled() || key.len() > MAX_KEY {
            return;
        }
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_ENTRIES {
            let max_age = self.max_age();
            map.retain(|_, e| e.at.elapsed() < max_age);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(
            key,
            Entry {
                at: Instant::now(),
                body,
                refreshing: false,
            },
        );
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(l: Lookup) -> Option<Bytes> {
        match l {
            Lookup::Hit(b) => Some(b),
            Lookup::Miss => None,
        }
    }

    #[test]
    fn fresh_then_one_refresher_then_gone() {
        let c = ResponseCache::new(100);
        let k = Bytes::from_static(b"{\"query\":\"{a}\"}");
        assert!(hit(c.lookup(&k)).is_none());
        c.put(k.clone(), Bytes::from_static(b"x"));
        assert_eq!(hit(c.lookup(&k)), Some(Bytes::from_static(b"x")));
        std::thread::sleep(Duration::from_millis(110));
        // The first request after expiry refreshes; the next ones get the old copy meanwhile.
        assert!(hit(c.lookup(&k)).is_none());
        assert_eq!(hit(c.lookup(&k)), Some(Bytes::from_static(b"x")));
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            hit(c.lookup(&k)).is_none(),
            "past 1.5 lifetimes nothing is served"
        );
        c.put(k.clone(), Bytes::from_static(b"y"));
        c.clear();
        assert!(hit(c.lookup(&k)).is_none());
        assert!(!ResponseCache::new(0).enabled());
    }

    #[tokio::test]
    async fn concurrent_misses_share_one_execution() {
        let c = Arc::new(ResponseCache::new(1000));
        let k = Bytes::from_static(b"q");
        let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (c, k, runs) = (c.clone(), k.clone(), runs.clone());
            tasks.push(tokio::spawn(async move {
                let flight = c.flight(&k);
                let (body, _) = flight
                    .get_or_init(|| async {
                        runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(30)).await;
                        (Bytes::from_static(b"r"), true)
                    })
                    .await
                    .clone();
                c.land(k, &flight);
                body
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), Bytes::from_static(b"r"));
        }
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(matches!(c.lookup(&k), Lookup::Hit(_)));
    }
}
