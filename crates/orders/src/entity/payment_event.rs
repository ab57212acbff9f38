use sea_orm::entity::prelude::*;

/// One report of money from a provider (a SePay transfer, a VNPay IPN), kept whatever became
/// of it. `(provider, external_id)` is unique: the same transaction reported twice is one row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub provider: String,
    pub external_id: String,
    pub payment_id: Option<i64>,
    pub amount: i64,
    /// `orders::payments::Outcome` as text.
    pub outcome: String,
    pub needs_review: bool,
    /// The report as received.
    pub detail: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
