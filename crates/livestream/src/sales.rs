//! Live selling's side of checkout ([`orders::live::LiveSales`]): a line with a live offer
//! gets the live price only while the session is LIVE, within the offer's cap and the buyer's
//! limit; a line with an affiliate code is attributed to the link's creator. Each claim is one
//! conditional statement that cannot pass the cap or the limit, however many checkouts race:
//!
//! - the cap: `UPDATE live_offers SET quantity_sold = quantity_sold + n WHERE … AND
//!   quantity_sold + n <= quantity_cap` (and the session is LIVE, and the price is the one
//!   the buyer was shown);
//! - the limit: an upsert of the buyer's count whose update applies only while it stays within
//!   the limit, so two tabs of one buyer queue on one row and the second sees the first.

use chrono::Utc;
use kernel::dyn_db::{AnyDb, Dyn};
use kernel::problem::Problem;
use kernel::sql::Sql;
use kernel::{Error, ErrorCode, Result};
use orders::live::{Ask, LiveSales, Terms};
use sea_orm::ConnectionTrait;

use crate::entity::live_session::LiveStatus;

/// The implementation the server installs. It keeps nothing: each claim and give-back stamps
/// the offer's `stock_changed_at`, which the STOCK job reads.
pub struct Sales;

/// A refusal of checkout line `index`, on `field`.
fn refuse(code: ErrorCode, index: usize, field: &str, p: Problem) -> Error {
    Error::code(code, &["input", "lines", &index.to_string(), field], p)
}

/// Takes `n` of the offer's cap, at `price`; `require_live` for checkout (a revived order was
/// quoted while the session was live). `Ok(None)` when taken; otherwise why not.
async fn take_cap(
    db: &impl ConnectionTrait,
    offer_id: i64,
    n: i64,
    price: Option<i64>,
    require_live: bool,
) -> Result<Option<Problem>> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE live_offers SET quantity_sold = quantity_sold + ")
        .bind(n)
        .push(", stock_changed_at = ")
        .bind(Utc::now())
        .push(" WHERE id = ")
        .bind(offer_id)
        .push(" AND quantity_sold + ")
        .bind(n)
        .push(" <= quantity_cap");
    if let Some(p) = price {
        q.push(" AND live_price = ").bind(p);
    }
    if require_live {
        q.push(" AND EXISTS (SELECT 1 FROM live_sessions s WHERE s.id = live_offers.session_id AND s.status = ")
            .bind(LiveStatus::Live.as_str())
            .push(")");
    }
    if db.execute_raw(q.build()).await?.rows_affected() == 1 {
        return Ok(None);
    }
    // Why: read afresh, after the statement that refused.
    let o = crate::sessions::offer(db, offer_id)
        .await?
        .ok_or_else(|| Error::not_found(&["liveOfferId"], Problem::LiveOfferNotFound))?;
    let s = crate::sessions::get(db, o.session_id).await?;
    Ok(Some(if require_live && s.status != LiveStatus::Live {
        Problem::LivePriceNotNow
    } else if price.is_some_and(|p| p != o.live_price) {
        Problem::LivePriceChanged
    } else {
        Problem::LiveCapReached {
            left: o.quantity_cap - o.quantity_sold,
        }
    }))
}

/// Adds `n` to what the buyer took of the offer, within `limit`; `Err(bought)` when over.
async fn take_limit(
    db: &impl ConnectionTrait,
    offer_id: i64,
    buyer: i64,
    n: i64,
    limit: i64,
) -> Result<std::result::Result<(), i64>> {
    let bought = || async {
        let mut q = Sql::new(db.get_database_backend());
        q.push("SELECT quantity FROM live_offer_buyers WHERE offer_id = ")
            .bind(offer_id)
            .push(" AND buyer_id = ")
            .bind(buyer);
        Ok::<i64, Error>(match db.query_one_raw(q.build()).await? {
            Some(r) => r.try_get("", "quantity")?,
            None => 0,
        })
    };
    if n > limit {
        return Ok(Err(bought().await?));
    }
    let mut q = Sql::new(db.get_database_backend());
    q.push("INSERT INTO live_offer_buyers (offer_id, buyer_id, quantity) VALUES (")
        .bind(offer_id)
        .push(", ")
        .bind(buyer)
        .push(", ")
        .bind(n)
        .push(") ON CONFLICT (offer_id, buyer_id) DO UPDATE SET quantity = live_offer_buyers.quantity + excluded.quantity WHERE live_offer_buyers.quantity + excluded.quantity <= ")
        .bind(limit);
    if db.execute_raw(q.build()).await?.rows_affected() == 1 {
        Ok(Ok(()))
    } else {
        Ok(Err(bought().await?))
    }
}

