use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "seller_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub producer_id: i64,
    pub status: super::order::OrderStatus,
    pub subtotal: i64,
    pub shipping: i64,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub shipped_at: Option<DateTimeUtc>,
    pub delivered_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub cancel_reason: Option<String>,
    /// The platform's fee on this part, at the rate in force when the order was placed;
    /// charged to the producer when the part completes.
    pub platform_fee: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
