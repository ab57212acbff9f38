use sea_orm::entity::prelude::*;

/// What a creator earns on one attributed order line: the rate in force when the order was
/// placed, on what the buyer paid for the line less its share of refunds. Every change of
/// `amount` is one `commission_entries` row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commissions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_line_id: i64,
    pub order_id: i64,
    pub seller_order_id: i64,
    pub producer_id: i64,
    pub creator_user_id: i64,
    pub rate_bps: i64,
    pub amount: i64,
    pub status: CommissionStatus,
    /// When the line's part completed: the return window runs from here.
    pub part_completed_at: Option<DateTimeUtc>,
    pub payable_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

kernel::stored_enum! {
    pub enum CommissionStatus {
        /// Accrued on money paid; the part may still be cancelled or refunded.
        Pending = "PENDING",
        /// The part completed and the return window passed: owed to the creator.
        Payable = "PAYABLE",
        /// Paid out to the creator (payouts are made outside Chợ OCOP for now).
        Paid = "PAID",
        /// The line was cancelled or refunded whole: nothing is owed.
        Voided = "VOIDED",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
