//! Money after checkout. Checkout asks [`start`] what the buyer needs in order to pay (a VNPay
//! URL, or a reference for a VietQR transfer); providers' reports come back through
//! [`settle`], which applies each report once (its provider's id is unique in
//! `payment_events`), only for the amount due, and only while the order still waits for
//! payment — or, for an order that expired unpaid, when its units can be taken again. Anything
//! else — a wrong amount, an unknown reference, money after the order was cancelled or its
//! units sold, a second payment — is recorded and kept for ADMIN to review, never applied
//! silently.

use chrono::{Duration, Utc};
use kernel::error::is_unique_violation;
use kernel::id::OrderId;
use kernel::problem::Problem;
use kernel::sql::Sql;
use kernel::{Error, ErrorCode, Result};
use payments::Providers;
use payments::stripe::IntentRequest;
use payments::vnpay::PayRequest;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use crate::entity::{
    OrderStatus, PaymentMethod, PaymentStatus, order, order_line, payment, payment_event,
    seller_order,
};

/// The methods this server can take: cash always; cards, VNPay and bank transfer when
/// configured.
pub fn available(providers: &Providers) -> Vec<PaymentMethod> {
    let mut out = vec![PaymentMethod::Cod];
    if providers.stripe().is_some() {
        out.push(PaymentMethod::Stripe);
    }
    if providers.vnpay.is_some() {
        out.push(PaymentMethod::Vnpay);
    }
    if providers.bank_transfer().is_some() {
        out.push(PaymentMethod::BankTransfer);
    }
    out
}

/// Refuses a method this server cannot take, before anything is written.
pub fn require_available(providers: &Providers, method: PaymentMethod) -> Result<()> {
    if available(providers).contains(&method) {
        Ok(())
    } else {
        Err(Error::code(
            ErrorCode::PaymentFailed,
            &["input", "paymentMethod"],
            Problem::PaymentMethodUnavailable,
        ))
    }
}

/// What checkout needs to start a payment.
pub struct PaymentStart<'a> {
    pub providers: &'a Providers,
    /// The buyer's address, which VNPay wants.
    pub client_ip: &'a str,
    /// How long the stock is held for an unpaid order.
    pub hold: Duration,
    /// How many orders a buyer may have waiting for payment at once.
    pub max_open_unpaid: i64,
    /// How many units of one variant a buyer's unpaid orders may hold together.
    pub max_unpaid_units: i64,
    /// The platform's fee on new orders, in basis points of each part's goods and shipping.
    pub fee_bps: i64,
}

/// The reference and (for VNPay) the URL of a new order's payment.
pub struct Started {
    pub reference: Option<String>,
    pub redirect_url: Option<String>,
}

/// Prepares collecting `ord.total` by `method`.
pub fn start(ord: &order::Model, method: PaymentMethod, s: &PaymentStart<'_>) -> Started {
    let reference = || payments::vietqr::reference(ord.id, &mut rand::rng());
    match method {
        PaymentMethod::Vnpay => {
            let txn_ref = reference();
            let redirect_url = s.providers.vnpay.as_ref().map(|v| {
                v.pay_url(&PayRequest {
                    txn_ref: &txn_ref,
                    amount: ord.total,
                    order_info: &format!("Thanh toan don hang {}", ord.number),
                    client_ip: s.client_ip,
                    created: ord.created_at,
                    expires: ord.created_at + s.hold,
                })
            });
            Started {
                reference: Some(txn_ref),
                redirect_url,
            }
        }
        PaymentMethod::BankTransfer => Started {
            reference: Some(reference()),
            redirect_url: None,
        },
        PaymentMethod::Cod | PaymentMethod::Stripe => Started {
            reference: None,
            redirect_url: None,
        },
    }
}

/// Creates the PaymentIntent of a card order that has none yet (after checkout commits, and
/// again when a checkout is retried after Stripe could not be reached). The key is derived
/// from the order, so Stripe returns the same intent to a retry; the intent is stored only
/// if none was stored meanwhile.
pub async fn start_card(
    db: &impl ConnectionTrait,
    providers: &Providers,
    ord: &order::Model,
) -> Result<()> {
    let Some(pay) = of_order(db, ord.id).await? else {
        return Ok(());
    };
    if pay.method != PaymentMethod::Stripe
        || pay.client_secret.is_some()
        || pay.status != PaymentStatus::Pending
    {
        return Ok(());
    }
    let unavailable = || {
        Error::code(
            ErrorCode::PaymentFailed,
            &["input", "paymentMethod"],
            Problem::CardGatewayUnavailable,
        )
    };
    let gateway = providers.stripe().ok_or_else(unavailable)?;
    let key = format!("cho-ocop-intent-{}-{}", ord.id, ord.number);
    let intent = gateway
        .create_intent(&IntentRequest {
            amount: pay.amount,
            order_number: &ord.number,
            idempotency_key: &key,
        })
        .await
        .map_err(|e| {
            tracing::warn!(order = %ord.number, error = %e, "creating a PaymentIntent failed");
            unavailable()
        })?;
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE payments SET reference = ")
        .bind(intent.id)
        .push(", client_secret = ")
        .bind(intent.client_secret)
        .push(", updated_at = ")
        .bind(Utc::now())
        .push(" WHERE id = ")
        .bind(pay.id)
        .push(" AND client_secret IS NULL");
    db.execute_raw(q.build()).await?;
    Ok(())
}

