//! Permissions: a producer's members (OWNER or STAFF) manage only that producer's things; ADMIN
//! manages everything.

use kernel::{Error, Result, TopError, Viewer};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::entity::member;

pub const OWNER: &str = "OWNER";
pub const STAFF: &str = "STAFF";

/// The viewer's role in the producer, if any.
pub async fn role(
    db: &impl ConnectionTrait,
    user_id: i64,
    producer_id: i64,
) -> Result<Option<String>> {
    Ok(member::Entity::find_by_id((producer_id, user_id))
        .one(db)
        .await?
        .map(|m| m.role))
}

/// Whether the viewer may see and manage the producer's unlisted things.
pub async fn can_manage(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    producer_id: i64,
) -> Result<bool> {
    match viewer.user_id {
        None => Ok(false),
        Some(_) if viewer.is_admin => Ok(true),
        Some(uid) => Ok(role(db, uid, producer_id).await?.is_some()),
    }
}

/// A member of the producer or ADMIN; otherwise `UNAUTHENTICATED` or `FORBIDDEN`.
pub async fn require_member(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    producer_id: i64,
) -> Result<()> {
    viewer.require_user()?;
    if can_manage(db, viewer, producer_id).await? {
        Ok(())
    } else {
        Err(Error::Top(TopError::forbidden()))
    }
}

/// The producer's OWNER or ADMIN.
pub async fn require_owner(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    producer_id: i64,
) -> Result<()> {
    let uid = viewer.require_user()?;
    if viewer.is_admin || role(db, uid, producer_id).await?.as_deref() == Some(OWNER) {
        Ok(())
    } else {
        Err(Error::Top(TopError::forbidden()))
    }
}
