//! Price bounds, and the walks by variant price.
//!
//! A product matches a price range when one of its variants is priced inside it. Sorted by
//! price from a bound of the range (cheapest first with a lower bound, dearest first with an
//! upper one), a product sorts at its price inside the range nearest that end: its cheapest
//! variant at or above the lower bound, or its dearest at or below the upper bound. Sorted by
//! its lowest price of all instead, a range whose products' cheapest variants lie below it
//! passed every such product before its first match, a share of the catalog that grows with
//! it. Each walk reads the listed variants in price order from the bound (the variant's copy of
//! its product's listing facts, kept by [`super::copies`]) and takes a variant when it is its
//! product's first inside the range, so each product comes once, at that price, which is the
//! walk's key and the cursor's. Sorted from the open end, the products' own walks serve: the
//! cheapest variant of all is inside a range with only an upper bound.

use kernel::sql::Sql;

use super::{Branch, Filter, Order, Read, push_limit};

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
///
/// Read in another `order` than by price, the upper bound is written so that no index takes
/// it (`min_price + 0`). A plan kept for any bounds (see `server::db`) guesses a bound passes a
/// third of the products, and the words a few of those; then reading a star value's products
/// under the bound through the price index and sorting them looked cheaper than walking the
/// sort's index, and a wide range read 360,000 index entries (150 ms at 1,000,000 products)
/// for a page the walk found in 200.
pub(super) fn push_product_bounds(q: &mut Sql, f: &Filter, order: Order) {
    if f.price_min.is_some() || f.price_max.is_some() {
        q.push(" AND p.max_price > 0");
    }
    if let Some(min) = f.price_min {
        q.push(" AND p.max_price >= ").bind(min);
    }
    if let Some(max) = f.price_max {
        let by_price = matches!(order, Order::PriceAsc | Order::PriceDesc);
        q.push(if by_price {
            " AND p.min_price <= "
        } else {
            " AND p.min_price + 0 <= "
        })
        .bind(max);
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

/// Whether a read sorted by price walks the variants: cheapest first with a lower bound, or
/// dearest first with an upper bound (the bound the walk starts from).
pub(super) fn walks_variants(order: Order, f: &Filter) -> bool {
    edge(order, f).is_some()
}

/// The bound of the price range a read sorted by price walks the variants from, if it does.
pub(super) fn edge(order: Order, f: &Filter) -> Option<i64> {
    match order {
        Order::PriceAsc => f.price_min,
        Order::PriceDesc => f.price_max,
        _ => None,
    }
}

/// The price bounds on the variants `alias` (`o` or `v`).
fn push_variant_bounds(q: &mut Sql, f: &Filter, alias: &str) {
    if let Some(min) = f.price_min {
        q.push(" AND ").push(alias).push(".price >= ").bind(min);
    }
    if let Some(max) = f.price_max {
        q.push(" AND ").push(alias).push(".price <= ").bind(max);
    }
}

/// One walk of a read sorted by variant price ([`walks_variants`]), giving `id`, `min_price`
/// (the product's price inside the range nearest the end the walk starts from) and `stars`,
/// like the products' walks. A province (or the whole country) walks the listed variants'
/// index in price order; a producer's listing and a province's rare words read their few
/// products and sort them on that price.
pub(super) fn push_walk(read: &Read<'_>, q: &mut Sql, branch: Branch<'_>) {
    let f = read.filter;
    let (nearest, o_dir) = if read.order.descending() {
        ("MAX", " DESC")
    } else {
        ("MIN", "")
    };
    let Branch::Walk { .. } = branch else {
        q.push("SELECT * FROM (SELECT p.id, (SELECT ")
            .push(nearest)
            .push("(o.price) FROM variants o WHERE o.product_id = p.id");
        push_variant_bounds(q, f, "o");
        q.push(
            ") AS min_price, p.stars FROM products p \
             WHERE p.listed_until IS NOT NULL AND p.listed_until >= ",
        )
        .push_date(read.today);
        read.push_branch(q, branch, "p.");
        read.push_filters(q, branch, true, true);
        q.push(") k WHERE k.min_price IS NOT NULL");
        push_order(read, q, "k.min_price", "k.id");
        return;
    };
    q.push(
        "SELECT v.product_id AS id, v.price AS min_price, v.stars AS stars FROM variants v \
         WHERE v.listed_until IS NOT NULL AND v.listed_until >= ",
    )
    .push_date(read.today);
    // A star floor above 3 is one walk per star value, each over the index that leads with
    // the (province and) stars, so a province with no 5-star products never walks its 4-star
    // ones (on the bench's catalog a province holds one star value: read off each variant,
    // "5 stars in 40" passed the province's 350,000 variants to find none).
    read.push_branch(q, branch, "v.");
    push_variant_bounds(q, f, "v");
    read.push_price_start(q, "v.price", "highest", edge(read.order, f));
    // The walk takes a variant when it is its product's first inside the range in the walk's
    // order (one short read of the product's prices' index), so a product comes once, and a
    // variant passed over belongs to a product the walk has already met.
    q.push(" AND v.id = (SELECT o.id FROM variants o WHERE o.product_id = v.product_id");
    push_variant_bounds(q, f, "o");
    q.push(" ORDER BY o.price")
        .push(o_dir)
        .push(", o.id")
        .push(o_dir)
        .push(" LIMIT 1)");
    // The words, in the variant's copy of its product's search text, so that a walk passing
    // products without them reads only the index (PostgreSQL), as the products' walks do.
    read.push_words(q, branch, "v.");
    // The product's other filters (category, in stock), probed per variant walked, not joined:
    // joined, the planner may start from the products (a scan of every product holding the
    // words, 1.6 s at 1,000,000 products) and sort, where the probe leaves it the walk alone.
    if f.category_codes.as_ref().is_some_and(|c| !c.is_empty())
        || f.in_stock.is_some()
        || f.producer_id.is_some()
    {
        q.push(
            " AND (SELECT p.id FROM products p WHERE p.id = v.product_id \
             AND p.listed_until IS NOT NULL",
        );
        read.push_filters(q, branch, false, false);
        q.push(") IS NOT NULL");
    }
    push_order(read, q, "v.price", "v.product_id");
}

/// The walk's keyset, order and limit, on its price and product id.
fn push_order(read: &Read<'_>, q: &mut Sql, price: &str, id: &str) {
    let dir = if read.order.descending() {
        " DESC"
    } else {
        " ASC"
    };
    read.push_keyset(q, &[price.into(), id.into()]);
    q.push(" ORDER BY ")
        .push(price)
        .push(dir)
        .push(", ")
        .push(id)
        .push(dir);
    push_limit(q, read.fetch);
}
