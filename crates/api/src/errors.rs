//! The one mapping from domain outcomes ([`kernel::Error`]) to what clients see: a broken rule
//! becomes a `userErrors` entry in a mutation's payload (or a top-level error carrying its code,
//! in a query, which has no payload); authentication, permission, limits and faults become
//! top-level errors with `extensions.code`. Database faults are logged here, once, and shown as
//! `INTERNAL` without detail. The words themselves are in [`crate::messages`].

use async_graphql::{Enum, ErrorExtensions, SimpleObject};

use crate::messages;

/// Stable codes of `userErrors`. Add more; never rename.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE", remote = "kernel::ErrorCode")]
pub enum ErrorCode {
    Invalid,
    NotFound,
    Duplicate,
    InvalidState,
    ProducerNotVerified,
    CertificateNotVerified,
    CertificateExpired,
    StarsTooLow,
    NoSellableLot,
    InsufficientStock,
    LimitExceeded,
    IdempotencyKeyReused,
    PaymentFailed,
    CreatorNotVerified,
    /// The product has no variant to sell.
    NoVariant,
}

/// A rule broken by the caller's input.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct UserError {
    /// The input path of the offending field, e.g. `["input", "name"]`.
    pub field: Option<Vec<String>>,
    /// Vietnamese, for the person using the app.
    pub message: String,
    pub code: ErrorCode,
}

impl From<kernel::UserError> for UserError {
    fn from(e: kernel::UserError) -> Self {
        UserError {
            field: e.field,
            message: messages::vi(&e.problem),
            code: e.code.into(),
        }
    }
}

/// A top-level error: `extensions.code` is one of the codes API.md lists.
///
/// Deliberately not `Display`: async-graphql converts any `Display` type into an error without
/// extensions, which would drop the code; this type converts only through its own `From`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopError {
    pub code: &'static str,
    pub message: String,
}

impl TopError {
    pub fn unauthenticated() -> TopError {
        TopError {
            code: "UNAUTHENTICATED",
            message: messages::UNAUTHENTICATED.into(),
        }
    }
    /// A token that is forged, expired, or whose user is gone.
    pub fn bad_token() -> TopError {
        TopError {
            code: "UNAUTHENTICATED",
            message: messages::BAD_TOKEN.into(),
        }
    }
    pub fn forbidden() -> TopError {
        TopError {
            code: "FORBIDDEN",
            message: messages::FORBIDDEN.into(),
        }
    }
    pub fn internal() -> TopError {
        TopError {
            code: "INTERNAL",
            message: messages::INTERNAL.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> TopError {
        TopError {
            code: "INVALID",
            message: message.into(),
        }
    }
    pub fn rate_limited() -> TopError {
        TopError {
            code: "RATE_LIMITED",
            message: messages::RATE_LIMITED.into(),
        }
    }
    pub fn too_complex(message: impl Into<String>) -> TopError {
        TopError {
            code: "QUERY_TOO_COMPLEX",
            message: message.into(),
        }
    }
    pub fn payload_too_large(limit_bytes: usize) -> TopError {
        TopError {
            code: "PAYLOAD_TOO_LARGE",
            message: messages::payload_too_large(limit_bytes),
        }
    }

    /// A whole GraphQL response body carrying only this error.
    pub fn response_body(&self) -> String {
        serde_json::json!({
            "data": null,
            "errors": [{ "message": self.message, "extensions": { "code": self.code } }]
        })
        .to_string()
    }
}

impl From<TopError> for async_graphql::Error {
    fn from(e: TopError) -> Self {
        let code = e.code;
        async_graphql::Error::new(e.message).extend_with(|_, ext| ext.set("code", code))
    }
}

/// A domain outcome as a top-level GraphQL error (for queries, which have no `userErrors`).
pub fn top(e: kernel::Error) -> async_graphql::Error {
    match e.into_user_error() {
        Ok(u) => {
            let code = u.code.as_str();
            async_graphql::Error::new(messages::vi(&u.problem))
                .extend_with(|_, ext| ext.set("code", code))
        }
        Err(kernel::Error::Unauthenticated) => TopError::unauthenticated().into(),
        Err(kernel::Error::Forbidden) => TopError::forbidden().into(),
        Err(kernel::Error::BadRequest(p)) => TopError::invalid(messages::vi(&p)).into(),
        Err(kernel::Error::Db(e)) => {
            tracing::error!(error = %e, "database error");
            TopError::internal().into()
        }
        Err(other) => {
            tracing::error!(error = %other, "unexpected outcome");
            TopError::internal().into()
        }
    }
}

/// Splits a failed mutation: rules the caller broke go into the payload's `userErrors`, the
/// rest becomes a top-level error.
pub fn user_errors(e: kernel::Error) -> async_graphql::Result<Vec<UserError>> {
    match e.into_user_error() {
        Ok(u) => Ok(vec![u.into()]),
        Err(other) => Err(top(other)),
    }
}

/// A loader's failure (a database fault shared by every key of the batch).
pub fn load_err(e: std::sync::Arc<kernel::Error>) -> async_graphql::Error {
    match std::sync::Arc::try_unwrap(e) {
        Ok(e) => top(e),
        Err(shared) => {
            tracing::error!(error = %shared, "loader failed");
            TopError::internal().into()
        }
    }
}

/// A field that must resolve but found nothing: the data broke an invariant.
pub fn missing(what: &str) -> async_graphql::Error {
    tracing::error!(what, "a referenced row is missing");
    TopError::internal().into()
}
