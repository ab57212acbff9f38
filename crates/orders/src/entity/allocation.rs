use sea_orm::entity::prelude::*;

/// Units of an order line taken from one lot: the buyer can trace exactly what they bought.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lot_allocations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_line_id: i64,
    pub lot_id: i64,
    pub quantity: i64,
    /// The units went back to the lot (the order was cancelled or expired).
    pub released: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
