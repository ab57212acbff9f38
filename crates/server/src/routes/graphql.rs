//! `GET|POST /graphql`: per-client rate limit, the viewer from the bearer token, the anonymous
//! response cache, then the schema. What kind of operation a request is (and whether it looks
//! a trace code up) is read from the parsed document, not from its text.

use std::net::SocketAddr;
use std::time::Instant;

use api::TopError;
use api::http::{OperationKind, Prepared};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::auth::{self, AuthError};
use crate::cache::Lookup;
use crate::routes::{client_ip, error_response};
use crate::state::AppState;

#[derive(serde::Deserialize)]
pub struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
}

pub async fn graphql_get(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(params): Query<GetParams>,
) -> Response {
    let Some(query) = params.query else {
        return Html(api::http::graphiql("/graphql", "/graphql/ws")).into_response();
    };
    let mut body = serde_json::json!({ "query": query });
    if let Some(op) = params.operation_name {
        body["operationName"] = op.into();
    }
    if let Some(vars) = params.variables {
        match serde_json::from_str::<serde_json::Value>(&vars) {
            Ok(v) => body["variables"] = v,
            Err(_) => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    &TopError::invalid(api::messages::VARIABLES_NOT_JSON),
                );
            }
        }
    }
    execute(state, addr, headers, Bytes::from(body.to_string()), true).await
}

pub async fn graphql_post(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let limit = state.config.max_body_bytes;
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            return error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                &TopError::payload_too_large(limit),
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
        return error_response(StatusCode::TOO_MANY_REQUESTS, &TopError::rate_limited());
    }
    let viewer = match auth::viewer(&headers, &state.keys, &state.db).await {
        Ok(v) => v,
        Err(AuthError::Unauthenticated) => {
            return error_response(StatusCode::UNAUTHORIZED, &TopError::bad_token());
        }
        Err(AuthError::Internal) => {
            return error_response(StatusCode::INTERNAL_SERVER_ERROR, &TopError::internal());
        }
    };
    let anonymous = viewer.user_id.is_none();
    if anonymous {
        match state.cache.lookup(&body) {
            Lookup::Hit(hit) => return json_response(hit),
            Lookup::Stale(old, permit) => {
                refresh(state, body, viewer, ip, permit);
                return json_response(old);
            }
            Lookup::Miss => {}
        }
    }
    let prepared = match api::http::prepare(&body) {
        Ok(p) => p,
        Err(e) => {
            let status = if e.code == "INVALID" {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            return error_response(status, &e);
        }
    };
    if get_only && prepared.kind != Some(OperationKind::Query) {
        return error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            &TopError::invalid(api::messages::MUTATION_OVER_GET),
        );
    }
    // A `trace` look-up counts a scan: it is never answered from the response cache.
    let cacheable = anonymous
        && prepared.kind == Some(OperationKind::Query)
        && !prepared.reads_trace
        && state.cache.enabled();
    if cacheable && let Some(flight) = state.cache.flight(&body) {
        // Anonymous queries with the same body have the same answer: run one, share it.
        let (out, _) = flight.run(run(&state, prepared, viewer, ip, started)).await;
        return json_response(out);
    }
    let (out, _) = run(&state, prepared, viewer, ip, started).await;
    json_response(out)
}

/// Refreshes a stale cache entry in a task of its own, through the key's flight (requests that
/// miss meanwhile wait for it rather than run it again). The request that found the entry
/// stale has already been served the old copy, so no client waits on a refresh. At most a few
/// run at once (`cache::REFRESHES`); the permit ends with the task. An entry whose
/// refresh never lands leaves the cache at 1.5 lifetimes, as any other.
fn refresh(
    state: AppState,
    body: Bytes,
    viewer: kernel::Viewer,
    ip: String,
    permit: tokio::sync::OwnedSemaphorePermit,
) {
    // Only an anonymous query without errors was stored, so it prepares again.
    let Ok(prepared) = api::http::prepare(&body) else {
        return;
    };
    tokio::spawn(async move {
        if let Some(flight) = state.cache.flight(&body) {
            flight
                .run(run(&state, prepared, viewer, ip, Instant::now()))
                .await;
        }
        drop(permit);
    });
}

/// Executes a request; returns the response body and whether it succeeded without errors.
async fn run(
    state: &AppState,
    prepared: Prepared,
    viewer: kernel::Viewer,
    ip: String,
    started: Instant,
) -> (Bytes, bool) {
    let operation_name = prepared.operation_name.clone();
    // Queries take turns (`crate::admission`); a mutation may wait on a payment provider, and
    // one that is slow must not hold back every page.
    let _turn = match prepared.kind {
        Some(OperationKind::Query) => state.admission.enter().await,
        _ => None,
    };
    let out = api::http::execute(&state.schema, &state.db, prepared, viewer, ip).await;
    state.metrics.graphql(
        operation_name.as_deref(),
        started.elapsed().as_secs_f64(),
        !out.ok,
    );
    (Bytes::from(out.body), out.ok)
}
