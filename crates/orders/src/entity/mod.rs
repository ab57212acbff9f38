//! The orders crate's tables.

pub mod allocation;
pub mod commission;
pub mod commission_entry;
pub mod ledger_entry;
pub mod order;
pub mod order_line;
pub mod payment;
pub mod payment_event;
pub mod refund;
pub mod seller_order;

pub use order::OrderStatus;
pub use payment::{PaymentMethod, PaymentStatus};