#[async_trait::async_trait]
impl LiveSales for Sales {
    async fn claim(&self, db: &dyn AnyDb, ask: Ask<'_>) -> Result<Terms> {
        let db = Dyn(db);
        let i = ask.index;
        let link =
            match ask.affiliate_code {
                Some(code) => Some(crate::affiliates::by_code(&db, code).await?.ok_or_else(
                    || {
                        refuse(
                            ErrorCode::NotFound,
                            i,
                            "affiliateCode",
                            Problem::AffiliateLinkNotFound,
                        )
                    },
                )?),
                None => None,
            };
        if link
            .as_ref()
            .is_some_and(|l| l.product_id != ask.product_id.get())
        {
            return Err(refuse(
                ErrorCode::Invalid,
                i,
                "affiliateCode",
                Problem::AffiliateOtherProduct,
            ));
        }
        let mut terms = Terms::default();
        if let Some(offer_id) = ask.live_offer_id {
            let not_found = || {
                refuse(
                    ErrorCode::NotFound,
                    i,
                    "liveOfferId",
                    Problem::LiveOfferNotFound,
                )
            };
            let o = crate::sessions::offer(&db, offer_id)
                .await?
                .ok_or_else(not_found)?;
            if o.variant_id != ask.variant_id.get() {
                return Err(refuse(
                    ErrorCode::Invalid,
                    i,
                    "liveOfferId",
                    Problem::LiveOfferOtherVariant,
                ));
            }
            let s = crate::sessions::get(&db, o.session_id).await?;
            if let Some(why) = take_cap(&db, o.id, ask.quantity, Some(o.live_price), true).await? {
                let code = match why {
                    Problem::LiveCapReached { .. } => ErrorCode::InsufficientStock,
                    _ => ErrorCode::InvalidState,
                };
                return Err(refuse(code, i, "liveOfferId", why));
            }
            if let Some(limit) = o.per_buyer_limit
                && let Err(bought) = take_limit(&db, o.id, ask.buyer, ask.quantity, limit).await?
            {
                return Err(refuse(
                    ErrorCode::LimitExceeded,
                    i,
                    "quantity",
                    Problem::PerBuyerLimitReached { max: limit, bought },
                ));
            }
            terms.live_price = Some(o.live_price);
            terms.live_offer_id = Some(o.id);
            terms.live_session_id = Some(s.id);
            // A creator's session earns its host; a producer's own live earns nobody.
            if s.producer_id.is_none() {
                terms.creator_user_id = Some(s.host_user_id);
            }
        }
        if terms.creator_user_id.is_none()
            && let Some(l) = &link
        {
            terms.creator_user_id = Some(l.creator_user_id);
            terms.live_session_id = terms.live_session_id.or(l.live_session_id);
        }
        // Creators who do not own the product earn the rate in force now: not the buyer
        // themself, not a member of the producer.
        if let Some(creator) = terms.creator_user_id
            && creator != ask.buyer
            && catalog::access::role(&db, creator, ask.producer_id)
                .await?
                .is_none()
        {
            let rate = crate::affiliates::rate_at(&db, ask.product_id, Utc::now()).await?;
            terms.commission_bps = (rate > 0).then_some(rate);
        }
        Ok(terms)
    }

    async fn reclaim(
        &self,
        db: &dyn AnyDb,
        offer_id: i64,
        buyer: i64,
        quantity: i64,
    ) -> Result<bool> {
        let db = Dyn(db);
        let Some(o) = crate::sessions::offer(&db, offer_id).await? else {
            return Ok(false);
        };
        if take_cap(&db, offer_id, quantity, None, false)
            .await?
            .is_some()
        {
            return Ok(false);
        }
        if let Some(limit) = o.per_buyer_limit
            && take_limit(&db, offer_id, buyer, quantity, limit)
                .await?
                .is_err()
        {
            return Ok(false);
        }
        Ok(true)
    }

    async fn give_back(
        &self,
        db: &dyn AnyDb,
        offer_id: i64,
        buyer: i64,
        quantity: i64,
    ) -> Result<()> {
        let db = Dyn(db);
        let backend = db.get_database_backend();
        let mut q = Sql::new(backend);
        q.push("UPDATE live_offers SET quantity_sold = quantity_sold - ")
            .bind(quantity)
            .push(", stock_changed_at = ")
            .bind(Utc::now())
            .push(" WHERE id = ")
            .bind(offer_id)
            .push(" AND quantity_sold >= ")
            .bind(quantity);
        db.execute_raw(q.build()).await?;
        let mut q = Sql::new(backend);
        q.push("UPDATE live_offer_buyers SET quantity = quantity - ")
            .bind(quantity)
            .push(" WHERE offer_id = ")
            .bind(offer_id)
            .push(" AND buyer_id = ")
            .bind(buyer)
            .push(" AND quantity >= ")
            .bind(quantity);
        db.execute_raw(q.build()).await?;
        Ok(())
    }
}