/// Who reported money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Vnpay,
    Sepay,
    Stripe,
}

impl Provider {
    fn as_str(self) -> &'static str {
        match self {
            Provider::Vnpay => "VNPAY",
            Provider::Sepay => "SEPAY",
            Provider::Stripe => "STRIPE",
        }
    }
}

/// A provider's report of one transaction.
pub struct Report {
    pub provider: Provider,
    /// The provider's own id for the transaction: the same id twice is one transaction.
    pub external_id: String,
    /// The references the report names (a VNPay `TxnRef`, or those found in a transfer text).
    pub references: Vec<String>,
    /// Whole đồng.
    pub amount: i64,
    /// Whether the money was actually taken.
    pub paid: bool,
    /// Whether it came in đồng (a card payment in another currency is never applied).
    pub in_vnd: bool,
    /// The report as received, kept for review.
    pub detail: String,
}

/// What became of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The order is paid: it moved from AWAITING_PAYMENT to CONFIRMED.
    Applied,
    /// This transaction was reported before; nothing changed.
    Duplicate,
    /// The provider says the payment did not go through; the order still waits.
    Failed,
    /// No payment has the reference. For review.
    UnknownReference,
    /// The amount is not the amount due. For review.
    AmountMismatch,
    /// The payment was already settled by another transaction. For review.
    AlreadyPaid,
    /// The order had expired unpaid; its units were still there and were taken again, so it
    /// is paid and confirmed after all.
    Revived,
    /// The order no longer waits for payment (cancelled, or expired and its units sold
    /// since): the money is booked and refunded — by Stripe at once, by hand for VNPay and
    /// bank transfers (for review).
    Late,
    /// A failure reported after the payment succeeded (events out of order): nothing changes.
    Stale,
    /// Stripe reports refunds: those made outside Chợ OCOP are booked.
    RefundRecorded,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "APPLIED",
            Outcome::Revived => "REVIVED",
            Outcome::Duplicate => "DUPLICATE",
            Outcome::Failed => "FAILED",
            Outcome::UnknownReference => "UNKNOWN_REFERENCE",
            Outcome::AmountMismatch => "AMOUNT_MISMATCH",
            Outcome::AlreadyPaid => "ALREADY_PAID",
            Outcome::Late => "LATE",
            Outcome::Stale => "STALE",
            Outcome::RefundRecorded => "REFUND_RECORDED",
        }
    }

    fn needs_review(self, provider: Provider) -> bool {
        match self {
            Outcome::UnknownReference | Outcome::AmountMismatch | Outcome::AlreadyPaid => true,
            // Stripe's refund is automatic; others are paid back by hand.
            Outcome::Late => provider != Provider::Stripe,
            _ => false,
        }
    }
}

/// What became of a report, and the order it named (when it named one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settled {
    pub outcome: Outcome,
    pub order_id: Option<i64>,
}

