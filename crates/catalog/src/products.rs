//! Products: created as DRAFT by a producer's member, published when the listing rule holds.

use kernel::admin_units::AdminUnits;
use kernel::domain::{optional_text, text, url};
use kernel::fold::fold;
use kernel::id::{CertificateId, ProducerId, ProductId};
use kernel::problem::{Label, Problem};
use kernel::sql::Sql;
use kernel::time::today_vn;
use kernel::{Error, ErrorCode, Result, UserError, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};

use crate::access;
use crate::certificates;
use crate::entity::{ProductStatus, certificate, image, producer, product, variant};
use crate::listing;
use crate::producers;

pub const MAX_IMAGES: usize = 12;

pub struct Origin<'a> {
    pub province_code: &'a str,
    pub commune_code: Option<&'a str>,
    pub place: Option<&'a str>,
}

pub struct ProductFields<'a> {
    pub producer_id: ProducerId,
    pub certificate_id: CertificateId,
    pub name: &'a str,
    pub description: &'a str,
    pub category_code: Option<&'a str>,
    pub origin: Origin<'a>,
    pub images: Option<&'a [String]>,
}

pub struct ProductChanges<'a> {
    pub name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub certificate_id: Option<CertificateId>,
    pub origin: Option<Origin<'a>>,
    pub images: Option<&'a [String]>,
}

/// Province code, commune code and place of an origin, validated.
pub type OriginParts = (String, Option<String>, Option<String>);

/// Validates an origin: the commune must belong to the province.
pub fn parse_origin(units: &AdminUnits, o: &Origin<'_>) -> Result<OriginParts> {
    units
        .validate(o.province_code, o.commune_code)
        .map_err(|(f, m)| Error::invalid(&["input", "origin", f], m))?;
    let place = optional_text(o.place, 200, Label::Place)
        .map_err(|m| Error::invalid(&["input", "origin", "place"], m))?;
    Ok((
        o.province_code.trim().to_owned(),
        o.commune_code
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        place,
    ))
}

fn parse_images(images: &[String]) -> Result<Vec<String>> {
    if images.len() > MAX_IMAGES {
        return Err(Error::invalid(
            &["input", "images"],
            Problem::TooManyImages(MAX_IMAGES),
        ));
    }
    images
        .iter()
        .map(|u| url(u).map_err(|m| Error::invalid(&["input", "images"], m)))
        .collect()
}

fn search_text(
    name: &str,
    producer: &producer::Model,
    category_name: &str,
    units: &AdminUnits,
    origin: &OriginParts,
) -> String {
    let province = units
        .province(&origin.0)
        .map(|p| p.name.as_str())
        .unwrap_or("");
    let commune = origin
        .1
        .as_deref()
        .and_then(|c| units.commune(c))
        .map(|c| c.name.as_str())
        .unwrap_or("");
    fold(&format!(
        "{name} {} {category_name} {province} {commune} {}",
        producer.name,
        origin.2.as_deref().unwrap_or("")
    ))
}

/// A certificate of this producer, or an `INVALID` error on `field`.
async fn own_certificate(
    db: &impl ConnectionTrait,
    producer_id: ProducerId,
    certificate_id: CertificateId,
) -> Result<certificate::Model> {
    match certificate::Entity::find_by_id(certificate_id.get())
        .one(db)
        .await?
    {
        Some(c) if c.producer_id == producer_id.get() => Ok(c),
        _ => Err(Error::invalid(
            &["input", "certificateId"],
            Problem::CertificateNotOwn,
        )),
    }
}

/// Refuses a certificate that already backs another product: one OCOP certificate backs one
/// product. Called in the writing transaction, after a lock on the certificate, so two
/// products claiming it at once see each other (the unique index holds in any case).
async fn require_free_certificate(
    db: &impl ConnectionTrait,
    certificate_id: i64,
    this_product: Option<i64>,
) -> Result<()> {
    kernel::sql::advisory_lock(db, &format!("certificate:{certificate_id}")).await?;
    let mut q = product::Entity::find().filter(product::Column::CertificateId.eq(certificate_id));
    if let Some(id) = this_product {
        q = q.filter(product::Column::Id.ne(id));
    }
    match q.one(db).await? {
        Some(other) => Err(certificate_in_use(other.name)),
        None => Ok(()),
    }
}

