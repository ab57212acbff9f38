//! Live sessions and their offers. A verified creator, or a producer's member for the
//! producer's own live, schedules a session; its host starts and ends it (SCHEDULED → LIVE →
//! ENDED, nothing else). Offers put a listed variant in the session's bag at a live price up to
//! a cap; one offer at a time is pinned above the chat.
//!
//! Who may set a live price below the regular price: the variant's producer — its members, in
//! their own session or on a creator's. A creator may offer only products in an affiliate
//! program, and only at the regular price: a lower live price in a creator's session is the
//! producer's to set, by adding the offer itself.

use chrono::{DateTime, Duration, Utc};
use kernel::domain::text;
use kernel::id::{ProducerId, ProductId, VariantId};
use kernel::problem::{Label, Problem};
use kernel::sql::Sql;
use kernel::{Error, ErrorCode, Result, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};

use crate::entity::live_offer;
use crate::entity::live_session::{self, LiveStatus, Platform};

/// What `liveSessionCreate` receives.
pub struct NewSession<'a> {
    pub title: &'a str,
    pub platform: &'a str,
    pub stream_url: Option<&'a str>,
    pub scheduled_at: DateTime<Utc>,
    pub producer_id: Option<ProducerId>,
}

/// What `liveOfferAdd` receives.
pub struct NewOffer {
    pub variant_id: VariantId,
    pub live_price: i64,
    pub quantity_cap: i64,
    pub per_buyer_limit: Option<i64>,
}

fn invalid(field: &str, p: Problem) -> Error {
    Error::invalid(&["input", field], p)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<live_session::Model> {
    live_session::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found(&["id"], Problem::LiveSessionNotFound))
}

