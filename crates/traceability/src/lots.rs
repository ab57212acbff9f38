//! Lots: stock enters the platform only through them. Each gets an unguessable trace code and
//! a `commissioning` event when it is created.

use chrono::{NaiveDate, Utc};
use kernel::admin_units::AdminUnits;
use kernel::domain::{gtin_check_digit, text};
use kernel::error::is_unique_violation;
use kernel::id::{LotId, ProducerId, ProductId, VariantId};
use kernel::problem::{Label, Problem};
use kernel::time::{plausible_year, today_vn, vn_offset};
use kernel::trace_code::TraceCode;
use kernel::{Error, ErrorCode, Result, Viewer};
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};

use catalog::entity::{lot, product};
use catalog::products::Origin;
use catalog::stock::{self, NewLot};

use crate::events::{self, NewEvent};

pub const MAX_QUANTITY: i64 = 10_000_000;

pub struct LotFields<'a> {
    pub variant_id: VariantId,
    pub lot_number: &'a str,
    pub produced_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub quantity: i64,
    pub origin: Option<Origin<'a>>,
    pub gln: Option<&'a str>,
}

/// A lot number as GS1 AI 10 allows: 1–20 characters; we take letters, digits and `-./_`.
fn lot_number(s: &str) -> Result<String> {
    let t = s.trim();
    let ok = !t.is_empty()
        && t.len() <= 20
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'/' | b'_'));
    if ok {
        Ok(t.to_owned())
    } else {
        Err(Error::invalid(&["input", "lotNumber"], Problem::LotNumber))
    }
}

/// A GS1 Global Location Number: 13 digits, check digit verified.
fn gln(s: &str) -> Result<String> {
    let t = s.trim();
    let digits: Vec<u32> = t
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| u32::from(b - b'0'))
        .collect();
    if t.len() != 13 || digits.len() != 13 || gtin_check_digit(&digits[..12]) != digits[12] {
        return Err(Error::invalid(&["input", "gln"], Problem::Gln));
    }
    Ok(t.to_owned())
}

/// The product a lot belongs to.
pub async fn product_of(db: &impl ConnectionTrait, l: &lot::Model) -> Result<product::Model> {
    let v = catalog::variants::get(db, VariantId(l.variant_id)).await?;
    catalog::products::get(db, ProductId(v.product_id)).await
}

/// The lot's producer members, or ADMIN.
pub async fn require_manager(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    l: &lot::Model,
) -> Result<product::Model> {
    let p = product_of(db, l).await?;
    catalog::access::require_member(db, viewer, ProducerId(p.producer_id)).await?;
    Ok(p)
}

