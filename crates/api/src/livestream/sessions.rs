//! Live sessions in the API: `liveSessions`, `liveSession`, and the host's mutations.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use kernel::id::{ProducerId, VariantId};
use livestream::entity::{live_offer, live_session};

use crate::accounts::User;
use crate::catalog::product::Variant;
use crate::context::{
    GqlResult, IdPage, db, decode_arg, list_cost, live_event, load, outcome, page_cost, viewer,
};
use crate::errors::{self, UserError};
use crate::ids::{self, Kind};
use crate::loaders::VariantKey;
use crate::scalars::Money;
use livestream::events::LiveEventKind;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(
    rename_items = "SCREAMING_SNAKE_CASE",
    remote = "livestream::entity::LiveStatus"
)]
pub enum LiveSessionStatus {
    Scheduled,
    Live,
    Ended,
}

pub struct LiveSession(pub live_session::Model);

#[Object]
impl LiveSession {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::LiveSession, self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn host(&self, ctx: &Context<'_>) -> GqlResult<User> {
        User::load(ctx, self.0.host_user_id, "host").await
    }
    async fn status(&self) -> LiveSessionStatus {
        self.0.status.into()
    }
    /// TIKTOK, FACEBOOK, YOUTUBE, SHOPEE, ZALO or OTHER.
    async fn platform(&self) -> &str {
        self.0.platform.as_str()
    }
    async fn stream_url(&self) -> Option<&str> {
        self.0.stream_url.as_deref()
    }
    async fn scheduled_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.scheduled_at
    }
    async fn started_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.started_at
    }
    async fn ended_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.ended_at
    }
    /// The session's bag, in the order the offers were added.
    #[graphql(complexity = "list_cost(OFFERS_PRICED, child_complexity)")]
    async fn offers(&self, ctx: &Context<'_>) -> GqlResult<Vec<LiveOffer>> {
        Ok(livestream::sessions::offers(db(ctx), self.0.id)
            .await
            .map_err(errors::top)?
            .into_iter()
            .map(LiveOffer)
            .collect())
    }
    /// What the session sold (lines bought from it whose part was not cancelled): in all, for
    /// its host and ADMIN; with `producerId`, that producer's share, for its members too.
    /// `null` for anyone else.
    async fn figures(
        &self,
        ctx: &Context<'_>,
        producer_id: Option<ID>,
    ) -> GqlResult<Option<LiveFigures>> {
        let v = viewer(ctx);
        let Some(uid) = v.user_id else {
            return Ok(None);
        };
        let host = v.is_admin || uid == self.0.host_user_id;
        let producer = match &producer_id {
            Some(p) => match ids::decode(Kind::Producer, p) {
                Some(p) => Some(ProducerId(p)),
                None => return Ok(None),
            },
            None => None,
        };
        let allowed = match producer {
            None => host,
            Some(p) => {
                host || catalog::access::role(db(ctx), uid, p)
                    .await
                    .map_err(errors::top)?
                    .is_some()
            }
        };
        if !allowed {
            return Ok(None);
        }
        let f = orders::reads::live_figures(db(ctx), self.0.id, producer)
            .await
            .map_err(errors::top)?;
        Ok(Some(LiveFigures {
            orders: f.orders,
            units: f.units,
            revenue: Money::vnd(f.revenue),
        }))
    }
    /// The offer pinned above the chat, while the session is live.
    async fn pinned(&self, ctx: &Context<'_>) -> GqlResult<Option<LiveOffer>> {
        let Some(id) = self.0.pinned_offer_id else {
            return Ok(None);
        };
        Ok(livestream::sessions::offer(db(ctx), id)
            .await
            .map_err(errors::top)?
            .map(LiveOffer))
    }
}

/// What a live session sold.
#[derive(SimpleObject)]
pub struct LiveFigures {
    /// Orders with at least one line bought from the session.
    pub orders: i64,
    pub units: i64,
    /// What buyers were charged for those lines.
    pub revenue: Money,
}

/// What a session's offers are priced at in a query's complexity.
const OFFERS_PRICED: usize = 20;

pub struct LiveOffer(pub live_offer::Model);

