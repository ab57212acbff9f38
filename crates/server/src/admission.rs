//! How many GraphQL queries this replica executes at once.
//!
//! Without a limit every request that misses the response cache starts at once, and each of its
//! statements queues for a pooled connection behind every other request's: a page of six
//! statements queued six times, so under load the pages with the most statements took the
//! longest by far. With a limit, requests past it wait their turn at the door in arrival order
//! (tokio's semaphore is fair), and a request let in finishes with little waiting. It is a
//! per-replica limit on this replica's own work, so replicas need not share it. Mutations do
//! not take turns: one may wait seconds on a payment provider, and a slow provider must not hold
//! back every page. Neither do answers from the response cache. The cache's background refreshes
//! (at most `cache::REFRESHES` at once) do: let past the limit, they competed with clients'
//! queries for connections, and the cached mix's p99 at 100,000 products rose from 57–83 ms to
//! 74–101 (four runs each).

use tokio::sync::{Semaphore, SemaphorePermit};

/// The operations executing now, at most the limit; `None`: no limit.
pub struct Admission(Option<Semaphore>);

impl Admission {
    /// At most `limit` at once; 0 lets every request in.
    pub fn new(limit: usize) -> Self {
        Admission((limit > 0).then(|| Semaphore::new(limit)))
    }

    /// Waits for a turn; the operation executes while the permit lives.
    pub async fn enter(&self) -> Option<SemaphorePermit<'_>> {
        match &self.0 {
            // The semaphore is never closed, so acquiring only fails if it were.
            Some(s) => s.acquire().await.ok(),
            None => None,
        }
    }

    /// How many more operations could start now (the limit when idle); `None`: no limit.
    pub fn free(&self) -> Option<usize> {
        self.0.as_ref().map(Semaphore::available_permits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn past_the_limit_a_request_waits_until_one_finishes() {
        let admission = Admission::new(2);
        let a = admission.enter().await;
        let _b = admission.enter().await;
        assert_eq!(admission.free(), Some(0));
        let third = tokio::time::timeout(Duration::from_millis(50), admission.enter()).await;
        assert!(third.is_err(), "a third request started past a limit of 2");
        drop(a);
        let third = tokio::time::timeout(Duration::from_millis(50), admission.enter()).await;
        assert!(
            third.is_ok(),
            "the third request still waited after one finished"
        );
    }

    #[tokio::test]
    async fn waiting_requests_start_in_arrival_order() {
        let admission = std::sync::Arc::new(Admission::new(1));
        let held = admission.enter().await;
        let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..5 {
            let (admission, order) = (admission.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let _turn = admission.enter().await;
                order.lock().unwrap().push(i);
            }));
            // Let each task reach the queue before the next arrives.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        drop(held);
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn zero_means_no_limit() {
        let admission = Admission::new(0);
        let _a = admission.enter().await;
        let _b = admission.enter().await;
        assert_eq!(admission.free(), None);
    }
}
