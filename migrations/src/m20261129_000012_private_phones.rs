use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A producer's phone number is shown to the public only when the producer chose so. Existing
/// producers chose nothing: their numbers become private until they say otherwise.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
ALTER TABLE producers ADD COLUMN phone_public BOOLEAN NOT NULL DEFAULT FALSE;
"#,
        )
        .await
    }
}
