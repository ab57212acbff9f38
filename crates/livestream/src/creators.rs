//! Creators: a user applies with their legal name, ID number, phone and channels; ADMIN
//! verifies (or rejects) before they may sell. The ID number is never kept: only a keyed hash
//! (so one person cannot hold two creator accounts) and its last four digits, shown to ADMIN
//! alone.

use chrono::Utc;
use kernel::domain::{PhoneVn, optional_text, text};
use kernel::error::is_unique_violation;
use kernel::id::UserId;
use kernel::problem::{Label, Problem};
use kernel::{Error, ErrorCode, Result, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};

use crate::entity::CreatorStatus;
use crate::entity::creator;
use crate::id_number::{IdNumber, IdNumberKey};

/// At most this many channels per creator.
pub const MAX_CHANNELS: usize = 5;

/// What `creatorApply` receives.
pub struct Application<'a> {
    pub legal_name: &'a str,
    pub id_number: &'a str,
    pub phone: &'a str,
    pub channels: &'a [String],
}

/// Channels are the creator's pages (TikTok, Facebook, YouTube, Shopee, Zalo…): web
/// addresses, 1 to [`MAX_CHANNELS`], each at most 300 characters.
fn channels(list: &[String]) -> Result<Vec<String>> {
    if list.is_empty() || list.len() > MAX_CHANNELS {
        return Err(Error::invalid(
            &["input", "channels"],
            Problem::ChannelCount(MAX_CHANNELS),
        ));
    }
    let mut out = Vec::with_capacity(list.len());
    for (i, c) in list.iter().enumerate() {
        let u = c.trim();
        let ok = (u.starts_with("https://") || u.starts_with("http://"))
            && u.len() > "https://".len()
            && u.len() <= 300
            && kernel::domain::url(u).is_ok();
        if !ok {
            let index = i.to_string();
            return Err(Error::invalid(
                &["input", "channels", &index],
                Problem::BadChannel,
            ));
        }
        if !out.iter().any(|o: &String| o == u) {
            out.push(u.to_owned());
        }
    }
    Ok(out)
}

/// `creatorApply`: a new application, or a corrected one while it waits or after a
/// rejection. A verified creator cannot apply again; an ID number another account gave is
/// `DUPLICATE`.
pub async fn apply<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    key: &IdNumberKey,
    viewer: &Viewer,
    a: Application<'_>,
) -> Result<creator::Model> {
    let uid = viewer.require_user()?;
    let legal_name = text(a.legal_name, 200, Label::LegalName)
        .map_err(|m| Error::invalid(&["input", "legalName"], m))?;
    let id = IdNumber::parse(a.id_number)
        .ok_or_else(|| Error::invalid(&["input", "idNumber"], Problem::BadIdNumber))?;
    let phone = PhoneVn::parse(a.phone).map_err(|m| Error::invalid(&["input", "phone"], m))?;
    let channels = channels(a.channels)?;
    let hash = id.hash(key);
    let now = Utc::now();
    let txn = db.begin().await?;
    kernel::sql::write_lock(&txn, "creators").await?;
    kernel::sql::advisory_lock(&txn, &format!("creator-id:{hash}")).await?;
    let existing = creator::Entity::find_by_id(uid).one(&txn).await?;
    if existing
        .as_ref()
        .is_some_and(|c| c.status == CreatorStatus::Verified)
    {
        return Err(Error::code(
            ErrorCode::InvalidState,
            &[],
            Problem::CreatorAlreadyVerified,
        ));
    }
    let taken = creator::Entity::find()
        .filter(creator::Column::IdNumberHash.eq(hash.clone()))
        .filter(creator::Column::UserId.ne(uid))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(id_number_taken());
    }
    let row = creator::ActiveModel {
        user_id: Set(uid),
        legal_name: Set(legal_name),
        id_number_hash: Set(hash),
        id_number_last4: Set(id.last4()),
        phone: Set(phone.as_str().to_owned()),
        channels: Set(serde_json::to_string(&channels).unwrap_or_else(|_| "[]".into())),
        status: Set(CreatorStatus::Pending),
        review_note: Set(None),
        reviewed_by: Set(None),
        reviewed_at: Set(None),
        created_at: Set(existing.as_ref().map_or(now, |c| c.created_at)),
        updated_at: Set(now),
    };
    let saved = if existing.is_some() {
        row.update(&txn).await
    } else {
        row.insert(&txn).await
    };
    let saved = saved.map_err(|e| {
        if is_unique_violation(&e, "creators_id_number_key", "creators.id_number_hash") {
            id_number_taken()
        } else {
            e.into()
        }
    })?;
    txn.commit().await?;
    Ok(saved)
}

