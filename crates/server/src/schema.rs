//! The GraphQL schema: every domain crate's query and mutation objects merged, the `Node`
//! interface across them, and the limits (depth, complexity).

use accounts::graphql::{AccountsMutation, AccountsQuery, User};
use async_graphql::{Context, ID, Interface, MergedObject, Object, Schema, SchemaBuilder};
use catalog::graphql::{
    OcopCertificate, Producer, Product, Variant, VariantUpdateInput, visible_certificate,
    visible_producer, visible_product, visible_variant,
};
use catalog::lots::Lot;
use catalog::{CatalogMutation, CatalogQuery};
use kernel::Viewer;
use kernel::id::{self, Kind};
use sea_orm::DatabaseConnection;
use traceability::{TraceabilityMutation, TraceabilityQuery};

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
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global ID, when the viewer may see it.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let Some((kind, n)) = id::decode_any(&id) else {
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
                let viewer = ctx.data_unchecked::<Viewer>();
                if viewer.user_id == Some(n) || viewer.is_admin {
                    let db = ctx.data_unchecked::<DatabaseConnection>();
                    accounts::service::find_by_id(db, n)
                        .await
                        .map_err(|e| e.into_top())?
                        .map(|u| Node::User(User::new(u)))
                } else {
                    None
                }
            }
            Kind::Lot => {
                use sea_orm::EntityTrait;
                let db = ctx.data_unchecked::<DatabaseConnection>();
                let found = catalog::entity::lot::Entity::find_by_id(n)
                    .one(db)
                    .await
                    .map_err(|e| kernel::Error::Db(e).into_top())?;
                match found {
                    // A lot is visible with its product (its trace code is public anyway).
                    Some(l) => visible_variant(ctx, l.variant_id)
                        .await?
                        .map(|_| Node::Lot(Lot(l))),
                    None => None,
                }
            }
        })
    }
}

#[derive(MergedObject, Default)]
pub struct Query(
    NodeQuery,
    AccountsQuery,
    CatalogQuery,
    TraceabilityQuery,
    orders::OrdersQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    AccountsMutation,
    CatalogMutation,
    TraceabilityMutation,
    orders::OrdersMutation,
);

pub type AppSchema = Schema<Query, Mutation, orders::OrdersSubscription>;

/// The schema with its limits; request data (viewer, loaders) is added per request.
pub fn builder(
    max_depth: usize,
    max_complexity: usize,
) -> SchemaBuilder<Query, Mutation, orders::OrdersSubscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        orders::OrdersSubscription,
    )
    .register_input_type::<VariantUpdateInput>()
    .limit_depth(max_depth)
    .limit_complexity(max_complexity)
    .limit_recursive_depth(64)
    .limit_directives(20)
}

/// The SDL that `schema.graphql` must equal (`cho-ocop export-schema` writes it).
pub fn sdl() -> String {
    builder(12, 5000).finish().sdl()
}
