//! The application: state, routes and the serving loop. `Application::build` binds (port 0 in
//! tests) and `run_until_stopped` serves until SIGINT/SIGTERM, so tests and production start
//! the same way.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use accounts::graphql::{ClientIp, LoginThrottle};
use accounts::token::TokenKeys;
use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::OperationType;
use async_graphql::{ErrorExtensions, ServerError};
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use catalog::PublicCatalogChanged;
use catalog::loaders::CatalogLoader;
use kernel::TopError;
use kernel::admin_units::AdminUnits;
use orders::events::{OrderHub, OrderNotifier};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use traceability::scans::ScanCounter;
use traceability::trace::TraceCache;

use crate::auth::{self, AuthError};
use crate::cache::{Lookup, ResponseCache};
use crate::config::Config;
use crate::db::{self, StatementCounter};
use crate::metrics::Metrics;
use crate::ratelimit::{Limiter, LoginLimits};
use crate::schema::{self, AppSchema};
use crate::{BoxError, pages, seed};

/// Everything a request needs. Nothing here is state another replica would need: the database
/// and Redis hold that; the cache and in-process limits are per replica by design.
/// Shared by every request through one `Arc`: cloning it per request (axum does, for each
/// extractor and middleware) is then one atomic increment.
pub type AppState = Arc<Shared>;

pub struct Shared {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    pub keys: TokenKeys,
    pub limiter: Arc<Limiter>,
    pub metrics: Arc<Metrics>,
    pub cache: Arc<ResponseCache>,
    pub statements: Arc<StatementCounter>,
    pub units: Arc<AdminUnits>,
    pub scans: Arc<ScanCounter>,
    pub traces: Arc<TraceCache>,
    /// Drops the caches here (and on other replicas, with Redis).
    pub changed: Arc<dyn PublicCatalogChanged>,
    /// Announces changed orders to subscribers here and, with Redis, on every replica.
    pub order_news: Arc<dyn OrderNotifier>,
}

/// A change the public can see empties this replica's caches at once, and, with Redis, tells
/// every other replica to do the same (pub/sub), so a recall or an unpublished product is gone
/// everywhere within a round trip, not a cache lifetime.
struct Invalidate {
    responses: Arc<ResponseCache>,
    traces: Arc<TraceCache>,
    publish: Option<(redis::aio::ConnectionManager, String)>,
    /// This replica's name on the channel: its own messages come back to it and are ignored.
    me: String,
}

impl Invalidate {
    fn clear_local(&self) {
        self.responses.clear();
        self.traces.clear();
    }
}

impl PublicCatalogChanged for Invalidate {
    fn changed(&self) {
        self.clear_local();
        if let Some((conn, channel)) = &self.publish {
            publish(conn, channel, self.me.clone());
        }
    }
}

/// Order status changes: to this replica's subscribers at once, and through Redis to the
/// others' (each replica forwards what it hears to its own hub, ignoring its own messages).
struct OrderNews {
    hub: Arc<OrderHub>,
    publish: Option<(redis::aio::ConnectionManager, String)>,
    me: String,
}

impl OrderNotifier for OrderNews {
    fn order_changed(&self, order_id: i64) {
        self.hub.publish(order_id);
        if let Some((conn, channel)) = &self.publish {
            publish(conn, channel, format!("{}:{order_id}", self.me));
        }
    }
}

/// Publishes a message for the other replicas, without waiting; a failure is logged.
fn publish(conn: &redis::aio::ConnectionManager, channel: &str, payload: String) {
    let (mut conn, channel) = (conn.clone(), channel.to_owned());
    tokio::spawn(async move {
        let sent: redis::RedisResult<i64> = redis::cmd("PUBLISH")
            .arg(&channel)
            .arg(&payload)
            .query_async(&mut conn)
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, channel, "could not tell the other replicas");
        }
    });
}

