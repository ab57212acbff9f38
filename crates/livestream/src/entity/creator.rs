use sea_orm::entity::prelude::*;

/// A user's application to sell as a creator, and ADMIN's decision. One per user.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "creators")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub legal_name: String,
    /// HMAC-SHA256 of the ID number under the server's key: the same person applying from two
    /// accounts is found; the number itself is not kept.
    pub id_number_hash: String,
    pub id_number_last4: String,
    pub phone: String,
    /// The channels' URLs, as a JSON array.
    pub channels: String,
    pub status: CreatorStatus,
    pub review_note: Option<String>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

kernel::stored_enum! {
    pub enum CreatorStatus {
        Pending = "PENDING",
        Verified = "VERIFIED",
        Rejected = "REJECTED",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
