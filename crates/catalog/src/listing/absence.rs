//! Search words known to be absent from a province, so that a search reading rare words
//! through the trigram index (PostgreSQL, [`super::words`]), or walking a province (SQLite),
//! skips a province that holds none.
//!
//! A trigram read costs what the words' entries cost across the whole country, not what the
//! province holds: "miến dong" in a province of 45,000 products holding none read 13 ms at
//! 1,000,000 products (0.3 ms at 10,000) to find nothing. Table `search_word_absence` keeps a
//! row per folded word and province where no product with a `listed_until` holds the word, and
//! a rare read of that province carries ` AND NOT EXISTS (a row for one of its words)`, which
//! PostgreSQL evaluates once, before the read: the read does not run. SQLite has no trigram
//! index, so a province holding none of the words was walked to its end (35 ms at 100,000
//! products); its walks are keyed on the province's code only while no row says a word is
//! absent there, and on NULL (nothing) otherwise.
//!
//! The rows hold at every commit, as the price bounds do ([`super::bounds`]): [`compute`]
//! writes or deletes a row under the bounds' advisory lock held exclusive, and [`contradict`],
//! called by [`super::bounds::widen`] in the transaction of every change to a product's listing
//! facts or search text, deletes the rows the changed products now contradict, under the lock
//! held shared. A replica checks a word and province when a search first needs it ([`ensure`]),
//! and again after [`FRESH`]; rows not checked for a day are dropped.

use kernel::Result;
use kernel::sql::{Sql, like_escape};
use sea_orm::{ConnectionTrait, DbBackend, TransactionSession, TransactionTrait};

use std::sync::LazyLock;

use super::bounds::{FRESH, begin_computing, holds_word, named_rows, push_affected};
use super::memo::Memo;
use super::{Affected, Filter};

/// The words and provinces this replica checked within [`FRESH`].
static CHECKED: LazyLock<Memo<(String, String), ()>> = LazyLock::new(|| Memo::new(FRESH));

/// Makes sure each word was checked within [`FRESH`] (as this replica knows) in each province
/// whose read can skip: on PostgreSQL the provinces where the words are `rare` (the others are
/// walked, and a walk finds a page soon), on SQLite every province of the filter (each is
/// walked, to its end when it holds none of the words). A missing row only costs the read, so
/// a failure is logged and the page read as it is.
pub(super) async fn ensure(
    db: &(impl ConnectionTrait + TransactionTrait),
    filter: &Filter,
    terms: &[String],
    rare: &[Option<String>],
) {
    let provinces: Vec<&str> = if db.get_database_backend() == DbBackend::Postgres {
        rare.iter().flatten().map(String::as_str).collect()
    } else if filter.producer_id.is_none() {
        super::provinces(filter).into_iter().flatten().collect()
    } else {
        Vec::new()
    };
    for province in provinces {
        for term in terms {
            let work = compute(db, term, province);
            let key = (term.clone(), province.to_owned());
            CHECKED.once(key, "search word absence", work).await;
        }
    }
}

/// Checks whether a listed product of the province holds the word, and writes the row (none
/// does) or deletes it (one does).
pub async fn compute(
    db: &(impl ConnectionTrait + TransactionTrait),
    term: &str,
    province: &str,
) -> Result<()> {
    let backend = db.get_database_backend();
    let (txn, now) = begin_computing(db, "search_word_absence").await?;
    let mut q = Sql::new(backend);
    q.push("DELETE FROM search_word_absence WHERE term = ")
        .bind(term.to_owned())
        .push(" AND province = ")
        .bind(province.to_owned());
    txn.execute_raw(q.build()).await?;
    // `LIKE`, which the trigram index (with the province) reads on PostgreSQL.
    let mut q = Sql::new(backend);
    q.push("INSERT INTO search_word_absence (term, province, computed_at) SELECT ")
        .bind(term.to_owned())
        .push(", ")
        .bind(province.to_owned())
        .push(", ")
        .bind(now)
        .push(
            " WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.listed_until IS NOT NULL \
             AND p.origin_province_code = ",
        )
        .bind(province.to_owned())
        .push(" AND p.search_text LIKE ")
        .bind(format!("%{}%", like_escape(term)))
        .push(" ESCAPE '\\')");
    txn.execute_raw(q.build()).await?;
    txn.commit().await?;
    Ok(())
}

