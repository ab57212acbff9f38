//! Stock: lots as inventory. This module is the only code that writes a lot's stock columns,
//! and the one definition of a *sellable* lot — stock left, not recalled, not past its expiry
//! date as judged in Asia/Ho_Chi_Minh — given twice side by side: as SQL for queries
//! ([`push_sellable`]) and as Rust for rows already read ([`sellable`]).
//!
//! Lots live in the catalog, not in traceability, because what can be sold is a catalog
//! question: listing, availability, checkout and cancellation all ask it, and each asks it
//! here. Traceability gives a lot its trace code and its event chain through [`insert`] and
//! [`mark_recalled`]; orders take and release units through [`take`] and [`release`].

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use kernel::id::{LotId, ProductId, VariantId};
use kernel::problem::Problem;
use kernel::sql::Sql;
use kernel::{Error, Result};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, Set,
};

use crate::entity::lot;

/// Whether a lot read from the database can be sold on `today`.
pub fn sellable(l: &lot::Model, today: NaiveDate) -> bool {
    l.quantity_available > 0 && l.recalled_at.is_none() && l.expires_on.is_none_or(|e| e >= today)
}

/// Appends "the lot `alias` is sellable on `today`" — the SQL twin of [`sellable`].
pub fn push_sellable(q: &mut Sql, alias: &str, today: NaiveDate) {
    q.push(alias)
        .push(".quantity_available > 0 AND ")
        .push(alias)
        .push(".recalled_at IS NULL AND (")
        .push(alias)
        .push(".expires_on IS NULL OR ")
        .push(alias)
        .push(".expires_on >= ")
        .bind(today)
        .push(")");
}

/// Appends "product `p` has a sellable lot on `today`", read from the product's copy
/// `p.stock_until` (see [`settle`]), so the listing's in-stock filter never joins lots.
pub fn push_product_in_stock(q: &mut Sql, today: NaiveDate) {
    q.push(" p.stock_until >= ").push_date(today);
}

/// Appends "product `p` has no sellable lot on `today`".
pub fn push_product_out_of_stock(q: &mut Sql, today: NaiveDate) {
    q.push(" (p.stock_until IS NULL OR p.stock_until < ")
        .push_date(today)
        .push(")");
}

/// The value `stock_until` should hold for the row `products`, as a scalar subquery: the
/// latest expiry among its lots with units left and not recalled (a lot that never expires
/// counts as 9999-12-31), NULL without such a lot. A product has a sellable lot on `today`
/// exactly when this is `>= today`, so expiry needs no job: only a lot leaving or entering
/// that set moves it.
fn push_stock_until(q: &mut Sql) {
    q.push("SELECT ")
        .push(HELD_UNTIL)
        .push(" FROM lots l JOIN variants v ON v.id = l.variant_id WHERE v.product_id = products.id AND ")
        .push(HELD);
}

/// A lot `l` that still counts towards its product's stock copy: units left, not recalled.
const HELD: &str = "l.quantity_available > 0 AND l.recalled_at IS NULL";
/// The copy over such lots: the latest expiry, a lot without one counting as 9999-12-31.
const HELD_UNTIL: &str = "MAX(COALESCE(l.expires_on, '9999-12-31'))";

/// Recomputes `products.stock_until` for the products of these lots. Call it in the
/// transaction that emptied, refilled, inserted or recalled them, after the last stock write
/// (so every lot lock it needs is already held).
///
/// On PostgreSQL the product rows are locked first, in id order, and the copy is recomputed
/// by a second statement: two transactions emptying two lots of one product at once would
/// otherwise each still see the other's lot full, and both leave the product in stock. The
/// lock makes the second wait for the first's commit, and its fresh statement then sees it.
/// SQLite has one writer at a time, so it needs no lock.
pub async fn settle(db: &impl ConnectionTrait, lots: &[LotId]) -> Result<(), sea_orm::DbErr> {
    if lots.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    let ids: Vec<i64> = lots.iter().map(|l| l.get()).collect();
    // The products of these lots, as a subquery (and, on PostgreSQL, locked in id order by
    // the same statement that finds them).
    let of_lots = |q: &mut Sql| {
        q.push(
            "SELECT v.product_id FROM lots l JOIN variants v ON v.id = l.variant_id \
             WHERE l.id IN ",
        )
        .bind_list(&ids);
    };
    let mut u = Sql::new(backend);
    u.push("UPDATE products SET stock_until = (");
    push_stock_until(&mut u);
    u.push(") WHERE id IN ");
    if backend == DbBackend::Postgres {
        let mut lock = Sql::new(backend);
        lock.push("SELECT id FROM products WHERE id IN (");
        of_lots(&mut lock);
        lock.push(") ORDER BY id FOR UPDATE");
        let locked: Vec<i64> = db
            .query_all_raw(lock.build())
            .await?
            .iter()
            .map(|r| r.try_get("", "id"))
            .collect::<std::result::Result<_, sea_orm::DbErr>>()?;
        if locked.is_empty() {
            return Ok(());
        }
        u.bind_list(&locked);
    } else {
        u.push("(");
        of_lots(&mut u);
        u.push(")");
    }
    db.execute_raw(u.build()).await?;
    Ok(())
}

