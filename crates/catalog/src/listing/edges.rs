//! Price bounds of a search's words at an edge of a price range, so that a search in a range
//! sorted from that edge starts its walk of the variants ([`super::by_price`]) where the first
//! variant holding the words can be.
//!
//! A word's own bounds ([`super::bounds`]) are its products' extremes, and a range inside them
//! gains nothing: every "cà phê" of the bench's catalog costs 53,000, 63,000, 73,000, 83,000 or
//! 93,000 ₫ (or a larger size's price), so between 60,000 and 80,000 ₫, dearest first, the walk
//! passed the 140,000 variants priced 74,000 to 80,000 ₫ of 1,000,000 products before its
//! first (27 ms, against 3.7 ms at 10,000). Table `search_price_edges` keeps per folded word and
//! edge a `bound` on the listed variants whose search text holds the word: walked down from the
//! edge (`descending`), at least the greatest price at or below it; walked up, at most the
//! least at or above it. A variant holding all the words inside the range lies within each
//! word's bound, so a walk starts at the tightest of them, read in the walk's own statement
//! ([`super::bounds::push_start`]).
//!
//! Rows are kept as the words' rows are: computed when a replica first needs one and again
//! after [`FRESH`], under [`super::bounds::LOCK`] held exclusive, by a read of at most
//! [`super::bounds::push_reach`]'s reach; widened in the transaction of every change to a
//! product's listing facts or prices, under the lock held shared; dropped when not computed for
//! a day. Edges are what shoppers' range filters send, so a catalog has as many rows per word
//! as price filters its shoppers use in a day.

use kernel::Result;
use kernel::sql::Sql;
use sea_orm::{ConnectionTrait, DbBackend, TransactionSession, TransactionTrait};

use std::sync::LazyLock;

use super::Affected;
use super::bounds::{
    FRESH, VARIANTS, begin_computing, holds_word, named_rows, push_affected, push_reach,
};
use super::memo::Memo;

/// A word, an edge, and whether walked down from it.
type Key = (String, i64, bool);

/// The rows this replica computed within [`FRESH`].
static COMPUTED: LazyLock<Memo<Key, ()>> = LazyLock::new(|| Memo::new(FRESH));

/// Makes sure each word has a row for the edge computed within [`FRESH`] (as this replica
/// knows). A row only gives a walk its head start, so a failure is logged, and the page is read
/// without it.
pub(super) async fn ensure(
    db: &(impl ConnectionTrait + TransactionTrait),
    terms: &[String],
    edge: i64,
    descending: bool,
) {
    for term in terms {
        let work = compute(db, term, edge, descending);
        let key = (term.clone(), edge, descending);
        COMPUTED.once(key, "search price edge", work).await;
    }
}

/// Computes the word's bound at the edge from the listed variants, and writes it.
pub async fn compute(
    db: &(impl ConnectionTrait + TransactionTrait),
    term: &str,
    edge: i64,
    descending: bool,
) -> Result<()> {
    let backend = db.get_database_backend();
    let (txn, now) = begin_computing(db, "search_price_edges").await?;
    let mut q = Sql::new(backend);
    q.push("INSERT INTO search_price_edges (term, edge, descending, bound, computed_at) SELECT ")
        .bind(term.to_owned())
        .push(", ")
        .bind(edge)
        .push(", ")
        .bind(descending)
        .push(", ");
    push_reach(&mut q, VARIANTS, term, descending, Some(edge));
    // `WHERE TRUE`: SQLite reads `ON` after a bare SELECT as a join's.
    q.push(", ").bind(now).push(
        " WHERE TRUE ON CONFLICT (term, edge, descending) DO UPDATE SET \
         bound = excluded.bound, computed_at = excluded.computed_at",
    );
    txn.execute_raw(q.build()).await?;
    txn.commit().await?;
    Ok(())
}

/// Per row whose word an affected product's variants hold: the row, its bound, and the price
/// of those variants nearest its edge on the walk's side (`price`, NULL when none is there).
fn push_nearest(q: &mut Sql, which: Affected) {
    let holds = holds_word(q.backend(), "v.search_text", "e.term");
    q.push(&format!(
        "SELECT e.term, e.edge, e.descending, e.bound, CASE WHEN e.descending \
         THEN MAX(CASE WHEN v.price <= e.edge THEN v.price END) \
         ELSE MIN(CASE WHEN v.price >= e.edge THEN v.price END) END AS price \
         FROM search_price_edges e JOIN variants v ON {holds} \
         JOIN products p ON p.id = v.product_id WHERE v.listed_until IS NOT NULL AND "
    ));
    push_affected(q, which);
    q.push(" GROUP BY e.term, e.edge, e.descending, e.bound");
}

/// `x`'s price lies past its bound, seen from the edge.
const OUTSIDE: &str = "((x.descending AND x.price > x.bound) \
                       OR (NOT x.descending AND x.price < x.bound))";

/// Widens the rows the affected products' variants now fall outside, under
/// [`super::bounds::LOCK`] held shared ([`super::bounds::widen`] takes it).
pub(super) async fn widen(db: &impl ConnectionTrait, which: Affected) -> Result<()> {
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        // As for the words' rows: lock the rows to widen in their key's order first, so that
        // two writers queue instead of deadlocking; none to widen is the end.
        let mut q = Sql::new(backend);
        q.push(
            "SELECT w.term FROM search_price_edges w \
             WHERE (w.term, w.edge, w.descending) IN (SELECT x.term, x.edge, x.descending FROM (",
        );
        push_nearest(&mut q, which);
        q.push(") x WHERE ")
            .push(OUTSIDE)
            .push(") ORDER BY w.term, w.edge, w.descending FOR UPDATE");
        if db.query_all_raw(q.build()).await?.is_empty() {
            return Ok(());
        }
    }
    let mut q = Sql::new(backend);
    q.push("UPDATE search_price_edges SET bound = x.price FROM (");
    push_nearest(&mut q, which);
    q.push(
        ") x WHERE search_price_edges.term = x.term AND search_price_edges.edge = x.edge \
         AND search_price_edges.descending = x.descending AND ",
    )
    .push(OUTSIDE);
    db.execute_raw(q.build()).await?;
    Ok(())
}

/// The rows some listed variant holding the word lies past, seen from the edge, each written
/// `word ≤ edge` (walked down) or `word ≥ edge`.
pub(super) async fn stale(db: &impl ConnectionTrait) -> Result<Vec<String>> {
    let holds = holds_word(db.get_database_backend(), "v.search_text", "e.term");
    let sql = format!(
        "SELECT e.term, e.edge, e.descending FROM search_price_edges e JOIN variants v ON {holds} \
         WHERE v.listed_until IS NOT NULL AND ((e.descending AND v.price <= e.edge \
         AND v.price > e.bound) OR (NOT e.descending AND v.price >= e.edge \
         AND v.price < e.bound)) GROUP BY e.term, e.edge, e.descending \
         ORDER BY e.term, e.edge, e.descending"
    );
    named_rows(db, sql, |r| {
        let term: String = r.try_get("", "term")?;
        let edge: i64 = r.try_get("", "edge")?;
        let descending: bool = r.try_get("", "descending")?;
        let side = if descending { '≤' } else { '≥' };
        Ok(format!("{term} {side} {edge}"))
    })
    .await
}
