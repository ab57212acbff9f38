//! The catalog's GraphQL: reference data, producers, certificates, products, variants.

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod product;
pub mod query;

pub use mutation::CatalogMutation;
pub use query::CatalogQuery;
