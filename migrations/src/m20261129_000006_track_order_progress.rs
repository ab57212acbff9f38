use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Seller orders remember when they shipped, were delivered or cancelled (and why); an
/// allocation is marked released when its units go back to their lot, so stock can never be
/// returned twice.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
ALTER TABLE seller_orders ADD COLUMN shipped_at {ts};
ALTER TABLE seller_orders ADD COLUMN delivered_at {ts};
ALTER TABLE seller_orders ADD COLUMN cancelled_at {ts};
ALTER TABLE seller_orders ADD COLUMN cancel_reason TEXT;
ALTER TABLE lot_allocations ADD COLUMN released BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX seller_orders_delivered_idx ON seller_orders (status, delivered_at);
CREATE INDEX orders_status_created_idx ON orders (status, created_at);
"#,
        )
        .await
    }
}
