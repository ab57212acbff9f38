//! Fan-out between replicas through Redis pub/sub. A change the public can see empties this
//! replica's caches at once and tells every other replica to do the same, so a recall or an
//! unpublished product is gone everywhere within a round trip, not a cache lifetime. Order
//! status changes go to this replica's subscribers at once and to the others' through Redis
//! (each replica forwards what it hears to its own hub, ignoring its own messages); so do live
//! sessions' events, which each replica's `LiveHub` turns into one event for all its viewers.
//! Without Redis, everything stays in-process.

use std::sync::Arc;
use std::time::Duration;

use livestream::events::{LiveHub, Signal};
use orders::events::OrderHub;
use sea_orm::DatabaseConnection;
use traceability::trace::TraceCache;

use crate::cache::ResponseCache;

pub struct Fanout {
    responses: Arc<ResponseCache>,
    traces: Arc<TraceCache>,
    pub hub: Arc<OrderHub>,
    pub live: Arc<LiveHub>,
    db: DatabaseConnection,
    redis: Option<(redis::aio::ConnectionManager, Channels)>,
    /// This replica's name on the channels: its own messages come back to it and are ignored.
    me: String,
}

#[derive(Clone)]
struct Channels {
    catalog: String,
    orders: String,
    live: String,
}

impl Fanout {
    /// Builds the fan-out and, with Redis, starts listening to the other replicas.
    pub fn start(
        responses: Arc<ResponseCache>,
        traces: Arc<TraceCache>,
        redis: Option<(redis::Client, redis::aio::ConnectionManager)>,
        prefix: &str,
        db: DatabaseConnection,
    ) -> Arc<Fanout> {
        let channels = Channels {
            catalog: format!("{prefix}catalog-changed"),
            orders: format!("{prefix}order-changed"),
            live: format!("{prefix}live-events"),
        };
        let me = {
            use rand::Rng;
            format!("{:016x}", rand::rng().random::<u64>())
        };
        let fanout = Arc::new(Fanout {
            responses,
            traces,
            hub: Arc::new(OrderHub::default()),
            live: Arc::new(LiveHub::new(LIVE_BACKLOG)),
            db,
            redis: redis
                .as_ref()
                .map(|(_, conn)| (conn.clone(), channels.clone())),
            me,
        });
        if let Some((client, _)) = redis {
            tokio::spawn(listen_for_changes(
                client.clone(),
                channels.catalog,
                fanout.clone(),
            ));
            tokio::spawn(listen_for_orders(
                client.clone(),
                channels.orders,
                fanout.clone(),
            ));
            tokio::spawn(listen_for_live(client, channels.live, fanout.clone()));
        }
        fanout
    }

    fn clear_local(&self) {
        self.responses.clear();
        self.traces.clear();
    }

    /// Hands a live signal to this replica's viewers, in order of arrival.
    fn deliver_live(&self, signal: Signal) {
        let (hub, db) = (self.live.clone(), self.db.clone());
        tokio::spawn(async move {
            if let Err(e) = hub.deliver(&db, signal).await {
                tracing::warn!(error = %e, "could not deliver a live event");
            }
        });
    }

    /// Whether this replica may send the offer's STOCK now: at most once a second per offer
    /// across replicas (a Redis key that lives a second), or per this replica without Redis
    /// (its job ticks once a second).
    pub async fn may_send_stock(&self, prefix: &str, offer_id: i64) -> bool {
        let Some((conn, _)) = &self.redis else {
            return true;
        };
        let mut conn = conn.clone();
        let set: redis::RedisResult<Option<String>> = redis::cmd("SET")
            .arg(format!("{prefix}live-stock:{offer_id}"))
            .arg(&self.me)
            .arg("NX")
            .arg("PX")
            .arg(1000)
            .query_async(&mut conn)
            .await;
        match set {
            Ok(v) => v.is_some(),
            // Redis away: this replica's own once-a-second tick is the only limit left.
            Err(_) => true,
        }
    }

    fn publish(&self, pick: impl Fn(&Channels) -> &String, payload: String) {
        if let Some((conn, channels)) = &self.redis {
            publish(conn, pick(channels), payload);
        }
    }
}

impl api::Changes for Fanout {
    fn catalog_changed(&self) {
        self.clear_local();
        self.publish(|c| &c.catalog, self.me.clone());
    }

    fn order_changed(&self, order_id: i64) {
        self.hub.publish(order_id);
        self.publish(|c| &c.orders, format!("{}:{order_id}", self.me));
    }

    fn live_event(&self, signal: Signal) {
        self.deliver_live(signal);
        self.publish(|c| &c.live, format!("{}|{}", self.me, signal.encode()));
    }
}

/// How many live events a viewer may fall behind before skipping ahead.
const LIVE_BACKLOG: usize = 64;

/// Publishes a message for the other replicas, without waiting; a failure is logged.
fn publish(conn: &redis::aio::ConnectionManager, channel: &str, payload: String) {
    let (mut conn, channel) = (conn.clone(), channel.to_owned());
    tokio::spawn(async move {
        let sent: redis::RedisResult<i64> = redis::cmd("PUBLISH")
            .arg(&channel)
            .arg(&payload)
            .query_async(&mut conn)
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, channel, "could not tell the other replicas");
        }
    });
}

/// Hands every message on `channel` to `on_message`; reconnects when the subscription breaks,
/// after calling `on_break` (a message may have been missed).
async fn listen(
    client: redis::Client,
    channel: String,
    on_message: impl Fn(String) + Send + 'static,
    on_break: impl Fn() + Send + 'static,
) {
    use futures_util::StreamExt;
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    let mut messages = pubsub.into_on_message();
                    while let Some(msg) = messages.next().await {
                        on_message(msg.get_payload().unwrap_or_default());
                    }
                }
                Err(e) => tracing::warn!(error = %e, channel, "subscribe failed"),
            },
            Err(e) => tracing::warn!(error = %e, channel, "cannot reach Redis"),
        }
        on_break();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Forwards other replicas' order changes to this replica's subscribers.
async fn listen_for_orders(client: redis::Client, channel: String, f: Arc<Fanout>) {
    let on_message = move |payload: String| {
        if let Some((from, id)) = payload.split_once(':')
            && from != f.me
            && let Ok(id) = id.parse()
        {
            f.hub.publish(id);
        }
    };
    listen(client, channel, on_message, || {}).await;
}

/// Hands other replicas' live signals to this replica's viewers, one at a time so they keep
/// their order.
async fn listen_for_live(client: redis::Client, channel: String, f: Arc<Fanout>) {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Signal>(1024);
    let deliverer = f.clone();
    tokio::spawn(async move {
        while let Some(s) = rx.recv().await {
            if let Err(e) = deliverer.live.deliver(&deliverer.db, s).await {
                tracing::warn!(error = %e, "could not deliver a live event");
            }
        }
    });
    let on_message = move |payload: String| {
        if let Some((from, s)) = payload.split_once('|')
            && from != f.me
            && let Some(s) = Signal::decode(s)
            // A full queue drops the signal rather than grow: viewers skip ahead.
            && tx.try_send(s).is_err()
        {
            tracing::warn!("live events queue full; a signal was dropped");
        }
    };
    listen(client, channel, on_message, || {}).await;
}

/// Drops this replica's caches whenever another replica says the catalog changed, and when
/// the subscription breaks.
async fn listen_for_changes(client: redis::Client, channel: String, f: Arc<Fanout>) {
    let on_break = f.clone();
    let on_message = move |from: String| {
        if from != f.me {
            f.clear_local();
        }
    };
    listen(client, channel, on_message, move || on_break.clear_local()).await;
}
