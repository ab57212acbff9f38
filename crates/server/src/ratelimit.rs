//! Fixed-window rate limits. With Redis they are shared by every replica (`INCR` + `EXPIRE` on
//! one key per window); without it each process counts for itself.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use api::LoginThrottle;
use redis::aio::ConnectionManager;

pub enum Backend {
    Memory(Mutex<HashMap<String, (u64, u32)>>),
    Redis {
        conn: ConnectionManager,
        prefix: String,
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
            backend: Backend::Redis { conn, prefix },
        }
    }

    /// Counts one hit on `key` in the current window of `window_secs`; `true` while the count
    /// is at most `limit`. A limit of 0 means no limit. If Redis fails, the request is let
    /// through (and the failure logged): an outage of the limiter must not take the API down.
    pub async fn hit(&self, key: &str, limit: u32, window_secs: u64) -> bool {
        if limit == 0 {
            return true;
        }
        let window = now_secs() / window_secs;
        match &self.backend {
            Backend::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
                if map.len() > 100_000 {
                    map.retain(|_, (w, _)| *w == window);
                }
                let entry = map.entry(key.to_owned()).or_insert((window, 0));
                if entry.0 != window {
                    *entry = (window, 0);
                }
                entry.1 += 1;
                entry.1 <= limit
            }
            Backend::Redis { conn, prefix } => {
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
                        tracing::warn!(error = %e, "rate limiter: redis unavailable, allowing");
                        true
                    }
                }
            }
        }
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
        let email = email.to_owned();
        let ip = client_ip.to_owned();
        Box::pin(async move {
            let by_email = self
                .limiter
                .hit(&format!("login:email:{email}"), self.per_email, 900)
                .await;
            let by_ip = self
                .limiter
                .hit(&format!("login:ip:{ip}"), self.per_ip, 900)
                .await;
            by_email && by_ip
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
