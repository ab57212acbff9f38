//! Checkout: in one transaction, claim the idempotency key, check every variant is listed,
//! take the stock from lots first-expiring-first-out with conditional decrements, price the
//! lines, and create the order, one seller order per producer, and the payment record.

use std::collections::BTreeMap;

use chrono::Utc;
use kernel::admin_units::AdminUnits;
use kernel::domain::{PhoneVn, text};
use kernel::error::is_unique_violation;
use kernel::sql::Sql;
use kernel::time::today_vn;
use kernel::{Error, ErrorCode, Result, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::entity::{allocation, order, order_line, payment, seller_order};

pub const MAX_LINES: usize = 50;
pub const MAX_QUANTITY: i64 = 1000;
/// Our policy: 30.000 ₫ per producer's shipment, free from 500.000 ₫ of that producer's goods.
pub const SHIPPING_FEE: i64 = 30_000;
pub const FREE_SHIPPING_FROM: i64 = 500_000;

pub const AWAITING_PAYMENT: &str = "AWAITING_PAYMENT";
pub const CONFIRMED: &str = "CONFIRMED";

pub struct LineFields {
    pub variant_id: Option<i64>,
    pub quantity: i64,
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
    /// COD, STRIPE or VNPAY.
    pub method: &'a str,
}

struct Parsed {
    /// variant id → (quantity, index of its first line in the input)
    lines: BTreeMap<i64, (i64, usize)>,
    name: String,
    phone: PhoneVn,
    province: String,
    commune: Option<String>,
    line: String,
}

fn parse(units: &AdminUnits, f: &CheckoutFields<'_>) -> Result<Parsed> {
    if f.lines.is_empty() {
        return Err(Error::invalid(&["input", "lines"], "Giỏ hàng đang trống."));
    }
    if f.lines.len() > MAX_LINES {
        return Err(Error::code(
            ErrorCode::LimitExceeded,
            &["input", "lines"],
            format!("Một đơn hàng có tối đa {MAX_LINES} dòng sản phẩm."),
        ));
    }
    let mut lines: BTreeMap<i64, (i64, usize)> = BTreeMap::new();
    for (i, l) in f.lines.iter().enumerate() {
        let idx = i.to_string();
        let Some(vid) = l.variant_id else {
            return Err(Error::not_found(
                &["input", "lines", &idx, "variantId"],
                "Không tìm thấy sản phẩm.",
            ));
        };
        if !(1..=MAX_QUANTITY).contains(&l.quantity) {
            return Err(Error::invalid(
                &["input", "lines", &idx, "quantity"],
                format!("Số lượng phải từ 1 đến {MAX_QUANTITY}."),
            ));
        }
        // The same variant twice is one line.
        let e = lines.entry(vid).or_insert((0, i));
        e.0 += l.quantity;
        if e.0 > MAX_QUANTITY {
            return Err(Error::invalid(
                &["input", "lines", &idx, "quantity"],
                format!("Số lượng phải từ 1 đến {MAX_QUANTITY}."),
            ));
        }
    }
    let a = &f.address;
    let field =
        |n: &'static str| move |m: String| Error::invalid(&["input", "shippingAddress", n], m);
    let name = text(a.name, 100, "Tên người nhận").map_err(field("name"))?;
    let phone = PhoneVn::parse(a.phone).map_err(field("phone"))?;
    units
        .validate(a.province_code, a.commune_code)
        .map_err(|(fl, m)| Error::invalid(&["input", "shippingAddress", fl], m))?;
    let line = text(a.line, 300, "Địa chỉ").map_err(field("line"))?;
    if !matches!(f.method, "COD" | "STRIPE" | "VNPAY") {
        return Err(Error::invalid(
            &["input", "paymentMethod"],
            "Phương thức thanh toán không hợp lệ.",
        ));
    }
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

fn request_hash(p: &Parsed, method: &str) -> String {
    let canonical = serde_json::json!({
        "lines": p.lines.iter().map(|(v, (q, _))| [*v, *q]).collect::<Vec<_>>(),
        "name": p.name, "phone": p.phone.as_str(), "province": p.province,
        "commune": p.commune, "line": p.line, "method": method,
    });
    Sha256::digest(canonical.to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks out. Returns the order (the first one, for a retry with the same key and input).
pub async fn checkout<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    units: &AdminUnits,
    viewer: &Viewer,
    f: CheckoutFields<'_>,
) -> Result<order::Model> {
    let buyer = viewer.require_user()?;
    let key = f.idempotency_key.trim();
    if key.is_empty() || key.len() > 100 {
        return Err(Error::invalid(
            &["input", "idempotencyKey"],
            "Khóa chống trùng lặp phải có từ 1 đến 100 ký tự.",
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
        status: Set(if f.method == "COD" {
            CONFIRMED
        } else {
            AWAITING_PAYMENT
        }
        .to_owned()),
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

    // Price and group the lines by producer; every variant must be listed today.
    let today = today_vn();
    let mut by_producer: BTreeMap<i64, Vec<(i64, i64, i64, usize)>> = BTreeMap::new();
    for (vid, (qty, idx)) in &p.lines {
        let i = idx.to_string();
        let field = ["input", "lines", i.as_str(), "variantId"];
        let Some((variant_id, producer_id, price, listed)) =
            variant_for_sale(&txn, *vid, today).await?
        else {
            return Err(Error::not_found(&field, "Không tìm thấy sản phẩm."));
        };
        if !listed {
            return Err(Error::code(
                ErrorCode::InvalidState,
                &field,
                "Sản phẩm này hiện không được bày bán.",
            ));
        }
        by_producer
            .entry(producer_id)
            .or_default()
            .push((variant_id, *qty, price, *idx));
    }

    let mut subtotal = 0;
    let mut shipping_total = 0;
    let mut to_take = Vec::with_capacity(p.lines.len());
    for (producer_id, lines) in &by_producer {
        let seller_subtotal: i64 = lines.iter().map(|(_, q, price, _)| q * price).sum();
        let shipping = if seller_subtotal >= FREE_SHIPPING_FROM {
            0
        } else {
            SHIPPING_FEE
        };
        let so = seller_order::ActiveModel {
            order_id: Set(ord.id),
            producer_id: Set(*producer_id),
            status: Set(ord.status.clone()),
            subtotal: Set(seller_subtotal),
            shipping: Set(shipping),
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
        for (vid, qty, price, idx) in lines {
            let line = order_line::ActiveModel {
                order_id: Set(ord.id),
                seller_order_id: Set(so.id),
                variant_id: Set(*vid),
                quantity: Set(*qty),
                unit_price: Set(*price),
                total: Set(qty * price),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            to_take.push((line, *idx));
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
    payment::ActiveModel {
        order_id: Set(ord.id),
        method: Set(f.method.to_owned()),
        status: Set("PENDING".to_owned()),
        amount: Set(ord.total),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // Stock last: a lot's row stays locked from its decrement to the commit, so everything
    // else is written first and a flash sale's buyers queue on that row as briefly as possible.
    for (line, idx) in &to_take {
        take_stock(&txn, line, *idx, today).await?;
    }
    txn.commit().await?;
    Ok(ord)
}

fn same_or_reused(existing: order::Model, hash: &str) -> Result<order::Model> {
    if existing.request_hash == hash {
        Ok(existing)
    } else {
        Err(Error::code(
            ErrorCode::IdempotencyKeyReused,
            &["input", "idempotencyKey"],
            "Khóa chống trùng lặp này đã được dùng cho một đơn hàng khác.",
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

/// A variant's producer and price, and whether its product is listed today: one query.
async fn variant_for_sale(
    db: &impl ConnectionTrait,
    variant_id: i64,
    today: chrono::NaiveDate,
) -> Result<Option<(i64, i64, i64, bool)>> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT v.id, v.producer_id, v.price, CASE WHEN");
    catalog::listing::push_listed(&mut q, today);
    q.push(
        " THEN 1 ELSE 0 END AS listed FROM variants v JOIN products p ON p.id = v.product_id \
         JOIN ocop_certificates c ON c.id = p.certificate_id JOIN producers pr ON pr.id = p.producer_id \
         WHERE v.id = ",
    )
    .bind(variant_id);
    Ok(match db.query_one_raw(q.build()).await? {
        Some(r) => Some((
            r.try_get("", "id")?,
            r.try_get("", "producer_id")?,
            r.try_get("", "price")?,
            r.try_get::<i32>("", "listed")? == 1,
        )),
        None => None,
    })
}

/// Takes a line's units from the variant's sellable lots, first expiring first (lots without
/// expiry last, then oldest produced). Each decrement is one conditional `UPDATE … WHERE
/// quantity_available >= n`; what was read only suggests how much to try, so a lot emptied by
/// a concurrent checkout is simply tried again for less.
async fn take_stock(
    db: &impl ConnectionTrait,
    line: &order_line::Model,
    idx: usize,
    today: chrono::NaiveDate,
) -> Result<()> {
    let backend = db.get_database_backend();
    let mut remaining = line.quantity;
    let mut q = Sql::new(backend);
    q.push("SELECT id, quantity_available FROM lots WHERE variant_id = ")
        .bind(line.variant_id)
        .push(" AND quantity_available > 0 AND recalled_at IS NULL AND (expires_on IS NULL OR expires_on >= ")
        .bind(today)
        .push(") ORDER BY CASE WHEN expires_on IS NULL THEN 1 ELSE 0 END, expires_on, produced_on, id");
    let lots: Vec<(i64, i64)> = db
        .query_all_raw(q.build())
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get::<i64>("", "id")?,
                r.try_get::<i64>("", "quantity_available")?,
            ))
        })
        .collect::<Result<_, sea_orm::DbErr>>()?;
    for (lot_id, seen) in lots {
        let mut want = remaining.min(seen);
        while want > 0 {
            let mut u = Sql::new(backend);
            u.push("UPDATE lots SET quantity_available = quantity_available - ")
                .bind(want)
                .push(" WHERE id = ")
                .bind(lot_id)
                .push(" AND quantity_available >= ")
                .bind(want);
            if db.execute_raw(u.build()).await?.rows_affected() == 1 {
                allocation::ActiveModel {
                    order_line_id: Set(line.id),
                    lot_id: Set(lot_id),
                    quantity: Set(want),
                    released: Set(false),
                    ..Default::default()
                }
                .insert(db)
                .await?;
                remaining -= want;
                break;
            }
            // Someone took from this lot meanwhile: see what is left now and try for that.
            want = remaining.min(current(db, backend, lot_id).await?);
        }
        if remaining == 0 {
            return Ok(());
        }
    }
    let i = idx.to_string();
    Err(Error::code(
        ErrorCode::InsufficientStock,
        &["input", "lines", &i, "quantity"],
        format!(
            "Không đủ hàng: chỉ còn {} sản phẩm.",
            line.quantity - remaining
        ),
    ))
}

async fn current(db: &impl ConnectionTrait, backend: DbBackend, lot_id: i64) -> Result<i64> {
    let mut q = Sql::new(backend);
    q.push("SELECT quantity_available FROM lots WHERE id = ")
        .bind(lot_id);
    Ok(match db.query_one_raw(q.build()).await? {
        Some(r) => r.try_get("", "quantity_available")?,
        None => 0,
    })
}
