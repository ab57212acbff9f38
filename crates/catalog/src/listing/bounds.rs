//! Price bounds of a search's words, so that a search sorted by price starts its walk where the
//! first product holding the words can be.
//!
//! Words go with prices: every "rượu cần" of the bench's catalog costs 59,000 ₫ or more, and
//! walked cheapest first, the walk passed the 198,000 cheaper products of 1,000,000 before its
//! first match (40 ms, against 1.5 ms at 10,000). Table `search_price_bounds` keeps per folded
//! word bounds on the products with a `listed_until` whose search text holds it: `lowest` at
//! most their least `min_price`, `highest_low` at least their greatest `min_price`, `highest`
//! at least their greatest `max_price`. A product holding all the words lies inside each word's
//! bounds, so a walk starts at the greatest `lowest` of the words (cheapest first) or the least
//! `highest_low` / `highest` (dearest first), read in the walk's own statement.
//!
//! The bounds hold at every commit:
//! - [`widen`] runs in the transaction of every change to a product's listing facts or prices
//!   (from [`super::refresh_variants`]), and widens each row the changed products fall outside;
//! - [`compute`] makes a row exact again (a row only ever widens otherwise) under an exclusive
//!   advisory lock that [`widen`] takes shared (PostgreSQL), so no change commits between the
//!   snapshot it reads and the row it writes unseen by both; SQLite runs it as one statement,
//!   and serialises writers.
//!
//! A missing row only means no head start, so a replica computes a word's row when it first
//! needs it and again after [`FRESH`] (per replica, like the rarity of words), and rows not
//! computed for a day are dropped. Each of its three reads walks at most [`REACH`] index entries
//! and keeps, when it finds none holding the word, the price it reached (every product before
//! it lacks the word), so computing costs a bounded time whatever the catalog.

use kernel::Result;
use kernel::sql::{Sql, like_escape};
use sea_orm::{ConnectionTrait, DbBackend, TransactionSession, TransactionTrait};

use std::sync::LazyLock;

use super::Affected;
use super::memo::Memo;

/// How long a replica trusts that a row (a word's, an edge's, an absence) was computed recently.
pub(super) const FRESH: std::time::Duration = std::time::Duration::from_secs(600);
/// Rows not computed for this long are dropped (seconds).
const STALE_AFTER: i64 = 86_400;
/// The most index entries one of [`compute`]'s reads walks.
const REACH: i64 = 300_000;
/// The words whose rows this replica computed within [`FRESH`].
static COMPUTED: LazyLock<Memo<String, ()>> = LazyLock::new(|| Memo::new(FRESH));
/// The advisory lock [`compute`] takes exclusive and [`widen`] shared (so do the computing of
/// [`super::edges`] and [`super::absence`], and their parts of [`widen`]).
pub(super) const LOCK: i64 = 726_210_020_261_201;
/// The listed variants, walked in price order (for [`push_reach`]).
pub(super) const VARIANTS: (&str, &str, &str) = ("variants", "price", "product_id");

/// Makes sure each word has a row computed within [`FRESH`] (as this replica knows). A row
/// only gives a walk its head start, so a failure to compute one is logged, and the page is
/// read without it.
pub(super) async fn ensure(db: &(impl ConnectionTrait + TransactionTrait), terms: &[String]) {
    for term in terms {
        let work = compute(db, term);
        COMPUTED
            .once(term.clone(), "search price bounds", work)
            .await;
    }
}

/// Computes the word's bounds from the listed products and their variants, and writes them.
pub async fn compute(db: &(impl ConnectionTrait + TransactionTrait), term: &str) -> Result<()> {
    let backend = db.get_database_backend();
    let (txn, now) = begin_computing(db, "search_price_bounds").await?;
    let mut q = Sql::new(backend);
    q.push(
        "INSERT INTO search_price_bounds (term, lowest, highest_low, highest, computed_at) SELECT ",
    )
    .bind(term.to_owned())
    .push(", ");
    let products = ("products", "min_price", "id");
    push_reach(&mut q, products, term, false, None);
    q.push(", ");
    push_reach(&mut q, products, term, true, None);
    q.push(", ");
    push_reach(&mut q, VARIANTS, term, true, None);
    // `WHERE TRUE`: SQLite reads `ON` after a bare SELECT as a join's.
    q.push(", ").bind(now).push(
        " WHERE TRUE ON CONFLICT (term) DO UPDATE SET lowest = excluded.lowest, \
             highest_low = excluded.highest_low, highest = excluded.highest, \
             computed_at = excluded.computed_at",
    );
    txn.execute_raw(q.build()).await?;
    txn.commit().await?;
    Ok(())
}

