use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub producer_id: i64,
    pub certificate_id: i64,
    pub category_code: String,
    pub slug: String,
    pub name: String,
    /// `name` folded (no case, no diacritics), for relevance.
    pub name_folded: String,
    /// Folded name, producer, category and origin: what search matches.
    pub search_text: String,
    pub description: String,
    pub status: ProductStatus,
    pub origin_province_code: String,
    pub origin_commune_code: Option<String>,
    pub origin_place: Option<String>,
    /// The lowest and highest variant prices, kept by the variant services for sorting.
    pub min_price: i64,
    pub max_price: i64,
    /// How many variants it has (kept with the prices): a product of one or two variants has
    /// none between its lowest and highest price.
    pub variant_count: i32,
    /// Its certificate's stars (fixed once the certificate is submitted), for the star sort
    /// and floor.
    pub stars: i32,
    /// The last day the product may be listed: its certificate's `valid_until` while the rest
    /// of the listing rule holds, else NULL (kept by `listing::refresh`).
    pub listed_until: Option<Date>,
    /// The latest expiry among its lots with units left and not recalled (9999-12-31 for a
    /// lot without expiry), else NULL: in stock on `today` when `>= today` (kept by
    /// `stock::settle`).
    pub stock_until: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
}

kernel::stored_enum! {
    pub enum ProductStatus {
        Draft = "DRAFT",
        Published = "PUBLISHED",
        Unlisted = "UNLISTED",
        Archived = "ARCHIVED",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
