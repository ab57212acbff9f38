//! Fixed-window rate limits. With Redis they are shared by every replica (`INCR` + `EXPIRE` on
//! one key per window); without it each process counts for itself.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use api::LoginThrottle;
use redis::aio::ConnectionManager;

/// Counters in this process: key → (the second its window ends, hits so far).
type Counters = Mutex<HashMap<String, (u64, u32)>>;

pub enum Backend {
    Memory(Counters),
    Redis {
        conn: ConnectionManager,
        prefix: String,
        /// Used while Redis cannot be reached, so an outage never lets everything through.
        fallback: Counters,
    },
}

pub struct Limiter {
    backend: Backend,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Limiter {
    pub fn memory() -> Limiter {
        Limiter {
            backend: Backend::Memory(Mutex::new(HashMap::new())),
        }
    }

    pub fn redis(conn: ConnectionManager, prefix: String) -> Limiter {
        Limiter {
            backend: Backend::Redis {
                conn,
                prefix,
                fallback: Mutex::new(HashMap::new()),
            },
        }
    }

    /// Counts one hit on `key` in the current window of `window_secs`; `true` while the count
    /// is at most `limit`. A limit of 0 means no limit. If Redis fails, this process counts by
    /// itself until it is back (and the failure is logged): an outage neither takes the API
    /// down nor lets everything through.
    pub async fn hit(&self, key: &str, limit: u32, window_secs: u64) -> bool {
        if limit == 0 {
            return true;
        }
        let now = now_secs();
        let window = now / window_secs;
        match &self.backend {
            Backend::Memory(map) => count_here(map, key, limit, window_secs, now),
            Backend::Redis {
                conn,
                prefix,
                fallback,
            } => {
                let mut conn = conn.clone();
                let rkey = format!("{prefix}rl:{key}:{window}");
                let result: redis::RedisResult<(u32,)> = redis::pipe()
                    .atomic()
                    .incr(&rkey, 1)
                    .expire(&rkey, window_secs as i64 + 1)
                    .ignore()
                    .query_async(&mut conn)
                    .await;
                match result {
                    Ok((n,)) => n <= limit,
                    Err(e) => {
                        tracing::warn!(error = %e, "rate limiter: redis unavailable, counting here");
                        count_here(fallback, key, limit, window_secs, now)
                    }
                }
            }
        }
    }
}

/// Counts in this process. Each counter remembers when its own window ends, so clearing out
/// (past 100,000 counters) drops only finished windows, whatever their length: a login
/// lockout of 15 minutes is never reset by a flood of one-minute request counters.
fn count_here(map: &Counters, key: &str, limit: u32, window_secs: u64, now: u64) -> bool {
    let ends = (now / window_secs + 1) * window_secs;
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    if map.len() > 100_000 {
        map.retain(|_, (until, _)| *until > now);
    }
    let entry = map.entry(key.to_owned()).or_insert((ends, 0));
    if entry.0 <= now {
        *entry = (ends, 0);
    }
    entry.1 += 1;
    entry.1 <= limit
}

/// A bounded, non-identifying counter key for an e-mail address: parsed first (anything
/// that is not an address shares one counter), then hashed.
fn email_key(email: &str) -> String {
    use sha2::{Digest, Sha256};
    match kernel::domain::Email::parse(email) {
        Ok(e) => {
            let digest = Sha256::digest(e.as_str().as_bytes());
            digest[..12].iter().map(|b| format!("{b:02x}")).collect()
        }
        Err(_) => "not-an-address".to_owned(),
    }
}

/// Login attempts: per e-mail and per client address, over 15 minutes.
pub struct LoginLimits {
    pub limiter: std::sync::Arc<Limiter>,
    pub per_email: u32,
    pub per_ip: u32,
    /// Accounts registered per client address per hour.
    pub registrations_per_ip: u32,
}

impl LoginThrottle for LoginLimits {
    fn allow(
        &self,
        email: &str,
        client_ip: &str,
    ) -> Pin<Box<dyn Future<Output = bool> + Send + '_>> {
        let email = email_key(email);
        let ip = client_ip.to_owned();
        Box::pin(async move {
            // The address first: one that is already refused does not spend the e-mail's
            // budget, so an attacker cannot lock a victim out from a blocked address.
            self.limiter
                .hit(&format!("login:ip:{ip}"), self.per_ip, 900)
                .await
                && self
                    .limiter
                    .hit(&format!("login:email:{email}"), self.per_email, 900)
                    .await
        })
    }

    fn allow_register(&self, client_ip: &str) -> Pin<Box<dyn Future<Output = bool> + Send + '_>> {
        let key = format!("register:ip:{client_ip}");
        Box::pin(async move {
            self.limiter
                .hit(&key, self.registrations_per_ip, 3600)
                .await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn clearing_out_never_resets_a_live_counter_of_another_window() {
        let l = Limiter::memory();
        assert!(l.hit("login:victim", 1, 900).await);
        assert!(!l.hit("login:victim", 1, 900).await);
        // A flood of one-minute counters pushes the map past its clean-up size.
        for i in 0..100_010 {
            l.hit(&format!("req:{i}"), 600, 60).await;
        }
        assert!(
            !l.hit("login:victim", 1, 900).await,
            "the 15-minute lockout survived the clean-up"
        );
    }

    #[test]
    fn email_keys_are_bounded_and_hide_the_address() {
        assert_eq!(email_key("An@Example.vn"), email_key("an@example.vn"));
        assert_eq!(email_key("An@Example.vn").len(), 24);
        assert!(!email_key("an@example.vn").contains("example"));
        assert_eq!(email_key(&"x".repeat(900_000)), "not-an-address");
    }

    #[tokio::test]
    async fn memory_limiter_counts_per_key() {
        let l = Limiter::memory();
        for _ in 0..3 {
            assert!(l.hit("a", 3, 60).await);
        }
        assert!(!l.hit("a", 3, 60).await);
        assert!(l.hit("b", 3, 60).await);
        assert!(l.hit("c", 0, 60).await);
    }
}