/// Begins computing rows of `table` (this module's, [`super::edges`]' or [`super::absence`]'):
/// a transaction holding [`LOCK`] exclusive (PostgreSQL), in which the table's rows not computed
/// for a day are already deleted; with the time now (Unix seconds) to stamp the rows written.
pub(super) async fn begin_computing<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    table: &str,
) -> Result<(C::Transaction, i64)> {
    let backend = db.get_database_backend();
    let now = chrono::Utc::now().timestamp();
    let txn = db.begin().await?;
    if backend == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({LOCK})"))
            .await?;
    }
    let mut q = Sql::new(backend);
    q.push(&format!("DELETE FROM {table} WHERE computed_at < "))
        .bind(now - STALE_AFTER);
    txn.execute_raw(q.build()).await?;
    Ok((txn, now))
}

/// The price of the first listed row of `table` (in `price` order, descending when `desc`)
/// whose search text holds the word, looked for among the first [`REACH`] in that order; when
/// none of those holds it, the price of the last of them (every row before it lacks the word);
/// with fewer listed rows and none holding it, the far end (a walk skips everything).
/// With an `edge`, only the rows priced at or below it (`desc`), or at or above it, are looked at.
pub(super) fn push_reach(
    q: &mut Sql,
    (table, price, id): (&str, &str, &str),
    term: &str,
    desc: bool,
    edge: Option<i64>,
) {
    let (dir, empty) = if desc {
        (" DESC", "0")
    } else {
        ("", "9223372036854775807")
    };
    let order = format!(" ORDER BY t.{price}{dir}, t.{id}{dir}");
    let mut listed = format!(" FROM {table} t WHERE t.listed_until IS NOT NULL");
    if let Some(edge) = edge {
        // Written in, not bound: the statement is computed once per word and edge.
        let cmp = if desc { "<=" } else { ">=" };
        listed.push_str(&format!(" AND t.{price} {cmp} {edge}"));
    }
    q.push(&format!(
        "COALESCE((SELECT r.price FROM (SELECT t.{price} AS price, t.{id} AS id, t.search_text\
         {listed}{order} LIMIT {REACH}) r WHERE "
    ));
    if q.backend() == DbBackend::Postgres {
        q.push("strpos(r.search_text, ")
            .bind(term.to_owned())
            .push(") > 0");
    } else {
        q.push("r.search_text LIKE ")
            .bind(format!("%{}%", like_escape(term)))
            .push(" ESCAPE '\\'");
    }
    q.push(&format!(
        " ORDER BY r.price{dir}, r.id{dir} LIMIT 1), (SELECT t.{price}{listed}{order} \
         LIMIT 1 OFFSET {}), {empty})",
        REACH - 1
    ));
}

/// Widens the rows (the words' and [`super::edges`]') the affected products now fall outside,
/// and deletes the rows of [`super::absence`] they contradict. Call it in the transaction of
/// the change, after the products' and variants' listing facts and prices are written.
pub async fn widen(db: &impl ConnectionTrait, which: Affected) -> Result<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared(&format!("SELECT pg_advisory_xact_lock_shared({LOCK})"))
            .await?;
    }
    widen_words(db, which).await?;
    super::edges::widen(db, which).await?;
    super::absence::contradict(db, which).await
}

/// Widens the words' rows, under [`LOCK`] held shared.
async fn widen_words(db: &impl ConnectionTrait, which: Affected) -> Result<()> {
    let backend = db.get_database_backend();
    let holds = holds_word(backend, "p.search_text", "b.term");
    let (least, greatest) = if backend == DbBackend::Postgres {
        ("LEAST", "GREATEST")
    } else {
        ("MIN", "MAX")
    };
    if backend == DbBackend::Postgres {
        // Lock the rows to widen in the words' order first: two writers widening the same
        // rows then queue on the first instead of each holding one the other needs. None to
        // widen (the usual case) is the end: rows only widen while this lock is held shared.
        let mut q = Sql::new(backend);
        q.push(&format!(
            "SELECT w.term FROM search_price_bounds w WHERE w.term IN (SELECT b.term \
             FROM search_price_bounds b JOIN products p ON {holds} \
             WHERE p.listed_until IS NOT NULL AND (p.min_price < b.lowest \
             OR p.min_price > b.highest_low OR p.max_price > b.highest) AND "
        ));
        push_affected(&mut q, which);
        q.push(") ORDER BY w.term FOR UPDATE");
        if db.query_all_raw(q.build()).await?.is_empty() {
            return Ok(());
        }
    }
    let mut q = Sql::new(backend);
    q.push(&format!(
        "UPDATE search_price_bounds SET lowest = {least}(search_price_bounds.lowest, x.lo), \
         highest_low = {greatest}(search_price_bounds.highest_low, x.hl), \
         highest = {greatest}(search_price_bounds.highest, x.hi) \
         FROM (SELECT b.term, MIN(p.min_price) AS lo, MAX(p.min_price) AS hl, \
         MAX(p.max_price) AS hi FROM search_price_bounds b JOIN products p ON {holds} \
         WHERE p.listed_until IS NOT NULL AND "
    ));
    push_affected(&mut q, which);
    q.push(
        " GROUP BY b.term) x WHERE search_price_bounds.term = x.term \
         AND (x.lo < search_price_bounds.lowest OR x.hl > search_price_bounds.highest_low \
         OR x.hi > search_price_bounds.highest)",
    );
    db.execute_raw(q.build()).await?;
    Ok(())
}

