//! GraphQL: `trace(code)` (public), `lotCreate`, `traceEventRecord`, `lotRecall`.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, FixedOffset};
use kernel::admin_units::AdminUnits;
use kernel::id::{self, Kind};
use kernel::scalars::Date;
use kernel::trace_code::TraceCode;
use kernel::{Error, UserError, Viewer};
use sea_orm::DatabaseConnection;

use catalog::graphql::{OcopCertificate, OriginInput, Producer, Product};
use catalog::lots::{Lot, TraceEvent};

use crate::events::{self, NewEvent};
use crate::lots::{self, LotFields};
use crate::scans::ScanCounter;

type GqlResult<T> = async_graphql::Result<T>;

fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}
fn viewer<'a>(ctx: &Context<'a>) -> &'a Viewer {
    ctx.data_unchecked::<Viewer>()
}

fn changed(ctx: &Context<'_>) {
    if let Some(n) = ctx.data_opt::<Arc<dyn catalog::PublicCatalogChanged>>() {
        n.changed();
    }
}

fn split<T>(r: kernel::Result<T>) -> GqlResult<(Option<T>, Vec<UserError>)> {
    match r {
        Ok(v) => Ok((Some(v), vec![])),
        Err(e) => Ok((None, e.into_user_errors()?)),
    }
}

fn decode(kind: Kind, id: &ID, field: &[&str]) -> kernel::Result<i64> {
    id::decode(kind, id)
        .ok_or_else(|| Error::not_found(field, "Không tìm thấy đối tượng với ID đã cho."))
}

/// Everything a buyer sees when they scan a jar.
pub struct TraceResult(pub crate::trace::Looked);

#[Object]
impl TraceResult {
    async fn lot(&self) -> Lot {
        Lot(self.0.trace().lot.clone())
    }
    async fn product(&self) -> Product {
        Product(self.0.trace().product.clone())
    }
    async fn producer(&self) -> Producer {
        Producer(self.0.trace().producer.clone())
    }
    async fn certificate(&self) -> OcopCertificate {
        OcopCertificate(self.0.trace().certificate.clone())
    }
    /// Every event hash re-verified now.
    async fn chain_intact(&self) -> bool {
        self.0.trace().chain_intact
    }
    /// How many times this code was looked up.
    async fn scan_count(&self) -> i64 {
        self.0.scan_count
    }
    /// In Vietnamese: certificate expired or revoked, lot expired or recalled, chain broken,
    /// unusual scan pattern.
    async fn warnings(&self) -> &[String] {
        &self.0.trace().warnings
    }
    /// The lot's events in order (also on `lot.events`).
    async fn events(&self) -> Vec<TraceEvent> {
        self.0
            .trace()
            .events
            .iter()
            .cloned()
            .map(TraceEvent)
            .collect()
    }
}

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
        let cache = ctx.data_unchecked::<Arc<crate::trace::TraceCache>>();
        let ip = ctx
            .data_opt::<accounts::graphql::ClientIp>()
            .map(|c| c.0.as_str())
            .unwrap_or("");
        Ok(crate::trace::lookup(db(ctx), scans, cache, &code, ip)
            .await
            .map_err(Error::into_top)?
            .map(TraceResult))
    }
}

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
        viewer(ctx).require_user()?;
        let units = ctx.data_unchecked::<Arc<AdminUnits>>();
        let r = async {
            let variant_id = decode(Kind::Variant, &input.variant_id, &["input", "variantId"])?;
            lots::create(
                db(ctx),
                units,
                viewer(ctx),
                LotFields {
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
        changed(ctx);
        let (lot, user_errors) = split(r)?;
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
        viewer(ctx).require_user()?;
        let r = async {
            let lot_id = decode(Kind::Lot, &input.lot_id, &["input", "lotId"])?;
            events::record(db(ctx), viewer(ctx), lot_id, || {
                NewEvent::parse(
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
        changed(ctx);
        let (event, user_errors) = split(r)?;
        Ok(TraceEventPayload {
            event: event.map(TraceEvent),
            user_errors,
        })
    }

    /// Stops sales from a lot at once (its producer's members, or ADMIN).
    async fn lot_recall(&self, ctx: &Context<'_>, id: ID, reason: String) -> GqlResult<LotPayload> {
        viewer(ctx).require_user()?;
        let r = async {
            let lot_id = decode(Kind::Lot, &id, &["id"])?;
            lots::recall(db(ctx), viewer(ctx), lot_id, &reason).await
        }
        .await;
        changed(ctx);
        let (lot, user_errors) = split(r)?;
        Ok(LotPayload {
            lot: lot.map(Lot),
            user_errors,
        })
    }
}
