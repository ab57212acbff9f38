//! After checkout: shipping, delivery (for COD the cash is collected and the payment
//! succeeds), confirmation by the buyer or automatically, cancellation with the stock going
//! back to the very lots it came from, and expiry of unpaid orders.
//!
//! The order's status is derived from its seller orders, one way: all cancelled → CANCELLED;
//! otherwise, over the seller orders not cancelled, AWAITING_PAYMENT if any awaits payment,
//! else the least advanced of CONFIRMED < PACKED < SHIPPED < DELIVERED < COMPLETED (an order is
//! SHIPPED when every producer has shipped).

use chrono::{Duration, Utc};
use kernel::domain::text;
use kernel::id::{LotId, OrderId, ProducerId, SellerOrderId};
use kernel::problem::{Label, Problem};
use kernel::sql::Sql;
use kernel::{Error, ErrorCode, Result, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};

use crate::entity::OrderStatus::{self, *};
use crate::entity::{
    PaymentMethod, PaymentStatus, allocation, order, order_line, payment, seller_order,
};

const ORDER: [OrderStatus; 5] = [Confirmed, Packed, Shipped, Delivered, Completed];

/// The order's status from its seller orders' statuses (see the module doc).
pub fn derive(statuses: &[OrderStatus]) -> OrderStatus {
    let live: Vec<OrderStatus> = statuses
        .iter()
        .copied()
        .filter(|s| *s != Cancelled)
        .collect();
    if live.is_empty() {
        return Cancelled;
    }
    if live.contains(&AwaitingPayment) {
        return AwaitingPayment;
    }
    ORDER
        .iter()
        .copied()
        .find(|s| live.contains(s))
        .unwrap_or(Confirmed)
}

fn wrong_state(problem: Problem) -> Error {
    Error::code(ErrorCode::InvalidState, &["id"], problem)
}

pub async fn get_seller_order(
    db: &impl ConnectionTrait,
    id: SellerOrderId,
) -> Result<seller_order::Model> {
    seller_order::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found(&["id"], Problem::SellerOrderNotFound))
}

pub async fn get_order(db: &impl ConnectionTrait, id: OrderId) -> Result<order::Model> {
    order::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found(&["id"], Problem::OrderNotFound))
}

/// Recomputes the order's status and totals from its seller orders; completes COD payments
/// once every live seller order is delivered. The totals are those of the parts not cancelled
/// (an order cancelled whole keeps what it was), and so is the amount due of a payment still
/// pending by cash or bank transfer (whose QR is drawn from it). A pending VNPay payment keeps
/// its amount: its signed URL carries it, and money of another amount goes to review.
pub(crate) async fn refresh(db: &impl ConnectionTrait, order_id: i64) -> Result<order::Model> {
    // The order row first: two parts moving at once (two producers delivering) would otherwise
    // each read the other's old status and leave the order with a stale one. The second waits
    // here, then reads both parts as they are. (SQLite already serialises writers.)
    kernel::sql::lock_row(db, "orders", order_id).await?;
    let sos = seller_order::Entity::find()
        .filter(seller_order::Column::OrderId.eq(order_id))
        .all(db)
        .await?;
    let statuses: Vec<OrderStatus> = sos.iter().map(|s| s.status).collect();
    let status = derive(&statuses);
    let o = get_order(db, OrderId(order_id)).await?;
    let live: Vec<&seller_order::Model> = sos.iter().filter(|s| s.status != Cancelled).collect();
    let (subtotal, shipping) = if live.is_empty() {
        (o.subtotal, o.shipping_total)
    } else {
        (
            live.iter().map(|s| s.subtotal).sum(),
            live.iter().map(|s| s.shipping).sum(),
        )
    };
    let now = Utc::now();
    let mut active: order::ActiveModel = o.into();
    active.status = Set(status);
    active.subtotal = Set(subtotal);
    active.shipping_total = Set(shipping);
    active.total = Set(subtotal + shipping);
    active.updated_at = Set(now);
    let o = active.update(db).await?;
    let pay = payment::Entity::find()
        .filter(payment::Column::OrderId.eq(order_id))
        .one(db)
        .await?;
    if let Some(p) = pay {
        let new = match (p.method, p.status, status) {
            (PaymentMethod::Cod, PaymentStatus::Pending, Delivered | Completed) => {
                Some(PaymentStatus::Succeeded)
            }
            (_, PaymentStatus::Pending, Cancelled) => Some(PaymentStatus::Expired),
            _ => None,
        };
        let due = (p.status == PaymentStatus::Pending
            && matches!(p.method, PaymentMethod::Cod | PaymentMethod::BankTransfer)
            && p.amount != o.total)
            .then_some(o.total);
        if new.is_some() || due.is_some() {
            let mut a: payment::ActiveModel = p.into();
            if let Some(new) = new {
                a.status = Set(new);
            }
            if let Some(due) = due {
                a.amount = Set(due);
            }
            a.updated_at = Set(now);
            let p = a.update(db).await?;
            // Cash refunded before the last delivery: collected now, and partly given back.
            if p.status == PaymentStatus::Succeeded && p.refunded > 0 {
                crate::refunds::settle_status(db, p.id).await?;
            }
        }
    }
    Ok(o)
}

