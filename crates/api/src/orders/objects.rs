//! The order family of objects. Every field that crosses to another entity goes through the
//! request's loader, so a page of orders with lines, lots, variants and producers costs a fixed
//! number of statements whatever its size.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use orders::access::Scope;
use orders::entity::{order, order_line, seller_order};

use crate::catalog::objects::{Producer, manages, producer_of};
use crate::catalog::product::Variant;
use crate::context::{GqlResult, list_cost, load, loader, viewer};
use crate::errors;
use crate::ids::{self, Kind};
use crate::loaders::{
    AllocationsOf, LinesOf, LotKey, OrderKey, PaymentOf, SellerOrdersOf, VariantKey,
};
use crate::scalars::Money;
use crate::traceability::objects::Lot;

/// What the lists inside an order are priced as in the complexity limit: lines (checkout
/// takes at most 50; most orders have a few), producers' parts, and lots per line.
pub const LINES_PRICED: usize = 20;
pub const PARTS_PRICED: usize = 5;
pub const LOTS_PRICED: usize = 5;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE", remote = "orders::OrderStatus")]
pub enum OrderStatus {
    AwaitingPayment,
    Confirmed,
    Packed,
    Shipped,
    Delivered,
    Completed,
    Cancelled,
    Refunded,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(
    rename_items = "SCREAMING_SNAKE_CASE",
    remote = "orders::PaymentMethod"
)]
pub enum PaymentMethod {
    Cod,
    Stripe,
    Vnpay,
    /// VietQR bank transfer.
    BankTransfer,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(
    rename_items = "SCREAMING_SNAKE_CASE",
    remote = "orders::PaymentStatus"
)]
pub enum PaymentStatus {
    Pending,
    Succeeded,
    Failed,
    Expired,
    Refunded,
    PartiallyRefunded,
}

/// An order as one viewer sees it: whole for its buyer and ADMIN, a producer's member only
/// their producers' parts.
#[derive(Clone)]
pub struct Order {
    pub model: order::Model,
    pub scope: Scope,
}

/// The viewer's scope in an order, if they may see it; batched across the request.
pub async fn scope_of(ctx: &Context<'_>, o: &order::Model) -> GqlResult<Option<Scope>> {
    let v = viewer(ctx);
    let Some(uid) = v.user_id else {
        return Ok(None);
    };
    if v.is_admin || o.buyer_id == uid {
        return Ok(Some(Scope::All));
    }
    let parts = load(ctx, SellerOrdersOf(o.id)).await?.unwrap_or_default();
    let mut mine = Vec::new();
    for p in parts {
        if manages(ctx, p.producer_id).await? {
            mine.push(p.producer_id);
        }
    }
    Ok((!mine.is_empty()).then_some(Scope::Producers(mine)))
}

/// The order with this id, in the viewer's scope; `None` when they may not see it.
pub async fn visible_order(ctx: &Context<'_>, id: i64) -> GqlResult<Option<Order>> {
    let Some(model) = load(ctx, OrderKey(id)).await? else {
        return Ok(None);
    };
    Ok(scope_of(ctx, &model)
        .await?
        .map(|scope| Order { model, scope }))
}

#[derive(SimpleObject)]
pub struct Address {
    pub name: String,
    pub phone: String,
    pub province_code: String,
    pub commune_code: Option<String>,
    pub line: String,
}

#[derive(SimpleObject)]
pub struct Payment {
    pub method: PaymentMethod,
    pub status: PaymentStatus,
    pub amount: Money,
    /// For Stripe Elements on the client, while the payment waits (the buyer and ADMIN only).
    pub stripe_client_secret: Option<String>,
    /// For VNPay: the payment page, while the payment waits.
    pub redirect_url: Option<String>,
    /// For `BANK_TRANSFER` (VietQR), while the payment waits.
    pub bank_transfer: Option<crate::orders::payments::BankTransfer>,
    /// Given back so far (or owed back by hand, for VNPay, bank transfer and cash).
    pub refunded: Money,
}

