//! The shared vocabulary of Chợ OCOP. Depends on none of our crates, and on neither
//! async-graphql nor axum.
//!
//! - [`id`]: typed row ids (`ProductId`, `OrderId`, …).
//! - [`money`]: whole-đồng amounts and their Vietnamese formatting (`125.000 ₫`).
//! - [`cursor`]: keyset pagination cursors and the `first` cap.
//! - [`viewer`]: who is calling, and the roles they hold.
//! - [`error`]: failure outcomes (`Invalid`, `NotFound`, `Forbidden`, …) and stable codes.
//! - [`fold`]: Vietnamese text folding for diacritics-insensitive search, and slugs.
//! - [`domain`]: parsed value types (`Gtin`, `Stars`, `Sku`, `Email`, `PhoneVn`, …).
//! - [`time`]: dates judged in Asia/Ho_Chi_Minh.
//! - [`admin_units`]: the 34 provinces and 3,321 communes, and address validation.
//! - [`sql`]: hand-written SQL for both databases, and the locks; [`dyn_db`]: a connection
//!   behind `dyn`, for hooks a higher crate implements; [`db`]: the database handle the API
//!   and the server run statements on (connections given back without a round trip).

pub mod admin_units;
pub mod cursor;
pub mod db;
pub mod domain;
pub mod dyn_db;
pub mod enums;
pub mod error;
pub mod fold;
pub mod gs1;
pub mod id;
pub mod money;
pub mod problem;
pub mod sql;
pub mod time;
pub mod trace_code;
pub mod viewer;

pub use error::{Error, ErrorCode, Result, UserError};
pub use money::Money;
pub use problem::{Label, Problem};
pub use viewer::Viewer;
