use sea_orm::entity::prelude::*;

/// One refund request: unique per order and idempotency key, so a retried request is one
/// refund. Its split over the order's parts is in the ledger.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refunds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub payment_id: i64,
    pub idempotency_key: String,
    pub amount: i64,
    pub reason: String,
    pub status: RefundStatus,
    /// Stripe's refund id, once Stripe has it.
    pub provider_ref: Option<String>,
    pub requested_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

kernel::stored_enum! {
    pub enum RefundStatus {
        /// Recorded; Stripe has not confirmed it yet (retried until it does).
        Pending = "PENDING",
        Succeeded = "SUCCEEDED",
        /// VNPay, bank transfer or cash: ADMIN pays it back by hand.
        Manual = "MANUAL",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
