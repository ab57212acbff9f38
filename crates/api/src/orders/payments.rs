//! How an order is paid: `Payment.bankTransfer` (VietQR), `paymentMethods`, and ADMIN's
//! `paymentsToReview` (money that could not be applied by itself).

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, SimpleObject};
use payments::Providers;

use crate::context::{GqlResult, IdPage, base_url, db, page_cost, viewer};
use crate::errors;
use crate::orders::objects::PaymentMethod;
use crate::scalars::Money;

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
