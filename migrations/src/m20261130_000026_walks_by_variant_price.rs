use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A listing sorted by price with a lower price bound orders each product by its cheapest
/// variant at or above the bound: one walk of the variants in price order, each taken when it
/// is its product's cheapest such variant. Sorted by the product's lowest price, a range whose
/// products' cheapest variants lie below it passed every such product before the first match
/// (a fifth of the catalog for 60,000–80,000 ₫ on the bench's catalog). The walk reads the
/// product's listing copy (`listed_until`, province, stars) from the variant, kept by
/// `catalog::listing::refresh` in the transaction of every change to them, so that a province
/// without products never walks the others'.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let include = if manager.get_database_backend() == DbBackend::Postgres {
            " INCLUDE (id, listed_until, stars, search_text)"
        } else {
            ""
        };
        exec_script(
            manager,
            &format!(
                "ALTER TABLE variants ADD COLUMN listed_until {{date}};\n\
                 ALTER TABLE variants ADD COLUMN origin_province_code TEXT;\n\
                 ALTER TABLE variants ADD COLUMN stars INTEGER;\n\
                 ALTER TABLE variants ADD COLUMN search_text TEXT;\n\
                 UPDATE variants SET \
                   listed_until = (SELECT p.listed_until FROM products p WHERE p.id = variants.product_id), \
                   origin_province_code = (SELECT p.origin_province_code FROM products p WHERE p.id = variants.product_id), \
                   stars = (SELECT p.stars FROM products p WHERE p.id = variants.product_id), \
                   search_text = (SELECT p.search_text FROM products p WHERE p.id = variants.product_id);\n\
                 CREATE INDEX variants_listed_price_idx ON variants (price, product_id){include} \
                   WHERE listed_until IS NOT NULL;\n\
                 CREATE INDEX variants_listed_province_price_idx ON variants \
                   (origin_province_code, price, product_id){include} WHERE listed_until IS NOT NULL;\n\
                 CREATE INDEX variants_listed_stars_price_idx ON variants \
                   (stars, price, product_id){include} WHERE listed_until IS NOT NULL;\n\
                 CREATE INDEX variants_listed_province_stars_price_idx ON variants \
                   (origin_province_code, stars, price, product_id){include} \
                   WHERE listed_until IS NOT NULL;\n"
            ),
        )
        .await?;
        Ok(())
    }
}
