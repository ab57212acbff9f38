//! The server: configuration, the axum router, authentication, the GraphQL schema assembled
//! from the domain crates, limits, metrics, the demo seed and the command line.
//!
//! - [`config`]: one typed `Config` from environment variables.
//! - [`db`]: connection (SQLite or PostgreSQL), migrations, statement counting.
//! - [`schema`]: the merged schema, the `Node` interface, depth and complexity limits.
//! - [`app`]: `Application::build` binds, `run_until_stopped` serves; the routes.
//! - [`auth`]: bearer tokens to a `Viewer`.
//! - [`ratelimit`], [`cache`], [`metrics`]: request limits, the anonymous response cache,
//!   Prometheus metrics.
//! - [`pages`]: the trace page, QR codes, the GS1 Digital Link resolver, the EPCIS export.
//! - [`seed`]: the demo catalog. [`cli`]: `serve`, `migrate`, `seed-demo`, `export-schema`,
//!   `create-admin`.

pub mod app;
pub mod auth;
pub mod bench;
pub mod cache;
pub mod cli;
pub mod config;
pub mod db;
pub mod metrics;
pub mod pages;
pub mod ratelimit;
pub mod schema;
pub mod seed;

pub use app::Application;
pub use config::Config;

/// Errors at start-up, reported once by `main`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
