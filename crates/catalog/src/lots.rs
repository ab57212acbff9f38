//! The read side of lots and their events, as GraphQL objects.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Json, Object};
use chrono::{DateTime, FixedOffset, Utc};
use kernel::cursor::{Cursor, page_size};
use kernel::id::{self, Kind};
use kernel::scalars::Date;
use kernel::time::today_vn;
use kernel::{Error, TopError};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::PublicBaseUrl;
use crate::entity::{lot, trace_event, variant};
use crate::graphql::{Origin, Variant, commune_of, province_of};
use crate::loaders::{CatalogDataLoader, EventsOf, VariantKey};

fn loader<'a>(ctx: &Context<'a>) -> &'a CatalogDataLoader {
    ctx.data_unchecked::<CatalogDataLoader>()
}

fn base<'a>(ctx: &Context<'a>) -> &'a str {
    ctx.data_opt::<PublicBaseUrl>()
        .map(|b| b.0.as_str())
        .unwrap_or("")
}

fn load_err(e: std::sync::Arc<sea_orm::DbErr>) -> async_graphql::Error {
    tracing::error!(error = %e, "loader failed");
    TopError::internal().into()
}

/// Whether a lot can be sold from today: stock left, not recalled, not expired (Vietnam time).
pub fn sellable(l: &lot::Model) -> bool {
    l.quantity_available > 0
        && l.recalled_at.is_none()
        && l.expires_on.is_none_or(|e| e >= today_vn())
}

/// A harvest or production batch, with its public trace code.
#[derive(Clone)]
pub struct Lot(pub lot::Model);

#[Object]
impl Lot {
    pub async fn id(&self) -> ID {
        id::encode(Kind::Lot, self.0.id)
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
            kernel::gs1::digital_link(base(ctx), &g, &self.0.lot_number, self.0.expires_on)
        }))
    }
    /// The public trace page.
    async fn trace_url(&self, ctx: &Context<'_>) -> String {
        format!(
            "{}/t/{}",
            base(ctx),
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
    async fn events(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TraceEvent>> {
        Ok(loader(ctx)
            .load_one(EventsOf(self.0.id))
            .await
            .map_err(load_err)?
            .unwrap_or_default()
            .into_iter()
            .map(TraceEvent)
            .collect())
    }
    /// Where the lot was grown or made.
    async fn origin(&self, ctx: &Context<'_>) -> Option<Origin> {
        let units = ctx.data_unchecked::<std::sync::Arc<kernel::admin_units::AdminUnits>>();
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
        sellable(&self.0)
    }
}

impl Lot {
    async fn variant_model(&self, ctx: &Context<'_>) -> async_graphql::Result<variant::Model> {
        loader(ctx)
            .load_one(VariantKey(self.0.variant_id))
            .await
            .map_err(load_err)?
            .ok_or_else(|| TopError::internal().into())
    }
}

/// One step in a lot's life (CBV 2.0 business step), hash-chained to the one before.
#[derive(Clone)]
pub struct TraceEvent(pub trace_event::Model);

#[Object]
impl TraceEvent {
    async fn id(&self) -> ID {
        ID(format!("TraceEvent:{}", self.0.id))
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
        DateTime::parse_from_rfc3339(&self.0.event_time).map_err(|_| TopError::internal().into())
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

/// The lots of a product's variants, newest first (public: trace codes are public).
pub async fn lots_of_product(
    db: &DatabaseConnection,
    product_id: i64,
    first: Option<i32>,
    after: Option<&str>,
) -> async_graphql::Result<Connection<String, Lot>> {
    let limit = page_size(first).map_err(async_graphql::Error::from)?;
    let after_id = match after {
        None => None,
        Some(a) => Some(
            Cursor::decode(a, "LT", 1)
                .map(|c| c.keys[0])
                .ok_or_else(|| TopError::invalid("Con trỏ phân trang (after) không hợp lệ."))?,
        ),
    };
    let variant_ids: Vec<i64> = variant::Entity::find()
        .filter(variant::Column::ProductId.eq(product_id))
        .all(db)
        .await
        .map_err(|e| Error::Db(e).into_top())?
        .into_iter()
        .map(|v| v.id)
        .collect();
    let mut q = lot::Entity::find().filter(lot::Column::VariantId.is_in(variant_ids));
    if let Some(a) = after_id {
        q = q.filter(lot::Column::Id.lt(a));
    }
    let rows = q
        .order_by_desc(lot::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await
        .map_err(|e| Error::Db(e).into_top())?;
    let has_next = rows.len() as u64 > limit;
    let mut conn = Connection::new(after_id.is_some(), has_next);
    conn.edges.extend(
        rows.into_iter()
            .take(limit as usize)
            .map(|l| Edge::new(Cursor::new("LT", vec![l.id]).encode(), Lot(l))),
    );
    Ok(conn)
}
