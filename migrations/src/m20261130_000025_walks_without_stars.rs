use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Walk indexes of listed products without the stars: a listing that admits every star value
/// (no star floor, or a floor of 3, which every listed product meets) is one walk per province
/// in its sort's order, newest or by price, instead of one per star value merged. Each walk is
/// planned on every request, and the planning of a page's walks was most of PostgreSQL's time
/// per listing. The indexes with the stars stay for star floors of 4 and 5 (one walk per star
/// value, so a province with no 5-star products never walks its 4-star ones) and for sorting
/// by stars. On PostgreSQL they carry the same columns as the other walk indexes.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (id_cols, price_cols) = if manager.get_database_backend() == DbBackend::Postgres {
            (
                " INCLUDE (listed_until, stars, min_price, max_price, category_code, name_folded, \
                 search_text, stock_until, variant_count)",
                " INCLUDE (listed_until, stars, max_price, category_code, name_folded, \
                 search_text, stock_until, variant_count)",
            )
        } else {
            ("", "")
        };
        exec_script(
            manager,
            &format!(
                "CREATE INDEX products_listed_id_idx ON products (id){id_cols} \
                   WHERE listed_until IS NOT NULL;\n\
                 CREATE INDEX products_listed_price_idx ON products (min_price, id){price_cols} \
                   WHERE listed_until IS NOT NULL;\n\
                 CREATE INDEX products_listed_province_only_id_idx ON products \
                   (origin_province_code, id){id_cols} WHERE listed_until IS NOT NULL;\n\
                 CREATE INDEX products_listed_province_only_price_idx ON products \
                   (origin_province_code, min_price, id){price_cols} WHERE listed_until IS NOT NULL;\n"
            ),
        )
        .await?;
        Ok(())
    }
}
