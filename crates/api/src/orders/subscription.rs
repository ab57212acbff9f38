//! `orderStatusChanged`, fed by this replica's [`OrderHub`] (which the server feeds from every
//! replica through Redis).

use std::sync::Arc;

use async_graphql::{Context, ID};
use futures_util::StreamExt;
use kernel::id::OrderId;
use kernel::problem::Problem;
use orders::events::OrderHub;

use crate::context::{db, viewer};
use crate::errors::{self, TopError};
use crate::ids::{self, Kind};
use crate::orders::objects::{Order, scope_of};

#[derive(Default)]
pub struct OrdersSubscription;

#[async_graphql::Subscription(name = "Subscription")]
impl OrdersSubscription {
    /// The order each time its status may have changed, on whichever replica the change was
    /// made. For those who may see the order (its buyer, its producers' members, ADMIN).
    async fn order_status_changed(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
    ) -> async_graphql::Result<impl futures_util::Stream<Item = Order> + use<>> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let oid = ids::decode(Kind::Order, &order_id)
            .ok_or_else(|| TopError::invalid(crate::messages::vi(&Problem::OrderNotFound)))?;
        let db = db(ctx).clone();
        let o = orders::lifecycle::get_order(&db, OrderId(oid))
            .await
            .map_err(errors::top)?;
        let scope = scope_of(ctx, &o).await?.ok_or_else(TopError::forbidden)?;
        let hub = ctx.data_unchecked::<Arc<OrderHub>>();
        let rx = tokio_stream::wrappers::BroadcastStream::new(hub.subscribe());
        Ok(rx.filter_map(move |msg| {
            let (db, scope) = (db.clone(), scope.clone());
            async move {
                match msg {
                    Ok(id) if id == oid => orders::lifecycle::get_order(&db, OrderId(oid))
                        .await
                        .ok()
                        .map(|model| Order { model, scope }),
                    _ => None,
                }
            }
        }))
    }
}