/// Applies a provider's report, at most once, in one transaction.
pub async fn settle<C: ConnectionTrait + TransactionTrait>(db: &C, r: Report) -> Result<Settled> {
    let txn = db.begin().await?;
    kernel::sql::write_lock(&txn, "payment_events").await?;
    // Claiming the transaction's id first: a second delivery, even at the same moment, waits
    // here for this one to commit and then fails the unique constraint.
    let claimed = claim(&txn, r.provider, &r.external_id, r.amount, r.detail.clone()).await?;
    let Some(event) = claimed else {
        return Ok(Settled {
            outcome: Outcome::Duplicate,
            order_id: None,
        });
    };
    // On PostgreSQL the payment row is locked, so a second transfer for the same order waits
    // and then sees it paid; SQLite's write lock above already serialises writers.
    let mut find = payment::Entity::find()
        .filter(payment::Column::Reference.is_in(r.references.clone()))
        .order_by_asc(payment::Column::Id);
    if txn.get_database_backend() == DbBackend::Postgres {
        find = find.lock_exclusive();
    }
    let pay = find.one(&txn).await?;
    let settled = [
        PaymentStatus::Succeeded,
        PaymentStatus::PartiallyRefunded,
        PaymentStatus::Refunded,
    ];
    let outcome = match &pay {
        None => Outcome::UnknownReference,
        // Stripe may deliver `payment_failed` after `succeeded`: it changes nothing.
        Some(p) if !r.paid && r.provider == Provider::Stripe && settled.contains(&p.status) => {
            Outcome::Stale
        }
        Some(p) if settled.contains(&p.status) || p.captured > 0 => Outcome::AlreadyPaid,
        Some(p) if !r.paid => {
            set_status(&txn, p.id, &[PaymentStatus::Pending], PaymentStatus::Failed).await?;
            Outcome::Failed
        }
        Some(p) if p.amount != r.amount || !r.in_vnd => Outcome::AmountMismatch,
        Some(p) => {
            let paid = [
                PaymentStatus::Pending,
                PaymentStatus::Failed,
                PaymentStatus::Expired,
            ];
            let outcome = if confirm(&txn, p.order_id).await? {
                set_status(&txn, p.id, &paid, PaymentStatus::Succeeded).await?;
                Outcome::Applied
            } else if revive(&txn, p.order_id).await? {
                set_status(&txn, p.id, &paid, PaymentStatus::Succeeded).await?;
                Outcome::Revived
            } else {
                Outcome::Late
            };
            // The books: the money came in. What the order no longer needs (all of it when
            // late; the difference when the order shrank after the amount was fixed) goes back.
            let leftover = crate::ledger::capture(&txn, p.id, p.order_id, r.amount).await?;
            if leftover > 0 {
                crate::refunds::refund_leftover(
                    &txn,
                    p.order_id,
                    format!("sys:leftover:{}", event.id),
                    if outcome == Outcome::Late {
                        "Tiền đến sau khi đơn đã hủy"
                    } else {
                        "Tiền thừa so với giá trị đơn"
                    },
                )
                .await?;
            }
            outcome
        }
    };
    let mut e: payment_event::ActiveModel = event.into();
    e.payment_id = Set(pay.as_ref().map(|p| p.id));
    e.outcome = Set(outcome.as_str().to_owned());
    e.needs_review = Set(outcome.needs_review(r.provider));
    e.update(&txn).await?;
    txn.commit().await?;
    Ok(Settled {
        outcome,
        order_id: pay.map(|p| p.order_id),
    })
}

/// Stripe's `charge.refunded`: the charge of `intent_id` is refunded `total` in all. Applied
/// once per event; refunds made outside Chợ OCOP are booked for the difference.
pub async fn stripe_refunded<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    event_id: &str,
    intent_id: &str,
    total: i64,
    detail: String,
) -> Result<Settled> {
    let txn = db.begin().await?;
    kernel::sql::write_lock(&txn, "payment_events").await?;
    let Some(event) = claim(&txn, Provider::Stripe, event_id, total, detail).await? else {
        return Ok(Settled {
            outcome: Outcome::Duplicate,
            order_id: None,
        });
    };
    let pay = by_reference(&txn, intent_id).await?;
    let outcome = match &pay {
        None => Outcome::UnknownReference,
        Some(p) => {
            let p = crate::refunds::lock_payment(&txn, p.order_id).await?;
            if crate::refunds::provider_refunded(&txn, &p, total, event_id).await? {
                Outcome::RefundRecorded
            } else {
                Outcome::Duplicate
            }
        }
    };
    let mut e: payment_event::ActiveModel = event.into();
    e.payment_id = Set(pay.as_ref().map(|p| p.id));
    e.outcome = Set(outcome.as_str().to_owned());
    e.needs_review = Set(outcome.needs_review(Provider::Stripe));
    e.update(&txn).await?;
    txn.commit().await?;
    Ok(Settled {
        outcome,
        order_id: pay.map(|p| p.order_id),
    })
}

