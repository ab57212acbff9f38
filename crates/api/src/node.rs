//! The `Node` interface and `node(id:)`: any object by its global ID, when the viewer may see it.

use async_graphql::{Context, ID, Interface, Object};
use kernel::id::UserId;

use crate::accounts::User;
use crate::catalog::objects::{OcopCertificate, Producer, visible_certificate, visible_producer};
use crate::catalog::product::{Product, Variant, visible_product, visible_variant};
use crate::context::{GqlResult, db, load, viewer};
use crate::errors;
use crate::ids::{self, Kind};
use crate::loaders::LotKey;
use crate::orders::objects::{Order, SellerOrder, visible_order, visible_seller_order};
use crate::traceability::objects::Lot;

/// Every object with a global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    User(User),
    Producer(Producer),
    OcopCertificate(OcopCertificate),
    Product(Product),
    Variant(Variant),
    Lot(Lot),
    Order(Order),
    SellerOrder(SellerOrder),
    LiveSession(crate::livestream::sessions::LiveSession),
    Commission(crate::livestream::affiliates::Commission),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global ID, when the viewer may see it.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Node>> {
        let Some((kind, n)) = ids::decode_any(&id) else {
            return Ok(None);
        };
        Ok(match kind {
            Kind::Product => visible_product(ctx, n).await?.map(Node::Product),
            Kind::Producer => visible_producer(ctx, n).await?.map(Node::Producer),
            Kind::OcopCertificate => visible_certificate(ctx, n)
                .await?
                .map(Node::OcopCertificate),
            Kind::Variant => visible_variant(ctx, n).await?.map(Node::Variant),
            Kind::User => {
                let v = viewer(ctx);
                if v.user_id == Some(n) || v.is_admin {
                    accounts::service::find_by_id(db(ctx), UserId(n))
                        .await
                        .map_err(errors::top)?
                        .map(|u| Node::User(User::new(u)))
                } else {
                    None
                }
            }
            // A lot is visible with its product (its trace code is public anyway).
            Kind::Lot => match load(ctx, LotKey(n)).await? {
                Some(l) => visible_variant(ctx, l.variant_id)
                    .await?
                    .map(|_| Node::Lot(Lot(l))),
                None => None,
            },
            Kind::Order => visible_order(ctx, n).await?.map(Node::Order),
            Kind::SellerOrder => visible_seller_order(ctx, n).await?.map(Node::SellerOrder),
            Kind::LiveSession => crate::livestream::sessions::visible_session(ctx, n)
                .await?
                .map(Node::LiveSession),
            Kind::Commission => crate::livestream::affiliates::visible_commission(ctx, n)
                .await?
                .map(Node::Commission),
            Kind::TraceEvent | Kind::OrderLine | Kind::LiveOffer => None,
        })
    }
}
