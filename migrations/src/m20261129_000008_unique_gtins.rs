use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A GTIN names one trade item of one brand owner: it belongs to one variant on the whole
/// platform (several variants may have none). The Digital Link resolver and EPCIS then find
/// exactly one. A database that already holds a GTIN twice stops here, and the operator must
/// decide whose it is.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
CREATE UNIQUE INDEX variants_gtin_key ON variants (gtin);
"#,
        )
        .await
    }
}
