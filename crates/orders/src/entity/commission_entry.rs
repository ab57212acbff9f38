use sea_orm::entity::prelude::*;

/// One change of a commission's amount, in đồng; never updated or deleted. A commission's
/// entries always add up to its `amount`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "commission_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub commission_id: i64,
    pub kind: CommissionEntryKind,
    pub amount: i64,
    pub created_at: DateTimeUtc,
}

kernel::stored_enum! {
    pub enum CommissionEntryKind {
        /// The line was paid for (or its cash collected).
        Accrued = "ACCRUED",
        /// A refund on the line's part reduced what it earns (negative).
        Reduced = "REDUCED",
        /// The line's part was cancelled (negative: all that was left).
        Voided = "VOIDED",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
