//! A short-lived cache of anonymous query responses, keyed by the exact request body.
//!
//! Only anonymous queries (never mutations, never a signed-in caller) are cached. A response is
//! fresh for `RESPONSE_CACHE_MS` (1 s by default). After that, the first request is served the
//! old copy and starts a refresh in the background ([`Lookup::Stale`]); every request is served
//! the old copy until the refresh lands, for at most half a lifetime more; past that the entry
//! is gone. So a hot page never makes a client wait on its refresh. Requests that miss at the
//! same moment share one execution (single flight), so an expiry or a flush never sends a
//! stampede to the database.
//!
//! A catalog change made through this replica empties its cache at once, and bumps a
//! generation: a response computed before the change is served to the requests that waited
//! for it but never stored after it. Another replica's copy ages out, so nothing served is
//! more than 1.5 lifetimes old (1.5 s by default, within the 2 s the catalog promises).
//!
//! Bounded by bytes (32 MiB of keys and bodies per replica) and entries (10,000), oldest out
//! first; entries past 1.5 lifetimes leave as new ones arrive, not only when it is full. A
//! request whose client goes away retires its share of a flight, so abandoned keys never pile
//! up; request bodies over 8 KiB are neither cached nor shared.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};

/// At most this many entries…
const MAX_ENTRIES: usize = 10_000;
/// …and this many bytes of keys and bodies, per replica.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Longer request bodies are never cached nor shared.
const MAX_KEY: usize = 8 * 1024;
/// A response larger than this is served but not kept (one page must not evict hundreds).
const MAX_BODY: usize = MAX_BYTES / 64;
/// Background refreshes running at once, per replica. Pages filled together expire together:
/// unbounded, a thousand refreshes started in one instant held a thousand executions' memory
/// while they queued for the pool (peak RSS 96 → 130 MiB under the product-detail load).
/// When all are busy, a stale page is served as it is and the next request tries again.
const REFRESHES: usize = 4;

struct Entry {
    at: Instant,
    body: Bytes,
    refreshing: bool,
    /// Its place in `Store::order`.
    seq: u64,
}

impl Entry {
    fn size(&self, key: &Bytes) -> usize {
        key.len() + self.body.len()
    }
}

/// The entries, their insertion order (oldest first: eviction by age), and their bytes.
#[derive(Default)]
struct Store {
    map: HashMap<Bytes, Entry>,
    order: VecDeque<(u64, Bytes)>,
    bytes: usize,
    next_seq: u64,
}

impl Store {
    fn remove(&mut self, key: &Bytes) {
        if let Some(e) = self.map.remove(key) {
            self.bytes -= e.size(key);
        }
    }

    /// Drops the oldest entry; `false` when there is none.
    fn evict_oldest(&mut self) -> bool {
        while let Some((seq, key)) = self.order.pop_front() {
            if self.map.get(&key).is_some_and(|e| e.seq == seq) {
                self.remove(&key);
                return true;
            }
        }
        false
    }

    /// Drops entries past `max_age` from the old end.
    fn evict_expired(&mut self, max_age: Duration) {
        while let Some((seq, key)) = self.order.front() {
            match self.map.get(key) {
                Some(e) if e.seq == *seq && e.at.elapsed() < max_age => break,
                Some(e) if e.seq == *seq => {
                    let key = key.clone();
                    self.order.pop_front();
                    self.remove(&key);
                }
                // A replaced or removed entry's old place.
                _ => {
                    self.order.pop_front();
                }
            }
        }
        // Keys stored again and again leave old places behind: keep the queue near the map.
        if self.order.len() > 2 * self.map.len() + 64 {
            let map = &self.map;
            self.order
                .retain(|(seq, key)| map.get(key).is_some_and(|e| e.seq == *seq));
        }
    }
}

/// One execution shared by the requests that missed together: the response body, and whether
/// it may be cached (it had no errors).
pub type Shared = Arc<OnceCell<(Bytes, bool)>>;

pub enum Lookup {
    /// Serve this.
    Hit(Bytes),
    /// Serve this old copy, and refresh it (through [`ResponseCache::flight`]) without making
    /// the client wait: this request is the one that found it past its lifetime. The permit
    /// is one of the few refreshes that may run at once; keep it until the refresh ends.
    Stale(Bytes, OwnedSemaphorePermit),
    /// Execute, through [`ResponseCache::flight`].
    Miss,
}

pub struct ResponseCache {
    ttl: Duration,
    store: Mutex<Store>,
    flights: Mutex<HashMap<Bytes, Shared>>,
    /// Bumped by every [`ResponseCache::clear`]: a response computed before a change is never
    /// stored after it.
    generation: AtomicU64,
    refreshes: Arc<Semaphore>,
}

/// A request's part in a shared execution. Dropped without finishing (the client went away),
/// it retires the flight so the map never keeps abandoned keys.
pub struct Flight<'a> {
    cache: &'a ResponseCache,
    key: Bytes,
    shared: Shared,
    generation: u64,
}

