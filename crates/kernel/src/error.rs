//! Error codes. A rule broken by the caller's input is a [`UserError`] with a stable
//! [`ErrorCode`] and a Vietnamese message; missing authentication or permission, limits and
//! internal faults are top-level GraphQL errors ([`TopError`]) with `extensions.code`.

use async_graphql::{Enum, ErrorExtensions, SimpleObject};

/// Stable codes of `userErrors`. Add more; never rename.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
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

impl UserError {
    pub fn new(code: ErrorCode, field: &[&str], message: impl Into<String>) -> UserError {
        UserError {
            field: if field.is_empty() {
                None
            } else {
                Some(field.iter().map(|s| (*s).to_owned()).collect())
            },
            message: message.into(),
            code,
        }
    }

    pub fn invalid(field: &[&str], message: impl Into<String>) -> UserError {
        UserError::new(ErrorCode::Invalid, field, message)
    }

    pub fn not_found(field: &[&str], message: impl Into<String>) -> UserError {
        UserError::new(ErrorCode::NotFound, field, message)
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
            message: "Bạn cần đăng nhập để thực hiện thao tác này.".into(),
        }
    }
    pub fn forbidden() -> TopError {
        TopError {
            code: "FORBIDDEN",
            message: "Bạn không có quyền thực hiện thao tác này.".into(),
        }
    }
    pub fn internal() -> TopError {
        TopError {
            code: "INTERNAL",
            message: "Đã có lỗi hệ thống. Vui lòng thử lại sau.".into(),
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
            message: "Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.".into(),
        }
    }
    pub fn too_complex(message: impl Into<String>) -> TopError {
        TopError {
            code: "QUERY_TOO_COMPLEX",
            message: message.into(),
        }
    }
}

impl From<TopError> for async_graphql::Error {
    fn from(e: TopError) -> Self {
        let code = e.code;
        async_graphql::Error::new(e.message).extend_with(|_, ext| ext.set("code", code))
    }
}

/// The outcome of a failed service call, shared by the domain crates: a rule the caller broke
/// ([`UserError`], becomes `userErrors`), an authentication/permission/limit error ([`TopError`],
/// becomes a top-level error), or a database fault (logged once at the boundary, shown as
/// `INTERNAL` without detail).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", .0.message)]
    User(UserError),
    #[error("{}", .0.message)]
    Top(TopError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl From<UserError> for Error {
    fn from(e: UserError) -> Self {
        Error::User(e)
    }
}

impl From<TopError> for Error {
    fn from(e: TopError) -> Self {
        Error::Top(e)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: &[&str], message: impl Into<String>) -> Error {
        Error::User(UserError::invalid(field, message))
    }
    pub fn not_found(field: &[&str], message: impl Into<String>) -> Error {
        Error::User(UserError::not_found(field, message))
    }
    pub fn code(code: ErrorCode, field: &[&str], message: impl Into<String>) -> Error {
        Error::User(UserError::new(code, field, message))
    }
    pub fn forbidden() -> Error {
        Error::Top(TopError::forbidden())
    }

    /// Splits the error for a mutation payload: user errors go into `userErrors`, the rest
    /// becomes a top-level error. Database faults are logged here, once, and hidden.
    pub fn into_user_errors(self) -> std::result::Result<Vec<UserError>, async_graphql::Error> {
        match self {
            Error::User(e) => Ok(vec![e]),
            other => Err(other.into_top()),
        }
    }

    /// The error as a top-level GraphQL error (for queries, which have no `userErrors`).
    pub fn into_top(self) -> async_graphql::Error {
        match self {
            Error::User(e) => {
                let code = format!("{:?}", e.code);
                let code = screaming(&code);
                async_graphql::Error::new(e.message).extend_with(|_, ext| ext.set("code", code))
            }
            Error::Top(e) => e.into(),
            Error::Db(e) => {
                tracing::error!(error = %e, "database error");
                TopError::internal().into()
            }
        }
    }
}

/// `InvalidState` → `INVALID_STATE`.
fn screaming(camel: &str) -> String {
    let mut out = String::new();
    for (i, ch) in camel.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// Whether a database error is the violation of a unique constraint. PostgreSQL names the
/// constraint; SQLite names the columns (`table.col, table.col`), so both are given.
pub fn is_unique_violation(
    err: &sea_orm::DbErr,
    pg_constraint: &str,
    sqlite_columns: &str,
) -> bool {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(msg)) => {
            msg.contains(pg_constraint) || msg.contains(sqlite_columns)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_screaming_snake_case() {
        assert_eq!(super::screaming("InvalidState"), "INVALID_STATE");
        assert_eq!(super::screaming("NotFound"), "NOT_FOUND");
    }
}
