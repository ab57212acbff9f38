//! The schema of Chợ OCOP as forward-only migrations that run on SQLite and PostgreSQL alike.
//!
//! Each migration is one file named `mYYYYMMDD_HHMMSS_verb_noun`. Most are plain SQL written once
//! with a few type placeholders (`{pk}`, `{ts}`, `{date}`) that [`sql::exec_script`] fills in for
//! the backend at hand, so the same statements create the same tables on both databases.
//!
//! - `m20261129_000001_create_admin_units`: the 34 provinces and 3,321 communes in force since
//!   2025-07-01, seeded from `data/admin-units-2025.csv`.
//! - `m20261129_000002_create_accounts`: users.
//! - `m20261129_000003_create_catalog`: OCOP categories, producers and members, certificates,
//!   products, images, variants, and the lots that hold stock.
//! - `m20261129_000004_create_traceability`: trace codes, origins, recalls and scan counts on
//!   lots; hash-chained trace events; per-day scan clients.
//! - `m20261129_000005_create_orders`: orders, seller orders, lines, lot allocations, payments.
//! - `m20261129_000006_track_order_progress`: shipping/delivery/cancellation times, released
//!   allocations.
//! - `m20261129_000007_record_payments`: payment references and VNPay URLs; every provider
//!   report of money, once per provider transaction.
//! - `m20261129_000008_unique_gtins`: a GTIN belongs to one variant on the whole platform.
//! - `m20261129_000009_keep_chain_heads`: each lot keeps its event chain's length and last
//!   hash.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_create_admin_units;
mod m20261129_000002_create_accounts;
mod m20261129_000003_create_catalog;
mod m20261129_000004_create_traceability;
mod m20261129_000005_create_orders;
mod m20261129_000006_track_order_progress;
mod m20261129_000007_record_payments;
mod m20261129_000008_unique_gtins;
mod m20261129_000009_keep_chain_heads;
mod m20261129_000010_keep_books;
mod m20261129_000011_one_certificate_per_product;
mod m20261129_000012_private_phones;
mod m20261129_000013_event_instants;
mod m20261129_000014_member_invitations;
mod m20261129_000015_creators;
mod m20261129_000016_live_sessions;
mod m20261129_000017_sell_through_creators;
mod m20261129_000018_list_by_stars;
mod m20261129_000019_listing_columns;
mod m20261129_000020_stock_until;
mod m20261130_000021_variant_price_probe;
mod m20261130_000022_lots_by_variant;
mod m20261130_000023_search_by_province;
mod m20261130_000024_covering_walks;
mod m20261130_000025_walks_without_stars;
mod m20261130_000026_walks_by_variant_price;
mod m20261201_000027_search_price_bounds;
mod m20261201_000028_search_price_edges;
mod m20261201_000029_search_word_absence;
pub mod sql;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_create_admin_units::Migration),
            Box::new(m20261129_000002_create_accounts::Migration),
            Box::new(m20261129_000003_create_catalog::Migration),
            Box::new(m20261129_000004_create_traceability::Migration),
            Box::new(m20261129_000005_create_orders::Migration),
            Box::new(m20261129_000006_track_order_progress::Migration),
            Box::new(m20261129_000007_record_payments::Migration),
            Box::new(m20261129_000008_unique_gtins::Migration),
            Box::new(m20261129_000009_keep_chain_heads::Migration),
            Box::new(m20261129_000010_keep_books::Migration),
            Box::new(m20261129_000011_one_certificate_per_product::Migration),
            Box::new(m20261129_000012_private_phones::Migration),
            Box::new(m20261129_000013_event_instants::Migration),
            Box::new(m20261129_000014_member_invitations::Migration),
            Box::new(m20261129_000015_creators::Migration),
            Box::new(m20261129_000016_live_sessions::Migration),
            Box::new(m20261129_000017_sell_through_creators::Migration),
            Box::new(m20261129_000018_list_by_stars::Migration),
            Box::new(m20261129_000019_listing_columns::Migration),
            Box::new(m20261129_000020_stock_until::Migration),
            Box::new(m20261130_000021_variant_price_probe::Migration),
            Box::new(m20261130_000022_lots_by_variant::Migration),
            Box::new(m20261130_000023_search_by_province::Migration),
            Box::new(m20261130_000024_covering_walks::Migration),
            Box::new(m20261130_000025_walks_without_stars::Migration),
            Box::new(m20261130_000026_walks_by_variant_price::Migration),
            Box::new(m20261201_000027_search_price_bounds::Migration),
            Box::new(m20261201_000028_search_price_edges::Migration),
            Box::new(m20261201_000029_search_word_absence::Migration),
        ]
    }
}

/// The administrative units table shipped with the project (UTF-8, NFC), as seeded.
pub const ADMIN_UNITS_CSV: &str = include_str!("../data/admin-units-2025.csv");