/// Returns a seller order's units to the lots they came from. Each allocation is released by
/// a conditional update first, so two releases racing (two server instances expiring the same
/// order) give the stock back once.
async fn release(db: &impl ConnectionTrait, seller_order_id: i64) -> Result<()> {
    let lines = order_line::Entity::find()
        .filter(order_line::Column::SellerOrderId.eq(seller_order_id))
        .all(db)
        .await?;
    // A line bought at a live price gives its units back to the offer's cap and the buyer's
    // limit. The caller moved the part to CANCELLED by a conditional update, so this runs once.
    if let Some(sales) = crate::live::installed()
        && let Some(first) = lines.iter().find(|l| l.live_offer_id.is_some())
    {
        let buyer = get_order(db, OrderId(first.order_id)).await?.buyer_id;
        for l in &lines {
            if let Some(offer) = l.live_offer_id {
                sales.give_back(db, offer, buyer, l.quantity).await?;
            }
        }
    }
    let lines: Vec<i64> = lines.into_iter().map(|l| l.id).collect();
    let allocs = allocation::Entity::find()
        .filter(allocation::Column::OrderLineId.is_in(lines))
        .filter(allocation::Column::Released.eq(false))
        .all(db)
        .await?;
    let backend = db.get_database_backend();
    let mut refilled = Vec::new();
    for a in allocs {
        let mut q = Sql::new(backend);
        q.push("UPDATE lot_allocations SET released = ")
            .bind(true)
            .push(" WHERE id = ")
            .bind(a.id)
            .push(" AND released = ")
            .bind(false);
        if db.execute_raw(q.build()).await?.rows_affected() == 1
            && catalog::stock::release(db, LotId(a.lot_id), a.quantity).await?
        {
            refilled.push(LotId(a.lot_id));
        }
    }
    // A lot that was empty may put its product back in the in-stock listing.
    catalog::stock::settle(db, &refilled).await?;
    Ok(())
}

/// Moves a seller order from one of `from` to `to` with one conditional update; `false` if
/// it was not in such a state any more.
async fn transition(
    db: &impl ConnectionTrait,
    id: i64,
    from: &[OrderStatus],
    to: OrderStatus,
    extra: &[(&str, sea_orm::Value)],
) -> Result<bool> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE seller_orders SET status = ")
        .bind(to.as_str())
        .push(", updated_at = ")
        .bind(Utc::now());
    for (col, v) in extra {
        q.push(", ").push(col).push(" = ").bind(v.clone());
    }
    q.push(" WHERE id = ")
        .bind(id)
        .push(" AND status IN ")
        .bind_list(&from.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    Ok(db.execute_raw(q.build()).await?.rows_affected() == 1)
}

/// The producer ships its part of an order.
pub async fn ship<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    id: SellerOrderId,
    carrier: &str,
    tracking: &str,
) -> Result<seller_order::Model> {
    viewer.require_user()?;
    let so = get_seller_order(db, id).await?;
    catalog::access::require_member(db, viewer, ProducerId(so.producer_id)).await?;
    let carrier =
        text(carrier, 100, Label::Carrier).map_err(|m| Error::invalid(&["carrier"], m))?;
    let tracking = text(tracking, 100, Label::TrackingNumber)
        .map_err(|m| Error::invalid(&["trackingNumber"], m))?;
    let txn = db.begin().await?;
    let moved = transition(
        &txn,
        id.get(),
        &[Confirmed, Packed],
        Shipped,
        &[
            ("carrier", carrier.into()),
            ("tracking_number", tracking.into()),
            ("shipped_at", Utc::now().into()),
        ],
    )
    .await?;
    if !moved {
        return Err(wrong_state(Problem::CannotShip));
    }
    refresh(&txn, so.order_id).await?;
    let so = get_seller_order(&txn, id).await?;
    txn.commit().await?;
    Ok(so)
}

