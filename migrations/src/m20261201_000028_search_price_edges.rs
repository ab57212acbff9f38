use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Price bounds of a search word inside a price range, so that a search in a range sorted from
/// one of its ends starts its walk at the first variant holding the word inside the range:
/// words go with prices, and "cà phê" between 60,000 and 80,000 ₫, dearest first, walked the
/// 140,000 variants priced 74,000 to 80,000 ₫ of 1,000,000 products before its first (the
/// word's own bounds, from `search_price_bounds`, lie outside the range). Each row holds, for
/// one folded word (`term`) and one end of a range (`edge`, walked from downwards when
/// `descending`, else upwards), a `bound` on the listed variants whose search text holds the
/// word: at least the greatest price at or below the edge (descending), at most the least at or
/// above it (ascending). `catalog::listing::edges` computes a row when a search first needs it
/// and widens every row in the transaction of each change to a product's listing facts or
/// prices, as for `search_price_bounds`; `computed_at` (Unix seconds) says when.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            "CREATE TABLE search_price_edges (\n\
               term TEXT NOT NULL,\n\
               edge BIGINT NOT NULL,\n\
               descending BOOLEAN NOT NULL,\n\
               bound BIGINT NOT NULL,\n\
               computed_at BIGINT NOT NULL,\n\
               PRIMARY KEY (term, edge, descending)\n\
             );\n",
        )
        .await
    }
}
