use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Creators: one application per user, verified by ADMIN before they sell. The personal ID
/// number is kept only as a keyed hash (unique: one person, one creator account) and its last
/// four digits.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
CREATE TABLE creators (
    user_id BIGINT PRIMARY KEY REFERENCES users (id),
    legal_name TEXT NOT NULL,
    id_number_hash TEXT NOT NULL,
    id_number_last4 TEXT NOT NULL,
    phone TEXT NOT NULL,
    channels TEXT NOT NULL,
    status TEXT NOT NULL,
    review_note TEXT,
    reviewed_by BIGINT REFERENCES users (id),
    reviewed_at {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT creators_id_number_key UNIQUE (id_number_hash)
);
CREATE INDEX creators_status_idx ON creators (status, user_id);
CREATE INDEX creators_reviewed_by_idx ON creators (reviewed_by);
"#,
        )
        .await
    }
}
