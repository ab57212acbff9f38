//! The router: GraphQL over HTTP and websockets, the public trace pages and affiliate links,
//! payment providers (webhooks, IPN, VietQR codes), health and metrics.

pub mod graphql;
pub mod health;
pub mod links;
pub mod pages;
pub mod payments;
pub mod statements;
pub mod ws;

use std::net::SocketAddr;
use std::time::Duration;

use api::TopError;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;

use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/graphql",
            get(graphql::graphql_get).post(graphql::graphql_post),
        )
        .route("/graphql/ws", get(ws::graphql_ws))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .merge(public_pages(state.clone()))
        .route("/webhooks/sepay", post(payments::sepay_webhook))
        .route("/webhooks/stripe", post(payments::stripe_webhook))
        .route(
            "/producers/{id}/statement.csv",
            get(statements::statement_csv),
        )
        .route("/payments/vnpay/ipn", get(payments::vnpay_ipn))
        .route("/payments/vnpay/return", get(payments::vnpay_return))
        .route("/payments/{number}/vietqr.png", get(payments::vietqr_png))
        .route("/payments/{number}/vietqr.svg", get(payments::vietqr_svg))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), count_http))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            error_response(StatusCode::INTERNAL_SERVER_ERROR, &TopError::internal())
        }))
        .with_state(state)
}

/// The public, anonymous pages: each client address may fetch `PAGE_RATE_LIMIT_PER_MINUTE` of
/// them a minute (shared by all replicas through Redis when it is configured).
fn public_pages(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/t/{code}", get(pages::trace_page))
        .route("/t/{code}/qr.svg", get(pages::qr_svg))
        .route("/t/{code}/qr.png", get(pages::qr_png))
        .route("/01/{*rest}", get(pages::digital_link_resolve))
        .route("/epcis/events", get(pages::epcis_events))
        .route("/l/{code}", get(links::affiliate_link))
        .route_layer(middleware::from_fn_with_state(state, limit_pages))
}

async fn limit_pages(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(addr): axum::extract::ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    let ip = client_ip(&addr, req.headers(), state.config.trust_forwarded_for);
    let per_minute = state.config.page_rate_limit_per_minute;
    if !state
        .limiter
        .hit(&format!("page:{ip}"), per_minute, 60)
        .await
    {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "60")],
            api::messages::RATE_LIMITED,
        )
            .into_response();
    }
    next.run(req).await
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

/// A top-level error as a GraphQL response body.
pub fn error_response(status: StatusCode, e: &TopError) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        e.response_body(),
    )
        .into_response()
}

/// The client's address: the peer, or the last hop of `X-Forwarded-For` behind our proxy.
pub fn client_ip(addr: &SocketAddr, headers: &HeaderMap, trust_forwarded: bool) -> String {
    if trust_forwarded
        && let Some(v) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(last) = v.split(',').map(str::trim).rfind(|s| !s.is_empty())
    {
        return last.to_owned();
    }
    addr.ip().to_string()
}