fn id_number_taken() -> Error {
    Error::code(
        ErrorCode::Duplicate,
        &["input", "idNumber"],
        Problem::IdNumberTaken,
    )
}

/// `creatorVerify`: ADMIN decides on a waiting application.
pub async fn verify<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    user: UserId,
    approve: bool,
    note: Option<&str>,
) -> Result<creator::Model> {
    let admin = viewer.require_admin()?;
    let note = optional_text(note, 500, Label::Note).map_err(|m| Error::invalid(&["note"], m))?;
    let txn = db.begin().await?;
    kernel::sql::write_lock(&txn, "creators").await?;
    let c = creator::Entity::find_by_id(user.get())
        .one(&txn)
        .await?
        .ok_or_else(|| Error::not_found(&["userId"], Problem::CreatorNotFound))?;
    if c.status != CreatorStatus::Pending {
        return Err(Error::code(
            ErrorCode::InvalidState,
            &["userId"],
            Problem::CreatorNotPending,
        ));
    }
    let mut a: creator::ActiveModel = c.into();
    a.status = Set(if approve {
        CreatorStatus::Verified
    } else {
        CreatorStatus::Rejected
    });
    a.review_note = Set(note);
    a.reviewed_by = Set(Some(admin));
    a.reviewed_at = Set(Some(Utc::now()));
    a.updated_at = Set(Utc::now());
    let saved = a.update(&txn).await?;
    txn.commit().await?;
    Ok(saved)
}

/// The caller as a verified creator, or `CREATOR_NOT_VERIFIED`: the first check of every live
/// and affiliate mutation.
pub async fn require_verified(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
) -> Result<creator::Model> {
    let uid = viewer.require_user()?;
    match creator::Entity::find_by_id(uid).one(db).await? {
        Some(c) if c.status == CreatorStatus::Verified => Ok(c),
        _ => Err(Error::code(
            ErrorCode::CreatorNotVerified,
            &[],
            Problem::CreatorNotVerified,
        )),
    }
}

/// A user's creator record, if they applied.
pub async fn of_user(db: &impl ConnectionTrait, user: UserId) -> Result<Option<creator::Model>> {
    Ok(creator::Entity::find_by_id(user.get()).one(db).await?)
}

/// Applications waiting for ADMIN, oldest first (first come, first served).
pub async fn to_review(
    db: &impl ConnectionTrait,
    limit: u64,
    after: Option<i64>,
) -> Result<Vec<creator::Model>> {
    let mut q = creator::Entity::find()
        .filter(creator::Column::Status.eq(CreatorStatus::Pending))
        .order_by_asc(creator::Column::UserId)
        .limit(limit);
    if let Some(a) = after {
        q = q.filter(creator::Column::UserId.gt(a));
    }
    Ok(q.all(db).await?)
}

/// The channels of a creator record.
pub fn channel_list(c: &creator::Model) -> Vec<String> {
    serde_json::from_str(&c.channels).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::channels;

    #[test]
    fn channels_are_web_addresses_one_to_five() {
        let ok = vec![
            "https://www.tiktok.com/@htxnuocmam".to_owned(),
            "https://www.facebook.com/htxnuocmam".to_owned(),
            "https://www.tiktok.com/@htxnuocmam".to_owned(),
        ];
        assert_eq!(
            channels(&ok).unwrap().len(),
            2,
            "a repeated channel counts once"
        );
        assert!(channels(&[]).is_err());
        assert!(channels(&vec!["https://a.vn/x".to_owned(); 6]).is_err());
        for bad in [
            "tiktok.com/@a",
            "javascript:alert(1)",
            "https://",
            "/relative",
        ] {
            assert!(channels(&[bad.to_owned()]).is_err(), "{bad}");
        }
    }
}
