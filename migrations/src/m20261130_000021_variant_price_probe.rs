use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A listing with both price bounds asks, per product it walks, whether some variant is priced
/// inside the range. `(product_id, price)` answers that from the index: the probe is one range
/// of one product's prices, not a read of each of its variant rows.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            "CREATE INDEX variants_product_price_idx ON variants (product_id, price);\n",
        )
        .await?;
        Ok(())
    }
}
