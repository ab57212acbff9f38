//! Creators' commissions on the lines attributed to them. A line carries the affiliate rate in
//! force when the order was placed (`order_lines.commission_bps`); when its part's money is
//! taken (a provider's payment, or a COD part's cash on delivery) it accrues a PENDING
//! commission: what the buyer paid for the line × that rate, rounded half up to the đồng. A
//! refund on the part reduces it pro rata; a cancelled part voids it. When the part completes
//! its producer's account is charged what its creators earn, and once the return window has
//! passed since then the commission is PAYABLE.
//!
//! Every change of a commission is one append-only `commission_entries` row, written in the
//! transaction that caused it and under the payment's lock (every writer of an order's money
//! holds it), so a commission's entries always add up to its amount.

use chrono::{Duration, Utc};
use kernel::Result;
use kernel::sql::Sql;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::entity::commission::{self, CommissionStatus};
use crate::entity::commission_entry::{self, CommissionEntryKind};
use crate::entity::ledger_entry::{Account, EntryKind};
use crate::entity::{OrderStatus, order_line, seller_order};
use crate::ledger::{self, Entry};

/// What a line earns: the rate on the line's amount less its share of what was refunded of
/// its part (shares rounded up, so a commission is never paid on refunded money).
pub fn earned(line_total: i64, rate_bps: i64, part_refunded: i64, part_total: i64) -> i64 {
    let share = if part_total <= 0 {
        line_total
    } else {
        // Ceiling of refunded × line / part, in i128 so large orders cannot overflow.
        let num = i128::from(part_refunded.max(0)) * i128::from(line_total);
        let den = i128::from(part_total);
        i64::try_from((num + den - 1) / den).unwrap_or(i64::MAX)
    };
    ledger::fee((line_total - share.min(line_total)).max(0), rate_bps)
}