impl Flight<'_> {
    /// Runs `execute` unless another request of the flight already is, and shares its answer;
    /// stores it when it may be cached and nothing changed meanwhile.
    pub async fn run<F>(self, execute: F) -> (Bytes, bool)
    where
        F: std::future::Future<Output = (Bytes, bool)>,
    {
        let out = self.shared.get_or_init(|| execute).await.clone();
        if out.1 && self.cache.generation.load(Ordering::SeqCst) == self.generation {
            self.cache.put(self.key.clone(), out.0.clone());
        } else if !out.1 {
            // Not cacheable: let the next request try again.
            self.cache.lock().remove(&self.key);
        }
        out
    }
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        let mut flights = self.cache.flights.lock().unwrap_or_else(|p| p.into_inner());
        if flights
            .get(&self.key)
            .is_some_and(|f| Arc::ptr_eq(f, &self.shared))
            && (self.shared.initialized() || Arc::strong_count(&self.shared) <= 2)
        {
            // Landed, or the last request waiting on it left: the next miss starts afresh.
            flights.remove(&self.key);
        }
    }
}

impl ResponseCache {
    pub fn new(ttl_ms: u64) -> ResponseCache {
        ResponseCache {
            ttl: Duration::from_millis(ttl_ms),
            store: Mutex::new(Store::default()),
            flights: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
            refreshes: Arc::new(Semaphore::new(REFRESHES)),
        }
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    fn max_age(&self) -> Duration {
        self.ttl + self.ttl / 2
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn lookup(&self, key: &Bytes) -> Lookup {
        if !self.enabled() || key.len() > MAX_KEY {
            return Lookup::Miss;
        }
        let mut store = self.lock();
        let Some(e) = store.map.get_mut(key) else {
            return Lookup::Miss;
        };
        let age = e.at.elapsed();
        // Fresh, or being refreshed by another request while still young enough to serve.
        if age < self.ttl || (age < self.max_age() && e.refreshing) {
            Lookup::Hit(e.body.clone())
        } else if age < self.max_age() {
            // This request starts the refresh if one may start now; all are served the old
            // copy meanwhile.
            match self.refreshes.clone().try_acquire_owned() {
                Ok(permit) => {
                    e.refreshing = true;
                    Lookup::Stale(e.body.clone(), permit)
                }
                Err(_) => Lookup::Hit(e.body.clone()),
            }
        } else {
            store.remove(key);
            Lookup::Miss
        }
    }

    /// The execution shared by every request missing on `key` right now; `None` for a key too
    /// long to cache (run it alone).
    pub fn flight(&self, key: &Bytes) -> Option<Flight<'_>> {
        if !self.enabled() || key.len() > MAX_KEY {
            return None;
        }
        let mut flights = self.flights.lock().unwrap_or_else(|p| p.into_inner());
        let shared = flights.entry(key.clone()).or_default().clone();
        Some(Flight {
            cache: self,
            key: key.clone(),
            shared,
            generation: self.generation.load(Ordering::SeqCst),
        })
    }

    pub fn put(&self, key: Bytes, body: Bytes) {
        if !self.enabled() || key.len() > MAX_KEY || body.len() > MAX_BODY {
            return;
        }
        let mut store = self.lock();
        store.remove(&key);
        store.evict_expired(self.max_age());
        let size = key.len() + body.len();
        while store.map.len() >= MAX_ENTRIES || store.bytes + size > MAX_BYTES {
            if !store.evict_oldest() {
                break;
            }
        }
        let seq = store.next_seq;
        store.next_seq += 1;
        store.order.push_back((seq, key.clone()));
        store.bytes += size;
        store.map.insert(
            key,
            Entry {
                at: Instant::now(),
                body,
                refreshing: false,
                seq,
            },
        );
    }

    /// Forgets everything, and everything being computed: what runs now was started before
    /// the change and is served to its own requests only.
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.flights
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        *self.lock() = Store::default();
    }

    /// Entries and bytes held now.
    pub fn size(&self) -> (usize, usize) {
        let store = self.lock();
        (store.map.len(), store.bytes)
    }

