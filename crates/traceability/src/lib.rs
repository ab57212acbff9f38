//! Origin traceability: lots and their public trace codes, the hash-chained event log, GS1
//! Digital Link resolution, EPCIS 2.0 export, QR codes, the public trace page and scan counting.
//!
//! - [`lots`]: `lotCreate` (with its commissioning event) and `lotRecall`.
//! - [`events`]: CBV 2.0 vocabulary, canonical form, the hash chain, `traceEventRecord`.
//! - [`trace`]: looking a code up: the lot, product, producer, certificate, chain check and
//!   warnings (shared by the GraphQL `trace` query and the HTML page).
//! - [`scans`]: scan counting buffered in memory and flushed every second.
//! - [`epcis`]: `EPCISDocument` JSON-LD for a lot's or a GTIN's events.
//! - [`qr`]: QR codes as SVG and PNG. [`page`]: the Vietnamese trace page.
//! - [`graphql`]: `trace`, `lotCreate`, `traceEventRecord`, `lotRecall`.
//!
//! The GraphQL `Lot` and `TraceEvent` objects (the read side) are in `catalog::lots`, because
//! `Product.lots` names them; this crate writes the rows they read.

pub mod epcis;
pub mod events;
pub mod graphql;
pub mod lots;
pub mod page;
pub mod qr;
pub mod scans;
pub mod trace;

pub use graphql::{TraceabilityMutation, TraceabilityQuery};