/// The producer records delivery (for COD, the cash collected).
pub async fn deliver<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    id: SellerOrderId,
) -> Result<seller_order::Model> {
    viewer.require_user()?;
    let so = get_seller_order(db, id).await?;
    catalog::access::require_member(db, viewer, ProducerId(so.producer_id)).await?;
    let txn = db.begin().await?;
    // The payment first, as every writer of money locks it (settling, refunds, cancelling).
    let pay = crate::refunds::lock_payment(&txn, so.order_id).await?;
    if !transition(
        &txn,
        id.get(),
        &[Shipped],
        Delivered,
        &[("delivered_at", Utc::now().into())],
    )
    .await?
    {
        return Err(wrong_state(Problem::CannotDeliver));
    }
    if pay.method == PaymentMethod::Cod {
        crate::ledger::cash_collected(&txn, pay.id, &so).await?;
    }
    refresh(&txn, so.order_id).await?;
    let so = get_seller_order(&txn, id).await?;
    txn.commit().await?;
    Ok(so)
}

/// The buyer confirms they received everything.
pub async fn confirm_received<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    id: OrderId,
) -> Result<order::Model> {
    let uid = viewer.require_user()?;
    let o = get_order(db, id).await?;
    if o.buyer_id != uid {
        return Err(Error::forbidden());
    }
    let txn = db.begin().await?;
    kernel::sql::write_lock(&txn, "seller_orders").await?;
    let sos = seller_order::Entity::find()
        .filter(seller_order::Column::OrderId.eq(id.get()))
        .all(&txn)
        .await?;
    let live: Vec<&seller_order::Model> = sos.iter().filter(|s| s.status != Cancelled).collect();
    if live.is_empty() || live.iter().any(|s| s.status != Delivered) {
        return Err(wrong_state(Problem::CannotConfirmReceipt));
    }
    for s in live {
        if transition(&txn, s.id, &[Delivered], Completed, &[]).await? {
            crate::ledger::completed(&txn, s).await?;
        }
    }
    let o = refresh(&txn, id.get()).await?;
    txn.commit().await?;
    Ok(o)
}

/// Cancels: the buyer cancels the whole order before anything ships; a producer's member (or
/// ADMIN) cancels that producer's part, with a reason. Stock goes back to its lots.
pub async fn cancel<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    id: OrderId,
    reason: &str,
) -> Result<order::Model> {
    let uid = viewer.require_user()?;
    let o = get_order(db, id).await?;
    let reason =
        text(reason, 500, Label::CancelReason).map_err(|m| Error::invalid(&["reason"], m))?;
    let sos = seller_order::Entity::find()
        .filter(seller_order::Column::OrderId.eq(id.get()))
        .all(db)
        .await?;
    let mine: Vec<&seller_order::Model> = if o.buyer_id == uid || viewer.is_admin {
        sos.iter().collect()
    } else {
        let producers: Vec<i64> = sos.iter().map(|s| s.producer_id).collect();
        let member_of = catalog::access::member_of(db, uid, &producers).await?;
        let v: Vec<&seller_order::Model> = sos
            .iter()
            .filter(|s| member_of.contains(&s.producer_id))
            .collect();
        if v.is_empty() {
            return Err(Error::forbidden());
        }
        v
    };
    let cancellable = [AwaitingPayment, Confirmed, Packed];
    if mine
        .iter()
        .any(|s| !cancellable.contains(&s.status) && s.status != Cancelled)
        || mine.iter().all(|s| s.status == Cancelled)
    {
        return Err(wrong_state(Problem::CannotCancel));
    }
    let txn = db.begin().await?;
    // The payment first: money arriving at this moment waits, then finds the parts cancelled.
    crate::refunds::lock_payment(&txn, id.get()).await?;
    let ids: Vec<i64> = mine.iter().map(|s| s.id).collect();
    let moved = cancel_parts(&txn, &ids, &reason).await?;
    // Money already taken for those parts goes back (a card refund is sent after the commit:
    // `refunds::run_pending_of_order`).
    crate::refunds::refund_cancelled(&txn, id.get(), &moved, &reason, Some(uid)).await?;
    let o = refresh(&txn, id.get()).await?;
    txn.commit().await?;
    Ok(o)
}

