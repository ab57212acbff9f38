//! Authentication: `Authorization: Bearer <token>` becomes a [`Viewer`]. No header is
//! anonymous; a forged, expired or garbled token, or one whose user is gone, is an error.

use accounts::token::TokenKeys;
use axum::http::HeaderMap;
use kernel::Viewer;
use kernel::db::Db;

pub enum AuthError {
    Unauthenticated,
    Internal,
}

pub async fn viewer(headers: &HeaderMap, keys: &TokenKeys, db: &Db) -> Result<Viewer, AuthError> {
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Ok(Viewer::anonymous());
    };
    let value = value
        .to_str()
        .map_err(|_| AuthError::Unauthenticated)?
        .trim();
    if value.is_empty() {
        return Ok(Viewer::anonymous());
    }
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or(AuthError::Unauthenticated)?;
    viewer_for_token(token.trim(), keys, db).await
}

/// The viewer a bearer token names: for HTTP's header and a websocket's `connection_init` alike.
pub async fn viewer_for_token(token: &str, keys: &TokenKeys, db: &Db) -> Result<Viewer, AuthError> {
    viewer_until(token, keys, db).await.map(|(v, _)| v)
}

/// The viewer a bearer token names and when the token expires (unix seconds).
pub async fn viewer_until(
    token: &str,
    keys: &TokenKeys,
    db: &Db,
) -> Result<(Viewer, i64), AuthError> {
    let (user_id, exp) = keys.verify_until(token).ok_or(AuthError::Unauthenticated)?;
    viewer_of(user_id, db).await.map(|v| (v, exp))
}

async fn viewer_of(user_id: i64, db: &Db) -> Result<Viewer, AuthError> {
    match accounts::service::find_by_id(db, kernel::id::UserId(user_id)).await {
        Ok(Some(user)) => Ok(Viewer::user(user.id, user.is_admin)),
        Ok(None) => Err(AuthError::Unauthenticated),
        Err(e) => {
            tracing::error!(error = %e, "loading the token's user failed");
            Err(AuthError::Internal)
        }
    }
}
