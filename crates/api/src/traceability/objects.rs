//! Lots (read as stock from the catalog), their hash-chained events, and what a scan shows.

use async_graphql::{Context, ID, Json, Object};
use catalog::entity::{lot, variant};
use chrono::{DateTime, FixedOffset, Utc};
use kernel::time::today_vn;
use traceability::entity::trace_event;

use crate::catalog::objects::{OcopCertificate, Producer, commune_of, province_of};
use crate::catalog::product::{Origin, Product, Variant};
use crate::context::{base_url, list_cost, load, units};
use crate::errors;
use crate::ids::{self, Kind};
use crate::loaders::{EventsOf, VariantKey};
use crate::scalars::Date;

/// What `Lot.events` is priced as in the complexity limit: a lot's journey has a few dozen
/// steps.
const EVENTS_PRICED: usize = 20;

/// A harvest or production batch, with its public trace code.
#[derive(Clone)]
pub struct Lot(pub lot::Model);

#[Object]
impl Lot {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Lot, self.0.id)
    }
    async fn variant(&self, ctx: &Context<'_>) -> async_graphql::Result<Variant> {
        self.variant_model(ctx).await.map(Variant)
    }
    async fn lot_number(&self) -> &str {
        &self.0.lot_number
    }
    /// The short public code printed under the QR.
    async fn trace_code(&self) -> &str {
        self.0.trace_code.as_deref().unwrap_or("")
    }
    /// GS1 Digital Link URI when the variant has a GTIN.
    async fn digital_link(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let v = self.variant_model(ctx).await?;
        Ok(v.gtin.map(|g| {
            kernel::gs1::digital_link(base_url(ctx), &g, &self.0.lot_number, self.0.expires_on)
        }))
    }
    /// The public trace page.
    async fn trace_url(&self, ctx: &Context<'_>) -> String {
        format!(
            "{}/t/{}",
            base_url(ctx),
            self.0.trace_code.as_deref().unwrap_or("")
        )
    }
    async fn produced_on(&self) -> Date {
        Date(self.0.produced_on)
    }
    async fn expires_on(&self) -> Option<Date> {
        self.0.expires_on.map(Date)
    }
    async fn quantity_produced(&self) -> i64 {
        self.0.quantity_produced
    }
    async fn quantity_available(&self) -> i64 {
        self.0.quantity_available
    }
    /// The lot's events in order, oldest first.
    #[graphql(complexity = "list_cost(EVENTS_PRICED, child_complexity)")]
    async fn events(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TraceEvent>> {
        Ok(load(ctx, EventsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(TraceEvent)
            .collect())
    }
    /// Where the lot was grown or made.
    async fn origin(&self, ctx: &Context<'_>) -> Option<Origin> {
        let units = units(ctx);
        self.0.origin_province_code.as_deref().map(|p| Origin {
            province: province_of(units, p),
            commune: commune_of(units, self.0.origin_commune_code.as_deref()),
            place: self.0.origin_place.clone(),
        })
    }
    /// GS1 Global Location Number of the farm or plot, when known.
    async fn gln(&self) -> Option<&str> {
        self.0.gln.as_deref()
    }
    async fn recalled(&self) -> bool {
        self.0.recalled_at.is_some()
    }
    async fn recalled_at(&self) -> Option<DateTime<Utc>> {
        self.0.recalled_at
    }
    async fn recall_reason(&self) -> Option<&str> {
        self.0.recall_reason.as_deref()
    }
    /// Stock left, not recalled, not expired.
    async fn sellable(&self) -> bool {
        catalog::stock::sellable(&self.0, today_vn())
    }
}

impl Lot {
    async fn variant_model(&self, ctx: &Context<'_>) -> async_graphql::Result<variant::Model> {
        load(ctx, VariantKey(self.0.variant_id))
            .await?
            .ok_or_else(|| errors::missing("variant"))
    }
}

/// One step in a lot's life (CBV 2.0 business step), hash-chained to the one before.
#[derive(Clone)]
pub struct TraceEvent(pub trace_event::Model);

#[Object]
impl TraceEvent {
    async fn id(&self) -> ID {
        ids::encode(Kind::TraceEvent, self.0.id)
    }
    /// CBV 2.0: commissioning, packing, shipping, receiving, …
    async fn biz_step(&self) -> &str {
        &self.0.biz_step
    }
    /// CBV 2.0: active, in_transit, sellable_accessible, expired, recalled, …
    async fn disposition(&self) -> Option<&str> {
        self.0.disposition.as_deref()
    }
    async fn event_time(&self) -> async_graphql::Result<DateTime<FixedOffset>> {
        DateTime::parse_from_rfc3339(&self.0.event_time).map_err(|_| errors::missing("event time"))
    }
    async fn record_time(&self) -> DateTime<Utc> {
        self.0.record_time
    }
    async fn location(&self) -> &str {
        &self.0.location
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn data(&self) -> Option<Json<serde_json::Value>> {
        self.0
            .data
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .map(Json)
    }
    /// sha-256 over this event and the previous event's hash.
    async fn hash(&self) -> &str {
        &self.0.hash
    }
}

/// Everything a buyer sees when they scan a jar.
pub struct TraceResult(pub traceability::trace::Looked);

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