/// The rows `a` whose word an affected product `p` of their province holds.
fn push_contradicted(q: &mut Sql, which: Affected) {
    let holds = holds_word(q.backend(), "p.search_text", "a.term");
    q.push(&format!(
        "SELECT a.term, a.province FROM search_word_absence a JOIN products p \
         ON p.origin_province_code = a.province AND {holds} \
         WHERE p.listed_until IS NOT NULL AND "
    ));
    push_affected(q, which);
}

/// Deletes the rows the affected products contradict, under [`super::bounds::LOCK`] held shared
/// ([`super::bounds::widen`] takes it). Call it in the transaction of the change.
pub(super) async fn contradict(db: &impl ConnectionTrait, which: Affected) -> Result<()> {
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        // As for the bounds: lock the rows in their key's order first, so that two writers
        // queue instead of deadlocking; none to delete (the usual write) is the end.
        let mut q = Sql::new(backend);
        q.push(
            "SELECT w.term FROM search_word_absence w \
             WHERE (w.term, w.province) IN (",
        );
        push_contradicted(&mut q, which);
        q.push(") ORDER BY w.term, w.province FOR UPDATE");
        if db.query_all_raw(q.build()).await?.is_empty() {
            return Ok(());
        }
    }
    let mut q = Sql::new(backend);
    q.push("DELETE FROM search_word_absence WHERE (term, province) IN (");
    push_contradicted(&mut q, which);
    q.push(")");
    db.execute_raw(q.build()).await?;
    Ok(())
}

/// ` AND NOT EXISTS (a row saying one of the words is absent from the province)`: a condition
/// on no row of the read, which PostgreSQL evaluates once before it.
pub(super) fn push_unless_absent(q: &mut Sql, terms: &[String], province: &str) {
    q.push(" AND NOT ");
    push_absent(q, terms, province);
}

/// The province's code, or NULL while one of the words is known to be absent from it, as the
/// key of a walk (SQLite): keyed on NULL, the walk reads nothing. SQLite computes the value
/// once before the walk, but tests a condition like [`push_unless_absent`]'s on every row.
pub(super) fn push_province_unless_absent(q: &mut Sql, terms: &[String], province: &str) {
    q.push("(SELECT CASE WHEN ");
    push_absent(q, terms, province);
    q.push(" THEN NULL ELSE ")
        .bind(province.to_owned())
        .push(" END)");
}

/// `EXISTS (a row saying one of the words is absent from the province)`.
fn push_absent(q: &mut Sql, terms: &[String], province: &str) {
    q.push("EXISTS (SELECT 1 FROM search_word_absence a WHERE a.province = ")
        .bind(province.to_owned())
        .push(" AND a.term IN ")
        .bind_list(terms)
        .push(")");
}

/// The rows a listed product contradicts, each written `word in province` (a check for tests
/// and operators, with [`super::stale_price_bounds`]: it should always be empty).
pub(super) async fn stale(db: &impl ConnectionTrait) -> Result<Vec<String>> {
    let holds = holds_word(db.get_database_backend(), "p.search_text", "a.term");
    let sql = format!(
        "SELECT a.term, a.province FROM search_word_absence a JOIN products p \
         ON p.origin_province_code = a.province AND {holds} \
         WHERE p.listed_until IS NOT NULL GROUP BY a.term, a.province \
         ORDER BY a.term, a.province"
    );
    named_rows(db, sql, |r| {
        let term: String = r.try_get("", "term")?;
        let province: String = r.try_get("", "province")?;
        Ok(format!("{term} in {province}"))
    })
    .await
}
