//! `Application::build` connects, migrates, builds the schema and binds (port 0 in tests);
//! `run_until_stopped` serves until SIGINT/SIGTERM, so tests and production start the same way.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use accounts::token::TokenKeys;
use api::LoginThrottle;
use tokio::net::TcpListener;
use traceability::scans::ScanCounter;
use traceability::trace::TraceCache;

use crate::cache::ResponseCache;
use crate::config::Config;
use crate::db::{self, StatementCounter};
use crate::metrics::Metrics;
use crate::ratelimit::{Limiter, LoginLimits};
use crate::replicas::Fanout;
use crate::state::{AppState, Shared};
use crate::{BoxError, demo, jobs, routes};

pub struct Application {
    listener: TcpListener,
    state: AppState,
    /// Whether this start created the database (and seeded the demo catalog).
    pub seeded_demo: Option<demo::DemoSummary>,
}

impl Application {
    /// Connects and migrates the database, seeds the demo catalog into a new SQLite database,
    /// builds the schema and binds the listener.
    pub async fn build(config: Config) -> Result<Application, BoxError> {
        Self::build_with(config, true).await
    }

    /// Like [`Application::build`]; `seed_new_sqlite` false skips the demo seed (tests).
    pub async fn build_with(
        config: Config,
        seed_new_sqlite: bool,
    ) -> Result<Application, BoxError> {
        let statements = Arc::new(StatementCounter::default());
        let db = db::connect(
            &config.database_url,
            config.database_max_connections,
            config.database_statements,
            statements.clone(),
        )
        .await?;
        let was_new = db::migrate(db.pool()).await?;
        // Never in production: the demo admin's password is published in the README.
        let seeded_demo = if was_new && seed_new_sqlite && config.is_sqlite() && !config.production
        {
            Some(demo::seed_demo(db.pool()).await?)
        } else {
            None
        };
        let units = Arc::new(catalog::units::load(&db).await?);
        let redis = match &config.redis_url {
            Some(url) => {
                let client = redis::Client::open(url.as_str())?;
                let conn =
                    tokio::time::timeout(Duration::from_secs(10), client.get_connection_manager())
                        .await
                        .map_err(|_| "timed out connecting to Redis")??;
                Some((client, conn))
            }
            None => None,
        };
        let limiter = Arc::new(match &redis {
            Some((_, conn)) => Limiter::redis(conn.clone(), config.redis_key_prefix.clone()),
            None => Limiter::memory(),
        });
        let keys = TokenKeys::new(config.jwt_secret.as_bytes(), config.token_ttl_secs)?;
        let providers = Arc::new(config.providers()?);
        let cache = Arc::new(ResponseCache::new(config.response_cache_ms));
        let login: Arc<dyn LoginThrottle> = Arc::new(LoginLimits {
            limiter: limiter.clone(),
            per_email: config.login_limit_per_email,
            per_ip: config.login_limit_per_ip,
            registrations_per_ip: config.register_limit_per_ip,
        });
        let traces = Arc::new(TraceCache::new(config.trace_cache_ms));
        let fanout = Fanout::start(
            cache.clone(),
            traces.clone(),
            redis,
            &config.redis_key_prefix,
            db.pool().clone(),
        );
        let stock = Arc::new(livestream::events::StockWatch::default());
        orders::live::install(Arc::new(livestream::sales::Sales));
        let scans = Arc::new(ScanCounter::new(config.scan_anomaly_clients));
        let schema = api::build(
            api::Services {
                db: db.clone(),
                keys: keys.clone(),
                units: units.clone(),
                login,
                changes: fanout.clone(),
                scans: scans.clone(),
                traces: traces.clone(),
                order_hub: fanout.hub.clone(),
                live_hub: fanout.live.clone(),
                base_url: config.public_base_url.clone(),
                providers: providers.clone(),
                payment_hold: chrono::Duration::minutes(config.payment_hold_minutes),
                unpaid_orders_per_buyer: config.unpaid_orders_per_buyer,
                platform_fee_bps: config.platform_fee_bps,
                unpaid_units_per_variant: config.unpaid_units_per_variant,
                id_number_key: Arc::new(livestream::id_number::IdNumberKey::derive(
                    config.jwt_secret.as_bytes(),
                )),
            },
            api::Limits {
                max_depth: config.max_depth,
                max_complexity: config.max_complexity,
            },
        );
        let listener = TcpListener::bind(config.bind_addr).await?;
        let admission = crate::admission::Admission::new(config.graphql_concurrency);
        Ok(Application {
            listener,
            state: Arc::new(Shared {
                config: Arc::new(config),
                db,
                schema,
                keys,
                limiter,
                metrics: Arc::new(Metrics::default()),
                cache,
                statements,
                units,
                scans,
                traces,
                fanout,
                providers,
                stock,
                admission,
            }),
            seeded_demo,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_with_shutdown(shutdown_signal()).await
    }

    pub async fn run_with_shutdown(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let state = self.state.clone();
        let flusher = tokio::spawn(jobs::flush_scans(state.clone()));
        let order_jobs = tokio::spawn(jobs::orders(state.clone()));
        let live_jobs = tokio::spawn(jobs::live_stock(state.clone()));
        let statistics = tokio::spawn(jobs::statistics(state.clone()));
        let app = routes::router(self.state);
        let served = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        flusher.abort();
        order_jobs.abort();
        live_jobs.abort();
        statistics.abort();
        // The last second's scans.
        if let Err(e) = state.scans.flush(&state.db).await {
            tracing::warn!(error = %e, "final scan flush failed");
        }
        served
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
