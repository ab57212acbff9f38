//! Producers (chủ thể OCOP): cooperatives, enterprises, cooperative groups, household businesses.

use kernel::admin_units::AdminUnits;
use kernel::domain::{Email, PhoneVn, TaxCode, optional_text, text};
use kernel::fold::{fold, slugify};
use kernel::id::ProducerId;
use kernel::problem::{Label, Problem};
use kernel::sql::{Sql, like_escape};
use kernel::{Error, ErrorCode, Result, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QueryOrder, Set, TransactionSession, TransactionTrait,
};

use crate::access;
use crate::entity::{MemberRole, ProducerKind, invitation, member, producer};

/// A producer to create, parsed.
pub struct NewProducer {
    pub name: String,
    pub kind: ProducerKind,
    pub tax_code: Option<TaxCode>,
    pub province_code: String,
    pub commune_code: Option<String>,
    pub address: String,
    pub phone: Option<PhoneVn>,
    /// Whether the public sees the phone number (members and ADMIN always do).
    pub phone_public: bool,
    pub description: Option<String>,
}

/// The raw fields of `ProducerInput`.
pub struct ProducerFields<'a> {
    pub name: &'a str,
    pub kind: ProducerKind,
    pub tax_code: Option<&'a str>,
    pub province_code: &'a str,
    pub commune_code: Option<&'a str>,
    pub address: &'a str,
    pub phone: Option<&'a str>,
    pub phone_public: bool,
    pub description: Option<&'a str>,
}

impl NewProducer {
    pub fn parse(units: &AdminUnits, f: ProducerFields<'_>) -> Result<NewProducer> {
        let field = |name: &'static str| move |m: Problem| Error::invalid(&["input", name], m);
        let name = text(f.name, 200, Label::ProducerName).map_err(field("name"))?;
        let tax_code = match f.tax_code.map(str::trim).filter(|s| !s.is_empty()) {
            Some(t) => Some(TaxCode::parse(t).map_err(field("taxCode"))?),
            None => None,
        };
        units
            .validate(f.province_code, f.commune_code)
            .map_err(|(fld, m)| Error::invalid(&["input", fld], m))?;
        let address = text(f.address, 300, Label::Address).map_err(field("address"))?;
        let phone = match f.phone.map(str::trim).filter(|s| !s.is_empty()) {
            Some(p) => Some(PhoneVn::parse(p).map_err(field("phone"))?),
            None => None,
        };
        let description =
            optional_text(f.description, 5000, Label::Description).map_err(field("description"))?;
        Ok(NewProducer {
            name,
            kind: f.kind,
            tax_code,
            province_code: f.province_code.trim().to_owned(),
            commune_code: f
                .commune_code
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
            address,
            phone,
            phone_public: f.phone_public,
            description,
        })
    }
}

/// A slug not yet taken in `table`: the folded name, then `-2`, `-3`… Called inside the
/// transaction that inserts it: creators of the same base slug queue on an advisory lock
/// until the first commits (PostgreSQL; SQLite's write lock does the same), so two at once
/// never pick the same one.
pub async fn free_slug(db: &impl ConnectionTrait, table: &str, name: &str) -> Result<String> {
    let base = match slugify(name) {
        s if s.is_empty() => "san-pham".to_owned(),
        s => s,
    };
    kernel::sql::advisory_lock(db, &format!("slug:{table}:{base}")).await?;
    let backend = db.get_database_backend();
    let mut q = Sql::new(backend);
    q.push("SELECT slug FROM ")
        .push(table)
        .push(" WHERE slug = ")
        .bind(base.clone())
        .push(" OR slug LIKE ")
        .bind(format!("{}-%", like_escape(&base)))
        .push(" ESCAPE '\\'");
    let taken: Vec<String> = db
        .query_all_raw(q.build())
        .await?
        .into_iter()
        .filter_map(|r| r.try_get::<String>("", "slug").ok())
        .collect();
    if !taken.contains(&base) {
        return Ok(base);
    }
    let mut n = 2;
    loop {
        let candidate = format!("{base}-{n}");
        if !taken.contains(&candidate) {
            return Ok(candidate);
        }
        n += 1;
    }
}