#[Object]
impl LiveOffer {
    async fn id(&self) -> ID {
        ids::encode(Kind::LiveOffer, self.0.id)
    }
    async fn variant(&self, ctx: &Context<'_>) -> GqlResult<Variant> {
        load(ctx, VariantKey(self.0.variant_id))
            .await?
            .map(Variant)
            .ok_or_else(|| errors::missing("variant"))
    }
    async fn live_price(&self) -> Money {
        Money::vnd(self.0.live_price)
    }
    async fn quantity_cap(&self) -> i64 {
        self.0.quantity_cap
    }
    async fn quantity_sold(&self) -> i64 {
        self.0.quantity_sold
    }
    async fn per_buyer_limit(&self) -> Option<i64> {
        self.0.per_buyer_limit
    }
}

#[derive(InputObject)]
pub struct LiveSessionInput {
    pub title: String,
    /// TIKTOK, FACEBOOK, YOUTUBE, SHOPEE, ZALO or OTHER.
    pub platform: String,
    /// The stream's http(s) address.
    pub stream_url: Option<String>,
    pub scheduled_at: chrono::DateTime<chrono::Utc>,
    /// For a producer's own live (its member hosts); without it, a verified creator's.
    pub producer_id: Option<ID>,
}

#[derive(InputObject)]
pub struct LiveOfferInput {
    pub variant_id: ID,
    /// Whole đồng; at most the regular price.
    pub live_price: i64,
    pub quantity_cap: i64,
    pub per_buyer_limit: Option<i64>,
}

#[derive(InputObject)]
pub struct LiveOfferChangeInput {
    /// Whole đồng; at most the regular price.
    pub live_price: i64,
    /// Not below what was sold.
    pub quantity_cap: i64,
    pub per_buyer_limit: Option<i64>,
}

#[derive(SimpleObject)]
pub struct LiveSessionPayload {
    pub live_session: Option<LiveSession>,
    pub user_errors: Vec<UserError>,
}

fn payload(r: kernel::Result<live_session::Model>) -> GqlResult<LiveSessionPayload> {
    let (s, user_errors) = outcome(r)?;
    Ok(LiveSessionPayload {
        live_session: s.map(LiveSession),
        user_errors,
    })
}

fn session_id(id: &ID, field: &str) -> kernel::Result<i64> {
    decode_arg(Kind::LiveSession, id, &[field])
}

#[derive(Default)]
pub struct LiveMutation;

