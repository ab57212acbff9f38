//! Orders: multi-producer checkout with oversell-proof stock and lot allocation, the order
//! and payment records, and who may see them.
//!
//! - [`entity`]: orders, seller orders (one per producer), lines, lot allocations, payments.
//! - [`checkout`]: the checkout transaction (idempotency key, listing check, first-expiring-
//!   first-out allocation with conditional decrements, pricing, seller orders, payment).
//! - [`graphql`]: `checkout`, `order`, `myOrders`, and the `Order` family of objects.
//!
//! Not yet here (issue 4 goes on): shipping, delivery, cancellation and the state machine,
//! expiry of unpaid orders, `sellerOrders`, `orderStatusChanged`.

pub mod checkout;
pub mod entity;
pub mod events;
pub mod graphql;
pub mod lifecycle;

pub use graphql::{OrdersMutation, OrdersQuery, OrdersSubscription};
