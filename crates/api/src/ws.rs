//! GraphQL over websockets (graphql-transport-ws, or the older graphql-ws) without naming
//! async-graphql in the server: the server hands over the client's messages and sends back
//! what comes out. The same request data as HTTP is attached ([`request_data`]), and the same
//! schema limits apply.

use std::future::Future;

use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use futures_util::{Stream, StreamExt};
use kernel::Viewer;
use kernel::db::Db;

use crate::context::request_data;
use crate::errors::TopError;
use crate::schema::{AppSchema, Limits, localize_limits_in};

/// The `Sec-WebSocket-Protocol` values we speak.
pub const PROTOCOLS: [&str; 2] = async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;

/// A message for the client.
pub enum Outgoing {
    Text(String),
    Close(u16, String),
}

/// The bearer token in a `connection_init` payload: `{"Authorization": "Bearer …"}` or
/// `{"token": "…"}`.
fn token(payload: &serde_json::Value) -> Option<String> {
    payload
        .get("Authorization")
        .or_else(|| payload.get("authorization"))
        .and_then(|v| v.as_str())
        .map(|v| {
            v.trim()
                .strip_prefix("Bearer ")
                .or_else(|| v.trim().strip_prefix("bearer "))
                .unwrap_or(v.trim())
                .trim()
                .to_owned()
        })
        .or_else(|| {
            payload
                .get("token")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
        .filter(|t| !t.is_empty())
}

/// Serves one websocket connection. `authenticate` turns the token of `connection_init` into
/// a viewer (`None`: anonymous) or refuses it, which closes the connection.
pub fn session<S, A, F>(
    schema: AppSchema,
    db: Db,
    protocol: Option<&str>,
    incoming: S,
    client_ip: String,
    authenticate: A,
) -> impl Stream<Item = Outgoing> + Send
where
    S: Stream<Item = Vec<u8>> + Send + Unpin + 'static,
    A: FnOnce(Option<String>) -> F + Send + 'static,
    F: Future<Output = Result<(Viewer, Option<i64>), ()>> + Send + 'static,
{
    let protocol = protocol
        .and_then(|p| p.parse::<WebSocketProtocols>().ok())
        .unwrap_or(WebSocketProtocols::GraphQLWS);
    let limits = schema.data::<Limits>().copied();
    WebSocket::new(schema, incoming, protocol)
        .on_connection_init(move |payload| async move {
            let (viewer, expires) = authenticate(token(&payload))
                .await
                .map_err(|()| async_graphql::Error::from(TopError::bad_token()))?;
            let mut data = request_data(&db, viewer, client_ip);
            data.insert(crate::context::SessionExpiry(expires));
            Ok(data)
        })
        .map(move |m| match (m, &limits) {
            (WsMessage::Text(t), Some(limits)) => Outgoing::Text(localize_limits_in(limits, t)),
            (WsMessage::Text(t), None) => Outgoing::Text(t),
            (WsMessage::Close(code, reason), _) => Outgoing::Close(code, reason),
        })
}

/// The protocol to answer with, from the client's offer.
pub fn choose_protocol(offered: &str) -> Option<&'static str> {
    offered
        .split(',')
        .map(str::trim)
        .find_map(|p| PROTOCOLS.iter().find(|ours| **ours == p).copied())
}
