//! Price bounds, and the walks by variant price.
//!
//! A product matches a price range when one of its variants is priced inside it. Sorted by
//! price with a lower bound, a product sorts by its cheapest variant at or above the bound
//! (the cheapest price the shopper can pay inside the range), not by its cheapest variant of
//! all: sorted by that, a range whose products' cheapest variants lie below it passed every
//! such product before its first match, a share of the catalog that grows with it. Each walk
//! reads the listed variants in price order (the variant's copy of its product's listing facts,
//! kept by [`super::copies`]) and takes a variant when it is its product's cheapest at or above
//! the bound, so each product comes once, at that price. The price is the walk's key and the
//! cursor's. Without a lower bound the cheapest variant of all is the one inside the range, and
//! the products' own walks serve.

use kernel::sql::Sql;

use super::{Branch, Filter, Read, Stars, push_limit};

/// The price bounds as conditions on the products `p`. The product's price span (no subquery)
/// decides alone when one bound is given: some variant costs at least `min` exactly when the
/// dearest does, and at most `max` when the cheapest does. Prices are positive, so
/// `max_price > 0` says the product has a variant at all. With both bounds, the cheapest or the
/// dearest inside the range decides, and so does a product of one or two variants (it has no
/// other price); only a product whose prices span the range on both sides with variants
/// between is probed for one inside it. The probe is a scalar subquery, not EXISTS: PostgreSQL
/// may answer an EXISTS under OR by hashing every variant in the range once (a scan of the
/// variants, 54 ms at 100,000 products), where the probe is one short index read per product
/// that needs it.
pub(super) fn push_product_bounds(q: &mut Sql, f: &Filter) {
    if f.price_min.is_some() || f.price_max.is_some() {
        q.push(" AND p.max_price > 0");
    }
    if let Some(min) = f.price_min {
        q.push(" AND p.max_price >= ").bind(min);
    }
    if let Some(max) = f.price_max {
        q.push(" AND p.min_price <= ").bind(max);
    }
    if let (Some(min), Some(max)) = (f.price_min, f.price_max) {
        q.push(" AND (p.min_price >= ")
            .bind(min)
            .push(" OR p.max_price <= ")
            .bind(max)
            .push(
                " OR (p.variant_count > 2 AND (SELECT 1 FROM variants v \
                 WHERE v.product_id = p.id AND v.price >= ",
            )
            .bind(min)
            .push(" AND v.price <= ")
            .bind(max)
            .push(" LIMIT 1) IS NOT NULL))");
    }
}

/// One walk of a read sorted by variant price (`read.filter.price_min` is set), giving `id`,
/// `min_price` (the product's cheapest price at or above the bound) and `stars`, like the
/// products' walks. A province (or the whole country) walks the listed variants' index in price
/// order; a producer's listing and a province's rare words read their few products and sort
/// them on that price.
pub(super) fn push_walk(read: &Read<'_>, q: &mut Sql, branch: Branch<'_>) {
    let f = read.filter;
    let lowest = f.price_min.unwrap_or(0);
    let dir = if read.order.descending() {
        " DESC"
    } else {
        " ASC"
    };
    let Branch::Walk { province, stars } = branch else {
        q.push(
            "SELECT * FROM (SELECT p.id, (SELECT MIN(o.price) FROM variants o \
             WHERE o.product_id = p.id AND o.price >= ",
        )
        .bind(lowest);
        if let Some(max) = f.price_max {
            q.push(" AND o.price <= ").bind(max);
        }
        q.push(
            ") AS min_price, p.stars FROM products p \
             WHERE p.listed_until IS NOT NULL AND p.listed_until >= ",
        )
        .bind(read.today);
        read.push_branch(q, branch);
        read.push_filters(q, branch, true);
        q.push(") k WHERE k.min_price IS NOT NULL");
        read.push_keyset(q, &["k.min_price".into(), "k.id".into()]);
        q.push(" ORDER BY k.min_price")
            .push(dir)
            .push(", k.id")
            .push(dir);
        push_limit(q, read.fetch);
        return;
    };
    q.push(
        "SELECT v.product_id AS id, v.price AS min_price, v.stars AS stars \
         FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE v.listed_until IS NOT NULL AND v.listed_until >= ",
    )
    .bind(read.today);
    if let Some(code) = province {
        q.push(" AND v.origin_province_code = ")
            .bind(code.to_owned());
    }
    match stars {
        Stars::Any => {}
        Stars::From(value) => {
            q.push(" AND v.stars >= ").bind(value);
        }
        Stars::One(value) => {
            q.push(" AND v.stars = ").bind(value);
        }
    }
    q.push(" AND v.price >= ").bind(lowest);
    if let Some(max) = f.price_max {
        q.push(" AND v.price <= ").bind(max);
    }
    // The product's cheapest variant at or above the bound, found through its own prices'
    // index (a scalar subquery, one short index read per variant walked).
    q.push(
        " AND v.id = (SELECT o.id FROM variants o WHERE o.product_id = v.product_id \
         AND o.price >= ",
    )
    .bind(lowest)
    .push(" ORDER BY o.price, o.id LIMIT 1)");
    read.push_filters(q, branch, false);
    read.push_keyset(q, &["v.price".into(), "v.product_id".into()]);
    q.push(" ORDER BY v.price")
        .push(dir)
        .push(", v.product_id")
        .push(dir);
    push_limit(q, read.fetch);
}
