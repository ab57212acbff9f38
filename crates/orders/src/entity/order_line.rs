use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub seller_order_id: i64,
    pub variant_id: i64,
    pub quantity: i64,
    pub unit_price: i64,
    pub total: i64,
    /// The live offer whose price the line got.
    pub live_offer_id: Option<i64>,
    /// The live session the line was bought from (its offer's, or its affiliate link's).
    pub live_session_id: Option<i64>,
    /// The creator the line is attributed to.
    pub creator_user_id: Option<i64>,
    /// The affiliate rate in force when the order was placed; `None` when nobody earns on it.
    pub commission_bps: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
