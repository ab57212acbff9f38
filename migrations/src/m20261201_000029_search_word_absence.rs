use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Search words known to be absent from a province: a row says no product with a
/// `listed_until` whose origin is `province` has search text holding the folded word `term`.
/// A search whose words are rare in a province reads them through the trigram index, and that
/// read costs what the words' entries across the whole country cost: "miến dong" in a province
/// of 45,000 products holding none read 13 ms at 1,000,000 products for nothing. A search that
/// names such a province skips its read at once. `catalog::listing::absence` writes a row when
/// a search first finds the words rare there, under the same advisory lock as the price
/// bounds, and deletes every row a product's change contradicts in that change's transaction;
/// `computed_at` (Unix seconds) says when it was last checked.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            "CREATE TABLE search_word_absence (\n\
               term TEXT NOT NULL,\n\
               province TEXT NOT NULL,\n\
               computed_at BIGINT NOT NULL,\n\
               PRIMARY KEY (term, province)\n\
             );\n",
        )
        .await
    }
}
