use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The public listing reads one table through an index, whatever the statistics say.
///
/// `products.listed_until` is the last day a product may be listed: its certificate's
/// `valid_until` while the product is PUBLISHED, its producer verified and its certificate
/// VERIFIED with 3 stars or more; NULL otherwise. The catalog services recompute it in the
/// transaction of every change to those facts (`catalog::listing::refresh`), and the listing
/// judges `listed_until >= today` at read time, so a product still disappears the day its
/// certificate expires with no job having run.
///
/// Partial indexes (listed products only) lead with the star value, alone or after the
/// province, then the sort's columns: the listing reads a page as one index walk per star value
/// (and per province of a province filter), merged, so neither filter is ever a scan. The folded
/// name serves the exact-name tier of RELEVANCE; on PostgreSQL a trigram index (pg_trgm) serves
/// searches for rare words.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            exec_script(manager, "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n").await?;
        }
        exec_script(
            manager,
            r#"
ALTER TABLE products ADD COLUMN listed_until {date};
UPDATE products SET listed_until = (
  SELECT c.valid_until FROM ocop_certificates c, producers pr
  WHERE c.id = products.certificate_id AND pr.id = products.producer_id
    AND products.status = 'PUBLISHED' AND c.status = 'VERIFIED' AND c.stars >= 3
    AND pr.verified = TRUE);
DROP INDEX products_status_stars_idx;
DROP INDEX products_status_price_idx;
CREATE INDEX products_listed_stars_id_idx ON products (stars, id) WHERE listed_until IS NOT NULL;
CREATE INDEX products_listed_stars_price_idx ON products (stars, min_price, id) WHERE listed_until IS NOT NULL;
CREATE INDEX products_listed_province_id_idx ON products (origin_province_code, stars, id) WHERE listed_until IS NOT NULL;
CREATE INDEX products_listed_province_price_idx ON products (origin_province_code, stars, min_price, id) WHERE listed_until IS NOT NULL;
CREATE INDEX products_listed_name_idx ON products (name_folded, id) WHERE listed_until IS NOT NULL;
"#,
        )
        .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            exec_script(
                manager,
                "CREATE INDEX products_listed_search_trgm_idx ON products \
                 USING gin (search_text gin_trgm_ops) WHERE listed_until IS NOT NULL;\n",
            )
            .await?;
        }
        Ok(())
    }
}
