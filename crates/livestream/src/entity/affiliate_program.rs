use sea_orm::entity::prelude::*;

/// A producer's affiliate rate for a product from `starts_at` on; a change is a new row, so
/// an order keeps the rate that was in force when it was placed. 0 turns the program off.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "affiliate_programs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub product_id: i64,
    pub rate_bps: i64,
    pub set_by: i64,
    pub starts_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
