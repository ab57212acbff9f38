//! Failure outcomes shared by the domain crates. A service says *what happened* — the input was
//! invalid, the thing was not found, the caller may not do it, the stock ran out — and the API
//! layer decides how each outcome is shown (a `userErrors` entry with its stable code, or a
//! top-level error with `extensions.code`). A broken rule carries its [`Problem`] — the reason
//! and its facts, as data; every Vietnamese sentence is chosen in `api::messages`.

use std::fmt;

use crate::problem::Problem;

/// Stable codes of `userErrors`. Add more; never rename.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
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

impl ErrorCode {
    /// The code as clients see it: `INVALID_STATE`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Invalid => "INVALID",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Duplicate => "DUPLICATE",
            ErrorCode::InvalidState => "INVALID_STATE",
            ErrorCode::ProducerNotVerified => "PRODUCER_NOT_VERIFIED",
            ErrorCode::CertificateNotVerified => "CERTIFICATE_NOT_VERIFIED",
            ErrorCode::CertificateExpired => "CERTIFICATE_EXPIRED",
            ErrorCode::StarsTooLow => "STARS_TOO_LOW",
            ErrorCode::NoSellableLot => "NO_SELLABLE_LOT",
            ErrorCode::InsufficientStock => "INSUFFICIENT_STOCK",
            ErrorCode::LimitExceeded => "LIMIT_EXCEEDED",
            ErrorCode::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            ErrorCode::PaymentFailed => "PAYMENT_FAILED",
            ErrorCode::CreatorNotVerified => "CREATOR_NOT_VERIFIED",
            ErrorCode::NoVariant => "NO_VARIANT",
        }
    }
}

/// A rule broken by the caller's input: which field, why, and the stable code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserError {
    /// The input path of the offending field, e.g. `["input", "name"]`.
    pub field: Option<Vec<String>>,
    /// Why, as data; `api::messages` words it.
    pub problem: Problem,
    pub code: ErrorCode,
}

impl UserError {
    pub fn new(code: ErrorCode, field: &[&str], problem: Problem) -> UserError {
        UserError {
            field: if field.is_empty() {
                None
            } else {
                Some(field.iter().map(|s| (*s).to_owned()).collect())
            },
            problem,
            code,
        }
    }
}

/// The outcome of a failed service call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input breaks a format or range rule (`INVALID`).
    #[error("{0}")]
    Invalid(UserError),
    /// What the input names does not exist (`NOT_FOUND`).
    #[error("{0}")]
    NotFound(UserError),
    /// It would clash with what exists (`DUPLICATE`, `IDEMPOTENCY_KEY_REUSED`).
    #[error("{0}")]
    Conflict(UserError),
    /// Not allowed from the thing's current state (`INVALID_STATE`).
    #[error("{0}")]
    InvalidState(UserError),
    /// Not enough units left (`INSUFFICIENT_STOCK`).
    #[error("{0}")]
    InsufficientStock(UserError),
    /// A business rule with a code of its own (`PRODUCER_NOT_VERIFIED`, `LIMIT_EXCEEDED`, …).
    #[error("{0}")]
    Refused(UserError),
    /// No signed-in user where one is needed.
    #[error("unauthenticated")]
    Unauthenticated,
    /// Signed in, but not allowed.
    #[error("forbidden")]
    Forbidden,
    /// A request argument that is not part of any input object is malformed (a cursor,
    /// `first`, a filter list): a top-level `INVALID` for this problem.
    #[error("bad request: {0:?}")]
    BadRequest(Problem),
    /// A database fault: logged once at the boundary, shown as `INTERNAL` without detail.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<UserError> for Error {
    /// Files a user error under the outcome its code names.
    fn from(e: UserError) -> Self {
        match e.code {
            ErrorCode::Invalid => Error::Invalid(e),
            ErrorCode::NotFound => Error::NotFound(e),
            ErrorCode::Duplicate | ErrorCode::IdempotencyKeyReused => Error::Conflict(e),
            ErrorCode::InvalidState => Error::InvalidState(e),
            ErrorCode::InsufficientStock => Error::InsufficientStock(e),
            _ => Error::Refused(e),
        }
    }
}

impl Error {
    pub fn invalid(field: &[&str], problem: Problem) -> Error {
        Error::Invalid(UserError::new(ErrorCode::Invalid, field, problem))
    }
    pub fn not_found(field: &[&str], problem: Problem) -> Error {
        Error::NotFound(UserError::new(ErrorCode::NotFound, field, problem))
    }
    /// An error with a specific code, filed under its outcome.
    pub fn code(code: ErrorCode, field: &[&str], problem: Problem) -> Error {
        UserError::new(code, field, problem).into()
    }
    pub fn forbidden() -> Error {
        Error::Forbidden
    }
    pub fn bad_request(problem: Problem) -> Error {
        Error::BadRequest(problem)
    }

    /// The user error inside, for outcomes the caller can fix.
    pub fn user_error(&self) -> Option<&UserError> {
        match self {
            Error::Invalid(e)
            | Error::NotFound(e)
            | Error::Conflict(e)
            | Error::InvalidState(e)
            | Error::InsufficientStock(e)
            | Error::Refused(e) => Some(e),
            _ => None,
        }
    }

    pub fn into_user_error(self) -> std::result::Result<UserError, Error> {
        match self {
            Error::Invalid(e)
            | Error::NotFound(e)
            | Error::Conflict(e)
            | Error::InvalidState(e)
            | Error::InsufficientStock(e)
            | Error::Refused(e) => Ok(e),
            other => Err(other),
        }
    }
}

/// For logs: the code, the field and the problem, not the words a person reads.
impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", self.code, self.problem)?;
        if let Some(field) = &self.field {
            write!(f, " at {}", field.join("."))?;
        }
        Ok(())
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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
    use super::*;

    #[test]
    fn codes_file_under_their_outcome() {
        assert!(matches!(
            Error::code(ErrorCode::Duplicate, &[], Problem::EmailTaken),
            Error::Conflict(_)
        ));
        assert!(matches!(
            Error::code(ErrorCode::StarsTooLow, &[], Problem::StarsTooLow(2)),
            Error::Refused(_)
        ));
        assert_eq!(ErrorCode::InvalidState.as_str(), "INVALID_STATE");
        assert_eq!(
            Error::invalid(
                &["input", "name"],
                Problem::Required(crate::Label::ProductName)
            )
            .user_error()
            .unwrap()
            .field,
            Some(vec!["input".to_owned(), "name".to_owned()])
        );
    }
}
