//! Checkout and the order's life after it. Subscribers and caches are told only after a
//! change succeeded; every payload answers in the caller's scope.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use kernel::id::{OrderId, SellerOrderId, VariantId};
use kernel::problem::Problem;
use orders::checkout::{AddressFields, CheckoutFields, LineFields};
use orders::entity::{order, seller_order};

use crate::context::{GqlResult, catalog_changed, client_ip, db, order_changed, units, viewer};
use crate::errors::{self, UserError};
use crate::ids::{self, Kind};
use crate::orders::objects::{Order, PaymentMethod, SellerOrder, scope_of};
use crate::orders::payments::providers;

#[derive(InputObject)]
pub struct CheckoutLineInput {
    pub variant_id: ID,
    pub quantity: i64,
    /// The live offer whose price the buyer was shown: the live price applies only while its
    /// session is LIVE, within its cap and per-buyer limit; otherwise the line is refused
    /// (never charged another price).
    pub live_offer_id: Option<ID>,
    /// The affiliate code of the last link the buyer clicked for this product within 7 days
    /// (the storefront keeps it: last click wins); the line is attributed to its creator.
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

/// The payload of a mutation that changed an order, in the caller's scope; subscribers (and,
/// when stock moved, caches) hear about it.
async fn order_payload(
    ctx: &Context<'_>,
    r: kernel::Result<order::Model>,
    stock_moved: bool,
) -> GqlResult<OrderPayload> {
    match r {
        Ok(model) => {
            order_changed(ctx, model.id);
            if stock_moved {
                catalog_changed(ctx);
            }
            let order = scope_of(ctx, &model)
                .await?
                .map(|scope| Order { model, scope });
            Ok(OrderPayload {
                order,
                user_errors: vec![],
            })
        }
        Err(e) => Ok(OrderPayload {
            order: None,
            user_errors: errors::user_errors(e)?,
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
            user_errors: errors::user_errors(e)?,
        }),
    }
}

fn order_id(id: &ID) -> kernel::Result<OrderId> {
    ids::decode(Kind::Order, id)
        .map(OrderId)
        .ok_or_else(|| kernel::Error::not_found(&["id"], Problem::OrderNotFound))
}

fn seller_order_id(id: &ID) -> kernel::Result<SellerOrderId> {
    ids::decode(Kind::SellerOrder, id)
        .map(SellerOrderId)
        .ok_or_else(|| kernel::Error::not_found(&["id"], Problem::OrderNotFound))
}

#[derive(Default)]
pub struct OrdersMutation;

#[Object]
impl OrdersMutation {
    /// Cancels: the buyer, the whole order before anything ships; a producer's member, that
    /// producer's part, with a reason. The stock goes back to the lots it came from, and money
    /// already paid for the cancelled parts is refunded (cards at once through Stripe).
    async fn order_cancel(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> GqlResult<OrderPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let oid = order_id(&id)?;
            let o = orders::lifecycle::cancel(db(ctx), viewer(ctx), oid, &reason).await?;
            orders::refunds::run_pending_of_order(db(ctx), providers(ctx), o.id).await;
            orders::lifecycle::get_order(db(ctx), oid).await
        }
        .await;
        order_payload(ctx, r, true).await
    }

    /// Gives money back: ADMIN on any order, a producer's OWNER on its own part. Without
    /// `amount`, everything still refundable in that scope, and its parts not yet shipped are
    /// cancelled (units back to their lots); with `amount`, that much money only. Never more
    /// than paid minus refunded; a retry with the same `idempotencyKey` refunds once.
    async fn refund_create(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        idempotency_key: String,
        amount: Option<i64>,
        reason: String,
    ) -> GqlResult<OrderPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let oid = self::order_id(&order_id)?;
            orders::refunds::create(
                db(ctx),
                providers(ctx),
                viewer(ctx),
                oid,
                &idempotency_key,
                amount,
                &reason,
            )
            .await
        }
        .await;
        order_payload(ctx, r, true).await
    }

    /// The producer hands its part to a carrier.
    async fn seller_order_ship(
        &self,
        ctx: &Context<'_>,
        id: ID,
        carrier: String,
        tracking_number: String,
    ) -> GqlResult<SellerOrderPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let sid = seller_order_id(&id)?;
            orders::lifecycle::ship(db(ctx), viewer(ctx), sid, &carrier, &tracking_number).await
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
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let sid = seller_order_id(&id)?;
            orders::lifecycle::deliver(db(ctx), viewer(ctx), sid).await
        }
        .await;
        seller_order_payload(ctx, r)
    }

    /// The buyer confirms they received everything.
    async fn order_confirm_received(&self, ctx: &Context<'_>, id: ID) -> GqlResult<OrderPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let oid = order_id(&id)?;
            orders::lifecycle::confirm_received(db(ctx), viewer(ctx), oid).await
        }
        .await;
        order_payload(ctx, r, false).await
    }

    /// Checks out a cart from one or several producers in one transaction. The same
    /// idempotency key with the same input returns the same order.
    async fn checkout(
        &self,
        ctx: &Context<'_>,
        input: CheckoutInput,
    ) -> GqlResult<CheckoutPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let lines = input
            .lines
            .iter()
            .map(|l| LineFields {
                variant_id: ids::decode(Kind::Variant, &l.variant_id).map(VariantId),
                quantity: l.quantity,
                // An ID that names no live offer is kept as one that does not exist (0), so
                // the line is refused as NOT_FOUND where it stands.
                live_offer_id: l
                    .live_offer_id
                    .as_ref()
                    .map(|o| ids::decode(Kind::LiveOffer, o).unwrap_or(0)),
                affiliate_code: l.affiliate_code.clone(),
            })
            .collect();
        let a = &input.shipping_address;
        let r = orders::checkout::checkout(
            db(ctx),
            units(ctx),
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
                method: input.payment_method.into(),
            },
            &orders::payments::PaymentStart {
                providers: crate::orders::payments::providers(ctx),
                client_ip: client_ip(ctx),
                hold: ctx.data_unchecked::<crate::context::PaymentHold>().0,
                max_open_unpaid: ctx.data_unchecked::<crate::context::PaymentHold>().1,
                fee_bps: ctx.data_unchecked::<crate::context::PaymentHold>().2,
                max_unpaid_units: ctx.data_unchecked::<crate::context::PaymentHold>().3,
            },
        )
        .await;
        match r {
            Ok(model) => {
                catalog_changed(ctx);
                order_changed(ctx, model.id);
                Ok(CheckoutPayload {
                    order: Some(Order {
                        model,
                        scope: orders::access::Scope::All,
                    }),
                    user_errors: vec![],
                })
            }
            Err(e) => Ok(CheckoutPayload {
                order: None,
                user_errors: errors::user_errors(e)?,
            }),
        }
    }
}