/// Records a provider's report under its unique id; `None` when it was recorded before.
async fn claim(
    db: &impl ConnectionTrait,
    provider: Provider,
    external_id: &str,
    amount: i64,
    detail: String,
) -> Result<Option<payment_event::Model>> {
    let claimed = payment_event::ActiveModel {
        provider: Set(provider.as_str().to_owned()),
        external_id: Set(external_id.to_owned()),
        payment_id: Set(None),
        amount: Set(amount),
        outcome: Set(String::new()),
        needs_review: Set(false),
        detail: Set(detail),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await;
    match claimed {
        Ok(e) => Ok(Some(e)),
        Err(e)
            if is_unique_violation(
                &e,
                "payment_events_provider_external_id_key",
                "payment_events.provider, payment_events.external_id",
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Moves every part of the order from AWAITING_PAYMENT to CONFIRMED (conditional updates:
/// an expiry racing this one wins or loses whole parts, never half); `false` when none was
/// still waiting.
async fn confirm(db: &impl ConnectionTrait, order_id: i64) -> Result<bool> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE seller_orders SET status = ")
        .bind(OrderStatus::Confirmed.as_str())
        .push(", updated_at = ")
        .bind(Utc::now())
        .push(" WHERE order_id = ")
        .bind(order_id)
        .push(" AND status = ")
        .bind(OrderStatus::AwaitingPayment.as_str());
    if db.execute_raw(q.build()).await?.rows_affected() == 0 {
        return Ok(false);
    }
    crate::lifecycle::refresh(db, order_id).await?;
    Ok(true)
}

/// Money for an order that expired unpaid: every part comes back to CONFIRMED and its units
/// are taken again — the same conditional decrements as checkout, first-expiring lot first —
/// all or nothing (a savepoint); `false` when the order was cancelled by someone, or any unit
/// is gone.
async fn revive<C: ConnectionTrait + TransactionTrait>(db: &C, order_id: i64) -> Result<bool> {
    let parts = seller_order::Entity::find()
        .filter(seller_order::Column::OrderId.eq(order_id))
        .all(db)
        .await?;
    let expired = |s: &seller_order::Model| {
        s.status == OrderStatus::Cancelled
            && s.cancel_reason.as_deref() == Some(crate::lifecycle::EXPIRED_REASON)
    };
    if parts.is_empty() || !parts.iter().all(expired) {
        return Ok(false);
    }
    let sp = db.begin().await?;
    let today = kernel::time::today_vn();
    let mut emptied = Vec::new();
    for part in &parts {
        let mut q = Sql::new(sp.get_database_backend());
        q.push("UPDATE seller_orders SET status = ")
            .bind(OrderStatus::Confirmed.as_str())
            .push(", cancelled_at = NULL, cancel_reason = NULL, updated_at = ")
            .bind(Utc::now())
            .push(" WHERE id = ")
            .bind(part.id)
            .push(" AND status = ")
            .bind(OrderStatus::Cancelled.as_str());
        if sp.execute_raw(q.build()).await?.rows_affected() != 1 {
            sp.rollback().await?;
            return Ok(false);
        }
        let lines = order_line::Entity::find()
            .filter(order_line::Column::SellerOrderId.eq(part.id))
            .all(&sp)
            .await?;
        let buyer = crate::lifecycle::get_order(&sp, OrderId(order_id))
            .await?
            .buyer_id;
        for (i, line) in lines.iter().enumerate() {
            if let Some(offer) = line.live_offer_id {
                let taken = match crate::live::installed() {
                    Some(s) => s.reclaim(&sp, offer, buyer, line.quantity).await?,
                    None => false,
                };
                if !taken {
                    sp.rollback().await?;
                    return Ok(false);
                }
            }
            match crate::checkout::take_stock(&sp, line, i, today).await {
                Ok(lots) => emptied.extend(lots),
                Err(Error::InsufficientStock(_)) => {
                    sp.rollback().await?;
                    return Ok(false);
                }
                Err(e) => return Err(e),
            }
        }
    }
    catalog::stock::settle(&sp, &emptied).await?;
    crate::lifecycle::refresh(&sp, order_id).await?;
    sp.commit().await?;
    Ok(true)
}

async fn set_status(
    db: &impl ConnectionTrait,
    payment_id: i64,
    from: &[PaymentStatus],
    to: PaymentStatus,
) -> Result<bool> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE payments SET status = ")
        .bind(to.as_str())
        .push(", updated_at = ")
        .bind(Utc::now())
        .push(" WHERE id = ")
        .bind(payment_id)
        .push(" AND status IN ")
        .bind_list(&from.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    Ok(db.execute_raw(q.build()).await?.rows_affected() == 1)
}

pub async fn payment(db: &impl ConnectionTrait, id: i64) -> Result<Option<payment::Model>> {
    Ok(payment::Entity::find_by_id(id).one(db).await?)
}

/// The payment of an order.
pub async fn of_order(db: &impl ConnectionTrait, order_id: i64) -> Result<Option<payment::Model>> {
    Ok(payment::Entity::find()
        .filter(payment::Column::OrderId.eq(order_id))
        .one(db)
        .await?)
}

/// The payment whose reference this is.
pub async fn by_reference(
    db: &impl ConnectionTrait,
    reference: &str,
) -> Result<Option<payment::Model>> {
    Ok(payment::Entity::find()
        .filter(payment::Column::Reference.eq(reference))
        .one(db)
        .await?)
}

/// Reports kept for review, newest first.
pub async fn to_review(
    db: &impl ConnectionTrait,
    limit: u64,
    before_id: Option<i64>,
) -> Result<Vec<payment_event::Model>> {
    let mut q = payment_event::Entity::find()
        .filter(payment_event::Column::NeedsReview.eq(true))
        .order_by_desc(payment_event::Column::Id)
        .limit(limit);
    if let Some(b) = before_id {
        q = q.filter(payment_event::Column::Id.lt(b));
    }
    Ok(q.all(db).await?)
}
