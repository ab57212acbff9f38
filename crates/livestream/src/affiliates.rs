//! Affiliate programs, links and clicks. A producer's OWNER opts a product in with a rate
//! (`affiliateProgramSet`); each change is a new row from now on, so orders keep the rate in
//! force when they were placed. A verified creator makes a short link to a product in a
//! program (`affiliateLinkCreate`), optionally from one of their live sessions; `GET /l/{code}`
//! counts the click — once per client per hour, through a bounded table the jobs prune — and
//! sends the visitor to the product on the storefront with `?aff={code}`. The storefront keeps
//! the last click for 7 days and sends the code with the checkout line: last click wins.

use chrono::{DateTime, Duration, Utc};
use kernel::id::{ProductId, UserId};
use kernel::problem::Problem;
use kernel::sql::Sql;
use kernel::{Error, ErrorCode, Result, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::entity::affiliate_link;
use crate::entity::affiliate_program;
use crate::entity::live_session::LiveStatus;

/// The highest rate a producer may set: 50 %.
pub const MAX_RATE_BPS: i64 = 5_000;
/// How long a click is remembered for deduplication.
pub const CLICK_WINDOW: Duration = Duration::hours(1);
const CODE_LEN: usize = 8;
/// No 0/o, 1/l/i: a code read aloud on a live is typed right.
const CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// `affiliateProgramSet`: the product's OWNER (or ADMIN) sets the rate for orders placed from
/// now on; 0 turns the program off.
pub async fn set_program(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    product_id: ProductId,
    rate_bps: i64,
) -> Result<()> {
    let uid = viewer.require_user()?;
    let product = catalog::products::get(db, product_id).await?;
    catalog::access::require_owner(db, viewer, kernel::id::ProducerId(product.producer_id)).await?;
    if !(0..=MAX_RATE_BPS).contains(&rate_bps) {
        return Err(Error::invalid(&["rateBps"], Problem::AffiliateRateRange));
    }
    affiliate_program::ActiveModel {
        product_id: Set(product.id),
        rate_bps: Set(rate_bps),
        set_by: Set(uid),
        starts_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The product's rate in force at `at` (0 when it never joined, or left).
pub async fn rate_at(
    db: &impl ConnectionTrait,
    product_id: ProductId,
    at: DateTime<Utc>,
) -> Result<i64> {
    Ok(affiliate_program::Entity::find()
        .filter(affiliate_program::Column::ProductId.eq(product_id.get()))
        .filter(affiliate_program::Column::StartsAt.lte(at))
        .order_by_desc(affiliate_program::Column::StartsAt)
        .order_by_desc(affiliate_program::Column::Id)
        .one(db)
        .await?
        .map_or(0, |p| p.rate_bps))
}

fn new_code() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// `affiliateLinkCreate`: a verified creator's link to a product in a program, optionally from
/// one of their own sessions that has not ended.
pub async fn create_link(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    product_id: ProductId,
    session_id: Option<i64>,
) -> Result<affiliate_link::Model> {
    let creator = crate::creators::require_verified(db, viewer).await?;
    let product = catalog::products::find(db, product_id)
        .await?
        .ok_or_else(|| Error::not_found(&["productId"], Problem::ProductNotFound))?;
    if !catalog::products::listing_issues(db, &product, true)
        .await?
        .is_empty()
    {
        return Err(Error::code(
            ErrorCode::InvalidState,
            &["productId"],
            Problem::NotOnSale,
        ));
    }
    if rate_at(db, product_id, Utc::now()).await? == 0 {
        return Err(Error::code(
            ErrorCode::InvalidState,
            &["productId"],
            Problem::NotInAffiliateProgram,
        ));
    }
    if let Some(sid) = session_id {
        let s = crate::sessions::get(db, sid)
            .await
            .map_err(|_| Error::not_found(&["liveSessionId"], Problem::LiveSessionNotFound))?;
        if s.host_user_id != creator.user_id {
            return Err(Error::forbidden());
        }
        if s.status == LiveStatus::Ended {
            return Err(Error::code(
                ErrorCode::InvalidState,
                &["liveSessionId"],
                Problem::LiveEnded,
            ));
        }
    }
    // A clash of two random codes is rare; the unique key catches it and we draw again.
    for _ in 0..5 {
        let inserted = affiliate_link::ActiveModel {
            code: Set(new_code()),
            product_id: Set(product.id),
            creator_user_id: Set(creator.user_id),
            live_session_id: Set(session_id),
            clicks: Set(0),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await;
        match inserted {
            Ok(l) => return Ok(l),
            Err(e)
                if kernel::error::is_unique_violation(
                    &e,
                    "affiliate_links_code_key",
                    "affiliate_links.code",
                ) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::Db(sea_orm::DbErr::Custom(
        "no free affiliate code after five draws".into(),
    )))
}

pub async fn by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<affiliate_link::Model>> {
    Ok(affiliate_link::Entity::find()
        .filter(affiliate_link::Column::Code.eq(code.trim()))
        .one(db)
        .await?)
}

/// A creator's links, oldest first (keyset on the id).
pub async fn links_of(
    db: &impl ConnectionTrait,
    creator: UserId,
    limit: u64,
    after: Option<i64>,
) -> Result<Vec<affiliate_link::Model>> {
    let mut q = affiliate_link::Entity::find()
        .filter(affiliate_link::Column::CreatorUserId.eq(creator.get()));
    if let Some(a) = after {
        q = q.filter(affiliate_link::Column::Id.gt(a));
    }
    Ok(q.order_by_asc(affiliate_link::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Counts a click on `code` by `visitor` (a hash of who is clicking), once per visitor per
/// hour. Returns the product's slug to redirect to, or `None` for an unknown code.
pub async fn click(db: &impl ConnectionTrait, code: &str, visitor: &str) -> Result<Option<String>> {
    let backend = db.get_database_backend();
    let mut q = Sql::new(backend);
    q.push("SELECT l.id, p.slug FROM affiliate_links l JOIN products p ON p.id = l.product_id WHERE l.code = ")
        .bind(code.to_owned());
    let Some(row) = db.query_one_raw(q.build()).await? else {
        return Ok(None);
    };
    let link_id: i64 = row.try_get("", "id")?;
    let slug: String = row.try_get("", "slug")?;
    let hour = Utc::now().timestamp().div_euclid(3600);
    let mut q = Sql::new(backend);
    q.push("INSERT INTO affiliate_clicks (link_id, visitor, hour) VALUES (")
        .bind(link_id)
        .push(", ")
        .bind(visitor.to_owned())
        .push(", ")
        .bind(hour)
        .push(") ON CONFLICT DO NOTHING");
    if db.execute_raw(q.build()).await?.rows_affected() == 1 {
        let mut q = Sql::new(backend);
        q.push("UPDATE affiliate_links SET clicks = clicks + 1 WHERE id = ")
            .bind(link_id);
        db.execute_raw(q.build()).await?;
    }
    Ok(Some(slug))
}

/// Forgets clicks older than the deduplication window: the table stays as small as an hour's
/// distinct visitors.
pub async fn prune_clicks(db: &impl ConnectionTrait) -> Result<u64> {
    let hour = (Utc::now() - CLICK_WINDOW).timestamp().div_euclid(3600);
    let mut q = Sql::new(db.get_database_backend());
    q.push("DELETE FROM affiliate_clicks WHERE hour < ")
        .bind(hour);
    Ok(db.execute_raw(q.build()).await?.rows_affected())
}