#[Object]
impl Order {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Order, self.model.id)
    }
    /// Human readable, e.g. `OC-2026-000123`.
    async fn number(&self) -> &str {
        &self.model.number
    }
    async fn status(&self) -> OrderStatus {
        self.model.status.into()
    }
    async fn buyer(&self, ctx: &Context<'_>) -> GqlResult<crate::accounts::User> {
        crate::accounts::User::load(ctx, self.model.buyer_id, "buyer").await
    }
    #[graphql(complexity = "list_cost(LINES_PRICED, child_complexity)")]
    async fn lines(&self, ctx: &Context<'_>) -> GqlResult<Vec<OrderLine>> {
        let parts = self.shipment_models(ctx).await?;
        let mut lines = loader(ctx)
            .load_many(parts.iter().map(|s| LinesOf(s.id)))
            .await
            .map_err(errors::load_err)?;
        let mut out: Vec<OrderLine> = parts
            .iter()
            .flat_map(|s| lines.remove(&LinesOf(s.id)).unwrap_or_default())
            .map(OrderLine)
            .collect();
        out.sort_by_key(|l| l.0.id);
        Ok(out)
    }
    /// One per producer in the order.
    #[graphql(complexity = "list_cost(PARTS_PRICED, child_complexity)")]
    async fn shipments(&self, ctx: &Context<'_>) -> GqlResult<Vec<SellerOrder>> {
        Ok(self
            .shipment_models(ctx)
            .await?
            .into_iter()
            .map(SellerOrder)
            .collect())
    }
    async fn subtotal(&self) -> Money {
        Money::vnd(self.model.subtotal)
    }
    async fn shipping_total(&self) -> Money {
        Money::vnd(self.model.shipping_total)
    }
    async fn total(&self) -> Money {
        Money::vnd(self.model.total)
    }
    async fn payment(&self, ctx: &Context<'_>) -> GqlResult<Payment> {
        let p = load(ctx, PaymentOf(self.model.id))
            .await?
            .ok_or_else(|| errors::missing("payment"))?;
        // Instructions to pay are for the buyer (and ADMIN), and only while the payment waits.
        let to_pay = self.scope == orders::access::Scope::All
            && matches!(
                p.status,
                orders::PaymentStatus::Pending | orders::PaymentStatus::Failed
            );
        Ok(Payment {
            method: p.method.into(),
            status: p.status.into(),
            amount: Money::vnd(p.amount),
            stripe_client_secret: p.client_secret.clone().filter(|_| to_pay),
            refunded: Money::vnd(p.refunded),
            redirect_url: p.redirect_url.clone().filter(|_| to_pay),
            bank_transfer: if to_pay {
                crate::orders::payments::bank_transfer(ctx, &self.model.number, &p)
            } else {
                None
            },
        })
    }
    async fn shipping_address(&self) -> Address {
        Address {
            name: self.model.ship_name.clone(),
            phone: self.model.ship_phone.clone(),
            province_code: self.model.ship_province_code.clone(),
            commune_code: self.model.ship_commune_code.clone(),
            line: self.model.ship_line.clone(),
        }
    }
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.model.created_at
    }
}