/// Recomputes every product's stock copy: the repair after lots were written behind this
/// module (by hand, or by a test).
pub async fn settle_all(db: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
    let mut u = Sql::new(db.get_database_backend());
    u.push("UPDATE products SET stock_until = (");
    push_stock_until(&mut u);
    u.push(")");
    db.execute_raw(u.build()).await?;
    Ok(())
}

/// Products whose `stock_until` differs from what their lots give (a check for tests and
/// operators: it should always be empty). One pass over the lots, grouped, so it stays a
/// scan at any size.
pub async fn stale_stock_copies(db: &impl ConnectionTrait) -> Result<Vec<i64>> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT p.id FROM products p LEFT JOIN (SELECT v.product_id, ")
        .push(HELD_UNTIL)
        .push(" AS until FROM lots l JOIN variants v ON v.id = l.variant_id WHERE ")
        .push(HELD)
        .push(
            " GROUP BY v.product_id) s ON s.product_id = p.id \
             WHERE NOT (COALESCE(p.stock_until, '1900-01-01') = COALESCE(s.until, '1900-01-01')) \
             ORDER BY p.id",
        );
    let rows = db.query_all_raw(q.build()).await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<i64>("", "id")?))
        .collect()
}

/// Units available per variant: the sum over its sellable lots. Variants without such lots
/// are absent.
pub async fn available(
    db: &impl ConnectionTrait,
    variant_ids: &[i64],
    today: NaiveDate,
) -> Result<HashMap<i64, i64>> {
    if variant_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut q = Sql::new(db.get_database_backend());
    q.push(
        "SELECT l.variant_id, CAST(SUM(l.quantity_available) AS BIGINT) AS qty FROM lots l \
         WHERE l.variant_id IN ",
    )
    .bind_list(variant_ids)
    .push(" AND ");
    push_sellable(&mut q, "l", today);
    q.push(" GROUP BY l.variant_id");
    let rows = db.query_all_raw(q.build()).await?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in rows {
        out.insert(
            r.try_get::<i64>("", "variant_id")?,
            r.try_get::<i64>("", "qty")?,
        );
    }
    Ok(out)
}

/// Units taken from one lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken {
    pub lot_id: LotId,
    pub quantity: i64,
    /// The lot holds nothing now: its product's stock copy must be [`settle`]d before commit.
    pub emptied: bool,
}

/// Takes `quantity` units of a variant from its sellable lots, first expiring first (lots
/// without expiry last, then oldest produced). Each decrement is one conditional
/// `UPDATE … WHERE quantity_available >= n` that re-checks the lot is still sellable; what was
/// read only suggests how much to try, so a lot emptied (or recalled) by a concurrent
/// transaction is simply tried again for less. Returns what was taken, or
/// `Err(units that could be had)` when there was not enough — the caller's transaction must
/// then roll back.
pub async fn take(
    db: &impl ConnectionTrait,
    variant: VariantId,
    quantity: i64,
    today: NaiveDate,
) -> Result<std::result::Result<Vec<Taken>, i64>> {
    let backend = db.get_database_backend();
    let mut remaining = quantity;
    let mut q = Sql::new(backend);
    q.push("SELECT l.id, l.quantity_available FROM lots l WHERE l.variant_id = ")
        .bind(variant)
        .push(" AND ");
    push_sellable(&mut q, "l", today);
    q.push(
        " ORDER BY CASE WHEN l.expires_on IS NULL THEN 1 ELSE 0 END, l.expires_on, \
         l.produced_on, l.id",
    );
    let lots: Vec<(i64, i64)> = db
        .query_all_raw(q.build())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "quantity_available")?)))
        .collect::<Result<_, sea_orm::DbErr>>()?;
    let mut taken = Vec::new();
    for (lot_id, seen) in lots {
        let mut want = remaining.min(seen);
        while want > 0 {
            if let Some(left) = decrement(db, backend, lot_id, want, today).await? {
                taken.push(Taken {
                    lot_id: LotId(lot_id),
                    quantity: want,
                    emptied: left == 0,
                });
                remaining -= want;
                break;
            }
            // Someone took from this lot meanwhile: see what is left now and try for that.
            want = remaining.min(sellable_now(db, backend, lot_id, today).await?);
        }
        if remaining == 0 {
            return Ok(Ok(taken));
        }
    }
    Ok(Err(quantity - remaining))
}

