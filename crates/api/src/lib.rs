//! The GraphQL API: the schema over every domain, and the only crate that depends on
//! async-graphql. Resolvers are a few lines each: they decode IDs, call domain services and
//! map outcomes; rules live in the domain crates.
//!
//! - [`context`]: what resolvers reach (database, viewer, loader, hooks) and the payload and
//!   connection helpers, written once.
//! - [`loaders`]: a DataLoader per entity, so every page costs a fixed number of statements.
//! - [`ids`]: one opaque global ID encoding for every object. [`node`]: `Node` and `node(id:)`.
//! - [`errors`]: the one mapping from domain outcomes to `userErrors` and top-level codes.
//! - [`scalars`]: `Date`, `Money`.
//! - [`accounts`], [`catalog`], [`traceability`], [`orders`], [`livestream`]: each domain's
//!   objects, queries and mutations (and `orderStatusChanged`).
//! - [`schema`]: the merged schema and its limits; [`http`] and [`ws`]: running requests for
//!   the server without it naming async-graphql.

pub mod accounts;
pub mod catalog;
pub mod context;
pub mod errors;
pub mod http;
pub mod ids;
pub mod livestream;
pub mod loaders;
pub mod messages;
pub mod node;
pub mod orders;
pub mod scalars;
pub mod schema;
pub mod traceability;
pub mod ws;

use std::sync::Arc;

use ::accounts::token::TokenKeys;
use kernel::admin_units::AdminUnits;
use kernel::db::Db;

pub use context::{Changes, ClientIp, LoginThrottle, PublicBaseUrl};
pub use errors::TopError;
pub use schema::{AppSchema, Limits, sdl};

/// What the schema shares across requests: the server builds these once.
pub struct Services {
    pub db: Db,
    pub keys: TokenKeys,
    pub units: Arc<AdminUnits>,
    pub login: Arc<dyn LoginThrottle>,
    pub changes: Arc<dyn Changes>,
    pub scans: Arc<::traceability::scans::ScanCounter>,
    pub traces: Arc<::traceability::trace::TraceCache>,
    pub order_hub: Arc<::orders::events::OrderHub>,
    /// This replica's live viewers (`liveSessionEvents`).
    pub live_hub: Arc<::livestream::events::LiveHub>,
    pub base_url: String,
    pub providers: Arc<::payments::Providers>,
    /// How long an unpaid order holds its stock.
    pub payment_hold: chrono::Duration,
    /// How many orders a buyer may have waiting for payment at once.
    pub unpaid_orders_per_buyer: i64,
    /// The platform's fee on new orders, in basis points (`PLATFORM_FEE_BPS`).
    pub platform_fee_bps: i64,
    /// Units of one variant a buyer's unpaid orders may hold (`UNPAID_UNITS_PER_VARIANT`).
    pub unpaid_units_per_variant: i64,
    /// The key creators' ID numbers are hashed with.
    pub id_number_key: Arc<::livestream::id_number::IdNumberKey>,
}

/// The schema with its limits and shared data.
pub fn build(services: Services, limits: Limits) -> AppSchema {
    schema::builder(limits)
        .data(services.db)
        .data(services.keys)
        .data(services.units)
        .data(services.login)
        .data(services.changes)
        .data(services.scans)
        .data(services.traces)
        .data(services.order_hub)
        .data(services.live_hub)
        .data(PublicBaseUrl(services.base_url))
        .data(services.providers)
        .data(services.id_number_key)
        .data(context::PaymentHold(
            services.payment_hold,
            services.unpaid_orders_per_buyer,
            services.platform_fee_bps,
            services.unpaid_units_per_variant,
        ))
        .finish()
}
