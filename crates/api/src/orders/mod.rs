//! Orders' GraphQL: checkout, the order family of objects, and `orderStatusChanged`.

pub mod mutation;
pub mod objects;
pub mod query;
pub mod subscription;

pub use mutation::OrdersMutation;
pub use query::OrdersQuery;
pub use subscription::OrdersSubscription;