/// Whether the search text `text` holds the word `term` (both columns), as the walks ask it.
pub(super) fn holds_word(backend: DbBackend, text: &str, term: &str) -> String {
    if backend == DbBackend::Postgres {
        format!("strpos({text}, {term}) > 0")
    } else {
        // Folded words hold no `%` or `_`, so the pattern matches what the walks' do.
        format!("{text} LIKE '%' || {term} || '%'")
    }
}

/// The affected products `p`.
pub(super) fn push_affected(q: &mut Sql, which: Affected) {
    match which {
        Affected::Product(id) => q.push("p.id = ").bind(id),
        Affected::Certificate(id) => q.push("p.certificate_id = ").bind(id),
        Affected::Producer(id) => q.push("p.producer_id = ").bind(id),
    };
}

/// The words whose row some listed product holding the word lies outside, the edges' rows
/// likewise ([`super::edges::stale`]), and the words said absent from a province a listed
/// product there holds ([`super::absence::stale`]): a check for tests and operators, like
/// [`super::stale_listing_copies`]; it should always be empty.
pub async fn stale_price_bounds(db: &impl ConnectionTrait) -> Result<Vec<String>> {
    let holds = holds_word(db.get_database_backend(), "p.search_text", "b.term");
    let sql = format!(
        "SELECT b.term FROM search_price_bounds b JOIN products p ON {holds} \
         WHERE p.listed_until IS NOT NULL AND (p.min_price < b.lowest \
         OR p.min_price > b.highest_low OR p.max_price > b.highest) \
         GROUP BY b.term ORDER BY b.term"
    );
    let mut stale = named_rows(db, sql, |r| Ok(r.try_get("", "term")?)).await?;
    stale.extend(super::edges::stale(db).await?);
    stale.extend(super::absence::stale(db).await?);
    Ok(stale)
}

/// The rows a check's `sql` reads, each as `name` writes it.
pub(super) async fn named_rows(
    db: &impl ConnectionTrait,
    sql: String,
    name: impl Fn(&sea_orm::QueryResult) -> Result<String>,
) -> Result<Vec<String>> {
    let statement = sea_orm::Statement::from_string(db.get_database_backend(), sql);
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(name)
        .collect()
}

/// Where a walk sorted by price may start: ` AND {column} >= (the greatest lowest bound of
/// the words)` cheapest first, else ` AND {column} <= (the least of their highest)`, where
/// `highest` is the column of the bound (`highest_low` for products' lowest prices, `highest`
/// for variants' prices). A walk from the `edge` of a price range (variants) takes the tightest
/// of those and the words' rows for that edge ([`super::edges`]). Without rows, no bound.
pub(super) fn push_start(
    q: &mut Sql,
    column: &str,
    terms: &[String],
    desc: bool,
    highest: &str,
    edge: Option<i64>,
) {
    if terms.is_empty() {
        return;
    }
    let (compare, tightest, bound, none) = if desc {
        (" <= ", "MIN", highest, "9223372036854775807")
    } else {
        (" >= ", "MAX", "lowest", "0")
    };
    q.push(" AND ").push(column).push(compare);
    let Some(edge) = edge else {
        q.push(&format!(
            "(SELECT COALESCE({tightest}(b.{bound}), {none}) FROM search_price_bounds b WHERE b.term IN "
        ))
        .bind_list(terms)
        .push(")");
        return;
    };
    q.push(&format!(
        "(SELECT COALESCE({tightest}(s.bound), {none}) FROM (SELECT b.{bound} AS bound \
         FROM search_price_bounds b WHERE b.term IN "
    ))
    .bind_list(terms)
    .push(" UNION ALL SELECT e.bound FROM search_price_edges e WHERE e.term IN ")
    .bind_list(terms)
    .push(" AND e.edge = ")
    .bind(edge)
    .push(" AND e.descending = ")
    .bind(desc)
    .push(") s)");
}
