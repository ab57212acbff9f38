//! Giving money back. A refund is recorded first — one row per order and idempotency key,
//! split over the order's parts in the ledger, the payment's `refunded` raised — in the same
//! transaction as whatever caused it (a cancellation, `refundCreate`, late money). Then, after
//! the commit, a card refund is sent to Stripe with a key derived from the same row, so a
//! retry (ours, or the job's for refunds Stripe has not confirmed) refunds once. VNPay, bank
//! transfer and cash refunds are MANUAL: ADMIN pays them back by hand.
//!
//! A refund never exceeds what was paid minus what was refunded, per part and in all; the
//! payment's row is locked while that is checked and written.

use chrono::{Duration, Utc};
use kernel::domain::text;
use kernel::id::{OrderId, ProducerId};
use kernel::problem::{Label, Problem};
use kernel::sql::Sql;
use kernel::{Error, ErrorCode, Result, Viewer};
use payments::Providers;
use payments::stripe::RefundRequest;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use crate::entity::ledger_entry::{Account, EntryKind};
use crate::entity::refund::{self, RefundStatus};
use crate::entity::{OrderStatus, PaymentMethod, PaymentStatus, order, payment, seller_order};
use crate::ledger::{self, Entry};

/// Who asked, and how much of which parts.
pub(crate) struct Record<'a> {
    pub order_id: i64,
    /// Stored as given; keys we make ourselves start with `sys:`, the API's with `user:`.
    pub key: String,
    pub reason: &'a str,
    pub requested_by: Option<i64>,
    /// `(part id or None for the order as a whole, amount)`.
    pub split: Vec<(Option<i64>, i64)>,
    /// Already done at the provider (Stripe told us): SUCCEEDED at once.
    pub done_at_provider: bool,
}

/// The payment row, locked for the rest of the transaction.
pub(crate) async fn lock_payment(
    db: &impl ConnectionTrait,
    order_id: i64,
) -> Result<payment::Model> {
    // SQLite: a writer from here (it serialises writers); PostgreSQL: the row, read locked.
    kernel::sql::write_lock(db, "payments").await?;
    let mut find = payment::Entity::find().filter(payment::Column::OrderId.eq(order_id));
    if db.get_database_backend() == DbBackend::Postgres {
        find = find.lock_exclusive();
    }
    find.one(db)
        .await?
        .ok_or_else(|| Error::not_found(&["orderId"], Problem::OrderNotFound))
}

/// Writes a refund: its row, its ledger entries (the buyer's side, and the producer's for a
/// part already completed), the payment's `refunded` and status. The caller holds the
/// payment's lock and has checked the amounts.
pub(crate) async fn record(
    db: &impl ConnectionTrait,
    pay: &payment::Model,
    r: Record<'_>,
) -> Result<refund::Model> {
    let amount: i64 = r.split.iter().map(|s| s.1).sum();
    let now = Utc::now();
    let status = if r.done_at_provider {
        RefundStatus::Succeeded
    } else if pay.method == PaymentMethod::Stripe {
        RefundStatus::Pending
    } else {
        RefundStatus::Manual
    };
    let row = refund::ActiveModel {
        order_id: Set(r.order_id),
        payment_id: Set(pay.id),
        idempotency_key: Set(r.key),
        amount: Set(amount),
        reason: Set(r.reason.to_owned()),
        status: Set(status),
        provider_ref: Set(None),
        requested_by: Set(r.requested_by),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for (part, share) in &r.split {
        let part = match part {
            Some(id) => seller_order::Entity::find_by_id(*id).one(db).await?,
            None => None,
        };
        ledger::post(
            db,
            Entry {
                account: Account::Buyer,
                kind: EntryKind::Refunded,
                order_id: r.order_id,
                part: part.as_ref().map(|p| (p.id, p.producer_id)),
                refund_id: Some(row.id),
                amount: -share,
            },
        )
        .await?;
        if let Some(p) = part.filter(|p| p.status == OrderStatus::Completed) {
            ledger::post(
                db,
                Entry {
                    account: Account::Producer,
                    kind: EntryKind::Refunded,
                    order_id: r.order_id,
                    part: Some((p.id, p.producer_id)),
                    refund_id: Some(row.id),
                    amount: -share,
                },
            )
            .await?;
        }
    }
    ledger::bump(db, pay.id, 0, amount).await?;
    settle_status(db, pay.id).await?;
    for part in r.split.iter().filter_map(|s| s.0) {
        crate::commissions::refresh_part(db, part).await?;
    }
    Ok(row)
}

/// A payment whose money was taken moves to PARTIALLY_REFUNDED or REFUNDED as refunds add up.
/// A cash payment still collecting stays PENDING until every part is delivered.
pub(crate) async fn settle_status(db: &impl ConnectionTrait, payment_id: i64) -> Result<()> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE payments SET status = CASE WHEN refunded >= captured THEN ")
        .bind(PaymentStatus::Refunded.as_str())
        .push(" ELSE ")
        .bind(PaymentStatus::PartiallyRefunded.as_str())
        .push(" END WHERE id = ")
        .bind(payment_id)
        .push(" AND refunded > 0 AND captured > 0 AND (status IN ")
        .bind_list(&[
            PaymentStatus::Succeeded.as_str(),
            PaymentStatus::PartiallyRefunded.as_str(),
        ])
        .push(" OR (refunded >= captured AND method <> ")
        .bind(PaymentMethod::Cod.as_str())
        .push("))");
    db.execute_raw(q.build()).await?;
    Ok(())
}

