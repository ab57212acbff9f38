//! OCOP certificates: submitted by a producer's member, reviewed and revoked by ADMIN.
//! Valid for 36 months from the recognising decision; expiry is judged at read time in
//! Asia/Ho_Chi_Minh, never stored.

use chrono::NaiveDate;
use kernel::domain::{Stars, check_score, optional_text, text, url};
use kernel::id::{CertificateId, ProducerId};
use kernel::problem::{Label, Problem};
use kernel::time::{add_months, plausible_year, today_vn};
use kernel::{Error, ErrorCode, Result, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};

use crate::access;
use crate::entity::{CertificateStatus, category, certificate};
use crate::producers;

pub const VALIDITY_MONTHS: u32 = 36;
/// The status as the public sees it today: a verified certificate past `valid_until` is EXPIRED.
pub fn effective_status(c: &certificate::Model, today: NaiveDate) -> CertificateStatus {
    if c.status == CertificateStatus::Verified && c.valid_until < today {
        CertificateStatus::Expired
    } else {
        c.status
    }
}

/// Whether the public may see the certificate: it was reviewed and not rejected (buyers check
/// certificates that have since expired or been revoked, too).
pub fn public(c: &certificate::Model) -> bool {
    c.reviewed_at.is_some() && c.status != CertificateStatus::Rejected
}

pub struct CertificateFields<'a> {
    pub producer_id: ProducerId,
    pub product_name: &'a str,
    pub category_code: &'a str,
    pub stars: i32,
    pub score: Option<i32>,
    pub decision_number: &'a str,
    pub issued_by: &'a str,
    pub issued_on: NaiveDate,
    pub document_url: Option<&'a str>,
}

pub async fn category(db: &impl ConnectionTrait, code: &str) -> Result<Option<category::Model>> {
    Ok(category::Entity::find_by_id(code.to_owned())
        .one(db)
        .await?)
}

/// Submits a certificate for review. `validUntil` is computed, never typed in.
pub async fn submit(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    f: CertificateFields<'_>,
) -> Result<certificate::Model> {
    viewer.require_user()?;
    producers::get(db, f.producer_id).await?;
    access::require_member(db, viewer, f.producer_id).await?;
    let field = |name: &'static str| move |m: Problem| Error::invalid(&["input", name], m);
    let product_name =
        text(f.product_name, 200, Label::ProductName).map_err(field("productName"))?;
    if category(db, f.category_code).await?.is_none() {
        return Err(Error::invalid(
            &["input", "categoryCode"],
            Problem::UnknownCategory(f.category_code.to_owned()),
        ));
    }
    let stars = Stars::new(f.stars).map_err(field("stars"))?;
    let score = match f.score {
        Some(s) => Some(check_score(stars, s).map_err(field("score"))?),
        None => None,
    };
    let decision_number =
        text(f.decision_number, 100, Label::DecisionNumber).map_err(field("decisionNumber"))?;
    let issued_by = text(f.issued_by, 200, Label::IssuingBody).map_err(field("issuedBy"))?;
    if f.issued_on > today_vn() || !plausible_year(f.issued_on) {
        return Err(Error::invalid(
            &["input", "issuedOn"],
            Problem::IssuedInFuture,
        ));
    }
    let document_url = match optional_text(f.document_url, 2000, Label::DocumentUrl)
        .map_err(field("documentUrl"))?
    {
        Some(u) => Some(url(&u).map_err(field("documentUrl"))?),
        None => None,
    };
    Ok(certificate::ActiveModel {
        producer_id: Set(f.producer_id.get()),
        product_name: Set(product_name),
        category_code: Set(f.category_code.to_owned()),
        stars: Set(stars.get()),
        score: Set(score),
        decision_number: Set(decision_number),
        issued_by: Set(issued_by),
        issued_on: Set(f.issued_on),
        valid_until: Set(add_months(f.issued_on, VALIDITY_MONTHS)),
        document_url: Set(document_url),
        status: Set(CertificateStatus::Submitted),
        review_note: Set(None),
        reviewed_by: Set(None),
        reviewed_at: Set(None),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn get(db: &impl ConnectionTrait, id: CertificateId) -> Result<certificate::Model> {
    certificate::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found(&["id"], Problem::CertificateNotFound))
}

/// ADMIN approves (VERIFIED) or rejects (REJECTED) a SUBMITTED certificate.
pub async fn review<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    id: CertificateId,
    approve: bool,
    note: Option<&str>,
) -> Result<certificate::Model> {
    let admin = viewer.require_admin()?;
    let cert = get(db, id).await?;
    if cert.status != CertificateStatus::Submitted {
        return Err(Error::code(
            ErrorCode::InvalidState,
            &["id"],
            Problem::OnlySubmittedReviewed,
        ));
    }
    let note = optional_text(note, 2000, Label::Note).map_err(|m| Error::invalid(&["note"], m))?;
    let mut active: certificate::ActiveModel = cert.into();
    active.status = Set(if approve {
        CertificateStatus::Verified
    } else {
        CertificateStatus::Rejected
    });
    active.review_note = Set(note);
    active.reviewed_by = Set(Some(admin));
    active.reviewed_at = Set(Some(chrono::Utc::now()));
    save_listed(db, active).await
}

/// ADMIN revokes a verified certificate: its products leave the public listing at once.
pub async fn revoke<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    id: CertificateId,
    reason: &str,
) -> Result<certificate::Model> {
    let admin = viewer.require_admin()?;
    let cert = get(db, id).await?;
    let reason = text(reason, 2000, Label::Reason).map_err(|m| Error::invalid(&["reason"], m))?;
    if cert.status != CertificateStatus::Verified {
        return Err(Error::code(
            ErrorCode::InvalidState,
            &["id"],
            Problem::OnlyVerifiedRevoked,
        ));
    }
    let mut active: certificate::ActiveModel = cert.into();
    active.status = Set(CertificateStatus::Revoked);
    active.review_note = Set(Some(reason));
    active.reviewed_by = Set(Some(admin));
    active.reviewed_at = Set(Some(chrono::Utc::now()));
    save_listed(db, active).await
}

/// Saves a certificate's new status and recomputes its products' listing copy, in one
/// transaction.
async fn save_listed<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    active: certificate::ActiveModel,
) -> Result<certificate::Model> {
    let txn = db.begin().await?;
    let saved = active.update(&txn).await?;
    crate::listing::refresh(&txn, crate::listing::Affected::Certificate(saved.id)).await?;
    txn.commit().await?;
    Ok(saved)
}

/// SUBMITTED certificates, oldest first (ADMIN).
pub async fn to_review(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    limit: u64,
    after_id: Option<i64>,
) -> Result<Vec<certificate::Model>> {
    viewer.require_admin()?;
    let mut q = certificate::Entity::find()
        .filter(certificate::Column::Status.eq(CertificateStatus::Submitted));
    if let Some(a) = after_id {
        q = q.filter(certificate::Column::Id.gt(a));
    }
    Ok(q.order_by_asc(certificate::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}