/// The conditional decrement: one statement that cannot take a lot below zero, nor take
/// from a lot recalled or expired a moment ago. Returns the units left, or `None` when the
/// lot did not hold `n` sellable units.
async fn decrement(
    db: &impl ConnectionTrait,
    backend: DbBackend,
    lot_id: i64,
    n: i64,
    today: NaiveDate,
) -> Result<Option<i64>> {
    let mut u = Sql::new(backend);
    u.push("UPDATE lots SET quantity_available = quantity_available - ")
        .bind(n)
        .push(" WHERE id = ")
        .bind(lot_id)
        .push(" AND quantity_available >= ")
        .bind(n)
        .push(" AND recalled_at IS NULL AND (expires_on IS NULL OR expires_on >= ")
        .bind(today)
        .push(") RETURNING quantity_available");
    Ok(match db.query_one_raw(u.build()).await? {
        Some(r) => Some(r.try_get("", "quantity_available")?),
        None => None,
    })
}

async fn sellable_now(
    db: &impl ConnectionTrait,
    backend: DbBackend,
    lot_id: i64,
    today: NaiveDate,
) -> Result<i64> {
    let mut q = Sql::new(backend);
    q.push("SELECT l.quantity_available FROM lots l WHERE l.id = ")
        .bind(lot_id)
        .push(" AND ");
    push_sellable(&mut q, "l", today);
    Ok(match db.query_one_raw(q.build()).await? {
        Some(r) => r.try_get("", "quantity_available")?,
        None => 0,
    })
}

/// Puts units back into the lot they were taken from. The caller makes sure this happens
/// once per allocation (orders marks the allocation released with a conditional update
/// first). Returns whether the lot was empty before: its product's stock copy must then be
/// [`settle`]d before commit.
pub async fn release(db: &impl ConnectionTrait, lot: LotId, quantity: i64) -> Result<bool> {
    let mut u = Sql::new(db.get_database_backend());
    u.push("UPDATE lots SET quantity_available = quantity_available + ")
        .bind(quantity)
        .push(" WHERE id = ")
        .bind(lot)
        .push(" RETURNING quantity_available");
    Ok(match db.query_one_raw(u.build()).await? {
        Some(r) => quantity > 0 && r.try_get::<i64>("", "quantity_available")? == quantity,
        None => false,
    })
}

/// A lot to insert; all its units are available.
pub struct NewLot {
    pub variant_id: VariantId,
    pub lot_number: String,
    pub produced_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub quantity: i64,
    pub trace_code: String,
    pub origin_province_code: String,
    pub origin_commune_code: Option<String>,
    pub origin_place: Option<String>,
    pub gln: Option<String>,
}

/// Inserts a lot: stock enters the platform here and nowhere else. Its product's stock copy
/// is settled in the same transaction.
pub async fn insert(db: &impl ConnectionTrait, new: NewLot) -> Result<lot::Model, sea_orm::DbErr> {
    let inserted = lot::ActiveModel {
        variant_id: Set(new.variant_id.get()),
        lot_number: Set(new.lot_number),
        produced_on: Set(new.produced_on),
        expires_on: Set(new.expires_on),
        quantity_produced: Set(new.quantity),
        quantity_available: Set(new.quantity),
        recalled_at: Set(None),
        created_at: Set(Utc::now()),
        trace_code: Set(Some(new.trace_code)),
        origin_province_code: Set(Some(new.origin_province_code)),
        origin_commune_code: Set(new.origin_commune_code),
        origin_place: Set(new.origin_place),
        gln: Set(new.gln),
        recall_reason: Set(None),
        scan_count: Set(0),
        ..Default::default()
    }
    .insert(db)
    .await?;
    settle(db, &[LotId(inserted.id)]).await?;
    Ok(inserted)
}

