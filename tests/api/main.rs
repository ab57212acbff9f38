//! End-to-end tests that drive the real HTTP API. One binary, one harness ([`harness::TestApp`]):
//! each test starts the real application on a random port against a fresh database — a SQLite
//! file by default, a fresh PostgreSQL database when `TEST_DATABASE_URL` is set — and Redis for
//! rate limits when `TEST_REDIS_URL` is set. Fixtures come from [`builders`] (straight through
//! the services), documents from [`docs`]; whole responses are pinned with insta snapshots in
//! `tests/api/snapshots/`.

mod builders;
mod docs;
mod harness;

mod accounts;
mod any_text;
mod architecture;
mod bad_input;
mod catalog;
mod crash;
mod creators;
mod db_handle;
mod http;
mod listing;
mod live;
mod live_selling;
mod messages;
mod order_lifecycle;
mod orders;
mod payments;
mod permissions;
mod price_bounds;
mod price_edges;
mod privacy;
mod refunds;
mod search;
mod stripe;
mod trace;
mod trace_page;
mod word_absence;
mod ws;
