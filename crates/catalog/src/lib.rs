//! The OCOP catalog: producers and their members, OCOP certificates, products, variants,
//! categories, the listing rule, and search.
//!
//! - [`entity`]: the tables (sea-orm entities).
//! - [`access`]: who may manage a producer's things.
//! - [`producers`], [`certificates`], [`products`], [`variants`]: services, plain async
//!   functions over any connection; mutations run in one transaction each.
//! - [`listing`]: the listing rule (what the public may see) and the public product search with
//!   keyset cursors for every sort.
//! - [`units`]: loads the administrative units (reference data) once.
//! - [`loaders`]: DataLoaders, so a page of products costs a fixed handful of queries.
//! - [`lots`]: the GraphQL `Lot` and `TraceEvent` (read side). They live here, not in
//!   `traceability`, because `Product.lots` must name them and GraphQL types cannot be
//!   extended across crates; everything that creates or changes lots and events is in
//!   `traceability`.
//! - [`graphql`]: the GraphQL objects, `CatalogQuery` and `CatalogMutation`.

pub mod access;
pub mod certificates;
pub mod entity;
pub mod graphql;
pub mod listing;
pub mod loaders;
pub mod lots;
pub mod producers;
pub mod products;
pub mod units;
pub mod variants;

pub use graphql::{CatalogMutation, CatalogQuery};
pub use kernel::error::{Error, Result};

/// The public origin (`PUBLIC_BASE_URL`), for trace URLs and GS1 Digital Links.
#[derive(Clone, Debug)]
pub struct PublicBaseUrl(pub String);

/// Told when something the public sees changed (a product unpublished, a certificate revoked…),
/// so that the server can drop cached anonymous responses at once.
pub trait PublicCatalogChanged: Send + Sync {
    fn changed(&self);
}
