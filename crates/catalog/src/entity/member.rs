use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "producer_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub producer_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub role: MemberRole,
    pub created_at: DateTimeUtc,
}

kernel::stored_enum! {
    /// A member's role in a producer: the OWNER manages members; STAFF manage products.
    pub enum MemberRole {
        Owner = "OWNER",
        Staff = "STAFF",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
