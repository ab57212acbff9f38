//! The schema: every domain's queries and mutations merged, and the limits. Depth and
//! complexity are judged from the numbers validation computes (an extension), not from
//! async-graphql's English error messages.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{
    ErrorExtensions, MergedObject, Schema, SchemaBuilder, ServerError, ValidationResult,
};

use crate::accounts::{AccountsMutation, AccountsQuery};
use crate::catalog::inputs::VariantUpdateInput;
use crate::catalog::{CatalogMutation, CatalogQuery};
use crate::livestream::{
    AffiliateMutation, AffiliateQuery, LiveMutation, LiveQuery, LiveSubscription,
    LivestreamMutation, LivestreamQuery,
};
use crate::node::NodeQuery;
use crate::orders::{
    OrdersMutation, OrdersQuery, OrdersSubscription, PaymentsQuery, StatementQuery,
};
use crate::traceability::{TraceabilityMutation, TraceabilityQuery};

#[derive(MergedObject, Default)]
pub struct Query(
    NodeQuery,
    AccountsQuery,
    CatalogQuery,
    TraceabilityQuery,
    OrdersQuery,
    PaymentsQuery,
    StatementQuery,
    LivestreamQuery,
    LiveQuery,
    AffiliateQuery,
);

#[derive(async_graphql::MergedSubscription, Default)]
pub struct Subscription(OrdersSubscription, LiveSubscription);

#[derive(MergedObject, Default)]
pub struct Mutation(
    AccountsMutation,
    CatalogMutation,
    TraceabilityMutation,
    OrdersMutation,
    LivestreamMutation,
    LiveMutation,
    AffiliateMutation,
);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// How deeply selection sets may nest in the raw document before anything else looks at it
/// (the parser's and executor's recursion guard; the depth limit proper is smaller).
pub const MAX_NESTING: usize = 64;

/// The limits every operation is held to, on HTTP and websocket alike.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
}

struct LimitsExtension(Limits);

fn too_complex(message: String) -> ServerError {
    let mut e = ServerError::new(message, None);
    e.extensions = async_graphql::Error::new("")
        .extend_with(|_, x| x.set("code", "QUERY_TOO_COMPLEX"))
        .extensions;
    e
}

#[async_graphql::async_trait::async_trait]
impl Extension for LimitsExtension {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if result.depth > self.0.max_depth {
            return Err(vec![too_complex(crate::messages::too_deep(
                self.0.max_depth,
            ))]);
        }
        if result.complexity > self.0.max_complexity {
            return Err(vec![too_complex(crate::messages::too_complex(
                self.0.max_complexity,
            ))]);
        }
        Ok(result)
    }
}

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsExtension(*self))
    }
}

/// The schema with its limits; shared data is added by [`crate::Services::build`], request
/// data per request ([`crate::context::request_data`]).
pub fn builder(limits: Limits) -> SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .register_input_type::<VariantUpdateInput>()
    .extension(limits)
    .limit_recursive_depth(MAX_NESTING)
    .limit_directives(20)
}

/// The SDL that `schema.graphql` must equal (`cho-ocop export-schema` writes it).
pub fn sdl() -> String {
    builder(Limits {
        max_depth: 12,
        max_complexity: 5000,
    })
    .finish()
    .sdl()
}
