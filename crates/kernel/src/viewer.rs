//! Who is calling. A missing token is anonymous; the server rejects a bad one before any resolver.

use crate::error::Error;
use crate::id::UserId;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: Option<i64>,
    pub is_admin: bool,
}

impl Viewer {
    pub fn anonymous() -> Viewer {
        Viewer::default()
    }

    pub fn user(user_id: i64, is_admin: bool) -> Viewer {
        Viewer {
            user_id: Some(user_id),
            is_admin,
        }
    }

    /// The caller's user id, or [`Error::Unauthenticated`].
    pub fn require_user(&self) -> Result<i64, Error> {
        self.user_id.ok_or(Error::Unauthenticated)
    }

    /// The caller's typed user id, or [`Error::Unauthenticated`].
    pub fn require_user_id(&self) -> Result<UserId, Error> {
        self.require_user().map(UserId)
    }

    /// Succeeds for ADMIN only: `Unauthenticated` when anonymous, `Forbidden` otherwise.
    pub fn require_admin(&self) -> Result<i64, Error> {
        let id = self.require_user()?;
        if self.is_admin {
            Ok(id)
        } else {
            Err(Error::Forbidden)
        }
    }
}
