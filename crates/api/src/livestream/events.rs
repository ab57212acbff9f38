//! `liveSessionEvents`: what viewers of a session see happen — PINNED, UNPINNED, STOCK (the
//! remaining cap, at most once a second per offer), PRICE and ENDED — on whichever replica
//! they are connected to. Anonymous viewers are welcome: viewers are the public. A viewer who
//! connects mid-session first receives the current pin; one too slow to keep up skips ahead
//! (the hub's channel is bounded). The subscription ends after ENDED.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use kernel::problem::Problem;
use livestream::entity::LiveStatus;
use livestream::events::{LiveEventKind, LiveHub};

use crate::context::db;
use crate::errors::{self, TopError};
use crate::ids::{self, Kind};
use crate::livestream::sessions::{LiveOffer, LiveSession};

pub struct LiveEvent(pub Arc<livestream::events::LiveEvent>);

#[Object]
impl LiveEvent {
    /// PINNED, UNPINNED, STOCK, PRICE or ENDED.
    async fn kind(&self) -> &str {
        self.0.kind.as_str()
    }
    /// The session as it was when the event was sent.
    async fn session(&self) -> LiveSession {
        LiveSession(self.0.session.clone())
    }
    /// The offer pinned, or whose stock or price changed, as it was when the event was sent.
    async fn offer(&self) -> Option<LiveOffer> {
        self.0.offer.clone().map(LiveOffer)
    }
    async fn at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.at
    }
}

#[derive(Default)]
pub struct LiveSubscription;

#[async_graphql::Subscription]
impl LiveSubscription {
    /// A session's events, from every replica. A viewer who connects while an offer is pinned
    /// first receives it (PINNED); a viewer of an ended session receives ENDED and nothing more.
    async fn live_session_events(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
    ) -> async_graphql::Result<BoxStream<'static, LiveEvent>> {
        let sid = ids::decode(Kind::LiveSession, &session_id)
            .ok_or_else(|| TopError::invalid(crate::messages::vi(&Problem::LiveSessionNotFound)))?;
        let hub = ctx.data_unchecked::<Arc<LiveHub>>().clone();
        // Subscribe before reading the session: nothing sent in between is missed.
        let rx = hub.subscribe();
        let db = db(ctx);
        let s = livestream::sessions::get(db, sid)
            .await
            .map_err(errors::top)?;
        let now = chrono::Utc::now();
        let first = if s.status == LiveStatus::Ended {
            Some(livestream::events::LiveEvent {
                kind: LiveEventKind::Ended,
                session: s.clone(),
                offer: None,
                at: s.ended_at.unwrap_or(now),
            })
        } else if let Some(o) = s.pinned_offer_id {
            let offer = livestream::sessions::offer(db, o)
                .await
                .map_err(errors::top)?;
            Some(livestream::events::LiveEvent {
                kind: LiveEventKind::Pinned,
                session: s.clone(),
                offer,
                at: now,
            })
        } else {
            None
        };
        let first = futures_util::stream::iter(first.map(|e| LiveEvent(Arc::new(e))));
        if s.status == LiveStatus::Ended {
            return Ok(first.boxed());
        }
        let rest = tokio_stream::wrappers::BroadcastStream::new(rx).filter_map(move |m| {
            futures_util::future::ready(match m {
                Ok(e) if e.session.id == sid => Some(LiveEvent(e)),
                // Another session's, or Lagged: the viewer skips ahead.
                _ => None,
            })
        });
        // Ends right after ENDED, without waiting for another event.
        let events = first.chain(rest).boxed();
        let until_ended =
            futures_util::stream::unfold((events, false), |(mut events, ended)| async move {
                if ended {
                    return None;
                }
                let e = events.next().await?;
                let ended = e.0.kind == LiveEventKind::Ended;
                Some((e, (events, ended)))
            });
        Ok(until_ended.boxed())
    }
}