async fn entry(
    db: &impl ConnectionTrait,
    commission_id: i64,
    kind: CommissionEntryKind,
    amount: i64,
) -> Result<()> {
    commission_entry::ActiveModel {
        commission_id: Set(commission_id),
        kind: Set(kind),
        amount: Set(amount),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The part's money was taken: each attributed line with a rate accrues its commission, once.
pub(crate) async fn accrue(db: &impl ConnectionTrait, part: &seller_order::Model) -> Result<()> {
    let lines = order_line::Entity::find()
        .filter(order_line::Column::SellerOrderId.eq(part.id))
        .filter(order_line::Column::CreatorUserId.is_not_null())
        .filter(order_line::Column::CommissionBps.gt(0))
        .all(db)
        .await?;
    if lines.is_empty() {
        return Ok(());
    }
    let refunded = ledger::refunded_of(db, part).await?;
    let now = Utc::now();
    for l in lines {
        let (Some(creator), Some(rate)) = (l.creator_user_id, l.commission_bps) else {
            continue;
        };
        let exists = commission::Entity::find()
            .filter(commission::Column::OrderLineId.eq(l.id))
            .one(db)
            .await?;
        if exists.is_some() {
            continue;
        }
        let amount = earned(l.total, rate, refunded, ledger::part_total(part));
        let c = commission::ActiveModel {
            order_line_id: Set(l.id),
            order_id: Set(l.order_id),
            seller_order_id: Set(part.id),
            producer_id: Set(part.producer_id),
            creator_user_id: Set(creator),
            rate_bps: Set(rate),
            amount: Set(amount),
            status: Set(if amount > 0 {
                CommissionStatus::Pending
            } else {
                CommissionStatus::Voided
            }),
            part_completed_at: Set(None),
            payable_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        entry(db, c.id, CommissionEntryKind::Accrued, amount).await?;
    }
    Ok(())
}

/// Brings the part's commissions in line with it after a refund or a cancellation: voided
/// when the part is cancelled, otherwise the rate on what is left of each line. For a part
/// already completed, the difference goes back to (or is charged to) its producer at once.
pub(crate) async fn refresh_part(db: &impl ConnectionTrait, part_id: i64) -> Result<()> {
    let comms = commission::Entity::find()
        .filter(commission::Column::SellerOrderId.eq(part_id))
        .filter(
            commission::Column::Status
                .is_in([CommissionStatus::Pending, CommissionStatus::Payable]),
        )
        .all(db)
        .await?;
    if comms.is_empty() {
        return Ok(());
    }
    let Some(part) = seller_order::Entity::find_by_id(part_id).one(db).await? else {
        return Ok(());
    };
    let cancelled = part.status == OrderStatus::Cancelled;
    let refunded = ledger::refunded_of(db, &part).await?;
    for c in comms {
        let Some(line) = order_line::Entity::find_by_id(c.order_line_id)
            .one(db)
            .await?
        else {
            continue;
        };
        let new = if cancelled {
            0
        } else {
            earned(line.total, c.rate_bps, refunded, ledger::part_total(&part))
        };
        if new == c.amount {
            continue;
        }
        let kind = if cancelled || new == 0 {
            CommissionEntryKind::Voided
        } else {
            CommissionEntryKind::Reduced
        };
        entry(db, c.id, kind, new - c.amount).await?;
        if part.status == OrderStatus::Completed {
            ledger::post(
                db,
                Entry {
                    account: Account::Producer,
                    kind: EntryKind::Commission,
                    order_id: part.order_id,
                    part: Some((part.id, part.producer_id)),
                    refund_id: None,
                    amount: c.amount - new,
                },
            )
            .await?;
        }
        let status = if new == 0 {
            CommissionStatus::Voided
        } else {
            c.status
        };
        let mut a: commission::ActiveModel = c.into();
        a.amount = Set(new);
        a.status = Set(status);
        a.updated_at = Set(Utc::now());
        a.update(db).await?;
    }
    Ok(())
}

/// The part completed: its commissions' return window starts now. Returns what its creators
/// earn, which the producer's account is charged.
pub(crate) async fn part_completed(
    db: &impl ConnectionTrait,
    part: &seller_order::Model,
) -> Result<i64> {
    let now = Utc::now();
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE commissions SET part_completed_at = ")
        .bind(now)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE seller_order_id = ")
        .bind(part.id)
        .push(" AND part_completed_at IS NULL");
    db.execute_raw(q.build()).await?;
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS n FROM commissions WHERE seller_order_id = ")
        .bind(part.id)
        .push(" AND status = ")
        .bind(CommissionStatus::Pending.as_str());
    Ok(match db.query_one_raw(q.build()).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    })
}

/// Makes PAYABLE the pending commissions whose part completed more than `window` ago. One
/// conditional update: safe with every replica's job running it.
pub async fn release_payable(db: &impl ConnectionTrait, window: Duration) -> Result<u64> {
    let now = Utc::now();
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE commissions SET status = ")
        .bind(CommissionStatus::Payable.as_str())
        .push(", payable_at = ")
        .bind(now)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE status = ")
        .bind(CommissionStatus::Pending.as_str())
        .push(" AND part_completed_at <= ")
        .bind(now - window);
    Ok(db.execute_raw(q.build()).await?.rows_affected())
}

/// Whose commissions a listing shows.
pub enum Whose {
    Creator(i64),
    Producer(i64),
}

/// A page of commissions, oldest first (keyset on the id).
pub async fn list(
    db: &impl ConnectionTrait,
    whose: Whose,
    limit: u64,
    after: Option<i64>,
) -> Result<Vec<commission::Model>> {
    let mut q = commission::Entity::find();
    q = match whose {
        Whose::Creator(u) => q.filter(commission::Column::CreatorUserId.eq(u)),
        Whose::Producer(p) => q.filter(commission::Column::ProducerId.eq(p)),
    };
    if let Some(a) = after {
        q = q.filter(commission::Column::Id.gt(a));
    }
    Ok(q.order_by_asc(commission::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// A commission's entries, oldest first.
pub async fn entries(
    db: &impl ConnectionTrait,
    commission_id: i64,
) -> Result<Vec<commission_entry::Model>> {
    Ok(commission_entry::Entity::find()
        .filter(commission_entry::Column::CommissionId.eq(commission_id))
        .order_by_asc(commission_entry::Column::Id)
        .all(db)
        .await?)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<Option<commission::Model>> {
    Ok(commission::Entity::find_by_id(id).one(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_earns_the_rate_on_what_was_paid_rounded_half_up() {
        // 3 × 45.000 ₫ at 7.5 %: 10.125 ₫.
        assert_eq!(earned(135_000, 750, 0, 165_000), 10_125);
        // 10.001 ₫ at 5 %: 500,05 → 500.
        assert_eq!(earned(10_001, 500, 0, 10_001), 500);
        // 10.010 ₫ at 5 %: 500,5 → 501.
        assert_eq!(earned(10_010, 500, 0, 10_010), 501);
    }

    #[test]
    fn a_refund_reduces_pro_rata_and_a_full_refund_leaves_nothing() {
        // The line is 100.000 of a 200.000 ₫ part; 50.000 ₫ refunded: its share is 25.000 ₫.
        assert_eq!(earned(100_000, 1_000, 50_000, 200_000), 7_500);
        assert_eq!(earned(100_000, 1_000, 200_000, 200_000), 0);
        assert_eq!(earned(100_000, 1_000, 999_999, 200_000), 0);
    }

    #[test]
    fn the_share_of_a_refund_is_rounded_against_the_creator() {
        // 1 ₫ refunded of a 3 ₫ part with a 1 ₫ line: the line's share is a whole đồng.
        assert_eq!(earned(1, 10_000, 1, 3), 0);
    }
}