/// Creates a lot with a fresh trace code and its commissioning event, in one transaction.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    units: &AdminUnits,
    viewer: &Viewer,
    f: LotFields<'_>,
) -> Result<lot::Model> {
    let uid = viewer.require_user()?;
    let variant = catalog::variants::get(db, f.variant_id)
        .await
        .map_err(|_| Error::not_found(&["input", "variantId"], Problem::VariantNotFound))?;
    let product = catalog::products::get_managed(db, viewer, ProductId(variant.product_id)).await?;
    let number = lot_number(f.lot_number)?;
    let today = today_vn();
    if f.produced_on > today || !plausible_year(f.produced_on) {
        return Err(Error::invalid(
            &["input", "producedOn"],
            Problem::ProducedInFuture,
        ));
    }
    match f.expires_on {
        Some(e) if e <= f.produced_on => {
            return Err(Error::invalid(
                &["input", "expiresOn"],
                Problem::ExpiryBeforeProduction,
            ));
        }
        None if product.category_code.starts_with("I.1.") => {
            return Err(Error::invalid(
                &["input", "expiresOn"],
                Problem::FreshFoodNeedsExpiry,
            ));
        }
        _ => {}
    }
    if !(1..=MAX_QUANTITY).contains(&f.quantity) {
        return Err(Error::invalid(
            &["input", "quantity"],
            Problem::QuantityRange(MAX_QUANTITY),
        ));
    }
    let (province, commune, place) = match &f.origin {
        Some(o) => catalog::products::parse_origin(units, o)?,
        None => (
            product.origin_province_code.clone(),
            product.origin_commune_code.clone(),
            product.origin_place.clone(),
        ),
    };
    let gln = match f.gln.map(str::trim).filter(|g| !g.is_empty()) {
        Some(g) => Some(gln(g)?),
        None => None,
    };
    let location = place
        .clone()
        .or_else(|| {
            commune
                .as_deref()
                .and_then(|c| units.commune(c))
                .map(|c| c.name.clone())
        })
        .or_else(|| units.province(&province).map(|p| p.name.clone()))
        .unwrap_or_default();

    // A fresh code collides with an existing one about once in 10¹³ tries; retry if it does.
    for _ in 0..5 {
        let code = TraceCode::generate(&mut rand::rng());
        let txn = db.begin().await?;
        let inserted = stock::insert(
            &txn,
            NewLot {
                variant_id: VariantId(variant.id),
                lot_number: number.clone(),
                produced_on: f.produced_on,
                expires_on: f.expires_on,
                quantity: f.quantity,
                trace_code: code.as_str().to_owned(),
                origin_province_code: province.clone(),
                origin_commune_code: commune.clone(),
                origin_place: place.clone(),
                gln: gln.clone(),
            },
        )
        .await;
        let created = match inserted {
            Ok(l) => l,
            Err(e)
                if is_unique_violation(
                    &e,
                    "lots_variant_lot_number_key",
                    "lots.variant_id, lots.lot_number",
                ) =>
            {
                return Err(Error::code(
                    ErrorCode::Duplicate,
                    &["input", "lotNumber"],
                    Problem::LotNumberTaken,
                ));
            }
            Err(e) if is_unique_violation(&e, "lots_trace_code_key", "lots.trace_code") => continue,
            Err(e) => return Err(e.into()),
        };
        let commissioning = NewEvent {
            biz_step: "commissioning".to_owned(),
            disposition: Some("active".to_owned()),
            event_time: commissioning_time(f.produced_on),
            location: location.clone(),
            note: Some(format!("Tạo lô {number}: {} đơn vị.", f.quantity)),
            data: Some(serde_json::json!({
                "lotNumber": number,
                "quantity": f.quantity,
                "producedOn": f.produced_on.to_string(),
                "expiresOn": f.expires_on.map(|d| d.to_string()),
            })),
        };
        events::append(&txn, &created, commissioning, Some(uid)).await?;
        txn.commit().await?;
        return Ok(created);
    }
    Err(Error::Db(sea_orm::DbErr::Custom(
        "could not draw a free trace code".into(),
    )))
}

/// When the batch was made: 07:00 Vietnam time on the production date, or now if that is later
/// (a lot produced today).
fn commissioning_time(produced_on: NaiveDate) -> chrono::DateTime<chrono::FixedOffset> {
    let now = Utc::now().with_timezone(&vn_offset());
    produced_on
        .and_hms_opt(7, 0, 0)
        .and_then(|t| t.and_local_timezone(vn_offset()).single())
        .filter(|t| *t < now)
        .unwrap_or(now)
}

/// Recalls a lot (its producer's members, or ADMIN): it stops being sellable at once, and a
/// `holding` event with disposition `recalled` records why.
pub async fn recall<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    lot_id: LotId,
    reason: &str,
) -> Result<lot::Model> {
    let uid = viewer.require_user()?;
    let l = stock::get(db, lot_id).await?;
    require_manager(db, viewer, &l).await?;
    let reason =
        text(reason, 1000, Label::RecallReason).map_err(|m| Error::invalid(&["reason"], m))?;
    if l.recalled_at.is_some() {
        return Err(Error::code(
            ErrorCode::InvalidState,
            &["id"],
            Problem::LotRecalled,
        ));
    }
    let txn = db.begin().await?;
    let updated = stock::mark_recalled(&txn, l.clone(), reason.clone()).await?;
    let location = l
        .origin_place
        .clone()
        .unwrap_or_else(|| "Chợ OCOP".to_owned());
    events::append(
        &txn,
        &updated,
        NewEvent {
            biz_step: "holding".to_owned(),
            disposition: Some("recalled".to_owned()),
            event_time: Utc::now().with_timezone(&vn_offset()),
            location,
            note: Some(format!("Thu hồi lô hàng: {reason}")),
            data: None,
        },
        Some(uid),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