fn producer_search_text(name: &str, units: &AdminUnits, province_code: &str) -> String {
    let province = units
        .province(province_code)
        .map(|p| p.name.as_str())
        .unwrap_or("");
    fold(&format!("{name} {province}"))
}

/// Creates a producer; the caller becomes its OWNER. Unverified until ADMIN verifies it.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    units: &AdminUnits,
    viewer: &Viewer,
    new: NewProducer,
) -> Result<producer::Model> {
    let uid = viewer.require_user()?;
    let txn = db.begin().await?;
    // It reads (a free slug) before it writes: on SQLite, writer from the start.
    kernel::sql::write_lock(&txn, "producers").await?;
    let slug = free_slug(&txn, "producers", &new.name).await?;
    let now = chrono::Utc::now();
    let created = producer::ActiveModel {
        search_text: Set(producer_search_text(&new.name, units, &new.province_code)),
        name: Set(new.name),
        slug: Set(slug),
        kind: Set(new.kind),
        tax_code: Set(new.tax_code.map(|t| t.as_str().to_owned())),
        province_code: Set(new.province_code),
        commune_code: Set(new.commune_code),
        address: Set(new.address),
        phone: Set(new.phone.map(|p| p.as_str().to_owned())),
        phone_public: Set(new.phone_public),
        description: Set(new.description),
        verified: Set(false),
        verified_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    member::ActiveModel {
        producer_id: Set(created.id),
        user_id: Set(uid),
        role: Set(MemberRole::Owner),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn get(db: &impl ConnectionTrait, id: ProducerId) -> Result<producer::Model> {
    producer::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found(&["producerId"], Problem::ProducerNotFound))
}

/// How many invitations one person may send per hour (they go to strangers' inboxes).
pub const INVITATIONS_PER_HOUR: i64 = 20;
/// How long an invitation stays open.
pub const INVITATION_DAYS: i64 = 7;

/// `producerMemberAdd`: the producer's OWNER (or ADMIN) invites an e-mail address as OWNER or
/// STAFF; the person joins by accepting ([`accept_invitation`]). The answer is the same
/// whether or not the address has an account, so it tells nobody who is registered; it is
/// `DUPLICATE` only for someone already a member (whom the owner sees anyway). Inviting the
/// same address again replaces the open invitation. At most [`INVITATIONS_PER_HOUR`] per
/// inviter, counted in the database (so across replicas).
pub async fn add_member<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    producer_id: ProducerId,
    email: &str,
    role: &str,
) -> Result<producer::Model> {
    let uid = viewer.require_user()?;
    let producer = get(db, producer_id).await?;
    access::require_owner(db, viewer, producer_id).await?;
    let Some(role) = MemberRole::parse(role) else {
        return Err(Error::invalid(&["role"], Problem::BadRole));
    };
    let email = Email::parse(email).map_err(|m| Error::invalid(&["email"], m))?;
    let now = chrono::Utc::now();
    let txn = db.begin().await?;
    kernel::sql::write_lock(&txn, "producer_invitations").await?;
    kernel::sql::lock_row(&txn, "users", uid).await?;
    let sent = invitation::Entity::find()
        .filter(invitation::Column::InvitedBy.eq(uid))
        .filter(invitation::Column::CreatedAt.gt(now - chrono::Duration::hours(1)))
        .count(&txn)
        .await? as i64;
    if sent >= INVITATIONS_PER_HOUR {
        return Err(Error::code(
            ErrorCode::LimitExceeded,
            &["email"],
            Problem::TooManyInvitations(INVITATIONS_PER_HOUR),
        ));
    }
    if let Some(user) = accounts::service::find_by_email(&txn, &email).await?
        && access::role(&txn, user.id, producer_id).await?.is_some()
    {
        return Err(Error::code(
            ErrorCode::Duplicate,
            &["email"],
            Problem::AlreadyMember,
        ));
    }
    invitation::Entity::delete_many()
        .filter(invitation::Column::ProducerId.eq(producer_id.get()))
        .filter(invitation::Column::Email.eq(email.as_str()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .exec(&txn)
        .await?;
    invitation::ActiveModel {
        producer_id: Set(producer_id.get()),
        email: Set(email.as_str().to_owned()),
        role: Set(role),
        invited_by: Set(uid),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::days(INVITATION_DAYS)),
        accepted_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(producer)
}

/// `producerInvitationAccept`: the signed-in person joins the producer with the role of an
/// open invitation for their e-mail address.
pub async fn accept_invitation<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    producer_id: ProducerId,
) -> Result<producer::Model> {
    let uid = viewer.require_user()?;
    let producer = get(db, producer_id).await?;
    let user = accounts::service::find_by_id(db, kernel::id::UserId(uid))
        .await?
        .ok_or(Error::Unauthenticated)?;
    let now = chrono::Utc::now();
    let txn = db.begin().await?;
    kernel::sql::write_lock(&txn, "producer_invitations").await?;
    let open = invitation::Entity::find()
        .filter(invitation::Column::ProducerId.eq(producer_id.get()))
        .filter(invitation::Column::Email.eq(user.email.to_lowercase()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .order_by_desc(invitation::Column::Id)
        .one(&txn)
        .await?
        .ok_or_else(|| Error::not_found(&["producerId"], Problem::NoInvitation))?;
    if access::role(&txn, uid, producer_id).await?.is_none() {
        member::ActiveModel {
            producer_id: Set(producer_id.get()),
            user_id: Set(uid),
            role: Set(open.role),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let mut accepted: invitation::ActiveModel = open.into();
    accepted.accepted_at = Set(Some(now));
    accepted.update(&txn).await?;
    txn.commit().await?;
    Ok(producer)
}

/// ADMIN marks a producer verified (idempotent).
pub async fn verify<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    producer_id: ProducerId,
) -> Result<producer::Model> {
    viewer.require_admin()?;
    let producer = get(db, producer_id).await?;
    if producer.verified {
        return Ok(producer);
    }
    let mut active: producer::ActiveModel = producer.into();
    active.verified = Set(true);
    active.verified_at = Set(Some(chrono::Utc::now()));
    let txn = db.begin().await?;
    let saved = active.update(&txn).await?;
    crate::listing::refresh(&txn, crate::listing::Affected::Producer(saved.id)).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Producers, newest first: verified ones for everyone, all of them for ADMIN.
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    limit: u64,
    after_id: Option<i64>,
    province_code: Option<&str>,
    search: Option<&str>,
) -> Result<Vec<producer::Model>> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT * FROM producers WHERE 1 = 1");
    if !viewer.is_admin {
        q.push(" AND verified = ").bind(true);
    }
    if let Some(p) = province_code {
        q.push(" AND province_code = ").bind(p.to_owned());
    }
    if let Some(s) = search {
        for term in kernel::fold::search_terms(s, 8) {
            q.push(" AND search_text LIKE ")
                .bind(format!("%{}%", like_escape(&term)))
                .push(" ESCAPE '\\'");
        }
    }
    if let Some(a) = after_id {
        q.push(" AND id < ").bind(a);
    }
    q.push(" ORDER BY id DESC LIMIT ").push_int(limit as i64);
    let rows = db.query_all_raw(q.build()).await?;
    Ok(rows
        .iter()
        .map(|r| producer::Model::from_query_result(r, ""))
        .collect::<Result<Vec<_>, _>>()?)
}

/// The producer with this slug, if any.
pub async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> Result<Option<producer::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(producer::Entity::find()
        .filter(producer::Column::Slug.eq(slug))
        .one(db)
        .await?)
}
