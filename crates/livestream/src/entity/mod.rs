//! The livestream crate's tables.

pub mod creator;

pub use creator::CreatorStatus;
