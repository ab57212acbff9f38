//! Orders' GraphQL: checkout, the order family of objects, and `orderStatusChanged`.

pub mod mutation;
pub mod objects;
pub mod payments;
pub mod query;
pub mod subscription;

pub use mutation::OrdersMutation;
pub use payments::{PaymentsQuery, StatementQuery};
pub use query::OrdersQuery;
pub use subscription::OrdersSubscription;