#[Object]
impl LiveMutation {
    /// Schedules a live: a verified creator's (`CREATOR_NOT_VERIFIED` otherwise), or, with
    /// `producerId`, the producer's own, hosted by one of its members.
    async fn live_session_create(
        &self,
        ctx: &Context<'_>,
        input: LiveSessionInput,
    ) -> GqlResult<LiveSessionPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let producer_id = match &input.producer_id {
                Some(p) => Some(ProducerId(decode_arg(
                    Kind::Producer,
                    p,
                    &["input", "producerId"],
                )?)),
                None => None,
            };
            livestream::sessions::create(
                db(ctx),
                viewer(ctx),
                livestream::sessions::NewSession {
                    title: &input.title,
                    platform: &input.platform,
                    stream_url: input.stream_url.as_deref(),
                    scheduled_at: input.scheduled_at,
                    producer_id,
                },
            )
            .await
        }
        .await;
        payload(r)
    }

    /// SCHEDULED → LIVE (the host).
    async fn live_session_start(&self, ctx: &Context<'_>, id: ID) -> GqlResult<LiveSessionPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            livestream::sessions::start(db(ctx), viewer(ctx), session_id(&id, "id")?).await
        }
        .await;
        payload(r)
    }

    /// LIVE → ENDED (the host); the pin comes down.
    async fn live_session_end(&self, ctx: &Context<'_>, id: ID) -> GqlResult<LiveSessionPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r =
            async { livestream::sessions::end(db(ctx), viewer(ctx), session_id(&id, "id")?).await }
                .await;
        if let Ok(s) = &r {
            live_event(ctx, s.id, LiveEventKind::Ended, None);
        }
        payload(r)
    }

    /// Puts a listed variant in the session's bag at a live price (at most the regular
    /// price), up to `quantityCap`, `perBuyerLimit` each: the variant's producer's members,
    /// in any session not ended.
    async fn live_offer_add(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        input: LiveOfferInput,
    ) -> GqlResult<LiveSessionPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let sid = self::session_id(&session_id, "sessionId")?;
            let vid = VariantId(decode_arg(
                Kind::Variant,
                &input.variant_id,
                &["input", "variantId"],
            )?);
            livestream::sessions::add_offer(
                db(ctx),
                viewer(ctx),
                sid,
                livestream::sessions::NewOffer {
                    variant_id: vid,
                    live_price: input.live_price,
                    quantity_cap: input.quantity_cap,
                    per_buyer_limit: input.per_buyer_limit,
                },
            )
            .await
        }
        .await;
        payload(r)
    }

    /// Changes an offer's live price, cap or per-buyer limit while its session has not ended,
    /// by whoever may add it (a creator keeps the regular price); the cap never goes below
    /// what was sold. Viewers hear `PRICE` when the price changed. A buyer who was shown the
    /// old price is refused at checkout, never charged the new one.
    async fn live_offer_update(
        &self,
        ctx: &Context<'_>,
        offer_id: ID,
        input: LiveOfferChangeInput,
    ) -> GqlResult<LiveSessionPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let oid = decode_arg(Kind::LiveOffer, &offer_id, &["offerId"])?;
            let (before, after) = livestream::sessions::update_offer(
                db(ctx),
                viewer(ctx),
                oid,
                livestream::sessions::OfferChange {
                    live_price: input.live_price,
                    quantity_cap: input.quantity_cap,
                    per_buyer_limit: input.per_buyer_limit,
                },
            )
            .await?;
            if before.live_price != after.live_price {
                live_event(ctx, after.session_id, LiveEventKind::Price, Some(after.id));
            }
            livestream::sessions::get(db(ctx), after.session_id).await
        }
        .await;
        payload(r)
    }

    /// Pins one of the session's offers above the chat (the host, while live).
    async fn live_pin(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        offer_id: ID,
    ) -> GqlResult<LiveSessionPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let sid = self::session_id(&session_id, "sessionId")?;
            let oid = decode_arg(Kind::LiveOffer, &offer_id, &["offerId"])?;
            livestream::sessions::pin(db(ctx), viewer(ctx), sid, Some(oid)).await
        }
        .await;
        if let Ok(s) = &r {
            live_event(ctx, s.id, LiveEventKind::Pinned, s.pinned_offer_id);
        }
        payload(r)
    }

    /// Takes the pin down (the host, while live).
    async fn live_unpin(&self, ctx: &Context<'_>, session_id: ID) -> GqlResult<LiveSessionPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let sid = self::session_id(&session_id, "sessionId")?;
            livestream::sessions::pin(db(ctx), viewer(ctx), sid, None).await
        }
        .await;
        if let Ok(s) = &r {
            live_event(ctx, s.id, LiveEventKind::Unpinned, None);
        }
        payload(r)
    }
}

#[derive(Default)]
pub struct LiveQuery;

#[Object]
impl LiveQuery {
    /// Scheduled and live sessions (or those of one status), oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn live_sessions(
        &self,
        ctx: &Context<'_>,
        status: Option<LiveSessionStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, LiveSession>> {
        let page = IdPage::new(first, after.as_deref(), "LS")?;
        let rows =
            livestream::sessions::list(db(ctx), status.map(Into::into), page.fetch(), page.after)
                .await
                .map_err(errors::top)?;
        Ok(page.connection(rows, |s| s.id, LiveSession))
    }

    /// A session: scheduled or live for everyone, ended ones for their host and ADMIN.
    async fn live_session(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<LiveSession>> {
        let Some(n) = ids::decode(Kind::LiveSession, &id) else {
            return Ok(None);
        };
        visible_session(ctx, n).await
    }
}

pub async fn visible_session(ctx: &Context<'_>, id: i64) -> GqlResult<Option<LiveSession>> {
    let s = match livestream::sessions::get(db(ctx), id).await {
        Ok(s) => s,
        Err(kernel::Error::NotFound(_)) => return Ok(None),
        Err(e) => return Err(errors::top(e)),
    };
    let v = viewer(ctx);
    let open = s.status != livestream::entity::LiveStatus::Ended;
    Ok((open || v.is_admin || v.user_id == Some(s.host_user_id)).then_some(LiveSession(s)))
}