/// Cancels the parts that can still be cancelled (not shipped), their units back to their
/// lots; returns those it moved.
pub(crate) async fn cancel_parts(
    db: &impl ConnectionTrait,
    ids: &[i64],
    reason: &str,
) -> Result<Vec<i64>> {
    let mut moved = Vec::new();
    for id in ids {
        if transition(
            db,
            *id,
            &[AwaitingPayment, Confirmed, Packed],
            Cancelled,
            &[
                ("cancelled_at", Utc::now().into()),
                ("cancel_reason", reason.to_owned().into()),
            ],
        )
        .await?
        {
            release(db, *id).await?;
            crate::commissions::refresh_part(db, *id).await?;
            moved.push(*id);
        }
    }
    Ok(moved)
}

/// The cancel reason of a part that expired unpaid: money arriving later may revive it
/// (`payments::settle`), unlike a part someone cancelled.
pub const EXPIRED_REASON: &str = "Quá hạn thanh toán";

/// Expires orders that waited for payment longer than `hold`, releasing their stock. Safe
/// with several instances running at once: on PostgreSQL candidates are claimed with
/// `FOR UPDATE SKIP LOCKED`, and on any database each order moves to CANCELLED by a
/// conditional update that only one instance can win, before any stock is released.
pub async fn expire_unpaid<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    hold: Duration,
) -> Result<Vec<i64>> {
    let cutoff = Utc::now() - hold;
    let mut expired = Vec::new();
    loop {
        let txn = db.begin().await?;
        kernel::sql::write_lock(&txn, "orders").await?;
        let mut q = Sql::new(txn.get_database_backend());
        q.push("SELECT id FROM orders WHERE status = ")
            .bind(AwaitingPayment.as_str())
            .push(" AND created_at < ")
            .bind(cutoff)
            .push(" ORDER BY id LIMIT 50");
        if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
            q.push(" FOR UPDATE SKIP LOCKED");
        }
        let ids: Vec<i64> = txn
            .query_all_raw(q.build())
            .await?
            .iter()
            .filter_map(|r| r.try_get::<i64>("", "id").ok())
            .collect();
        if ids.is_empty() {
            txn.commit().await?;
            return Ok(expired);
        }
        for oid in ids {
            let sos = seller_order::Entity::find()
                .filter(seller_order::Column::OrderId.eq(oid))
                .all(&txn)
                .await?;
            let mut any = false;
            for s in sos {
                if transition(
                    &txn,
                    s.id,
                    &[AwaitingPayment],
                    Cancelled,
                    &[
                        ("cancelled_at", Utc::now().into()),
                        ("cancel_reason", EXPIRED_REASON.into()),
                    ],
                )
                .await?
                {
                    release(&txn, s.id).await?;
                    any = true;
                }
            }
            refresh(&txn, oid).await?;
            if any {
                expired.push(oid);
            }
        }
        txn.commit().await?;
    }
}

/// Completes seller orders delivered more than `after` ago that the buyer did not confirm.
pub async fn auto_complete<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    after: Duration,
) -> Result<Vec<i64>> {
    let cutoff = Utc::now() - after;
    let due = seller_order::Entity::find()
        .filter(seller_order::Column::Status.eq(Delivered))
        .filter(seller_order::Column::DeliveredAt.lt(cutoff))
        .limit(200)
        .all(db)
        .await?;
    let mut done = Vec::new();
    for s in due {
        let txn = db.begin().await?;
        if transition(&txn, s.id, &[Delivered], Completed, &[]).await? {
            crate::ledger::completed(&txn, &s).await?;
            refresh(&txn, s.order_id).await?;
            done.push(s.order_id);
        }
        txn.commit().await?;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_status_is_derived_one_way() {
        assert_eq!(derive(&[Cancelled, Cancelled]), Cancelled);
        assert_eq!(derive(&[Shipped, Confirmed]), Confirmed);
        assert_eq!(derive(&[Shipped, Cancelled]), Shipped);
        assert_eq!(derive(&[Delivered, Completed]), Delivered);
        assert_eq!(derive(&[AwaitingPayment, AwaitingPayment]), AwaitingPayment);
    }
}
