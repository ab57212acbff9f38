use sea_orm::entity::prelude::*;

/// A livestream on some platform, hosted by a verified creator or a producer's member.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "live_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub host_user_id: i64,
    /// Set when a producer goes live itself (its member hosts).
    pub producer_id: Option<i64>,
    pub title: String,
    pub platform: Platform,
    pub stream_url: Option<String>,
    pub scheduled_at: DateTimeUtc,
    pub status: LiveStatus,
    pub started_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub pinned_offer_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

kernel::stored_enum! {
    pub enum LiveStatus {
        Scheduled = "SCHEDULED",
        Live = "LIVE",
        Ended = "ENDED",
    }
}

kernel::stored_enum! {
    pub enum Platform {
        Tiktok = "TIKTOK",
        Facebook = "FACEBOOK",
        Youtube = "YOUTUBE",
        Shopee = "SHOPEE",
        Zalo = "ZALO",
        Other = "OTHER",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
