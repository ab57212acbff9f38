//! The schema: every domain's queries and mutations merged, and the limits. Depth and
//! complexity are judged by async-graphql's validation; its refusals are then given our
//! Vietnamese words and stable code.

use async_graphql::{ErrorExtensions, MergedObject, Schema, SchemaBuilder, ServerError};

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

/// async-graphql's own words when validation refuses an operation for its depth or complexity.
/// They are replaced by ours ([`localize_limits`], [`localize_limits_in`]); `bad_input` and
/// `ws` in the API tests expect our code, so a change of words in an upgrade fails them.
const REFUSED_TOO_COMPLEX: &str = "Query is too complex.";
const REFUSED_TOO_DEEP: &str = "Query is nested too deep.";

fn too_complex(message: String) -> ServerError {
    let mut e = ServerError::new(message, None);
    e.extensions = async_graphql::Error::new("")
        .extend_with(|_, x| x.set("code", "QUERY_TOO_COMPLEX"))
        .extensions;
    e
}

/// Ours for one of async-graphql's refusals over the limits; `None` for any other error.
fn ours(limits: &Limits, e: &ServerError) -> Option<ServerError> {
    if !e.path.is_empty() || !e.locations.is_empty() {
        return None;
    }
    match e.message.as_str() {
        REFUSED_TOO_DEEP => Some(too_complex(crate::messages::too_deep(limits.max_depth))),
        REFUSED_TOO_COMPLEX => Some(too_complex(crate::messages::too_complex(
            limits.max_complexity,
        ))),
        _ => None,
    }
}

/// Puts our words and code on a refusal over the limits.
pub(crate) fn localize_limits(limits: &Limits, errors: &mut [ServerError]) {
    for e in errors {
        if let Some(ours) = ours(limits, e) {
            *e = ours;
        }
    }
}

/// The same for a websocket message's text, which async-graphql serialises itself. Only a
/// refusal's text is touched: a whole error object `{"message": "…"}` with nothing else.
pub(crate) fn localize_limits_in(limits: &Limits, text: String) -> String {
    if !text.contains(REFUSED_TOO_COMPLEX) && !text.contains(REFUSED_TOO_DEEP) {
        return text;
    }
    let mut text = text;
    for refused in [REFUSED_TOO_COMPLEX, REFUSED_TOO_DEEP] {
        let theirs = ServerError::new(refused, None);
        if let (Ok(from), Some(Ok(to))) = (
            serde_json::to_string(&theirs),
            ours(limits, &theirs).map(|e| serde_json::to_string(&e)),
        ) {
            text = text.replace(&from, &to);
        }
    }
    text
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
    // Limits judged by async-graphql's validation, not by an extension: with any extension
    // every field's resolution passes through its chain (a type look-up, a boxed future),
    // which cost a tenth of the server's CPU on a listing page.
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .data(limits)
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

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_depth: 4,
        max_complexity: 100,
    };

    #[test]
    fn only_a_whole_refusal_is_given_our_words() {
        let refused =
            r#"{"type":"error","id":"1","payload":[{"message":"Query is too complex."}]}"#;
        let ours = localize_limits_in(&LIMITS, refused.to_owned());
        assert!(
            ours.contains("QUERY_TOO_COMPLEX") && ours.contains("tối đa 100 điểm"),
            "{ours}"
        );
        let deep = r#"{"payload":[{"message":"Query is nested too deep."}]}"#;
        assert!(localize_limits_in(&LIMITS, deep.to_owned()).contains("tối đa 4 cấp"));
        // The same words inside data (a product named so) are left alone.
        let data =
            r#"{"type":"next","id":"1","payload":{"data":{"name":"Query is too complex."}}}"#;
        assert_eq!(localize_limits_in(&LIMITS, data.to_owned()), data);
        // An error with a path is a resolver's, not validation's.
        let mut errors = vec![ServerError::new(REFUSED_TOO_COMPLEX, None)];
        errors[0].path = vec![async_graphql::PathSegment::Field("x".into())];
        localize_limits(&LIMITS, &mut errors);
        assert_eq!(errors[0].message, REFUSED_TOO_COMPLEX);
    }
}