/// Hands every message on `channel` to `on_message`; reconnects when the subscription breaks,
/// after calling `on_break` (a message may have been missed).
async fn listen(
    client: redis::Client,
    channel: String,
    on_message: impl Fn(String) + Send + 'static,
    on_break: impl Fn() + Send + 'static,
) {
    use futures_util::StreamExt;
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    let mut messages = pubsub.into_on_message();
                    while let Some(msg) = messages.next().await {
                        on_message(msg.get_payload().unwrap_or_default());
                    }
                }
                Err(e) => tracing::warn!(error = %e, channel, "subscribe failed"),
            },
            Err(e) => tracing::warn!(error = %e, channel, "cannot reach Redis"),
        }
        on_break();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Forwards other replicas' order changes to this replica's subscribers.
async fn listen_for_orders(client: redis::Client, channel: String, hub: Arc<OrderHub>, me: String) {
    let on_message = move |payload: String| {
        if let Some((from, id)) = payload.split_once(':')
            && from != me
            && let Ok(id) = id.parse()
        {
            hub.publish(id);
        }
    };
    listen(client, channel, on_message, || {}).await;
}

/// Drops this replica's caches whenever another replica says the catalog changed, and when
/// the subscription breaks.
async fn listen_for_changes(client: redis::Client, channel: String, local: Arc<Invalidate>) {
    let on_break = local.clone();
    let on_message = move |from: String| {
        if from != local.me {
            local.clear_local();
        }
    };
    listen(client, channel, on_message, move || on_break.clear_local()).await;
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
    /// Whether this start created the database (and seeded the demo catalog).
    pub seeded_demo: Option<seed::DemoSummary>,
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
            statements.clone(),
        )
        .await?;
        let was_new = db::migrate(&db).await?;
        let seeded_demo = if was_new && seed_new_sqlite && config.is_sqlite() {
            Some(seed::seed_demo(&db).await?)
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
        let cache = Arc::new(ResponseCache::new(config.response_cache_ms));
        let login: Arc<dyn LoginThrottle> = Arc::new(LoginLimits {
            limiter: limiter.clone(),
            per_email: config.login_limit_per_email,
            per_ip: config.login_limit_per_ip,
        });
        let traces = Arc::new(TraceCache::new(config.trace_cache_ms));
        let channel = format!("{}catalog-changed", config.redis_key_prefix);
        let invalidate = Arc::new(Invalidate {
            responses: cache.clone(),
            traces: traces.clone(),
            publish: redis
                .as_ref()
                .map(|(_, conn)| (conn.clone(), channel.clone())),
            me: {
                use rand::Rng;
                format!("{:016x}", rand::rng().random::<u64>())
            },
        });
        if let Some((client, _)) = &redis {
            tokio::spawn(listen_for_changes(
                client.clone(),
                channel,
                invalidate.clone(),
            ));
        }
        let order_hub = Arc::new(OrderHub::default());
        let order_channel = format!("{}order-changed", config.redis_key_prefix);
        let me = invalidate.me.clone();
        if let Some((client, _)) = &redis {
            tokio::spawn(listen_for_orders(
                client.clone(),
                order_channel.clone(),
                order_hub.clone(),
                me.clone(),
            ));
        }
        let order_news: Arc<dyn OrderNotifier> = Arc::new(OrderNews {
            hub: order_hub.clone(),
            publish: redis
                .as_ref()
                .map(|(_, conn)| (conn.clone(), order_channel)),
            me,
        });
        let changed: Arc<dyn PublicCatalogChanged> = invalidate;
        let changed_for_jobs = changed.clone();
        let scans = Arc::new(ScanCounter::new(config.scan_anomaly_clients));
        let schema = schema::builder(config.max_depth, config.max_complexity)
            .data(db.clone())
            .data(keys.clone())
            .data(units.clone())
            .data(login)
            .data(changed)
            .data(scans.clone())
            .data(traces.clone())
            .data(order_hub)
            .data(order_news.clone())
            .data(catalog::PublicBaseUrl(config.public_base_url.clone()))
            .finish();
        let listener = TcpListener::bind(config.bind_addr).await?;
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
                changed: changed_for_jobs,
                order_news,
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
        let flusher = tokio::spawn(flush_scans(state.clone()));
        let jobs = tokio::spawn(order_jobs(state.clone()));
        let app = router(self.state);
        let served = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        flusher.abort();
        jobs.abort();
        // The last second's scans.
        if let Err(e) = state.scans.flush(&state.db).await {
            tracing::warn!(error = %e, "final scan flush failed");
        }
        served
    }
}

