use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Price bounds of the products holding a search word, so that a search sorted by price starts
/// its walk where the first product holding the words can be: words go with prices, and
/// "rượu cần", all at 59,000 ₫ or more, walked 198,000 cheaper products at 1,000,000 before its
/// first. Each row holds, for one folded word (`term`, as searched), bounds on the products with
/// a `listed_until` whose search text holds it: `lowest` at most their least `min_price`,
/// `highest_low` at least their greatest `min_price`, `highest` at least their greatest
/// `max_price`. `catalog::listing::bounds` computes a row when a search first needs it and
/// widens every row in the transaction of each change to a product's listing facts or prices,
/// so the bounds hold at every commit; `computed_at` (Unix seconds) says when one was last
/// computed exactly, to tighten it again.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            "CREATE TABLE search_price_bounds (\n\
               term TEXT PRIMARY KEY,\n\
               lowest BIGINT NOT NULL,\n\
               highest_low BIGINT NOT NULL,\n\
               highest BIGINT NOT NULL,\n\
               computed_at BIGINT NOT NULL\n\
             );\n",
        )
        .await
    }
}
