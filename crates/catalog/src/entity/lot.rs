use sea_orm::entity::prelude::*;

/// A harvest or production batch: the only way stock enters the platform. Its stock columns
/// are written only by `catalog::stock`; traceability gives lots their codes and events.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub variant_id: i64,
    pub lot_number: String,
    pub produced_on: Date,
    pub expires_on: Option<Date>,
    pub quantity_produced: i64,
    pub quantity_available: i64,
    pub recalled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub trace_code: Option<String>,
    pub origin_province_code: Option<String>,
    pub origin_commune_code: Option<String>,
    pub origin_place: Option<String>,
    pub gln: Option<String>,
    pub recall_reason: Option<String>,
    pub scan_count: i64,
    /// The head of the lot's event chain (written by traceability with each event): how many
    /// events, and the last one's hash.
    pub events_count: i32,
    pub head_hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