/// Writes buffered scan counts every second.
async fn flush_scans(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = state.scans.flush(&state.db).await {
            tracing::warn!(error = %e, "scan flush failed; kept for the next one");
        }
    }
}

/// Every 30 seconds: unpaid orders past the hold release their stock; delivered orders past
/// the confirmation window complete. Safe with several replicas running (see
/// `orders::lifecycle::expire_unpaid`).
async fn order_jobs(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let hold = chrono::Duration::minutes(state.config.payment_hold_minutes);
        match orders::lifecycle::expire_unpaid(&state.db, hold).await {
            Ok(ids) if ids.is_empty() => {}
            Ok(ids) => {
                tracing::info!(
                    orders.expired = ids.len(),
                    "released the stock of unpaid orders"
                );
                state.changed.changed();
                for id in ids {
                    state.order_news.order_changed(id);
                }
            }
            Err(e) => {
                let _ = e.into_top();
            }
        }
        let after = chrono::Duration::days(state.config.auto_complete_days);
        match orders::lifecycle::auto_complete(&state.db, after).await {
            Ok(ids) => {
                for id in ids {
                    state.order_news.order_changed(id);
                }
            }
            Err(e) => {
                let _ = e.into_top();
            }
        }
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

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphql/ws", get(graphql_ws))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/t/{code}", get(pages::trace_page))
        .route("/t/{code}/qr.svg", get(pages::qr_svg))
        .route("/t/{code}/qr.png", get(pages::qr_png))
        .route("/01/{*rest}", get(pages::digital_link_resolve))
        .route("/epcis/events", get(pages::epcis_events))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), count_http))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            gql_error_response(StatusCode::INTERNAL_SERVER_ERROR, TopError::internal())
        }))
        .with_state(state)
}

async fn count_http(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let resp = next.run(req).await;
    state.metrics.http(&route, resp.status().as_u16());
    resp
}

async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, "Không tìm thấy trang.")
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match db::ping(&state.db).await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(&state.statements),
    )
}

/// A top-level error as a GraphQL response body.
fn gql_error_response(status: StatusCode, e: TopError) -> Response {
    let body = serde_json::json!({
        "data": null,
        "errors": [{ "message": e.message, "extensions": { "code": e.code } }]
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub fn client_ip(addr: &SocketAddr, headers: &HeaderMap, trust_forwarded: bool) -> String {
    if trust_forwarded
        && let Some(v) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(last) = v.split(',').map(str::trim).rfind(|s| !s.is_empty())
    {
        return last.to_owned();
    }
    addr.ip().to_string()
}

/// `GET /graphql/ws`: subscriptions over graphql-transport-ws (or the older graphql-ws). The
/// `connection_init` payload may carry `{"Authorization": "Bearer <token>"}` (or `token`);
/// a bad token closes the connection.
async fn graphql_ws(
    State(state): State<AppState>,
    protocol: async_graphql_axum::GraphQLProtocol,
    upgrade: axum::extract::WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let schema = state.schema.clone();
            async move {
                async_graphql_axum::GraphQLWebSocket::new(socket, schema, protocol)
                    .on_connection_init(move |payload| async move {
                        let token = payload
                            .get("Authorization")
                            .or_else(|| payload.get("authorization"))
                            .and_then(|v| v.as_str())
                            .map(|v| v.trim_start_matches("Bearer ").trim().to_owned())
                            .or_else(|| {
                                payload
                                    .get("token")
                                    .and_then(|v| v.as_str())
                                    .map(str::to_owned)
                            });
                        let viewer = match token {
                            None => kernel::Viewer::anonymous(),
                            Some(t) => {
                                let mut headers = HeaderMap::new();
                                let value = HeaderValue::from_str(&format!("Bearer {t}"))
                                    .map_err(|_| async_graphql::Error::new("UNAUTHENTICATED"))?;
                                headers.insert(header::AUTHORIZATION, value);
                                auth::viewer(&headers, &state.keys, &state.db)
                                    .await
                                    .map_err(|_| {
                                        async_graphql::Error::from(TopError::unauthenticated())
                                    })?
                            }
                        };
                        let mut data = async_graphql::Data::default();
                        data.insert(viewer);
                        data.insert(CatalogLoader::data_loader(state.db.clone()));
                        Ok(data)
                    })
                    .serve()
                    .await;
            }
        })
}

#[derive(serde::Deserialize)]
struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
}

