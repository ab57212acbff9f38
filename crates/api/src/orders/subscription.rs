//! `orderStatusChanged`, fed by this replica's [`OrderHub`] (which the server feeds from every
//! replica through Redis).

use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Context, ID};
use futures_util::StreamExt;
use kernel::id::OrderId;
use kernel::problem::Problem;
use orders::events::OrderHub;

use crate::context::{SessionExpiry, db, viewer};
use crate::errors::{self, TopError};
use crate::ids::{self, Kind};
use crate::orders::objects::{Order, scope_of};

#[derive(Default)]
pub struct OrdersSubscription;

/// What one hub message means for a subscriber.
enum Step {
    Skip,
    Send(Box<Order>),
    /// The viewer may no longer see the order (or is gone): the subscription ends.
    End,
}

#[async_graphql::Subscription]
impl OrdersSubscription {
    /// The order each time its status may have changed, on whichever replica the change was
    /// made. For those who may see the order (its buyer, its producers' members, ADMIN), checked
    /// again at every change: a member removed from the producer, or an account deleted, stops
    /// hearing. The subscription ends when the connection's token expires. A subscriber too slow
    /// to keep up is sent the order as it is now, never left silent.
    async fn order_status_changed(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
    ) -> async_graphql::Result<impl futures_util::Stream<Item = Order> + use<>> {
        let viewer = viewer(ctx).clone();
        let uid = viewer.require_user().map_err(errors::top)?;
        let oid = ids::decode(Kind::Order, &order_id)
            .ok_or_else(|| TopError::invalid(crate::messages::vi(&Problem::OrderNotFound)))?;
        let db = db(ctx).clone();
        let o = orders::lifecycle::get_order(&db, OrderId(oid))
            .await
            .map_err(errors::top)?;
        scope_of(ctx, &o).await?.ok_or_else(TopError::forbidden)?;
        let expires = ctx
            .data_opt::<SessionExpiry>()
            .and_then(|e| e.0)
            .map(|exp| {
                let left = exp - chrono::Utc::now().timestamp();
                tokio::time::Instant::now() + Duration::from_secs(left.max(0) as u64)
            });
        let hub = ctx.data_unchecked::<Arc<OrderHub>>();
        let rx = tokio_stream::wrappers::BroadcastStream::new(hub.subscribe());
        let steps = rx.then(move |msg| {
            let db = db.clone();
            async move {
                let relevant = match msg {
                    Ok(id) => id == oid,
                    // Lagged: messages were lost, this order's among them perhaps.
                    Err(_) => true,
                };
                if !relevant {
                    return Step::Skip;
                }
                current(&db, uid, oid).await
            }
        });
        let stream = steps
            .take_while(|s| futures_util::future::ready(!matches!(s, Step::End)))
            .filter_map(|s| {
                futures_util::future::ready(match s {
                    Step::Send(o) => Some(*o),
                    _ => None,
                })
            });
        let until = async move {
            match expires {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        Ok(stream.take_until(Box::pin(until)))
    }
}

/// The order as the subscriber may see it now: their account and rights read afresh.
async fn current(db: &kernel::db::Db, uid: i64, oid: i64) -> Step {
    let user = match accounts::service::find_by_id(db, kernel::id::UserId(uid)).await {
        Ok(Some(u)) => u,
        Ok(None) => return Step::End,
        Err(_) => return Step::Skip,
    };
    let viewer = kernel::Viewer::user(user.id, user.is_admin);
    match orders::access::visible_order(db, &viewer, OrderId(oid)).await {
        Ok(Some((model, scope))) => Step::Send(Box::new(Order { model, scope })),
        Ok(None) => Step::End,
        Err(_) => Step::Skip,
    }
}
