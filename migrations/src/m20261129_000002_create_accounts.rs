use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
CREATE TABLE users (
    id {pk},
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at {ts} NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);
"#,
        )
        .await
    }
}