async fn graphql_get(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(params): Query<GetParams>,
) -> Response {
    let Some(query) = params.query else {
        return Html(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .title("Chợ OCOP — GraphiQL")
                .finish(),
        )
        .into_response();
    };
    let mut body = serde_json::json!({ "query": query });
    if let Some(op) = params.operation_name {
        body["operationName"] = op.into();
    }
    if let Some(vars) = params.variables {
        match serde_json::from_str::<serde_json::Value>(&vars) {
            Ok(v) => body["variables"] = v,
            Err(_) => {
                return gql_error_response(
                    StatusCode::BAD_REQUEST,
                    TopError::invalid("Tham số variables không phải JSON hợp lệ."),
                );
            }
        }
    }
    execute(state, addr, headers, Bytes::from(body.to_string()), true).await
}

async fn graphql_post(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let limit = state.config.max_body_bytes;
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            return gql_error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                TopError {
                    code: "PAYLOAD_TOO_LARGE",
                    message: format!("Yêu cầu quá lớn (tối đa {} KB).", limit / 1024),
                },
            );
        }
    };
    execute(state, addr, headers, bytes, false).await
}

fn json_response(body: Bytes) -> Response {
    let mut resp = Response::new(Body::from(body));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// Rewrites the schema's limit errors to the contract's code and a Vietnamese message.
fn limit_error(e: &ServerError, config: &Config) -> Option<ServerError> {
    let msg = match e.message.as_str() {
        "Query is nested too deep." => {
            format!("Truy vấn lồng quá sâu (tối đa {} cấp).", config.max_depth)
        }
        "Query is too complex." => format!(
            "Truy vấn quá phức tạp (tối đa {} điểm).",
            config.max_complexity
        ),
        m if m.starts_with("The recursion depth of the query cannot be greater than")
            || m == "recursion limit exceeded." =>
        {
            "Truy vấn lồng quá sâu.".to_owned()
        }
        _ => return None,
    };
    let code = "QUERY_TOO_COMPLEX";
    let mut out = ServerError::new(msg, None);
    out.extensions = async_graphql::Error::new("")
        .extend_with(|_, x| x.set("code", code))
        .extensions;
    Some(out)
}

async fn execute(
    state: AppState,
    addr: SocketAddr,
    headers: HeaderMap,
    body: Bytes,
    get_only: bool,
) -> Response {
    let started = Instant::now();
    let ip = client_ip(&addr, &headers, state.config.trust_forwarded_for);
    if !state
        .limiter
        .hit(&format!("req:{ip}"), state.config.rate_limit_per_minute, 60)
        .await
    {
        return gql_error_response(StatusCode::TOO_MANY_REQUESTS, TopError::rate_limited());
    }
    let viewer = match auth::viewer(&headers, &state.keys, &state.db).await {
        Ok(v) => v,
        Err(AuthError::Unauthenticated) => {
            return gql_error_response(
                StatusCode::UNAUTHORIZED,
                TopError {
                    code: "UNAUTHENTICATED",
                    message:
                        "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại."
                            .into(),
                },
            );
        }
        Err(AuthError::Internal) => {
            return gql_error_response(StatusCode::INTERNAL_SERVER_ERROR, TopError::internal());
        }
    };
    let anonymous = viewer.user_id.is_none();
    if anonymous && let Lookup::Hit(hit) = state.cache.lookup(&body) {
        return json_response(hit);
    }
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(_) => {
            return gql_error_response(
                StatusCode::BAD_REQUEST,
                TopError::invalid(
                    "Yêu cầu GraphQL không hợp lệ: cần một đối tượng JSON có trường query.",
                ),
            );
        }
    };
    let (kind, parsed_name) = operation_kind(&request.query, request.operation_name.as_deref());
    let counts_scans = request.query.contains("trace");
    let operation_name = request.operation_name.clone().or(parsed_name);
    if get_only && kind != Some(OperationType::Query) {
        return gql_error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            TopError::invalid("Chỉ được gửi truy vấn (query) bằng GET; hãy dùng POST."),
        );
    }
    let request = request
        .data(viewer)
        .data(CatalogLoader::data_loader(state.db.clone()))
        .data(ClientIp(ip));
    // A `trace` look-up counts a scan: it is never answered from the response cache.
    if anonymous && kind == Some(OperationType::Query) && state.cache.enabled() && !counts_scans {
        // Anonymous queries with the same body have the same answer: run one, share it.
        let flight = state.cache.flight(&body);
        let (out, _) = flight
            .get_or_init(|| run(&state, request, operation_name.as_deref(), started))
            .await
            .clone();
        state.cache.land(body, &flight);
        return json_response(out);
    }
    let (out, _) = run(&state, request, operation_name.as_deref(), started).await;
    json_response(out)
}

