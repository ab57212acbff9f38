//! `trace(code)`: public, no login.

use std::sync::Arc;

use async_graphql::{Context, Object};
use kernel::trace_code::TraceCode;
use traceability::scans::ScanCounter;
use traceability::trace::{TraceCache, lookup};

use crate::context::{GqlResult, client_ip, db};
use crate::errors;
use crate::traceability::objects::TraceResult;

#[derive(Default)]
pub struct TraceabilityQuery;

#[Object]
impl TraceabilityQuery {
    /// Public, no login: the trace of a code printed under a QR. A mistyped code (its check
    /// character does not match) is null without touching the database.
    async fn trace(&self, ctx: &Context<'_>, code: String) -> GqlResult<Option<TraceResult>> {
        let Some(code) = TraceCode::parse(&code) else {
            return Ok(None);
        };
        let scans = ctx.data_unchecked::<Arc<ScanCounter>>();
        let cache = ctx.data_unchecked::<Arc<TraceCache>>();
        let Some(looked) = lookup(db(ctx), scans, cache, &code, client_ip(ctx))
            .await
            .map_err(errors::top)?
        else {
            return Ok(None);
        };
        // What is not public yet is for the producer's members and ADMIN only.
        if !looked.trace().public()
            && !crate::catalog::objects::manages(ctx, looked.trace().producer.id).await?
        {
            return Ok(None);
        }
        Ok(Some(TraceResult(looked)))
    }
}