/// Splits `amount` over the parts (in order) by what each can still give back.
fn split(available: &[(Option<i64>, i64)], amount: i64) -> Vec<(Option<i64>, i64)> {
    let mut left = amount;
    let mut out = Vec::new();
    for (part, room) in available {
        let share = (*room).min(left);
        if share > 0 {
            out.push((*part, share));
            left -= share;
        }
    }
    out
}

/// What each part (or the order as a whole) can still give back: paid minus refunded.
async fn refundable(db: &impl ConnectionTrait, order_id: i64) -> Result<Vec<(Option<i64>, i64)>> {
    Ok(ledger::paid_by_part(db, order_id)
        .await?
        .into_iter()
        .map(|(part, paid, refunded)| (part, paid - refunded))
        .filter(|(_, room)| *room > 0)
        .collect())
}

/// Refunds, in full, the money paid for parts just cancelled (in the caller's transaction).
pub(crate) async fn refund_cancelled(
    db: &impl ConnectionTrait,
    order_id: i64,
    parts: &[i64],
    reason: &str,
    by: Option<i64>,
) -> Result<()> {
    let pay = lock_payment(db, order_id).await?;
    if pay.captured == 0 {
        return Ok(());
    }
    for (part, room) in refundable(db, order_id).await? {
        if let Some(id) = part.filter(|id| parts.contains(id)) {
            record(
                db,
                &pay,
                Record {
                    order_id,
                    key: format!("sys:cancel:{id}"),
                    reason,
                    requested_by: by,
                    split: vec![(Some(id), room)],
                    done_at_provider: false,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Money the order no longer needs (captured for the order as a whole: late, or more than it
/// came to), refunded whole.
pub(crate) async fn refund_leftover(
    db: &impl ConnectionTrait,
    order_id: i64,
    key: String,
    reason: &str,
) -> Result<()> {
    let pay = lock_payment(db, order_id).await?;
    let room: i64 = refundable(db, order_id)
        .await?
        .iter()
        .filter(|r| r.0.is_none())
        .map(|r| r.1)
        .sum();
    if room > 0 {
        record(
            db,
            &pay,
            Record {
                order_id,
                key,
                reason,
                requested_by: None,
                split: vec![(None, room)],
                done_at_provider: false,
            },
        )
        .await?;
    }
    Ok(())
}

/// Stripe reports the charge refunded `total` in all (`charge.refunded`). Refunds made
/// elsewhere (Stripe's dashboard) are booked for the difference, as done; ours are already in.
pub(crate) async fn provider_refunded(
    db: &impl ConnectionTrait,
    pay: &payment::Model,
    total: i64,
    event_id: &str,
) -> Result<bool> {
    let extra = total - pay.refunded;
    if extra <= 0 {
        return Ok(false);
    }
    let available = refundable(db, pay.order_id).await?;
    let parts = split(&available, extra);
    if parts.is_empty() {
        return Ok(false);
    }
    record(
        db,
        pay,
        Record {
            order_id: pay.order_id,
            key: format!("sys:stripe:{event_id}"),
            reason: "Hoàn tiền trên Stripe",
            requested_by: None,
            split: parts,
            done_at_provider: true,
        },
    )
    .await?;
    Ok(true)
}

/// `refundCreate`: ADMIN refunds any order; a producer's OWNER refunds its own parts. Without
/// `amount`, everything still refundable in that scope is refunded, and the scope's parts not
/// yet shipped are cancelled (their units go back to their lots). With `amount`, money only.
/// A retry with the same key returns the order as it is.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    providers: &Providers,
    viewer: &Viewer,
    order_id: OrderId,
    key: &str,
    amount: Option<i64>,
    reason: &str,
) -> Result<order::Model> {
    let uid = viewer.require_user()?;
    let key = key.trim();
    if key.is_empty() || key.len() > 100 {
        return Err(Error::invalid(
            &["idempotencyKey"],
            Problem::IdempotencyKeyLength,
        ));
    }
    let reason =
        text(reason, 500, Label::RefundReason).map_err(|m| Error::invalid(&["reason"], m))?;
    if amount.is_some_and(|a| a <= 0) {
        return Err(Error::invalid(
            &["amount"],
            Problem::RefundAmountNotPositive,
        ));
    }
    let o = crate::lifecycle::get_order(db, order_id).await?;
    let parts = seller_order::Entity::find()
        .filter(seller_order::Column::OrderId.eq(o.id))
        .order_by_asc(seller_order::Column::Id)
        .all(db)
        .await?;
    let scope: Vec<&seller_order::Model> = if viewer.is_admin {
        parts.iter().collect()
    } else {
        let mut mine = Vec::new();
        for p in &parts {
            if catalog::access::role(db, uid, ProducerId(p.producer_id)).await?
                == Some(catalog::entity::MemberRole::Owner)
            {
                mine.push(p);
            }
        }
        if mine.is_empty() {
            return Err(Error::forbidden());
        }
        mine
    };
    let stored_key = format!("user:{key}");
    let txn = db.begin().await?;
    let pay = lock_payment(&txn, o.id).await?;
    if let Some(existing) = refund::Entity::find()
        .filter(refund::Column::OrderId.eq(o.id))
        .filter(refund::Column::IdempotencyKey.eq(stored_key.clone()))
        .one(&txn)
        .await?
    {
        txn.commit().await?;
        if amount.is_some_and(|a| a != existing.amount) {
            return Err(Error::code(
                ErrorCode::IdempotencyKeyReused,
                &["idempotencyKey"],
                Problem::RefundKeyReused,
            ));
        }
        run(db, providers, existing.id).await;
        return crate::lifecycle::get_order(db, order_id).await;
    }
    let in_scope = |part: &Option<i64>| match part {
        Some(id) => scope.iter().any(|p| p.id == *id),
        None => viewer.is_admin,
    };
    let available: Vec<(Option<i64>, i64)> = refundable(&txn, o.id)
        .await?
        .into_iter()
        .filter(|(part, _)| in_scope(part))
        .collect();
    let room: i64 = available.iter().map(|r| r.1).sum();
    if room == 0 {
        return Err(Error::code(
            ErrorCode::InvalidState,
            &["orderId"],
            Problem::NothingToRefund,
        ));
    }
    let want = amount.unwrap_or(room);
    if want > room {
        return Err(Error::invalid(
            &["amount"],
            Problem::RefundTooLarge { available: room },
        ));
    }
    let refund = record(
        &txn,
        &pay,
        Record {
            order_id: o.id,
            key: stored_key,
            reason: &reason,
            requested_by: Some(uid),
            split: split(&available, want),
            done_at_provider: false,
        },
    )
    .await?;
    if amount.is_none() {
        let unshipped: Vec<i64> = scope
            .iter()
            .filter(|p| matches!(p.status, OrderStatus::Confirmed | OrderStatus::Packed))
            .map(|p| p.id)
            .collect();
        crate::lifecycle::cancel_parts(&txn, &unshipped, &reason).await?;
    }
    crate::lifecycle::refresh(&txn, o.id).await?;
    txn.commit().await?;
    run(db, providers, refund.id).await;
    crate::lifecycle::get_order(db, order_id).await
}

/// Sends a PENDING card refund to Stripe (the key is derived from the refund row, so a retry
/// refunds once) and marks it SUCCEEDED; anything else is left for the next try. Never fails
/// the caller: the refund is already recorded.
pub async fn run(db: &impl ConnectionTrait, providers: &Providers, refund_id: i64) {
    if let Err(e) = try_run(db, providers, refund_id).await {
        tracing::warn!(refund_id, error = %e, "card refund not sent yet; it will be retried");
    }
}

async fn try_run(
    db: &impl ConnectionTrait,
    providers: &Providers,
    refund_id: i64,
) -> std::result::Result<(), String> {
    let db_err = |e: sea_orm::DbErr| e.to_string();
    let Some(r) = refund::Entity::find_by_id(refund_id)
        .one(db)
        .await
        .map_err(db_err)?
    else {
        return Ok(());
    };
    if r.status != RefundStatus::Pending {
        return Ok(());
    }
    let Some(pay) = payment::Entity::find_by_id(r.payment_id)
        .one(db)
        .await
        .map_err(db_err)?
    else {
        return Ok(());
    };
    let (Some(gateway), Some(intent)) = (providers.stripe.as_deref(), pay.reference.as_deref())
    else {
        return Err("no card gateway for a pending refund".into());
    };
    let key = format!("cho-ocop-refund-{}-{}", r.order_id, r.idempotency_key);
    let done = gateway
        .refund(&RefundRequest {
            intent_id: intent,
            amount: r.amount,
            idempotency_key: &key,
        })
        .await
        .map_err(|e| e.to_string())?;
    let mut a: refund::ActiveModel = r.into();
    a.provider_ref = Set(Some(done.id));
    if done.succeeded {
        a.status = Set(RefundStatus::Succeeded);
    }
    a.updated_at = Set(Utc::now());
    a.update(db).await.map_err(db_err)?;
    Ok(())
}

/// The card refunds of an order still waiting for Stripe: sent after a cancellation commits.
pub async fn run_pending_of_order(db: &impl ConnectionTrait, providers: &Providers, order_id: i64) {
    let pending = refund::Entity::find()
        .filter(refund::Column::OrderId.eq(order_id))
        .filter(refund::Column::Status.eq(RefundStatus::Pending))
        .all(db)
        .await;
    match pending {
        Ok(rows) => {
            for r in rows {
                run(db, providers, r.id).await;
            }
        }
        Err(e) => tracing::warn!(order_id, error = %e, "reading pending refunds failed"),
    }
}

/// The job: card refunds still PENDING a minute after they were recorded (Stripe was down,
/// or the server stopped between the commit and the call) are sent again. Several replicas
/// may run it at once: Stripe's idempotency key makes a refund sent twice happen once.
pub async fn retry_pending(db: &impl ConnectionTrait, providers: &Providers) -> Result<usize> {
    let cutoff = Utc::now() - Duration::minutes(1);
    let rows = refund::Entity::find()
        .filter(refund::Column::Status.eq(RefundStatus::Pending))
        .filter(refund::Column::UpdatedAt.lt(cutoff))
        .order_by_asc(refund::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    let n = rows.len();
    for r in rows {
        run(db, providers, r.id).await;
    }
    Ok(n)
}

/// The refunds of an order, oldest first.
pub async fn of_order(db: &impl ConnectionTrait, order_id: i64) -> Result<Vec<refund::Model>> {
    Ok(refund::Entity::find()
        .filter(refund::Column::OrderId.eq(order_id))
        .order_by_asc(refund::Column::Id)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn a_refund_fills_parts_in_order_and_never_more_than_each_can_give() {
        let avail = [(None, 5_000), (Some(1), 100_000), (Some(2), 30_000)];
        assert_eq!(split(&avail, 4_000), vec![(None, 4_000)]);
        assert_eq!(
            split(&avail, 50_000),
            vec![(None, 5_000), (Some(1), 45_000)]
        );
        assert_eq!(
            split(&avail, 135_000),
            vec![(None, 5_000), (Some(1), 100_000), (Some(2), 30_000)]
        );
    }
}
