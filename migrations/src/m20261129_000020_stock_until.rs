use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The listing's in-stock filter reads the product row, not its lots.
///
/// `products.stock_until` is the latest expiry date among the product's lots that hold units
/// and are not recalled (`9999-12-31` for a lot that never expires), or NULL when there is no
/// such lot. A product has a sellable lot on `today` exactly when `stock_until >= today`: a
/// lot expiring still takes the product out of stock at midnight with no job having run. The
/// stock module recomputes it in the transaction of every change that can move it — a lot
/// emptied, refilled from zero, inserted or recalled (`catalog::stock::settle`).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
ALTER TABLE products ADD COLUMN stock_until {date};
UPDATE products SET stock_until = (
  SELECT MAX(COALESCE(l.expires_on, '9999-12-31')) FROM lots l JOIN variants v ON v.id = l.variant_id
  WHERE v.product_id = products.id AND l.quantity_available > 0 AND l.recalled_at IS NULL);
"#,
        )
        .await?;
        Ok(())
    }
}
