//! The books: every movement of money is one append-only row of `ledger_entries`, written in
//! the same transaction as the change that moved it, so the books and the orders never
//! disagree. Two accounts:
//!
//! - BUYER, per order: CAPTURED (a provider took the money, split over the parts it paid for)
//!   and CASH_COLLECTED (a part delivered cash on delivery) are positive, REFUNDED negative.
//!   Their sum for an order is always its payment's `captured − refunded`.
//! - PRODUCER: when a part completes, SALE (its goods and shipping), PLATFORM_FEE (negative:
//!   the rate in force when the order was placed, on the part's goods and shipping) and
//!   REFUNDED (negative: what was refunded of that part before) and COMMISSION (negative: what
//!   its creators earn, `commissions`); later refunds of a completed part, and the commission
//!   they take back, are booked at once. The sum is what the platform owes the producer.

use chrono::{DateTime, NaiveDate, Utc};
use kernel::id::ProducerId;
use kernel::problem::Problem;
use kernel::sql::Sql;
use kernel::{Error, Result, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use crate::entity::ledger_entry::{self, Account, EntryKind};
use crate::entity::{OrderStatus, seller_order};

/// `amount × bps / 10 000`, rounded half up to the đồng.
pub fn fee(amount: i64, bps: i64) -> i64 {
    (amount * bps + 5_000).div_euclid(10_000)
}

/// A part's goods and shipping.
pub fn part_total(part: &seller_order::Model) -> i64 {
    part.subtotal + part.shipping
}

pub(crate) struct Entry {
    pub account: Account,
    pub kind: EntryKind,
    pub order_id: i64,
    pub part: Option<(i64, i64)>,
    pub refund_id: Option<i64>,
    pub amount: i64,
}

pub(crate) async fn post(db: &impl ConnectionTrait, e: Entry) -> Result<()> {
    ledger_entry::ActiveModel {
        account: Set(e.account),
        kind: Set(e.kind),
        order_id: Set(e.order_id),
        seller_order_id: Set(e.part.map(|p| p.0)),
        producer_id: Set(e.part.map(|p| p.1)),
        refund_id: Set(e.refund_id),
        amount: Set(e.amount),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Adds to a payment's captured or refunded money: one relative UPDATE, under the caller's
/// transaction (and its lock on the payment row).
pub(crate) async fn bump(
    db: &impl ConnectionTrait,
    payment_id: i64,
    captured: i64,
    refunded: i64,
) -> Result<()> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE payments SET captured = captured + ")
        .bind(captured)
        .push(", refunded = refunded + ")
        .bind(refunded)
        .push(", updated_at = ")
        .bind(Utc::now())
        .push(" WHERE id = ")
        .bind(payment_id);
    db.execute_raw(q.build()).await?;
    Ok(())
}

/// A provider took `amount` for the order: CAPTURED over its live parts, each its goods and
/// shipping; whatever is left over (the order shrank after the amount was fixed) is captured
/// for the order as a whole. Returns the leftover, which the caller refunds.
pub(crate) async fn capture(
    db: &impl ConnectionTrait,
    payment_id: i64,
    order_id: i64,
    amount: i64,
) -> Result<i64> {
    let parts = seller_order::Entity::find()
        .filter(seller_order::Column::OrderId.eq(order_id))
        .filter(seller_order::Column::Status.ne(OrderStatus::Cancelled))
        .order_by_asc(seller_order::Column::Id)
        .all(db)
        .await?;
    let mut left = amount;
    for p in &parts {
        let share = part_total(p).min(left);
        if share > 0 {
            post(
                db,
                Entry {
                    account: Account::Buyer,
                    kind: EntryKind::Captured,
                    order_id,
                    part: Some((p.id, p.producer_id)),
                    refund_id: None,
                    amount: share,
                },
            )
            .await?;
            left -= share;
            crate::commissions::accrue(db, p).await?;
        }
    }
    if left > 0 {
        post(
            db,
            Entry {
                account: Account::Buyer,
                kind: EntryKind::Captured,
                order_id,
                part: None,
                refund_id: None,
                amount: left,
            },
        )
        .await?;
    }
    bump(db, payment_id, amount, 0).await?;
    Ok(left)
}

/// A COD part was delivered: its cash was collected.
pub(crate) async fn cash_collected(
    db: &impl ConnectionTrait,
    payment_id: i64,
    part: &seller_order::Model,
) -> Result<()> {
    post(
        db,
        Entry {
            account: Account::Buyer,
            kind: EntryKind::CashCollected,
            order_id: part.order_id,
            part: Some((part.id, part.producer_id)),
            refund_id: None,
            amount: part_total(part),
        },
    )
    .await?;
    crate::commissions::accrue(db, part).await?;
    bump(db, payment_id, part_total(part), 0).await
}

/// Per part of an order (and `None` for the order as a whole): money paid and refunded.
pub(crate) async fn paid_by_part(
    db: &impl ConnectionTrait,
    order_id: i64,
) -> Result<Vec<(Option<i64>, i64, i64)>> {
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::OrderId.eq(order_id))
        .filter(ledger_entry::Column::Account.eq(Account::Buyer))
        .all(db)
        .await?;
    let mut out: Vec<(Option<i64>, i64, i64)> = Vec::new();
    for e in entries {
        let i = match out.iter().position(|r| r.0 == e.seller_order_id) {
            Some(i) => i,
            None => {
                out.push((e.seller_order_id, 0, 0));
                out.len() - 1
            }
        };
        if e.kind == EntryKind::Refunded {
            out[i].2 -= e.amount;
        } else {
            out[i].1 += e.amount;
        }
    }
    out.sort_by_key(|r| (r.0.is_none(), r.0));
    Ok(out)
}

/// What was refunded of a part so far.
pub(crate) async fn refunded_of(
    db: &impl ConnectionTrait,
    part: &seller_order::Model,
) -> Result<i64> {
    Ok(paid_by_part(db, part.order_id)
        .await?
        .iter()
        .filter(|r| r.0 == Some(part.id))
        .map(|r| r.2)
        .sum())
}

/// A part completed: its producer is owed its goods and shipping, less the fee, whatever was
/// refunded of it already, and its creators' commissions.
pub(crate) async fn completed(db: &impl ConnectionTrait, part: &seller_order::Model) -> Result<()> {
    let producer = Some((part.id, part.producer_id));
    let refunded = refunded_of(db, part).await?;
    let mut entries = vec![(EntryKind::Sale, part_total(part))];
    if part.platform_fee > 0 {
        entries.push((EntryKind::PlatformFee, -part.platform_fee));
    }
    if refunded > 0 {
        entries.push((EntryKind::Refunded, -refunded));
    }
    let owed = crate::commissions::part_completed(db, part).await?;
    if owed > 0 {
        entries.push((EntryKind::Commission, -owed));
    }
    for (kind, amount) in entries {
        post(
            db,
            Entry {
                account: Account::Producer,
                kind,
                order_id: part.order_id,
                part: producer,
                refund_id: None,
                amount,
            },
        )
        .await?;
    }
    Ok(())
}

/// One line of a producer's statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub entry: ledger_entry::Model,
    pub order_number: String,
    /// The balance after this line.
    pub balance: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// What the platform owed the producer before `from`.
    pub opening: i64,
    pub lines: Vec<StatementLine>,
    /// What it owes after the last line.
    pub closing: i64,
}

