//! Live events for viewers (`liveSessionEvents`): PINNED, UNPINNED, STOCK, PRICE, ENDED.
//!
//! A change is announced as a small [`Signal`] (session, kind, offer, instant) — to this
//! replica's [`LiveHub`] at once and, through Redis, to every other replica's. Each hub reads
//! the session and offer once per signal and hands the same [`LiveEvent`] to all of its
//! viewers, so a thousand viewers cost one read, not a thousand. The hub is a bounded
//! broadcast channel: a viewer too slow to keep up skips ahead to the newest events instead
//! of growing memory.
//!
//! STOCK is not sent per sale: checkout and cancellation stamp the offer's `stock_changed_at`;
//! once a second the server's job ([`StockWatch`]) sends the remaining cap of the offers that
//! moved — at most one STOCK per offer per second, across replicas when Redis gates it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use kernel::Result;
use kernel::sql::Sql;
use sea_orm::ConnectionTrait;
use tokio::sync::broadcast;

use crate::entity::{live_offer, live_session};

kernel::stored_enum! {
    pub enum LiveEventKind {
        Pinned = "PINNED",
        Unpinned = "UNPINNED",
        Stock = "STOCK",
        Price = "PRICE",
        Ended = "ENDED",
    }
}

/// What travels between replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signal {
    pub session_id: i64,
    pub kind: LiveEventKind,
    pub offer_id: Option<i64>,
    /// When it happened, in unix milliseconds.
    pub at_ms: i64,
}

impl Signal {
    pub fn now(session_id: i64, kind: LiveEventKind, offer_id: Option<i64>) -> Signal {
        Signal {
            session_id,
            kind,
            offer_id,
            at_ms: Utc::now().timestamp_millis(),
        }
    }

    /// `session:KIND:offer:at` (offer empty when none).
    pub fn encode(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            self.session_id,
            self.kind.as_str(),
            self.offer_id.map(|o| o.to_string()).unwrap_or_default(),
            self.at_ms
        )
    }

    pub fn decode(s: &str) -> Option<Signal> {
        let mut it = s.split(':');
        let session_id = it.next()?.parse().ok()?;
        let kind = LiveEventKind::parse(it.next()?)?;
        let offer_id = match it.next()? {
            "" => None,
            o => Some(o.parse().ok()?),
        };
        let at_ms = it.next()?.parse().ok()?;
        it.next().is_none().then_some(Signal {
            session_id,
            kind,
            offer_id,
            at_ms,
        })
    }
}

/// What viewers receive: the signal with the session and offer as they are now.
#[derive(Clone, Debug)]
pub struct LiveEvent {
    pub kind: LiveEventKind,
    pub session: live_session::Model,
    pub offer: Option<live_offer::Model>,
    pub at: DateTime<Utc>,
}

/// This replica's viewers.
pub struct LiveHub {
    tx: broadcast::Sender<Arc<LiveEvent>>,
}

impl LiveHub {
    /// `capacity`: how many events a viewer may fall behind before it skips ahead.
    pub fn new(capacity: usize) -> LiveHub {
        LiveHub {
            tx: broadcast::channel(capacity.max(1)).0,
        }
    }

    /// Reads the signal's session and offer once and hands the event to every viewer here.
    pub async fn deliver(&self, db: &impl ConnectionTrait, s: Signal) -> Result<()> {
        if self.tx.receiver_count() == 0 {
            return Ok(());
        }
        let session = crate::sessions::get(db, s.session_id).await?;
        let offer = match s.offer_id {
            Some(o) => crate::sessions::offer(db, o).await?,
            None => None,
        };
        let at = DateTime::from_timestamp_millis(s.at_ms).unwrap_or_else(Utc::now);
        let _ = self.tx.send(Arc::new(LiveEvent {
            kind: s.kind,
            session,
            offer,
            at,
        }));
        Ok(())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.tx.subscribe()
    }

    pub fn viewers(&self) -> usize {
        self.tx.receiver_count()
    }
}

/// How far back the STOCK job looks for offers whose cap moved: long enough for a checkout
/// stamped just before a tick to commit and be seen by the next one.
const LOOK_BACK: chrono::Duration = chrono::Duration::seconds(3);

/// What this replica last told viewers of each offer whose cap moved recently. The offers
/// themselves come from the database (`live_offers.stock_changed_at`, stamped by every claim
/// and give-back on any replica), so a sale anywhere is seen here.
#[derive(Default)]
pub struct StockWatch {
    told: Mutex<HashMap<i64, i64>>,
}

/// An offer whose remaining cap changed since viewers were last told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StockChange {
    pub offer_id: i64,
    pub session_id: i64,
    pub remaining: i64,
}

impl StockWatch {
    /// Offers of live sessions whose cap moved in the last few seconds and whose remaining
    /// differs from what this replica last told.
    pub async fn changes(&self, db: &impl ConnectionTrait) -> Result<Vec<StockChange>> {
        let mut q = Sql::new(db.get_database_backend());
        q.push("SELECT o.id, o.session_id, o.quantity_cap - o.quantity_sold AS remaining FROM live_offers o JOIN live_sessions s ON s.id = o.session_id WHERE o.stock_changed_at >= ")
            .bind(Utc::now() - LOOK_BACK)
            .push(" AND s.status = ")
            .bind(crate::entity::LiveStatus::Live.as_str());
        let rows = db.query_all_raw(q.build()).await?;
        let mut recent = Vec::with_capacity(rows.len());
        for r in rows {
            recent.push(StockChange {
                offer_id: r.try_get("", "id")?,
                session_id: r.try_get("", "session_id")?,
                remaining: r.try_get("", "remaining")?,
            });
        }
        let mut told = self.told.lock().unwrap_or_else(|p| p.into_inner());
        // Forget offers that went quiet: the map holds only the last few seconds' offers.
        told.retain(|o, _| recent.iter().any(|c| c.offer_id == *o));
        Ok(recent
            .into_iter()
            .filter(|c| told.get(&c.offer_id) != Some(&c.remaining))
            .collect())
    }

    /// Viewers were told `c`.
    pub fn told(&self, c: &StockChange) {
        let mut told = self.told.lock().unwrap_or_else(|p| p.into_inner());
        told.insert(c.offer_id, c.remaining);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_travels_as_text_and_back() {
        for s in [
            Signal::now(7, LiveEventKind::Pinned, Some(12)),
            Signal::now(7, LiveEventKind::Ended, None),
        ] {
            assert_eq!(Signal::decode(&s.encode()), Some(s));
        }
        assert_eq!(Signal::decode("7:NOPE::1"), None);
        assert_eq!(Signal::decode("7:PINNED:x:1"), None);
        assert_eq!(Signal::decode("7:PINNED:1:1:extra"), None);
    }
}
