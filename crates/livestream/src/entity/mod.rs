//! The livestream crate's tables.

pub mod affiliate_link;
pub mod affiliate_program;
pub mod creator;
pub mod live_offer;
pub mod live_session;

pub use creator::CreatorStatus;
pub use live_session::{LiveStatus, Platform};
