//! Traceability's GraphQL: lots, events, `trace`, and the lot mutations.

pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::TraceabilityMutation;
pub use query::TraceabilityQuery;
