//! GraphQL for orders: `checkout`, `order`, `myOrders`.

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use kernel::admin_units::AdminUnits;
use kernel::cursor::{Cursor, page_size};
use kernel::id::{self, Kind};
use kernel::{Error, Money, TopError, UserError, Viewer};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use catalog::graphql::{Producer, Variant};
use catalog::lots::Lot;

use crate::checkout::{self, AddressFields, CheckoutFields, LineFields};
use crate::entity::{allocation, order, order_line, payment, seller_order};
use crate::lifecycle;

type GqlResult<T> = async_graphql::Result<T>;

fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}
fn viewer<'a>(ctx: &Context<'a>) -> &'a Viewer {
    ctx.data_unchecked::<Viewer>()
}
fn dberr(e: sea_orm::DbErr) -> async_graphql::Error {
    Error::Db(e).into_top()
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
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

impl OrderStatus {
    fn as_str(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "AWAITING_PAYMENT",
            OrderStatus::Confirmed => "CONFIRMED",
            OrderStatus::Packed => "PACKED",
            OrderStatus::Shipped => "SHIPPED",
            OrderStatus::Delivered => "DELIVERED",
            OrderStatus::Completed => "COMPLETED",
            OrderStatus::Cancelled => "CANCELLED",
            OrderStatus::Refunded => "REFUNDED",
        }
    }
    fn parse(s: &str) -> OrderStatus {
        match s {
            "AWAITING_PAYMENT" => OrderStatus::AwaitingPayment,
            "PACKED" => OrderStatus::Packed,
            "SHIPPED" => OrderStatus::Shipped,
            "DELIVERED" => OrderStatus::Delivered,
            "COMPLETED" => OrderStatus::Completed,
            "CANCELLED" => OrderStatus::Cancelled,
            "REFUNDED" => OrderStatus::Refunded,
            _ => OrderStatus::Confirmed,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum PaymentMethod {
    Cod,
    Stripe,
    Vnpay,
}

impl PaymentMethod {
    fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cod => "COD",
            PaymentMethod::Stripe => "STRIPE",
            PaymentMethod::Vnpay => "VNPAY",
        }
    }
    fn parse(s: &str) -> PaymentMethod {
        match s {
            "STRIPE" => PaymentMethod::Stripe,
            "VNPAY" => PaymentMethod::Vnpay,
            _ => PaymentMethod::Cod,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum PaymentStatus {
    Pending,
    Succeeded,
    Failed,
    Expired,
    Refunded,
    PartiallyRefunded,
}

impl PaymentStatus {
    fn parse(s: &str) -> PaymentStatus {
        match s {
            "SUCCEEDED" => PaymentStatus::Succeeded,
            "FAILED" => PaymentStatus::Failed,
            "EXPIRED" => PaymentStatus::Expired,
            "REFUNDED" => PaymentStatus::Refunded,
            "PARTIALLY_REFUNDED" => PaymentStatus::PartiallyRefunded,
            _ => PaymentStatus::Pending,
        }
    }
}

/// Who looks at an order: its buyer or ADMIN see all of it; a producer's member only their
/// producers' shipments.
#[derive(Clone)]
enum Scope {
    All,
    Producers(Vec<i64>),
}

impl Scope {
    fn sees(&self, producer_id: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Producers(p) => p.contains(&producer_id),
        }
    }
}

#[derive(Clone)]
pub struct Order {
    model: order::Model,
    scope: Scope,
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
    /// For Stripe Elements on the client (the payments issue fills it).
    pub stripe_client_secret: Option<String>,
    /// For VNPay (the payments issue fills it).
    pub redirect_url: Option<String>,
}

#[Object]
impl Order {
    pub async fn id(&self) -> ID {
        ID(kernel::id::encode_raw("Order", self.model.id))
    }
    /// Human readable, e.g. `OC-2026-000123`.
    async fn number(&self) -> &str {
        &self.model.number
    }
    async fn status(&self) -> OrderStatus {
        OrderStatus::parse(&self.model.status)
    }
    async fn buyer(&self, ctx: &Context<'_>) -> GqlResult<accounts::graphql::User> {
        accounts::service::find_by_id(db(ctx), self.model.buyer_id)
            .await
            .map_err(Error::into_top)?
            .map(accounts::graphql::User::new)
            .ok_or_else(|| TopError::internal().into())
    }
    async fn lines(&self, ctx: &Context<'_>) -> GqlResult<Vec<OrderLine>> {
        let shipments = self.shipment_models(ctx).await?;
        let ids: Vec<i64> = shipments.iter().map(|s| s.id).collect();
        Ok(order_line::Entity::find()
            .filter(order_line::Column::SellerOrderId.is_in(ids))
            .order_by_asc(order_line::Column::Id)
            .all(db(ctx))
            .await
            .map_err(dberr)?
            .into_iter()
            .map(OrderLine)
            .collect())
    }
    /// One per producer in the order.
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
        let p = payment::Entity::find()
            .filter(payment::Column::OrderId.eq(self.model.id))
            .one(db(ctx))
            .await
            .map_err(dberr)?
            .ok_or_else(TopError::internal)?;
        Ok(Payment {
            method: PaymentMethod::parse(&p.method),
            status: PaymentStatus::parse(&p.status),
            amount: Money::vnd(p.amount),
            stripe_client_secret: None,
            redirect_url: None,
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
        Ok(seller_order::Entity::find()
            .filter(seller_order::Column::OrderId.eq(self.model.id))
            .order_by_asc(seller_order::Column::Id)
            .all(db(ctx))
            .await
            .map_err(dberr)?
            .into_iter()
            .filter(|s| self.scope.sees(s.producer_id))
            .collect())
    }
}

pub struct OrderLine(order_line::Model);

#[derive(SimpleObject)]
pub struct LotAllocation {
    pub lot: Lot,
    pub quantity: i64,
}

#[Object]
impl OrderLine {
    async fn id(&self) -> ID {
        ID(kernel::id::encode_raw("OrderLine", self.0.id))
    }
    async fn variant(&self, ctx: &Context<'_>) -> GqlResult<Variant> {
        Ok(Variant(
            catalog::variants::get(db(ctx), self.0.variant_id)
                .await
                .map_err(Error::into_top)?,
        ))
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
    /// Which lots the goods come from: the buyer can trace them.
    async fn lots(&self, ctx: &Context<'_>) -> GqlResult<Vec<LotAllocation>> {
        let allocs = allocation::Entity::find()
            .filter(allocation::Column::OrderLineId.eq(self.0.id))
            .order_by_asc(allocation::Column::Id)
            .all(db(ctx))
            .await
            .map_err(dberr)?;
        let mut out = Vec::with_capacity(allocs.len());
        for a in allocs {
            let lot = catalog::entity::lot::Entity::find_by_id(a.lot_id)
                .one(db(ctx))
                .await
                .map_err(dberr)?
                .ok_or_else(TopError::internal)?;
            out.push(LotAllocation {
                lot: Lot(lot),
                quantity: a.quantity,
            });
        }
        Ok(out)
    }
}

pub struct SellerOrder(seller_order::Model);

#[Object]
impl SellerOrder {
    pub async fn id(&self) -> ID {
        ID(kernel::id::encode_raw("SellerOrder", self.0.id))
    }
    async fn producer(&self, ctx: &Context<'_>) -> GqlResult<Producer> {
        Ok(Producer(
            catalog::producers::get(db(ctx), self.0.producer_id)
                .await
                .map_err(Error::into_top)?,
        ))
    }
    async fn status(&self) -> OrderStatus {
        OrderStatus::parse(&self.0.status)
    }
    async fn lines(&self, ctx: &Context<'_>) -> GqlResult<Vec<OrderLine>> {
        Ok(order_line::Entity::find()
            .filter(order_line::Column::SellerOrderId.eq(self.0.id))
            .order_by_asc(order_line::Column::Id)
            .all(db(ctx))
            .await
            .map_err(dberr)?
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
        let o = crate::lifecycle::get_order(db(ctx), self.0.order_id)
            .await
            .map_err(Error::into_top)?;
        Ok(scope_for(db(ctx), viewer(ctx), &o)
            .await?
            .map(|scope| Order { model: o, scope }))
    }
}

#[derive(InputObject)]
pub struct CheckoutLineInput {
    pub variant_id: ID,
    pub quantity: i64,
    /// Live-only price (the livestream issue honours it).
    pub live_offer_id: Option<ID>,
    /// Affiliate attribution (the livestream issue honours it).
    pub affiliate_code: Option<String>,
}

#[derive(InputObject)]
pub struct AddressInput {
    pub name: String,
    pub phone: String,
    pub province_code: String,
    pub commune_code: Option<String>,
    pub line: String,
}

#[derive(InputObject)]
pub struct CheckoutInput {
    pub idempotency_key: String,
    pub lines: Vec<CheckoutLineInput>,
    pub shipping_address: AddressInput,
    pub payment_method: PaymentMethod,
}

#[derive(SimpleObject)]
pub struct CheckoutPayload {
    pub order: Option<Order>,
    pub user_errors: Vec<UserError>,
}

/// The scope in which the viewer may see an order, if at all.
async fn scope_for(
    db: &DatabaseConnection,
    viewer: &Viewer,
    o: &order::Model,
) -> GqlResult<Option<Scope>> {
    let Some(uid) = viewer.user_id else {
        return Ok(None);
    };
    if viewer.is_admin || o.buyer_id == uid {
        return Ok(Some(Scope::All));
    }
    let producers: Vec<i64> = seller_order::Entity::find()
        .filter(seller_order::Column::OrderId.eq(o.id))
        .all(db)
        .await
        .map_err(dberr)?
        .into_iter()
        .map(|s| s.producer_id)
        .collect();
    let mut mine = Vec::new();
    for p in producers {
        if catalog::access::role(db, uid, p)
            .await
            .map_err(Error::into_top)?
            .is_some()
        {
            mine.push(p);
        }
    }
    Ok((!mine.is_empty()).then_some(Scope::Producers(mine)))
}

#[derive(Default)]
pub struct OrdersQuery;

#[Object]
impl OrdersQuery {
    /// An order: for its buyer, the members of a producer in it (their part), and ADMIN.
    async fn order(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Order>> {
        viewer(ctx).require_user()?;
        let Some(oid) = kernel::id::decode_raw("Order", &id) else {
            return Ok(None);
        };
        let Some(o) = order::Entity::find_by_id(oid)
            .one(db(ctx))
            .await
            .map_err(dberr)?
        else {
            return Ok(None);
        };
        match scope_for(db(ctx), viewer(ctx), &o).await? {
            Some(scope) => Ok(Some(Order { model: o, scope })),
            None => Ok(None),
        }
    }

    /// A producer's part of orders, newest first (the producer's members and ADMIN).
    async fn seller_orders(
        &self,
        ctx: &Context<'_>,
        producer_id: ID,
        status: Option<OrderStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, SellerOrder>> {
        viewer(ctx).require_user()?;
        let pid = id::decode(Kind::Producer, &producer_id).unwrap_or(0);
        catalog::access::require_member(db(ctx), viewer(ctx), pid)
            .await
            .map_err(Error::into_top)?;
        let limit = page_size(first).map_err(async_graphql::Error::from)?;
        let after_id =
            match after.as_deref() {
                None => None,
                Some(a) => Some(Cursor::decode(a, "SO", 1).map(|c| c.keys[0]).ok_or_else(
                    || TopError::invalid("Con trỏ phân trang (after) không hợp lệ."),
                )?),
            };
        let mut q = seller_order::Entity::find().filter(seller_order::Column::ProducerId.eq(pid));
        if let Some(s) = status {
            q = q.filter(seller_order::Column::Status.eq(s.as_str()));
        }
        if let Some(a) = after_id {
            q = q.filter(seller_order::Column::Id.lt(a));
        }
        let rows = q
            .order_by_desc(seller_order::Column::Id)
            .limit(limit + 1)
            .all(db(ctx))
            .await
            .map_err(dberr)?;
        let mut conn = Connection::new(after_id.is_some(), rows.len() as u64 > limit);
        conn.edges.extend(
            rows.into_iter()
                .take(limit as usize)
                .map(|s| Edge::new(Cursor::new("SO", vec![s.id]).encode(), SellerOrder(s))),
        );
        Ok(conn)
    }

    /// The signed-in buyer's orders, newest first.
    async fn my_orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Order>> {
        let uid = viewer(ctx).require_user()?;
        let limit = page_size(first).map_err(async_graphql::Error::from)?;
        let after_id =
            match after.as_deref() {
                None => None,
                Some(a) => Some(Cursor::decode(a, "MO", 1).map(|c| c.keys[0]).ok_or_else(
                    || TopError::invalid("Con trỏ phân trang (after) không hợp lệ."),
                )?),
            };
        let mut q = order::Entity::find().filter(order::Column::BuyerId.eq(uid));
        if let Some(a) = after_id {
            q = q.filter(order::Column::Id.lt(a));
        }
        let rows = q
            .order_by_desc(order::Column::Id)
            .limit(limit + 1)
            .all(db(ctx))
            .await
            .map_err(dberr)?;
        let mut conn = Connection::new(after_id.is_some(), rows.len() as u64 > limit);
        conn.edges
            .extend(rows.into_iter().take(limit as usize).map(|o| {
                Edge::new(
                    Cursor::new("MO", vec![o.id]).encode(),
                    Order {
                        model: o,
                        scope: Scope::All,
                    },
                )
            }));
        Ok(conn)
    }
}

#[derive(SimpleObject)]
pub struct OrderPayload {
    pub order: Option<Order>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct SellerOrderPayload {
    pub seller_order: Option<SellerOrder>,
    pub user_errors: Vec<UserError>,
}

/// The payload of a mutation that changed an order; its subscribers hear about it.
fn order_payload(ctx: &Context<'_>, r: kernel::Result<order::Model>) -> GqlResult<OrderPayload> {
    match r {
        Ok(o) => {
            order_changed(ctx, o.id);
            Ok(OrderPayload {
                order: Some(Order {
                    model: o,
                    scope: Scope::All,
                }),
                user_errors: vec![],
            })
        }
        Err(e) => Ok(OrderPayload {
            order: None,
            user_errors: e.into_user_errors()?,
        }),
    }
}

/// The payload of a mutation that changed a seller order; the order's subscribers hear about it.
fn seller_order_payload(
    ctx: &Context<'_>,
    r: kernel::Result<seller_order::Model>,
) -> GqlResult<SellerOrderPayload> {
    match r {
        Ok(s) => {
            order_changed(ctx, s.order_id);
            Ok(SellerOrderPayload {
                seller_order: Some(SellerOrder(s)),
                user_errors: vec![],
            })
        }
        Err(e) => Ok(SellerOrderPayload {
            seller_order: None,
            user_errors: e.into_user_errors()?,
        }),
    }
}

fn decode_raw(kind: &str, id: &ID) -> kernel::Result<i64> {
    kernel::id::decode_raw(kind, id)
        .ok_or_else(|| Error::not_found(&["id"], "Không tìm thấy đơn hàng."))
}

fn stock_changed(ctx: &Context<'_>) {
    if let Some(n) = ctx.data_opt::<Arc<dyn catalog::PublicCatalogChanged>>() {
        n.changed();
    }
}

fn order_changed(ctx: &Context<'_>, order_id: i64) {
    if let Some(n) = ctx.data_opt::<Arc<dyn crate::events::OrderNotifier>>() {
        n.order_changed(order_id);
    }
}

#[derive(Default)]
pub struct OrdersMutation;

#[Object]
impl OrdersMutation {
    /// Cancels: the buyer, the whole order before anything ships; a producer's member, that
    /// producer's part, with a reason. The stock goes back to the lots it came from.
    async fn order_cancel(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> GqlResult<OrderPayload> {
        viewer(ctx).require_user()?;
        let r = async {
            let oid = decode_raw("Order", &id)?;
            lifecycle::cancel(db(ctx), viewer(ctx), oid, &reason).await
        }
        .await;
        stock_changed(ctx);
        order_payload(ctx, r)
    }

    /// The producer hands its part to a carrier.
    async fn seller_order_ship(
        &self,
        ctx: &Context<'_>,
        id: ID,
        carrier: String,
        tracking_number: String,
    ) -> GqlResult<SellerOrderPayload> {
        viewer(ctx).require_user()?;
        let r = async {
            let sid = decode_raw("SellerOrder", &id)?;
            lifecycle::ship(db(ctx), viewer(ctx), sid, &carrier, &tracking_number).await
        }
        .await;
        seller_order_payload(ctx, r)
    }

    /// The producer records delivery; for COD this records the cash collected.
    async fn seller_order_deliver(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> GqlResult<SellerOrderPayload> {
        viewer(ctx).require_user()?;
        let r = async {
            let sid = decode_raw("SellerOrder", &id)?;
            lifecycle::deliver(db(ctx), viewer(ctx), sid).await
        }
        .await;
        seller_order_payload(ctx, r)
    }

    /// The buyer confirms they received everything.
    async fn order_confirm_received(&self, ctx: &Context<'_>, id: ID) -> GqlResult<OrderPayload> {
        viewer(ctx).require_user()?;
        let r = async {
            let oid = decode_raw("Order", &id)?;
            lifecycle::confirm_received(db(ctx), viewer(ctx), oid).await
        }
        .await;
        order_payload(ctx, r)
    }

    /// Checks out a cart from one or several producers in one transaction. The same
    /// idempotency key with the same input returns the same order.
    async fn checkout(
        &self,
        ctx: &Context<'_>,
        input: CheckoutInput,
    ) -> GqlResult<CheckoutPayload> {
        viewer(ctx).require_user()?;
        let units = ctx.data_unchecked::<Arc<AdminUnits>>();
        let lines = input
            .lines
            .iter()
            .map(|l| LineFields {
                variant_id: id::decode(Kind::Variant, &l.variant_id),
                quantity: l.quantity,
            })
            .collect();
        let a = &input.shipping_address;
        let r = checkout::checkout(
            db(ctx),
            units,
            viewer(ctx),
            CheckoutFields {
                idempotency_key: &input.idempotency_key,
                lines,
                address: AddressFields {
                    name: &a.name,
                    phone: &a.phone,
                    province_code: &a.province_code,
                    commune_code: a.commune_code.as_deref(),
                    line: &a.line,
                },
                method: input.payment_method.as_str(),
            },
        )
        .await;
        if let Some(n) = ctx.data_opt::<Arc<dyn catalog::PublicCatalogChanged>>() {
            n.changed();
        }
        match r {
            Ok(o) => Ok(CheckoutPayload {
                order: Some(Order {
                    model: o,
                    scope: Scope::All,
                }),
                user_errors: vec![],
            }),
            Err(e) => Ok(CheckoutPayload {
                order: None,
                user_errors: e.into_user_errors()?,
            }),
        }
    }
}

#[derive(Default)]
pub struct OrdersSubscription;

#[async_graphql::Subscription(name = "Subscription")]
impl OrdersSubscription {
    /// The order each time its status may have changed, on whichever replica the change was
    /// made. For those who may see the order (its buyer, its producers' members, ADMIN).
    async fn order_status_changed(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
    ) -> async_graphql::Result<impl futures_util::Stream<Item = Order>> {
        use futures_util::StreamExt;
        let v = viewer(ctx).clone();
        v.require_user()?;
        let oid = kernel::id::decode_raw("Order", &order_id)
            .ok_or_else(|| TopError::invalid("Không tìm thấy đơn hàng."))?;
        let db = db(ctx).clone();
        let o = lifecycle::get_order(&db, oid)
            .await
            .map_err(Error::into_top)?;
        let scope = scope_for(&db, &v, &o)
            .await?
            .ok_or_else(TopError::forbidden)?;
        let hub = ctx.data_unchecked::<Arc<crate::events::OrderHub>>();
        let rx = tokio_stream::wrappers::BroadcastStream::new(hub.subscribe());
        Ok(rx.filter_map(move |msg| {
            let (db, scope) = (db.clone(), scope.clone());
            async move {
                match msg {
                    Ok(id) if id == oid => lifecycle::get_order(&db, oid)
                        .await
                        .ok()
                        .map(|model| Order { model, scope }),
                    _ => None,
                }
            }
        }))
    }
}
