use sea_orm::entity::prelude::*;

/// A variant offered in a live session, at a live price, up to a cap.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "live_offers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub session_id: i64,
    pub variant_id: i64,
    /// The variant's producer.
    pub producer_id: i64,
    /// Whole đồng.
    pub live_price: i64,
    pub quantity_cap: i64,
    pub quantity_sold: i64,
    pub per_buyer_limit: Option<i64>,
    pub added_by: i64,
    pub created_at: DateTimeUtc,
    /// When a sale or a cancellation last moved `quantity_sold`.
    pub stock_changed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