/// Marks a lot recalled: from this moment it is not sellable.
pub async fn mark_recalled(
    db: &impl ConnectionTrait,
    l: lot::Model,
    reason: String,
) -> Result<lot::Model> {
    let mut active: lot::ActiveModel = l.into();
    active.recalled_at = Set(Some(Utc::now()));
    active.recall_reason = Set(Some(reason));
    let recalled = active.update(db).await?;
    settle(db, &[LotId(recalled.id)]).await?;
    Ok(recalled)
}

pub async fn get(db: &impl ConnectionTrait, id: LotId) -> Result<lot::Model> {
    lot::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found(&["id"], Problem::LotNotFound))
}

pub async fn find(db: &impl ConnectionTrait, id: LotId) -> Result<Option<lot::Model>> {
    Ok(lot::Entity::find_by_id(id.get()).one(db).await?)
}

/// The lot with this trace code.
pub async fn by_code(db: &impl ConnectionTrait, code: &str) -> Result<Option<lot::Model>> {
    Ok(lot::Entity::find()
        .filter(lot::Column::TraceCode.eq(code))
        .one(db)
        .await?)
}

/// Lots by id, for batched loading.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<lot::Model>> {
    Ok(lot::Entity::find()
        .filter(lot::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// A page of a product's lots, newest first (`limit` rows after the lot `after`).
pub async fn of_product(
    db: &impl ConnectionTrait,
    product: ProductId,
    limit: u64,
    after: Option<i64>,
) -> Result<Vec<lot::Model>> {
    // One statement. On PostgreSQL each of the product's variants walks its own lots newest
    // first through `(variant_id, id)` (LATERAL), and the walks are merged: without statistics
    // the planner otherwise walked every lot newest first looking for the product's. SQLite
    // plans the plain form from the variant side.
    let mut q = Sql::new(db.get_database_backend());
    let after_clause = |q: &mut Sql| {
        if let Some(a) = after {
            q.push(" AND l.id < ").bind(a);
        }
    };
    if q.backend() == sea_orm::DbBackend::Postgres {
        q.push("SELECT l.* FROM variants v CROSS JOIN LATERAL (SELECT * FROM lots l WHERE l.variant_id = v.id");
        after_clause(&mut q);
        q.push(" ORDER BY l.id DESC LIMIT ")
            .push_int(limit as i64)
            .push(") l WHERE v.product_id = ")
            .bind(product.get());
    } else {
        q.push("SELECT l.* FROM lots l WHERE l.variant_id IN (SELECT v.id FROM variants v WHERE v.product_id = ")
            .bind(product.get())
            .push(")");
        after_clause(&mut q);
    }
    q.push(" ORDER BY l.id DESC LIMIT ").push_int(limit as i64);
    let rows = db.query_all_raw(q.build()).await?;
    Ok(rows
        .iter()
        .map(|r| lot::Model::from_query_result(r, ""))
        .collect::<std::result::Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rust_and_sql_definitions_name_the_same_conditions() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let mut l = lot::Model {
            id: 1,
            variant_id: 1,
            lot_number: "L1".into(),
            produced_on: today,
            expires_on: Some(today),
            quantity_produced: 5,
            quantity_available: 5,
            recalled_at: None,
            created_at: Utc::now(),
            trace_code: None,
            origin_province_code: None,
            origin_commune_code: None,
            origin_place: None,
            gln: None,
            recall_reason: None,
            scan_count: 0,
            events_count: 0,
            head_hash: None,
        };
        assert!(sellable(&l, today), "expiring today is still sellable");
        l.expires_on = Some(today - chrono::Duration::days(1));
        assert!(!sellable(&l, today));
        l.expires_on = None;
        l.quantity_available = 0;
        assert!(!sellable(&l, today));
        l.quantity_available = 1;
        l.recalled_at = Some(Utc::now());
        assert!(!sellable(&l, today));

        let mut q = Sql::new(DbBackend::Postgres);
        push_sellable(&mut q, "l", today);
        assert_eq!(
            q.build().sql,
            "l.quantity_available > 0 AND l.recalled_at IS NULL AND (l.expires_on IS NULL OR \
             l.expires_on >= $1)"
        );
    }
}
