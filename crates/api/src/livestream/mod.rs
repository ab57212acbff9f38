//! Live selling in the API: creators apply (`creatorApply`), ADMIN verifies them
//! (`creatorVerify`, `creatorsToReview`); a user's creator record is `User.creator`. Live
//! sessions and offers are in [`sessions`], programs, links and commissions in
//! [`affiliates`], and `liveSessionEvents` in [`events`].

pub mod affiliates;
pub mod events;
pub mod sessions;

pub use affiliates::{AffiliateMutation, AffiliateQuery};
pub use events::LiveSubscription;
pub use sessions::{LiveMutation, LiveQuery};

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use kernel::id::UserId;
use livestream::entity::creator;
use livestream::id_number::IdNumberKey;

use crate::accounts::User;
use crate::context::{GqlResult, IdPage, db, decode_arg, outcome, page_cost, viewer};
use crate::errors::{self, UserError};
use crate::ids::Kind;

/// Someone who sells on livestreams and through affiliate links.
pub struct Creator(pub creator::Model);

#[Object]
impl Creator {
    async fn user(&self, ctx: &Context<'_>) -> GqlResult<User> {
        User::load(ctx, self.0.user_id, "user").await
    }
    /// `PENDING`, `VERIFIED` or `REJECTED`.
    async fn status(&self) -> &str {
        self.0.status.as_str()
    }
    /// The creator's channels (web addresses).
    async fn channels(&self) -> Vec<String> {
        livestream::creators::channel_list(&self.0)
    }
    /// The ID number's last four digits, for ADMIN only: the number itself is never kept.
    async fn id_number_last4(&self, ctx: &Context<'_>) -> Option<&str> {
        viewer(ctx)
            .is_admin
            .then_some(self.0.id_number_last4.as_str())
    }
    /// The legal name, for the creator and ADMIN.
    async fn legal_name(&self, ctx: &Context<'_>) -> Option<&str> {
        self.private_to_owner(ctx)
            .then_some(self.0.legal_name.as_str())
    }
    /// ADMIN's note on the decision, for the creator and ADMIN.
    async fn review_note(&self, ctx: &Context<'_>) -> Option<&str> {
        if self.private_to_owner(ctx) {
            self.0.review_note.as_deref()
        } else {
            None
        }
    }
}

impl Creator {
    fn private_to_owner(&self, ctx: &Context<'_>) -> bool {
        let v = viewer(ctx);
        v.is_admin || v.user_id == Some(self.0.user_id)
    }
}

#[derive(InputObject)]
pub struct CreatorApplicationInput {
    /// As on the ID card.
    pub legal_name: String,
    /// Căn cước (12 digits) or the old chứng minh nhân dân (9): kept only as a keyed hash and
    /// its last four digits.
    pub id_number: String,
    pub phone: String,
    /// The creator's pages (TikTok, Facebook, YouTube, Shopee, Zalo…), 1 to 5 web addresses.
    pub channels: Vec<String>,
}

#[derive(SimpleObject)]
pub struct CreatorPayload {
    pub creator: Option<Creator>,
    pub user_errors: Vec<UserError>,
}

fn creator_payload(r: kernel::Result<creator::Model>) -> GqlResult<CreatorPayload> {
    let (c, user_errors) = outcome(r)?;
    Ok(CreatorPayload {
        creator: c.map(Creator),
        user_errors,
    })
}

fn key<'a>(ctx: &Context<'a>) -> &'a IdNumberKey {
    ctx.data_unchecked::<Arc<IdNumberKey>>()
}

#[derive(Default)]
pub struct LivestreamMutation;

#[Object]
impl LivestreamMutation {
    /// Applies to sell on livestreams and through affiliate links; ADMIN verifies the identity
    /// before any live or affiliate mutation is allowed (`CREATOR_NOT_VERIFIED` until then). A
    /// waiting or rejected application may be sent again, corrected.
    async fn creator_apply(
        &self,
        ctx: &Context<'_>,
        input: CreatorApplicationInput,
    ) -> GqlResult<CreatorPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = livestream::creators::apply(
            db(ctx),
            key(ctx),
            viewer(ctx),
            livestream::creators::Application {
                legal_name: &input.legal_name,
                id_number: &input.id_number,
                phone: &input.phone,
                channels: &input.channels,
            },
        )
        .await;
        creator_payload(r)
    }

    /// ADMIN: verifies (or rejects, with a note) a waiting creator application.
    async fn creator_verify(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        approve: bool,
        note: Option<String>,
    ) -> GqlResult<CreatorPayload> {
        viewer(ctx).require_admin().map_err(errors::top)?;
        let r = async {
            let uid = UserId(decode_arg(Kind::User, &user_id, &["userId"])?);
            livestream::creators::verify(db(ctx), viewer(ctx), uid, approve, note.as_deref()).await
        }
        .await;
        creator_payload(r)
    }
}

#[derive(Default)]
pub struct LivestreamQuery;

#[Object]
impl LivestreamQuery {
    /// ADMIN: creator applications waiting for a decision, oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn creators_to_review(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Creator>> {
        viewer(ctx).require_admin().map_err(errors::top)?;
        let page = IdPage::new(first, after.as_deref(), "CA")?;
        let rows = livestream::creators::to_review(db(ctx), page.fetch(), page.after)
            .await
            .map_err(errors::top)?;
        Ok(page.connection(rows, |c| c.user_id, Creator))
    }
}

/// A user's creator record: for the user themselves and ADMIN.
pub async fn creator_of(ctx: &Context<'_>, user_id: i64) -> GqlResult<Option<Creator>> {
    let v = viewer(ctx);
    if !(v.is_admin || v.user_id == Some(user_id)) {
        return Ok(None);
    }
    Ok(livestream::creators::of_user(db(ctx), UserId(user_id))
        .await
        .map_err(errors::top)?
        .map(Creator))
}