/// Executes a request; returns the response body and whether it succeeded without errors.
async fn run(
    state: &AppState,
    request: async_graphql::Request,
    operation_name: Option<&str>,
    started: Instant,
) -> (Bytes, bool) {
    let mut response = state.schema.execute(request).await;
    for e in response.errors.iter_mut() {
        if let Some(replaced) = limit_error(e, &state.config) {
            *e = replaced;
        }
    }
    let ok = response.errors.is_empty();
    state
        .metrics
        .graphql(operation_name, started.elapsed().as_secs_f64(), !ok);
    match serde_json::to_vec(&response) {
        Ok(v) => (Bytes::from(v), ok),
        Err(e) => {
            tracing::error!(error = %e, "serialising a response failed");
            let body = serde_json::json!({
                "data": null,
                "errors": [{ "message": TopError::internal().message, "extensions": { "code": "INTERNAL" } }]
            });
            (Bytes::from(body.to_string()), false)
        }
    }
}

/// The type and name of the operation that will run; `None` when the document does not parse
/// or names no such operation.
fn operation_kind(
    query: &str,
    name: Option<&str>,
) -> (
    Option<async_graphql::parser::types::OperationType>,
    Option<String>,
) {
    use async_graphql::parser::types::DocumentOperations;
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return (None, None);
    };
    match &doc.operations {
        DocumentOperations::Single(op) => (Some(op.node.ty), None),
        DocumentOperations::Multiple(ops) => {
            let found = match name {
                Some(n) => ops.iter().find(|(k, _)| k.as_str() == n),
                None if ops.len() == 1 => ops.iter().next(),
                None => None,
            };
            match found {
                Some((k, op)) => (Some(op.node.ty), Some(k.to_string())),
                None => (None, None),
            }
        }
    }
}
