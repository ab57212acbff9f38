//! The server: configuration, the axum router, authentication, limits, caches, replica
//! fan-out, background jobs, metrics, the demo seed and the command line. The GraphQL schema
//! is the `api` crate's; this crate only carries requests to it.
//!
//! - [`config`]: one typed `Config` from environment variables.
//! - [`db`]: connection (SQLite or PostgreSQL), migrations, statement counting.
//! - [`startup`]: `Application::build` binds, `run_until_stopped` serves.
//! - [`state`]: what every handler shares.
//! - [`routes`]: `graphql` (HTTP), `ws` (subscriptions), `pages` (trace page, QR codes, GS1
//!   Digital Link resolver, EPCIS export), `health`.
//! - [`auth`]: bearer tokens to a `Viewer`, for HTTP and websockets alike.
//! - [`ratelimit`], [`cache`], [`metrics`]: request limits, the anonymous response cache,
//!   Prometheus metrics.
//! - [`replicas`]: cache invalidation and order news across replicas through Redis.
//! - [`jobs`]: scan flushing, expiring unpaid orders, completing delivered ones.
//! - [`demo`]: the demo catalog (data in `demo/catalog.json`). [`cli`]: `serve`, `migrate`,
//!   `seed-demo`, `export-schema`, `create-admin`, `check-copies`, `bench-ceiling`.

pub mod admission;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod jobs;
pub mod metrics;
pub mod ratelimit;
pub mod replicas;
pub mod routes;
pub mod startup;
pub mod state;

pub use config::Config;
pub use startup::Application;

/// Errors at start-up, reported once by `main`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
