//! Checkout: in one transaction, claim the idempotency key, check every variant is listed,
//! take the stock from lots first-expiring-first-out with conditional decrements, price the
//! lines, and create the order, one seller order per producer, and the payment record.

use std::collections::BTreeMap;

use chrono::Utc;
use kernel::admin_units::AdminUnits;
use kernel::domain::{PhoneVn, text};
use kernel::error::is_unique_violation;
use kernel::id::{LotId, ProducerId, ProductId, VariantId};
use kernel::problem::{Label, Problem};
use kernel::sql::Sql;
use kernel::time::today_vn;
use kernel::{Error, ErrorCode, Result, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::entity::{
    OrderStatus, PaymentMethod, PaymentStatus, allocation, order, order_line, payment, seller_order,
};
use crate::payments::PaymentStart;

pub const MAX_LINES: usize = 50;
pub const MAX_QUANTITY: i64 = 1000;
/// Our policy: 30.000 ₫ per producer's shipment, free from 500.000 ₫ of that producer's goods.
pub const SHIPPING_FEE: i64 = 30_000;
pub const FREE_SHIPPING_FROM: i64 = 500_000;

#[derive(Default)]
pub struct LineFields {
    /// `None` when the client's ID named no variant.
    pub variant_id: Option<VariantId>,
    pub quantity: i64,
    /// The live offer whose price the buyer was shown (decoded by the caller).
    pub live_offer_id: Option<i64>,
    /// The affiliate link the storefront kept for this product (the last click, 7 days).
    pub affiliate_code: Option<String>,
}

pub struct AddressFields<'a> {
    pub name: &'a str,
    pub phone: &'a str,
    pub province_code: &'a str,
    pub commune_code: Option<&'a str>,
    pub line: &'a str,
}

pub struct CheckoutFields<'a> {
    pub idempotency_key: &'a str,
    pub lines: Vec<LineFields>,
    pub address: AddressFields<'a>,
    pub method: PaymentMethod,
}

/// A cart line after parsing: how many units, where it stood in the input (for errors), and
/// the live offer and affiliate code it came with.
#[derive(Clone)]
struct Want {
    quantity: i64,
    index: usize,
    live_offer_id: Option<i64>,
    affiliate_code: Option<String>,
}

struct Parsed {
    /// The same variant twice is one line.
    lines: BTreeMap<VariantId, Want>,
    name: String,
    phone: PhoneVn,
    province: String,
    commune: Option<String>,
    line: String,
}

fn parse(units: &AdminUnits, f: &CheckoutFields<'_>) -> Result<Parsed> {
    if f.lines.is_empty() {
        return Err(Error::invalid(&["input", "lines"], Problem::EmptyCart));
    }
    if f.lines.len() > MAX_LINES {
        return Err(Error::code(
            ErrorCode::LimitExceeded,
            &["input", "lines"],
            Problem::TooManyLines(MAX_LINES),
        ));
    }
    let mut lines: BTreeMap<VariantId, Want> = BTreeMap::new();
    for (i, l) in f.lines.iter().enumerate() {
        let idx = i.to_string();
        let Some(vid) = l.variant_id else {
            return Err(Error::not_found(
                &["input", "lines", &idx, "variantId"],
                Problem::ProductNotFound,
            ));
        };
        if !(1..=MAX_QUANTITY).contains(&l.quantity) {
            return Err(Error::invalid(
                &["input", "lines", &idx, "quantity"],
                Problem::QuantityRange(MAX_QUANTITY),
            ));
        }
        let code = l
            .affiliate_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        if code.as_ref().is_some_and(|c| c.len() > 32) {
            return Err(Error::not_found(
                &["input", "lines", &idx, "affiliateCode"],
                Problem::AffiliateLinkNotFound,
            ));
        }
        let e = lines.entry(vid).or_insert(Want {
            quantity: 0,
            index: i,
            live_offer_id: l.live_offer_id,
            affiliate_code: code.clone(),
        });
        // One variant twice is one line, so both must come the same way.
        if e.live_offer_id != l.live_offer_id || e.affiliate_code != code {
            return Err(Error::invalid(
                &["input", "lines", &idx, "liveOfferId"],
                Problem::LineTermsDiffer,
            ));
        }
        e.quantity += l.quantity;
        if e.quantity > MAX_QUANTITY {
            return Err(Error::invalid(
                &["input", "lines", &idx, "quantity"],
                Problem::QuantityRange(MAX_QUANTITY),
            ));
        }
    }
    let a = &f.address;
    let field =
        |n: &'static str| move |m: Problem| Error::invalid(&["input", "shippingAddress", n], m);
    let name = text(a.name, 100, Label::RecipientName).map_err(field("name"))?;
    let phone = PhoneVn::parse(a.phone).map_err(field("phone"))?;
    units
        .validate(a.province_code, a.commune_code)
        .map_err(|(fl, m)| Error::invalid(&["input", "shippingAddress", fl], m))?;
    let line = text(a.line, 300, Label::Address).map_err(field("line"))?;
    Ok(Parsed {
        lines,
        name,
        phone,
        province: a.province_code.trim().to_owned(),
        commune: a
            .commune_code
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        line,
    })
}

