//! Permissions: a producer's members (OWNER or STAFF) manage only that producer's things; ADMIN
//! manages everything. The one place that says "may manage this producer".

use kernel::id::ProducerId;
use kernel::{Error, Result, Viewer};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::member::{self, MemberRole};

/// The user's role in the producer, if any.
pub async fn role(
    db: &impl ConnectionTrait,
    user_id: i64,
    producer: ProducerId,
) -> Result<Option<MemberRole>> {
    Ok(member::Entity::find_by_id((producer.get(), user_id))
        .one(db)
        .await?
        .map(|m| m.role))
}

/// Of `producers`, those the user is a member of.
pub async fn member_of(
    db: &impl ConnectionTrait,
    user_id: i64,
    producers: &[i64],
) -> Result<Vec<i64>> {
    Ok(member::Entity::find()
        .filter(member::Column::UserId.eq(user_id))
        .filter(member::Column::ProducerId.is_in(producers.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.producer_id)
        .collect())
}

/// Whether the viewer may manage a producer, given the viewer's role in it (if known).
pub fn manages(viewer: &Viewer, role: Option<MemberRole>) -> bool {
    viewer.is_admin || (viewer.user_id.is_some() && role.is_some())
}

/// Whether the viewer may see and manage the producer's unlisted things.
pub async fn can_manage(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    producer: ProducerId,
) -> Result<bool> {
    match viewer.user_id {
        None => Ok(false),
        Some(_) if viewer.is_admin => Ok(true),
        Some(uid) => Ok(manages(viewer, role(db, uid, producer).await?)),
    }
}

/// A member of the producer or ADMIN; otherwise `Unauthenticated` or `Forbidden`.
pub async fn require_member(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    producer: ProducerId,
) -> Result<()> {
    viewer.require_user()?;
    if can_manage(db, viewer, producer).await? {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// The producer's OWNER or ADMIN.
pub async fn require_owner(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    producer: ProducerId,
) -> Result<()> {
    let uid = viewer.require_user()?;
    if viewer.is_admin || role(db, uid, producer).await? == Some(MemberRole::Owner) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}
