use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each lot keeps the head of its event chain — how many events and the last one's hash —
/// written in the same transaction as each event, so deleting the chain's tail (say, its
/// recall) no longer leaves a chain that checks out. Existing lots get their heads from the
/// events they have.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
ALTER TABLE lots ADD COLUMN events_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lots ADD COLUMN head_hash TEXT;
UPDATE lots SET
    events_count = (SELECT COUNT(*) FROM trace_events e WHERE e.lot_id = lots.id),
    head_hash = (SELECT e.hash FROM trace_events e WHERE e.lot_id = lots.id ORDER BY e.seq DESC LIMIT 1);
"#,
        )
        .await
    }
}
