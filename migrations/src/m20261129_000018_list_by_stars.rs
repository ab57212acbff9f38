use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A product keeps its certificate's stars (a certificate's stars never change once
/// submitted), so "most stars first" and a star floor walk an index on products instead of
/// sorting the whole catalog joined to its certificates.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
ALTER TABLE products ADD COLUMN stars INTEGER NOT NULL DEFAULT 0;
UPDATE products SET stars = (SELECT c.stars FROM ocop_certificates c WHERE c.id = products.certificate_id);
CREATE INDEX products_status_stars_idx ON products (status, stars, id);
"#,
        )
        .await
    }
}
