//! The traceability tables.

pub mod trace_event;