/// `producerStatement`: the producer's account from the start of `from` to the end of `to`
/// (days in Asia/Ho_Chi_Minh, at most 366 of them), for its members and ADMIN.
pub async fn producer_statement(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    producer: ProducerId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Statement> {
    viewer.require_user()?;
    catalog::access::require_member(db, viewer, producer).await?;
    if to < from || (to - from).num_days() > 365 {
        return Err(Error::invalid(&["to"], Problem::StatementRange));
    }
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(kernel::time::vn_offset()).single())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| Error::invalid(&["from"], Problem::StatementRange))
    };
    let end = to
        .succ_opt()
        .ok_or_else(|| Error::invalid(&["to"], Problem::StatementRange))?;
    statement(db, producer.get(), start(from)?, start(end)?).await
}

/// The producer's account between two instants, with a running balance.
pub async fn statement(
    db: &impl ConnectionTrait,
    producer_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Statement> {
    let mut q = Sql::new(db.get_database_backend());
    q.push(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS n FROM ledger_entries WHERE account = ",
    )
    .bind(Account::Producer.as_str())
    .push(" AND producer_id = ")
    .bind(producer_id)
    .push(" AND created_at < ")
    .bind(from);
    let opening: i64 = match db.query_one_raw(q.build()).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::Account.eq(Account::Producer))
        .filter(ledger_entry::Column::ProducerId.eq(producer_id))
        .filter(ledger_entry::Column::CreatedAt.gte(from))
        .filter(ledger_entry::Column::CreatedAt.lt(to))
        .order_by_asc(ledger_entry::Column::CreatedAt)
        .order_by_asc(ledger_entry::Column::Id)
        .all(db)
        .await?;
    let mut ids: Vec<i64> = entries.iter().map(|e| e.order_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let numbers: std::collections::HashMap<i64, String> = if ids.is_empty() {
        Default::default()
    } else {
        crate::entity::order::Entity::find()
            .filter(crate::entity::order::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.number))
            .collect()
    };
    let mut balance = opening;
    let lines = entries
        .into_iter()
        .map(|entry| {
            balance += entry.amount;
            StatementLine {
                order_number: numbers.get(&entry.order_id).cloned().unwrap_or_default(),
                entry,
                balance,
            }
        })
        .collect();
    Ok(Statement {
        opening,
        lines,
        closing: balance,
    })
}

#[cfg(test)]
mod tests {
    use super::fee;

    #[test]
    fn fees_round_half_up_to_the_dong() {
        assert_eq!(fee(125_000, 0), 0);
        assert_eq!(fee(125_000, 250), 3_125);
        assert_eq!(fee(10_001, 50), 50); // 50.005 → 50
        assert_eq!(fee(10_100, 50), 51); // 50.5 → 51
        assert_eq!(fee(1, 10_000), 1);
    }
}