impl Order {
    async fn shipment_models(&self, ctx: &Context<'_>) -> GqlResult<Vec<seller_order::Model>> {
        Ok(load(ctx, SellerOrdersOf(self.model.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter(|s| self.scope.sees(s.producer_id))
            .collect())
    }
}

pub struct OrderLine(pub order_line::Model);

#[derive(SimpleObject)]
pub struct LotAllocation {
    pub lot: Lot,
    pub quantity: i64,
}

#[Object]
impl OrderLine {
    async fn id(&self) -> ID {
        ids::encode(Kind::OrderLine, self.0.id)
    }
    async fn variant(&self, ctx: &Context<'_>) -> GqlResult<Variant> {
        load(ctx, VariantKey(self.0.variant_id))
            .await?
            .map(Variant)
            .ok_or_else(|| errors::missing("variant"))
    }
    async fn quantity(&self) -> i64 {
        self.0.quantity
    }
    async fn unit_price(&self) -> Money {
        Money::vnd(self.0.unit_price)
    }
    async fn total(&self) -> Money {
        Money::vnd(self.0.total)
    }
    /// The live session the line was bought from (its live offer's, or its affiliate link's).
    async fn live_session(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<crate::livestream::sessions::LiveSession>> {
        match self.0.live_session_id {
            Some(s) => Ok(load(ctx, crate::loaders::LiveSessionKey(s))
                .await?
                .map(crate::livestream::sessions::LiveSession)),
            None => Ok(None),
        }
    }
    /// The creator the line is attributed to (the session's host, or the link's creator).
    async fn creator(&self, ctx: &Context<'_>) -> GqlResult<Option<crate::accounts::User>> {
        match self.0.creator_user_id {
            Some(u) => crate::accounts::User::load(ctx, u, "creator")
                .await
                .map(Some),
            None => Ok(None),
        }
    }
    /// Which lots the goods come from: the buyer can trace them.
    #[graphql(complexity = "list_cost(LOTS_PRICED, child_complexity)")]
    async fn lots(&self, ctx: &Context<'_>) -> GqlResult<Vec<LotAllocation>> {
        let allocs = load(ctx, AllocationsOf(self.0.id))
            .await?
            .unwrap_or_default();
        let mut lots = loader(ctx)
            .load_many(allocs.iter().map(|a| LotKey(a.lot_id)))
            .await
            .map_err(errors::load_err)?;
        allocs
            .into_iter()
            .map(|a| {
                let lot = lots
                    .remove(&LotKey(a.lot_id))
                    .ok_or_else(|| errors::missing("lot"))?;
                Ok(LotAllocation {
                    lot: Lot(lot),
                    quantity: a.quantity,
                })
            })
            .collect()
    }
}

pub struct SellerOrder(pub seller_order::Model);

#[Object]
impl SellerOrder {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::SellerOrder, self.0.id)
    }
    async fn producer(&self, ctx: &Context<'_>) -> GqlResult<Producer> {
        producer_of(ctx, self.0.producer_id).await
    }
    async fn status(&self) -> OrderStatus {
        self.0.status.into()
    }
    #[graphql(complexity = "list_cost(LINES_PRICED, child_complexity)")]
    async fn lines(&self, ctx: &Context<'_>) -> GqlResult<Vec<OrderLine>> {
        Ok(load(ctx, LinesOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(OrderLine)
            .collect())
    }
    async fn subtotal(&self) -> Money {
        Money::vnd(self.0.subtotal)
    }
    async fn shipping(&self) -> Money {
        Money::vnd(self.0.shipping)
    }
    async fn carrier(&self) -> Option<&str> {
        self.0.carrier.as_deref()
    }
    async fn tracking_number(&self) -> Option<&str> {
        self.0.tracking_number.as_deref()
    }
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }
    /// The whole order (for the producer: their part of it).
    async fn order(&self, ctx: &Context<'_>) -> GqlResult<Option<Order>> {
        visible_order(ctx, self.0.order_id).await
    }
}

/// A seller order the viewer may see: they may see its order, and in their scope this part.
pub async fn visible_seller_order(ctx: &Context<'_>, id: i64) -> GqlResult<Option<SellerOrder>> {
    let Some(so) = load(ctx, crate::loaders::SellerOrderKey(id)).await? else {
        return Ok(None);
    };
    Ok(match visible_order(ctx, so.order_id).await? {
        Some(o) if o.scope.sees(so.producer_id) => Some(SellerOrder(so)),
        _ => None,
    })
}
