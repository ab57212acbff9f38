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
//! - [`entity`]: the `trace_events` table.
//!
//! Lots themselves are stock and live in `catalog::stock`; this crate creates them (with a
//! trace code and a commissioning event) through it. No GraphQL here: see the `api` crate.

pub mod entity;
pub mod epcis;
pub mod events;
pub mod lots;
pub mod page;
pub mod qr;
pub mod scans;
pub mod trace;