fn certificate_in_use(product: String) -> Error {
    Error::code(
        ErrorCode::Duplicate,
        &["input", "certificateId"],
        Problem::CertificateInUse { product },
    )
}

/// The unique index's answer to two products claiming one certificate at the same moment.
fn claimed_meanwhile(e: sea_orm::DbErr) -> Error {
    if kernel::error::is_unique_violation(&e, "products_certificate_key", "products.certificate_id")
    {
        certificate_in_use(String::new())
    } else {
        e.into()
    }
}

async fn replace_images(
    db: &impl ConnectionTrait,
    product_id: i64,
    images: &[String],
    alt: &str,
) -> Result<()> {
    image::Entity::delete_many()
        .filter(image::Column::ProductId.eq(product_id))
        .exec(db)
        .await?;
    for (i, u) in images.iter().enumerate() {
        image::ActiveModel {
            product_id: Set(product_id),
            position: Set(i as i32),
            url: Set(u.clone()),
            alt: Set(Some(alt.to_owned())),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Creates a DRAFT product of the caller's producer, under one of its certificates.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    units: &AdminUnits,
    viewer: &Viewer,
    f: ProductFields<'_>,
) -> Result<product::Model> {
    viewer.require_user()?;
    let producer = producers::get(db, f.producer_id).await?;
    access::require_member(db, viewer, f.producer_id).await?;
    let cert = own_certificate(db, f.producer_id, f.certificate_id).await?;
    let name =
        text(f.name, 200, Label::ProductName).map_err(|m| Error::invalid(&["input", "name"], m))?;
    let description = text(f.description, 20_000, Label::Description)
        .map_err(|m| Error::invalid(&["input", "description"], m))?;
    // The category is the certificate's: one given must be it.
    let category_code = cert.category_code.clone();
    if let Some(given) = f.category_code.map(str::trim).filter(|c| !c.is_empty())
        && given != category_code
    {
        return Err(Error::invalid(
            &["input", "categoryCode"],
            Problem::CategoryNotCertificates {
                expected: category_code,
            },
        ));
    }
    let category = certificates::category(db, &category_code)
        .await?
        .ok_or_else(|| Error::invalid(&["input", "categoryCode"], Problem::BadCategory))?;
    let origin = parse_origin(units, &f.origin)?;
    let images = parse_images(f.images.unwrap_or(&[]))?;

    let txn = db.begin().await?;
    // It reads (a free slug) before it writes: on SQLite, writer from the start.
    kernel::sql::write_lock(&txn, "products").await?;
    require_free_certificate(&txn, cert.id, None).await?;
    let slug = producers::free_slug(&txn, "products", &name).await?;
    let now = chrono::Utc::now();
    let created = product::ActiveModel {
        producer_id: Set(f.producer_id.get()),
        certificate_id: Set(cert.id),
        stars: Set(cert.stars),
        category_code: Set(category_code),
        slug: Set(slug),
        name_folded: Set(fold(&name)),
        search_text: Set(search_text(
            &name,
            &producer,
            &category.name,
            units,
            &origin,
        )),
        description: Set(description),
        status: Set(ProductStatus::Draft),
        origin_province_code: Set(origin.0),
        origin_commune_code: Set(origin.1),
        origin_place: Set(origin.2),
        min_price: Set(0),
        max_price: Set(0),
        variant_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        published_at: Set(None),
        name: Set(name.clone()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(claimed_meanwhile)?;
    replace_images(&txn, created.id, &images, &name).await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn get(db: &impl ConnectionTrait, id: ProductId) -> Result<product::Model> {
    product::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found(&["id"], Problem::ProductNotFound))
}

/// A product the caller may manage: exists, and the caller is its producer's member or ADMIN.
pub async fn get_managed(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: ProductId,
) -> Result<product::Model> {
    viewer.require_user()?;
    let p = get(db, id).await?;
    access::require_member(db, viewer, ProducerId(p.producer_id)).await?;
    Ok(p)
}

pub async fn update<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    units: &AdminUnits,
    viewer: &Viewer,
    id: ProductId,
    ch: ProductChanges<'_>,
) -> Result<product::Model> {
    let current = get_managed(db, viewer, id).await?;
    let producer = producers::get(db, ProducerId(current.producer_id)).await?;
    let name = match ch.name {
        Some(n) => {
            text(n, 200, Label::ProductName).map_err(|m| Error::invalid(&["input", "name"], m))?
        }
        None => current.name.clone(),
    };
    let description = match ch.description {
        Some(d) => text(d, 20_000, Label::Description)
            .map_err(|m| Error::invalid(&["input", "description"], m))?,
        None => current.description.clone(),
    };
    let new_cert = match ch.certificate_id {
        Some(c) if c.get() != current.certificate_id => {
            Some(own_certificate(db, ProducerId(current.producer_id), c).await?)
        }
        _ => None,
    };
    let cert_id = new_cert.as_ref().map_or(current.certificate_id, |c| c.id);
    // Another certificate brings its category.
    let category_code = new_cert
        .as_ref()
        .map_or(current.category_code.clone(), |c| c.category_code.clone());
    let origin = match &ch.origin {
        Some(o) => parse_origin(units, o)?,
        None => (
            current.origin_province_code.clone(),
            current.origin_commune_code.clone(),
            current.origin_place.clone(),
        ),
    };
    let images = match ch.images {
        Some(i) => Some(parse_images(i)?),
        None => None,
    };
    let category = certificates::category(db, &category_code)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();

    let txn = db.begin().await?;
    if new_cert.is_some() {
        kernel::sql::write_lock(&txn, "products").await?;
        require_free_certificate(&txn, cert_id, Some(id.get())).await?;
    }
    let mut active: product::ActiveModel = current.into();
    active.category_code = Set(category_code);
    active.search_text = Set(search_text(&name, &producer, &category, units, &origin));
    active.name_folded = Set(fold(&name));
    active.name = Set(name.clone());
    active.description = Set(description);
    active.certificate_id = Set(cert_id);
    if let Some(c) = &new_cert {
        active.stars = Set(c.stars);
    }
    active.origin_province_code = Set(origin.0);
    active.origin_commune_code = Set(origin.1);
    active.origin_place = Set(origin.2);
    active.updated_at = Set(chrono::Utc::now());
    let mut updated = active.update(&txn).await.map_err(claimed_meanwhile)?;
    if new_cert.is_some() {
        listing::refresh(&txn, listing::Affected::Product(id.get())).await?;
        updated = get(&txn, id).await?;
    } else {
        // The origin and the search text may have changed: the variants' copy follows.
        listing::refresh_variants(&txn, listing::Affected::Product(id.get())).await?;
    }
    if let Some(images) = images {
        replace_images(&txn, id.get(), &images, &name).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Why the product could not be listed today, judged from the database as it is now.
pub async fn listing_issues(
    db: &impl ConnectionTrait,
    p: &product::Model,
    check_status: bool,
) -> Result<Vec<UserError>> {
    let producer = producers::get(db, ProducerId(p.producer_id)).await?;
    let cert = certificates::get(db, CertificateId(p.certificate_id)).await?;
    let variant_ids: Vec<i64> = variant::Entity::find()
        .filter(variant::Column::ProductId.eq(p.id))
        .all(db)
        .await?
        .into_iter()
        .map(|v| v.id)
        .collect();
    let available = crate::stock::available(db, &variant_ids, today_vn()).await?;
    let stock = listing::Stock {
        has_variants: !variant_ids.is_empty(),
        has_sellable_lot: available.values().any(|q| *q > 0),
    };
    Ok(listing::issues(
        p,
        &producer,
        &cert,
        stock,
        today_vn(),
        check_status,
    ))
}

/// Publishes a product when the listing rule holds. The inner error lists every reason it
/// does not, with codes `PRODUCER_NOT_VERIFIED`, `CERTIFICATE_NOT_VERIFIED`,
/// `CERTIFICATE_EXPIRED`, `STARS_TOO_LOW`, `NO_VARIANT`.
pub async fn publish<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    id: ProductId,
) -> Result<Result<product::Model, Vec<UserError>>> {
    let p = get_managed(db, viewer, id).await?;
    if p.status == ProductStatus::Archived {
        return Err(Error::code(
            ErrorCode::InvalidState,
            &["id"],
            Problem::ProductArchived,
        ));
    }
    let issues = listing_issues(db, &p, false).await?;
    if !issues.is_empty() {
        return Ok(Err(issues));
    }
    let mut active: product::ActiveModel = p.into();
    active.status = Set(ProductStatus::Published);
    active.published_at = Set(Some(chrono::Utc::now()));
    active.updated_at = Set(chrono::Utc::now());
    Ok(Ok(save_listed(db, active).await?))
}

/// Saves a product and recomputes its listing copy in one transaction; returns it as stored.
async fn save_listed<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    active: product::ActiveModel,
) -> Result<product::Model> {
    let txn = db.begin().await?;
    let saved = active.update(&txn).await?;
    listing::refresh(&txn, listing::Affected::Product(saved.id)).await?;
    let saved = get(&txn, ProductId(saved.id)).await?;
    txn.commit().await?;
    Ok(saved)
}

pub async fn unpublish<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    id: ProductId,
) -> Result<product::Model> {
    let p = get_managed(db, viewer, id).await?;
    if p.status != ProductStatus::Published {
        return Err(Error::code(
            ErrorCode::InvalidState,
            &["id"],
            Problem::ProductNotOnSale,
        ));
    }
    let mut active: product::ActiveModel = p.into();
    active.status = Set(ProductStatus::Unlisted);
    active.updated_at = Set(chrono::Utc::now());
    save_listed(db, active).await
}

/// A producer's products, newest first: all of them for its members and ADMIN, the listed ones
/// for everyone else.
pub async fn of_producer(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    producer_id: ProducerId,
    limit: u64,
    after_id: Option<i64>,
) -> Result<Vec<product::Model>> {
    if access::can_manage(db, viewer, producer_id).await? {
        let mut q =
            product::Entity::find().filter(product::Column::ProducerId.eq(producer_id.get()));
        if let Some(a) = after_id {
            q = q.filter(product::Column::Id.lt(a));
        }
        return Ok(q
            .order_by_desc(product::Column::Id)
            .limit(limit)
            .all(db)
            .await?);
    }
    let mut q = Sql::new(db.get_database_backend());
    q.push(
        "SELECT p.* FROM products p JOIN ocop_certificates c ON c.id = p.certificate_id \
         JOIN producers pr ON pr.id = p.producer_id WHERE p.producer_id = ",
    )
    .bind(producer_id)
    .push(" AND");
    listing::push_listed(&mut q, today_vn());
    if let Some(a) = after_id {
        q.push(" AND p.id < ").bind(a);
    }
    q.push(" ORDER BY p.id DESC LIMIT ").push_int(limit as i64);
    use sea_orm::FromQueryResult;
    let rows = db.query_all_raw(q.build()).await?;
    Ok(rows
        .iter()
        .map(|r| product::Model::from_query_result(r, ""))
        .collect::<Result<Vec<_>, _>>()?)
}

/// The product with this slug, if any.
pub async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> Result<Option<product::Model>> {
    Ok(product::Entity::find()
        .filter(product::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// The product with this id, if any.
pub async fn find(db: &impl ConnectionTrait, id: ProductId) -> Result<Option<product::Model>> {
    Ok(product::Entity::find_by_id(id.get()).one(db).await?)
}
