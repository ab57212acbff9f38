use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ocop_certificates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub producer_id: i64,
    pub product_name: String,
    pub category_code: String,
    pub stars: i32,
    pub score: Option<i32>,
    pub decision_number: String,
    pub issued_by: String,
    pub issued_on: Date,
    pub valid_until: Date,
    pub document_url: Option<String>,
    /// SUBMITTED, VERIFIED, REJECTED or REVOKED. EXPIRED is never stored: it is judged at read
    /// time from `valid_until`, so a certificate expires without anyone pressing a button.
    pub status: CertificateStatus,
    pub review_note: Option<String>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

kernel::stored_enum! {
    pub enum CertificateStatus {
        Submitted = "SUBMITTED",
        Verified = "VERIFIED",
        Rejected = "REJECTED",
        Revoked = "REVOKED",
        /// Never stored: what a VERIFIED certificate past `valid_until` is called.
        Expired = "EXPIRED",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
