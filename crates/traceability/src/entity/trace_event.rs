use sea_orm::entity::prelude::*;

/// One step in a lot's life. Append-only: `hash = sha256(canonical event ‖ prev_hash)`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trace_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub lot_id: i64,
    /// 1, 2, 3… per lot; `UNIQUE (lot_id, seq)` keeps the chain linear under concurrency.
    pub seq: i32,
    pub biz_step: String,
    pub disposition: Option<String>,
    /// RFC 3339 with the offset the recorder gave.
    pub event_time: String,
    /// The same instant in UTC, for filtering in SQL (not hashed: `event_time` is).
    pub event_at: DateTimeUtc,
    pub record_time: DateTimeUtc,
    pub location: String,
    pub note: Option<String>,
    /// A JSON object, as text.
    pub data: Option<String>,
    pub recorded_by: Option<i64>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
