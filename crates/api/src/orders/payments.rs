//! How an order is paid: `Payment.bankTransfer` (VietQR), `paymentMethods`, and ADMIN's
//! `paymentsToReview` (money that could not be applied by itself).

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, SimpleObject};
use payments::Providers;

use chrono::NaiveDate;

use crate::catalog::objects::{Producer, producer_of};
use crate::context::{GqlResult, IdPage, base_url, db, list_cost, page_cost, viewer};
use crate::errors;
use crate::orders::objects::PaymentMethod;
use crate::scalars::{Date, Money};

/// What a buyer needs to pay by bank transfer: NAPAS VietQR, an EMVCo merchant-presented
/// payload every Vietnamese banking app scans.
#[derive(SimpleObject)]
pub struct BankTransfer {
    pub bank_bin: String,
    pub account_number: String,
    pub account_name: String,
    pub amount: Money,
    /// What the buyer's transfer must say; matched on reconciliation, whatever the bank does
    /// to case and punctuation.
    pub reference: String,
    pub qr_payload: String,
    /// The QR as PNG (`.svg` beside it).
    pub qr_url: String,
}

/// The providers configured on this server.
pub fn providers<'a>(ctx: &Context<'a>) -> &'a Providers {
    ctx.data_unchecked::<Arc<Providers>>()
}

/// The VietQR instructions of an unpaid bank-transfer payment.
pub fn bank_transfer(
    ctx: &Context<'_>,
    order_number: &str,
    p: &orders::entity::payment::Model,
) -> Option<BankTransfer> {
    let account = providers(ctx).bank_transfer()?;
    let reference = p.reference.as_deref()?;
    (p.method == orders::PaymentMethod::BankTransfer).then(|| BankTransfer {
        bank_bin: account.bin().to_owned(),
        account_number: account.number().to_owned(),
        account_name: account.name().to_owned(),
        amount: Money::vnd(p.amount),
        reference: reference.to_owned(),
        qr_payload: payments::vietqr::payload(account, p.amount, reference),
        qr_url: format!(
            "{}/payments/{order_number}/vietqr.png?ref={reference}",
            base_url(ctx)
        ),
    })
}

/// A provider's report of money that was not applied by itself: a wrong amount, an unknown
/// reference, money for an order that no longer waits, a second payment.
pub struct PaymentReview(orders::entity::payment_event::Model);

#[Object]
impl PaymentReview {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// `SEPAY` or `VNPAY`.
    async fn provider(&self) -> &str {
        &self.0.provider
    }
    /// The provider's id of the transaction.
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }
    /// `UNKNOWN_REFERENCE`, `AMOUNT_MISMATCH`, `ALREADY_PAID` or `LATE`.
    async fn outcome(&self) -> &str {
        &self.0.outcome
    }
    async fn amount(&self) -> Money {
        Money::vnd(self.0.amount)
    }
    /// The order the money names, when it names one.
    async fn order(&self, ctx: &Context<'_>) -> GqlResult<Option<crate::orders::objects::Order>> {
        let Some(pid) = self.0.payment_id else {
            return Ok(None);
        };
        let Some(p) = orders::payments::payment(db(ctx), pid)
            .await
            .map_err(errors::top)?
        else {
            return Ok(None);
        };
        crate::orders::objects::visible_order(ctx, p.order_id).await
    }
    /// The report as the provider sent it.
    async fn detail(&self) -> &str {
        &self.0.detail
    }
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
}

#[derive(Default)]
pub struct PaymentsQuery;

#[Object]
impl PaymentsQuery {
    /// The methods this server takes; checkout refuses the others with `PAYMENT_FAILED`.
    async fn payment_methods(&self, ctx: &Context<'_>) -> Vec<PaymentMethod> {
        orders::payments::available(providers(ctx))
            .into_iter()
            .map(Into::into)
            .collect()
    }

    /// ADMIN: provider reports of money that was not applied by itself, newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn payments_to_review(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, PaymentReview>> {
        viewer(ctx).require_admin().map_err(errors::top)?;
        let page = IdPage::new(first, after.as_deref(), "PR")?;
        let rows = orders::payments::to_review(db(ctx), page.fetch(), page.after)
            .await
            .map_err(errors::top)?;
        Ok(page.connection(rows, |e| e.id, PaymentReview))
    }
}

/// What the platform owes a producer over a period: the PRODUCER account of the ledger (a
/// completed part's goods and shipping, less the platform fee and refunds), with a running
/// balance. Also as CSV: `GET /producers/{id}/statement.csv?from=…&to=…`.
pub struct ProducerStatement {
    producer_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    statement: orders::ledger::Statement,
}

/// One movement on a producer's statement.
#[derive(SimpleObject)]
pub struct StatementLine {
    pub at: chrono::DateTime<chrono::Utc>,
    pub order_number: String,
    /// `SALE`, `PLATFORM_FEE`, `REFUNDED` or `COMMISSION`.
    pub kind: String,
    /// The movement in Vietnamese, as the producer reads it.
    pub description: String,
    /// Positive: owed to the producer; negative: deducted.
    pub amount: Money,
    /// What the platform owes the producer after this line.
    pub balance: Money,
}

#[Object]
impl ProducerStatement {
    async fn producer(&self, ctx: &Context<'_>) -> GqlResult<Producer> {
        producer_of(ctx, self.producer_id).await
    }
    async fn from(&self) -> Date {
        Date(self.from)
    }
    async fn to(&self) -> Date {
        Date(self.to)
    }
    /// Owed before the period.
    async fn opening_balance(&self) -> Money {
        Money::vnd(self.statement.opening)
    }
    /// Owed at the end of the period.
    async fn closing_balance(&self) -> Money {
        Money::vnd(self.statement.closing)
    }
    #[graphql(complexity = "list_cost(STATEMENT_LINES_PRICED, child_complexity)")]
    async fn lines(&self) -> Vec<StatementLine> {
        self.statement
            .lines
            .iter()
            .map(|l| StatementLine {
                at: l.entry.created_at,
                order_number: l.order_number.clone(),
                kind: l.entry.kind.as_str().to_owned(),
                description: crate::messages::ledger_kind(l.entry.kind).to_owned(),
                amount: Money::vnd(l.entry.amount),
                balance: Money::vnd(l.balance),
            })
            .collect()
    }
}

/// What a statement's lines are priced at in a query's complexity.
const STATEMENT_LINES_PRICED: usize = 50;

#[derive(Default)]
pub struct StatementQuery;

#[Object]
impl StatementQuery {
    /// The producer's statement from the start of `from` to the end of `to` (days in
    /// Asia/Ho_Chi_Minh, at most 366): for its members and ADMIN.
    async fn producer_statement(
        &self,
        ctx: &Context<'_>,
        producer_id: ID,
        from: Date,
        to: Date,
    ) -> GqlResult<ProducerStatement> {
        let pid = crate::ids::decode(crate::ids::Kind::Producer, &producer_id)
            .ok_or_else(|| errors::top(kernel::Error::Forbidden))?;
        let statement = orders::ledger::producer_statement(
            db(ctx),
            viewer(ctx),
            kernel::id::ProducerId(pid),
            from.0,
            to.0,
        )
        .await
        .map_err(errors::top)?;
        Ok(ProducerStatement {
            producer_id: pid,
            from: from.0,
            to: to.0,
            statement,
        })
    }
}
