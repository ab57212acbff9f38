//! Accounts: users, passwords and tokens. Below the catalog so that producers can name their
//! members; it knows nothing of products or orders.
//!
//! STYLE.md's layout has no accounts crate; users sit here rather than in `server` because the
//! catalog must look users up (a producer's owner adds staff by e-mail) and dependencies point
//! one way: kernel ← accounts ← catalog ← … ← server.
//!
//! - [`user`]: the `users` table (sea-orm entity).
//! - [`service`]: register, authenticate, look up, roles. Plain async functions over a connection.
//! - [`token`]: JWT (HS256) issue and verification with expiry.
pub mod service;
pub mod token;
pub mod user;

pub use service::{Error, Role};