/// `liveSessionCreate`.
pub async fn create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    s: NewSession<'_>,
) -> Result<live_session::Model> {
    let uid = viewer.require_user()?;
    match s.producer_id {
        Some(p) => catalog::access::require_member(db, viewer, p).await?,
        None => {
            crate::creators::require_verified(db, viewer).await?;
        }
    }
    let title = text(s.title, 200, Label::LiveTitle).map_err(|m| invalid("title", m))?;
    let platform = Platform::parse(s.platform.trim().to_uppercase().as_str())
        .ok_or_else(|| invalid("platform", Problem::BadPlatform))?;
    let stream_url = match s.stream_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(u)
            if (u.starts_with("https://") || u.starts_with("http://"))
                && kernel::domain::url(u).is_ok() =>
        {
            Some(u.to_owned())
        }
        Some(_) => return Err(invalid("streamUrl", Problem::Url)),
        None => None,
    };
    let now = Utc::now();
    if s.scheduled_at < now - Duration::hours(1) || s.scheduled_at > now + Duration::days(366) {
        return Err(invalid("scheduledAt", Problem::BadSchedule));
    }
    Ok(live_session::ActiveModel {
        host_user_id: Set(uid),
        producer_id: Set(s.producer_id.map(|p| p.get())),
        title: Set(title),
        platform: Set(platform),
        stream_url: Set(stream_url),
        scheduled_at: Set(s.scheduled_at),
        status: Set(LiveStatus::Scheduled),
        started_at: Set(None),
        ended_at: Set(None),
        pinned_offer_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The host runs the session (ADMIN may too); for a producer's live, any of its members.
async fn require_host(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    s: &live_session::Model,
) -> Result<()> {
    let uid = viewer.require_user()?;
    if viewer.is_admin || s.host_user_id == uid {
        return Ok(());
    }
    match s.producer_id {
        Some(p) => catalog::access::require_member(db, viewer, ProducerId(p)).await,
        None => Err(Error::forbidden()),
    }
}

/// The host moves the session `from` → `to` (one conditional update, stamping `stamp`; ending
/// also takes the pin down), or gets `INVALID_STATE` with `refused`.
async fn move_to(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i64,
    (from, to): (LiveStatus, LiveStatus),
    stamp: &str,
    refused: Problem,
) -> Result<live_session::Model> {
    let s = get(db, id).await?;
    require_host(db, viewer, &s).await?;
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE live_sessions SET status = ")
        .bind(to.as_str())
        .push(", ")
        .push(stamp)
        .push(" = ")
        .bind(Utc::now());
    if to == LiveStatus::Ended {
        q.push(", pinned_offer_id = NULL");
    }
    q.push(" WHERE id = ")
        .bind(id)
        .push(" AND status = ")
        .bind(from.as_str());
    if db.execute_raw(q.build()).await?.rows_affected() != 1 {
        return Err(wrong_state("id", refused));
    }
    get(db, id).await
}

fn wrong_state(field: &str, p: Problem) -> Error {
    Error::code(ErrorCode::InvalidState, &[field], p)
}

/// `liveSessionStart`: SCHEDULED → LIVE.
pub async fn start(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i64,
) -> Result<live_session::Model> {
    let step = (LiveStatus::Scheduled, LiveStatus::Live);
    move_to(db, viewer, id, step, "started_at", Problem::CannotStartLive).await
}

/// `liveSessionEnd`: LIVE → ENDED; the pin comes down.
pub async fn end(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i64,
) -> Result<live_session::Model> {
    let step = (LiveStatus::Live, LiveStatus::Ended);
    move_to(db, viewer, id, step, "ended_at", Problem::CannotEndLive).await
}

/// An offer's terms: a live price from 1 đồng to the regular price, a cap of 1 to 1,000,000,
/// a per-buyer limit of 1 to the cap.
fn check_terms(regular: i64, price: i64, cap: i64, limit: Option<i64>) -> Result<()> {
    if price < 1 || price > regular {
        return Err(invalid("livePrice", Problem::LivePriceRange { regular }));
    }
    if !(1..=1_000_000).contains(&cap) {
        return Err(invalid("quantityCap", Problem::QuantityRange(1_000_000)));
    }
    if limit.is_some_and(|l| l < 1 || l > cap) {
        return Err(invalid("perBuyerLimit", Problem::PerBuyerLimitRange));
    }
    Ok(())
}

/// Who is offering the producer's variant in session `s`: its members (and ADMIN) in any
/// session (`false`), or else the session's host as a verified creator (`true`, with the
/// creator's rules still to apply); anyone else is refused.
async fn as_creator(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    s: &live_session::Model,
    producer: ProducerId,
) -> Result<bool> {
    let uid = viewer.require_user()?;
    if viewer.is_admin || catalog::access::role(db, uid, producer).await?.is_some() {
        return Ok(false);
    }
    require_host(db, viewer, s).await?;
    crate::creators::require_verified(db, viewer).await?;
    Ok(true)
}

/// A creator sells at the regular price: a lower live price is the producer's to set.
fn creator_keeps_the_price(regular: i64, price: i64) -> Result<()> {
    if price == regular {
        Ok(())
    } else {
        Err(invalid(
            "livePrice",
            Problem::LivePriceByProducer { regular },
        ))
    }
}

/// `liveOfferAdd`: a listed variant at a live price, up to a cap, in a session not ended.
pub async fn add_offer<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    session_id: i64,
    o: NewOffer,
) -> Result<live_session::Model> {
    let uid = viewer.require_user()?;
    let s = get(db, session_id).await?;
    if s.status == LiveStatus::Ended {
        return Err(wrong_state("sessionId", Problem::LiveEnded));
    }
    let variant = catalog::variants::get(db, o.variant_id)
        .await
        .map_err(|_| invalid("variantId", Problem::NotOnSale))?;
    let product = catalog::products::get(db, ProductId(variant.product_id)).await?;
    let producer = ProducerId(product.producer_id);
    // Members of the variant's producer may offer it in any session; the host of a creator's
    // session may offer only products in an affiliate program, at the regular price.
    if as_creator(db, viewer, &s, producer).await? {
        if crate::affiliates::rate_at(db, ProductId(product.id), Utc::now()).await? == 0 {
            return Err(Error::code(
                ErrorCode::InvalidState,
                &["input", "variantId"],
                Problem::NotInAffiliateProgram,
            ));
        }
        creator_keeps_the_price(variant.price, o.live_price)?;
    }
    if !catalog::products::listing_issues(db, &product, true)
        .await?
        .is_empty()
    {
        return Err(invalid("variantId", Problem::NotOnSale));
    }
    check_terms(
        variant.price,
        o.live_price,
        o.quantity_cap,
        o.per_buyer_limit,
    )?;
    let txn = db.begin().await?;
    kernel::sql::write_lock(&txn, "live_offers").await?;
    let exists = live_offer::Entity::find()
        .filter(live_offer::Column::SessionId.eq(session_id))
        .filter(live_offer::Column::VariantId.eq(variant.id))
        .one(&txn)
        .await?;
    if exists.is_some() {
        return Err(Error::code(
            ErrorCode::Duplicate,
            &["input", "variantId"],
            Problem::AlreadyOffered,
        ));
    }
    live_offer::ActiveModel {
        session_id: Set(session_id),
        variant_id: Set(variant.id),
        producer_id: Set(producer.get()),
        live_price: Set(o.live_price),
        quantity_cap: Set(o.quantity_cap),
        quantity_sold: Set(0),
        per_buyer_limit: Set(o.per_buyer_limit),
        added_by: Set(uid),
        created_at: Set(Utc::now()),
        stock_changed_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    get(db, session_id).await
}

/// What `liveOfferUpdate` changes.
pub struct OfferChange {
    pub live_price: i64,
    pub quantity_cap: i64,
    pub per_buyer_limit: Option<i64>,
}

/// `liveOfferUpdate`: a new live price, cap or limit for an offer of a session not ended — by
/// whoever may add that offer, under the same rules (a creator keeps the regular price). The
/// cap never goes below what was sold. While the session is LIVE the price only goes down,
/// so nobody pays more than the stream showed them; a checkout racing the change claims at
/// the price it read or is refused (`LivePriceChanged`). Returns the offer before and after.
pub async fn update_offer(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    offer_id: i64,
    c: OfferChange,
) -> Result<(live_offer::Model, live_offer::Model)> {
    viewer.require_user()?;
    let before = offer(db, offer_id)
        .await?
        .ok_or_else(|| Error::not_found(&["offerId"], Problem::LiveOfferNotFound))?;
    let s = get(db, before.session_id).await?;
    if s.status == LiveStatus::Ended {
        return Err(wrong_state("offerId", Problem::LiveEnded));
    }
    let variant = catalog::variants::get(db, VariantId(before.variant_id)).await?;
    if as_creator(db, viewer, &s, ProducerId(before.producer_id)).await? {
        creator_keeps_the_price(variant.price, c.live_price)?;
    }
    // On air, a price only goes down: a viewer who saw the old price on the stream and checks
    // out a moment later must never pay more than they were shown.
    if s.status == LiveStatus::Live && c.live_price > before.live_price {
        return Err(invalid(
            "livePrice",
            Problem::LivePriceUpOnAir {
                now: before.live_price,
            },
        ));
    }
    check_terms(
        variant.price,
        c.live_price,
        c.quantity_cap,
        c.per_buyer_limit,
    )?;
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE live_offers SET live_price = ")
        .bind(c.live_price)
        .push(", quantity_cap = ")
        .bind(c.quantity_cap)
        .push(", per_buyer_limit = ")
        .bind(c.per_buyer_limit)
        .push(", stock_changed_at = ")
        .bind(Utc::now())
        .push(" WHERE id = ")
        .bind(offer_id)
        .push(" AND quantity_sold <= ")
        .bind(c.quantity_cap);
    if db.execute_raw(q.build()).await?.rows_affected() != 1 {
        let now = offer(db, offer_id).await?.unwrap_or(before);
        return Err(invalid(
            "quantityCap",
            Problem::CapBelowSold {
                sold: now.quantity_sold,
            },
        ));
    }
    let after = offer(db, offer_id)
        .await?
        .ok_or_else(|| Error::not_found(&["offerId"], Problem::LiveOfferNotFound))?;
    Ok((before, after))
}

/// `livePin` (an offer of the session, while it is LIVE) and `liveUnpin` (`None`): one pinned
/// offer at a time.
pub async fn pin(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    session_id: i64,
    offer_id: Option<i64>,
) -> Result<live_session::Model> {
    let s = get(db, session_id).await?;
    require_host(db, viewer, &s).await?;
    if let Some(o) = offer_id {
        let found = live_offer::Entity::find_by_id(o).one(db).await?;
        if found.is_none_or(|f| f.session_id != session_id) {
            return Err(Error::not_found(&["offerId"], Problem::LiveOfferNotFound));
        }
    }
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE live_sessions SET pinned_offer_id = ")
        .bind(offer_id)
        .push(" WHERE id = ")
        .bind(session_id)
        .push(" AND status = ")
        .bind(LiveStatus::Live.as_str());
    if db.execute_raw(q.build()).await?.rows_affected() != 1 {
        return Err(wrong_state("sessionId", Problem::NotLive));
    }
    get(db, session_id).await
}

/// Public listing: scheduled and live sessions (one status when asked), soonest first by id.
pub async fn list(
    db: &impl ConnectionTrait,
    status: Option<LiveStatus>,
    limit: u64,
    after: Option<i64>,
) -> Result<Vec<live_session::Model>> {
    let mut q = live_session::Entity::find();
    q = match status {
        Some(s) => q.filter(live_session::Column::Status.eq(s)),
        None => {
            q.filter(live_session::Column::Status.is_in([LiveStatus::Scheduled, LiveStatus::Live]))
        }
    };
    if let Some(a) = after {
        q = q.filter(live_session::Column::Id.gt(a));
    }
    Ok(q.order_by_asc(live_session::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// A session's offers, in the order they were added.
pub async fn offers(db: &impl ConnectionTrait, session_id: i64) -> Result<Vec<live_offer::Model>> {
    Ok(live_offer::Entity::find()
        .filter(live_offer::Column::SessionId.eq(session_id))
        .order_by_asc(live_offer::Column::Id)
        .all(db)
        .await?)
}

pub async fn offer(db: &impl ConnectionTrait, id: i64) -> Result<Option<live_offer::Model>> {
    Ok(live_offer::Entity::find_by_id(id).one(db).await?)
}

pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<live_session::Model>> {
    Ok(live_session::Entity::find()
        .filter(live_session::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}
