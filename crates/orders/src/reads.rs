//! Batched reads for the API layer's loaders: one statement per call, whatever the page size.

use kernel::Result;
use kernel::id::ProducerId;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{OrderStatus, allocation, order, order_line, payment, seller_order};

pub async fn seller_orders_of(
    db: &impl ConnectionTrait,
    order_ids: &[i64],
) -> Result<Vec<seller_order::Model>> {
    Ok(seller_order::Entity::find()
        .filter(seller_order::Column::OrderId.is_in(order_ids.iter().copied()))
        .order_by_asc(seller_order::Column::Id)
        .all(db)
        .await?)
}

pub async fn lines_of(
    db: &impl ConnectionTrait,
    seller_order_ids: &[i64],
) -> Result<Vec<order_line::Model>> {
    Ok(order_line::Entity::find()
        .filter(order_line::Column::SellerOrderId.is_in(seller_order_ids.iter().copied()))
        .order_by_asc(order_line::Column::Id)
        .all(db)
        .await?)
}

pub async fn allocations_of(
    db: &impl ConnectionTrait,
    line_ids: &[i64],
) -> Result<Vec<allocation::Model>> {
    Ok(allocation::Entity::find()
        .filter(allocation::Column::OrderLineId.is_in(line_ids.iter().copied()))
        .order_by_asc(allocation::Column::Id)
        .all(db)
        .await?)
}

pub async fn payments_of(
    db: &impl ConnectionTrait,
    order_ids: &[i64],
) -> Result<Vec<payment::Model>> {
    Ok(payment::Entity::find()
        .filter(payment::Column::OrderId.is_in(order_ids.iter().copied()))
        .all(db)
        .await?)
}

pub async fn orders(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<order::Model>> {
    Ok(order::Entity::find()
        .filter(order::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

pub async fn lines(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<order_line::Model>> {
    Ok(order_line::Entity::find()
        .filter(order_line::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

pub async fn seller_orders(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<seller_order::Model>> {
    Ok(seller_order::Entity::find()
        .filter(seller_order::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// A buyer's orders, newest first (`limit` rows after the order `after`).
pub async fn of_buyer(
    db: &impl ConnectionTrait,
    buyer: i64,
    limit: u64,
    after: Option<i64>,
) -> Result<Vec<order::Model>> {
    let mut q = order::Entity::find().filter(order::Column::BuyerId.eq(buyer));
    if let Some(a) = after {
        q = q.filter(order::Column::Id.lt(a));
    }
    Ok(q.order_by_desc(order::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// A producer's parts of orders, newest first, optionally in one status.
pub async fn of_producer(
    db: &impl ConnectionTrait,
    producer: ProducerId,
    status: Option<OrderStatus>,
    limit: u64,
    after: Option<i64>,
) -> Result<Vec<seller_order::Model>> {
    let mut q =
        seller_order::Entity::find().filter(seller_order::Column::ProducerId.eq(producer.get()));
    if let Some(s) = status {
        q = q.filter(seller_order::Column::Status.eq(s));
    }
    if let Some(a) = after {
        q = q.filter(seller_order::Column::Id.lt(a));
    }
    Ok(q.order_by_desc(seller_order::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// What a live session sold: orders, units and revenue (what buyers were charged for the
/// lines), over the lines bought from it whose part was not cancelled; one producer's only
/// when `producer` is given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiveFigures {
    pub orders: i64,
    pub units: i64,
    pub revenue: i64,
}

pub async fn live_figures(
    db: &impl ConnectionTrait,
    session_id: i64,
    producer: Option<ProducerId>,
) -> Result<LiveFigures> {
    let mut q = kernel::sql::Sql::new(db.get_database_backend());
    q.push(
        "SELECT CAST(COUNT(DISTINCT l.order_id) AS BIGINT) AS orders, \
         CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) AS units, \
         CAST(COALESCE(SUM(l.total), 0) AS BIGINT) AS revenue \
         FROM order_lines l JOIN seller_orders s ON s.id = l.seller_order_id \
         WHERE l.live_session_id = ",
    )
    .bind(session_id)
    .push(" AND s.status <> ")
    .bind(OrderStatus::Cancelled.as_str());
    if let Some(p) = producer {
        q.push(" AND s.producer_id = ").bind(p.get());
    }
    Ok(match db.query_one_raw(q.build()).await? {
        Some(r) => LiveFigures {
            orders: r.try_get("", "orders")?,
            units: r.try_get("", "units")?,
            revenue: r.try_get("", "revenue")?,
        },
        None => LiveFigures::default(),
    })
}