    /// Flights in progress.
    pub fn flights_in_progress(&self) -> usize {
        self.flights.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(l: Lookup) -> Option<Bytes> {
        match l {
            Lookup::Hit(b) => Some(b),
            Lookup::Stale(..) | Lookup::Miss => None,
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
        // The first request after expiry gets the old copy and refreshes it; the next ones get
        // the old copy meanwhile, and do not refresh it again.
        let refresh = match c.lookup(&k) {
            Lookup::Stale(b, permit) if b == "x" => permit,
            _ => panic!("the first request after expiry refreshes"),
        };
        assert_eq!(hit(c.lookup(&k)), Some(Bytes::from_static(b"x")));
        assert_eq!(hit(c.lookup(&k)), Some(Bytes::from_static(b"x")));
        drop(refresh);
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

    #[test]
    fn only_a_few_refreshes_run_at_once() {
        // Lookups must land between one lifetime and 1.5: a wide window for a loaded machine.
        let c = ResponseCache::new(400);
        let keys: Vec<Bytes> = (0..REFRESHES + 2)
            .map(|i| Bytes::from(format!("k{i}")))
            .collect();
        for k in &keys {
            c.put(k.clone(), Bytes::from_static(b"x"));
        }
        std::thread::sleep(Duration::from_millis(420));
        let mut running = Vec::new();
        for k in &keys[..REFRESHES] {
            match c.lookup(k) {
                Lookup::Stale(_, permit) => running.push(permit),
                _ => panic!("a refresh may start"),
            }
        }
        // All busy: the next stale page is served as it is, not refreshed…
        let waiting = &keys[REFRESHES];
        assert_eq!(hit(c.lookup(waiting)), Some(Bytes::from_static(b"x")));
        assert_eq!(hit(c.lookup(waiting)), Some(Bytes::from_static(b"x")));
        // …and once one ends, the next request starts its refresh.
        running.pop();
        assert!(matches!(c.lookup(waiting), Lookup::Stale(..)));
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
                let flight = c.flight(&k).expect("a short key");
                let (body, _) = flight
                    .run(async {
                        runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(30)).await;
                        (Bytes::from_static(b"r"), true)
                    })
                    .await;
                body
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), Bytes::from_static(b"r"));
        }
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(matches!(c.lookup(&k), Lookup::Hit(_)));
        assert_eq!(c.flights_in_progress(), 0);
    }

    #[test]
    fn the_cache_is_bounded_by_bytes_and_evicts_the_oldest_first() {
        let c = ResponseCache::new(60_000);
        let body = Bytes::from(vec![b'x'; MAX_BODY]);
        let n = MAX_BYTES / MAX_BODY + 10;
        for i in 0..n {
            c.put(Bytes::from(format!("k{i}")), body.clone());
        }
        let (entries, bytes) = c.size();
        assert!(bytes <= MAX_BYTES, "{bytes} bytes held");
        assert!(entries < n);
        // The oldest went first; the newest is there.
        assert!(hit(c.lookup(&Bytes::from_static(b"k0"))).is_none());
        assert!(hit(c.lookup(&Bytes::from(format!("k{}", n - 1)))).is_some());
        // A body too large to keep is not kept, and evicts nothing.
        c.put(
            Bytes::from_static(b"big"),
            Bytes::from(vec![b'x'; MAX_BODY + 1]),
        );
        assert!(hit(c.lookup(&Bytes::from_static(b"big"))).is_none());
        assert_eq!(c.size().0, entries);
        // Storing one key again and again keeps one entry and a short queue.
        for _ in 0..1000 {
            c.put(Bytes::from_static(b"again"), Bytes::from_static(b"y"));
        }
        let (entries, _) = c.size();
        assert!(c.lock().order.len() <= 2 * entries + 65);
    }

    #[test]
    fn stale_entries_leave_as_new_ones_arrive_not_only_when_full() {
        let c = ResponseCache::new(20);
        for i in 0..100 {
            c.put(Bytes::from(format!("old{i}")), Bytes::from_static(b"x"));
        }
        std::thread::sleep(Duration::from_millis(35));
        c.put(Bytes::from_static(b"new"), Bytes::from_static(b"y"));
        assert_eq!(c.size().0, 1, "entries past 1.5 lifetimes are dropped");
    }

    #[tokio::test]
    async fn an_abandoned_flight_leaves_nothing_behind() {
        let c = Arc::new(ResponseCache::new(1000));
        let k = Bytes::from_static(b"q");
        let flight = c.flight(&k).unwrap();
        let slow = tokio::spawn({
            let c = c.clone();
            let k = k.clone();
            async move {
                let f = c.flight(&k).unwrap();
                f.run(std::future::pending()).await
            }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(c.flights_in_progress(), 1);
        // The client goes away: its request's future is dropped mid-flight.
        slow.abort();
        let _ = slow.await;
        drop(flight);
        assert_eq!(c.flights_in_progress(), 0);
        // A key too long to cache never enters a flight.
        assert!(c.flight(&Bytes::from(vec![b'q'; MAX_KEY + 1])).is_none());
    }

    #[tokio::test]
    async fn nothing_computed_before_a_change_is_stored_after_it() {
        let c = Arc::new(ResponseCache::new(60_000));
        let k = Bytes::from_static(b"q");
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let (finish_tx, finish_rx) = tokio::sync::oneshot::channel::<()>();
        let run = tokio::spawn({
            let (c, k) = (c.clone(), k.clone());
            async move {
                let flight = c.flight(&k).unwrap();
                flight
                    .run(async move {
                        let _ = started_tx.send(());
                        let _ = finish_rx.await;
                        (Bytes::from_static(b"before the change"), true)
                    })
                    .await
            }
        });
        started_rx.await.unwrap();
        // A mutation lands while the query runs.
        c.clear();
        let _ = finish_tx.send(());
        assert_eq!(
            run.await.unwrap().0,
            Bytes::from_static(b"before the change")
        );
        assert!(hit(c.lookup(&k)).is_none(), "the old answer was not stored");
    }
}
