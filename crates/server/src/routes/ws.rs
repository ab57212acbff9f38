//! `GET /graphql/ws`: subscriptions over graphql-transport-ws (or the older graphql-ws), held
//! to the same guards as HTTP: the client's address, the per-client rate limit (each message
//! counts as a request), the body size limit (per message), and the schema's depth and
//! complexity limits. The `connection_init` payload may carry `{"Authorization": "Bearer
//! <token>"}` (or `token`); a bad token closes the connection.

use std::net::SocketAddr;

use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};

use crate::auth;
use crate::routes::client_ip;
use crate::state::AppState;

pub async fn graphql_ws(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let ip = client_ip(&addr, &headers, state.config.trust_forwarded_for);
    let offered = headers
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .and_then(api::ws::choose_protocol);
    upgrade
        .protocols(api::ws::PROTOCOLS)
        .max_message_size(state.config.max_body_bytes)
        .max_frame_size(state.config.max_body_bytes)
        .on_upgrade(move |socket| async move {
            let (mut sink, stream) = socket.split();
            let limiter = state.limiter.clone();
            let per_minute = state.config.rate_limit_per_minute;
            let key = format!("req:{ip}");
            // Each client message counts against the client's request budget; over it, the
            // connection ends.
            let incoming = stream
                .take_while(|m| futures_util::future::ready(m.is_ok()))
                .filter_map(|m| async move {
                    match m {
                        Ok(Message::Text(t)) => Some(t.as_bytes().to_vec()),
                        Ok(Message::Binary(b)) => Some(b.to_vec()),
                        _ => None,
                    }
                })
                .then(move |bytes| {
                    let (limiter, key) = (limiter.clone(), key.clone());
                    async move { limiter.hit(&key, per_minute, 60).await.then_some(bytes) }
                })
                .take_while(|m| futures_util::future::ready(m.is_some()))
                .filter_map(futures_util::future::ready)
                .boxed();
            let (keys, db) = (state.keys.clone(), state.db.clone());
            let out = api::ws::session(
                state.schema.clone(),
                state.db.clone(),
                offered,
                incoming,
                ip,
                move |token| async move {
                    match token {
                        None => Ok((kernel::Viewer::anonymous(), None)),
                        Some(t) => auth::viewer_until(&t, &keys, &db)
                            .await
                            .map(|(v, exp)| (v, Some(exp)))
                            .map_err(|_| ()),
                    }
                },
            );
            futures_util::pin_mut!(out);
            while let Some(msg) = out.next().await {
                let msg = match msg {
                    api::ws::Outgoing::Text(t) => Message::Text(t.into()),
                    api::ws::Outgoing::Close(code, reason) => Message::Close(Some(CloseFrame {
                        code,
                        reason: reason.into(),
                    })),
                };
                if sink.send(msg).await.is_err() {
                    break;
                }
            }
        })
}
