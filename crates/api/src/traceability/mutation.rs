//! `lotCreate`, `traceEventRecord`, `lotRecall`. Caches are told only after a change succeeded.

use async_graphql::{Context, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, FixedOffset};
use kernel::id::{LotId, VariantId};

use crate::catalog::inputs::OriginInput;
use crate::context::{GqlResult, catalog_changed, db, decode_arg, outcome, units, viewer};
use crate::errors::{self, UserError};
use crate::ids::Kind;
use crate::scalars::Date;
use crate::traceability::objects::{Lot, TraceEvent};

#[derive(InputObject)]
pub struct LotInput {
    pub variant_id: ID,
    pub lot_number: String,
    pub produced_on: Date,
    /// Required for fresh food (categories I.1.*).
    pub expires_on: Option<Date>,
    pub quantity: i64,
    /// Defaults to the product's origin.
    pub origin: Option<OriginInput>,
    /// GS1 GLN of the farm or plot.
    pub gln: Option<String>,
}

#[derive(InputObject)]
pub struct TraceEventInput {
    pub lot_id: ID,
    /// A CBV 2.0 business step: commissioning, packing, shipping, receiving, …
    pub biz_step: String,
    /// RFC 3339 with offset.
    pub event_time: DateTime<FixedOffset>,
    pub location: String,
    pub note: Option<String>,
    /// A JSON object, at most 8 KB.
    pub data: Option<Json<serde_json::Value>>,
    /// A CBV 2.0 disposition; defaults from the business step.
    pub disposition: Option<String>,
}

#[derive(SimpleObject)]
pub struct LotPayload {
    pub lot: Option<Lot>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct TraceEventPayload {
    pub event: Option<TraceEvent>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct TraceabilityMutation;

#[Object]
impl TraceabilityMutation {
    /// A producer's member records a harvest or production batch: stock enters here.
    async fn lot_create(&self, ctx: &Context<'_>, input: LotInput) -> GqlResult<LotPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let variant_id = VariantId(decode_arg(
                Kind::Variant,
                &input.variant_id,
                &["input", "variantId"],
            )?);
            traceability::lots::create(
                db(ctx),
                units(ctx),
                viewer(ctx),
                traceability::lots::LotFields {
                    variant_id,
                    lot_number: &input.lot_number,
                    produced_on: input.produced_on.0,
                    expires_on: input.expires_on.map(|d| d.0),
                    quantity: input.quantity,
                    origin: input.origin.as_ref().map(OriginInput::fields),
                    gln: input.gln.as_deref(),
                },
            )
            .await
        }
        .await;
        if r.is_ok() {
            catalog_changed(ctx);
        }
        let (lot, user_errors) = outcome(r)?;
        Ok(LotPayload {
            lot: lot.map(Lot),
            user_errors,
        })
    }

    /// Appends an event to a lot's chain (its producer's members, or ADMIN).
    async fn trace_event_record(
        &self,
        ctx: &Context<'_>,
        input: TraceEventInput,
    ) -> GqlResult<TraceEventPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let lot_id = LotId(decode_arg(Kind::Lot, &input.lot_id, &["input", "lotId"])?);
            traceability::events::record(db(ctx), viewer(ctx), lot_id, || {
                traceability::events::NewEvent::parse(
                    &input.biz_step,
                    input.disposition.as_deref(),
                    input.event_time,
                    &input.location,
                    input.note.as_deref(),
                    input.data.as_ref().map(|d| d.0.clone()),
                )
            })
            .await
        }
        .await;
        if r.is_ok() {
            catalog_changed(ctx);
        }
        let (event, user_errors) = outcome(r)?;
        Ok(TraceEventPayload {
            event: event.map(TraceEvent),
            user_errors,
        })
    }

    /// Stops sales from a lot at once (its producer's members, or ADMIN).
    async fn lot_recall(&self, ctx: &Context<'_>, id: ID, reason: String) -> GqlResult<LotPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let lot_id = LotId(decode_arg(Kind::Lot, &id, &["id"])?);
            traceability::lots::recall(db(ctx), viewer(ctx), lot_id, &reason).await
        }
        .await;
        if r.is_ok() {
            catalog_changed(ctx);
        }
        let (lot, user_errors) = outcome(r)?;
        Ok(LotPayload {
            lot: lot.map(Lot),
            user_errors,
        })
    }
}
