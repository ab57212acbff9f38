//! Affiliate programs, links and commissions in the API: `affiliateProgramSet` (a product's
//! OWNER), `affiliateLinkCreate` (a verified creator), `myAffiliateLinks`, `myCommissions`
//! (the creator's) and `producerCommissions` (what a producer owes its creators).

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, SimpleObject};
use kernel::id::{ProducerId, ProductId};
use livestream::entity::affiliate_link;
use orders::commissions::Whose;
use orders::entity::commission;

use crate::accounts::User;
use crate::catalog::inputs::{ProductPayload, product_payload};
use crate::catalog::product::Product;
use crate::context::{
    GqlResult, IdPage, base_url, db, decode_arg, load, outcome, page_cost, viewer,
};
use crate::errors::{self, UserError};
use crate::ids::{self, Kind};
use crate::livestream::sessions::LiveSession;
use crate::loaders::{LiveSessionKey, OrderLineKey, ProductKey};
use crate::orders::objects::OrderLine;
use crate::scalars::Money;

pub struct AffiliateLink {
    pub model: affiliate_link::Model,
}

#[Object]
impl AffiliateLink {
    /// The short code the storefront sends back with the checkout line (`affiliateCode`).
    async fn code(&self) -> &str {
        &self.model.code
    }
    /// The link to share: `GET /l/{code}` counts the click and opens the product.
    async fn url(&self, ctx: &Context<'_>) -> String {
        format!("{}/l/{}", base_url(ctx), self.model.code)
    }
    async fn product(&self, ctx: &Context<'_>) -> GqlResult<Product> {
        load(ctx, ProductKey(self.model.product_id))
            .await?
            .map(Product)
            .ok_or_else(|| errors::missing("product"))
    }
    async fn creator(&self, ctx: &Context<'_>) -> GqlResult<User> {
        User::load(ctx, self.model.creator_user_id, "creator").await
    }
    async fn live_session(&self, ctx: &Context<'_>) -> GqlResult<Option<LiveSession>> {
        match self.model.live_session_id {
            Some(s) => Ok(load(ctx, LiveSessionKey(s)).await?.map(LiveSession)),
            None => Ok(None),
        }
    }
    /// Clicks, each client counted once an hour.
    async fn clicks(&self) -> i64 {
        self.model.clicks
    }
}

/// What a creator earns on one attributed order line.
pub struct Commission(pub commission::Model);

#[Object]
impl Commission {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Commission, self.0.id)
    }
    async fn creator(&self, ctx: &Context<'_>) -> GqlResult<User> {
        User::load(ctx, self.0.creator_user_id, "creator").await
    }
    async fn order_line(&self, ctx: &Context<'_>) -> GqlResult<OrderLine> {
        load(ctx, OrderLineKey(self.0.order_line_id))
            .await?
            .map(OrderLine)
            .ok_or_else(|| errors::missing("orderLine"))
    }
    /// The rate in force when the order was placed, in basis points.
    async fn rate_bps(&self) -> i64 {
        self.0.rate_bps
    }
    /// What the line earns now: the rate on what the buyer paid for it, less its share of
    /// refunds, rounded half up to the đồng.
    async fn amount(&self) -> Money {
        Money::vnd(self.0.amount)
    }
    /// PENDING, PAYABLE, PAID or VOIDED.
    async fn status(&self) -> &str {
        self.0.status.as_str()
    }
    /// When it became payable: the part completed and the return window passed.
    async fn payable_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.payable_at
    }
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
}

/// The creator, the producer's members and ADMIN see a commission.
pub async fn visible_commission(ctx: &Context<'_>, id: i64) -> GqlResult<Option<Commission>> {
    let v = viewer(ctx);
    let Some(uid) = v.user_id else {
        return Ok(None);
    };
    let Some(c) = orders::commissions::get(db(ctx), id)
        .await
        .map_err(errors::top)?
    else {
        return Ok(None);
    };
    let sees = v.is_admin
        || c.creator_user_id == uid
        || catalog::access::role(db(ctx), uid, ProducerId(c.producer_id))
            .await
            .map_err(errors::top)?
            .is_some();
    Ok(sees.then_some(Commission(c)))
}

#[derive(SimpleObject)]
pub struct AffiliateLinkPayload {
    pub link: Option<AffiliateLink>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct AffiliateMutation;

#[Object]
impl AffiliateMutation {
    /// The product's OWNER opts it into the affiliate program at `rateBps` (0 to 5000; 0
    /// turns it off). The rate applies to orders placed from now on, never to earlier ones.
    async fn affiliate_program_set(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        rate_bps: i64,
    ) -> GqlResult<ProductPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let pid = ProductId(decode_arg(Kind::Product, &product_id, &["productId"])?);
            livestream::affiliates::set_program(db(ctx), viewer(ctx), pid, rate_bps).await?;
            catalog::products::get(db(ctx), pid).await
        }
        .await;
        product_payload(r)
    }

    /// A verified creator's short link to a listed product in the affiliate program,
    /// optionally from one of their own sessions (lines bought through it are attributed to
    /// that session too).
    async fn affiliate_link_create(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        live_session_id: Option<ID>,
    ) -> GqlResult<AffiliateLinkPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let pid = ProductId(decode_arg(Kind::Product, &product_id, &["productId"])?);
            let sid = match &live_session_id {
                Some(s) => Some(decode_arg(Kind::LiveSession, s, &["liveSessionId"])?),
                None => None,
            };
            livestream::affiliates::create_link(db(ctx), viewer(ctx), pid, sid).await
        }
        .await;
        let (link, user_errors) = outcome(r)?;
        Ok(AffiliateLinkPayload {
            link: link.map(|model| AffiliateLink { model }),
            user_errors,
        })
    }
}

#[derive(Default)]
pub struct AffiliateQuery;

#[Object]
impl AffiliateQuery {
    /// The signed-in creator's commissions, oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn my_commissions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Commission>> {
        let uid = viewer(ctx).require_user().map_err(errors::top)?;
        let page = IdPage::new(first, after.as_deref(), "CM")?;
        let rows =
            orders::commissions::list(db(ctx), Whose::Creator(uid), page.fetch(), page.after)
                .await
                .map_err(errors::top)?;
        Ok(page.connection(rows, |c| c.id, Commission))
    }

    /// What a producer owes creators on lines attributed to them, oldest first: for its
    /// members and ADMIN. Commissions of completed parts are deducted in its statement.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn producer_commissions(
        &self,
        ctx: &Context<'_>,
        producer_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Commission>> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let pid = ProducerId(
            decode_arg(Kind::Producer, &producer_id, &["producerId"]).map_err(errors::top)?,
        );
        catalog::access::require_member(db(ctx), viewer(ctx), pid)
            .await
            .map_err(errors::top)?;
        let page = IdPage::new(first, after.as_deref(), "CM")?;
        let rows = orders::commissions::list(
            db(ctx),
            Whose::Producer(pid.get()),
            page.fetch(),
            page.after,
        )
        .await
        .map_err(errors::top)?;
        Ok(page.connection(rows, |c| c.id, Commission))
    }

    /// The signed-in creator's affiliate links, oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn my_affiliate_links(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, AffiliateLink>> {
        let uid = viewer(ctx).require_user().map_err(errors::top)?;
        let page = IdPage::new(first, after.as_deref(), "AL")?;
        let rows = livestream::affiliates::links_of(
            db(ctx),
            kernel::id::UserId(uid),
            page.fetch(),
            page.after,
        )
        .await
        .map_err(errors::top)?;
        Ok(page.connection(rows, |l| l.id, |model| AffiliateLink { model }))
    }
}
