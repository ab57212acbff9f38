use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "producers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub kind: ProducerKind,
    pub tax_code: Option<String>,
    pub province_code: String,
    pub commune_code: Option<String>,
    pub address: String,
    pub phone: Option<String>,
    /// Whether the public sees `phone`.
    pub phone_public: bool,
    pub description: Option<String>,
    pub verified: bool,
    pub verified_at: Option<DateTimeUtc>,
    pub search_text: String,
    pub created_at: DateTimeUtc,
}

kernel::stored_enum! {
    /// The legal form of an OCOP producer (chủ thể OCOP).
    pub enum ProducerKind {
        Cooperative = "COOPERATIVE",
        Enterprise = "ENTERPRISE",
        CooperativeGroup = "COOPERATIVE_GROUP",
        HouseholdBusiness = "HOUSEHOLD_BUSINESS",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