fn request_hash(p: &Parsed, method: PaymentMethod) -> String {
    let canonical = serde_json::json!({
        "lines": p.lines.iter().map(|(v, w)| {
            serde_json::json!([v.get(), w.quantity, w.live_offer_id, w.affiliate_code])
        }).collect::<Vec<_>>(),
        "name": p.name, "phone": p.phone.as_str(), "province": p.province,
        "commune": p.commune, "line": p.line, "method": method.as_str(),
    });
    Sha256::digest(canonical.to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks out. Returns the order (the first one, for a retry with the same key and input).
/// A card order's PaymentIntent is created once the order is committed; if Stripe cannot be
/// reached the order waits (holding its stock until it expires) and a retry of the same
/// checkout creates the intent.
pub async fn checkout<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    units: &AdminUnits,
    viewer: &Viewer,
    f: CheckoutFields<'_>,
    pay: &PaymentStart<'_>,
) -> Result<order::Model> {
    let ord = place(db, units, viewer, f, pay).await?;
    crate::payments::start_card(db, pay.providers, &ord).await?;
    Ok(ord)
}

async fn place<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    units: &AdminUnits,
    viewer: &Viewer,
    f: CheckoutFields<'_>,
    pay: &PaymentStart<'_>,
) -> Result<order::Model> {
    let buyer = viewer.require_user()?;
    crate::payments::require_available(pay.providers, f.method)?;
    let key = f.idempotency_key.trim();
    if key.is_empty() || key.len() > 100 {
        return Err(Error::invalid(
            &["input", "idempotencyKey"],
            Problem::IdempotencyKeyLength,
        ));
    }
    let p = parse(units, &f)?;
    let hash = request_hash(&p, f.method);
    if let Some(existing) = find_by_key(db, buyer, key).await? {
        return same_or_reused(existing, &hash);
    }
    let txn = db.begin().await?;
    let now = Utc::now();
    // Claiming the key first: a concurrent checkout with the same key waits here for this
    // one to commit, then fails the unique constraint and returns this order.
    let claimed = order::ActiveModel {
        number: Set(format!("PENDING-{buyer}-{key}")),
        buyer_id: Set(buyer),
        status: Set(if f.method == PaymentMethod::Cod {
            OrderStatus::Confirmed
        } else {
            OrderStatus::AwaitingPayment
        }),
        subtotal: Set(0),
        shipping_total: Set(0),
        total: Set(0),
        ship_name: Set(p.name.clone()),
        ship_phone: Set(p.phone.as_str().to_owned()),
        ship_province_code: Set(p.province.clone()),
        ship_commune_code: Set(p.commune.clone()),
        ship_line: Set(p.line.clone()),
        idempotency_key: Set(key.to_owned()),
        request_hash: Set(hash.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let mut ord = match claimed {
        Ok(o) => o,
        Err(e)
            if is_unique_violation(
                &e,
                "orders_buyer_idempotency_key",
                "orders.buyer_id, orders.idempotency_key",
            ) || is_unique_violation(&e, "orders_number_key", "orders.number") =>
        {
            drop(txn);
            let existing = find_by_key(db, buyer, key)
                .await?
                .ok_or_else(|| Error::Db(e))?;
            return same_or_reused(existing, &hash);
        }
        Err(e) => return Err(e.into()),
    };

    if ord.status == OrderStatus::AwaitingPayment {
        require_few_unpaid(&txn, buyer, ord.id, pay.max_open_unpaid).await?;
        for (vid, want) in &p.lines {
            require_few_unpaid_units(&txn, buyer, *vid, want.quantity, pay.max_unpaid_units)
                .await?;
        }
    }

    // Price and group the lines by producer; every variant must be listed today.
    let today = today_vn();
    let mut by_producer: BTreeMap<ProducerId, Vec<Priced>> = BTreeMap::new();
    for (vid, want) in &p.lines {
        let i = want.index.to_string();
        let field = ["input", "lines", i.as_str(), "variantId"];
        let Some(v) = variant_for_sale(&txn, *vid, today).await? else {
            return Err(Error::not_found(&field, Problem::ProductNotFound));
        };
        if !v.listed {
            return Err(Error::code(
                ErrorCode::InvalidState,
                &field,
                Problem::NotOnSale,
            ));
        }
        // A live offer or an affiliate code: live selling prices the line and claims its
        // units of the offer's cap and of the buyer's limit, in this transaction.
        let terms = if want.live_offer_id.is_some() || want.affiliate_code.is_some() {
            crate::live::sales(want.index)?
                .claim(
                    &txn,
                    crate::live::Ask {
                        index: want.index,
                        buyer,
                        variant_id: *vid,
                        product_id: v.product_id,
                        producer_id: v.producer_id,
                        quantity: want.quantity,
                        live_offer_id: want.live_offer_id,
                        affiliate_code: want.affiliate_code.as_deref(),
                    },
                )
                .await?
        } else {
            crate::live::Terms::default()
        };
        by_producer.entry(v.producer_id).or_default().push(Priced {
            variant_id: *vid,
            quantity: want.quantity,
            unit_price: terms.live_price.unwrap_or(v.price),
            index: want.index,
            terms,
        });
    }

    let mut subtotal = 0;
    let mut shipping_total = 0;
    let mut to_take = Vec::with_capacity(p.lines.len());
    for (producer_id, lines) in &by_producer {
        let seller_subtotal: i64 = lines.iter().map(|l| l.quantity * l.unit_price).sum();
        let shipping = if seller_subtotal >= FREE_SHIPPING_FROM {
            0
        } else {
            SHIPPING_FEE
        };
        let so = seller_order::ActiveModel {
            order_id: Set(ord.id),
            producer_id: Set(producer_id.get()),
            status: Set(ord.status),
            subtotal: Set(seller_subtotal),
            shipping: Set(shipping),
            platform_fee: Set(crate::ledger::fee(seller_subtotal + shipping, pay.fee_bps)),
            carrier: Set(None),
            tracking_number: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            shipped_at: Set(None),
            delivered_at: Set(None),
            cancelled_at: Set(None),
            cancel_reason: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for l in lines {
            let line = order_line::ActiveModel {
                order_id: Set(ord.id),
                seller_order_id: Set(so.id),
                variant_id: Set(l.variant_id.get()),
                quantity: Set(l.quantity),
                unit_price: Set(l.unit_price),
                total: Set(l.quantity * l.unit_price),
                live_offer_id: Set(l.terms.live_offer_id),
                live_session_id: Set(l.terms.live_session_id),
                creator_user_id: Set(l.terms.creator_user_id),
                commission_bps: Set(l.terms.commission_bps),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            to_take.push((line, l.index));
        }
        subtotal += seller_subtotal;
        shipping_total += shipping;
    }

    let mut active: order::ActiveModel = ord.clone().into();
    active.number = Set(format!(
        "OC-{}-{:06}",
        kernel::time::date_vn(now).format("%Y"),
        ord.id
    ));
    active.subtotal = Set(subtotal);
    active.shipping_total = Set(shipping_total);
    active.total = Set(subtotal + shipping_total);
    ord = active.update(&txn).await?;
    let started = crate::payments::start(&ord, f.method, pay);
    payment::ActiveModel {
        order_id: Set(ord.id),
        method: Set(f.method),
        status: Set(PaymentStatus::Pending),
        amount: Set(ord.total),
        created_at: Set(now),
        updated_at: Set(now),
        reference: Set(started.reference),
        redirect_url: Set(started.redirect_url),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // Stock last: a lot's row stays locked from its decrement to the commit, so everything
    // else is written first and a flash sale's buyers queue on that row as briefly as possible.
    let mut emptied = Vec::new();
    for (line, idx) in &to_take {
        emptied.extend(take_stock(&txn, line, *idx, today).await?);
    }
    // Lots this checkout emptied may take their products out of the in-stock listing.
    catalog::stock::settle(&txn, &emptied).await?;
    txn.commit().await?;
    Ok(ord)
}

/// Refuses a new unpaid order when the buyer already has `max` waiting: unpaid orders hold
/// stock, and a buyer must not hold a whole variant with orders that are never paid. On
/// PostgreSQL the buyer's row is locked first, so two checkouts at once count each other.
async fn require_few_unpaid(
    db: &impl ConnectionTrait,
    buyer: i64,
    this_order: i64,
    max: i64,
) -> Result<()> {
    kernel::sql::lock_row(db, "users", buyer).await?;
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM orders WHERE buyer_id = ")
        .bind(buyer)
        .push(" AND status = ")
        .bind(OrderStatus::AwaitingPayment.as_str())
        .push(" AND id <> ")
        .bind(this_order);
    let open: i64 = match db.query_one_raw(q.build()).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    if open >= max {
        return Err(Error::code(
            ErrorCode::LimitExceeded,
            &["input", "paymentMethod"],
            Problem::TooManyUnpaid(max),
        ));
    }
    Ok(())
}

/// Refuses an unpaid order that would make the buyer hold more than `max` units of one variant
/// across their orders waiting for payment: three unpaid orders must not hold a whole lot.
/// Runs after [`require_few_unpaid`], under the same lock on the buyer.
async fn require_few_unpaid_units(
    db: &impl ConnectionTrait,
    buyer: i64,
    variant: VariantId,
    quantity: i64,
    max: i64,
) -> Result<()> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) AS n FROM order_lines l ")
        .push("JOIN seller_orders s ON s.id = l.seller_order_id ")
        .push("JOIN orders o ON o.id = s.order_id WHERE o.buyer_id = ")
        .bind(buyer)
        .push(" AND s.status = ")
        .bind(OrderStatus::AwaitingPayment.as_str())
        .push(" AND l.variant_id = ")
        .bind(variant.get());
    let held: i64 = match db.query_one_raw(q.build()).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    if held + quantity > max {
        return Err(Error::code(
            ErrorCode::LimitExceeded,
            &["input", "lines"],
            Problem::TooManyUnpaidUnits { max, held },
        ));
    }
    Ok(())
}

fn same_or_reused(existing: order::Model, hash: &str) -> Result<order::Model> {
    if existing.request_hash == hash {
        Ok(existing)
    } else {
        Err(Error::code(
            ErrorCode::IdempotencyKeyReused,
            &["input", "idempotencyKey"],
            Problem::IdempotencyKeyReused,
        ))
    }
}

async fn find_by_key(
    db: &impl ConnectionTrait,
    buyer: i64,
    key: &str,
) -> Result<Option<order::Model>> {
    Ok(order::Entity::find()
        .filter(order::Column::BuyerId.eq(buyer))
        .filter(order::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

/// A cart line priced, for one producer's part.
struct Priced {
    variant_id: VariantId,
    quantity: i64,
    unit_price: i64,
    index: usize,
    terms: crate::live::Terms,
}

/// What checkout needs to know of a variant.
struct ForSale {
    producer_id: ProducerId,
    product_id: ProductId,
    price: i64,
    listed: bool,
}

/// A variant's producer and price, and whether its product is listed today: one query.
async fn variant_for_sale(
    db: &impl ConnectionTrait,
    variant_id: VariantId,
    today: chrono::NaiveDate,
) -> Result<Option<ForSale>> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT v.producer_id, v.product_id, v.price, CASE WHEN");
    catalog::listing::push_listed(&mut q, today);
    q.push(
        " THEN 1 ELSE 0 END AS listed FROM variants v JOIN products p ON p.id = v.product_id \
         JOIN ocop_certificates c ON c.id = p.certificate_id JOIN producers pr ON pr.id = p.producer_id \
         WHERE v.id = ",
    )
    .bind(variant_id);
    Ok(match db.query_one_raw(q.build()).await? {
        Some(r) => Some(ForSale {
            producer_id: ProducerId(r.try_get("", "producer_id")?),
            product_id: ProductId(r.try_get("", "product_id")?),
            price: r.try_get("", "price")?,
            listed: r.try_get::<i32>("", "listed")? == 1,
        }),
        None => None,
    })
}

/// Takes a line's units through `catalog::stock::take` and records which lots they came from.
/// Returns the lots it emptied, for `catalog::stock::settle` before the commit.
pub(crate) async fn take_stock(
    db: &impl ConnectionTrait,
    line: &order_line::Model,
    idx: usize,
    today: chrono::NaiveDate,
) -> Result<Vec<LotId>> {
    match catalog::stock::take(db, VariantId(line.variant_id), line.quantity, today).await? {
        Ok(taken) => {
            let emptied = taken
                .iter()
                .filter(|t| t.emptied)
                .map(|t| t.lot_id)
                .collect();
            for t in taken {
                allocation::ActiveModel {
                    order_line_id: Set(line.id),
                    lot_id: Set(t.lot_id.get()),
                    quantity: Set(t.quantity),
                    released: Set(false),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
            Ok(emptied)
        }
        Err(could_have) => {
            let i = idx.to_string();
            Err(Error::code(
                ErrorCode::InsufficientStock,
                &["input", "lines", &i, "quantity"],
                Problem::InsufficientStock { left: could_have },
            ))
        }
    }
}
