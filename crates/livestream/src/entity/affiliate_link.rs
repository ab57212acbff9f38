use sea_orm::entity::prelude::*;

/// A creator's short link to a product (optionally from one of their live sessions).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "affiliate_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub product_id: i64,
    pub creator_user_id: i64,
    pub live_session_id: Option<i64>,
    /// Clicks, each client counted once an hour.
    pub clicks: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
