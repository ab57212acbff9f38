use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each trace event keeps its instant in UTC beside the RFC 3339 text it was recorded with
/// (which keeps the recorder's offset and is what the chain hashes), so EPCIS filters by time
/// in SQL instead of reading every event of the lots in memory. Existing events get theirs
/// from their text.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
ALTER TABLE trace_events ADD COLUMN event_at {ts};
"#,
        )
        .await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, event_time, record_time FROM trace_events WHERE event_at IS NULL",
            ))
            .await?;
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let text: String = row.try_get("", "event_time")?;
            let at = match chrono::DateTime::parse_from_rfc3339(&text) {
                Ok(t) => t.with_timezone(&chrono::Utc),
                Err(_) => row.try_get::<chrono::DateTime<chrono::Utc>>("", "record_time")?,
            };
            let update = Query::update()
                .table(Alias::new("trace_events"))
                .value(Alias::new("event_at"), at)
                .and_where(Expr::col(Alias::new("id")).eq(id))
                .to_owned();
            db.execute_raw(backend.build(&update)).await?;
        }
        exec_script(
            manager,
            r#"
CREATE INDEX trace_events_lot_event_at_idx ON trace_events (lot_id, event_at);
"#,
        )
        .await
    }
}
