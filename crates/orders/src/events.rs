//! Order status changes, for the `orderStatusChanged` subscription. The API layer announces a
//! changed order after its mutation succeeded; the server feeds this replica's [`OrderHub`]
//! and, with Redis, every other replica's, so a subscriber connected to any replica hears
//! about a change made on any other.

use tokio::sync::broadcast;

/// This replica's fan-out of changed order ids to its subscribers.
pub struct OrderHub {
    tx: broadcast::Sender<i64>,
}

impl Default for OrderHub {
    fn default() -> Self {
        OrderHub {
            tx: broadcast::channel(1024).0,
        }
    }
}

impl OrderHub {
    pub fn publish(&self, order_id: i64) {
        // No subscriber is not an error.
        let _ = self.tx.send(order_id);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.tx.subscribe()
    }
}
