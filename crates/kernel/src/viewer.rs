//! Who is calling. A missing token is anonymous; the server rejects a bad one before any resolver.

use crate::error::TopError;

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

    /// The caller's user id, or `UNAUTHENTICATED`.
    pub fn require_user(&self) -> Result<i64, TopError> {
        self.user_id.ok_or_else(TopError::unauthenticated)
    }

    /// Succeeds for ADMIN only: `UNAUTHENTICATED` when anonymous, `FORBIDDEN` otherwise.
    pub fn require_admin(&self) -> Result<i64, TopError> {
        let id = self.require_user()?;
        if self.is_admin {
            Ok(id)
        } else {
            Err(TopError::forbidden())
        }
    }
}
