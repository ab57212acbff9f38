use sea_orm::entity::prelude::*;

/// One movement of money, in đồng; never updated or deleted. The BUYER account follows the
/// money of an order's payment (captured and cash collected are positive, refunds negative);
/// the PRODUCER account is what the platform owes a producer (a completed part's sale, less
/// the platform fee and refunds).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account: Account,
    pub kind: EntryKind,
    pub order_id: i64,
    pub seller_order_id: Option<i64>,
    pub producer_id: Option<i64>,
    pub refund_id: Option<i64>,
    pub amount: i64,
    pub created_at: DateTimeUtc,
}

kernel::stored_enum! {
    pub enum Account {
        Buyer = "BUYER",
        Producer = "PRODUCER",
    }
}

kernel::stored_enum! {
    pub enum EntryKind {
        /// Money taken by a provider (card, VNPay, bank transfer).
        Captured = "CAPTURED",
        /// Cash collected on delivery of a part.
        CashCollected = "CASH_COLLECTED",
        /// Money given back to the buyer (negative), or charged back to the producer.
        Refunded = "REFUNDED",
        /// A completed part's goods and shipping, owed to its producer.
        Sale = "SALE",
        /// The platform's fee on a completed part (negative).
        PlatformFee = "PLATFORM_FEE",
        /// What a completed part's creators earn (negative), and later changes to it.
        Commission = "COMMISSION",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
