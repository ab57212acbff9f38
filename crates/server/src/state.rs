//! The application state every handler shares. Nothing here is state another replica would
//! need: the database and Redis hold that; the caches and in-process limits are per replica
//! by design. Shared through one `Arc`, so cloning it per request is one atomic increment.

use std::sync::Arc;

use accounts::token::TokenKeys;
use api::AppSchema;
use kernel::admin_units::AdminUnits;
use kernel::db::Db;
use traceability::scans::ScanCounter;
use traceability::trace::TraceCache;

use crate::admission::Admission;
use crate::cache::ResponseCache;
use crate::config::Config;
use crate::db::StatementCounter;
use crate::metrics::Metrics;
use crate::ratelimit::Limiter;
use crate::replicas::Fanout;

pub type AppState = Arc<Shared>;

pub struct Shared {
    pub config: Arc<Config>,
    pub db: Db,
    pub schema: AppSchema,
    pub keys: TokenKeys,
    pub limiter: Arc<Limiter>,
    pub metrics: Arc<Metrics>,
    pub cache: Arc<ResponseCache>,
    pub statements: Arc<StatementCounter>,
    pub units: Arc<AdminUnits>,
    pub scans: Arc<ScanCounter>,
    pub traces: Arc<TraceCache>,
    /// Drops caches and wakes order subscribers here and, with Redis, on every replica.
    pub fanout: Arc<Fanout>,
    /// The payment providers configured (VNPay, the VietQR account, SePay).
    pub providers: Arc<payments::Providers>,
    /// Live offers whose remaining cap changed, for the once-a-second STOCK events.
    pub stock: Arc<livestream::events::StockWatch>,
    /// How many GraphQL operations execute at once here (`GRAPHQL_CONCURRENCY`).
    pub admission: Admission,
}
