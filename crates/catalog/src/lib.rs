//! The OCOP catalog: producers and their members, OCOP certificates, products, variants,
//! categories, the listing rule, search, and stock (lots as inventory).
//!
//! - [`entity`]: the tables (sea-orm entities) and their stored enums.
//! - [`access`]: who may manage a producer's things.
//! - [`producers`], [`certificates`], [`products`], [`variants`]: services, plain async
//!   functions over any connection; mutations run in one transaction each.
//! - [`listing`]: the listing rule (what the public may see) and the public product search with
//!   keyset cursors for every sort.
//! - [`stock`]: the one definition of a sellable lot, availability, and the only writes of a
//!   lot's stock (`take`, `release`, `insert`, `mark_recalled`).
//! - [`reads`]: batched reads by id for the API layer's loaders.
//! - [`units`]: loads the administrative units (reference data) once.
//!
//! No GraphQL here: the `api` crate builds the schema on top of these services.

pub mod access;
pub mod certificates;
pub mod entity;
pub mod listing;
pub mod producers;
pub mod products;
pub mod reads;
pub mod stock;
pub mod units;
pub mod variants;

pub use entity::{CertificateStatus, MemberRole, ProducerKind, ProductStatus};
pub use kernel::error::{Error, Result};
