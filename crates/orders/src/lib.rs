//! Orders: multi-producer checkout with oversell-proof stock and lot allocation, the order
//! state machine, payment records, and who may see an order.
//!
//! - [`entity`]: orders, seller orders (one per producer), lines, lot allocations, payments,
//!   and their stored enums (`OrderStatus`, `PaymentMethod`, `PaymentStatus`).
//! - [`checkout`]: the checkout transaction (idempotency key, listing check, pricing, seller
//!   orders, payment, then stock taken through `catalog::stock`).
//! - [`lifecycle`]: ship, deliver, confirm, cancel (stock back through `catalog::stock`),
//!   expire unpaid orders, complete delivered ones; the order status derived one way.
//! - [`payments`]: starting a payment at checkout (VNPay URL, VietQR reference) and settling
//!   providers' reports once each, with everything odd kept for review.
//! - [`refunds`]: refunds recorded with what caused them, card refunds sent to Stripe once.
//! - [`ledger`]: the append-only books (the buyer's money and what each producer is owed) and
//!   producers' statements.
//! - [`commissions`]: what creators earn on attributed lines: accrued on payment, reduced by
//!   refunds, voided by cancellation, payable after the return window.
//! - [`live`]: the [`live::LiveSales`] hook checkout calls for live prices, caps and
//!   attribution; the `livestream` crate implements it and the server installs it.
//! - [`access`]: who may see an order, and which part of it ([`access::Scope`]).
//! - [`reads`]: batched reads for the API layer's loaders.
//! - [`events`]: this replica's fan-out of changed orders to subscribers.

pub mod access;
pub mod checkout;
pub mod commissions;
pub mod entity;
pub mod events;
pub mod ledger;
pub mod lifecycle;
pub mod live;
pub mod payments;
pub mod reads;
pub mod refunds;

pub use entity::{OrderStatus, PaymentMethod, PaymentStatus};
