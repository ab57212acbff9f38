//! `order`, `sellerOrders`, `myOrders`.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use kernel::id::ProducerId;
use orders::access::Scope;

use crate::context::{GqlResult, IdPage, db, page_cost, viewer};
use crate::errors;
use crate::ids::{self, Kind};
use crate::orders::objects::{Order, OrderStatus, SellerOrder, visible_order};

#[derive(Default)]
pub struct OrdersQuery;

#[Object]
impl OrdersQuery {
    /// An order: for its buyer, the members of a producer in it (their part), and ADMIN.
    async fn order(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Order>> {
        viewer(ctx).require_user().map_err(errors::top)?;
        match ids::decode(Kind::Order, &id) {
            Some(oid) => visible_order(ctx, oid).await,
            None => Ok(None),
        }
    }

    /// A producer's part of orders, newest first (the producer's members and ADMIN).
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn seller_orders(
        &self,
        ctx: &Context<'_>,
        producer_id: ID,
        status: Option<OrderStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, SellerOrder>> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let pid = ProducerId(ids::decode(Kind::Producer, &producer_id).unwrap_or(0));
        catalog::access::require_member(db(ctx), viewer(ctx), pid)
            .await
            .map_err(errors::top)?;
        let page = IdPage::new(first, after.as_deref(), "SO")?;
        let rows = orders::reads::of_producer(
            db(ctx),
            pid,
            status.map(Into::into),
            page.fetch(),
            page.after,
        )
        .await
        .map_err(errors::top)?;
        Ok(page.connection(rows, |s| s.id, SellerOrder))
    }

    /// The signed-in buyer's orders, newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn my_orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Order>> {
        let uid = viewer(ctx).require_user().map_err(errors::top)?;
        let page = IdPage::new(first, after.as_deref(), "MO")?;
        let rows = orders::reads::of_buyer(db(ctx), uid, page.fetch(), page.after)
            .await
            .map_err(errors::top)?;
        Ok(page.connection(
            rows,
            |o| o.id,
            |model| Order {
                model,
                scope: Scope::All,
            },
        ))
    }
}
